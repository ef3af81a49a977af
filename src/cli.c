/*
 * cli.c - shared CLI plumbing: diagnostics and exit codes (the one place
 * they are mapped), rule-pack files and directories, key files and
 * chunked reads. Stdout is cli_out.c.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CAP (1024 * 1024)

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "blackbar: %s%s", cmd ? cmd : "", cmd ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_fail(const char *cmd, const struct bb_err *err)
{
    cli_error(cmd, "%s", err->msg[0] ? err->msg : bb_strerror(err->code));
    return EXIT_ERROR;
}

void cli_bad_option(const char *cmd, int argc, char **argv)
{
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

    cli_error(cmd, "unknown or incomplete option '%s' (see blackbar %s "
              "--help)", arg, cmd);
}

int cli_rules_option(struct cli_rules *cr, int opt, const char *arg,
                     const char *cmd)
{
    switch (opt) {
    case 'r':
        if (cr->n_paths == sizeof(cr->paths) / sizeof(cr->paths[0])) {
            cli_error(cmd, "too many --rules options");
            return -1;
        }
        cr->paths[cr->n_paths++] = arg;
        return 1;
    case OPT_NO_DEFAULT:
        cr->no_default = true;
        return 1;
    case OPT_STRICT:
        cr->strict = true;
        return 1;
    default:
        return 0;
    }
}

char *cli_read_file(const char *path, size_t max, size_t *len_out,
                    const char *cmd)
{
    struct stat sb;
    char *p = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &sb) < 0) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size > max) {
        cli_error(cmd, "%s: not a regular file of at most %zu bytes", path,
                  max);
        goto out;
    }
    p = malloc((size_t)sb.st_size + 1);
    while (p != NULL && got < (size_t)sb.st_size) {
        ssize_t n = read(fd, p + got, (size_t)sb.st_size - got);

        if (n <= 0) {
            cli_error(cmd, "%s: %s", path, n < 0 ? strerror(errno)
                                                 : "file shrank");
            free(p);
            p = NULL;
            goto out;
        }
        got += (size_t)n;
    }
    if (p == NULL) {
        cli_error(cmd, "%s: out of memory", path);
        goto out;
    }
    p[got] = '\0';
    *len_out = got;
out:
    if (fd >= 0) {
        close(fd);
    }
    return p;
}

void cli_free_file(char *p, size_t len)
{
    volatile char *v = p;
    size_t i;

    for (i = 0; p != NULL && i < len; i++) {
        v[i] = 0;
    }
    free(p);
}

static int add_file(struct bb_ruleset *rs, const char *path, const char *cmd)
{
    struct bb_err err;
    size_t len = 0;
    char *json = cli_read_file(path, 16u << 20, &len, cmd);
    int rc;

    if (json == NULL) {
        return -1;
    }
    rc = bb_ruleset_add_pack(rs, path, json, len, &err);
    free(json);
    if (rc < 0) {
        cli_fail(cmd, &err);
        return -1;
    }
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.json in dir, in name order. */
static int add_dir(struct bb_ruleset *rs, const char *dir, const char *cmd)
{
    char *names[256];
    size_t n = 0;
    size_t i;
    struct dirent *de;
    DIR *d = opendir(dir);
    int rc = 0;

    if (d == NULL) {
        cli_error(cmd, "%s: %s", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL && rc == 0) {
        size_t l = strlen(de->d_name);

        if (l <= 5 || strcmp(de->d_name + l - 5, ".json") != 0) {
            continue;
        }
        if (n == 256) {
            cli_error(cmd, "%s: more than 256 rule packs", dir);
            rc = -1;
        } else if ((names[n] = strdup(de->d_name)) == NULL) {
            cli_error(cmd, "%s: out of memory", dir);
            rc = -1;
        } else {
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), name_cmp);
    for (i = 0; i < n; i++) {
        char path[4096];

        if (rc == 0 && (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
                                        names[i]) >= sizeof(path)) {
            cli_error(cmd, "%s: path too long", dir);
            rc = -1;
        }
        if (rc == 0 && add_file(rs, path, cmd) < 0) {
            rc = -1;
        }
        free(names[i]);
    }
    return rc;
}

static int add_path(struct bb_ruleset *rs, const char *path, const char *cmd)
{
    struct stat sb;

    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        return add_dir(rs, path, cmd);
    }
    return add_file(rs, path, cmd);
}

/* BLACKBAR_RULES: colon-separated packs used when no --rules is given. */
static int add_env(struct bb_ruleset *rs, const char *cmd)
{
    const char *env = getenv("BLACKBAR_RULES");
    char *copy;
    char *p;
    int rc = 0;

    if (env == NULL || env[0] == '\0') {
        return 0;
    }
    copy = strdup(env);
    for (p = copy; rc == 0 && p != NULL;) {
        char *colon = strchr(p, ':');

        if (colon != NULL) {
            *colon = '\0';
        }
        if (p[0] != '\0') {
            rc = add_path(rs, p, cmd);
        }
        p = colon ? colon + 1 : NULL;
    }
    free(copy);
    return rc;
}

struct bb_ruleset *cli_load_rules(const struct cli_rules *cr,
                                  const char *cmd)
{
    struct bb_ruleset_opts opts = BB_RULESET_OPTS_INIT;
    struct bb_ruleset *rs = NULL;
    struct bb_err err;
    size_t i;
    int rc;

    opts.strict = cr->strict;
    rc = bb_ruleset_new(&rs, &opts, &err);
    if (rc == 0 && !cr->no_default) {
        rc = bb_ruleset_add_builtin(rs, &err);
    }
    if (rc == 0 && !cr->no_default && cr->moderation) {
        rc = bb_ruleset_add_builtin_pack(rs, "moderation", &err);
    }
    if (rc < 0) {
        cli_fail(cmd, &err);
        bb_ruleset_free(rs);
        return NULL;
    }
    rc = cr->n_paths == 0 ? add_env(rs, cmd) : 0;
    for (i = 0; rc == 0 && i < cr->n_paths; i++) {
        rc = add_path(rs, cr->paths[i], cmd);
    }
    if (rc == 0 && bb_ruleset_compile(rs, &err) < 0) {
        cli_fail(cmd, &err);
        rc = -1;
    }
    if (rc < 0) {
        bb_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

int cli_read_fd(int fd, const char *name, const char *cmd,
                int (*fn)(const char *buf, size_t n, void *ud), void *ud)
{
    static char buf[READ_CAP];
    int rc;

    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            cli_error(cmd, "%s: %s", name, strerror(errno));
            return -1;
        }
        if (n == 0) {
            return 0;
        }
        rc = fn(buf, (size_t)n, ud);
        if (rc < 0) {
            return rc;
        }
        /* What the chunk released goes out now, not when 64 KiB fill:
         * on a slow pipe only a possible match's prefix waits. */
        if (cli_out_flush(cmd) != 0) {
            return -1;
        }
    }
}

int cli_read_path(const char *path, const char *cmd,
                  int (*fn)(const char *buf, size_t n, void *ud), void *ud)
{
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : 0;
    int rc;

    if (fd < 0) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        return -1;
    }
    rc = cli_read_fd(fd, path ? path : "(stdin)", cmd, fn, ud);
    if (path != NULL) {
        close(fd);
    }
    return rc;
}

void cli_json_str(FILE *f, const char *s, size_t n)
{
    const char *run = s;
    const char *end = s + n;

    flockfile(f);
    putc_unlocked('"', f);
    for (; s < end; s++) {
        unsigned char c = (unsigned char)*s;

        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        fwrite_unlocked(run, 1, (size_t)(s - run), f);
        if (c == '"' || c == '\\') {
            putc_unlocked('\\', f);
            putc_unlocked((int)c, f);
        } else {
            fprintf(f, "\\u%04x", c);
        }
        run = s + 1;
    }
    fwrite_unlocked(run, 1, (size_t)(s - run), f);
    putc_unlocked('"', f);
    funlockfile(f);
}

int cli_options(int argc, char **argv, int first, const char *cmd,
                const char *shorts, const struct option *longs,
                const char *usage, struct cli_rules *rules,
                int (*take)(void *ctx, int opt, const char *arg), void *ctx)
{
    int opt;

    optind = first;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        int r = rules != NULL ? cli_rules_option(rules, opt, optarg, cmd)
                              : 0;

        if (r < 0) {
            return -1;
        }
        if (r > 0) {
            continue;
        }
        if (opt == 'h') {
            fputs(usage, stdout);
            return 1;
        }
        if (opt == '?' || opt == ':' || take == NULL) {
            cli_bad_option(cmd, argc, argv);
            return -1;
        }
        if (take(ctx, opt, optarg) < 0) {
            return -1;
        }
    }
    return 0;
}
