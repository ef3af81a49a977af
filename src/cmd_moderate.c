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
#include "cli_moderate.h"

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
    "      --remote URL        also ask an OpenAI-compatible moderation\n"
    "                          endpoint (.../v1/moderations), with the\n"
    "                          scrubbed text only (text and json)\n"
    "      --remote-key-env NAME  the API key's environment variable\n"
    "                          (default OPENAI_API_KEY)\n"
    "      --remote-model NAME the model (default omni-moderation-latest)\n"
    "      --remote-threshold CAT=X\n"
    "                          block when the endpoint scores CAT at X (0-1)\n"
    "                          or more (default: when it flags CAT)\n"
    "      --remote-timeout S  seconds per attempt (default 10)\n"
    "      --remote-retries N  retries on connection errors, timeouts, 429\n"
    "                          and 5xx, with exponential backoff (default 3)\n"
    "      --remote-fail closed|open\n"
    "                          when the endpoint cannot answer: block\n"
    "                          (default) or pass; audited either way\n"
    "      --explain           print the rules that matched (ids and\n"
    "                          categories, never the text) to stderr\n"
    "      --audit FILE        append each block and flag to the audit log\n"
    "      --audit-key-file F  the audit key (else $BLACKBAR_AUDIT_KEY or\n"
    "                          ~/.config/blackbar/audit.key)\n"
    "  -h, --help              show this help\n";

enum {
    OPT_THRESHOLD = OPT_HELP + 1,
    OPT_OVERRIDE,
    OPT_EXPLAIN,
    OPT_REMOTE_THRESHOLD
};

static const struct option longopts[] = {
    { "rules", required_argument, NULL, 'r' },
    { "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "action-override", required_argument, NULL, OPT_OVERRIDE },
    { "explain", no_argument, NULL, OPT_EXPLAIN },
    { "remote", required_argument, NULL, OPT_REMOTE },
    { "remote-key-env", required_argument, NULL, OPT_REMOTE_KEY_ENV },
    { "remote-model", required_argument, NULL, OPT_REMOTE_MODEL },
    { "remote-threshold", required_argument, NULL, OPT_REMOTE_THRESHOLD },
    { "remote-timeout", required_argument, NULL, OPT_REMOTE_TIMEOUT },
    { "remote-retries", required_argument, NULL, OPT_REMOTE_RETRIES },
    { "remote-fail", required_argument, NULL, OPT_REMOTE_FAIL },
    { "audit", required_argument, NULL, OPT_AUDIT },
    { "audit-key-file", required_argument, NULL, OPT_AUDIT_KEY_FILE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct mod_opts {
    struct cli_rules rules;
    struct cli_remote remote;
    bool json;
    bool sse;
    bool explain;
    const char *audit;
    const char *audit_key_file;
    char *settings[64]; /* "T:CAT=N", "A:CAT=ACTION", "R:CAT=X" */
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

static int take(void *ctx, int c, const char *arg)
{
    struct mod_opts *o = ctx;
    int r = cli_remote_option(&o->remote, c, arg, "moderate");

    if (r != 0) {
        return r < 0 ? -1 : 0;
    }
    if (c == OPT_FORMAT && (strcmp(arg, "text") == 0 ||
                            strcmp(arg, "json") == 0 ||
                            strcmp(arg, "sse") == 0)) {
        o->json = strcmp(arg, "json") == 0;
        o->sse = strcmp(arg, "sse") == 0;
    } else if (c == OPT_FORMAT) {
        cli_error("moderate", "unknown --format %s (want text, json or sse)",
                  arg);
        return -1;
    } else if (c == OPT_THRESHOLD || c == OPT_OVERRIDE ||
               c == OPT_REMOTE_THRESHOLD) {
        char *s;

        if (o->nsettings == 64) {
            cli_error("moderate", "too many --threshold, --action-override "
                      "and --remote-threshold options (at most 64)");
            return -1;
        }
        s = malloc(strlen(arg) + 3);
        if (s == NULL) {
            cli_error("moderate", "out of memory");
            return -1;
        }
        snprintf(s, strlen(arg) + 3, "%c:%s",
                 c == OPT_THRESHOLD ? 'T' : c == OPT_OVERRIDE ? 'A' : 'R',
                 arg);
        o->settings[o->nsettings++] = s;
    } else if (c == OPT_EXPLAIN) {
        o->explain = true;
    } else if (c == OPT_AUDIT) {
        o->audit = arg;
    } else if (c == OPT_AUDIT_KEY_FILE) {
        o->audit_key_file = arg;
    }
    return 0;
}

static int parse(struct mod_opts *o, int argc, char **argv)
{
    return cli_options(argc, argv, 1, "moderate", "r:h", longopts, usage,
                       &o->rules, take, o);
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
                      o->settings[i][0] == 'T'   ? "--threshold"
                      : o->settings[i][0] == 'R' ? "--remote-threshold"
                                                 : "--action-override");
            return -1;
        }
        *eq = '\0';
        if (o->settings[i][0] != 'A') {
            char *end;
            double t = strtod(eq + 1, &end);

            if (*end != '\0' || end == eq + 1) {
                *eq = '=';
                cli_error("moderate", "%s %s: not a number",
                          o->settings[i][0] == 'T' ? "--threshold"
                                                   : "--remote-threshold",
                          o->settings[i] + 2);
                return -1;
            }
            rc = o->settings[i][0] == 'T'
                     ? bb_moderator_threshold(m, cat, t, &err)
                     : bb_moderator_remote_threshold(m, cat, t, &err);
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
    bool remote_down = false;
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
            bb_json_scrubber_on_finding(j, mod_observe, w);
            rc = bb_json_scrubber_feed(j, in.p ? in.p : "", in.n, &err);
        }
        rc = rc == 0 ? bb_json_scrubber_finish(j, &err) : rc;
        if (j != NULL) {
            mod_count(w, bb_json_scrubber_counts(j));
        }
        bb_json_scrubber_free(j);
        rc = rc < 0 ? cli_fail("moderate", &err) : 0;
    } else if (rc == 0) {
        struct bb_scrubber *s = NULL;

        rc = bb_scrubber_new(&s, rs, rd, put, &res, &err);
        if (rc == 0) {
            bb_scrubber_on_finding(s, mod_observe, w);
            rc = bb_scrubber_feed(s, in.p ? in.p : "", in.n, &err);
        }
        rc = rc == 0 ? bb_scrubber_finish(s, &err) : rc;
        if (s != NULL) {
            mod_count(w, bb_scrubber_counts(s));
        }
        bb_scrubber_free(s);
        rc = rc < 0 ? cli_fail("moderate", &err) : 0;
    }
    if (rc == 0 && o->remote.url != NULL &&
        cli_remote_check(&o->remote, w->m, res.p ? res.p : "", res.n,
                         &err) < 0) {
        /* the endpoint could not say: fail closed (block) or open */
        fprintf(stderr, "blackbar: moderate: %s: %s%s\n", name, err.msg,
                o->remote.fail_open ? " (passed: --remote-fail open)" : "");
        remote_down = true;
        rc = audit ? mod_audit_remote(audit, &o->remote, err.msg) : 0;
    }
    v = rc == 0 ? bb_moderator_verdict(w->m, &category) : BB_ACTION_REDACT;
    if (rc == 0 && audit != NULL && v != BB_ACTION_REDACT) {
        rc = mod_audit_hits(audit, w, v, category, o->json ? NULL : in.p,
                            o->json ? 0 : in.n);
    }
    if (rc == 0 && remote_down && !o->remote.fail_open &&
        v != BB_ACTION_BLOCK) {
        v = BB_ACTION_BLOCK; /* (its record is written above) */
        category = "moderation unavailable";
    }
    if (rc == 0 && o->explain) {
        mod_explain(w, name);
    }
    if (rc == 0 && v == BB_ACTION_BLOCK) {
        if (o->json) {
            rc = mod_error_json(prov_is_anthropic(in.p, in.n), category);
        } else {
            char msg[160];

            snprintf(msg, sizeof(msg), "[blackbar: response blocked, "
                     "category %s]\n", category);
            rc = cli_out_write(msg, strlen(msg), NULL);
        }
        rc = rc < 0 ? -1 : 1;
    } else if (rc == 0 && res.n > 0) {
        rc = cli_out_write(res.p, res.n, NULL) < 0 ? -1 : 0;
    }
    if (in.p != NULL) {
        memset(in.p, 0, in.n);
    }
    free(in.p);
    free(res.p);
    bb_redactor_free(rd);
    mod_watch_reset(w);
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
    o.remote.retries = -1;
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
        w.totals = calloc(bb_ruleset_count(rs) + 1, sizeof(*w.totals));
        rc = w.totals ? apply_settings(w.m, &o) : -1;
    }
    if (rc == 0 && o.remote.url != NULL && o.sse) {
        cli_error("moderate", "--remote does not take --format sse yet");
        rc = -1;
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
        r = o.sse ? mod_sse(rs, &w, audit, o.explain, path)
                  : moderate_one(&o, rs, &w, audit, path);
        rc = r < 0 ? -1 : 0;
        worst = r > worst ? r : worst;
    }
    if (cli_out_sync("moderate") < 0) {
        rc = -1;
    }
    if (audit != NULL && w.totals != NULL &&
        cli_audit_counts(audit, "moderate", rs, w.totals, "moderate") < 0) {
        rc = -1;
    }
    bb_audit_close(audit);
    free(w.totals);
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
