/*
 * gen.h - PRNG, growable byte buffers and encoders shared by the corpus
 * generator (bench/gencorpus). Benchmark tooling only, never linked into
 * blackbar; out of memory ends the program.
 */
#ifndef BB_GEN_H
#define BB_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define GEN_NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define GEN_PICK(r, a) ((a)[gen_below((r), GEN_NELEM(a))])

/* xoshiro256** state, seeded from one 64-bit seed with splitmix64. */
struct gen_rng {
    uint64_t s[4];
};

struct gen_buf {
    char *p;
    size_t len;
    size_t cap;
};

enum gen_time {
    GEN_TIME_ISO,    /* 2024-03-07T12:34:56.789Z */
    GEN_TIME_LOG4J,  /* 2024-03-07 12:34:56,789 */
    GEN_TIME_SYSLOG  /* Mar  7 12:34:56 */
};

/* Print "gencorpus: msg" to stderr and exit 2. */
_Noreturn void gen_die(const char *msg);

void gen_seed(struct gen_rng *r, uint64_t seed);

/* Grow b to hold extra more bytes; gen_reserve's slow path. */
void gen_grow(struct gen_buf *b, size_t extra);

/* The helpers below run for every word of the corpus, so they are inline
 * (the generator's speed target is 100 MB/s). */

static inline uint64_t gen_rnd(struct gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3] << 45 | s[3] >> 19;
    return out;
}

/* Uniform in [0, n) for 0 < n < 2^32, by multiply-shift rather than
 * modulo: the bias (< n / 2^32) does not matter for a corpus. */
static inline size_t gen_below(struct gen_rng *r, size_t n)
{
    return (size_t)(((gen_rnd(r) >> 32) * (uint64_t)n) >> 32);
}

/* Make room for extra more bytes (the buffer grows by doubling). */
static inline void gen_reserve(struct gen_buf *b, size_t extra)
{
    if (b->cap - b->len < extra) {
        gen_grow(b, extra);
    }
}

static inline void gen_put(struct gen_buf *b, const char *s, size_t n)
{
    if (n == 0) {
        return;
    }
    gen_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static inline void gen_put_s(struct gen_buf *b, const char *s)
{
    gen_put(b, s, strlen(s));
}

static inline void gen_put_c(struct gen_buf *b, char c)
{
    gen_reserve(b, 1);
    b->p[b->len++] = c;
}
/* Decimal, zero-padded to at least width digits. */
void gen_put_uint(struct gen_buf *b, uint64_t v, size_t width);
/* Hexadecimal, zero-padded to at least width digits (at most 8). */
void gen_put_hex(struct gen_buf *b, unsigned v, size_t width, bool upper);
/* n bytes drawn uniformly from the NUL-terminated alphabet alpha. */
void gen_put_rand(struct gen_buf *b, struct gen_rng *r, const char *alpha,
                  size_t n);
/* w with its first letter upper-cased. */
void gen_put_cap(struct gen_buf *b, const char *w);
/* RFC 4648 base64 of d: url ? base64url without padding : standard. */
void gen_put_b64(struct gen_buf *b, const unsigned char *d, size_t n,
                 bool url);
/* s as the body of a JSON string, escaped exactly like Python's
 * json.dumps(ensure_ascii=False): \" \\ \n \r \t, other controls \u00XX. */
void gen_put_json(struct gen_buf *b, const char *s, size_t n);

/* ms (milliseconds since the epoch, UTC) in the given layout. */
void gen_put_time(struct gen_buf *b, uint64_t ms, enum gen_time layout);

/* Parse N, NK, NM, NG (powers of 1024, also KiB, MiB, GiB) or NKB, NMB,
 * NGB (powers of 1000) into *out. Returns 0, or -1 on a bad size. */
int gen_parse_size(uint64_t *out, const char *s);

#endif
