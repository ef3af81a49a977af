/*
 * tokens.c - scans for the token kinds of the prefilter: numbers, hex
 * runs joined by separators, long runs of word characters. Bit masks of
 * units and joiners (bytescan.c) pick the few stretches that can hold a
 * token that counts enough; only those are read byte by byte. A token
 * reaching the end of the window is open: it may still grow.
 */
#include "tokens.h"

#include <string.h>

#include "core.h"

void tokens_digit_kind(struct pf_kind *k, const char *hex_joiners)
{
    static const char hexd[] = "0123456789abcdefABCDEF";
    const char *jn = hex_joiners ? hex_joiners : " .-/()+";
    const char *j;

    memset(k, 0, sizeof(*k));
    memset(k->jidx, -1, sizeof(k->jidx));
    for (j = jn; *j != '\0' && k->n_joiners < BYTESCAN_MAX_SET; j++) {
        k->cls[(unsigned char)*j] = 2;
        if (hex_joiners != NULL) {
            k->jidx[(unsigned char)*j] = (int8_t)k->n_joiners;
            k->joiners[k->n_joiners++] = (unsigned char)*j;
        }
    }
    for (j = hexd; *j != '\0'; j++) {
        if (hex_joiners != NULL || (*j >= '0' && *j <= '9')) {
            k->cls[(unsigned char)*j] = 1;
        }
    }
    k->max_gap = 3;
    k->count_joiners = hex_joiners != NULL;
}

/* Word tokens: letters, digits, '_' and '-' joined by single joiners. */
void tokens_word_kind(struct pf_kind *k, const char *joiners)
{
    unsigned c;

    memset(k, 0, sizeof(*k));
    memset(k->jidx, -1, sizeof(k->jidx));

    for (c = 0; c < 256; c++) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '_' || c == '-') {
            k->cls[c] = 1;
        }
    }
    for (; *joiners != '\0'; joiners++) {
        k->cls[(unsigned char)*joiners] = 2;
    }
    k->max_gap = 1;
    k->word = true;
}

static int push_token(struct pf_tokvec *tv, const struct pf_token *t,
                      struct bb_err *err)
{
    if (tv->n == tv->cap) {
        size_t cap = tv->cap ? tv->cap * 2 : 256;
        struct pf_token *v = bb_realloc(tv->v, cap * sizeof(*v));

        if (v == NULL) {
            return bb_seterr(err, BB_ENOMEM, "out of memory");
        }
        tv->v = v;
        tv->cap = cap;
    }
    tv->v[tv->n++] = *t;
    return 0;
}

static void count_join(struct pf_token *t, const struct pf_kind *k,
                       unsigned char c)
{
    int x = k->jidx[c];

    if (x >= 0 && t->jc[x] < 255) {
        t->jc[x]++;
    }
}

/* What a token counts: digits, or joiners of any hex rule. */
static size_t token_weight(const struct pf_token *t, const struct pf_kind *k)
{
    size_t n = 0;
    size_t b;

    if (!k->count_joiners) {
        return t->count;
    }
    for (b = 0; b < k->n_joiners; b++) {
        n += t->jc[b];
    }
    return n;
}

/* Does token t count enough for some rule of its kind? */
static bool enough(const struct pf_token *t, const struct pf_kind *k,
                   size_t min, const struct tokens_need *need)
{
    size_t j;
    size_t b;

    if (!k->count_joiners || need == NULL || need->n == 0) {
        return token_weight(t, k) >= min;
    }
    for (j = 0; j < need->n; j++) {
        size_t n = 0;

        for (b = 0; b < k->n_joiners; b++) {
            n += (need->mask[j] >> b) & 1u ? t->jc[b] : 0;
        }
        if (n >= need->min[j]) {
            return true;
        }
    }
    return false;
}

/* Count the joiner bytes right before s[i] (dir < 0) or after it
 * (dir > 0), at most max_gap of them, within [from, to). */
static void edge_joins(struct pf_token *t, const struct pf_kind *k,
                       const unsigned char *s, size_t i, int dir,
                       size_t from, size_t to)
{
    size_t n = 0;

    while (n < k->max_gap) {
        size_t j = dir < 0 ? i - n - 1 : i + n + 1;

        if ((dir < 0 && i < from + n + 1) || (dir > 0 && j >= to) ||
            k->cls[s[j]] != 2) {
            break;
        }
        count_join(t, k, s[j]);
        n++;
    }
}

/* Tokens within s[a, b), a stretch of unit and joiner bytes: maximal
 * runs of units in which consecutive units are at most max_gap joiner
 * bytes apart. A hex token also counts the joiners just around it
 * ("::1", "fe80::"). A token reaching `to` may still grow: it is open. */
static int tokens_in(struct pf_tokvec *tv, const struct pf_kind *k,
                     size_t min, const struct tokens_need *need,
                     const unsigned char *s, size_t a, size_t b,
                     size_t from, size_t to, struct bb_err *err)
{
    const uint8_t *cls = k->cls;
    struct pf_token t;
    size_t i = a;
    size_t last;
    size_t x;
    int rc;

    while (i < b) {
        while (i < b && cls[s[i]] != 1) {
            i++;
        }
        if (i == b) {
            break;
        }
        memset(&t, 0, sizeof(t));
        t.s = i;
        t.count = 1;
        last = i++;
        while (i < b && cls[s[i]] != 0 && i - last <= k->max_gap + 1) {
            if (cls[s[i]] == 1) {
                for (x = last + 1; k->count_joiners && x < i; x++) {
                    count_join(&t, k, s[x]);
                }
                last = i;
                t.count++;
            }
            i++;
        }
        if (k->count_joiners) {
            edge_joins(&t, k, s, t.s, -1, from, to);
            edge_joins(&t, k, s, last, 1, from, to);
        }
        t.e = last + 1;
        t.open = i == to;
        rc = (t.open || enough(&t, k, min, need)) ? push_token(tv, &t, err)
                                                   : 0;
        if (rc < 0) {
            return rc;
        }
        i = last + 1;
    }
    return 0;
}

/* The bytes of class v (1 units, 2 joiners) of kind k as ranges. */
static void class_ranges(struct bytescan_ranges *r, const struct pf_kind *k,
                         uint8_t v)
{
    unsigned c = 0;

    r->n = 0;
    while (c < 256) {
        unsigned e;

        if (k->cls[c] != v) {
            c++;
            continue;
        }
        for (e = c; e + 1 < 256 && k->cls[e + 1] == v; e++) {
        }
        if (r->n == BYTESCAN_MAX_RANGES) {
            r->n++; /* too many: the caller notices */
            return;
        }
        r->lo[r->n] = (unsigned char)c;
        r->hi[r->n] = (unsigned char)e;
        r->n++;
        c = e + 1;
    }
}

/* Mask arrays hold a zero word before and after the window's words
 * (1..nw), so neighbours can be read without bounds checks. */

static uint64_t bits_at(const uint64_t *m, size_t w, int d)
{
    return bytescan_bits_at(m, w, d);
}

/* t = units plus the joiner bytes of gaps of at most g (<= 8) joiners
 * between two units: a token's bytes, from its first unit to its last.
 * A joiner is in such a gap when a unit lies a bytes before it and b
 * bytes after it, joiners between, and a + b - 1 <= g. */
static void token_bytes(uint64_t *t, const uint64_t *u, const uint64_t *j,
                        size_t nw, int g)
{
    uint64_t before[9]; /* before[a]: unit a bytes back, joiners between */
    uint64_t after[9];  /* after[b]: unit within b bytes on, joiners between */
    size_t w;
    int d;

    for (w = 1; w <= nw; w++) {
        uint64_t jb = ~(uint64_t)0;
        uint64_t ja = ~(uint64_t)0;
        uint64_t bridge = 0;

        if ((u[w - 1] | u[w] | u[w + 1]) == 0 || j[w] == 0) {
            t[w] = u[w];
            continue;
        }
        after[0] = 0;
        for (d = 1; d <= g; d++) {
            before[d] = jb & bits_at(u, w, -d);
            jb &= bits_at(j, w, -d);
            after[d] = after[d - 1] | (ja & bits_at(u, w, d));
            ja &= bits_at(j, w, d);
        }
        for (d = 1; d <= g; d++) {
            bridge |= before[d] & after[g + 1 - d];
        }
        t[w] = u[w] | (bridge & j[w]);
    }
}

/* In place: bit p stays set when bits p .. p + len - 1 are all set
 * (1 <= len <= 64). Ascending order keeps every word read unchanged. */
static void runs_of(uint64_t *x, size_t nw, size_t len)
{
    size_t have = 1;
    size_t w;

    while (have * 2 <= len && have < 64) {
        for (w = 1; w <= nw; w++) {
            x[w] &= bits_at(x, w, (int)have);
        }
        have *= 2;
    }
    if (have < len) {
        for (w = 1; w <= nw; w++) {
            x[w] &= bits_at(x, w, (int)(len - have));
        }
    }
}

/* Joiners q whose nearest non-unit byte before them is a joiner too:
 * two joiners with only units (or nothing) between them. Every hex
 * token that counts 2 or more joiners holds such a pair. */
static void joiner_pairs(uint64_t *x, const uint64_t *u, const uint64_t *j,
                         size_t nw)
{
    uint64_t carry = 0;
    size_t w;

    for (w = 1; w <= nw; w++) {
        uint64_t after_j = bits_at(j, w, -1);
        uint64_t starts = after_j & u[w]; /* unit runs right after a joiner */
        uint64_t sum = u[w] + starts;
        uint64_t c1 = sum < u[w];
        uint64_t sum2 = sum + carry;

        carry = c1 | (sum2 < sum);
        /* the carry lands on the byte after each such run */
        x[w] = (sum2 & ~u[w] & j[w]) | (after_j & j[w]);
    }
}

/* Tokens of the stretch (unit and joiner bytes) around p, within [lo, to). */
static int stretch_at(struct pf_tokvec *tv, const struct pf_kind *k,
                      size_t min, const struct tokens_need *need,
                      const unsigned char *s, size_t p,
                      size_t lo, size_t from, size_t to, size_t *end,
                      struct bb_err *err)
{
    size_t a = p;
    size_t b = p;

    while (a > lo && k->cls[s[a - 1]] != 0) {
        a--;
    }
    while (b < to && k->cls[s[b]] != 0) {
        b++;
    }
    *end = b;
    return tokens_in(tv, k, min, need, s, a, b, from, to, err);
}

/* The run of set bits of t around bit q (set): its start and end. */
static size_t run_start(const uint64_t *t, size_t q)
{
    size_t w = q / 64 + 1;
    unsigned b = q % 64;
    uint64_t z = b ? ~t[w] & (((uint64_t)1 << b) - 1) : 0; /* below q */

    while (z == 0) {
        if (w == 1) {
            return 0;
        }
        z = ~t[--w];
    }
    return (w - 1) * 64 + (size_t)(64 - __builtin_clzll(z));
}

static size_t run_end(const uint64_t *t, size_t q)
{
    size_t w = q / 64 + 1;
    uint64_t z = ~t[w] & (~(uint64_t)0 << (q % 64));

    while (z == 0) {
        z = ~t[++w]; /* the zero word after the window stops this */
    }
    return (w - 1) * 64 + (size_t)__builtin_ctzll(z);
}

/* Set bits of m in [a, b). */
static size_t count_bits(const uint64_t *m, size_t a, size_t b)
{
    size_t n = 0;

    while (a < b) {
        size_t w = a / 64 + 1;
        unsigned lo = a % 64;
        size_t span = 64 - lo < b - a ? 64 - lo : b - a;
        uint64_t keep = span == 64 ? ~(uint64_t)0
                                   : (((uint64_t)1 << span) - 1) << lo;

        n += (size_t)__builtin_popcountll(m[w] & keep);
        a += span;
    }
    return n;
}

/* The token of bytes [ts, te) (window-relative): kept when it counts
 * min units, or when it may still grow: only up to max_gap joiners lie
 * between its end and the window's end. */
static int unit_token(struct pf_tokvec *tv, const struct pf_kind *k,
                      size_t min, const unsigned char *s, const uint64_t *u,
                      size_t from, size_t to, size_t ts, size_t te,
                      struct bb_err *err)
{
    struct pf_token t;
    size_t q;

    memset(&t, 0, sizeof(t));
    t.s = from + ts;
    t.e = from + te;
    t.count = count_bits(u, ts, te);
    t.open = to - t.e <= k->max_gap;
    for (q = t.e; t.open && q < to; q++) {
        t.open = k->cls[s[q]] == 2;
    }
    return t.count >= min || t.open ? push_token(tv, &t, err) : 0;
}

/* Kinds that count units (numbers, words): a token is exactly a run of
 * token bytes (units and the joiners bridging them), so tokens come
 * straight from the masks: the runs long enough to count min, and the
 * last run when it reaches the end of the window. */
static int scan_units(struct pf_tokvec *tv, const struct pf_kind *k,
                      size_t min, const unsigned char *s, size_t from,
                      size_t to, const uint64_t *u, const uint64_t *t,
                      uint64_t *x, size_t nw, struct bb_err *err)
{
    size_t done = 0; /* window-relative: runs before this are filed */
    size_t w;
    int rc = 0;

    memcpy(x, t, (nw + 2) * sizeof(*x));
    runs_of(x, nw, min);
    for (w = 1; rc == 0 && w <= nw; w++) {
        uint64_t m = x[w];

        while (rc == 0 && m != 0) {
            size_t q = 64 * (w - 1) + (size_t)__builtin_ctzll(m);

            m &= m - 1;
            if (q >= done) {
                size_t ts = run_start(t, q);

                done = run_end(t, q);
                rc = unit_token(tv, k, min, s, u, from, to, ts, done, err);
            }
        }
    }
    for (w = nw; rc == 0 && w >= 1; w--) {
        if (t[w] != 0) {
            size_t last = 64 * (w - 1) + (size_t)(63 - __builtin_clzll(t[w]));

            if (last >= done && to - (from + last + 1) <= k->max_gap) {
                /* kept only if open: a long one was filed above */
                rc = unit_token(tv, k, SIZE_MAX, s, u, from, to,
                                run_start(t, last), last + 1, err);
            }
            break;
        }
    }
    return rc;
}

/* Masks of units and joiners 64 bytes at a time; the stretches that may
 * hold a token counting min (a run of min token bytes for numbers and
 * words, a pair of joiners for hex) go to tokens_in(), and so does the
 * stretch at the end of the window, whose last token may be open. The
 * tokens are those of tokens_in() over every stretch. */
static int scan_masks(struct pf_tokvec *tv, const struct pf_kind *k,
                      size_t min, const struct tokens_need *need,
                      const unsigned char *s, size_t from,
                      size_t to, const struct bytescan_ranges *ur,
                      const struct bytescan_ranges *jr, struct bb_err *err)
{
    size_t nw = (to - from + 63) / 64;
    uint64_t *u;
    uint64_t *j;
    uint64_t *x;
    size_t done = from;
    size_t w;
    int rc = bb_grow((void **)&tv->m, &tv->mcap, 4 * (nw + 2),
                     sizeof(*tv->m), err);

    if (rc < 0) {
        return rc;
    }
    u = tv->m;
    j = u + nw + 2;
    x = j + nw + 2;
    u[0] = j[0] = x[0] = 0;
    u[nw + 1] = j[nw + 1] = x[nw + 1] = 0;
    bytescan_masks(s, from, to, ur, u + 1);
    if (jr->n > 0) {
        bytescan_masks(s, from, to, jr, j + 1);
    } else {
        memset(j + 1, 0, nw * sizeof(*j));
    }
    if (!k->count_joiners) {
        token_bytes(x, u, j, nw, (int)k->max_gap);
        return scan_units(tv, k, min, s, from, to, u, x, x + nw + 2, nw,
                          err);
    }
    joiner_pairs(x, u, j, nw);
    for (w = 1; rc == 0 && w <= nw; w++) {
        uint64_t m = x[w];

        while (rc == 0 && m != 0) {
            size_t p = from + 64 * (w - 1) + (size_t)__builtin_ctzll(m);

            m &= m - 1;
            if (p >= done) {
                rc = stretch_at(tv, k, min, need, s, p, done, from, to,
                                &done, err);
            }
        }
    }
    if (rc == 0 && to > done && k->cls[s[to - 1]] != 0) {
        rc = stretch_at(tv, k, min, need, s, to - 1, done, from, to, &done,
                        err);
    }
    return rc;
}

int tokens_scan_plain(struct pf_tokvec *tv, const struct pf_kind *k,
                      size_t min, const struct tokens_need *need,
                      const unsigned char *s, size_t from, size_t to,
                      struct bb_err *err)
{
    return to > from
               ? tokens_in(tv, k, min, need, s, from, to, from, to, err)
               : 0;
}

int tokens_scan(struct pf_tokvec *tv, const struct pf_kind *k, size_t min,
                const struct tokens_need *need, const unsigned char *s,
                size_t from, size_t to, struct bb_err *err)
{
    struct bytescan_ranges ur;
    struct bytescan_ranges jr;

    class_ranges(&ur, k, 1);
    class_ranges(&jr, k, 2);
    if (to <= from) {
        return 0;
    }
    if (ur.n > BYTESCAN_MAX_RANGES || jr.n > BYTESCAN_MAX_RANGES ||
        min == 0 || min > 64 || k->max_gap > 8 ||
        (k->count_joiners && min < 2)) {
        /* Not for the masks: every stretch goes to tokens_in(). */
        return tokens_in(tv, k, min, need, s, from, to, from, to, err);
    }
    return scan_masks(tv, k, min, need, s, from, to, &ur, &jr, err);
}
