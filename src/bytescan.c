/*
 * bytescan.c - next digit / next byte of a small set, 16 bytes at a time
 * with SSE2 (every x86-64 has it), bytewise elsewhere and at the edges.
 */
#include "bytescan.h"

#include <stdint.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int in_set(unsigned char c, const unsigned char *set, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++) {
        if (c == set[k]) {
            return 1;
        }
    }
    return 0;
}

size_t bytescan_digit(const unsigned char *s, size_t i, size_t to)
{
#ifdef __SSE2__
    const __m128i zero = _mm_set1_epi8('0');
    const __m128i nine = _mm_set1_epi8(9);

    while (i + 16 <= to) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i t = _mm_sub_epi8(v, zero);
        /* t <= 9 unsigned  <=>  min(t, 9) == t */
        __m128i d = _mm_cmpeq_epi8(_mm_min_epu8(t, nine), t);
        int m = _mm_movemask_epi8(d);

        if (m != 0) {
            return i + (size_t)__builtin_ctz((unsigned)m);
        }
        i += 16;
    }
#endif
    while (i < to && !is_digit(s[i])) {
        i++;
    }
    return i;
}

size_t bytescan_set(const unsigned char *s, size_t i, size_t to,
                    const unsigned char *set, size_t n)
{
#ifdef __SSE2__
    __m128i want[BYTESCAN_MAX_SET];
    size_t k;

    for (k = 0; k < n; k++) {
        want[k] = _mm_set1_epi8((char)set[k]);
    }
    while (i + 16 <= to) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i hit = _mm_cmpeq_epi8(v, want[0]);
        int m;

        for (k = 1; k < n; k++) {
            hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, want[k]));
        }
        m = _mm_movemask_epi8(hit);
        if (m != 0) {
            return i + (size_t)__builtin_ctz((unsigned)m);
        }
        i += 16;
    }
#endif
    while (i < to && !in_set(s[i], set, n)) {
        i++;
    }
    return i;
}

static int is_wordc(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
}

size_t bytescan_word8(const unsigned char *s, size_t i, size_t to)
{
    size_t k;

#ifdef __SSE2__
    const __m128i low = _mm_set1_epi8(0x20);
    const __m128i a = _mm_set1_epi8('a');
    const __m128i z = _mm_set1_epi8(25);
    const __m128i zero = _mm_set1_epi8('0');
    const __m128i nine = _mm_set1_epi8(9);
    const __m128i us = _mm_set1_epi8('_');
    const __m128i dash = _mm_set1_epi8('-');

    while (i + 16 <= to) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i t = _mm_sub_epi8(_mm_or_si128(v, low), a);
        __m128i d = _mm_sub_epi8(v, zero);
        __m128i w = _mm_or_si128(
            _mm_cmpeq_epi8(_mm_min_epu8(t, z), t),
            _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d));
        int m;

        w = _mm_or_si128(w, _mm_or_si128(_mm_cmpeq_epi8(v, us),
                                         _mm_cmpeq_epi8(v, dash)));
        m = _mm_movemask_epi8(w);
        if ((m & 0xFF) == 0xFF) {
            return i;
        }
        if ((m & 0xFF00) == 0xFF00) {
            return i + 8;
        }
        i += 16;
    }
#endif
    for (; i + 8 <= to; i += 8) {
        for (k = 0; k < 8 && is_wordc(s[i + k]); k++) {
        }
        if (k == 8) {
            return i;
        }
    }
    return to;
}
