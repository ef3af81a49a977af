/*
 * bytescan.h - fast searches: the next byte of a small set, trigram hash
 * hits and byte-class masks. SSE2 where the compiler has it, plain C
 * otherwise; both give the same answers.
 */
#ifndef BB_BYTESCAN_H
#define BB_BYTESCAN_H

#include <stddef.h>
#include <stdint.h>

#define BYTESCAN_MAX_SET 8

/* Index of the first byte of s[i, to) that is one of the n (1 to
 * BYTESCAN_MAX_SET) bytes of set, or to. */
size_t bytescan_set(const unsigned char *s, size_t i, size_t to,
                    const unsigned char *set, size_t n);

/* Bits of the trigram hash, and the size of its map in bits. */
#define BYTESCAN_TRI_BITS 17
#define BYTESCAN_TRI_SIZE (1u << BYTESCAN_TRI_BITS)

/* The hash of the 3 bytes in the low 24 bits of v, each with bit 0x20
 * set (which folds ASCII case): BYTESCAN_TRI_BITS bits. */
static inline unsigned bytescan_tri_hash(uint32_t v)
{
    return (unsigned)(((v | 0x202020u) & 0xFFFFFFu) * 2654435761u >>
                      (32 - BYTESCAN_TRI_BITS));
}

/* Bit k set when the 3 bytes s[i+k..i+k+2] hash to a bit set in map
 * (BYTESCAN_TRI_SIZE bits, bit h at map[h / 32] >> (h % 32)), for k in
 * 0..63. Reads s[i, i + 72). Uses AVX2 when the CPU has it. */
uint64_t bytescan_tri64(const unsigned char *s, size_t i,
                        const uint32_t *map);

/* A byte set as up to 8 inclusive ranges, for bytescan_mask64(). */
#define BYTESCAN_MAX_RANGES 8

struct bytescan_ranges {
    unsigned char lo[BYTESCAN_MAX_RANGES];
    unsigned char hi[BYTESCAN_MAX_RANGES];
    size_t n;
};

/* Of a mask array with a zero word before and after its words (1..n):
 * the bits of positions 64(w - 1) + p + d, p = 0..63; 0 < |d| < 64. */
static inline uint64_t bytescan_bits_at(const uint64_t *m, size_t w, int d)
{
    if (d > 0) {
        return (m[w] >> d) | (m[w + 1] << (64 - d));
    }
    return (m[w] << -d) | (m[w - 1] >> (64 + d));
}

/* out[w] bit k set when s[from + 64w + k] lies in one of the ranges,
 * for every position in [from, to); bits past `to` are 0. Writes
 * (to - from + 63) / 64 words. Uses AVX2 when the CPU has it. */
void bytescan_masks(const unsigned char *s, size_t from, size_t to,
                    const struct bytescan_ranges *r, uint64_t *out);

#endif
