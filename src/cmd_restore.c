/*
 * cmd_restore.c - `blackbar restore --vault FILE [FILE...]`: put the
 * values of a scrub --vault file back into text, JSON or JSON Lines.
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
    "usage: blackbar restore --vault FILE [OPTIONS] [FILE...]\n"
    "\n"
    "Copy FILEs (or standard input) to standard output with every\n"
    "placeholder that FILE (written by scrub --vault) knows replaced by\n"
    "its value, and scrub's escaping of placeholder-shaped text undone.\n"
    "Unknown placeholders stay as they are. Exit 0 when done, 2 on any\n"
    "error.\n"
    "\n"
    "Options:\n"
    "      --vault FILE        the vault to read (required)\n"
    "      --format FORMAT     text (default), json, jsonl or sse: values\n"
    "                          put into JSON strings are JSON-escaped\n"
    "      --stats             print restored and unknown counts to stderr\n"
    "      --audit FILE        append the restored and unknown counts to the\n"
    "                          audit log FILE\n"
    "      --audit-key-file F  the audit key (else $BLACKBAR_AUDIT_KEY or\n"
    "                          ~/.config/blackbar/audit.key)\n"
    "  -h, --help              show this help\n";

static const struct option longopts[] = {
    { "vault", required_argument, NULL, OPT_VAULT },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "stats", no_argument, NULL, OPT_STATS },
    { "audit", required_argument, NULL, OPT_AUDIT },
    { "audit-key-file", required_argument, NULL, OPT_AUDIT_KEY_FILE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct ctx {
    struct bb_restorer *r;
    struct bb_err err;
};

static int feed(const char *buf, size_t n, void *ud)
{
    struct ctx *c = ud;

    return bb_restorer_feed(c->r, buf, n, &c->err) < 0 ? -1 : 0;
}

static int restore_one(struct bb_vault *v, enum bb_format fmt,
                       const char *path, uint64_t counts[2])
{
    struct ctx c;
    const char *name = path ? path : "<stdin>";
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    int rc;

    memset(&c, 0, sizeof(c));
    if (fd < 0) {
        cli_error("restore", "%s: %s", path, strerror(errno));
        return -1;
    }
    rc = bb_restorer_new(&c.r, v, fmt, cli_out_write, NULL, &c.err);
    if (rc == 0) {
        rc = cli_read_fd(fd, name, "restore", feed, &c);
        if (rc == 0) {
            rc = bb_restorer_finish(c.r, &c.err);
        }
    }
    if (rc < 0 && c.err.msg[0] != '\0' && !cli_out_broken()) {
        cli_error("restore", "%s: %s", name, c.err.msg);
    }
    if (c.r != NULL) {
        counts[0] += bb_restorer_restored(c.r);
        counts[1] += bb_restorer_unknown(c.r);
    }
    bb_restorer_free(c.r);
    if (path != NULL) {
        close(fd);
    }
    return rc < 0 ? -1 : 0;
}

int cmd_restore(int argc, char **argv)
{
    const char *vault_path = NULL;
    const char *audit_path = NULL;
    const char *audit_key = NULL;
    struct bb_audit *audit = NULL;
    enum bb_format fmt = BB_FORMAT_TEXT;
    struct bb_vault *v = NULL;
    struct bb_err err = { 0, "" };
    uint64_t counts[2] = { 0, 0 };
    bool stats = false;
    char *text = NULL;
    size_t len = 0;
    int rc = 0;
    int c;
    int i;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_VAULT) {
            vault_path = optarg;
        } else if (c == OPT_FORMAT && strcmp(optarg, "text") == 0) {
            fmt = BB_FORMAT_TEXT;
        } else if (c == OPT_FORMAT && strcmp(optarg, "json") == 0) {
            fmt = BB_FORMAT_JSON;
        } else if (c == OPT_FORMAT && strcmp(optarg, "jsonl") == 0) {
            fmt = BB_FORMAT_JSONL;
        } else if (c == OPT_FORMAT && strcmp(optarg, "sse") == 0) {
            fmt = BB_FORMAT_SSE;
        } else if (c == OPT_FORMAT) {
            cli_error("restore", "unknown --format %s (want text, json, "
                      "jsonl or sse)", optarg);
            return EXIT_ERROR;
        } else if (c == OPT_STATS) {
            stats = true;
        } else if (c == OPT_AUDIT) {
            audit_path = optarg;
        } else if (c == OPT_AUDIT_KEY_FILE) {
            audit_key = optarg;
        } else if (c == 'h') {
            fputs(usage, stdout);
            return EXIT_CLEAN;
        } else {
            cli_bad_option("restore", argc, argv);
            return EXIT_ERROR;
        }
    }
    if (vault_path == NULL) {
        cli_error("restore", "--vault FILE is required");
        return EXIT_ERROR;
    }
    text = cli_read_file(vault_path, (size_t)1 << 30, &len, "restore");
    if (text == NULL) {
        return EXIT_ERROR;
    }
    if (bb_vault_new(&v, &err) < 0 || bb_vault_load(v, text, len, &err) < 0) {
        cli_error("restore", "%s: %s", vault_path, err.msg);
        rc = -1;
    }
    cli_free_file(text, len);
    if (rc == 0 && audit_path != NULL) {
        audit = cli_audit_open(audit_path, audit_key, "restore");
        rc = audit ? 0 : -1;
    }
    for (i = optind; rc == 0 && i <= argc; i++) {
        const char *path = i < argc ? argv[i] : NULL;

        if (i == argc && argc > optind) {
            break;
        }
        if (path != NULL && strcmp(path, "-") == 0) {
            path = NULL;
        }
        rc = restore_one(v, fmt, path, counts);
    }
    if (cli_out_sync("restore") < 0) {
        rc = -1;
    }
    if (stats) {
        fprintf(stderr, "%10llu  restored\n%10llu  unknown\n",
                (unsigned long long)counts[0],
                (unsigned long long)counts[1]);
    }
    if (audit != NULL) {
        static const char *const names[] = { "restored", "unknown" };
        struct bb_audit_rec r;

        memset(&r, 0, sizeof(r));
        r.event = "restore";
        r.source = "restore";
        r.count_rules = names;
        r.counts = counts;
        r.ncounts = 2;
        if (bb_audit_write(audit, &r, &err) < 0) {
            rc = cli_fail("restore", &err);
        }
        bb_audit_close(audit);
    }
    bb_vault_free(v);
    if (cli_out_broken()) {
        return EXIT_CLEAN;
    }
    return rc < 0 ? EXIT_ERROR : EXIT_CLEAN;
}
