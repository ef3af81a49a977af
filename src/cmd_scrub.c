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
    "      --format FORMAT     input format: text (the only one so far)\n"
    "      --stats             print findings per rule to stderr at the "
    "end\n"
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
    { "stats", no_argument, NULL, OPT_STATS },
    { "threads", required_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct scrub_opts {
    struct cli_rules rules;
    const char *ops[64];
    size_t n_ops;
    const char *key_file;
    bool stats;
    unsigned threads; /* 0: one per CPU, at most 4 */
};

static int parse(struct scrub_opts *o, int argc, char **argv)
{
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "r:o:j:h", longopts, NULL)) != -1) {
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
        } else if (c == OPT_FORMAT && strcmp(optarg, "text") != 0) {
            cli_error("scrub", "unsupported --format %s (want text)",
                      optarg);
            return -1;
        } else if (c == 'h') {
            fputs(usage, stdout);
            return 1;
        } else if (c != OPT_FORMAT) {
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
    struct bb_scrubber *s;
    struct bb_err err;
    bool lib_failed;
};

static int feed(const char *buf, size_t n, void *ud)
{
    struct feed_ctx *fc = ud;

    if (bb_scrubber_feed(fc->s, buf, n, &fc->err) < 0) {
        fc->lib_failed = true;
        return -1;
    }
    return 0;
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

static int scrub_one(const struct bb_ruleset *rs, struct bb_redactor *rd,
                     const char *path, unsigned threads, uint64_t *totals)
{
    struct feed_ctx fc;
    const char *name = path ? path : "<stdin>";
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    size_t i;
    int rc;

    memset(&fc, 0, sizeof(fc));
    if (fd < 0) {
        cli_error("scrub", "%s: %s", path, strerror(errno));
        return -1;
    }
    rc = bb_scrubber_new(&fc.s, rs, rd, cli_out_write, NULL, &fc.err);
    if (rc == 0 && threads > 1) {
        rc = bb_scrubber_set_threads(fc.s, threads, &fc.err);
    }
    fc.lib_failed = rc < 0;
    if (rc == 0) {
        rc = cli_read_fd(fd, name, "scrub", feed, &fc);
    }
    if (rc == 0) {
        rc = bb_scrubber_finish(fc.s, &fc.err);
        fc.lib_failed = rc < 0;
    }
    if (rc < 0 && fc.lib_failed && !cli_out_broken()) {
        cli_error("scrub", "%s: %s", name, fc.err.msg);
    }
    for (i = 0; fc.s != NULL && i < bb_ruleset_count(rs); i++) {
        totals[i] += bb_scrubber_counts(fc.s)[i];
    }
    bb_scrubber_free(fc.s);
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
        rc = scrub_one(rs, rd, path, thread_count(o.threads), totals);
    }
    if (cli_out_sync("scrub") < 0) {
        rc = -1;
    }
    if (o.stats && totals != NULL) {
        print_stats(rs, totals);
    }
    free(totals);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    if (cli_out_broken()) {
        return EXIT_CLEAN;
    }
    return rc < 0 ? EXIT_ERROR : EXIT_CLEAN;
}
