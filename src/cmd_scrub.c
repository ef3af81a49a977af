/*
 * cmd_scrub.c - `blackbar scrub [FILE...]`: stdin or files through the
 * text scrubber to stdout. Fails closed: on any error it stops writing
 * and exits 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blackbar.h"
#include "cli.h"

static const char usage[] =
    "usage: blackbar scrub [OPTIONS] [FILE...]\n"
    "\n"
    "Copy FILEs (or standard input) to standard output with PII and\n"
    "secrets replaced. Exit 0 when done, 2 on any error.\n"
    "\n"
    "Options:\n"
    "  -r, --rules PATH        add a rule pack (file, or directory of "
    "*.json);\n"
    "                          repeatable\n"
    "      --no-default-rules  do not load the built-in packs\n"
    "      --strict            ignore allow lists (redact documentation "
    "examples)\n"
    "  -o, --operator SPEC     OP or TYPE=OP; OP is placeholder, mask[:N],"
    " hash,\n"
    "                          remove or text:LITERAL; repeatable\n"
    "      --key-file FILE     key for the hash operator (else "
    "$BLACKBAR_KEY)\n"
    "      --format FORMAT     text (default), json, jsonl, sse, or auto\n"
    "                          (json when the first non-blank byte is '{'\n"
    "                          or '[')\n"
    "      --on-error ACTION   jsonl: fail (default) on a malformed record,\n"
    "                          or skip it (its whole line; counted)\n"
    "      --json-only PATH    scrub only the values at or under PATH, e.g.\n"
    "                          messages[*].content; repeatable\n"
    "      --json-skip KEY     also leave the values of KEY as they are;\n"
    "                          repeatable\n"
    "  -v, --verbose           say which format auto chose\n"
    "      --vault FILE        write each placeholder and its value to FILE\n"
    "                          (mode 0600) for blackbar restore\n"
    "      --stats             print findings per rule to stderr at the "
    "end\n"
    "      --audit FILE        append what was redacted and flagged (counts\n"
    "                          per rule, no values) to the audit log FILE\n"
    "      --audit-key-file F  the audit key (else $BLACKBAR_AUDIT_KEY or\n"
    "                          ~/.config/blackbar/audit.key)\n"
    "  -j, --threads N         search with N threads (default: one per CPU,\n"
    "                          at most 4)\n"
    "  -h, --help              show this help\n";

static const struct option longopts[] = {
    { "rules", required_argument, NULL, 'r' },
    { "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
    { "strict", no_argument, NULL, OPT_STRICT },
    { "operator", required_argument, NULL, 'o' },
    { "key-file", required_argument, NULL, OPT_KEY_FILE },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "json-skip", required_argument, NULL, OPT_JSON_SKIP },
    { "json-only", required_argument, NULL, OPT_JSON_ONLY },
    { "vault", required_argument, NULL, OPT_VAULT },
    { "on-error", required_argument, NULL, OPT_ON_ERROR },
    { "verbose", no_argument, NULL, 'v' },
    { "stats", no_argument, NULL, OPT_STATS },
    { "audit", required_argument, NULL, OPT_AUDIT },
    { "audit-key-file", required_argument, NULL, OPT_AUDIT_KEY_FILE },
    { "threads", required_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

enum fmt { FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_AUTO, FMT_SSE };

struct scrub_opts {
    struct cli_rules rules;
    enum fmt format;
    const char *skips[64];
    size_t n_skips;
    const char *onlys[64];
    size_t n_onlys;
    bool verbose;
    const char *ops[64];
    size_t n_ops;
    const char *key_file;
    const char *vault;
    const char *audit;
    const char *audit_key_file;
    bool skip_bad;
    bool stats;
    unsigned threads; /* 0: one per CPU, at most 4 */
};

static int parse(struct scrub_opts *o, int argc, char **argv)
{
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "r:o:j:vh", longopts, NULL)) != -1) {
        int r = cli_rules_option(&o->rules, c, optarg, "scrub");

        if (r < 0) {
            return -1;
        }
        if (r > 0) {
            continue;
        }
        if (c == 'o' && o->n_ops == 64) {
            cli_error("scrub", "too many --operator options (at most 64)");
            return -1;
        } else if (c == 'o') {
            o->ops[o->n_ops++] = optarg;
        } else if (c == 'j') {
            char *end = NULL;
            unsigned long n = strtoul(optarg, &end, 10);

            if (end == optarg || *end != '\0' || n < 1 || n > 16) {
                cli_error("scrub", "--threads wants a number from 1 to 16");
                return -1;
            }
            o->threads = (unsigned)n;
        } else if (c == OPT_KEY_FILE) {
            o->key_file = optarg;
        } else if (c == OPT_STATS) {
            o->stats = true;
        } else if (c == OPT_FORMAT) {
            static const char *const names[] = { "text", "json", "jsonl",
                                                 "auto", "sse" };
            size_t f;

            for (f = 0; f < 5 && strcmp(optarg, names[f]) != 0; f++) {
            }
            if (f == 5) {
                cli_error("scrub", "unknown --format %s (want text, json, "
                          "jsonl, sse or auto)", optarg);
                return -1;
            }
            o->format = (enum fmt)f;
        } else if (c == OPT_JSON_SKIP && o->n_skips == 64) {
            cli_error("scrub", "too many --json-skip options (at most 64)");
            return -1;
        } else if (c == OPT_JSON_SKIP) {
            o->skips[o->n_skips++] = optarg;
        } else if (c == OPT_JSON_ONLY && o->n_onlys == 64) {
            cli_error("scrub", "too many --json-only options (at most 64)");
            return -1;
        } else if (c == OPT_JSON_ONLY) {
            o->onlys[o->n_onlys++] = optarg;
        } else if (c == 'v') {
            o->verbose = true;
        } else if (c == OPT_VAULT) {
            o->vault = optarg;
        } else if (c == OPT_AUDIT) {
            o->audit = optarg;
        } else if (c == OPT_AUDIT_KEY_FILE) {
            o->audit_key_file = optarg;
        } else if (c == OPT_ON_ERROR && (strcmp(optarg, "skip") == 0 ||
                                         strcmp(optarg, "fail") == 0)) {
            o->skip_bad = strcmp(optarg, "skip") == 0;
        } else if (c == OPT_ON_ERROR) {
            cli_error("scrub", "--on-error wants skip or fail");
            return -1;
        } else if (c == 'h') {
            fputs(usage, stdout);
            return 1;
        } else {
            cli_bad_option("scrub", argc, argv);
            return -1;
        }
    }
    return 0;
}

static int setup_redactor(struct bb_redactor *rd, const struct scrub_opts *o)
{
    struct bb_err err;
    const char *env = getenv("BLACKBAR_KEY");
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < o->n_ops; i++) {
        rc = bb_redactor_set_operator(rd, o->ops[i], &err);
    }
    if (rc == 0 && o->key_file != NULL) {
        size_t len = 0;
        char *key = cli_read_file(o->key_file, 4096, &len, "scrub");

        if (key == NULL) {
            return -1;
        }
        rc = bb_redactor_set_key(rd, key, len, &err);
        cli_free_file(key, len);
    } else if (rc == 0 && env != NULL && env[0] != '\0') {
        rc = bb_redactor_set_key(rd, env, strlen(env), &err);
    }
    if (rc < 0) {
        cli_fail("scrub", &err);
        return -1;
    }
    return 0;
}

struct feed_ctx {
    const struct scrub_opts *o;
    const struct bb_ruleset *rs;
    struct bb_redactor *rd;
    const char *name;
    enum fmt fmt;          /* FMT_AUTO until the first non-blank byte */
    struct bb_scrubber *s;
    struct bb_json_scrubber *js;
    struct bb_sse_scrubber *sse;
    char blank[4096];      /* leading blanks while auto decides */
    size_t nblank;
    unsigned threads;
    struct bb_err err;
    bool lib_failed;
};

static int start(struct feed_ctx *fc, enum fmt f)
{
    int rc;
    size_t i;

    fc->fmt = f;
    if (f == FMT_SSE) {
        rc = bb_sse_scrubber_new(&fc->sse, fc->rs, fc->rd, cli_out_write,
                                 NULL, &fc->err);
    } else if (f == FMT_TEXT) {
        rc = bb_scrubber_new(&fc->s, fc->rs, fc->rd, cli_out_write, NULL,
                             &fc->err);
        if (rc == 0 && fc->threads > 1) {
            rc = bb_scrubber_set_threads(fc->s, fc->threads, &fc->err);
        }
    } else {
        rc = bb_json_scrubber_new(&fc->js, fc->rs, fc->rd, f != FMT_JSON,
                                  cli_out_write, NULL, &fc->err);
        if (rc == 0 && fc->threads > 1) {
            rc = bb_json_scrubber_set_threads(fc->js, fc->threads, &fc->err);
        }
        if (rc == 0 && fc->o->skip_bad && f != FMT_JSON) {
            rc = bb_json_scrubber_skip_bad(fc->js, true, &fc->err);
        }
        for (i = 0; rc == 0 && i < fc->o->n_onlys; i++) {
            rc = bb_json_scrubber_only(fc->js, fc->o->onlys[i], &fc->err);
        }
        for (i = 0; rc == 0 && i < fc->o->n_skips; i++) {
            rc = bb_json_scrubber_skip_key(fc->js, fc->o->skips[i],
                                           &fc->err);
        }
    }
    fc->lib_failed = rc < 0;
    return rc;
}

static int push(struct feed_ctx *fc, const char *buf, size_t n)
{
    int rc = fc->s != NULL    ? bb_scrubber_feed(fc->s, buf, n, &fc->err)
             : fc->sse != NULL ? bb_sse_scrubber_feed(fc->sse, buf, n,
                                                      &fc->err)
                               : bb_json_scrubber_feed(fc->js, buf, n,
                                                       &fc->err);

    fc->lib_failed = rc < 0;
    return rc < 0 ? -1 : 0;
}

/* auto: JSON (in its JSON Lines form, which a single document also is)
 * when the first non-blank byte opens an object or an array. */
static int decide(struct feed_ctx *fc, const char *buf, size_t n)
{
    size_t i = 0;
    enum fmt f;

    while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
                     buf[i] == '\r')) {
        i++;
    }
    if (i == n && fc->nblank + n <= sizeof(fc->blank)) {
        memcpy(fc->blank + fc->nblank, buf, n);
        fc->nblank += n;
        return 0;
    }
    f = i < n && (buf[i] == '{' || buf[i] == '[') ? FMT_JSONL : FMT_TEXT;
    if (fc->o->verbose) {
        fprintf(stderr, "blackbar: scrub: %s: format %s\n", fc->name,
                f == FMT_TEXT ? "text" : "json");
    }
    if (start(fc, f) < 0 ||
        (fc->nblank > 0 && push(fc, fc->blank, fc->nblank) < 0)) {
        return -1;
    }
    return push(fc, buf, n);
}

static int feed(const char *buf, size_t n, void *ud)
{
    struct feed_ctx *fc = ud;

    return fc->fmt == FMT_AUTO ? decide(fc, buf, n) : push(fc, buf, n);
}

static int finish(struct feed_ctx *fc)
{
    int rc = 0;

    if (fc->fmt == FMT_AUTO) {
        rc = start(fc, FMT_TEXT); /* blank or empty input */
        if (rc == 0 && fc->nblank > 0) {
            rc = push(fc, fc->blank, fc->nblank);
        }
    }
    if (rc == 0) {
        rc = fc->s != NULL     ? bb_scrubber_finish(fc->s, &fc->err)
             : fc->sse != NULL ? bb_sse_scrubber_finish(fc->sse, &fc->err)
                               : bb_json_scrubber_finish(fc->js, &fc->err);
        fc->lib_failed = rc < 0;
    }
    return rc < 0 ? -1 : 0;
}

/* Scrub one input into stdout; 0 or -1 (message printed). */
static unsigned thread_count(unsigned want)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (want > 0) {
        return want;
    }
    return n < 1 ? 1 : (n > 4 ? 4 : (unsigned)n);
}

static int scrub_one(const struct scrub_opts *o,
                     const struct bb_ruleset *rs, struct bb_redactor *rd,
                     const char *path, uint64_t *totals)
{
    struct feed_ctx *fc = calloc(1, sizeof(*fc));
    const char *name = path ? path : "<stdin>";
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    const uint64_t *counts;
    size_t i;
    int rc = 0;

    if (fd < 0) {
        cli_error("scrub", "%s: %s", path, strerror(errno));
        free(fc);
        return -1;
    }
    if (fc == NULL) {
        cli_error("scrub", "out of memory");
        rc = -1;
    } else {
        fc->o = o;
        fc->rs = rs;
        fc->rd = rd;
        fc->name = name;
        fc->threads = thread_count(o->threads);
        fc->fmt = FMT_AUTO;
        rc = o->format == FMT_AUTO ? 0 : start(fc, o->format);
    }
    if (rc == 0) {
        rc = cli_read_fd(fd, name, "scrub", feed, fc);
    }
    if (rc == 0) {
        rc = finish(fc);
    }
    if (rc < 0 && fc != NULL && fc->lib_failed && !cli_out_broken()) {
        cli_error("scrub", "%s: %s", name, fc->err.msg);
    }
    if (fc != NULL && fc->js != NULL &&
        bb_json_scrubber_skipped(fc->js) > 0) {
        fprintf(stderr, "blackbar: scrub: %s: %llu malformed JSONL records "
                "skipped\n", name,
                (unsigned long long)bb_json_scrubber_skipped(fc->js));
    }
    counts = fc == NULL ? NULL
             : fc->s != NULL ? bb_scrubber_counts(fc->s)
             : fc->js != NULL ? bb_json_scrubber_counts(fc->js)
             : fc->sse != NULL ? bb_sse_scrubber_counts(fc->sse) : NULL;
    for (i = 0; counts != NULL && i < bb_ruleset_count(rs); i++) {
        totals[i] += counts[i];
    }
    if (fc != NULL) {
        bb_scrubber_free(fc->s);
        bb_json_scrubber_free(fc->js);
        bb_sse_scrubber_free(fc->sse);
        free(fc);
    }
    if (path != NULL) {
        close(fd);
    }
    return rc < 0 ? -1 : 0;
}

static void print_stats(const struct bb_ruleset *rs, const uint64_t *totals)
{
    struct bb_rule_info ri;
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < bb_ruleset_count(rs); i++) {
        if (totals[i] > 0 && bb_ruleset_rule(&ri, rs, i, NULL) == 0) {
            fprintf(stderr, "%10llu  %-32s %s\n",
                    (unsigned long long)totals[i], ri.id, ri.type);
            sum += totals[i];
        }
    }
    fprintf(stderr, "%10llu  total\n", (unsigned long long)sum);
}

int cmd_scrub(int argc, char **argv)
{
    struct scrub_opts o;
    struct bb_ruleset *rs = NULL;
    struct bb_redactor *rd = NULL;
    struct bb_err err;
    uint64_t *totals = NULL;
    FILE *vault = NULL;
    struct bb_audit *audit = NULL;
    int rc;
    int i;

    memset(&o, 0, sizeof(o));
    rc = parse(&o, argc, argv);
    if (rc != 0) {
        return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
    }
    rs = cli_load_rules(&o.rules, "scrub");
    if (rs == NULL) {
        return EXIT_ERROR;
    }
    rc = bb_redactor_new(&rd, rs, &err) < 0 ? cli_fail("scrub", &err) : 0;
    if (rc == 0) {
        rc = setup_redactor(rd, &o);
    }
    if (rc == 0 && o.vault != NULL) {
        vault = cli_vault_create(o.vault, "scrub");
        rc = vault ? 0 : -1;
        if (vault != NULL) {
            bb_redactor_on_placeholder(rd, cli_vault_write, vault);
        }
    }
    if (rc == 0 && o.audit != NULL) {
        audit = cli_audit_open(o.audit, o.audit_key_file, "scrub");
        rc = audit ? 0 : -1;
    }
    totals = calloc(bb_ruleset_count(rs) + 1, sizeof(*totals));
    if (rc == 0 && totals == NULL) {
        cli_error("scrub", "out of memory");
        rc = -1;
    }
    for (i = optind; rc == 0 && totals != NULL && i <= argc; i++) {
        const char *path = i < argc ? argv[i] : NULL;

        if (i == argc && argc > optind) {
            break;
        }
        if (path != NULL && strcmp(path, "-") == 0) {
            path = NULL;
        }
        rc = scrub_one(&o, rs, rd, path, totals);
    }
    if (cli_out_sync("scrub") < 0) {
        rc = -1;
    }
    if (vault != NULL && fclose(vault) != 0) {
        cli_error("scrub", "%s: %s", o.vault, strerror(errno));
        rc = -1;
    }
    if (o.stats && totals != NULL) {
        print_stats(rs, totals);
    }
    if (audit != NULL && totals != NULL &&
        cli_audit_counts(audit, "scrub", rs, totals, "scrub") < 0) {
        rc = -1;
    }
    bb_audit_close(audit);
    free(totals);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    if (cli_out_broken()) {
        return EXIT_CLEAN;
    }
    return rc < 0 ? EXIT_ERROR : EXIT_CLEAN;
}
