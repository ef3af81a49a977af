/*
 * cmd_audit.c - `blackbar audit LOG...` and `blackbar audit merge
 * PARTIAL...`: options, the loop that takes scanned chunks back in input
 * order (findings file, report, progress), and the exit code: 0 clean,
 * 1 findings, 2 error or an incomplete audit.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blackbar.h"
#include "cli.h"
#include "cli_sarif.h"
#include "cmd_audit.h"
#include "cmd_audit_html.h"

static const char usage[] =
    "usage: blackbar audit [OPTIONS] LOG...\n"
    "       blackbar audit merge [OPTIONS] PARTIAL...\n"
    "\n"
    "Find PII and secrets in JSON Lines logs of model traffic (plain or\n"
    "gzip; - reads standard input): every string value of every record,\n"
    "each finding with its file, line and JSON path. merge adds up the\n"
    "--partial reports of several runs. Exit 0 clean, 1 findings, 2 error\n"
    "or an incomplete audit.\n"
    "\n"
    "Input:\n"
    "      --fields PATH        scan only the values at or under PATH,\n"
    "                           e.g. input[*].content; repeatable\n"
    "      --time-field PATH    the record's time (default: timestamp,\n"
    "                           created_at, created, time, ts, ...)\n"
    "      --max-record N       skip longer lines (default 64M; K, M, G)\n"
    "      --as NAME            report the one LOG under NAME\n"
    "      --first-line N       the number of its first line (default 1)\n"
    "Output:\n"
    "      --report FMT         text (default), json, html (one file to\n"
    "                           open in a browser) or sarif (it lists the\n"
    "                           findings: not with merge)\n"
    "  -o, --output FILE        write the report to FILE\n"
    "      --findings FILE      every finding as JSON Lines (no values)\n"
    "      --partial FILE       the report data for audit merge (- for\n"
    "                           standard output, one line)\n"
    "      --redact-to DIR      write a scrubbed copy of each LOG to DIR\n"
    "                           (same name, same compression)\n"
    "      --consistent-across-files  one value, one placeholder in all\n"
    "                           copies (default: within each file)\n"
    "  -q, --quiet              no progress line\n"
    "      --key-file FILE      fingerprint key (else $BLACKBAR_SCAN_KEY,\n"
    "                           else a built-in one)\n"
    "Rules:\n"
    "  -r, --rules PATH         add a rule pack (file, or directory of "
    "*.json)\n"
    "      --no-default-rules   do not load the built-in packs\n"
    "      --strict             ignore allow lists\n"
    "Other:\n"
    "  -j, --jobs N             threads (default: one per CPU)\n"
    "  -h, --help               show this help\n";

enum {
    O_FIELDS = 3000,
    O_TIME_FIELD,
    O_MAX_RECORD,
    O_AS,
    O_FIRST_LINE,
    O_REPORT,
    O_FINDINGS,
    O_PARTIAL,
    O_REDACT_TO,
    O_CONSISTENT
};

static const struct option longopts[] = {
    { "fields", required_argument, NULL, O_FIELDS },
    { "time-field", required_argument, NULL, O_TIME_FIELD },
    { "max-record", required_argument, NULL, O_MAX_RECORD },
    { "as", required_argument, NULL, O_AS },
    { "first-line", required_argument, NULL, O_FIRST_LINE },
    { "report", required_argument, NULL, O_REPORT },
    { "output", required_argument, NULL, 'o' },
    { "findings", required_argument, NULL, O_FINDINGS },
    { "partial", required_argument, NULL, O_PARTIAL },
    { "redact-to", required_argument, NULL, O_REDACT_TO },
    { "consistent-across-files", no_argument, NULL, O_CONSISTENT },
    { "quiet", no_argument, NULL, 'q' },
    { "key-file", required_argument, NULL, OPT_KEY_FILE },
    { "rules", required_argument, NULL, 'r' },
    { "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
    { "strict", no_argument, NULL, OPT_STRICT },
    { "jobs", required_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct audit_cli {
    struct aud_opts o;
    struct cli_rules rules;
    const char *fields[64];
    const char *report;
    const char *output;
    const char *findings;
    const char *partial;
    const char *key_file;
    bool quiet;
    bool merge;
    bool consistent;
};

static int parse_num(uint64_t *out, const char *s, const char *opt)
{
    char *end = NULL;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno == 0 && end != s && s[0] != '-') {
        uint64_t m = *end == 'K' ? 1u << 10 : *end == 'M' ? 1u << 20
                     : *end == 'G' ? 1u << 30 : 1;

        end += m > 1;
        if (*end == '\0' && v > 0 && v < ((uint64_t)1 << 50) / m) {
            *out = v * m;
            return 0;
        }
    }
    cli_error("audit", "%s: \"%s\" is not a positive number", opt, s);
    return -1;
}

/* One option; 0, or -1 on a usage error (message printed). */
static int take(void *ctx, int opt, const char *arg)
{
    struct audit_cli *c = ctx;
    unsigned long n;
    char *end = NULL;

    switch (opt) {
    case O_FIELDS:
        if (c->o.n_fields == 64) {
            cli_error("audit", "--fields: at most 64");
            return -1;
        }
        c->fields[c->o.n_fields++] = arg;
        return 0;
    case O_TIME_FIELD: c->o.time_field = arg; return 0;
    case O_MAX_RECORD:
        return parse_num(&c->o.max_record, arg, "--max-record");
    case O_AS: c->o.as_name = arg; return 0;
    case O_FIRST_LINE:
        return parse_num(&c->o.first_line, arg, "--first-line");
    case O_REPORT:
        if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0 &&
            strcmp(arg, "sarif") != 0 && strcmp(arg, "html") != 0) {
            cli_error("audit", "--report: text, json, sarif or html, not "
                      "\"%s\"", arg);
            return -1;
        }
        c->report = arg;
        return 0;
    case 'o': c->output = arg; return 0;
    case O_FINDINGS: c->findings = arg; return 0;
    case O_PARTIAL: c->partial = arg; return 0;
    case O_REDACT_TO: c->o.redact_dir = arg; return 0;
    case O_CONSISTENT: c->consistent = true; return 0;
    case 'q': c->quiet = true; return 0;
    case OPT_KEY_FILE: c->key_file = arg; return 0;
    case 'j':
        n = strtoul(arg, &end, 10);
        if (end == arg || *end != '\0' || n < 1 || n > 256) {
            cli_error("audit", "--jobs: 1 to 256, not \"%s\"", arg);
            return -1;
        }
        c->o.jobs = (unsigned)n;
        return 0;
    default:
        return -1;
    }
}

static int parse(struct audit_cli *c, int argc, char **argv)
{
    int rc;

    c->merge = argc > 1 && strcmp(argv[1], "merge") == 0;
    rc = cli_options(argc, argv, c->merge ? 2 : 1, "audit", "o:qr:j:h",
                     longopts, usage, &c->rules, take, c);
    if (rc != 0) {
        return rc;
    }
    c->o.logs = argv + optind;
    c->o.n_logs = (size_t)(argc - optind);
    c->o.fields = c->fields;
    if (c->o.n_logs == 0) {
        cli_error("audit", c->merge ? "merge: no partial reports given"
                                    : "no log given (- reads standard "
                                      "input)");
        return -1;
    }
    if (c->merge && c->report != NULL && strcmp(c->report, "sarif") == 0) {
        cli_error("audit", "merge: SARIF lists the findings, which partial "
                  "reports do not hold: use text or json");
        return -1;
    }
    if (c->merge && c->o.redact_dir != NULL) {
        cli_error("audit", "merge: --redact-to goes with the runs");
        return -1;
    }
    if ((c->o.as_name != NULL || c->o.first_line != 1) && c->o.n_logs > 1) {
        cli_error("audit", "--as and --first-line name one log");
        return -1;
    }
    return 0;
}

struct run {
    struct audit_cli *c;
    struct aud_agg *agg;
    struct aud_copy *copy;
    bool copy_failed;
    unsigned char *keys; /* --redact-to: 32 bytes an input */
    FILE *out;           /* the report */
    size_t *sarif_index; /* --report sarif: rule -> index in the rules */
    uint64_t n_sarif;
    FILE *findings;
    uint64_t done_bytes;
    uint64_t total_bytes;
    double started;
    bool failed;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A scanned chunk, in input order. */
static int take_chunk(struct run *r, const struct aud_chunk *ch)
{
    const char *name = aud_input_name(&r->c->o, ch->file);
    size_t i;

    if (ch->flines_len > 0 &&
        fwrite(ch->flines, 1, ch->flines_len, r->findings) !=
            ch->flines_len) {
        cli_error("audit", "%s: %s", r->c->findings, strerror(errno));
        return -1;
    }
    if (ch->sarif_len > 0 &&
        (fputs(r->n_sarif > 0 ? ",\n" : "", r->out) == EOF ||
         fwrite(ch->sarif, 1, ch->sarif_len, r->out) != ch->sarif_len)) {
        cli_error("audit", "cannot write the report");
        return -1;
    }
    r->n_sarif += ch->sarif_len > 0;
    for (i = 0; i < ch->n_errs; i++) {
        cli_error("audit", "%s:%llu: %s", name,
                  (unsigned long long)ch->errs[i].line, ch->errs[i].msg);
    }
    if (r->copy != NULL && aud_copy_chunk(r->copy, ch, name) < 0) {
        r->copy_failed = true;
    }
    r->done_bytes += ch->bytes;
    if (r->c->o.progress) {
        aud_progress(r->done_bytes, r->total_bytes, r->started, false);
    }
    if (aud_agg_chunk(r->agg, name, ch) < 0) {
        cli_error("audit", "out of memory");
        return -1;
    }
    return 0;
}

static void chunk_free(struct cli_job *j)
{
    aud_chunk_free((struct aud_chunk *)j);
}

static int scan_logs(struct run *r)
{
    /* chunks of 4 MiB: two a worker waiting is enough to keep it busy */
    struct cli_pipe_ops ops = { "audit", aud_worker_new, aud_worker_run,
                                aud_worker_free, chunk_free, aud_produce,
                                &r->c->o, (size_t)r->c->o.jobs * (8u << 20) };
    struct cli_pipe *p = NULL;
    struct cli_job *j;
    bool worker_failed = false;
    int prc;

    r->started = now();
    if (cli_pipe_new(&p, &ops, r->c->o.jobs) < 0 || cli_pipe_start(p) < 0) {
        cli_pipe_free(p, &worker_failed);
        return -1;
    }
    while ((j = cli_pipe_next(p)) != NULL) {
        if (!r->failed && take_chunk(r, (struct aud_chunk *)j) < 0) {
            r->failed = true;
        }
        aud_chunk_free((struct aud_chunk *)j);
        if (r->failed) {
            break;
        }
    }
    prc = cli_pipe_free(p, &worker_failed);
    if (r->c->o.progress) {
        aud_progress(r->done_bytes, r->total_bytes, r->started, true);
    }
    return r->failed || worker_failed || prc < 0 ? -1 : 0;
}

/* audit merge: add up the partial reports, in argument order. */
static int merge(struct run *r)
{
    size_t i;

    for (i = 0; i < r->c->o.n_logs; i++) {
        const char *path = r->c->o.logs[i];
        size_t len = 0;
        char *text = cli_read_file(path, (size_t)1 << 31, &len, "audit");
        cJSON *doc;
        int rc;

        if (text == NULL) {
            return -1;
        }
        doc = cJSON_ParseWithLength(text, len);
        cli_free_file(text, len);
        rc = doc != NULL ? aud_agg_merge(r->agg, doc, path) : -1;
        if (doc == NULL) {
            cli_error("audit", "%s: not JSON", path);
        }
        cJSON_Delete(doc);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

static int write_report(struct run *r)
{
    const char *fmt = r->c->report ? r->c->report : "text";
    FILE *f = r->out;
    cJSON *rep = NULL;
    int rc = 0;

    if (strcmp(fmt, "json") == 0) {
        rc = aud_agg_write(r->agg, f, false);
    } else {
        rep = aud_agg_json(r->agg);
        rc = rep == NULL ? -1
             : strcmp(fmt, "sarif") == 0 ? aud_report_sarif_end(f, rep)
             : strcmp(fmt, "html") == 0  ? audit_html_write(f, rep)
                                          : aud_report_text(f, rep);
        cJSON_Delete(rep);
    }
    if (fflush(f) != 0 || ferror(f)) {
        rc = -1;
    }
    if (rc < 0 && errno != EPIPE) {
        cli_error("audit", "cannot write the report: %s", strerror(errno));
    }
    return rc;
}

static int write_partial(struct run *r)
{
    bool out = strcmp(r->c->partial, "-") == 0;
    FILE *f = out ? stdout : fopen(r->c->partial, "w");
    int rc;

    if (f == NULL) {
        cli_error("audit", "%s: %s", r->c->partial, strerror(errno));
        return -1;
    }
    rc = aud_agg_write(r->agg, f, true);
    if (fflush(f) != 0 || (!out && fclose(f) != 0)) {
        rc = -1;
    }
    if (rc < 0) {
        cli_error("audit", "%s: %s", r->c->partial, strerror(errno));
    }
    return rc;
}

/* The report's file, opened before the scan (a bad -o fails at once);
 * none with --partial -. SARIF's head goes out now, its results as
 * they are found. */
static int open_out(struct run *r)
{
    struct audit_cli *c = r->c;

    if (c->partial != NULL && strcmp(c->partial, "-") == 0) {
        return 0;
    }
    r->out = c->output != NULL && strcmp(c->output, "-") != 0
                 ? fopen(c->output, "w") : stdout;
    if (r->out == NULL) {
        cli_error("audit", "%s: %s", c->output, strerror(errno));
        return -1;
    }
    if (c->report == NULL || strcmp(c->report, "sarif") != 0) {
        return 0;
    }
    r->sarif_index = calloc(bb_ruleset_count(c->o.rs) + 1, sizeof(size_t));
    if (r->sarif_index == NULL ||
        cli_sarif_head(r->out, c->o.rs, c->o.report_rule, r->sarif_index) <
            0) {
        cli_error("audit", "cannot write the report");
        return -1;
    }
    c->o.sarif_index = r->sarif_index;
    return 0;
}

/* --redact-to: the directory, and a random key for each input's
 * placeholders (one for all with --consistent-across-files). */
static int copy_setup(struct run *r)
{
    struct audit_cli *c = r->c;
    size_t n = c->consistent ? 1 : c->o.n_logs;
    size_t i;
    struct stat st;

    if (mkdir(c->o.redact_dir, 0755) < 0 && errno != EEXIST) {
        cli_error("audit", "%s: %s", c->o.redact_dir, strerror(errno));
        return -1;
    }
    if (stat(c->o.redact_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        cli_error("audit", "%s: not a directory", c->o.redact_dir);
        return -1;
    }
    r->keys = calloc(c->o.n_logs, 32);
    if (r->keys == NULL || aud_copy_new(&r->copy, &c->o) < 0) {
        cli_error("audit", "out of memory");
        return -1;
    }
    if (getrandom(r->keys, 32 * n, 0) != (ssize_t)(32 * n)) {
        cli_error("audit", "no random bytes for the placeholder keys");
        return -1;
    }
    for (i = 1; c->consistent && i < c->o.n_logs; i++) {
        memcpy(r->keys + 32 * i, r->keys, 32);
    }
    c->o.file_keys = r->keys;
    return 0;
}

/* Everything before the scan: rules, key, the report, the files. */
static int prepare(struct run *r, bool **report, char *key_id)
{
    struct audit_cli *c = r->c;
    struct bb_ruleset *rs;
    size_t i;

    if (cli_fp_key(c->o.key, &c->o.key_len, key_id, c->key_file,
                   "audit") < 0 ||
        (rs = cli_load_rules(&c->rules, "audit")) == NULL) {
        return -1;
    }
    c->o.rs = rs;
    *report = cli_reported_rules(rs, "audit");
    if (*report == NULL) {
        return -1;
    }
    c->o.report_rule = *report;
    if (c->findings != NULL) {
        r->findings = strcmp(c->findings, "-") == 0 ? stdout
                                                    : fopen(c->findings, "w");
        if (r->findings == NULL) {
            cli_error("audit", "%s: %s", c->findings, strerror(errno));
            return -1;
        }
        c->o.findings = true;
    }
    if (c->o.redact_dir != NULL && copy_setup(r) < 0) {
        return -1;
    }
    for (i = 0; i < c->o.n_logs; i++) {
        struct stat st;

        if (stat(c->o.logs[i], &st) == 0 && S_ISREG(st.st_mode)) {
            r->total_bytes += (uint64_t)st.st_size;
        }
    }
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    struct audit_cli c;
    struct run r;
    bool *report = NULL;
    char key_id[17] = "";
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    memset(&c, 0, sizeof(c));
    memset(&r, 0, sizeof(r));
    c.o.max_record = 64u << 20;
    c.o.first_line = 1;
    rc = parse(&c, argc, argv);
    if (rc != 0) {
        return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
    }
    r.c = &c;
    c.o.jobs = c.o.jobs ? c.o.jobs : ncpu < 1 ? 1 : ncpu > 64 ? 64
                                                             : (unsigned)ncpu;
    c.o.progress = !c.quiet && isatty(STDERR_FILENO);
    if (c.merge) {
        rc = aud_agg_new(&r.agg, NULL, "") < 0 || open_out(&r) < 0 ||
                     merge(&r) < 0
                 ? -1 : 0;
    } else {
        rc = prepare(&r, &report, key_id) < 0 ||
                     aud_agg_new(&r.agg, c.o.rs, key_id) < 0 ||
                     open_out(&r) < 0
                 ? -1
                 : scan_logs(&r);
    }
    if (r.findings != NULL &&
        (r.findings == stdout ? fflush(stdout) : fclose(r.findings)) != 0 &&
        rc == 0) {
        cli_error("audit", "%s: %s", c.findings, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && c.partial != NULL) {
        rc = write_partial(&r);
    }
    if (rc == 0 && r.out != NULL) {
        rc = write_report(&r);
    }
    if (r.out != NULL && r.out != stdout && fclose(r.out) != 0 && rc == 0) {
        cli_error("audit", "%s: %s", c.output, strerror(errno));
        rc = -1;
    }
    if (r.copy_failed) {
        rc = -1; /* said for each input */
    }
    if (r.agg != NULL && aud_agg_errors(r.agg) > 0) {
        cli_error("audit", "the audit is incomplete: %llu error%s (above, "
                  "and in the report)",
                  (unsigned long long)aud_agg_errors(r.agg),
                  aud_agg_errors(r.agg) == 1 ? "" : "s");
        rc = -1;
    }
    rc = rc < 0 ? EXIT_ERROR
         : aud_agg_findings(r.agg) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    aud_agg_free(r.agg);
    aud_copy_free(r.copy);
    free(r.sarif_index);
    if (r.keys != NULL) {
        explicit_bzero(r.keys, 32 * c.o.n_logs);
        free(r.keys);
    }
    free(report);
    bb_ruleset_free((struct bb_ruleset *)c.o.rs);
    return rc;
}
