/*
 * gen.c - PRNG (xoshiro256** seeded by splitmix64), growable byte buffers
 * and the encoders (decimal, hex, base64, JSON strings) the corpus
 * generator writes with. Knows nothing about items or record layout.
 */
#define _POSIX_C_SOURCE 200809L

#include "gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Noreturn void gen_die(const char *msg)
{
    fprintf(stderr, "gencorpus: %s\n", msg);
    exit(2);
}

void gen_seed(struct gen_rng *r, uint64_t seed)
{
    size_t i;

    for (i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        r->s[i] = z ^ (z >> 31);
    }
}

void gen_grow(struct gen_buf *b, size_t extra)
{
    size_t cap = b->cap ? b->cap : 4096;
    char *p;

    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2) {
            gen_die("out of memory");
        }
        cap *= 2;
    }
    p = realloc(b->p, cap);
    if (p == NULL) {
        gen_die("out of memory");
    }
    b->p = p;
    b->cap = cap;
}

void gen_put_uint(struct gen_buf *b, uint64_t v, size_t width)
{
    char d[24];
    size_t n = 0;

    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n < width && n < sizeof(d)) {
        d[n++] = '0';
    }
    gen_reserve(b, n);
    while (n > 0) {
        b->p[b->len++] = d[--n];
    }
}

void gen_put_hex(struct gen_buf *b, unsigned v, size_t width, bool upper)
{
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char d[8];
    size_t n = 0;

    do {
        d[n++] = hex[v & 15];
        v >>= 4;
    } while (v > 0 && n < sizeof(d));
    while (n < width && n < sizeof(d)) {
        d[n++] = '0';
    }
    gen_reserve(b, n);
    while (n > 0) {
        b->p[b->len++] = d[--n];
    }
}

void gen_put_rand(struct gen_buf *b, struct gen_rng *r, const char *alpha,
                  size_t n)
{
    size_t m = strlen(alpha);

    gen_reserve(b, n);
    while (n-- > 0) {
        b->p[b->len++] = alpha[gen_below(r, m)];
    }
}

void gen_put_cap(struct gen_buf *b, const char *w)
{
    size_t at = b->len;

    gen_put_s(b, w);
    if (b->len > at && b->p[at] >= 'a' && b->p[at] <= 'z') {
        b->p[at] = (char)(b->p[at] - 'a' + 'A');
    }
}

void gen_put_b64(struct gen_buf *b, const unsigned char *d, size_t n,
                 bool url)
{
    const char *a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789-_"
                        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                          "0123456789+/";
    size_t i;
    uint32_t v;

    gen_reserve(b, (n + 2) / 3 * 4);
    for (i = 0; i + 2 < n; i += 3) {
        v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];
        b->p[b->len++] = a[v >> 18];
        b->p[b->len++] = a[(v >> 12) & 63];
        b->p[b->len++] = a[(v >> 6) & 63];
        b->p[b->len++] = a[v & 63];
    }
    if (i == n) {
        return;
    }
    v = (uint32_t)d[i] << 16;
    if (i + 1 < n) {
        v |= (uint32_t)d[i + 1] << 8;
    }
    b->p[b->len++] = a[v >> 18];
    b->p[b->len++] = a[(v >> 12) & 63];
    if (i + 1 < n) {
        b->p[b->len++] = a[(v >> 6) & 63];
    }
    if (!url) {
        gen_put_s(b, i + 1 < n ? "=" : "==");
    }
}

/* True when none of the 8 bytes of w needs escaping: no byte below 0x20,
 * no '"', no '\\' (the bit tricks from "Bit Twiddling Hacks", exact for
 * "is there any such byte"). Content is mostly plain text, so this lets
 * gen_put_json copy 8 bytes per step. */
static bool is_plain8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t high = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"');
    uint64_t bs = w ^ (ones * '\\');
    uint64_t hit = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
                   ((bs - ones) & ~bs);

    return (hit & high) == 0;
}

static char *escape_byte(char *o, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";

    if (c >= 0x20 && c != '"' && c != '\\') {
        *o++ = (char)c;
        return o;
    }
    *o++ = '\\';
    if (c == '"' || c == '\\') {
        *o++ = (char)c;
    } else if (c == '\n' || c == '\r' || c == '\t' || c == '\b' ||
               c == '\f') {
        *o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't'
             : c == '\b' ? 'b' : 'f';
    } else {
        memcpy(o, "u00", 3);
        o[3] = hex[c >> 4];
        o[4] = hex[c & 15];
        o += 5;
    }
    return o;
}

void gen_put_json(struct gen_buf *b, const char *s, size_t n)
{
    char *o;
    size_t i = 0;

    if (n == 0) {
        return;
    }
    if (n > SIZE_MAX / 6) {
        gen_die("out of memory");
    }
    gen_reserve(b, 6 * n);
    o = b->p + b->len;
    while (i < n) {
        uint64_t w;

        if (i + 8 <= n) {
            memcpy(&w, s + i, 8);
            if (is_plain8(w)) {
                memcpy(o, s + i, 8);
                o += 8;
                i += 8;
                continue;
            }
        }
        o = escape_byte(o, (unsigned char)s[i++]);
    }
    b->len = (size_t)(o - b->p);
}

void gen_put_time(struct gen_buf *b, uint64_t ms, enum gen_time layout)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
                                      "May", "Jun", "Jul", "Aug",
                                      "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    if (layout == GEN_TIME_SYSLOG) {
        gen_put_s(b, mon[tm.tm_mon]);
        gen_put_s(b, tm.tm_mday < 10 ? "  " : " ");
        gen_put_uint(b, (uint64_t)tm.tm_mday, 0);
    } else {
        gen_put_uint(b, (uint64_t)tm.tm_year + 1900, 4);
        gen_put_c(b, '-');
        gen_put_uint(b, (uint64_t)tm.tm_mon + 1, 2);
        gen_put_c(b, '-');
        gen_put_uint(b, (uint64_t)tm.tm_mday, 2);
    }
    gen_put_c(b, layout == GEN_TIME_ISO ? 'T' : ' ');
    gen_put_uint(b, (uint64_t)tm.tm_hour, 2);
    gen_put_c(b, ':');
    gen_put_uint(b, (uint64_t)tm.tm_min, 2);
    gen_put_c(b, ':');
    gen_put_uint(b, (uint64_t)tm.tm_sec, 2);
    if (layout != GEN_TIME_SYSLOG) {
        gen_put_c(b, layout == GEN_TIME_ISO ? '.' : ',');
        gen_put_uint(b, ms % 1000, 3);
        gen_put_s(b, layout == GEN_TIME_ISO ? "Z" : "");
    }
}

int gen_parse_size(uint64_t *out, const char *s)
{
    char *end;
    uint64_t v;
    uint64_t mult = 1;
    unsigned power;
    bool decimal;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (end == s || errno != 0 || *s < '0' || *s > '9') {
        return -1;
    }
    switch (*end) {
    case '\0':
        *out = v;
        return 0;
    case 'K':
    case 'k':
        power = 1;
        break;
    case 'M':
    case 'm':
        power = 2;
        break;
    case 'G':
    case 'g':
        power = 3;
        break;
    default:
        return -1;
    }
    decimal = strcmp(end + 1, "B") == 0;
    if (end[1] != '\0' && !decimal && strcmp(end + 1, "iB") != 0) {
        return -1;
    }
    while (power-- > 0) {
        mult *= decimal ? 1000 : 1024;
    }
    if (v > UINT64_MAX / mult) {
        return -1;
    }
    *out = v * mult;
    return 0;
}
