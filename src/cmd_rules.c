/*
 * cmd_rules.c - `blackbar rules list|test|lint [PACK...]`: inspect the
 * loaded rules, run every rule's examples, and lint patterns.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "blackbar.h"
#include "cli.h"

static const char usage[] =
    "usage: blackbar rules list|test|lint [OPTIONS] [PACK...]\n"
    "\n"
    "  list   print every loaded rule: id, type, pack, action, severity\n"
    "  test   run each rule's examples; exit 1 if any fails\n"
    "  lint   warn about rules without keywords, without JIT, or that\n"
    "         fail on 64 KiB adversarial inputs; exit 1 on warnings\n"
    "\n"
    "PACK files given as arguments replace the built-in packs.\n"
    "\n"
    "Options:\n"
    "  -r, --rules PATH        add a rule pack (file, or directory of "
    "*.json)\n"
    "      --no-default-rules  do not load the built-in packs\n"
    "      --strict            ignore allow lists\n"
    "  -h, --help              show this help\n";

static const struct option longopts[] = {
    { "rules", required_argument, NULL, 'r' },
    { "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT },
    { "strict", no_argument, NULL, OPT_STRICT },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

static const char *const actions[] = { "redact", "flag", "block",
                                       "gate" };
static const char *const sevs[] = { "low", "medium", "high", "critical" };

static int do_list(const struct bb_ruleset *rs)
{
    struct bb_rule_info ri;
    size_t i;

    for (i = 0; i < bb_ruleset_count(rs); i++) {
        bb_ruleset_rule(&ri, rs, i, NULL);
        printf("%-36s %-24s %-10s %-7s %s\n", ri.id, ri.type, ri.pack,
               actions[ri.action], sevs[ri.severity]);
    }
    return EXIT_CLEAN;
}

static int do_test(const struct bb_ruleset *rs)
{
    struct bb_rule_info ri;
    struct bb_rule_test t;
    struct bb_err err;
    size_t pass = 0;
    size_t failed = 0;
    size_t i;

    for (i = 0; i < bb_ruleset_count(rs); i++) {
        bb_ruleset_rule(&ri, rs, i, NULL);
        if (bb_ruleset_test_rule(&t, rs, i, &err) < 0) {
            return cli_fail("rules", &err);
        }
        if (t.n_failed > 0) {
            printf("FAIL %s: %zu of %zu examples wrong (first: %s "
                   "example %zu)\n", ri.id, t.n_failed, t.n_examples,
                   t.failed_is_match ? "match" : "nomatch",
                   t.first_failed + 1);
            failed++;
        } else if (t.n_gate_lost > 0) {
            printf("FAIL %s: %zu examples found only when every position "
                   "is searched (keywords, context words, digits or gate "
                   "miss a match)\n", ri.id, t.n_gate_lost);
            failed++;
        } else {
            pass++;
        }
    }
    printf("%zu passed, %zu failed\n", pass, failed);
    return failed ? EXIT_FINDINGS : EXIT_CLEAN;
}

static int do_lint(const struct bb_ruleset *rs)
{
    struct bb_rule_info ri;
    struct bb_err err;
    char buf[2048];
    size_t warned = 0;
    size_t n;
    size_t i;

    for (i = 0; i < bb_ruleset_count(rs); i++) {
        bb_ruleset_rule(&ri, rs, i, NULL);
        if (bb_ruleset_lint_rule(&n, buf, sizeof(buf), rs, i, &err) < 0) {
            return cli_fail("rules", &err);
        }
        if (n > 0) {
            char *line = buf;

            while (*line != '\0') {
                char *nl = strchr(line, '\n');

                printf("%s: %.*s\n", ri.id, (int)(nl - line), line);
                line = nl + 1;
            }
            warned++;
        }
    }
    printf("%zu rules, %zu with warnings\n", bb_ruleset_count(rs), warned);
    return warned ? EXIT_FINDINGS : EXIT_CLEAN;
}

int cmd_rules(int argc, char **argv)
{
    struct cli_rules cr;
    struct bb_ruleset *rs;
    const char *verb;
    int c;
    int rc;

    memset(&cr, 0, sizeof(cr));
    cr.moderation = true; /* the built-in packs: all three */
    c = cli_options(argc, argv, 1, "rules", "r:h", longopts, usage, &cr,
                    NULL, NULL);
    if (c != 0) {
        return c > 0 ? EXIT_CLEAN : EXIT_ERROR;
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    verb = argv[optind++];
    for (; optind < argc; optind++) {
        if (cr.n_paths == 64) {
            cli_error("rules", "too many rule packs (at most 64)");
            return EXIT_ERROR;
        }
        cr.paths[cr.n_paths++] = argv[optind];
        cr.no_default = true;
    }
    if (strcmp(verb, "list") != 0 && strcmp(verb, "test") != 0 &&
        strcmp(verb, "lint") != 0) {
        cli_error("rules", "unknown verb \"%s\" (want list, test or lint)",
                  verb);
        return EXIT_ERROR;
    }
    rs = cli_load_rules(&cr, "rules");
    if (rs == NULL) {
        return EXIT_ERROR;
    }
    if (strcmp(verb, "list") == 0) {
        rc = do_list(rs);
    } else if (strcmp(verb, "test") == 0) {
        rc = do_test(rs);
    } else {
        rc = do_lint(rs);
    }
    bb_ruleset_free(rs);
    return rc;
}
