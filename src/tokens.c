/*
 * tokens.c - scans for the token kinds of the prefilter: numbers jump
 * from digit to digit, hex tokens from joiner to joiner, word tokens
 * between 8-byte blocks of word characters (bytescan.c). A token
 * reaching the end of the window is open: it may still grow.
 */
#include "tokens.h"

#include <string.h>

#include "core.h"

/* Word tokens: letters, digits, '_' and '-' joined by single joiners. */
void tokens_word_kind(struct pf_kind *k, const char *joiners)
{
    unsigned c;

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
                     size_t min, const unsigned char *s, size_t a, size_t b,
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
        rc = (t.open || token_weight(&t, k) >= min) ? push_token(tv, &t, err)
                                                     : 0;
        if (rc < 0) {
            return rc;
        }
        i = last + 1;
    }
    return 0;
}

/* Numeric tokens start at a digit: jump from digit to digit. */
static int scan_numeric(struct pf_tokvec *tv, const struct pf_kind *k,
                        size_t min, const unsigned char *s, size_t from,
                        size_t to, struct bb_err *err)
{
    size_t i = from;
    int rc;

    while ((i = bytescan_digit(s, i, to)) < to) {
        size_t b = i;
        size_t units = 0;

        while (b < to && k->cls[s[b]] != 0) {
            units += k->cls[s[b]] & 1;
            b++;
        }
        /* Fewer digits in the whole stretch than min: no token of it
         * can count enough, unless it is still open. */
        rc = units >= min || b == to
                 ? tokens_in(tv, k, min, s, i, b, from, to, err)
                 : 0;
        if (rc < 0) {
            return rc;
        }
        i = b;
    }
    return 0;
}

/* Word tokens of a rule are long (min 16 units), so each holds a run of
 * 8 word bytes at a multiple of 8 from `from`: jump between such blocks
 * and take the stretch of unit and joiner bytes around each. */
static int scan_word(struct pf_tokvec *tv, const struct pf_kind *k,
                     size_t min, const unsigned char *s, size_t from,
                     size_t to, struct bb_err *err)
{
    size_t i = from;
    size_t done = from; /* the stretches before this are filed */
    size_t a;
    size_t b;
    int rc;

    while ((b = bytescan_word8(s, i, to)) < to) {
        for (a = b; a > done && k->cls[s[a - 1]] != 0; a--) {
        }
        while (b < to && k->cls[s[b]] != 0) {
            b++;
        }
        /* A stretch shorter than min holds fewer units than min. */
        rc = b - a >= min || b == to
                 ? tokens_in(tv, k, min, s, a, b, from, to, err)
                 : 0;
        if (rc < 0) {
            return rc;
        }
        done = b;
        i = from + ((b - from + 7) / 8) * 8;
    }
    for (a = to; a > done && k->cls[s[a - 1]] != 0; a--) {
    }
    return a < to ? tokens_in(tv, k, min, s, a, to, from, to, err) : 0;
}

/* Hex tokens only count when they hold joiners: jump from joiner to
 * joiner, and take the whole stretch of unit and joiner bytes around it.
 * A stretch at the very end may still grow, joiner or not. */
static int scan_hex(struct pf_tokvec *tv, const struct pf_kind *k,
                    size_t min, const unsigned char *s, size_t from,
                    size_t to, struct bb_err *err)
{
    size_t i = from;
    size_t a;
    size_t b;
    int rc;

    while ((b = bytescan_set(s, i, to, k->joiners, k->n_joiners)) < to) {
        size_t joins = 0;

        for (a = b; a > i && k->cls[s[a - 1]] != 0; a--) {
        }
        while (b < to && k->cls[s[b]] != 0) {
            joins += k->cls[s[b]] >> 1;
            b++;
        }
        /* A hex token counts only joiners of its stretch: with fewer
         * than min in all of it, none of its tokens is kept. */
        rc = joins >= min || b == to
                 ? tokens_in(tv, k, min, s, a, b, from, to, err)
                 : 0;
        if (rc < 0) {
            return rc;
        }
        i = b;
    }
    for (a = to; a > i && k->cls[s[a - 1]] != 0; a--) {
    }
    return a < to ? tokens_in(tv, k, min, s, a, to, from, to, err) : 0;
}

int tokens_scan(struct pf_tokvec *tv, const struct pf_kind *k, size_t min,
                const unsigned char *s, size_t from, size_t to,
                struct bb_err *err)
{
    if (k->word) {
        return scan_word(tv, k, min, s, from, to, err);
    }
    return k->count_joiners ? scan_hex(tv, k, min, s, from, to, err)
                            : scan_numeric(tv, k, min, s, from, to, err);
}
