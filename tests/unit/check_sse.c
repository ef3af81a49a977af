/*
 * check_sse.c - unit tests for the SSE scrubber through the public API:
 * the three providers' stream formats keep their framing event for event
 * (LF, CRLF, CR, comments, event/id fields, [DONE]) with only values
 * scrubbed; whole, 1-byte and random pieces give the same output; a
 * data value that is not JSON is scrubbed as text; restore brings the
 * stream back byte for byte; a line over 1 MiB fails.
 */
#include "blackbar.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "outbuf.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char pack[] =
    "{\"pack\":\"s\",\"version\":1,\"description\":\"sse tests\","
    "\"rules\":[{\"id\":\"email\",\"type\":\"EMAIL\",\"description\":\"d\","
    "\"pattern\":\"[a-z0-9._]{1,32}@[a-z0-9-]{1,32}(?:[.][a-z]{2,8}){1,3}\","
    "\"keywords\":[\"@\"],\"max_len\":128,"
    "\"examples\":{\"match\":[\"a@b.cd\"],\"nomatch\":[\"a@b\"]}}]}";

struct row {
    const char *in;
    const char *want;
};

static const struct row rows[] = {
    /* OpenAI Responses */
    { "event: response.output_text.delta\n"
      "data: {\"type\":\"response.output_text.delta\",\"delta\":\"to "
      "a@x.example\"}\n\n"
      "event: response.completed\ndata: {\"type\":\"response.completed\"}"
      "\n\n",
      "event: response.output_text.delta\n"
      "data: {\"type\":\"response.output_text.delta\",\"delta\":\"to "
      "<EMAIL_1>\"}\n\n"
      "event: response.completed\ndata: {\"type\":\"response.completed\"}"
      "\n\n" },
    /* Chat Completions, CRLF, [DONE] */
    { "data: {\"choices\":[{\"delta\":{\"content\":\"b@x.example\"}}]}\r\n"
      "\r\ndata: [DONE]\r\n\r\n",
      "data: {\"choices\":[{\"delta\":{\"content\":\"<EMAIL_1>\"}}]}\r\n"
      "\r\ndata: [DONE]\r\n\r\n" },
    /* Anthropic Messages, a comment, CR line ends */
    { ": ping\revent: content_block_delta\rdata: {\"type\":"
      "\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":"
      "\"c@x.example\"}}\r\revent: message_stop\rdata: {\"type\":"
      "\"message_stop\"}\r\r",
      ": ping\revent: content_block_delta\rdata: {\"type\":"
      "\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":"
      "\"<EMAIL_1>\"}}\r\revent: message_stop\rdata: {\"type\":"
      "\"message_stop\"}\r\r" },
    /* values that are not JSON are text; no space after the colon */
    { "data:a@x.example\nid: 3\ndata: {not json a@x.example\n\n",
      "data:<EMAIL_1>\nid: 3\ndata: {not json <EMAIL_1>\n\n" },
    /* the last line without its end */
    { "data: x a@x.example", "data: x <EMAIL_1>" },
};

static int scrub(struct out *o, const struct bb_ruleset *rs,
                 struct bb_redactor *rd, const char *in, int mode,
                 struct bb_err *err)
{
    struct bb_sse_scrubber *s = NULL;
    uint64_t seed = (uint64_t)mode + 3;
    size_t n = strlen(in);
    size_t i = 0;
    int rc;

    memset(o, 0, sizeof(*o));
    out_write("", 0, o);
    ck_assert_int_eq(bb_sse_scrubber_new(&s, rs, rd, out_write, o, err), 0);
    rc = 0;
    while (rc == 0 && i < n) {
        size_t k = n - i;

        if (mode == 1) {
            k = 1;
        } else if (mode > 1) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            k = 1 + (size_t)((seed >> 33) % 13);
            k = k > n - i ? n - i : k;
        }
        rc = bb_sse_scrubber_feed(s, in + i, k, err);
        i += k;
    }
    if (rc == 0) {
        rc = bb_sse_scrubber_finish(s, err);
    }
    bb_sse_scrubber_free(s);
    return rc;
}

START_TEST(test_rows)
{
    const struct row *r = &rows[_i];
    struct bb_ruleset *rs = NULL;
    struct bb_err err = { 0, "" };
    int mode;

    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_int_eq(bb_ruleset_add_pack(rs, "s.json", pack, strlen(pack),
                                         &err), 0);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    for (mode = 0; mode < 5; mode++) {
        struct bb_redactor *rd = NULL;
        struct bb_vault *v = NULL;
        struct bb_restorer *back = NULL;
        struct out o;
        struct out b;

        ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
        ck_assert_int_eq(bb_vault_new(&v, &err), 0);
        bb_redactor_on_placeholder(rd, to_vault, v);
        ck_assert_msg(scrub(&o, rs, rd, r->in, mode, &err) == 0, "%s",
                      err.msg);
        ck_assert_msg(strcmp(o.p, r->want) == 0, "row %d mode %d: %s", _i,
                      mode, o.p);
        memset(&b, 0, sizeof(b));
        out_write("", 0, &b);
        ck_assert_int_eq(bb_restorer_new(&back, v, BB_FORMAT_SSE, out_write,
                                         &b, &err), 0);
        ck_assert_int_eq(bb_restorer_feed(back, o.p, o.n, &err), 0);
        ck_assert_int_eq(bb_restorer_finish(back, &err), 0);
        ck_assert_msg(strcmp(b.p, r->in) == 0, "row %d: restored %s", _i,
                      b.p);
        bb_restorer_free(back);
        bb_vault_free(v);
        bb_redactor_free(rd);
        free(o.p);
        free(b.p);
    }
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_long_line)
{
    struct bb_ruleset *rs = NULL;
    struct bb_redactor *rd = NULL;
    struct bb_sse_scrubber *s = NULL;
    struct bb_err err = { 0, "" };
    struct out o;
    size_t n = (1u << 20) + 16;
    char *line = malloc(n);

    ck_assert_ptr_nonnull(line);
    memset(line, 'a', n);
    memcpy(line, "data: ", 6);
    memset(&o, 0, sizeof(o));
    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_sse_scrubber_new(&s, rs, rd, out_write, &o, &err),
                     0);
    ck_assert_int_eq(bb_sse_scrubber_feed(s, line, n, &err), BB_ELIMIT);
    ck_assert(strstr(err.msg, "1 MiB") != NULL);
    ck_assert_uint_eq(o.n, 0);
    ck_assert_int_eq(bb_sse_scrubber_finish(s, &err), BB_ESTATE);
    bb_sse_scrubber_free(s);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    free(line);
    free(o.p);
}
END_TEST

/* Findings are counted across JSON and text values, also after a value
 * that looked like JSON and was not. */
START_TEST(test_counts)
{
    static const char in[] = "data: {\"a\":\"a@x.example\"}\n\n"
                             "data: {broken b@x.example\n\n"
                             "data: c@x.example\n\n";
    struct bb_ruleset *rs = NULL;
    struct bb_redactor *rd = NULL;
    struct bb_sse_scrubber *s = NULL;
    struct bb_err err = { 0, "" };
    struct out o;

    memset(&o, 0, sizeof(o));
    out_write("", 0, &o);
    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_int_eq(bb_ruleset_add_pack(rs, "s.json", pack, strlen(pack),
                                         &err), 0);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_sse_scrubber_new(&s, rs, rd, out_write, &o, &err),
                     0);
    ck_assert_int_eq(bb_sse_scrubber_feed(s, in, strlen(in), &err), 0);
    ck_assert_int_eq(bb_sse_scrubber_finish(s, &err), 0);
    ck_assert_uint_eq(bb_sse_scrubber_counts(s)[0], 3);
    ck_assert(strstr(o.p, "@x.example") == NULL);
    bb_sse_scrubber_free(s);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    free(o.p);
}
END_TEST

static Suite *sse_suite(void)
{
    Suite *s = suite_create("sse");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_rows, 0, (int)ARRAY_LEN(rows));
    tcase_add_test(tc, test_long_line);
    tcase_add_test(tc, test_counts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sse_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
