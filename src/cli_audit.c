/*
 * cli_audit.c - the audit key and log for the subcommands: the key is
 * BLACKBAR_AUDIT_KEY (its bytes, 16 to 64) or the key file
 * (--audit-key-file, else BLACKBAR_AUDIT_KEY_FILE, else
 * $XDG_CONFIG_HOME/blackbar/audit.key or ~/.config/blackbar/audit.key),
 * which is created 0600 with a random key on first use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blackbar.h"
#include "cli.h"

/* mkdir -p of the directories above path, mode 0700. */
static void make_dirs(char *path)
{
    char *s;

    for (s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0700);
        *s = '/';
    }
}

int cli_audit_key(unsigned char *key, size_t *len, const char *key_file,
                  const char *cmd)
{
    const char *env = getenv("BLACKBAR_AUDIT_KEY");
    char path[4096];
    struct bb_err err;

    if (env != NULL && key_file == NULL) {
        *len = strlen(env);
        if (*len < 16 || *len > 64) {
            cli_error(cmd, "BLACKBAR_AUDIT_KEY must have 16 to 64 bytes");
            return -1;
        }
        memcpy(key, env, *len);
        return 0;
    }
    if (key_file == NULL) {
        key_file = getenv("BLACKBAR_AUDIT_KEY_FILE");
    }
    if (key_file == NULL) {
        const char *xdg = getenv("XDG_CONFIG_HOME");
        const char *home = getenv("HOME");

        if ((xdg == NULL || xdg[0] == '\0') && home == NULL) {
            cli_error(cmd, "no audit key: set BLACKBAR_AUDIT_KEY or give "
                      "--audit-key-file");
            return -1;
        }
        snprintf(path, sizeof(path), "%s%s/blackbar/audit.key",
                 xdg && xdg[0] ? xdg : home, xdg && xdg[0] ? "" : "/.config");
        make_dirs(path);
        key_file = path;
    }
    if (bb_audit_key_file(key, len, key_file, &err) < 0) {
        return cli_fail(cmd, &err);
    }
    return 0;
}

struct bb_audit *cli_audit_open(const char *path, const char *key_file,
                                const char *cmd)
{
    unsigned char key[64];
    size_t len = 0;
    struct bb_audit *a = NULL;
    struct bb_err err;
    int rc = cli_audit_key(key, &len, key_file, cmd);

    if (rc == 0 && bb_audit_open(&a, path, key, len, &err) < 0) {
        cli_fail(cmd, &err);
        a = NULL;
    }
    memset(key, 0, sizeof(key));
    return a;
}

/* One record of the rules of action (redact or flag) with findings. */
static int counts_of(struct bb_audit *a, const char *source,
                     const struct bb_ruleset *rs, const uint64_t *totals,
                     enum bb_action action, const char *cmd)
{
    struct bb_audit_rec r;
    struct bb_rule_info ri;
    struct bb_err err;
    const char **ids = calloc(bb_ruleset_count(rs) + 1, sizeof(*ids));
    uint64_t *n = calloc(bb_ruleset_count(rs) + 1, sizeof(*n));
    size_t k = 0;
    size_t i;
    int rc = 0;

    if (ids == NULL || n == NULL) {
        cli_error(cmd, "out of memory");
        rc = -1;
    }
    for (i = 0; rc == 0 && i < bb_ruleset_count(rs); i++) {
        if (totals[i] > 0 && bb_ruleset_rule(&ri, rs, i, NULL) == 0 &&
            ri.action == action) {
            ids[k] = ri.id;
            n[k++] = totals[i];
        }
    }
    if (rc == 0 && k > 0) {
        memset(&r, 0, sizeof(r));
        r.event = action == BB_ACTION_FLAG ? "flag" : "redact";
        r.source = source;
        r.count_rules = ids;
        r.counts = n;
        r.ncounts = k;
        rc = bb_audit_write(a, &r, &err) < 0 ? cli_fail(cmd, &err) : 0;
    }
    free(ids);
    free(n);
    return rc;
}

int cli_audit_counts(struct bb_audit *a, const char *source,
                     const struct bb_ruleset *rs, const uint64_t *totals,
                     const char *cmd)
{
    int rc = counts_of(a, source, rs, totals, BB_ACTION_REDACT, cmd);

    return rc == 0 ? counts_of(a, source, rs, totals, BB_ACTION_FLAG, cmd)
                   : rc;
}

int cli_audit_request_block(struct bb_audit *a, const char *source,
                            const struct bb_ruleset *rs,
                            const struct bb_finding *f,
                            const char *request_id, const char *route)
{
    struct bb_rule_info ri;
    struct bb_audit_rec r;
    struct bb_err err;
    char ex[64];

    if (bb_ruleset_rule(&ri, rs, f->rule, &err) < 0) {
        return cli_fail(source, &err);
    }
    memset(&r, 0, sizeof(r));
    snprintf(ex, sizeof(ex), "[%zu chars withheld]", f->length);
    r.event = "block";
    r.source = source;
    r.direction = "request";
    r.request_id = request_id;
    r.route = route;
    r.rule = ri.id;
    r.type = ri.type;
    r.action = "block";
    r.offset = f->offset;
    r.length = f->length;
    r.excerpt = ex;
    return bb_audit_write(a, &r, &err) < 0 ? cli_fail(source, &err) : 0;
}

#define FP_DEFAULT_KEY "blackbar scan fingerprints v1 (public default key)"

int cli_fp_key(unsigned char *key, size_t *len, char *key_id,
               const char *key_file, const char *cmd)
{
    const char *env = getenv("BLACKBAR_SCAN_KEY");
    const char *parts[1] = { "blackbar key id" };
    size_t lens[1] = { 15 };
    char full[BB_FINGERPRINT_HEX + 1];

    if (key_file != NULL) {
        size_t n = 0;
        char *k = cli_read_file(key_file, CLI_FP_KEY_MAX, &n, cmd);

        if (k == NULL) {
            return -1;
        }
        while (n > 0 && (k[n - 1] == '\n' || k[n - 1] == '\r')) {
            n--;
        }
        memcpy(key, k, n);
        *len = n;
        cli_free_file(k, n);
    } else if (env != NULL && env[0] != '\0') {
        *len = strlen(env) < CLI_FP_KEY_MAX ? strlen(env) : CLI_FP_KEY_MAX;
        memcpy(key, env, *len);
    } else {
        *len = sizeof(FP_DEFAULT_KEY) - 1;
        memcpy(key, FP_DEFAULT_KEY, *len);
    }
    if (*len == 0) {
        cli_error(cmd, "%s: the fingerprint key is empty", key_file);
        return -1;
    }
    if (bb_fingerprint(full, key, *len, parts, lens, 1, NULL) < 0) {
        cli_error(cmd, "cannot compute the key id");
        return -1;
    }
    snprintf(key_id, 17, "%.16s", full);
    return 0;
}

bool *cli_reported_rules(const struct bb_ruleset *rs, const char *cmd)
{
    bool *report = calloc(bb_ruleset_count(rs) + 1, sizeof(bool));
    size_t i;

    if (report == NULL) {
        cli_error(cmd, "out of memory");
        return NULL;
    }
    for (i = 0; i < bb_ruleset_count(rs); i++) {
        struct bb_rule_info ri;

        bb_ruleset_rule(&ri, rs, i, NULL);
        report[i] = ri.action != BB_ACTION_GATE &&
                    strcmp(ri.pack, "blackbar-internal") != 0;
    }
    return report;
}

void cli_mask(char *out, size_t cap, const char *v, size_t n)
{
    size_t k = n / 8 > 4 ? 4 : n / 8;
    size_t o = 0;
    size_t i;

    if (cap < 2 * 4 + 8) {
        out[0] = '\0';
        return;
    }
    for (i = 0; i < k; i++) {
        unsigned char c = (unsigned char)v[i];

        out[o++] = c >= 0x21 && c < 0x7f ? (char)c : '?';
    }
    memcpy(out + o, k > 0 ? "****\xe2\x80\xa6" : "****", k > 0 ? 7 : 4);
    o += k > 0 ? 7 : 4;
    for (i = n - k; i < n; i++) {
        unsigned char c = (unsigned char)v[i];

        out[o++] = c >= 0x21 && c < 0x7f ? (char)c : '?';
    }
    out[o] = '\0';
}

int cli_finding_marks(char *fp, char *masked, size_t mcap,
                      struct bb_fingerprinter *fpr, const char *rule_id,
                      const struct bb_finding *f, const char *path)
{
    const char *parts[3] = { rule_id, f->value, path };
    size_t lens[3] = { strlen(rule_id), f->length,
                       path != NULL ? strlen(path) : 0 };

    if (bb_fingerprinter_make(fpr, fp, parts, lens, path != NULL ? 3 : 2,
                              NULL) < 0) {
        return -1;
    }
    cli_mask(masked, mcap, f->value, f->length);
    return 0;
}
