/*
 * check_channels.c - unit tests for the SSE scrubber's provider channels
 * through the public API, on streams recorded in the providers' formats
 * (tests/fixtures/sse): a value streamed over several deltas is found;
 * the stream keeps its events one for one, with every field but the
 * delta text unchanged; restore brings back the same events and the same
 * text per channel (the value whole in the delta that held its last
 * byte); a placeholder split over two deltas is restored; interleaved
 * choices and tool-call arguments have channels of their own; output
 * does not depend on the chunking.
 */
#include "blackbar.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <cjson/cJSON.h>

#include "outbuf.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char *slurp(const char *name, size_t *len)
{
    char rel[256];

    snprintf(rel, sizeof(rel), "%s/%s", "sse", name);
    return fixture(rel, len);
}

static size_t piece(int mode, uint64_t *seed, size_t left)
{
    size_t k = left;

    if (mode == 1) {
        k = 1;
    } else if (mode > 1) {
        *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
        k = 1 + (size_t)((*seed >> 33) % 29);
    }
    return k > left ? left : k;
}

struct env {
    struct bb_ruleset *rs;
    struct bb_redactor *rd;
    struct bb_vault *v;
};

static void env_new(struct env *e)
{
    struct bb_err err = { 0, "" };

    memset(e, 0, sizeof(*e));
    ck_assert_int_eq(bb_ruleset_new(&e->rs, NULL, &err), 0);
    ck_assert_int_eq(bb_ruleset_add_builtin(e->rs, &err), 0);
    ck_assert_int_eq(bb_ruleset_compile(e->rs, &err), 0);
    ck_assert_int_eq(bb_redactor_new(&e->rd, e->rs, &err), 0);
    ck_assert_int_eq(bb_vault_new(&e->v, &err), 0);
    bb_redactor_on_placeholder(e->rd, to_vault, e->v);
}

static void env_free(struct env *e)
{
    bb_vault_free(e->v);
    bb_redactor_free(e->rd);
    bb_ruleset_free(e->rs);
}

static void scrub(struct out *o, struct env *e, const char *in, size_t n,
                  int mode)
{
    struct bb_sse_scrubber *s = NULL;
    struct bb_err err = { 0, "" };
    uint64_t seed = (uint64_t)mode;
    size_t i;

    memset(o, 0, sizeof(*o));
    out_write("", 0, o);
    ck_assert_int_eq(bb_sse_scrubber_new(&s, e->rs, e->rd, out_write, o,
                                         &err), 0);
    for (i = 0; i < n;) {
        size_t k = piece(mode, &seed, n - i);

        ck_assert_msg(bb_sse_scrubber_feed(s, in + i, k, &err) == 0, "%s",
                      err.msg);
        i += k;
    }
    ck_assert_msg(bb_sse_scrubber_finish(s, &err) == 0, "%s", err.msg);
    bb_sse_scrubber_free(s);
}

static void restore(struct out *o, struct bb_vault *v, const char *in,
                    size_t n, int mode)
{
    struct bb_restorer *r = NULL;
    struct bb_err err = { 0, "" };
    uint64_t seed = (uint64_t)mode + 11;
    size_t i;

    memset(o, 0, sizeof(*o));
    out_write("", 0, o);
    ck_assert_int_eq(bb_restorer_new(&r, v, BB_FORMAT_SSE, out_write, o,
                                     &err), 0);
    for (i = 0; i < n;) {
        size_t k = piece(mode, &seed, n - i);

        ck_assert_int_eq(bb_restorer_feed(r, in + i, k, &err), 0);
        i += k;
    }
    ck_assert_msg(bb_restorer_finish(r, &err) == 0, "%s", err.msg);
    bb_restorer_free(r);
}

/* The delta text of a provider event (cut out of o, left as ""), or
 * NULL when o has none. */
static char *take_delta(cJSON *o)
{
    cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "delta");
    cJSON *t = NULL;
    char *s;

    if (cJSON_IsString(d)) {
        t = d; /* Responses */
    } else if (cJSON_IsObject(d)) {
        t = cJSON_GetObjectItemCaseSensitive(d, "text"); /* Anthropic */
    } else if ((d = cJSON_GetObjectItemCaseSensitive(o, "choices"))) {
        d = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(d, 0),
                                             "delta");
        t = cJSON_GetObjectItemCaseSensitive(d, "content"); /* Chat */
    } else if ((d = cJSON_GetObjectItemCaseSensitive(o, "candidates"))) {
        d = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(d, 0),
                                             "content");
        d = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(d, "parts"), 0);
        t = cJSON_GetObjectItemCaseSensitive(d, "text"); /* Gemini */
    }
    if (!cJSON_IsString(t)) {
        return NULL;
    }
    s = strdup(t->valuestring);
    ck_assert_ptr_nonnull(s);
    cJSON_SetValuestring(t, "");
    return s;
}

struct stream_view {
    size_t events;
    char text[4096];     /* the deltas' text, joined */
    size_t ndelta;
    char *deltas[64];    /* each delta's text */
    cJSON *rest[64];     /* each event's payload without its delta */
    char *other[64];     /* each event's lines other than data */
};

/* Cut a stream (LF line ends, one data line per event) into events. */
static void view(struct stream_view *v, const char *s)
{
    const char *p = s;

    memset(v, 0, sizeof(*v));
    while (*p != '\0') {
        const char *end = strstr(p, "\n\n");
        const char *l = p;
        size_t i = v->events;
        char other[512] = "";

        ck_assert_ptr_nonnull(end);
        ck_assert_uint_lt(i, ARRAY_LEN(v->rest));
        while (l < end + 1) {
            const char *nl = strchr(l, '\n');

            if (strncmp(l, "data: ", 6) == 0) {
                char *d = strndup(l + 6, (size_t)(nl - l - 6));

                v->rest[i] = cJSON_Parse(d);
                free(d);
                if (v->rest[i] != NULL) {
                    v->deltas[i] = take_delta(v->rest[i]);
                }
                if (v->deltas[i] != NULL) {
                    strcat(v->text, v->deltas[i]);
                    v->ndelta++;
                }
            } else {
                strncat(other, l, (size_t)(nl - l + 1));
            }
            l = nl + 1;
        }
        v->other[i] = strdup(other);
        v->events++;
        p = end + 2;
    }
}

static void view_free(struct stream_view *v)
{
    size_t i;

    for (i = 0; i < v->events; i++) {
        cJSON_Delete(v->rest[i]);
        free(v->deltas[i]);
        free(v->other[i]);
    }
}

/* Same events, same lines, and (payloads) the same payloads but for the
 * delta text. */
static void same_frames(const struct stream_view *a,
                        const struct stream_view *b, bool payloads,
                        const char *what)
{
    size_t i;

    ck_assert_msg(a->events == b->events, "%s: %zu events, not %zu", what,
                  b->events, a->events);
    ck_assert_uint_eq(a->ndelta, b->ndelta);
    for (i = 0; i < a->events; i++) {
        ck_assert_str_eq(a->other[i], b->other[i]);
        ck_assert_msg((a->rest[i] == NULL) == (b->rest[i] == NULL) &&
                          (a->rest[i] == NULL || !payloads ||
                           cJSON_Compare(a->rest[i], b->rest[i], true)),
                      "%s: event %zu differs beyond its delta", what, i);
    }
}

/* The last k deltas of the stream are want[0, k). */
static void last_deltas(const struct stream_view *v,
                        const char *const *want, size_t k)
{
    size_t i = v->events;

    while (k > 0) {
        ck_assert_uint_gt(i, 0);
        i--;
        if (v->deltas[i] != NULL) {
            k--;
            ck_assert_str_eq(v->deltas[i], want[k]);
        }
    }
}

static const char *const want[] = {
    "Sure, write to ", "", "<EMAIL_1> or call <PHONE_1>", ". Done.",
};

static const char *const split[] = {
    "responses-split.sse", "chat-split.sse", "anthropic-split.sse",
};

/* (gemini-split.sse uses CRLF: roundtrip.sh covers it) */

/* An email and a phone number, each streamed over deltas, in the three
 * providers' recorded formats. */
START_TEST(test_split_values)
{
    size_t n;
    char *in = slurp(split[_i], &n);
    struct out first;
    int mode;

    memset(&first, 0, sizeof(first));
    for (mode = 0; mode < 4; mode++) {
        struct env e;
        struct out s;
        struct out b;
        struct stream_view vin;
        struct stream_view vs;
        struct stream_view vb;

        env_new(&e);
        scrub(&s, &e, in, n, mode);
        ck_assert(strstr(s.p, "jane") == NULL);
        ck_assert(strstr(s.p, "555") == NULL);
        view(&vin, in);
        view(&vs, s.p);
        same_frames(&vin, &vs, false, "scrubbed");
        ck_assert_str_eq(vs.text, "Sure, write to <EMAIL_1> or call "
                                  "<PHONE_1>. Done.");
        /* the address spans deltas 1-3 and lands in the last of them;
         * the text before it stays in its delta, and the number (whole
         * in delta 3) stays with it */
        last_deltas(&vs, want, ARRAY_LEN(want));
        /* the whole text (Responses' *.done and completed events, scrubbed
         * as one value) agrees with the deltas */
        ck_assert(_i != 0 ||
                  strstr(s.p, "\"text\":\"Sure, write to <EMAIL_1> or call "
                              "<PHONE_1>. Done.\"") != NULL);
        restore(&b, e.v, s.p, s.n, mode);
        view(&vb, b.p);
        same_frames(&vin, &vb, true, "restored");
        ck_assert_str_eq(vb.text, vin.text);
        if (mode == 0) {
            first = s;
        } else {
            ck_assert_str_eq(s.p, first.p); /* chunking invariance */
            free(s.p);
        }
        view_free(&vin);
        view_free(&vs);
        view_free(&vb);
        free(b.p);
        env_free(&e);
    }
    free(first.p);
    free(in);
}
END_TEST

/* A placeholder the model streams in two pieces is restored, whole, in
 * the delta that ends it. */
START_TEST(test_placeholder_split)
{
    struct bb_vault *v = NULL;
    struct bb_err err = { 0, "" };
    struct stream_view vb;
    struct out b;
    size_t n;
    char *in = slurp("anthropic-placeholder-split.sse", &n);
    int mode;

    ck_assert_int_eq(bb_vault_new(&v, &err), 0);
    ck_assert_int_eq(bb_vault_add(v, "<EMAIL_1>", 9, "jane.doe@example.com",
                                  20, &err), 0);
    for (mode = 0; mode < 4; mode++) {
        static const char *const w[] = { "I will write to ",
                                         "jane.doe@example.com now." };

        restore(&b, v, in, n, mode);
        view(&vb, b.p);
        last_deltas(&vb, w, ARRAY_LEN(w));
        view_free(&vb);
        free(b.p);
    }
    bb_vault_free(v);
    free(in);
}
END_TEST

static void chat_chunk(struct out *o, int choice, const char *delta,
                       const char *finish)
{
    char buf[512];

    snprintf(buf, sizeof(buf),
             "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{"
             "\"index\":%d,\"delta\":%s,\"finish_reason\":%s}]}\n\n",
             choice, delta, finish);
    out_write(buf, strlen(buf), o);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;

    while ((s = strstr(s, what)) != NULL) {
        n++;
        s++;
    }
    return n;
}

/* Two choices interleaved (n = 2), and a tool call's arguments: each is
 * a channel of its own, every event stays in its place. */
START_TEST(test_interleaved)
{
    struct env e;
    struct out in;
    struct out s;
    struct stream_view vs;
    int mode;

    memset(&in, 0, sizeof(in));
    chat_chunk(&in, 0, "{\"content\":\"mail al\"}", "null");
    chat_chunk(&in, 1, "{\"content\":\"call b\"}", "null");
    chat_chunk(&in, 0, "{\"content\":\"ice@example.com ok\"}", "null");
    chat_chunk(&in, 1, "{\"content\":\"ob@example.org\"}", "\"stop\"");
    chat_chunk(&in, 0, "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                       "\"function\":{\"arguments\":\"{\\\"to\\\":\\\"jane."
                       "d\"}}]}", "null");
    chat_chunk(&in, 0, "{\"tool_calls\":[{\"index\":0,\"function\":{"
                       "\"arguments\":\"oe@example.com\\\"}\"}}]}", "null");
    chat_chunk(&in, 0, "{}", "\"tool_calls\"");
    out_write("data: [DONE]\n\n", 14, &in);
    for (mode = 0; mode < 4; mode++) {
        env_new(&e);
        scrub(&s, &e, in.p, in.n, mode);
        ck_assert_msg(strstr(s.p, "example.") == NULL, "%s", s.p);
        /* (placeholders are numbered as values are decided: alice's
         * only when her choice ends) */
        ck_assert(strstr(s.p, "\"content\":\"mail \"") != NULL);
        ck_assert(strstr(s.p, "\"content\":\"call \"") != NULL);
        ck_assert(strstr(s.p, "> ok\"") != NULL);
        ck_assert(strstr(s.p, "\"arguments\":\"{\\\"to\\\":\\\"\"") != NULL);
        ck_assert(strstr(s.p, "\"arguments\":\"<EMAIL_") != NULL);
        ck_assert_uint_eq(count(s.p, "<EMAIL_"), 3);
        view(&vs, s.p);
        ck_assert_uint_eq(vs.events, 8);
        view_free(&vs);
        free(s.p);
        env_free(&e);
    }
    free(in.p);
}
END_TEST

/* Events a provider would not send still come out scrubbed: one channel
 * twice in an event (the first ending it), a repeated delta key, two
 * documents in one event's data lines. */
START_TEST(test_odd_events)
{
    static const char *const in[] = {
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
        "\"finish_reason\":\"stop\"},{\"index\":0,\"delta\":{\"content\":"
        "\"jane@example.com\"}}]}\n\n",
        "data: {\"type\":\"response.output_text.delta\",\"delta\":\"jane@"
        "example.com\",\"delta\":\"x\"}\n\n",
        "data: {\"type\":\"response.output_text.delta\",\"delta\":\"a\"}\n"
        "data: {\"type\":\"response.output_text.delta\",\"delta\":\"jane@"
        "example.com\"}\n\n",
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(in); i++) {
        struct env e;
        struct out s;
        int mode;

        for (mode = 0; mode < 3; mode++) {
            env_new(&e);
            scrub(&s, &e, in[i], strlen(in[i]), mode);
            ck_assert_msg(strstr(s.p, "jane") == NULL, "%zu: %s", i, s.p);
            ck_assert_msg(strstr(s.p, "<EMAIL_1>") != NULL, "%zu: %s", i,
                          s.p);
            free(s.p);
            env_free(&e);
        }
    }
}
END_TEST

/* An observer that answers a finding with a block stops the stream: the
 * events before the one that holds the finding's first byte go out,
 * nothing after, and feed or finish says BB_ESTOP. */
static int stop_on_email(const struct bb_finding *f, void *ud)
{
    struct bb_rule_info ri;

    ck_assert_int_eq(bb_ruleset_rule(&ri, ud, f->rule, NULL), 0);
    return strcmp(ri.type, "EMAIL") == 0 ? 1 : 0;
}

START_TEST(test_stop)
{
    struct env e;
    struct bb_sse_scrubber *s = NULL;
    struct bb_err err = { 0, "" };
    struct out in;
    struct out o;
    int rc;

    env_new(&e);
    memset(&in, 0, sizeof(in));
    memset(&o, 0, sizeof(o));
    out_write("", 0, &o);
    chat_chunk(&in, 0, "{\"content\":\"call 555 0100. \"}", "null");
    chat_chunk(&in, 0, "{\"content\":\"mail jane.d\"}", "null");
    chat_chunk(&in, 0, "{\"content\":\"oe@example.com now\"}", "null");
    chat_chunk(&in, 0, "{}", "\"stop\"");
    ck_assert_int_eq(bb_sse_scrubber_new(&s, e.rs, e.rd, out_write, &o,
                                         &err), 0);
    bb_sse_scrubber_on_finding(s, stop_on_email, e.rs);
    rc = bb_sse_scrubber_feed(s, in.p, in.n, &err);
    if (rc == 0) {
        rc = bb_sse_scrubber_finish(s, &err);
    }
    ck_assert_int_eq(rc, BB_ESTOP);
    ck_assert_msg(strstr(o.p, "call 555 0100. ") != NULL, "%s", o.p);
    ck_assert(strstr(o.p, "mail") == NULL);
    ck_assert(strstr(o.p, "example") == NULL);
    ck_assert_int_eq(bb_sse_scrubber_feed(s, "x", 1, &err), BB_ESTATE);
    bb_sse_scrubber_free(s);
    free(in.p);
    free(o.p);
    env_free(&e);
}
END_TEST

/* A channel that holds bytes over more than 4096 events fails (a
 * private key streamed a character at a time: it may go on for 16000
 * bytes); nothing of the held events is written. */
START_TEST(test_queue_limit)
{
    struct env e;
    struct bb_sse_scrubber *s = NULL;
    struct bb_err err = { 0, "" };
    struct out in;
    struct out key;
    struct out o;
    int rc = 0;
    int i;

    env_new(&e);
    memset(&in, 0, sizeof(in));
    memset(&key, 0, sizeof(key));
    memset(&o, 0, sizeof(o));
    out_write("", 0, &o);
    chat_chunk(&key, 0, "{\"content\":\"-----BEGIN PRIVATE KEY-----\"}",
               "null");
    chat_chunk(&in, 0, "{\"content\":\"Q\"}", "null");
    ck_assert_int_eq(bb_sse_scrubber_new(&s, e.rs, e.rd, out_write, &o,
                                         &err), 0);
    ck_assert_int_eq(bb_sse_scrubber_feed(s, key.p, key.n, &err), 0);
    for (i = 0; rc == 0 && i < 5000; i++) {
        rc = bb_sse_scrubber_feed(s, in.p, in.n, &err);
    }
    ck_assert_int_eq(rc, BB_ELIMIT);
    ck_assert_msg(strstr(err.msg, "4096 events") != NULL, "%s", err.msg);
    ck_assert_uint_eq(o.n, 0);
    bb_sse_scrubber_free(s);
    free(in.p);
    free(key.p);
    free(o.p);
    env_free(&e);
}
END_TEST

static Suite *channels_suite(void)
{
    Suite *s = suite_create("channels");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_split_values, 0, (int)ARRAY_LEN(split));
    tcase_add_test(tc, test_placeholder_split);
    tcase_add_test(tc, test_interleaved);
    tcase_add_test(tc, test_queue_limit);
    tcase_add_test(tc, test_odd_events);
    tcase_add_test(tc, test_stop);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(channels_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
