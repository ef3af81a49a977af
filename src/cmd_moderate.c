/*
 * cmd_moderate.c - `blackbar moderate [FILE...]`: check a model's
 * response. Each input (a file, or standard input) is one response,
 * read whole (64 MiB at most), scrubbed of PII and secrets and weighed
 * by the moderation rules; an allowed one is written (scrubbed), a
 * blocked one is replaced by a one-line notice (text) or the provider's
 * error (JSON). An SSE stream is passed on event by event until a block:
 * then one error event in the provider's format ends it. Exit 0
 * allowed, 1 blocked, 2 error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blackbar.h"
#include "cli.h"

#define INPUT_MAX ((size_t)64 << 20)

static const char usage[] =
    "usage: blackbar moderate [OPTIONS] [FILE...]\n"
    "\n"
    "Check model responses: each FILE (or standard input) is one\n"
    "response, scrubbed of PII and secrets and weighed by the moderation\n"
    "rules. An allowed response is written out scrubbed; a blocked one is\n"
    "replaced by a one-line notice (text) or an OpenAI-style error\n"
    "(json). A stream (sse) goes out event by event until a block, then\n"
    "one error event in the provider's format ends it. Exit 0 when every\n"
    "response is allowed, 1 when one is blocked, 2 on an error.\n"
    "\n"
    "Options:\n"
    "  -r, --rules PATH        add a rule pack (file, or directory of "
    "*.json);\n"
    "                          repeatable\n"
    "      --no-default-rules  do not load the built-in packs\n"
    "      --format FORMAT     text (default), json or sse\n"
    "      --threshold CAT=N   a category blocks (or flags) when the weights\n"
    "                          of its rules that matched reach N (default\n"
    "                          1); repeatable\n"
    "      --action-override CAT=block|flag\n"
    "                          what a category does; repeatable\n"
    "      --explain           print the rules that matched (ids and\n"
    "                          categories, never the text) to stderr\n"
    "      --audit FILE        append each block and flag to the audit log\n"
    "      --audit-key-file F  the audit key (else $BLACKBAR_AUDIT_KEY or\n"
    "                          ~/.config/blackbar/audit.key)\n"
    "  -h, --help              show this help\n";

enum {
    OPT_THRESHOLD = OPT_HELP + 1,
    OPT_OVERRIDE,
    OPT_EXPLAIN
};

static const struct option longopts[] = {
    { "rules", required_argument, NULL, 'r' },
    { "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "action-override", required_argument, NULL, OPT_OVERRIDE },
    { "explain", no_argument, NULL, OPT_EXPLAIN },
    { "audit", required_argument, NULL, OPT_AUDIT },
    { "audit-key-file", required_argument, NULL, OPT_AUDIT_KEY_FILE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct mod_opts {
    struct cli_rules rules;
    bool json;
    bool sse;
    bool explain;
    const char *audit;
    const char *audit_key_file;
    char *settings[64]; /* "T:CAT=N" or "A:CAT=ACTION" */
    size_t nsettings;
};

struct out {
    char *p;
    size_t n, cap;
};

static int put(const void *data, size_t len, void *ud)
{
    struct out *o = ud;

    if (o->n + len > o->cap) {
        size_t cap = (o->n + len) * 2 + 4096;
        char *p = realloc(o->p, cap);

        if (p == NULL) {
            return -1;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->n, data, len);
    o->n += len;
    return 0;
}

/* Where each moderation rule first matched (for --explain and the
 * audit log). */
struct hit {
    size_t rule;
    uint64_t offset;
    size_t length;
    char *value; /* in memory only: fingerprinted, never written */
};

struct watch {
    struct bb_moderator *m;
    const struct bb_ruleset *rs;
    struct hit hits[64];
    size_t nhits;
};

static int observe(const struct bb_finding *f, void *ud)
{
    struct watch *w = ud;
    struct bb_rule_info ri;
    const char *cat;

    if (bb_ruleset_rule(&ri, w->rs, f->rule, NULL) == 0 &&
        ri.category != NULL && !bb_moderator_fired(w->m, f->rule) &&
        w->nhits < sizeof(w->hits) / sizeof(*w->hits)) {
        struct hit *h = &w->hits[w->nhits];

        h->value = malloc(f->length + 1);
        if (h->value == NULL) {
            return BB_ENOMEM;
        }
        memcpy(h->value, f->value, f->length);
        h->value[f->length] = '\0';
        h->rule = f->rule;
        h->offset = f->offset;
        h->length = f->length;
        w->nhits++;
    }
    if (bb_moderator_observe(f, w->m) < 0) {
        return BB_ENOMEM;
    }
    /* a block stops a stream (the SSE scrubber) before this finding */
    return bb_moderator_verdict(w->m, &cat) == BB_ACTION_BLOCK ? 1 : 0;
}

static void watch_reset(struct watch *w)
{
    size_t i;

    for (i = 0; i < w->nhits; i++) {
        memset(w->hits[i].value, 0, w->hits[i].length);
        free(w->hits[i].value);
    }
    w->nhits = 0;
    bb_moderator_reset(w->m);
}

static int parse(struct mod_opts *o, int argc, char **argv)
{
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
        int r = cli_rules_option(&o->rules, c, optarg, "moderate");

        if (r < 0) {
            return -1;
        }
        if (r > 0) {
            continue;
        }
        if (c == 'h') {
            fputs(usage, stdout);
            return 1;
        }
        if (c == OPT_FORMAT && (strcmp(optarg, "text") == 0 ||
                                strcmp(optarg, "json") == 0 ||
                                strcmp(optarg, "sse") == 0)) {
            o->json = strcmp(optarg, "json") == 0;
            o->sse = strcmp(optarg, "sse") == 0;
        } else if (c == OPT_FORMAT) {
            cli_error("moderate", "unknown --format %s (want text, json or "
                      "sse)", optarg);
            return -1;
        } else if ((c == OPT_THRESHOLD || c == OPT_OVERRIDE) &&
                   o->nsettings < 64) {
            char *s = malloc(strlen(optarg) + 3);

            if (s == NULL) {
                return -1;
            }
            snprintf(s, strlen(optarg) + 3, "%c:%s",
                     c == OPT_THRESHOLD ? 'T' : 'A', optarg);
            o->settings[o->nsettings++] = s;
        } else if (c == OPT_EXPLAIN) {
            o->explain = true;
        } else if (c == OPT_AUDIT) {
            o->audit = optarg;
        } else if (c == OPT_AUDIT_KEY_FILE) {
            o->audit_key_file = optarg;
        } else {
            cli_bad_option("moderate", argc, argv);
            return -1;
        }
    }
    return 0;
}

/* --threshold and --action-override onto the moderator. */
static int apply_settings(struct bb_moderator *m, const struct mod_opts *o)
{
    struct bb_err err;
    size_t i;

    for (i = 0; i < o->nsettings; i++) {
        char *eq = strchr(o->settings[i] + 2, '=');
        char *cat = o->settings[i] + 2;
        int rc;

        if (eq == NULL) {
            cli_error("moderate", "%s wants CATEGORY=VALUE",
                      o->settings[i][0] == 'T' ? "--threshold"
                                               : "--action-override");
            return -1;
        }
        *eq = '\0';
        if (o->settings[i][0] == 'T') {
            char *end;
            double t = strtod(eq + 1, &end);

            if (*end != '\0' || end == eq + 1) {
                *eq = '=';
                cli_error("moderate", "--threshold %s: not a number",
                          o->settings[i] + 2);
                return -1;
            }
            rc = bb_moderator_threshold(m, cat, t, &err);
        } else {
            enum bb_action a = strcmp(eq + 1, "block") == 0 ? BB_ACTION_BLOCK
                               : strcmp(eq + 1, "flag") == 0
                                   ? BB_ACTION_FLAG
                                   : BB_ACTION_REDACT;

            rc = bb_moderator_action(m, cat, a, &err);
        }
        *eq = '=';
        if (rc < 0) {
            cli_error("moderate", "%s: %s", o->settings[i] + 2, err.msg);
            return -1;
        }
    }
    return 0;
}

static int slurp_cb(const char *buf, size_t n, void *ud)
{
    struct out *in = ud;

    if (in->n + n > INPUT_MAX) {
        return -2;
    }
    return put(buf, n, in) < 0 ? -3 : 0;
}

static void explain(const struct watch *w, const char *name)
{
    struct bb_rule_info ri;
    size_t i;

    for (i = 0; i < w->nhits; i++) {
        if (bb_ruleset_rule(&ri, w->rs, w->hits[i].rule, NULL) == 0) {
            fprintf(stderr, "%s: %s (%s, weight %g, %s)\n", name, ri.id,
                    ri.category, ri.weight,
                    ri.action == BB_ACTION_BLOCK ? "block" : "flag");
        }
    }
}

static int audit_hits(struct bb_audit *a, const struct watch *w,
                      enum bb_action verdict, const char *category)
{
    struct bb_rule_info ri;
    struct bb_err err;
    size_t i;

    for (i = 0; i < w->nhits; i++) {
        struct bb_audit_rec r;
        char ex[64];

        if (bb_ruleset_rule(&ri, w->rs, w->hits[i].rule, NULL) < 0 ||
            strcmp(ri.category, category) != 0) {
            continue;
        }
        memset(&r, 0, sizeof(r));
        snprintf(ex, sizeof(ex), "[%zu chars withheld]", w->hits[i].length);
        r.event = verdict == BB_ACTION_BLOCK ? "block" : "flag";
        r.source = "moderate";
        r.direction = "response";
        r.rule = ri.id;
        r.category = ri.category;
        r.type = ri.type;
        r.action = r.event;
        r.offset = w->hits[i].offset;
        r.length = w->hits[i].length;
        r.value = w->hits[i].value;
        r.value_len = w->hits[i].length;
        r.excerpt = ex;
        if (bb_audit_write(a, &r, &err) < 0) {
            return cli_fail("moderate", &err);
        }
    }
    return 0;
}

/* ------------------------------------------------------------ streams */

enum provider { P_CHAT, P_RESPONSES, P_ANTHROPIC };

/* An SSE stream being moderated. */
struct gate {
    struct watch *w;
    struct bb_sse_scrubber *s;
    enum provider provider;
    bool known;          /* the provider was recognised */
    bool blocked;        /* the scrubber stopped at a block */
    const char *category;
    uint64_t events;
};

static int write_error_event(struct gate *g)
{
    char msg[160];
    char ev[512];

    snprintf(msg, sizeof(msg), "The response was blocked by blackbar "
             "(category: %s).", g->category);
    if (g->provider == P_ANTHROPIC) {
        snprintf(ev, sizeof(ev), "event: error\ndata: {\"type\":\"error\","
                 "\"error\":{\"type\":\"invalid_request_error\","
                 "\"message\":\"%s\"}}\n\n", msg);
    } else if (g->provider == P_RESPONSES) {
        snprintf(ev, sizeof(ev), "event: error\ndata: {\"type\":\"error\","
                 "\"code\":\"content_blocked\",\"message\":\"%s\","
                 "\"param\":null}\n\n", msg);
    } else {
        snprintf(ev, sizeof(ev), "data: {\"error\":{\"message\":\"%s\","
                 "\"type\":\"invalid_request_error\",\"param\":null,"
                 "\"code\":\"content_blocked\"}}\n\n", msg);
    }
    return cli_out_write(ev, strlen(ev), NULL);
}

static int gate_write(const void *p, size_t n, void *ud)
{
    (void)ud;
    return cli_out_write(p, n, NULL);
}

static void guess_provider(struct gate *g, const char *p, size_t n)
{
    if (g->known) {
        return;
    }
    if (memmem(p, n, "message_start", 13) != NULL ||
        memmem(p, n, "content_block_", 14) != NULL) {
        g->provider = P_ANTHROPIC;
        g->known = true;
    } else if (memmem(p, n, "\"response.", 10) != NULL ||
               memmem(p, n, "event: response.", 16) != NULL) {
        g->provider = P_RESPONSES;
        g->known = true;
    } else if (memmem(p, n, "\"choices\"", 9) != NULL) {
        g->known = true;
    }
}

static int sse_chunk(const char *buf, size_t n, void *ud)
{
    struct gate *g = ud;
    struct bb_err err;
    int rc;

    guess_provider(g, buf, n);
    rc = bb_sse_scrubber_feed(g->s, buf, n, &err);
    if (rc == BB_ESTOP) {
        return -5; /* blocked: read no more */
    }
    return rc < 0 ? cli_fail("moderate", &err) : 0;
}

/* A stream: 0 allowed, 1 blocked, -1 error. */
static int moderate_sse(const struct mod_opts *o, const struct bb_ruleset *rs,
                        struct watch *w, struct bb_audit *audit,
                        const char *path)
{
    struct bb_redactor *rd = NULL;
    struct gate g;
    struct bb_err err;
    const char *name = path ? path : "(stdin)";
    int rc = 0;

    memset(&g, 0, sizeof(g));
    g.w = w;
    if (bb_redactor_new(&rd, rs, &err) < 0 ||
        bb_sse_scrubber_new(&g.s, rs, rd, gate_write, &g, &err) < 0) {
        rc = cli_fail("moderate", &err);
    }
    if (rc == 0) {
        bb_sse_scrubber_on_finding(g.s, observe, w);
        rc = cli_read_path(path, "moderate", sse_chunk, &g);
        g.blocked = rc == -5;
        rc = rc == -5 ? 0 : rc;
    }
    if (rc == 0 && !g.blocked) {
        int r = bb_sse_scrubber_finish(g.s, &err);

        g.blocked = r == BB_ESTOP;
        rc = r < 0 && !g.blocked ? cli_fail("moderate", &err) : 0;
    }
    if (rc == 0 && g.blocked) {
        bb_moderator_verdict(w->m, &g.category);
        rc = write_error_event(&g) < 0 ? -1 : 0;
    }
    if (rc == 0 && o->explain) {
        explain(w, name);
    }
    if (rc == 0 && audit != NULL && g.blocked) {
        rc = audit_hits(audit, w, BB_ACTION_BLOCK, g.category);
    }
    bb_sse_scrubber_free(g.s);
    bb_redactor_free(rd);
    watch_reset(w);
    return rc < 0 ? -1 : g.blocked ? 1 : 0;
}

/* One response: 0 allowed, 1 blocked, -1 error. */
static int moderate_one(const struct mod_opts *o, const struct bb_ruleset *rs,
                        struct watch *w, struct bb_audit *audit,
                        const char *path)
{
    struct out in = { NULL, 0, 0 };
    struct out res = { NULL, 0, 0 };
    struct bb_redactor *rd = NULL;
    struct bb_err err;
    const char *name = path ? path : "(stdin)";
    const char *category = NULL;
    enum bb_action v;
    int rc;

    rc = cli_read_path(path, "moderate", slurp_cb, &in);
    if (rc == -2) {
        cli_error("moderate", "%s: a response longer than 64 MiB", name);
    }
    if (rc == 0 && bb_redactor_new(&rd, rs, &err) < 0) {
        rc = cli_fail("moderate", &err);
    }
    if (rc == 0 && o->json) {
        struct bb_json_scrubber *j = NULL;

        rc = bb_json_scrubber_new(&j, rs, rd, false, put, &res, &err);
        if (rc == 0) {
            bb_json_scrubber_on_finding(j, observe, w);
            rc = bb_json_scrubber_feed(j, in.p ? in.p : "", in.n, &err);
        }
        rc = rc == 0 ? bb_json_scrubber_finish(j, &err) : rc;
        bb_json_scrubber_free(j);
        rc = rc < 0 ? cli_fail("moderate", &err) : 0;
    } else if (rc == 0) {
        struct bb_scrubber *s = NULL;

        rc = bb_scrubber_new(&s, rs, rd, put, &res, &err);
        if (rc == 0) {
            bb_scrubber_on_finding(s, observe, w);
            rc = bb_scrubber_feed(s, in.p ? in.p : "", in.n, &err);
        }
        rc = rc == 0 ? bb_scrubber_finish(s, &err) : rc;
        bb_scrubber_free(s);
        rc = rc < 0 ? cli_fail("moderate", &err) : 0;
    }
    v = rc == 0 ? bb_moderator_verdict(w->m, &category) : BB_ACTION_REDACT;
    if (rc == 0 && o->explain) {
        explain(w, name);
    }
    if (rc == 0 && audit != NULL && v != BB_ACTION_REDACT) {
        rc = audit_hits(audit, w, v, category);
    }
    if (rc == 0 && v == BB_ACTION_BLOCK) {
        char msg[256];

        if (o->json) {
            snprintf(msg, sizeof(msg),
                     "{\"error\":{\"message\":\"The response was blocked by "
                     "blackbar (category: %s).\",\"type\":"
                     "\"invalid_request_error\",\"param\":null,\"code\":"
                     "\"content_blocked\"}}\n", category);
        } else {
            snprintf(msg, sizeof(msg), "[blackbar: response blocked, "
                     "category %s]\n", category);
        }
        rc = cli_out_write(msg, strlen(msg), NULL) < 0 ? -1 : 1;
    } else if (rc == 0 && res.n > 0) {
        rc = cli_out_write(res.p, res.n, NULL) < 0 ? -1 : 0;
    }
    if (in.p != NULL) {
        memset(in.p, 0, in.n);
    }
    free(in.p);
    free(res.p);
    bb_redactor_free(rd);
    watch_reset(w);
    return rc;
}

int cmd_moderate(int argc, char **argv)
{
    struct mod_opts o;
    struct bb_ruleset *rs = NULL;
    struct bb_audit *audit = NULL;
    struct bb_err err;
    struct watch w;
    int worst = 0;
    int rc;
    int i;

    memset(&o, 0, sizeof(o));
    memset(&w, 0, sizeof(w));
    o.rules.moderation = true;
    rc = parse(&o, argc, argv);
    if (rc == 0) {
        rs = cli_load_rules(&o.rules, "moderate");
        rc = rs ? 0 : -1;
    }
    if (rc == 0 && bb_moderator_new(&w.m, rs, &err) < 0) {
        rc = cli_fail("moderate", &err);
    }
    w.rs = rs;
    if (rc == 0) {
        rc = apply_settings(w.m, &o);
    }
    if (rc == 0 && o.audit != NULL) {
        audit = cli_audit_open(o.audit, o.audit_key_file, "moderate");
        rc = audit ? 0 : -1;
    }
    for (i = optind; rc == 0 && i <= argc; i++) {
        const char *path = i < argc ? argv[i] : NULL;
        int r;

        if (i == argc && argc > optind) {
            break;
        }
        if (path != NULL && strcmp(path, "-") == 0) {
            path = NULL;
        }
        r = o.sse ? moderate_sse(&o, rs, &w, audit, path)
                  : moderate_one(&o, rs, &w, audit, path);
        rc = r < 0 ? -1 : 0;
        worst = r > worst ? r : worst;
    }
    if (cli_out_sync("moderate") < 0) {
        rc = -1;
    }
    bb_audit_close(audit);
    bb_moderator_free(w.m);
    bb_ruleset_free(rs);
    for (i = 0; i < (int)o.nsettings; i++) {
        free(o.settings[i]);
    }
    if (rc > 0) {
        return EXIT_CLEAN; /* --help */
    }
    return rc < 0 ? EXIT_ERROR : worst > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}
