/*
 * scan_diff.c - the added lines of a diff as units to scan: --diff REV
 * (`git diff -U0 REV`) and --history (`git log -p -U0`, every commit).
 * A unit is one file's added lines in one commit, joined, with a map
 * back to the file's line numbers; git's output is read as a stream, so
 * a long history never sits in memory whole.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scan.h"

struct diff_state {
    struct cli_pipe *p;
    const struct scan_opts *o;
    char commit[65];
    struct scan_unit *cur;
    size_t cap;        /* of cur->data */
    size_t map_cap;
    uint64_t new_line; /* file line of the next added line */
    bool in_hunk;
    bool large;
};

/* git's C-style quoting of unusual paths: "a\"b", "\303\251". */
static char *unquote(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    size_t i;

    if (out == NULL) {
        return NULL;
    }
    if (n < 2 || s[0] != '"') {
        memcpy(out, s, n);
        out[n] = '\0';
        return out;
    }
    for (i = 1; i + 1 < n; i++) {
        char c = s[i];

        if (c == '\\' && i + 2 < n) {
            c = s[++i];
            if (c >= '0' && c <= '7' && i + 2 < n) {
                c = (char)(((c - '0') << 6) | ((s[i + 1] - '0') << 3) |
                           (s[i + 2] - '0'));
                i += 2;
            } else {
                c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r'
                    : c == 'a' ? '\a' : c == 'b' ? '\b' : c == 'f' ? '\f'
                    : c == 'v' ? '\v' : c;
            }
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

/* Hand the file being collected to the pipe (if it added anything). */
static int flush(struct diff_state *d)
{
    struct scan_unit *u = d->cur;

    d->cur = NULL;
    d->in_hunk = false;
    if (u == NULL) {
        return 0;
    }
    if (u->path == NULL || (u->n_lines == 0 && u->skip == SKIP_NONE)) {
        scan_unit_free(u);
        return 0;
    }
    if (d->large) {
        u->skip = SKIP_LARGE;
    } else if (scan_ignore_path(d->o->ignore, u->path)) {
        u->skip = SKIP_IGNORED;
    }
    if (u->skip != SKIP_NONE && u->data != NULL) {
        explicit_bzero(u->data, u->len);
        free(u->data);
        u->data = NULL;
        u->len = 0;
    }
    if (u->data == NULL && u->skip == SKIP_NONE) {
        u->data = calloc(1, 1);
        if (u->data == NULL) {
            scan_unit_free(u);
            return -1;
        }
    }
    return scan_push(d->p, u);
}

static int begin(struct diff_state *d)
{
    if (flush(d) < 0) {
        return -1;
    }
    d->cur = calloc(1, sizeof(*d->cur));
    d->cap = 0;
    d->map_cap = 0;
    d->large = false;
    if (d->cur == NULL) {
        return -1;
    }
    if (d->commit[0] != '\0') {
        d->cur->commit = strdup(d->commit);
        if (d->cur->commit == NULL) {
            return -1;
        }
    }
    return 0;
}

static int set_path(struct diff_state *d, const char *s, size_t n)
{
    struct scan_unit *u = d->cur;

    if (u == NULL || u->path != NULL) {
        return 0;
    }
    if (n > 0 && s[n - 1] == '\t') {
        n--; /* git ends a name that has a blank with a tab */
    }
    u->path = unquote(s, n);
    if (u->path == NULL) {
        return -1;
    }
    /* the prefix b/ (or a/), inside the quotes if quoted */
    if (strncmp(u->path, "b/", 2) == 0 || strncmp(u->path, "a/", 2) == 0) {
        memmove(u->path, u->path + 2, strlen(u->path + 2) + 1);
    }
    u->key_path = strdup(u->path);
    return u->key_path == NULL ? -1 : 0;
}

static int add_line(struct diff_state *d, const char *s, size_t n)
{
    struct scan_unit *u = d->cur;

    if (u == NULL || d->large) {
        return 0;
    }
    if ((uint64_t)u->len + n + 1 > d->o->max_size) {
        d->large = true;
        return 0;
    }
    if (u->len + n + 1 > d->cap) {
        size_t nc = (u->len + n + 1) * 2;
        char *nb = malloc(nc);

        if (nb == NULL) {
            return -1;
        }
        if (u->data != NULL) {
            memcpy(nb, u->data, u->len);
            explicit_bzero(u->data, u->len);
            free(u->data);
        }
        u->data = nb;
        d->cap = nc;
    }
    if (u->n_lines == d->map_cap) {
        size_t nc = d->map_cap ? 2 * d->map_cap : 64;
        uint64_t *nm = realloc(u->line_map, nc * sizeof(*nm));

        if (nm == NULL) {
            return -1;
        }
        u->line_map = nm;
        d->map_cap = nc;
    }
    memcpy(u->data + u->len, s, n);
    u->len += n;
    u->data[u->len++] = '\n';
    u->line_map[u->n_lines++] = d->new_line++;
    return 0;
}

/* One line of git's output (without its newline). */
static int line(struct diff_state *d, const char *s, size_t n)
{
    if (d->in_hunk && n > 0 && s[0] == '+') {
        return add_line(d, s + 1, n - 1);
    }
    if (d->in_hunk && n > 0 && (s[0] == '-' || s[0] == '\\')) {
        return 0;
    }
    if (d->in_hunk && n > 0 && s[0] == ' ') {
        d->new_line++;
        return 0;
    }
    d->in_hunk = false;
    if (n > 7 && strncmp(s, "commit ", 7) == 0) {
        if (flush(d) < 0) {
            return -1;
        }
        snprintf(d->commit, sizeof(d->commit), "%.*s",
                 (int)(n - 7 > 64 ? 64 : n - 7), s + 7);
        return 0;
    }
    if (n > 11 && strncmp(s, "diff --git ", 11) == 0) {
        return begin(d);
    }
    if (n > 4 && strncmp(s, "+++ ", 4) == 0 &&
        strncmp(s + 4, "/dev/null", n - 4) != 0) {
        return set_path(d, s + 4, n - 4);
    }
    if (n > 13 && strncmp(s, "Binary files ", 13) == 0 && d->cur) {
        const char *and = memmem(s, n, " and ", 5);
        const char *end = s + n - 7; /* " differ" */

        if (and != NULL && end > and + 5 && set_path(d, and + 5,
                                                     (size_t)(end - and -
                                                              5)) < 0) {
            return -1;
        }
        d->cur->skip = SKIP_BINARY;
        return 0;
    }
    if (n > 3 && strncmp(s, "@@ ", 3) == 0) {
        const char *plus = memchr(s, '+', n);

        d->new_line = plus ? strtoull(plus + 1, NULL, 10) : 0;
        d->in_hunk = d->cur != NULL;
    }
    return 0;
}

int scan_src_diff(struct cli_pipe *p, void *opts)
{
    const struct scan_opts *o = opts;
    const char *argv[80] = { "git", "-c", "core.quotePath=false" };
    struct diff_state d;
    struct git_proc g;
    size_t na = 3;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    int st;

    memset(&d, 0, sizeof(d));
    d.p = p;
    d.o = o;
    if (o->mode == MODE_HISTORY) {
        argv[na++] = "log";
        argv[na++] = "-p";
        argv[na++] = "--format=format:commit %H";
    } else {
        argv[na++] = "diff";
    }
    argv[na++] = "-U0";
    argv[na++] = "--no-color";
    argv[na++] = "--no-ext-diff";
    argv[na++] = "--no-renames";
    argv[na++] = "--src-prefix=a/";
    argv[na++] = "--dst-prefix=b/";
    if (o->mode == MODE_DIFF) {
        argv[na++] = o->diff_rev;
    }
    argv[na++] = "--";
    for (size_t k = 0; k < o->n_paths && na < 79; k++) {
        argv[na++] = o->paths[k];
    }
    argv[na] = NULL;
    if (git_start(&g, argv, false) < 0) {
        return -1;
    }
    while (rc == 0 && (n = getline(&buf, &cap, g.out)) > 0) {
        size_t len = (size_t)n;

        if (buf[len - 1] == '\n') {
            len--;
        }
        rc = line(&d, buf, len);
        if (rc == 0 && cap > 2 * o->max_size + 65536) {
            /* one enormous line: keep its memory from lingering */
            explicit_bzero(buf, cap);
            free(buf);
            buf = NULL;
            cap = 0;
        }
    }
    if (rc == 0) {
        rc = flush(&d);
    }
    scan_unit_free(d.cur);
    if (buf != NULL) {
        explicit_bzero(buf, cap);
        free(buf);
    }
    st = git_finish(&g);
    if (rc == 0 && st != 0) {
        cli_error("scan", "git %s failed", o->mode == MODE_HISTORY
                  ? "log" : "diff");
        rc = -1;
    }
    return rc;
}
