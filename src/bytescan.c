/*
 * bytescan.c - next digit / next byte of a small set, 16 bytes at a time
 * with SSE2 (every x86-64 has it), bytewise elsewhere and at the edges.
 */
#include "bytescan.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define BYTESCAN_AVX2 1
#endif

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

static bool tri_bit(const uint32_t *map, unsigned h)
{
    return (map[h >> 5] >> (h & 31)) & 1u;
}

/* Portable: one position at a time. */
static uint64_t tri_plain(const unsigned char *s, size_t i,
                          const uint32_t *map)
{
    uint64_t m = 0;
    unsigned k;

    for (k = 0; k < 64; k++) {
        uint32_t v = (uint32_t)s[i + k] | ((uint32_t)s[i + k + 1] << 8) |
                     ((uint32_t)s[i + k + 2] << 16);

        m |= (uint64_t)tri_bit(map, bytescan_tri_hash(v)) << k;
    }
    return m;
}

#ifdef BYTESCAN_AVX2
/* 8 positions per step: a shuffle puts the 3 bytes of each position in
 * a 32-bit lane, the hash is one multiply, and a gather fetches the map
 * words. No branch inside, so the gathers overlap. */
__attribute__((target("avx2"))) static uint64_t
tri_avx2(const unsigned char *s, size_t i, const uint32_t *map)
{
    const __m256i ctl = _mm256_setr_epi8(
        0, 1, 2, -128, 1, 2, 3, -128, 2, 3, 4, -128, 3, 4, 5, -128,
        4, 5, 6, -128, 5, 6, 7, -128, 6, 7, 8, -128, 7, 8, 9, -128);
    const __m256i fold = _mm256_set1_epi32(0x202020);
    const __m256i mul = _mm256_set1_epi32((int)2654435761u);
    const __m256i low5 = _mm256_set1_epi32(31);
    const __m256i one = _mm256_set1_epi32(1);
    uint64_t m = 0;
    unsigned k;

    for (k = 0; k < 64; k += 8) {
        __m128i b = _mm_loadu_si128((const __m128i *)(s + i + k));
        __m256i x = _mm256_broadcastsi128_si256(b);
        __m256i v = _mm256_or_si256(_mm256_shuffle_epi8(x, ctl), fold);
        __m256i h = _mm256_srli_epi32(_mm256_mullo_epi32(v, mul),
                                        32 - BYTESCAN_TRI_BITS);
        __m256i w = _mm256_i32gather_epi32((const int *)map,
                                           _mm256_srli_epi32(h, 5), 4);
        __m256i bit = _mm256_and_si256(
            _mm256_srlv_epi32(w, _mm256_and_si256(h, low5)), one);

        m |= (uint64_t)(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(
                 _mm256_cmpeq_epi32(bit, one)))
             << k;
    }
    return m;
}
#endif

#ifdef BYTESCAN_AVX2
static bool have_avx2(void)
{
    static atomic_int avx2 = -1; /* not yet asked */
    int have = atomic_load_explicit(&avx2, memory_order_relaxed);

    if (have < 0) {
        __builtin_cpu_init();
        have = __builtin_cpu_supports("avx2") ? 1 : 0;
        atomic_store_explicit(&avx2, have, memory_order_relaxed);
    }
    return have != 0;
}
#endif

uint64_t bytescan_tri64(const unsigned char *s, size_t i,
                        const uint32_t *map)
{
#ifdef BYTESCAN_AVX2
    if (have_avx2()) {
        return tri_avx2(s, i, map);
    }
#endif
    return tri_plain(s, i, map);
}

#ifdef BYTESCAN_AVX2
/* Whole 64-byte blocks: (b - lo) <= (hi - lo), unsigned, per range. */
__attribute__((target("avx2"))) static size_t
masks_avx2(const unsigned char *s, size_t from, size_t to,
           const struct bytescan_ranges *r, uint64_t *out)
{
    __m256i lo[BYTESCAN_MAX_RANGES];
    __m256i d[BYTESCAN_MAX_RANGES];
    size_t n = r->n < BYTESCAN_MAX_RANGES ? r->n : BYTESCAN_MAX_RANGES;
    size_t i;
    size_t k;

    for (k = 0; k < n; k++) {
        lo[k] = _mm256_set1_epi8((char)r->lo[k]);
        d[k] = _mm256_set1_epi8((char)(r->hi[k] - r->lo[k]));
    }
    for (i = from; i + 64 <= to; i += 64) {
        __m256i v0 = _mm256_loadu_si256((const __m256i *)(s + i));
        __m256i v1 = _mm256_loadu_si256((const __m256i *)(s + i + 32));
        __m256i h0 = _mm256_setzero_si256();
        __m256i h1 = _mm256_setzero_si256();

        for (k = 0; k < n; k++) {
            __m256i t0 = _mm256_sub_epi8(v0, lo[k]);
            __m256i t1 = _mm256_sub_epi8(v1, lo[k]);

            h0 = _mm256_or_si256(
                h0, _mm256_cmpeq_epi8(_mm256_min_epu8(t0, d[k]), t0));
            h1 = _mm256_or_si256(
                h1, _mm256_cmpeq_epi8(_mm256_min_epu8(t1, d[k]), t1));
        }
        out[(i - from) / 64] =
            (uint64_t)(uint32_t)_mm256_movemask_epi8(h0) |
            ((uint64_t)(uint32_t)_mm256_movemask_epi8(h1) << 32);
    }
    return i;
}
#endif

static bool in_ranges(unsigned char c, const struct bytescan_ranges *r)
{
    size_t k;

    for (k = 0; k < r->n; k++) {
        if (c >= r->lo[k] && c <= r->hi[k]) {
            return true;
        }
    }
    return false;
}

void bytescan_masks(const unsigned char *s, size_t from, size_t to,
                    const struct bytescan_ranges *r, uint64_t *out)
{
    size_t i = from;

#ifdef BYTESCAN_AVX2
    if (have_avx2()) {
        i = masks_avx2(s, from, to, r, out);
    }
#endif
    for (; i < to; i++) {
        size_t w = (i - from) / 64;

        if ((i - from) % 64 == 0) {
            out[w] = 0;
        }
        out[w] |= (uint64_t)in_ranges(s[i], r) << ((i - from) % 64);
    }
}
