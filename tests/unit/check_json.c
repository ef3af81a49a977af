/*
 * check_json.c - unit tests for the JSON/JSONL scrubber through the
 * public API: exact outputs (escapes, numbers and whitespace kept, only
 * replaced spans re-encoded), structure kept (cJSON parses input and
 * output to the same shape), chunking invariance (whole, 1-byte and
 * random feeds), identity with a ruleset that finds nothing, skip keys,
 * and malformed input failing closed with a byte offset.
 *
 * Packs are written with single quotes; json() makes them JSON. All
 * values are synthetic.
 */
#include "blackbar.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "outbuf.h"
#include <cjson/cJSON.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char pack[] =
    "{'pack':'j','version':1,'description':'json tests','rules':["
    "{'id':'email','type':'EMAIL','description':'d',"
    "'pattern':'[a-z0-9._]{1,32}@[a-z0-9-]{1,32}(?:[.][a-z]{2,8}){1,3}',"
    "'keywords':['@'],'max_len':128,"
    "'examples':{'match':['a@b.cd'],'nomatch':['a@b']}},"
    "{'id':'quote','type':'QUOTE','description':'d',"
    "'pattern':'Q\\\"[a-z]{3}\\\"','keywords':['q\\\"'],'max_len':6,"
    "'examples':{'match':['Q\\\"abc\\\"'],'nomatch':['Q\\\"ab\\\"']}}"
    "]}";

static const char pack_none[] =
    "{'pack':'n','version':1,'description':'finds nothing','rules':["
    "{'id':'never','type':'NEVER','description':'d',"
    "'pattern':'ZQXJ[0-9]{9}','keywords':['zqxj'],'max_len':13,"
    "'examples':{'match':['ZQXJ123456789'],'nomatch':['ZQXJ1']}}"
    "]}";

static char *json(const char *s)
{
    char *d = strdup(s);
    size_t i;

    ck_assert_ptr_nonnull(d);
    for (i = 0; d[i] != '\0'; i++) {
        d[i] = d[i] == '\'' ? '"' : d[i];
    }
    return d;
}

static struct bb_ruleset *load(const char *p)
{
    struct bb_ruleset *rs = NULL;
    struct bb_err err = { 0, "" };
    char *j = json(p);

    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_msg(bb_ruleset_add_pack(rs, "t.json", j, strlen(j), &err) ==
                  0, "%s", err.msg);
    free(j);
    ck_assert_msg(bb_ruleset_compile(rs, &err) == 0, "%s", err.msg);
    return rs;
}

/* Feed in pieces: 0 whole, 1 one byte at a time, else random sizes from
 * seed `mode`. Returns the finish (or first failing) code. */
static int run(struct out *o, const struct bb_ruleset *rs, bool lines,
               const char *in, size_t n, int mode, struct bb_err *err)
{
    struct bb_redactor *rd = NULL;
    struct bb_json_scrubber *j = NULL;
    uint64_t seed = (uint64_t)mode * 2654435761u + 1;
    size_t i = 0;
    int rc;

    memset(o, 0, sizeof(*o));
    out_write("", 0, o);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, err), 0);
    ck_assert_int_eq(bb_json_scrubber_new(&j, rs, rd, lines, out_write, o,
                                          err), 0);
    rc = 0;
    while (rc == 0 && i < n) {
        size_t k = n - i;

        if (mode == 1) {
            k = 1;
        } else if (mode > 1) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            k = 1 + (size_t)((seed >> 33) % 17);
            k = k > n - i ? n - i : k;
        }
        rc = bb_json_scrubber_feed(j, in + i, k, err);
        i += k;
    }
    if (rc == 0) {
        rc = bb_json_scrubber_finish(j, err);
    }
    bb_json_scrubber_free(j);
    bb_redactor_free(rd);
    return rc;
}

struct row {
    bool lines;
    const char *in;
    const char *want;
};

static const struct row rows[] = {
    /* only the string value changes; numbers and spacing stay */
    { false, "{\"to\": \"mail a@x.example now\", \"n\": 12345678901234567890}",
      "{\"to\": \"mail <EMAIL_1> now\", \"n\": 12345678901234567890}" },
    { false, "[1e400, -0.0, true, false, null, \"\\u00e9\\ud83d\\ude00\"]",
      "[1e400, -0.0, true, false, null, \"\\u00e9\\ud83d\\ude00\"]" },
    /* an escaped value is found after decoding; untouched escapes stay */
    { false, "{\"a\":\"\\u0061@x.example\\n\\tok \\\"q\\\"\"}",
      "{\"a\":\"<EMAIL_1>\\n\\tok \\\"q\\\"\"}" },
    /* a match holding a quote: the replacement is JSON-escaped */
    { false, "{\"a\":\"say Q\\\"abc\\\" now\"}",
      "{\"a\":\"say <QUOTE_1> now\"}" },
    /* keys are never scrubbed, and neither are skip keys' values */
    { false, "{\"a@x.example\":\"b@x.example\",\"id\":\"c@x.example\"}",
      "{\"a@x.example\":\"<EMAIL_1>\",\"id\":\"c@x.example\"}" },
    /* the same value twice, in two strings: one placeholder */
    { false, "[\"a@x.example\",\"a@x.example\",\"b@x.example\"]",
      "[\"<EMAIL_1>\",\"<EMAIL_1>\",\"<EMAIL_2>\"]" },
    /* no match crosses two values */
    { false, "[\"a@\",\"x.example\"]", "[\"a@\",\"x.example\"]" },
    /* placeholder-shaped input is escaped, then JSON-escaped */
    { false, "[\"<EMAIL_1>\"]", "[\"<\\\\EMAIL_1>\"]" },
    /* JSON Lines with a blank line and pretty-printed spacing */
    { true, "{\"a\":\"a@x.example\"}\n\n[ \"b@x.example\" ,\n 1 ]\n",
      "{\"a\":\"<EMAIL_1>\"}\n\n[ \"<EMAIL_2>\" ,\n 1 ]\n" },
    { false, " {}\n", " {}\n" },
};

START_TEST(test_rows)
{
    const struct row *r = &rows[_i];
    struct bb_ruleset *rs = load(pack);
    int mode;

    for (mode = 0; mode < 6; mode++) {
        struct out o;
        struct bb_err err = { 0, "" };
        int rc = run(&o, rs, r->lines, r->in, strlen(r->in), mode, &err);

        ck_assert_msg(rc == 0, "row %d mode %d: %s", _i, mode, err.msg);
        ck_assert_msg(strcmp(o.p, r->want) == 0,
                      "row %d mode %d:\n got %s\nwant %s", _i, mode, o.p,
                      r->want);
        free(o.p);
    }
    bb_ruleset_free(rs);
}
END_TEST

/* Same shape: every non-string value equal, strings equal unless a
 * finding changed them (then the placeholder is in). */
static void same_shape(const cJSON *a, const cJSON *b)
{
    const cJSON *x;
    const cJSON *y;

    ck_assert_int_eq(a->type & 0xFF, b->type & 0xFF);
    if (cJSON_IsString(a)) {
        ck_assert_msg(strcmp(a->valuestring, b->valuestring) == 0 ||
                          strstr(b->valuestring, "<") != NULL,
                      "%s changed to %s", a->valuestring, b->valuestring);
        return;
    }
    if (cJSON_IsNumber(a)) {
        ck_assert(a->valuedouble == b->valuedouble);
        return;
    }
    for (x = a->child, y = b->child; x != NULL && y != NULL;
         x = x->next, y = y->next) {
        if (x->string != NULL) {
            ck_assert_str_eq(x->string, y->string);
        }
        same_shape(x, y);
    }
    ck_assert(x == NULL && y == NULL);
}

START_TEST(test_structure_kept)
{
    static const char doc[] =
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
        "\"write to a@x.example about \\\"b@y.example\\\"\"},{\"role\":"
        "\"tool\",\"content\":[{\"type\":\"text\",\"text\":\"c@x.example\"}"
        "]}],\"temperature\":0.25,\"n\":3,\"stop\":null,\"x\":[[],{}]}";
    struct bb_ruleset *rs = load(pack);
    struct bb_err err = { 0, "" };
    struct out o;
    cJSON *a;
    cJSON *b;

    ck_assert_int_eq(run(&o, rs, false, doc, strlen(doc), 2, &err), 0);
    a = cJSON_Parse(doc);
    b = cJSON_Parse(o.p);
    ck_assert_ptr_nonnull(a);
    ck_assert_msg(b != NULL, "output does not parse: %s", o.p);
    same_shape(a, b);
    ck_assert(strstr(o.p, "a@x.example") == NULL);
    ck_assert(strstr(o.p, "c@x.example") == NULL);
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(o.p);
    bb_ruleset_free(rs);
}
END_TEST

static char *slurp(const char *name, size_t *len)
{
    char rel[256];

    snprintf(rel, sizeof(rel), "%s/%s", "json", name);
    return fixture(rel, len);
}

static const char *const fixtures[] = {
    "openai-chat-request.json", "openai-responses-request.json",
    "anthropic-request.json", "numbers.json",
};

/* The request fixtures, scrubbed with the built-in packs, parse to the
 * same structure with only string values changed; the numbers and the
 * escapes that no finding touched are there byte for byte. */
START_TEST(test_fixture_shapes)
{
    static const char *const kept[] = {
        "12345678901234567890", "1e400", "-0.0", "0E-0",
        "\"\\u00e9\\ud83d\\ude00\"", "\"a\\/b\"",
    };
    struct bb_ruleset *rs = NULL;
    struct bb_err err = { 0, "" };
    struct out o;
    size_t n;
    size_t i;
    char *in = slurp(fixtures[_i], &n);
    cJSON *a;
    cJSON *b;

    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_int_eq(bb_ruleset_add_builtin(rs, &err), 0);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    ck_assert_msg(run(&o, rs, false, in, n, 2, &err) == 0, "%s", err.msg);
    a = cJSON_Parse(in);
    b = cJSON_Parse(o.p);
    ck_assert_ptr_nonnull(a);
    ck_assert_msg(b != NULL, "output does not parse: %s", o.p);
    same_shape(a, b);
    ck_assert(strcmp(in, o.p) != 0 || _i == 3);
    for (i = 0; i < ARRAY_LEN(kept); i++) {
        ck_assert(strstr(in, kept[i]) == NULL || strstr(o.p, kept[i]));
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    free(o.p);
    free(in);
    bb_ruleset_free(rs);
}
END_TEST

/* A ruleset that finds nothing leaves any valid JSON byte for byte. */
START_TEST(test_identity)
{
    static const char *const docs[] = {
        "{\"a\" : [ 1, 2.5e-3, -0, \"x\\u0000y\\\\\", {\"b\":\"\\/\"} ] }",
        "\"\\ud834\\udd1e caf\xc3\xa9 \xf0\x9f\x98\x80\"",
        "  [ ] ",
        "12345678901234567890123456789",
    };
    struct bb_ruleset *rs = load(pack_none);
    size_t d;
    int mode;

    for (d = 0; d < ARRAY_LEN(docs); d++) {
        for (mode = 0; mode < 4; mode++) {
            struct out o;
            struct bb_err err = { 0, "" };

            ck_assert_msg(run(&o, rs, false, docs[d], strlen(docs[d]), mode,
                              &err) == 0, "doc %zu: %s", d, err.msg);
            ck_assert_msg(strcmp(o.p, docs[d]) == 0, "doc %zu mode %d: %s",
                          d, mode, o.p);
            free(o.p);
        }
    }
    bb_ruleset_free(rs);
}
END_TEST

struct bad {
    bool lines;
    const char *in;
    const char *want;   /* in the message */
    const char *never;  /* must not be in the output */
};

/* never: a value that must not come out: after the error point, or in
 * a string the error leaves open (the stream holds what may still grow;
 * text already scrubbed before the error may have been written). */
static const struct bad bads[] = {
    { false, "{\"a\":\"x@y.example", "input ends", "x@y.example" },
    { false, "{\"a\":\"x@y.example\"", "input ends", "x@y.example" },
    { false, "{\"a\":\"bad \\q x@y.example\"}", "bad escape",
      "x@y.example" },
    { false, "[\"\\ud800 x@y.example\"]", "surrogate", "x@y.example" },
    { false, "[\"\\udc00\"]", "lone low surrogate", NULL },
    { false, "[\"\xff x@y.example\"]", "invalid UTF-8", "x@y.example" },
    { false, "[\"a\nx@y.example\"]", "control byte", "x@y.example" },
    { false, "{} \"x@y.example\"", "data after the document",
      "x@y.example" },
    { false, "[01]", "expected", NULL },
    { false, "[1.]", "bad number", NULL },
    { false, "[tru]", "bad literal", NULL },
    { false, "", "no JSON value", NULL },
    { true, "{\"a\":1} {\"b\":\"x@y.example\"}\n", "new line",
      "x@y.example" },
    { false, "{\"a\" 1}", "expected ':'", NULL },
};

START_TEST(test_malformed)
{
    const struct bad *b = &bads[_i];
    struct bb_ruleset *rs = load(pack);
    int mode;

    for (mode = 0; mode < 3; mode++) {
        struct out o;
        struct bb_err err = { 0, "" };
        int rc = run(&o, rs, b->lines, b->in, strlen(b->in), mode, &err);

        ck_assert_msg(rc == BB_EINPUT, "bad %d: rc %d (%s)", _i, rc,
                      err.msg);
        ck_assert_msg(strstr(err.msg, b->want) != NULL &&
                      strstr(err.msg, "byte ") != NULL,
                      "bad %d: message %s", _i, err.msg);
        ck_assert_msg(b->never == NULL || strstr(o.p, b->never) == NULL,
                      "bad %d: wrote %s", _i, o.p);
        free(o.p);
    }
    bb_ruleset_free(rs);
}
END_TEST

/* A large string value streams through: the output is complete and the
 * scrubber never held the whole value (checked by the hold). */
START_TEST(test_big_string)
{
    size_t n = 8u << 20;
    char *doc = malloc(n + 64);
    struct bb_ruleset *rs = load(pack);
    struct bb_err err = { 0, "" };
    struct out o;
    size_t i;

    ck_assert_ptr_nonnull(doc);
    memcpy(doc, "[\"", 2);
    for (i = 2; i < n; i++) {
        doc[i] = (char)('a' + i % 26);
    }
    memcpy(doc + n / 2, " q@x.example ", 13);
    memcpy(doc + n, "\"]", 3);
    ck_assert_int_eq(run(&o, rs, false, doc, n + 2, 3, &err), 0);
    ck_assert(strstr(o.p, "q@x.example") == NULL);
    ck_assert(strstr(o.p, " <EMAIL_1> ") != NULL);
    ck_assert_uint_eq(o.n, n + 2 - 11 + 9);
    free(o.p);
    free(doc);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_skip_key)
{
    struct bb_ruleset *rs = load(pack);
    struct bb_redactor *rd = NULL;
    struct bb_json_scrubber *j = NULL;
    struct bb_err err = { 0, "" };
    struct out o;
    static const char doc[] = "{\"keep\":\"a@x.example\",\"k\":\"b@x.example\"}";

    memset(&o, 0, sizeof(o));
    out_write("", 0, &o);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_json_scrubber_new(&j, rs, rd, false, out_write, &o,
                                          &err), 0);
    ck_assert_int_eq(bb_json_scrubber_skip_key(j, "keep", &err), 0);
    ck_assert_int_eq(bb_json_scrubber_skip_key(j, "", &err), BB_EINVAL);
    ck_assert_int_eq(bb_json_scrubber_feed(j, doc, strlen(doc), &err), 0);
    ck_assert_int_eq(bb_json_scrubber_finish(j, &err), 0);
    ck_assert_str_eq(o.p, "{\"keep\":\"a@x.example\",\"k\":\"<EMAIL_1>\"}");
    ck_assert_uint_eq(bb_json_scrubber_counts(j)[0], 1);
    ck_assert_int_eq(bb_json_scrubber_feed(j, "x", 1, &err), BB_ESTATE);
    bb_json_scrubber_free(j);
    bb_redactor_free(rd);
    free(o.p);
    bb_ruleset_free(rs);
}
END_TEST

/* --on-error skip: bad records vanish whole, good ones come through,
 * however the input is cut. */
START_TEST(test_skip_bad_records)
{
    static const char in[] =
        "{\"a\":\"x@y.example\"}\n"
        "{\"b\": bad q@y.example}\n"
        "{\"c\":\"ok z@y.example\"}\n"
        "{\"d\":\"open r@y.example\n"
        "{\"e\":1} junk\n"
        "\n"
        "{\"f\":\"\\q s@y.example\"}\n"
        "[\"last w@y.example\"]";
    struct bb_ruleset *rs = load(pack);
    int mode;

    for (mode = 0; mode < 6; mode++) {
        struct bb_redactor *rd = NULL;
        struct bb_json_scrubber *j = NULL;
        struct bb_err err = { 0, "" };
        struct out o;
        uint64_t seed = (uint64_t)mode * 977 + 5;
        size_t n = strlen(in);
        size_t i = 0;

        memset(&o, 0, sizeof(o));
        out_write("", 0, &o);
        ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
        ck_assert_int_eq(bb_json_scrubber_new(&j, rs, rd, true, out_write,
                                              &o, &err), 0);
        ck_assert_int_eq(bb_json_scrubber_skip_bad(j, true, &err), 0);
        while (i < n) {
            size_t k = mode == 0 ? n - i : mode == 1 ? 1 : 0;

            if (k == 0) {
                seed = seed * 6364136223846793005ull + 1;
                k = 1 + (size_t)((seed >> 33) % 11);
            }
            k = k > n - i ? n - i : k;
            ck_assert_int_eq(bb_json_scrubber_feed(j, in + i, k, &err), 0);
            i += k;
        }
        ck_assert_int_eq(bb_json_scrubber_finish(j, &err), 0);
        ck_assert_msg(strcmp(o.p, "{\"a\":\"<EMAIL_1>\"}\n"
                                  "{\"c\":\"ok <EMAIL_2>\"}\n\n"
                                  "[\"last <EMAIL_4>\"]") == 0,
                      "mode %d: %s", mode, o.p);
        ck_assert_uint_eq(bb_json_scrubber_skipped(j), 4);
        bb_json_scrubber_free(j);
        bb_redactor_free(rd);
        free(o.p);
    }
    bb_ruleset_free(rs);
}
END_TEST

/* --json-only: values at or under the paths, nothing else. */
START_TEST(test_only_paths)
{
    static const char doc[] =
        "{\"user\":\"a@x.example\",\"messages\":[{\"content\":"
        "\"b@x.example\"},{\"content\":[{\"text\":\"c@x.example\"}]}],"
        "\"m\":{\"content\":\"d@x.example\"},\"l\":[\"e@x.example\","
        "\"f@x.example\"]}";
    static const char want[] =
        "{\"user\":\"a@x.example\",\"messages\":[{\"content\":"
        "\"<EMAIL_1>\"},{\"content\":[{\"text\":\"<EMAIL_2>\"}]}],"
        "\"m\":{\"content\":\"d@x.example\"},\"l\":[\"e@x.example\","
        "\"<EMAIL_3>\"]}";
    struct bb_ruleset *rs = load(pack);
    struct bb_redactor *rd = NULL;
    struct bb_json_scrubber *j = NULL;
    struct bb_err err = { 0, "" };
    struct out o;
    size_t i;

    memset(&o, 0, sizeof(o));
    out_write("", 0, &o);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_json_scrubber_new(&j, rs, rd, false, out_write, &o,
                                          &err), 0);
    ck_assert_int_eq(bb_json_scrubber_only(j, "messages[*].content", &err),
                     0);
    ck_assert_int_eq(bb_json_scrubber_only(j, "l[1]", &err), 0);
    ck_assert_int_eq(bb_json_scrubber_only(j, "a..b", &err), BB_EINVAL);
    for (i = 0; i < sizeof(doc) - 1; i++) {
        ck_assert_int_eq(bb_json_scrubber_feed(j, doc + i, 1, &err), 0);
    }
    ck_assert_int_eq(bb_json_scrubber_finish(j, &err), 0);
    ck_assert_str_eq(o.p, want);
    bb_json_scrubber_free(j);
    bb_redactor_free(rd);
    free(o.p);
    bb_ruleset_free(rs);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_rows, 0, (int)ARRAY_LEN(rows));
    tcase_add_test(tc, test_structure_kept);
    tcase_add_loop_test(tc, test_fixture_shapes, 0,
                        (int)ARRAY_LEN(fixtures));
    tcase_add_test(tc, test_identity);
    tcase_add_loop_test(tc, test_malformed, 0, (int)ARRAY_LEN(bads));
    tcase_add_test(tc, test_big_string);
    tcase_add_test(tc, test_skip_key);
    tcase_add_test(tc, test_skip_bad_records);
    tcase_add_test(tc, test_only_paths);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
