/*
 * check_restore.c - unit tests for the vault and the restorer through
 * the public API: restore(scrub(x)) == x for text and JSON, with whole,
 * 1-byte and random pieces on both sides; placeholder-shaped text in the
 * input comes back as it was; unknown placeholders stay and are counted;
 * restored values are JSON-escaped in JSON; bad vault lines fail.
 */
#include "blackbar.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "outbuf.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char pack[] =
    "{\"pack\":\"r\",\"version\":1,\"description\":\"restore tests\","
    "\"rules\":[{\"id\":\"email\",\"type\":\"EMAIL\",\"description\":\"d\","
    "\"pattern\":\"[a-z0-9._]{1,32}@[a-z0-9-]{1,32}(?:[.][a-z]{2,8}){1,3}\","
    "\"keywords\":[\"@\"],\"max_len\":128,"
    "\"examples\":{\"match\":[\"a@b.cd\"],\"nomatch\":[\"a@b\"]}},"
    "{\"id\":\"quote\",\"type\":\"QUOTE\",\"description\":\"d\","
    "\"pattern\":\"Q\\\"[a-z]{3}\\\\\\\\\",\"keywords\":[\"q\\\"\"],"
    "\"max_len\":6,\"examples\":{\"match\":[\"Q\\\"abc\\\\\\\\\"],"
    "\"nomatch\":[\"Q\\\"ab\"]}}]}";

static size_t piece(int mode, uint64_t *seed, size_t left)
{
    size_t k;

    if (mode == 0) {
        return left;
    }
    if (mode == 1) {
        return 1;
    }
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    k = 1 + (size_t)((*seed >> 33) % 23);
    return k > left ? left : k;
}

/* scrub x (format f) into s, filling v; then restore s into back. */
static void round_trip(const char *x, enum bb_format f, int mode,
                       struct out *s, struct out *back, uint64_t *unknown)
{
    struct bb_ruleset *rs = NULL;
    struct bb_redactor *rd = NULL;
    struct bb_vault *v = NULL;
    struct bb_restorer *r = NULL;
    struct bb_err err = { 0, "" };
    uint64_t seed = (uint64_t)mode + 7;
    size_t n = strlen(x);
    size_t i;

    memset(s, 0, sizeof(*s));
    memset(back, 0, sizeof(*back));
    out_write("", 0, s);
    out_write("", 0, back);
    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_msg(bb_ruleset_add_pack(rs, "r.json", pack, strlen(pack),
                                      &err) == 0, "%s", err.msg);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_vault_new(&v, &err), 0);
    bb_redactor_on_placeholder(rd, to_vault, v);
    if (f == BB_FORMAT_TEXT) {
        struct bb_scrubber *sc = NULL;

        ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, out_write, s, &err),
                         0);
        for (i = 0; i < n;) {
            size_t k = piece(mode, &seed, n - i);

            ck_assert_int_eq(bb_scrubber_feed(sc, x + i, k, &err), 0);
            i += k;
        }
        ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
        bb_scrubber_free(sc);
    } else {
        struct bb_json_scrubber *js = NULL;

        ck_assert_int_eq(bb_json_scrubber_new(&js, rs, rd,
                                              f == BB_FORMAT_JSONL,
                                              out_write, s, &err), 0);
        for (i = 0; i < n;) {
            size_t k = piece(mode, &seed, n - i);

            ck_assert_int_eq(bb_json_scrubber_feed(js, x + i, k, &err), 0);
            i += k;
        }
        ck_assert_msg(bb_json_scrubber_finish(js, &err) == 0, "%s",
                      err.msg);
        bb_json_scrubber_free(js);
    }
    ck_assert_int_eq(bb_restorer_new(&r, v, f, out_write, back, &err), 0);
    for (i = 0; i < s->n;) {
        size_t k = piece(mode, &seed, s->n - i);

        ck_assert_int_eq(bb_restorer_feed(r, s->p + i, k, &err), 0);
        i += k;
    }
    ck_assert_msg(bb_restorer_finish(r, &err) == 0, "%s", err.msg);
    *unknown = bb_restorer_unknown(r);
    bb_restorer_free(r);
    bb_vault_free(v);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}

struct trip {
    enum bb_format f;
    const char *x;
};

static const struct trip trips[] = {
    { BB_FORMAT_TEXT, "mail a@x.example and b@y.example, again a@x.example" },
    { BB_FORMAT_TEXT, "forged <EMAIL_1> and <\\EMAIL_2> and <\\\\x> <b>" },
    { BB_FORMAT_TEXT, "a@x.example<EMAIL_1>a@x.example" },
    { BB_FORMAT_TEXT, "" },
    { BB_FORMAT_JSON, "{\"m\":\"a@x.example\",\"n\":[1,2e5,\"<EMAIL_1>\"]}" },
    { BB_FORMAT_JSON, "[\"say Q\\\"abc\\\\ and a@x.example\", -0.0]" },
    { BB_FORMAT_JSONL, "{\"a\":\"a@x.example\"}\n\n{\"b\":\"<\\\\Q>\"}\n" },
};

START_TEST(test_round_trip)
{
    const struct trip *t = &trips[_i];
    int mode;

    for (mode = 0; mode < 5; mode++) {
        struct out s;
        struct out back;
        uint64_t unknown = 0;

        round_trip(t->x, t->f, mode, &s, &back, &unknown);
        ck_assert_msg(strcmp(back.p, t->x) == 0,
                      "trip %d mode %d:\n   in %s\nscrub %s\n back %s", _i,
                      mode, t->x, s.p, back.p);
        ck_assert_msg(strchr(t->x, '@') == NULL ||
                      strstr(s.p, "a@x.example") == NULL,
                      "trip %d: a value went through: %s", _i, s.p);
        ck_assert_uint_eq(unknown, 0);
        free(s.p);
        free(back.p);
    }
}
END_TEST

static void restore_one(struct bb_vault *v, enum bb_format f, const char *in,
                        struct out *o, uint64_t *unknown)
{
    struct bb_restorer *r = NULL;
    struct bb_err err = { 0, "" };

    memset(o, 0, sizeof(*o));
    out_write("", 0, o);
    ck_assert_int_eq(bb_restorer_new(&r, v, f, out_write, o, &err), 0);
    ck_assert_int_eq(bb_restorer_feed(r, in, strlen(in), &err), 0);
    ck_assert_int_eq(bb_restorer_finish(r, &err), 0);
    *unknown = bb_restorer_unknown(r);
    bb_restorer_free(r);
}

START_TEST(test_unknown_and_escaping)
{
    static const char vault[] =
        "{\"placeholder\":\"<SECRET_1>\",\"value\":\"x\\\"y\\\\z\"}\n\n"
        "{\"placeholder\":\"<EMAIL_1>\",\"value\":\"a@x.example\"}\n";
    struct bb_vault *v = NULL;
    struct bb_err err = { 0, "" };
    struct out o;
    uint64_t unknown = 0;

    ck_assert_int_eq(bb_vault_new(&v, &err), 0);
    ck_assert_int_eq(bb_vault_load(v, vault, strlen(vault), &err), 0);
    restore_one(v, BB_FORMAT_TEXT, "<EMAIL_1> <EMAIL_9> <SECRET_1>", &o,
                &unknown);
    ck_assert_str_eq(o.p, "a@x.example <EMAIL_9> x\"y\\z");
    ck_assert_uint_eq(unknown, 1);
    free(o.p);
    /* in JSON the restored value is JSON-escaped */
    restore_one(v, BB_FORMAT_JSON, "[\"<SECRET_1>\",\"<EMAIL_1>\"]", &o,
                &unknown);
    ck_assert_str_eq(o.p, "[\"x\\\"y\\\\z\",\"a@x.example\"]");
    ck_assert_uint_eq(unknown, 0);
    free(o.p);
    bb_vault_free(v);
}
END_TEST

START_TEST(test_bad_vault)
{
    static const char *const bad[] = {
        "{\"placeholder\":\"<A_1>\"}\n",
        "not json\n",
        "{\"placeholder\":\"A_1\",\"value\":\"x\"}\n",
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(bad); i++) {
        struct bb_vault *v = NULL;
        struct bb_err err = { 0, "" };

        ck_assert_int_eq(bb_vault_new(&v, &err), 0);
        ck_assert_int_eq(bb_vault_load(v, bad[i], strlen(bad[i]), &err),
                         BB_EINPUT);
        bb_vault_free(v);
    }
}
END_TEST

static Suite *restore_suite(void)
{
    Suite *s = suite_create("restore");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_round_trip, 0, (int)ARRAY_LEN(trips));
    tcase_add_test(tc, test_unknown_and_escaping);
    tcase_add_test(tc, test_bad_vault);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(restore_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
