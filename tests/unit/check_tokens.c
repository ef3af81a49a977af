/*
 * check_tokens.c - unit tests for the tokens module: the bit-mask scan
 * (tokens_scan) must give exactly the tokens of the byte-by-byte
 * reference (tokens_scan_plain) for every kind, min and window, on
 * generated text dense in digits, hex, joiners and word runs; plus a
 * table of small cases with known tokens.
 */
#include "tokens.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct kind_case {
    const char *name;
    int type; /* 0 numeric, 1 hex, 2 word */
    const char *joiners;
};

static const struct kind_case kinds[] = {
    { "numeric", 0, NULL },
    { "hex :", 1, ":" },
    { "hex ./:-", 1, "./:-" },
    { "word", 2, "" },
    { "word .", 2, "." },
};

static void make_kind(struct pf_kind *k, const struct kind_case *kc)
{
    if (kc->type == 2) {
        tokens_word_kind(k, kc->joiners);
    } else {
        tokens_digit_kind(k, kc->type == 1 ? kc->joiners : NULL);
    }
}

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng_state >> 33) % n);
}

/* Text in runs: digits, hex, letters, joiners, spaces, other bytes. */
static void gen(unsigned char *s, size_t n)
{
    static const char *const alpha[] = {
        "0123456789", "0123456789abcdefABCDEF", "ghijklmnopqrstuvwxyzGXZ_-",
        " .-/()+:", " ", "#,;!\n\x80\xff", "......",
    };
    size_t i = 0;

    while (i < n) {
        const char *a = alpha[rnd(ARRAY_LEN(alpha))];
        size_t al = strlen(a);
        size_t run = 1 + rnd(rnd(4) == 0 ? 70 : 6);

        while (run-- > 0 && i < n) {
            s[i++] = (unsigned char)a[rnd((unsigned)al)];
        }
    }
}

static void expect_same(const struct pf_tokvec *a, const struct pf_tokvec *b,
                        const char *what)
{
    size_t i;

    ck_assert_msg(a->n == b->n, "%s: %zu tokens, reference %zu", what, a->n,
                  b->n);
    for (i = 0; i < a->n; i++) {
        ck_assert_msg(a->v[i].s == b->v[i].s && a->v[i].e == b->v[i].e &&
                      a->v[i].count == b->v[i].count &&
                      a->v[i].open == b->v[i].open &&
                      memcmp(a->v[i].jc, b->v[i].jc, sizeof(a->v[i].jc)) ==
                          0,
                      "%s: token %zu is [%zu,%zu) count %zu open %d, "
                      "reference [%zu,%zu) count %zu open %d",
                      what, i, a->v[i].s, a->v[i].e, a->v[i].count,
                      a->v[i].open, b->v[i].s, b->v[i].e, b->v[i].count,
                      b->v[i].open);
    }
}

static void vec_free(struct pf_tokvec *v)
{
    free(v->v);
    free(v->m);
    memset(v, 0, sizeof(*v));
}

START_TEST(test_fast_equals_plain)
{
    const struct kind_case *kc = &kinds[_i];
    static const size_t mins[] = { 1, 2, 3, 5, 6, 9, 16, 26, 42, 56, 64 };
    enum { N = 20000 };
    unsigned char *s = malloc(N);
    struct pf_kind k;
    size_t round;

    ck_assert_ptr_nonnull(s);
    make_kind(&k, kc);
    rng_state = 12345u + (uint64_t)_i;
    for (round = 0; round < 60; round++) {
        size_t min = mins[round % ARRAY_LEN(mins)];
        size_t from = rnd(200);
        size_t to = from + rnd(N - from);
        struct pf_tokvec fast = { 0 };
        struct pf_tokvec plain = { 0 };
        struct bb_err err = { 0, "" };
        char what[96];
        /* a hex kind's rules: 2 of the first joiner, or 3 of the rest */
        struct tokens_need nd = { { 1, 0xFE }, { 2, 3 }, 2 };
        const struct tokens_need *need = kc->type == 1 && round % 2 ? &nd
                                                                  : NULL;

        if (kc->type == 2 && min < 16) {
            min += 16;
        }
        gen(s, N);
        snprintf(what, sizeof(what), "%s min %zu window [%zu,%zu)",
                 kc->name, min, from, to);
        ck_assert_int_eq(tokens_scan(&fast, &k, min, need, s, from, to,
                                     &err), 0);
        ck_assert_int_eq(tokens_scan_plain(&plain, &k, min, need, s, from,
                                           to, &err), 0);
        expect_same(&fast, &plain, what);
        vec_free(&fast);
        vec_free(&plain);
    }
    free(s);
}
END_TEST

struct small {
    int kind; /* index into kinds */
    size_t min;
    const char *in;
    const char *want; /* "s-e:count[o]" per token, space separated */
};

static const struct small smalls[] = {
    /* numbers: digits joined by up to 3 of " .-/()+", min digits */
    { 0, 6, "call 555-123-4567 now", "5-17:10" },
    { 0, 6, "year 2024 and 12", "14-16:2o" }, /* open at the end */
    { 0, 4, "a 12 34 b", "2-7:4" },
    { 0, 4, "a 12    34 b", "" },
    { 0, 2, "x 99", "2-4:2o" },
    /* hex with ':' counted (count is units; the joiners around count
     * too): IPv6 and times */
    { 1, 2, "ip ::1 and fe80::1:2 x", "5-6:1 11-20:6" },
    { 1, 2, "at 12:30 ok", "" },
    { 1, 2, "at 12:30:45 ok", "3-11:6" },
    /* words: long runs of letters and digits */
    { 3, 16, "k AbCdEfGhIjKlMnOpQr z", "2-20:18 21-22:1o" },
    { 3, 16, "short words only here.", "" },
    { 4, 20, "tok abcdefghij.klmnopqrst end!", "4-25:20" },
};

static void render(char *out, size_t cap, const struct pf_tokvec *v)
{
    size_t i;
    size_t o = 0;

    out[0] = '\0';
    for (i = 0; i < v->n && o < cap; i++) {
        o += (size_t)snprintf(out + o, cap - o, "%s%zu-%zu:%zu%s",
                              i ? " " : "", v->v[i].s, v->v[i].e,
                              v->v[i].count, v->v[i].open ? "o" : "");
    }
}

START_TEST(test_small)
{
    const struct small *c = &smalls[_i];
    const unsigned char *s = (const unsigned char *)c->in;
    struct pf_kind k;
    struct pf_tokvec v = { 0 };
    struct bb_err err = { 0, "" };
    char got[256];

    make_kind(&k, &kinds[c->kind]);
    ck_assert_int_eq(tokens_scan(&v, &k, c->min, NULL, s, 0, strlen(c->in),
                                 &err), 0);
    render(got, sizeof(got), &v);
    ck_assert_msg(strcmp(got, c->want) == 0, "\"%s\" (%s, min %zu): got "
                  "\"%s\", want \"%s\"", c->in, kinds[c->kind].name, c->min,
                  got, c->want);
    vec_free(&v);
}
END_TEST

static Suite *tokens_suite(void)
{
    Suite *s = suite_create("tokens");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_fast_equals_plain, 0, (int)ARRAY_LEN(kinds));
    tcase_add_loop_test(tc, test_small, 0, (int)ARRAY_LEN(smalls));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tokens_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
