/*
 * cli.h - what the subcommands share: exit codes, diagnostics, loading
 * rule packs from files, buffered stdout with quiet EPIPE, reading input.
 */
#ifndef BB_CLI_H
#define BB_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "blackbar.h"

enum cli_exit {
    EXIT_CLEAN = 0,
    EXIT_FINDINGS = 1,
    EXIT_ERROR = 2
};

/* Print "blackbar: CMD: message" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Map a library error to an exit code after printing it. */
int cli_fail(const char *cmd, const struct bb_err *err);

/* Report a getopt failure (opterr is 0) naming the offending argument. */
void cli_bad_option(const char *cmd, int argc, char **argv);

/* Rule options shared by every command that matches. */
struct cli_rules {
    const char *paths[64];
    size_t n_paths;
    bool no_default;
    bool strict;
    bool moderation; /* also the built-in moderation pack */
};

/* Handle --rules/--no-default-rules/--strict; returns 1 if opt was one of
 * them, 0 if not, -1 on a usage error. */
int cli_rules_option(struct cli_rules *cr, int opt, const char *arg,
                     const char *cmd);

struct option;

/* The option loop of a command, from argv[first]: the rule options go
 * to rules (when not NULL), -h prints usage, an unknown option or a
 * missing argument is an error, and every other option goes to
 * take(ctx, opt, arg) (NULL: the command has none; -1 from it stops).
 * 0 with optind at the first operand, 1 after the usage, -1 (message
 * printed). */
int cli_options(int argc, char **argv, int first, const char *cmd,
                const char *shorts, const struct option *longs,
                const char *usage, struct cli_rules *rules,
                int (*take)(void *ctx, int opt, const char *arg), void *ctx);

/* Option codes for the shared long options (above the ASCII range). */
enum cli_opt {
    OPT_NO_DEFAULT = 1000,
    OPT_STRICT,
    OPT_KEY_FILE,
    OPT_STATS,
    OPT_FORMAT,
    OPT_JSON_SKIP,
    OPT_VAULT,
    OPT_ON_ERROR,
    OPT_JSON_ONLY,
    OPT_AUDIT,
    OPT_AUDIT_KEY_FILE,
    OPT_REMOTE,
    OPT_REMOTE_KEY_ENV,
    OPT_REMOTE_MODEL,
    OPT_REMOTE_TIMEOUT,
    OPT_REMOTE_RETRIES,
    OPT_REMOTE_FAIL,
    OPT_HELP
};

/* Build and compile the ruleset; prints the error and returns NULL. */
struct bb_ruleset *cli_load_rules(const struct cli_rules *cr,
                                  const char *cmd);

/* s[0, n) as a quoted JSON string: '"' and '\\' escaped, control bytes
 * (NUL too) as \u00XX, everything else (UTF-8 too) as it is. */
void cli_json_str(FILE *f, const char *s, size_t n);

/* A file written whole or not at all (cli_atomic.c): f writes to a
 * temporary file beside final (.NAME.tmp.XXXXXX, mode 0644), which
 * cli_atomic_commit flushes to disk and renames to final. Opening one
 * removes final's temporary files that killed runs left (unlocked and
 * untouched for a minute). */
struct cli_atomic {
    FILE *f;
    char tmp[PATH_MAX];
    char final[PATH_MAX];
};
/* 0, or -1 (message printed; nothing left behind). */
int cli_atomic_open(struct cli_atomic *a, const char *final, const char *cmd);
/* 0, or -1 with errno set and the temporary file removed (no message:
 * the caller says what could not be written). */
int cli_atomic_commit(struct cli_atomic *a);
/* Close and remove the temporary file; nothing when none is open. */
void cli_atomic_abort(struct cli_atomic *a);

/* Read a whole (small) file; the caller frees with cli_free_file. */
char *cli_read_file(const char *path, size_t max, size_t *len_out,
                    const char *cmd);
void cli_free_file(char *p, size_t len);

/* Buffered stdout, written by a thread of its own (cli_out.c).
 * cli_out_write matches bb_write_fn. */
int cli_out_write(const void *data, size_t len, void *userdata);
/* Hand what is buffered to the writer without waiting; returns 0, or -1
 * on a write error seen so far (message printed), or 1 when the reader
 * went away (EPIPE: end quietly). */
int cli_out_flush(const char *cmd);
/* Like cli_out_flush, but wait until everything is written and stop the
 * writer; call it before exiting. */
int cli_out_sync(const char *cmd);
bool cli_out_broken(void);

/* Call fn(buf, n, ud) for each chunk read from fd until EOF; returns 0,
 * or -1 on a read error (message printed), or fn's negative value. */
int cli_read_fd(int fd, const char *name, const char *cmd,
                int (*fn)(const char *buf, size_t n, void *ud), void *ud);

/* cli_read_fd on the file at path, or on standard input (NULL). */
int cli_read_path(const char *path, const char *cmd,
                  int (*fn)(const char *buf, size_t n, void *ud), void *ud);

/* Subcommands: argv[0] is the subcommand name. */
int cmd_scrub(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/* The vault file of scrub --vault: created or emptied with mode 0600;
 * a file owned by someone else, or a symlink, is refused. Records are
 * JSON Lines {"placeholder":"<EMAIL_1>","value":"..."}. NULL on error
 * (message printed). */
FILE *cli_vault_create(const char *path, const char *cmd);
/* bb_vault_fn writing one record to the FILE * in userdata. */
int cli_vault_write(const char *ph, size_t plen, const char *val,
                    size_t vlen, void *userdata);
int cmd_rules(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_moderate(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_proxy(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/* The fingerprint key of scan and audit (cli_audit.c): key_file, else
 * $BLACKBAR_SCAN_KEY, else a built-in public key; key has room for
 * CLI_FP_KEY_MAX bytes; key_id (17 bytes) gets its public id. 0 or -1
 * (message printed). */
#define CLI_FP_KEY_MAX 1024
int cli_fp_key(unsigned char *key, size_t *len, char *key_id,
               const char *key_file, const char *cmd);
/* The shown form of a value: at most n/8 and 4 characters each side
 * (bytes outside ! to ~ as '?'), the rest starred: "ghp_****…a1b2". */
void cli_mask(char *out, size_t cap, const char *v, size_t n);
/* What scan and audit report of a finding instead of its value: fp
 * (BB_FINGERPRINT_HEX + 1 bytes) = fpr's fingerprint of the rule id,
 * the value and, when not NULL, path; masked = cli_mask(). 0 or -1. */
int cli_finding_marks(char *fp, char *masked, size_t mcap,
                      struct bb_fingerprinter *fpr, const char *rule_id,
                      const struct bb_finding *f, const char *path);
/* Per rule: is it reported (not blackbar's internal rule, not a gate)?
 * NULL when out of memory (message printed); the caller frees. */
bool *cli_reported_rules(const struct bb_ruleset *rs, const char *cmd);

/* The audit key (cli_audit.c): BLACKBAR_AUDIT_KEY, or key_file (NULL:
 * the default one, created on first use). key has room for 64 bytes.
 * 0, or -1 (message printed). */
int cli_audit_key(unsigned char *key, size_t *len, const char *key_file,
                  const char *cmd);
/* Open the audit log at path; NULL on error (message printed). */
struct bb_audit *cli_audit_open(const char *path, const char *key_file,
                                const char *cmd);
/* Remote moderation options (cli_remote.c). */
struct cli_remote {
    const char *url;      /* NULL: no remote moderation */
    const char *key_env;  /* NULL: OPENAI_API_KEY */
    const char *model;    /* NULL: omni-moderation-latest */
    double timeout_s;     /* 0: 10 */
    long retries;         /* -1: 3 */
    bool fail_open;
};
/* 1 if opt was a --remote option (taken), 0 if not, -1 on a bad value
 * (message printed). */
int cli_remote_option(struct cli_remote *r, int opt, const char *arg,
                      const char *cmd);
/* Check scrubbed text with the endpoint and give the moderator its
 * scores; a negative code (err set) when the endpoint could not say. */
int cli_remote_check(const struct cli_remote *r, struct bb_moderator *m,
                     const char *text, size_t n, struct bb_err *err);

/* Records of the redactions and flags of a run: counts per rule. */
int cli_audit_counts(struct bb_audit *a, const char *source,
                     const struct bb_ruleset *rs, const uint64_t *totals,
                     const char *cmd);
/* The record of a request refused by rule (f: its first block finding;
 * its value is never written). */
int cli_audit_request_block(struct bb_audit *a, const char *source,
                            const struct bb_ruleset *rs,
                            const struct bb_finding *f,
                            const char *request_id, const char *route);

#endif
