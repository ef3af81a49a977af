/*
 * cmd_log.c - `blackbar log verify`: recompute an audit log's hash chain
 * and name the first record that breaks it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "blackbar.h"
#include "cli.h"

static const char usage[] =
    "usage: blackbar log verify [OPTIONS] FILE...\n"
    "\n"
    "Recompute the hash chain of audit logs (written with --audit) and\n"
    "print \"ok N records\", or the first line that is edited, missing,\n"
    "moved or not a record. A torn last line (a writer that stopped\n"
    "mid-write) is reported but is not tampering. Exit 0 when every log\n"
    "verifies, 1 when one does not, 2 on an error.\n"
    "\n"
    "Options:\n"
    "      --audit-key-file FILE  the key the log was written with (else\n"
    "                             $BLACKBAR_AUDIT_KEY, or the default key\n"
    "                             file)\n"
    "  -h, --help                 show this help\n";

static const struct option longopts[] = {
    { "audit-key-file", required_argument, NULL, OPT_AUDIT_KEY_FILE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int verify(const char *path, const unsigned char *key, size_t len,
                  bool named)
{
    struct bb_audit_check c;
    struct bb_err err;

    if (bb_audit_verify(&c, path, key, len, &err) < 0) {
        cli_fail("log", &err);
        return EXIT_ERROR;
    }
    if (c.bad_line != 0) {
        printf("%s:%llu: %s (%llu records verified before it)\n", path,
               (unsigned long long)c.bad_line, c.why,
               (unsigned long long)c.records);
        return EXIT_FINDINGS;
    }
    printf("%s%sok %llu records\n", named ? path : "", named ? ": " : "",
           (unsigned long long)c.records);
    if (c.torn_line != 0) {
        printf("%s:%llu: a torn last record (a writer stopped mid-write); "
               "not counted\n", path, (unsigned long long)c.torn_line);
    }
    return EXIT_CLEAN;
}

int cmd_log(int argc, char **argv)
{
    const char *key_file = NULL;
    unsigned char key[64];
    size_t len = 0;
    int worst = EXIT_CLEAN;
    int c;
    int i;

    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                          strcmp(argv[1], "-h") == 0)) {
            fputs(usage, stdout);
            return EXIT_CLEAN;
        }
        fputs(usage, stderr);
        return EXIT_ERROR;
    }
    argc--;
    argv++;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return EXIT_CLEAN;
        }
        if (c == OPT_AUDIT_KEY_FILE) {
            key_file = optarg;
        } else {
            cli_bad_option("log", argc, argv);
            return EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        cli_error("log", "verify needs a FILE (see blackbar log --help)");
        return EXIT_ERROR;
    }
    if (cli_audit_key(key, &len, key_file, "log") < 0) {
        return EXIT_ERROR;
    }
    for (i = optind; i < argc; i++) {
        int rc = verify(argv[i], key, len, argc - optind > 1);

        worst = rc > worst ? rc : worst;
    }
    memset(key, 0, sizeof(key));
    return worst;
}
