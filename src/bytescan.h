/*
 * bytescan.h - fast searches for the next interesting byte: a digit, or
 * one of a small set of bytes. SSE2 where the compiler has it, plain C
 * otherwise; both give the same answers.
 */
#ifndef BB_BYTESCAN_H
#define BB_BYTESCAN_H

#include <stddef.h>

#define BYTESCAN_MAX_SET 8

/* Index of the first ASCII digit in s[i, to), or to. */
size_t bytescan_digit(const unsigned char *s, size_t i, size_t to);

/* Index of the first byte of s[i, to) that is one of the n (1 to
 * BYTESCAN_MAX_SET) bytes of set, or to. */
size_t bytescan_set(const unsigned char *s, size_t i, size_t to,
                    const unsigned char *set, size_t n);

/* Start of the first block [b, b + 8), b = i + 8k, made only of letters,
 * digits, '_' and '-', within s[i, to); or to. Every run of 15 or more
 * such bytes starting at or after i holds one. */
size_t bytescan_word8(const unsigned char *s, size_t i, size_t to);

#endif
