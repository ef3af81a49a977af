/*
 * check_redact.c - unit tests for the redactor: every operator
 * (placeholder numbering, mask with ASCII and UTF-8 values, keyed hash,
 * remove, text), per-type operators, placeholder escaping, and the
 * refusal of bad operator specs. Values are invented or test numbers.
 */
#include "blackbar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char pack[] =
    "{'pack':'redact','version':1,'description':'redact tests','rules':["
    "{'id':'email','type':'EMAIL','description':'d',"
    "'pattern':'[a-z0-9._]{1,32}@[a-z0-9-]{1,32}(?:[.][a-z]{2,8}){1,3}',"
    "'keywords':['@'],'max_len':128,"
    "'examples':{'match':['a@b.cd'],'nomatch':['a@b']}},"
    "{'id':'card','type':'CARD','description':'d',"
    "'pattern':'(?<![0-9])[0-9]{16}(?![0-9])','validate':'luhn',"
    "'max_len':16,"
    "'examples':{'match':['4111111111111111'],"
    "'nomatch':['4111111111111112']}},"
    "{'id':'name','type':'NAME','description':'d',"
    "'pattern':'name=([^ ;]{1,40})','group':1,'keywords':['name='],"
    "'max_len':260,"
    "'examples':{'match':['name=jo'],'nomatch':['name=']}}"
    "]}";

static struct bb_ruleset *load(void)
{
    struct bb_ruleset *rs = NULL;
    struct bb_err err = { 0, "" };
    char *j = strdup(pack);
    size_t i;

    ck_assert_ptr_nonnull(j);
    for (i = 0; j[i] != '\0'; i++) {
        j[i] = j[i] == '\'' ? '"' : j[i];
    }
    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_msg(bb_ruleset_add_pack(rs, "redact.json", j, strlen(j),
                                      &err) == 0, "%s", err.msg);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    free(j);
    return rs;
}

struct out {
    char buf[1024];
    size_t n;
    bool fail;
};

static int put(const void *data, size_t len, void *ud)
{
    struct out *o = ud;

    if (o->fail || o->n + len >= sizeof(o->buf)) {
        return -1;
    }
    memcpy(o->buf + o->n, data, len);
    o->n += len;
    o->buf[o->n] = '\0';
    return 0;
}

/* Apply rd to value as a finding of rule id; returns the output. */
static const char *apply(struct out *o, struct bb_redactor *rd,
                         const struct bb_ruleset *rs, const char *id,
                         const char *value)
{
    struct bb_finding f;
    struct bb_err err = { 0, "" };
    long rule = bb_ruleset_find(rs, id);

    ck_assert_int_ge(rule, 0);
    f.offset = 0;
    f.length = strlen(value);
    f.rule = (size_t)rule;
    f.action = BB_ACTION_REDACT;
    f.value = value;
    o->n = 0;
    o->buf[0] = '\0';
    ck_assert_msg(bb_redactor_apply(rd, &f, put, o, &err) == 0, "%s",
                  err.msg);
    return o->buf;
}

static struct bb_redactor *new_rd(const struct bb_ruleset *rs,
                                  const char *key)
{
    struct bb_redactor *rd = NULL;
    struct bb_err err = { 0, "" };

    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    if (key != NULL) {
        ck_assert_int_eq(bb_redactor_set_key(rd, key, strlen(key), &err),
                         0);
    }
    return rd;
}

/* ---------------------------------------------------------- operators */

#define LONG_VALUE \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "aaaaaaaaaaaaaaaaaazyxw"
#define LONG_MASKED \
    "******************************************************************" \
    "******************************************************************" \
    "******************zyxw"

struct op_case {
    const char *ops[3]; /* applied in order, NULL-terminated */
    const char *rule;
    const char *value;
    const char *want;   /* NULL: a hash placeholder of the rule's type */
};

static const struct op_case op_cases[] = {
    { { NULL }, "email", "jane@x.example", "<EMAIL_1>" },
    { { "placeholder" }, "email", "jane@x.example", "<EMAIL_1>" },
    { { "placeholder" }, "card", "4111111111111111", "<CARD_1>" },
    /* mask keeps the last N characters */
    { { "mask:4" }, "card", "4111111111111111", "************1111" },
    { { "mask" }, "card", "4111111111111111", "************1111" },
    { { "mask:0" }, "card", "4111111111111111", "****************" },
    { { "mask:15" }, "card", "4111111111111111", "*111111111111111" },
    { { "mask:16" }, "card", "4111111111111111", "****************" },
    { { "mask:64" }, "card", "4111111111111111", "****************" },
    { { "mask:2" }, "email", "jane@x.example", "************le" },
    { { "mask:4" }, "name", LONG_VALUE, LONG_MASKED },
    /* mask counts UTF-8 characters, not bytes */
    { { "mask:3" }, "name", "Jos\xc3\xa9 M\xc3\xbcller", "********ler" },
    { { "mask:2" }, "name", "\xc3\xb1" "and\xc3\xba\xe2\x82\xac",
      "****\xc3\xba\xe2\x82\xac" },
    { { "mask:1" }, "name", "caf\xc3\xa9", "***\xc3\xa9" },
    { { "mask:1" }, "name", "\xf0\x9f\x98\x80", "*" },
    { { "mask:0" }, "name", "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", "**" },
    /* hash */
    { { "hash" }, "email", "jane@x.example", NULL },
    { { "hash" }, "card", "4111111111111111", NULL },
    /* remove and text */
    { { "remove" }, "email", "jane@x.example", "" },
    { { "text:[REDACTED]" }, "email", "jane@x.example", "[REDACTED]" },
    { { "text:" }, "card", "4111111111111111", "" },
    { { "text:a=b" }, "card", "4111111111111111", "a=b" },
    { { "text:x:y" }, "card", "4111111111111111", "x:y" },
    /* per type: TYPE=OP overrides the default, whatever the order */
    { { "EMAIL=mask:2" }, "email", "jane@x.example", "************le" },
    { { "EMAIL=mask:2" }, "card", "4111111111111111", "<CARD_1>" },
    { { "hash", "EMAIL=mask:2" }, "email", "jane@x.example",
      "************le" },
    { { "hash", "EMAIL=mask:2" }, "card", "4111111111111111", NULL },
    { { "EMAIL=mask:2", "remove" }, "email", "jane@x.example",
      "************le" },
    { { "EMAIL=mask:2", "remove" }, "card", "4111111111111111", "" },
    { { "EMAIL=text:x:y" }, "email", "jane@x.example", "x:y" },
    { { "EMAIL=text:a=b" }, "email", "jane@x.example", "a=b" },
    { { "EMAIL=remove" }, "email", "jane@x.example", "" },
    { { "CARD=hash" }, "card", "4111111111111111", NULL },
    /* the last setting wins */
    { { "mask:2", "placeholder" }, "email", "jane@x.example", "<EMAIL_1>" },
    { { "EMAIL=mask:2", "EMAIL=placeholder" }, "email", "jane@x.example",
      "<EMAIL_1>" },
};

static bool is_hash_of(const char *s, const char *type)
{
    size_t tl = strlen(type);
    size_t i;

    if (s[0] != '<' || strncmp(s + 1, type, tl) != 0 || s[tl + 1] != '_' ||
        strlen(s) != tl + 11 || s[tl + 10] != '>') {
        return false;
    }
    for (i = tl + 2; i < tl + 10; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

START_TEST(test_operator)
{
    const struct op_case *c = &op_cases[_i];
    struct bb_ruleset *rs = load();
    struct bb_redactor *rd = new_rd(rs, "k1");
    struct bb_err err = { 0, "" };
    struct out o = { { 0 }, 0, false };
    const char *got;
    size_t i;

    for (i = 0; i < ARRAY_LEN(c->ops) && c->ops[i] != NULL; i++) {
        ck_assert_msg(bb_redactor_set_operator(rd, c->ops[i], &err) == 0,
                      "%s: %s", c->ops[i], err.msg);
    }
    got = apply(&o, rd, rs, c->rule, c->value);
    if (c->want == NULL) {
        struct bb_rule_info ri;

        ck_assert_int_eq(bb_ruleset_rule(&ri, rs, (size_t)bb_ruleset_find(
                                             rs, c->rule), &err), 0);
        ck_assert_msg(is_hash_of(got, ri.type), "case %d: got \"%s\"", _i,
                      got);
    } else {
        ck_assert_msg(strcmp(got, c->want) == 0,
                      "case %d: got \"%s\", want \"%s\"", _i, got, c->want);
    }
    /* the operator is a function of the value: same again */
    ck_assert_str_eq(apply(&o, rd, rs, c->rule, c->value),
                     c->want ? c->want : got);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_placeholder_numbering)
{
    struct bb_ruleset *rs = load();
    struct bb_redactor *rd = new_rd(rs, NULL);
    struct out o = { { 0 }, 0, false };

    ck_assert_str_eq(apply(&o, rd, rs, "email", "a@x.example"),
                     "<EMAIL_1>");
    ck_assert_str_eq(apply(&o, rd, rs, "email", "b@x.example"),
                     "<EMAIL_2>");
    ck_assert_str_eq(apply(&o, rd, rs, "email", "a@x.example"),
                     "<EMAIL_1>");
    /* numbering is per type */
    ck_assert_str_eq(apply(&o, rd, rs, "card", "4111111111111111"),
                     "<CARD_1>");
    ck_assert_str_eq(apply(&o, rd, rs, "card", "5555555555554444"),
                     "<CARD_2>");
    ck_assert_str_eq(apply(&o, rd, rs, "email", "c@x.example"),
                     "<EMAIL_3>");
    /* values are compared byte for byte */
    ck_assert_str_eq(apply(&o, rd, rs, "email", "A@x.example"),
                     "<EMAIL_4>");
    bb_redactor_free(rd);
    /* a new redactor is a new scope */
    rd = new_rd(rs, NULL);
    ck_assert_str_eq(apply(&o, rd, rs, "email", "c@x.example"),
                     "<EMAIL_1>");
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}
END_TEST

/* Many distinct values: the numbering table grows and stays right. */
START_TEST(test_placeholder_many)
{
    struct bb_ruleset *rs = load();
    struct bb_redactor *rd = new_rd(rs, NULL);
    char v[64];
    char want[64];
    struct out o = { { 0 }, 0, false };
    size_t i;

    for (i = 0; i < 5000; i++) {
        snprintf(v, sizeof(v), "user%zu@x.example", i);
        snprintf(want, sizeof(want), "<EMAIL_%zu>", i + 1);
        ck_assert_str_eq(apply(&o, rd, rs, "email", v), want);
    }
    for (i = 0; i < 5000; i += 7) {
        snprintf(v, sizeof(v), "user%zu@x.example", i);
        snprintf(want, sizeof(want), "<EMAIL_%zu>", i + 1);
        ck_assert_str_eq(apply(&o, rd, rs, "email", v), want);
    }
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_hash_keys)
{
    struct bb_ruleset *rs = load();
    struct bb_redactor *a = new_rd(rs, "key-one");
    struct bb_redactor *b = new_rd(rs, "key-one");
    struct bb_redactor *c = new_rd(rs, "key-two");
    struct bb_redactor *r1 = new_rd(rs, NULL);
    struct bb_redactor *r2 = new_rd(rs, NULL);
    struct bb_err err = { 0, "" };
    struct bb_redactor *all[] = { a, b, c, r1, r2 };
    char h[5][64];
    struct out o = { { 0 }, 0, false };
    size_t i;

    for (i = 0; i < ARRAY_LEN(all); i++) {
        ck_assert_int_eq(bb_redactor_set_operator(all[i], "hash", &err), 0);
        snprintf(h[i], sizeof(h[i]), "%s",
                 apply(&o, all[i], rs, "email", "jane@x.example"));
        ck_assert_msg(is_hash_of(h[i], "EMAIL"), "%s", h[i]);
    }
    /* same key: same hash, across redactors */
    ck_assert_str_eq(h[0], h[1]);
    /* another key, or random keys: different */
    ck_assert_str_ne(h[0], h[2]);
    ck_assert_str_ne(h[3], h[4]);
    /* another value: different; the same again: the same */
    ck_assert_str_ne(apply(&o, a, rs, "email", "john@x.example"), h[0]);
    ck_assert_str_eq(apply(&o, a, rs, "email", "jane@x.example"), h[0]);
    /* changing the key changes the hash */
    ck_assert_int_eq(bb_redactor_set_key(a, "key-two", 7, &err), 0);
    ck_assert_str_eq(apply(&o, a, rs, "email", "jane@x.example"), h[2]);
    /* the type is part of the hash input */
    ck_assert_int_eq(bb_redactor_set_operator(a, "hash", &err), 0);
    ck_assert(is_hash_of(apply(&o, a, rs, "name", "jane@x.example"),
                         "NAME"));
    ck_assert_str_ne(o.buf + 6, h[2] + 7);
    /* an empty key is refused and the old one kept */
    ck_assert_int_eq(bb_redactor_set_key(a, "", 0, &err), BB_EINVAL);
    ck_assert_int_eq(err.code, BB_EINVAL);
    ck_assert_str_eq(apply(&o, a, rs, "email", "jane@x.example"), h[2]);
    for (i = 0; i < ARRAY_LEN(all); i++) {
        bb_redactor_free(all[i]);
    }
    bb_redactor_free(NULL);
    bb_ruleset_free(rs);
}
END_TEST

/* The internal escape rule always escapes, whatever the operator. */
static const char *const escape_ops[] = { "placeholder", "mask:2", "hash",
                                          "remove", "text:X" };

START_TEST(test_escape_any_operator)
{
    struct bb_ruleset *rs = load();
    struct bb_redactor *rd = new_rd(rs, "k");
    struct bb_err err = { 0, "" };
    struct out o = { { 0 }, 0, false };

    ck_assert_int_eq(bb_redactor_set_operator(rd, escape_ops[_i], &err), 0);
    ck_assert_str_eq(apply(&o, rd, rs, "placeholder-escape", "<EMAIL_1>"),
                     "<\\EMAIL_1>");
    ck_assert_str_eq(apply(&o, rd, rs, "placeholder-escape",
                           "<\\\\EMAIL_1>"), "<\\\\\\EMAIL_1>");
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}
END_TEST

/* End to end through a scrubber. */
struct e2e {
    const char *op;
    const char *in;
    const char *want;
};

static const struct e2e e2es[] = {
    { NULL, "mail jane@x.example card 4111111111111111",
      "mail <EMAIL_1> card <CARD_1>" },
    { "EMAIL=mask:2", "mail jane@x.example card 4111111111111111",
      "mail ************le card <CARD_1>" },
    { "mask:4", "card 4111111111111111;", "card ************1111;" },
    { "mask:1", "name=Jos\xc3\xa9; x", "name=***\xc3\xa9; x" },
    { "remove", "a jane@x.example b", "a  b" },
    { "text:[PII]", "a jane@x.example b name=x", "a [PII] b name=[PII]" },
    { "remove", "<EMAIL_1> stays escaped", "<\\EMAIL_1> stays escaped" },
};

START_TEST(test_scrub_operators)
{
    const struct e2e *c = &e2es[_i];
    struct bb_ruleset *rs = load();
    struct bb_redactor *rd = new_rd(rs, "k");
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { { 0 }, 0, false };

    memset(&o, 0, sizeof(o));
    if (c->op != NULL) {
        ck_assert_int_eq(bb_redactor_set_operator(rd, c->op, &err), 0);
    }
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    ck_assert_int_eq(bb_scrubber_feed(sc, c->in, strlen(c->in), &err), 0);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    ck_assert_str_eq(o.buf, c->want);
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}
END_TEST

/* ------------------------------------------------------------- errors */

static const char *const bad_specs[] = {
    "bogus", "", "mask:abc", "mask:", "mask:65", "mask:-1", "mask:4x",
    "mask:1000000000000000000000", "masks", "hash:3", "placeholder:1",
    "remove ", " remove", "NOPE=mask", "EMAIL=bogus", "EMAIL=", "=mask",
    "Email=mask", "EMAIL=mask:abc", "PLACEHOLDER_ESCAPES=remove",
    ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=mask"),
};

START_TEST(test_bad_spec)
{
    struct bb_ruleset *rs = load();
    struct bb_redactor *rd = new_rd(rs, NULL);
    struct bb_err err = { 0, "" };
    struct out o = { { 0 }, 0, false };

    ck_assert_int_eq(bb_redactor_set_operator(rd, "EMAIL=text:kept", &err),
                     0);
    ck_assert_int_eq(bb_redactor_set_operator(rd, bad_specs[_i], &err),
                     BB_EINVAL);
    ck_assert_int_eq(err.code, BB_EINVAL);
    ck_assert_uint_gt(strlen(err.msg), 0);
    /* nothing changed */
    ck_assert_str_eq(apply(&o, rd, rs, "email", "a@x.example"), "kept");
    ck_assert_str_eq(apply(&o, rd, rs, "card", "4111111111111111"),
                     "<CARD_1>");
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_write_error)
{
    struct bb_ruleset *rs = load();
    struct bb_redactor *rd = new_rd(rs, NULL);
    struct bb_err err = { 0, "" };
    struct bb_finding f;
    struct out o = { { 0 }, 0, false };

    memset(&o, 0, sizeof(o));
    o.fail = true;
    f.offset = 0;
    f.length = 11;
    f.rule = (size_t)bb_ruleset_find(rs, "email");
    f.action = BB_ACTION_REDACT;
    f.value = "a@x.example";
    ck_assert_int_eq(bb_redactor_apply(rd, &f, put, &o, &err), BB_EIO);
    ck_assert_int_eq(err.code, BB_EIO);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}
END_TEST

Suite *redact_suite(void);

Suite *redact_suite(void)
{
    Suite *s = suite_create("redact");
    TCase *core = tcase_create("core");
    TCase *limits = tcase_create("limits");
    TCase *errors = tcase_create("errors");

    tcase_add_loop_test(core, test_operator, 0, (int)ARRAY_LEN(op_cases));
    tcase_add_test(core, test_placeholder_numbering);
    tcase_add_test(core, test_hash_keys);
    tcase_add_loop_test(core, test_escape_any_operator, 0,
                        (int)ARRAY_LEN(escape_ops));
    tcase_add_loop_test(core, test_scrub_operators, 0, (int)ARRAY_LEN(e2es));
    suite_add_tcase(s, core);
    tcase_add_test(limits, test_placeholder_many);
    suite_add_tcase(s, limits);
    tcase_add_loop_test(errors, test_bad_spec, 0, (int)ARRAY_LEN(bad_specs));
    tcase_add_test(errors, test_write_error);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(redact_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
