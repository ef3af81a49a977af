/*
 * check_moderate.c - unit tests for the moderator through the public
 * API: weights add up per category, each rule once per response; a
 * negative weight takes back; thresholds and overrides; reset; remote
 * scores with and without thresholds; bad arguments.
 */
#include "blackbar.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

static const char pack[] =
    "{\"pack\":\"m\",\"version\":1,\"description\":\"moderator tests\","
    "\"rules\":["
    "{\"id\":\"half-a\",\"type\":\"T\",\"description\":\"d\","
    "\"pattern\":\"alpha\",\"keywords\":[\"alpha\"],\"max_len\":8,"
    "\"category\":\"violence\",\"weight\":0.5,\"action\":\"block\","
    "\"examples\":{\"match\":[\"alpha\"],\"nomatch\":[\"x\"]}},"
    "{\"id\":\"half-b\",\"type\":\"T\",\"description\":\"d\","
    "\"pattern\":\"beta\",\"keywords\":[\"beta\"],\"max_len\":8,"
    "\"category\":\"violence\",\"weight\":0.5,\"action\":\"block\","
    "\"examples\":{\"match\":[\"beta\"],\"nomatch\":[\"x\"]}},"
    "{\"id\":\"counter\",\"type\":\"T\",\"description\":\"d\","
    "\"pattern\":\"gamma\",\"keywords\":[\"gamma\"],\"max_len\":8,"
    "\"category\":\"violence\",\"weight\":-0.5,\"action\":\"flag\","
    "\"examples\":{\"match\":[\"gamma\"],\"nomatch\":[\"x\"]}},"
    "{\"id\":\"flagger\",\"type\":\"T\",\"description\":\"d\","
    "\"pattern\":\"delta\",\"keywords\":[\"delta\"],\"max_len\":8,"
    "\"category\":\"hate\",\"weight\":1,\"action\":\"flag\","
    "\"examples\":{\"match\":[\"delta\"],\"nomatch\":[\"x\"]}}]}";

static struct bb_ruleset *rs;

static void setup(void)
{
    struct bb_err err = { 0, "" };

    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_msg(bb_ruleset_add_pack(rs, "m.json", pack, strlen(pack),
                                      &err) == 0, "%s", err.msg);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
}

static void teardown(void)
{
    bb_ruleset_free(rs);
}

static void see(struct bb_moderator *m, const char *id)
{
    struct bb_finding f;
    long i = bb_ruleset_find(rs, id);

    ck_assert_int_ge(i, 0);
    memset(&f, 0, sizeof(f));
    f.rule = (size_t)i;
    f.length = 1;
    f.value = "x";
    ck_assert_int_eq(bb_moderator_observe(&f, m), 0);
}

START_TEST(test_weights)
{
    struct bb_moderator *m = NULL;
    struct bb_err err = { 0, "" };
    const char *cat = NULL;

    ck_assert_int_eq(bb_moderator_new(&m, rs, &err), 0);
    see(m, "half-a");
    see(m, "half-a"); /* the same rule again: counted once */
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_REDACT);
    ck_assert_ptr_null(cat);
    see(m, "half-b");
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_BLOCK);
    ck_assert_str_eq(cat, "violence");
    see(m, "counter"); /* a counter-signal takes one back */
    ck_assert(bb_moderator_score(m, "violence") > 0.49 &&
              bb_moderator_score(m, "violence") < 0.51);
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_REDACT);
    bb_moderator_reset(m);
    ck_assert(bb_moderator_score(m, "violence") == 0.0);
    see(m, "flagger");
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_FLAG);
    ck_assert_str_eq(cat, "hate");
    see(m, "half-a");
    see(m, "half-b"); /* a block wins over a flag */
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_BLOCK);
    ck_assert_str_eq(cat, "violence");
    bb_moderator_free(m);
}
END_TEST

START_TEST(test_settings)
{
    struct bb_moderator *m = NULL;
    struct bb_err err = { 0, "" };
    const char *cat = NULL;

    ck_assert_int_eq(bb_moderator_new(&m, rs, &err), 0);
    ck_assert_int_eq(bb_moderator_threshold(m, "violence", 1.5, &err), 0);
    see(m, "half-a");
    see(m, "half-b");
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_REDACT);
    ck_assert_int_eq(bb_moderator_threshold(m, "violence", 1, &err), 0);
    ck_assert_int_eq(bb_moderator_action(m, "violence", BB_ACTION_FLAG,
                                         &err), 0);
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_FLAG);
    ck_assert_int_eq(bb_moderator_action(m, "hate", BB_ACTION_BLOCK, &err),
                     0);
    see(m, "flagger");
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_BLOCK);
    ck_assert_str_eq(cat, "hate");
    ck_assert_int_eq(bb_moderator_threshold(m, "gore", 1, &err), BB_EINVAL);
    ck_assert_int_eq(bb_moderator_threshold(m, "hate", 0, &err), BB_EINVAL);
    ck_assert_int_eq(bb_moderator_action(m, "hate", BB_ACTION_REDACT, &err),
                     BB_EINVAL);
    bb_moderator_free(m);
}
END_TEST

START_TEST(test_remote)
{
    const char *const *cats = bb_moderation_categories();
    struct bb_moderator *m = NULL;
    struct bb_remote_result r;
    struct bb_err err = { 0, "" };
    const char *cat = NULL;
    size_t sexual = 0;

    while (strcmp(cats[sexual], "sexual") != 0) {
        sexual++;
    }
    ck_assert_int_eq(bb_moderator_new(&m, rs, &err), 0);
    memset(&r, 0, sizeof(r));
    r.scores[sexual] = 0.4;
    bb_moderator_remote(m, &r); /* not flagged, no threshold: nothing */
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_REDACT);
    r.categories[sexual] = true;
    bb_moderator_remote(m, &r); /* the endpoint's flag decides */
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_BLOCK);
    ck_assert_str_eq(cat, "sexual");
    bb_moderator_reset(m);
    ck_assert_int_eq(bb_moderator_remote_threshold(m, "sexual", 0.5, &err),
                     0);
    bb_moderator_remote(m, &r); /* a threshold overrules the flag */
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_REDACT);
    r.scores[sexual] = 0.5;
    bb_moderator_remote(m, &r);
    ck_assert_int_eq(bb_moderator_verdict(m, &cat), BB_ACTION_BLOCK);
    ck_assert_int_eq(bb_moderator_remote_threshold(m, "sexual", 1.5, &err),
                     BB_EINVAL);
    bb_moderator_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("moderate");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_weights);
    tcase_add_test(tc, test_settings);
    tcase_add_test(tc, test_remote);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
