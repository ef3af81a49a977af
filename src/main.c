/*
 * main.c - `blackbar` entry point: dispatch to a subcommand.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "blackbar.h"
#include "cli.h"

static const char usage[] =
    "usage: blackbar COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Keep PII and secrets out of LLM traffic.\n"
    "\n"
    "Commands:\n"
    "  scrub [FILE...]          copy input to output with PII and secrets "
    "replaced\n"
    "  restore --vault FILE     put scrubbed values back (scrub --vault)\n"
    "  moderate [FILE...]       check model responses (block, flag)\n"
    "  send URL                 one model request, scrubbed, answer restored\n"
    "  proxy --upstream URL     local reverse proxy for model APIs\n"
    "  scan [PATH...]           find PII and secrets in files, the index,\n"
    "                           a diff or the history (pre-commit, CI)\n"
    "  audit LOG...             find what leaked into JSONL logs of model\n"
    "                           traffic: report, findings, merge\n"
    "  rules list|test|lint     inspect and self-test rule packs\n"
    "  log verify FILE          check an audit log's hash chain\n"
    "\n"
    "  blackbar COMMAND --help  options of a command\n"
    "  blackbar --version       print the version\n"
    "\n"
    "Exit codes: 0 done/clean, 1 findings or test failures, 2 error.\n";

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("blackbar %s\n", BB_VERSION);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(argv[1], "scrub") == 0) {
        return cmd_scrub(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "restore") == 0) {
        return cmd_restore(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "rules") == 0) {
        return cmd_rules(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "send") == 0) {
        return cmd_send(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "proxy") == 0) {
        return cmd_proxy(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "moderate") == 0) {
        return cmd_moderate(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "audit") == 0) {
        return cmd_audit(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "scan") == 0) {
        return cmd_scan(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "log") == 0) {
        return cmd_log(argc - 1, argv + 1);
    }
    cli_error(NULL, "unknown command \"%s\" (see blackbar --help)", argv[1]);
    return EXIT_ERROR;
}
