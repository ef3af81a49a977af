/*
 * cmd_scan.c - `blackbar scan [PATH...]`: find PII and secrets in files,
 * the staged index, a diff or the whole history, for pre-commit hooks and
 * CI. Options, the fingerprint key, the hook installer, and the loop that
 * takes scanned units in order and reports them. Exit 0 clean, 1
 * findings, 2 error or an incomplete scan.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blackbar.h"
#include "cli.h"
#include "scan.h"

static const char usage[] =
    "usage: blackbar scan [OPTIONS] [PATH...]\n"
    "\n"
    "Find PII and secrets in files. In a git work tree: the files git\n"
    "tracks plus the untracked ones it does not ignore, under each PATH\n"
    "(default .); elsewhere every file. PATH - reads standard input.\n"
    "Exit 0 clean, 1 findings, 2 error or incomplete scan.\n"
    "\n"
    "Input:\n"
    "      --no-git             walk the directories; do not ask git\n"
    "      --staged             scan what is staged (the index) of added\n"
    "                           and modified files: for pre-commit\n"
    "      --diff REV           scan only the lines added since REV\n"
    "      --history            scan the lines every commit added\n"
    "      --max-file-size N    skip larger files (default 10M; K, M, G)\n"
    "      --ignore-file FILE   path globs and fingerprints to ignore\n"
    "                           (default: .blackbarignore at the root)\n"
    "Output:\n"
    "  -f, --format FMT         text (default), json or sarif\n"
    "  -o, --output FILE        write the report to FILE\n"
    "      --show-values        print whole values instead of masked ones\n"
    "      --color WHEN         auto (default), always or never\n"
    "  -q, --quiet              no summary line on stderr\n"
    "Suppression:\n"
    "      --baseline FILE      report only findings not in FILE\n"
    "      --write-baseline FILE  write the findings to FILE (created or\n"
    "                           updated) and exit 0\n"
    "      --key-file FILE      fingerprint key (else $BLACKBAR_SCAN_KEY,\n"
    "                           else a built-in one)\n"
    "Rules:\n"
    "  -r, --rules PATH         add a rule pack (file, or directory of "
    "*.json)\n"
    "      --no-default-rules   do not load the built-in packs\n"
    "      --strict             ignore allow lists\n"
    "Other:\n"
    "  -j, --jobs N             scan N files at once (default: one per "
    "CPU)\n"
    "      --install-hook       write .git/hooks/pre-commit running\n"
    "                           blackbar scan --staged\n"
    "      --force              with --install-hook: replace another hook\n"
    "  -h, --help               show this help\n";

enum {
    O_NO_GIT = 2000,
    O_STAGED,
    O_DIFF,
    O_HISTORY,
    O_MAX_SIZE,
    O_IGNORE_FILE,
    O_SHOW_VALUES,
    O_COLOR,
    O_BASELINE,
    O_WRITE_BASELINE,
    O_INSTALL_HOOK,
    O_FORCE
};

static const struct option longopts[] = {
    { "no-git", no_argument, NULL, O_NO_GIT },
    { "staged", no_argument, NULL, O_STAGED },
    { "diff", required_argument, NULL, O_DIFF },
    { "history", no_argument, NULL, O_HISTORY },
    { "max-file-size", required_argument, NULL, O_MAX_SIZE },
    { "ignore-file", required_argument, NULL, O_IGNORE_FILE },
    { "format", required_argument, NULL, 'f' },
    { "output", required_argument, NULL, 'o' },
    { "show-values", no_argument, NULL, O_SHOW_VALUES },
    { "color", required_argument, NULL, O_COLOR },
    { "quiet", no_argument, NULL, 'q' },
    { "baseline", required_argument, NULL, O_BASELINE },
    { "write-baseline", required_argument, NULL, O_WRITE_BASELINE },
    { "key-file", required_argument, NULL, OPT_KEY_FILE },
    { "rules", required_argument, NULL, 'r' },
    { "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
    { "strict", no_argument, NULL, OPT_STRICT },
    { "jobs", required_argument, NULL, 'j' },
    { "install-hook", no_argument, NULL, O_INSTALL_HOOK },
    { "force", no_argument, NULL, O_FORCE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct scan_cli {
    struct scan_opts o;
    struct cli_rules rules;
    const char *key_file;
    const char *color;
    bool install_hook;
    bool force;
};

static int parse_size(uint64_t *out, const char *s)
{
    char *end = NULL;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || s[0] == '-') {
        return -1;
    }
    if (*end == 'K' || *end == 'k') {
        v <<= 10;
        end++;
    } else if (*end == 'M' || *end == 'm') {
        v <<= 20;
        end++;
    } else if (*end == 'G' || *end == 'g') {
        v <<= 30;
        end++;
    }
    if (*end != '\0' || v == 0 || v > ((uint64_t)1 << 40)) {
        return -1;
    }
    *out = v;
    return 0;
}

static int set_mode(struct scan_opts *o, enum scan_mode m)
{
    if (o->mode != MODE_TREE && o->mode != m) {
        cli_error("scan", "--staged, --diff and --history exclude each "
                  "other");
        return -1;
    }
    o->mode = m;
    return 0;
}

/* One option; 0, or -1 on a usage error (message printed). */
static int take(void *ctx, int opt, const char *arg)
{
    struct scan_cli *c = ctx;
    struct scan_opts *o = &c->o;
    char *end = NULL;
    unsigned long n;

    switch (opt) {
    case O_NO_GIT: o->no_git = true; return 0;
    case O_STAGED: return set_mode(o, MODE_STAGED);
    case O_DIFF: o->diff_rev = arg; return set_mode(o, MODE_DIFF);
    case O_HISTORY: return set_mode(o, MODE_HISTORY);
    case O_IGNORE_FILE: o->ignore_file = arg; return 0;
    case O_SHOW_VALUES: o->show_values = true; return 0;
    case O_COLOR: c->color = arg; return 0;
    case 'q': o->quiet = true; return 0;
    case 'o': o->output = arg; return 0;
    case O_BASELINE: o->baseline = arg; return 0;
    case O_WRITE_BASELINE: o->write_baseline = arg; return 0;
    case OPT_KEY_FILE: c->key_file = arg; return 0;
    case O_INSTALL_HOOK: c->install_hook = true; return 0;
    case O_FORCE: c->force = true; return 0;
    case O_MAX_SIZE:
        if (parse_size(&o->max_size, arg) < 0) {
            cli_error("scan", "--max-file-size: \"%s\" is not a size "
                      "(like 512K, 10M, 1G)", arg);
            return -1;
        }
        return 0;
    case 'f':
        if (strcmp(arg, "text") == 0 || strcmp(arg, "json") == 0 ||
            strcmp(arg, "sarif") == 0) {
            o->format = arg[0] == 't' ? FMT_TEXT
                        : arg[0] == 'j' ? FMT_JSON : FMT_SARIF;
            return 0;
        }
        cli_error("scan", "--format: text, json or sarif, not \"%s\"", arg);
        return -1;
    case 'j':
        n = strtoul(arg, &end, 10);
        if (end == arg || *end != '\0' || n < 1 || n > 256) {
            cli_error("scan", "--jobs: 1 to 256, not \"%s\"", arg);
            return -1;
        }
        o->jobs = (unsigned)n;
        return 0;
    default:
        return -1;
    }
}

static int parse(struct scan_cli *c, int argc, char **argv)
{
    int rc = cli_options(argc, argv, 1, "scan", "f:o:qr:j:h", longopts,
                         usage, &c->rules, take, c);

    if (rc != 0) {
        return rc;
    }
    c->o.paths = argv + optind;
    c->o.n_paths = (size_t)(argc - optind);
    if (c->color != NULL && strcmp(c->color, "auto") != 0 &&
        strcmp(c->color, "always") != 0 && strcmp(c->color, "never") != 0) {
        cli_error("scan", "--color: auto, always or never");
        return -1;
    }
    if (c->o.no_git && c->o.mode != MODE_TREE) {
        cli_error("scan", "--no-git cannot go with --staged, --diff or "
                  "--history");
        return -1;
    }
    return 0;
}

struct run {
    struct scan_opts *o;
    struct scan_out *out;
    struct scan_bwriter *bw;
    struct scan_summary sum;
    bool failed;
};

/* Count and report one scanned unit. */
static int take_unit(struct run *r, struct scan_unit *u)
{
    struct bb_rule_info ri;
    size_t i;

    switch (u->skip) {
    case SKIP_BINARY: r->sum.skipped_binary++; return 0;
    case SKIP_LARGE: r->sum.skipped_large++; return 0;
    case SKIP_SYMLINK: r->sum.skipped_symlink++; return 0;
    case SKIP_IGNORED: r->sum.ignored++; return 0;
    case SKIP_GONE: return 0;
    case SKIP_UNREADABLE:
        r->sum.unreadable++;
        cli_error("scan", "%s: cannot be scanned: %s", u->path,
                  u->error ? u->error : "unreadable");
        return 0;
    case SKIP_NONE: break;
    }
    r->sum.files++;
    if (r->bw != NULL && scan_bwriter_path(r->bw, u->key_path) < 0) {
        return -1;
    }
    for (i = 0; i < u->n_hits; i++) {
        const struct scan_hit *h = &u->hits[i];

        if (h->allowed) {
            r->sum.allowed++;
            continue;
        }
        if (r->bw != NULL) {
            bb_ruleset_rule(&ri, r->o->rs, h->rule, NULL);
            if (scan_bwriter_add(r->bw, u->key_path, ri.id, h) < 0) {
                return -1;
            }
        }
        if (h->baselined) {
            r->sum.baselined++;
            continue;
        }
        r->sum.findings++;
        if (r->bw == NULL && scan_out_hit(r->out, u, h) < 0) {
            return -1;
        }
    }
    return 0;
}

static void summary(const struct run *r)
{
    const struct scan_summary *s = &r->sum;

    fprintf(stderr, "blackbar scan: %llu finding%s in %llu file%s "
            "(%llu in baseline, %llu allowed); skipped %llu (binary %llu, "
            "too large %llu, symlink %llu, ignored %llu); unreadable %llu\n",
            (unsigned long long)s->findings, s->findings == 1 ? "" : "s",
            (unsigned long long)s->files, s->files == 1 ? "" : "s",
            (unsigned long long)s->baselined,
            (unsigned long long)s->allowed,
            (unsigned long long)(s->skipped_binary + s->skipped_large +
                                 s->skipped_symlink + s->ignored),
            (unsigned long long)s->skipped_binary,
            (unsigned long long)s->skipped_large,
            (unsigned long long)s->skipped_symlink,
            (unsigned long long)s->ignored,
            (unsigned long long)s->unreadable);
}

/* Run the pipeline and report; the exit code. */
static int run_scan(struct run *r, FILE *f, const char *key_id)
{
    struct scan_opts *o = r->o;
    struct cli_pipe_ops ops = { "scan", scan_job_worker_new, scan_job_run,
                                scan_job_worker_free, scan_job_free,
                                o->mode == MODE_TREE     ? scan_src_tree
                                : o->mode == MODE_STAGED ? scan_src_staged
                                                         : scan_src_diff,
                                o, 0 };
    struct cli_pipe *p = NULL;
    struct cli_job *j;
    bool worker_failed = false;
    int prc;
    size_t nb = 0;

    if (scan_out_new(&r->out, o, f) < 0 ||
        cli_pipe_new(&p, &ops, o->jobs) < 0 || cli_pipe_start(p) < 0) {
        cli_pipe_free(p, &worker_failed);
        return EXIT_ERROR;
    }
    while ((j = cli_pipe_next(p)) != NULL) {
        struct scan_unit *u = (struct scan_unit *)j;

        if (!r->failed && take_unit(r, u) < 0) {
            if (errno != EPIPE) { /* a reader that went away: quietly */
                cli_error("scan", "cannot write the report: %s",
                          strerror(errno));
            }
            r->failed = true;
        }
        scan_unit_free(u);
        if (r->failed) {
            break;
        }
    }
    prc = cli_pipe_free(p, &worker_failed);
    if (!r->failed && scan_out_end(r->out, &r->sum) < 0) {
        r->failed = true;
    }
    if (worker_failed) {
        r->failed = true;
    }
    if (!r->failed && r->bw != NULL) {
        if (scan_bwriter_write(r->bw, o->write_baseline, key_id, &nb) < 0) {
            return EXIT_ERROR;
        }
        if (!o->quiet) {
            fprintf(stderr, "blackbar: scan: %zu finding%s written to %s\n",
                    nb, nb == 1 ? "" : "s", o->write_baseline);
        }
    }
    if (!o->quiet && !r->failed) {
        summary(r);
    }
    if (r->failed || prc < 0 || r->sum.unreadable > 0) {
        if (!r->failed && (prc < 0 || r->sum.unreadable > 0)) {
            cli_error("scan", "the scan is incomplete");
        }
        return EXIT_ERROR;
    }
    return r->sum.findings > 0 && r->bw == NULL ? EXIT_FINDINGS : EXIT_CLEAN;
}

/* Rules, key, ignore file, baseline: everything before the scan. */
static int prepare(struct scan_cli *c, char *key_id, bool **report,
                   struct scan_ignore **ig, struct scan_baseline **base)
{
    struct scan_opts *o = &c->o;
    struct bb_ruleset *rs;
    char *top = NULL;
    char *ipath = NULL;
    int rc;

    if (cli_fp_key(o->key, &o->key_len, key_id, c->key_file, "scan") < 0 ||
        (o->mode != MODE_TREE && git_require(".") < 0)) {
        return -1;
    }
    rs = cli_load_rules(&c->rules, "scan");
    if (rs == NULL) {
        return -1;
    }
    o->rs = rs;
    *report = cli_reported_rules(rs, "scan");
    if (*report == NULL) {
        return -1;
    }
    o->report_rule = *report;
    if (o->ignore_file == NULL) {
        top = o->no_git ? NULL : git_toplevel(".");
        ipath = malloc(strlen(top ? top : ".") + 32);
        if (ipath == NULL) {
            free(top);
            cli_error("scan", "out of memory");
            return -1;
        }
        snprintf(ipath, strlen(top ? top : ".") + 32, "%s/.blackbarignore",
                 top ? top : ".");
        free(top);
    }
    rc = scan_ignore_load(ig, ipath ? ipath : o->ignore_file, ipath == NULL);
    free(ipath);
    o->ignore = *ig;
    if (rc == 0 && o->baseline != NULL) {
        rc = scan_baseline_load(base, o->baseline, key_id);
        o->base = *base;
    }
    return rc;
}

int cmd_scan(int argc, char **argv)
{
    struct scan_cli c;
    struct run r;
    char key_id[17];
    bool *report = NULL;
    struct scan_ignore *ig = NULL;
    struct scan_baseline *base = NULL;
    FILE *f = stdout;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    memset(&c, 0, sizeof(c));
    memset(&r, 0, sizeof(r));
    c.o.max_size = 10u << 20;
    rc = parse(&c, argc, argv);
    if (rc != 0) {
        return rc > 0 ? EXIT_CLEAN : EXIT_ERROR;
    }
    if (c.install_hook) {
        return scan_install_hook(c.force);
    }
    if (c.o.jobs == 0) {
        c.o.jobs = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (unsigned)ncpu;
    }
    r.o = &c.o;
    rc = prepare(&c, key_id, &report, &ig, &base) < 0 ? EXIT_ERROR : 0;
    if (rc == 0 && c.o.output != NULL && c.o.write_baseline == NULL) {
        f = fopen(c.o.output, "w");
        if (f == NULL) {
            cli_error("scan", "%s: %s", c.o.output, strerror(errno));
            rc = EXIT_ERROR;
        }
    }
    if (rc == 0 && c.o.write_baseline != NULL &&
        scan_bwriter_new(&r.bw) < 0) {
        rc = EXIT_ERROR;
    }
    c.o.color = c.o.format == FMT_TEXT && c.color != NULL &&
                strcmp(c.color, "always") == 0;
    if (c.o.format == FMT_TEXT && (c.color == NULL ||
                                   strcmp(c.color, "auto") == 0)) {
        c.o.color = isatty(fileno(f)) && getenv("NO_COLOR") == NULL;
    }
    if (rc == 0) {
        rc = run_scan(&r, f, key_id);
    }
    if (f != stdout && f != NULL && fclose(f) != 0 && rc != EXIT_ERROR) {
        cli_error("scan", "%s: %s", c.o.output, strerror(errno));
        rc = EXIT_ERROR;
    } else if (f == stdout && fflush(stdout) != 0 && errno != EPIPE) {
        cli_error("scan", "standard output: %s", strerror(errno));
        rc = EXIT_ERROR;
    }
    scan_out_free(r.out);
    scan_bwriter_free(r.bw);
    scan_baseline_free(base);
    scan_ignore_free(ig);
    free(report);
    bb_ruleset_free((struct bb_ruleset *)c.o.rs);
    return rc;
}
