/*
 * cmd_send.c - `blackbar send URL`: one model request as a pipe. The
 * JSON body (standard input or -d) is scrubbed, its placeholders kept in
 * a vault in memory, and POSTed with libcurl; the answer is moderated as
 * it comes (the moderation rules, on the answer as the model wrote it)
 * and written with the placeholders restored. A streamed
 * answer (text/event-stream) goes out event by event; a block ends it
 * with one error event in the provider's format. Connection errors, 429
 * and 5xx are retried with backoff while nothing has been written.
 */
#include <getopt.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cli_upstream.h"

#define BODY_MAX ((size_t)32 << 20)

static const char usage[] =
    "usage: blackbar send [OPTIONS] URL\n"
    "\n"
    "POST a JSON request (standard input, or -d) to a model API with its\n"
    "PII and secrets replaced by placeholders, and write the answer with\n"
    "the placeholders put back, after moderating it (a stream is passed\n"
    "on event by event). Exit 0 answered, 1 blocked, 2 error (an HTTP\n"
    "error from the API is written and exits 2).\n"
    "\n"
    "Options:\n"
    "  -d, --data DATA         the body: @FILE, or the JSON itself\n"
    "  -H, --header 'N: V'     a request header; repeatable\n"
    "      --bearer-env NAME   send 'Authorization: Bearer $NAME' (the key\n"
    "                          never goes on the command line)\n"
    "  -r, --rules PATH        add a rule pack; repeatable\n"
    "      --no-default-rules  do not load the built-in packs\n"
    "      --retries N         retries on connection errors, 429 and 5xx\n"
    "                          before any output (default 2)\n"
    "      --timeout S         seconds for the whole exchange (default 600)\n"
    "      --audit FILE        append the request's redactions and any block\n"
    "                          (with the API's request id) to the audit log\n"
    "      --audit-key-file F  the audit key (else $BLACKBAR_AUDIT_KEY or\n"
    "                          ~/.config/blackbar/audit.key)\n"
    "  -h, --help              show this help\n";

enum {
    OPT_BEARER = OPT_HELP + 1,
    OPT_RETRIES,
    OPT_TIMEOUT
};

static const struct option longopts[] = {
    { "data", required_argument, NULL, 'd' },
    { "header", required_argument, NULL, 'H' },
    { "bearer-env", required_argument, NULL, OPT_BEARER },
    { "rules", required_argument, NULL, 'r' },
    { "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
    { "retries", required_argument, NULL, OPT_RETRIES },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "audit", required_argument, NULL, OPT_AUDIT },
    { "audit-key-file", required_argument, NULL, OPT_AUDIT_KEY_FILE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct mem {
    char *p;
    size_t n;
};

static int mem_put(const void *data, size_t len, void *ud)
{
    struct mem *m = ud;
    char *p;

    if (len == 0) {
        return 0;
    }
    p = realloc(m->p, m->n + len + 1);
    if (p == NULL) {
        return -1;
    }
    memcpy(p + m->n, data, len);
    m->p = p;
    m->n += len;
    m->p[m->n] = '\0';
    return 0;
}

static int out_write(const void *data, size_t len, void *ud)
{
    (void)ud;
    return cli_out_write(data, len, NULL);
}

/* POST body to url and write the answer. 0 answered, 1 blocked, 2 API
 * error, -1 error. */
static int exchange(struct upstream *u, struct answer *a, const char *url,
                    const struct curl_slist *h, const struct mem *body,
                    long retries, long timeout_s)
{
    int rc = up_start(u, a, url, h, body->p, body->n, (unsigned)retries,
                      timeout_s);

    while (rc == 0) {
        rc = up_step(u, 1000);
        if (rc == 0 && a->sse && cli_out_flush("send") < 0) {
            return -1;
        }
    }
    if (rc < 0) {
        return cli_fail("send", &a->err);
    }
    if (u->result != CURLE_OK && !u->blocked) {
        cli_error("send", "%s: %s%s", url, curl_easy_strerror(u->result),
                  a->started ? " (the answer is cut)" : "");
        return -1;
    }
    if (answer_finish(a) < 0) {
        return cli_fail("send", &a->err);
    }
    return a->blocked ? 1 : a->error ? 2 : 0;
}

/* The request body, scrubbed, with the vault filled. */
/* The first finding of a block rule: the request is refused. */
static int watch_block(const struct bb_finding *f, void *ud)
{
    struct bb_finding *b = ud;

    if (f->action == BB_ACTION_BLOCK && b->length == 0) {
        *b = *f;
        b->value = NULL;
    }
    return 0;
}

static int scrub_request(struct mem *out, const struct bb_ruleset *rs,
                         struct bb_vault *v, const struct mem *in,
                         uint64_t *counts, struct bb_finding *block)
{
    struct bb_redactor *rd = NULL;
    struct bb_json_scrubber *j = NULL;
    struct bb_err err;
    int rc = bb_redactor_new(&rd, rs, &err);

    if (rc == 0) {
        bb_redactor_on_placeholder(rd, answer_vault_add, v);
        rc = bb_json_scrubber_new(&j, rs, rd, false, mem_put, out, &err);
    }
    if (rc == 0) {
        bb_json_scrubber_on_finding(j, watch_block, block);
    }
    rc = rc == 0 ? bb_json_scrubber_feed(j, in->p ? in->p : "", in->n, &err)
                 : rc;
    rc = rc == 0 ? bb_json_scrubber_finish(j, &err) : rc;
    if (rc == 0) {
        memcpy(counts, bb_json_scrubber_counts(j),
               bb_ruleset_count(rs) * sizeof(*counts));
    }
    bb_json_scrubber_free(j);
    bb_redactor_free(rd);
    if (rc < 0) {
        cli_error("send", "the request body: %s (nothing was sent)",
                  err.msg);
        return -1;
    }
    return 0;
}

static int slurp_cb(const char *buf, size_t n, void *ud)
{
    struct mem *m = ud;

    if (m->n + n > BODY_MAX) {
        return -2;
    }
    return mem_put(buf, n, m) < 0 ? -3 : 0;
}

/* The body: -d @FILE, -d JSON, or standard input. */
static int read_body(struct mem *m, const char *data)
{
    int rc;

    if (data != NULL && data[0] != '@') {
        return mem_put(data, strlen(data), m) < 0 ? -1 : 0;
    }
    rc = cli_read_path(data ? data + 1 : NULL, "send", slurp_cb, m);
    if (rc == -2) {
        cli_error("send", "a request body longer than 32 MiB");
    }
    return rc < 0 ? -1 : 0;
}

/* A request that a block rule refuses: nothing is sent; the provider's
 * error to stdout, the block to the audit log. Returns 1 (or -1). */
static int refuse(struct bb_audit *audit, const struct bb_ruleset *rs,
                  const struct bb_finding *f, enum provider p)
{
    struct bb_rule_info ri;
    char msg[200];
    char out[768];
    size_t n;
    int rc = 1;

    bb_ruleset_rule(&ri, rs, f->rule, NULL);
    cli_error("send", "the request was blocked by rule %s (nothing was "
              "sent)", ri.id);
    prov_block_message(msg, sizeof(msg), "request", "rule", ri.id);
    n = prov_error_json(out, sizeof(out), p, 400, msg);
    if (cli_out_write(out, n, NULL) < 0) {
        rc = -1;
    }
    if (audit != NULL &&
        cli_audit_request_block(audit, "send", rs, f, NULL, NULL) < 0) {
        rc = -1;
    }
    bb_audit_close(audit);
    return rc;
}

int cmd_send(int argc, char **argv)
{
    struct cli_rules cr;
    struct bb_ruleset *rs = NULL;
    struct bb_ruleset *mrs = NULL;
    struct curl_slist *h = NULL;
    struct mem in = { NULL, 0 };
    struct mem body = { NULL, 0 };
    struct watch w;
    struct upstream u;
    struct answer a;
    struct bb_vault *vault = NULL;
    struct bb_err err;
    const char *data = NULL;
    const char *bearer = NULL;
    const char *audit_path = NULL;
    const char *audit_key = NULL;
    struct bb_audit *audit = NULL;
    uint64_t *counts = NULL;
    struct bb_finding block;
    const char *url;
    long retries = 2;
    long timeout_s = 600;
    int rc = 0;
    int c;

    memset(&cr, 0, sizeof(cr));
    memset(&w, 0, sizeof(w));
    memset(&u, 0, sizeof(u));
    memset(&a, 0, sizeof(a));
    memset(&block, 0, sizeof(block));
    optind = 1;
    opterr = 0;
    while (rc == 0 &&
           (c = getopt_long(argc, argv, "d:H:r:h", longopts, NULL)) != -1) {
        int r = cli_rules_option(&cr, c, optarg, "send");

        if (r != 0) {
            rc = r < 0 ? -1 : 0;
        } else if (c == 'h') {
            fputs(usage, stdout);
            return EXIT_CLEAN;
        } else if (c == 'd') {
            data = optarg;
        } else if (c == 'H') {
            h = curl_slist_append(h, optarg);
        } else if (c == OPT_BEARER) {
            bearer = optarg;
        } else if (c == OPT_AUDIT) {
            audit_path = optarg;
        } else if (c == OPT_AUDIT_KEY_FILE) {
            audit_key = optarg;
        } else if (c == OPT_RETRIES || c == OPT_TIMEOUT) {
            char *end;
            long v = strtol(optarg, &end, 10);

            if (*end != '\0' || v < 0 || v > (c == OPT_RETRIES ? 10 : 86400)) {
                cli_error("send", "bad --%s %s",
                          c == OPT_RETRIES ? "retries" : "timeout", optarg);
                rc = -1;
            }
            *(c == OPT_RETRIES ? &retries : &timeout_s) = v;
        } else {
            cli_bad_option("send", argc, argv);
            rc = -1;
        }
    }
    if (rc == 0 && optind != argc - 1) {
        cli_error("send", "give one URL (see blackbar send --help)");
        rc = -1;
    }
    url = rc == 0 ? argv[optind] : NULL;
    if (rc == 0 && bearer != NULL) {
        const char *key = getenv(bearer);
        char *line = key ? malloc(strlen(key) + 32) : NULL;

        if (line == NULL) {
            cli_error("send", "$%s is not set", bearer);
            rc = -1;
        } else {
            snprintf(line, strlen(key) + 32, "Authorization: Bearer %s", key);
            h = curl_slist_append(h, line);
            memset(line, 0, strlen(line));
            free(line);
        }
    }
    h = curl_slist_append(h, "Content-Type: application/json");
    if (rc == 0) {
        rs = cli_load_rules(&cr, "send");
        mrs = rs ? answer_rules("send") : NULL;
        rc = mrs ? 0 : -1;
    }
    if (rc == 0 && (bb_vault_new(&vault, &err) < 0 ||
                    bb_moderator_new(&w.m, mrs, &err) < 0)) {
        rc = cli_fail("send", &err);
    }
    w.rs = mrs;
    w.source = "send";
    w.request_id = u.request_id;
    a.vault = vault;
    a.w = &w;
    a.mrs = mrs;
    a.provider = prov_of_path(url);
    a.write = out_write;
    a.max = ANSWER_MAX;
    if (rc == 0 && audit_path != NULL) {
        audit = cli_audit_open(audit_path, audit_key, "send");
        rc = audit ? 0 : -1;
    }
    counts = rc == 0 ? calloc(bb_ruleset_count(rs) + 1, sizeof(*counts))
                     : NULL;
    rc = rc == 0 && counts == NULL ? -1 : rc;
    rc = rc == 0 ? read_body(&in, data) : rc;
    rc = rc == 0 ? scrub_request(&body, rs, vault, &in, counts, &block)
                 : rc;
    if (in.p != NULL) {
        memset(in.p, 0, in.n);
    }
    if (rc == 0 && block.length > 0) {
        rc = refuse(audit, rs, &block, a.provider);
        audit = NULL; /* written and closed */
    }
    if (rc == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        cli_error("send", "libcurl would not start");
        rc = -1;
    }
    if (rc == 0 && (up_init(&u) < 0 || h == NULL)) {
        cli_error("send", "out of memory");
        rc = -1;
    }
    rc = rc == 0 ? exchange(&u, &a, url, h, &body, retries, timeout_s) : rc;
    if (cli_out_sync("send") < 0) {
        rc = -1;
    }
    if (audit != NULL && rc >= 0 &&
        (cli_audit_counts(audit, "send", rs, counts, "send") < 0 ||
         (rc == 1 && mod_audit_hits(audit, &w, BB_ACTION_BLOCK, a.category,
                                    NULL, 0) < 0))) {
        rc = -1;
    }
    bb_audit_close(audit);
    free(counts);
    answer_reset(&a);
    up_free(&u);
    curl_slist_free_all(h);
    bb_vault_free(vault);
    bb_moderator_free(w.m);
    bb_ruleset_free(rs);
    bb_ruleset_free(mrs);
    free(in.p);
    free(body.p);
    return rc < 0 ? EXIT_ERROR : rc == 1 ? EXIT_FINDINGS
                               : rc == 2 ? EXIT_ERROR
                                         : EXIT_CLEAN;
}
