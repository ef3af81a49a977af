/*
 * scan_src.c - what `blackbar scan` looks at: the files of a git work
 * tree (tracked, plus untracked ones git does not ignore: git decides),
 * a directory walk (--no-git), standard input, or the index's blobs of
 * the added and modified files (--staged). Symlinks met on the way are
 * never followed (counted as skipped): a target inside the tree is
 * scanned where it lives, one outside is not ours. Names given on the
 * command line are read as asked. The order is always sorted.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "scan.h"

struct unit_spec {
    const char *path;
    const char *key_path;
    const char *open_path;
    enum unit_skip skip;
    const char *error;
    const char *blob;
};

/* Push a new unit; -1 when out of memory or the scan is stopping. */
static int push_unit(struct cli_pipe *p, const struct unit_spec *sp)
{
    struct scan_unit *u = calloc(1, sizeof(*u));
    const char *key = sp->key_path ? sp->key_path : sp->path;

    if (u == NULL) {
        cli_error("scan", "out of memory");
        return -1;
    }
    while (key[0] == '.' && key[1] == '/') { /* ./a/b and a/b: one key */
        key += 2;
        while (key[0] == '/') {
            key++;
        }
    }
    u->path = strdup(sp->path);
    u->key_path = strdup(key);
    u->open_path = sp->open_path ? strdup(sp->open_path) : NULL;
    u->error = sp->error ? strdup(sp->error) : NULL;
    u->blob = sp->blob ? strdup(sp->blob) : NULL;
    u->skip = sp->skip; /* a worker still marks it done, in order */
    if (u->path == NULL || u->key_path == NULL ||
        (sp->open_path && u->open_path == NULL) ||
        (sp->error && u->error == NULL) || (sp->blob && !u->blob)) {
        scan_unit_free(u);
        cli_error("scan", "out of memory");
        return -1;
    }
    return scan_push(p, u);
}

/* "a" + "b" -> "a/b", "." + "b" -> "b"; NULL when out of memory. */
static char *join(const char *dir, const char *name)
{
    size_t dn = strlen(dir);
    size_t nn = strlen(name);
    char *s;

    if (strcmp(dir, ".") == 0 || dn == 0) {
        return strdup(name);
    }
    while (dn > 1 && dir[dn - 1] == '/') {
        dn--;
    }
    s = malloc(dn + 1 + nn + 1);
    if (s != NULL) {
        memcpy(s, dir, dn);
        s[dn] = '/';
        memcpy(s + dn + 1, name, nn + 1);
    }
    return s;
}

/* One listed file: lstat it and push it (or its skip). */
static int push_file(struct cli_pipe *p, const struct scan_opts *o,
                     const char *path, const char *key_path)
{
    struct unit_spec sp = { path, key_path, path, SKIP_NONE, NULL, NULL };
    struct stat st;

    if (scan_ignore_path(o->ignore, key_path)) {
        sp.skip = SKIP_IGNORED;
        sp.open_path = NULL;
        return push_unit(p, &sp);
    }
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) {
            return 0; /* tracked but deleted in the work tree */
        }
        sp.skip = SKIP_UNREADABLE;
        sp.error = strerror(errno);
    } else if (S_ISLNK(st.st_mode)) {
        sp.skip = SKIP_SYMLINK; /* its target is scanned where it lives */
    } else if (!S_ISREG(st.st_mode)) {
        return 0; /* a submodule, a socket, a device */
    } else if ((uint64_t)st.st_size > o->max_size) {
        sp.skip = SKIP_LARGE;
    }
    if (sp.skip != SKIP_NONE) {
        sp.open_path = NULL;
    }
    return push_unit(p, &sp);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a directory's names, sorted; NULL on error (errno set). */
static char **list_dir(const char *dir, size_t *n_out)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0;
    size_t cap = 0;
    struct dirent *e;

    if (d == NULL) {
        return NULL;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        if (n == cap) {
            char **nn = realloc(names, (cap ? 2 * cap : 32) * sizeof(*nn));

            if (nn == NULL) {
                break;
            }
            names = nn;
            cap = cap ? 2 * cap : 32;
        }
        names[n] = strdup(e->d_name);
        if (names[n] == NULL) {
            break;
        }
        n++;
    }
    closedir(d);
    if (e != NULL) {
        while (n > 0) {
            free(names[--n]);
        }
        free(names);
        errno = ENOMEM;
        return NULL;
    }
    if (names == NULL) {
        names = calloc(1, sizeof(*names));
    }
    if (n > 1) {
        qsort(names, n, sizeof(*names), by_name);
    }
    *n_out = n;
    return names;
}

static int walk(struct cli_pipe *p, const struct scan_opts *o,
                const char *dir)
{
    size_t n = 0;
    char **names = list_dir(dir, &n);
    size_t i;
    int rc = 0;

    if (names == NULL) {
        struct unit_spec sp = { dir, NULL, NULL, SKIP_UNREADABLE,
                                strerror(errno), NULL };

        return errno == ENOMEM ? -1 : push_unit(p, &sp);
    }
    for (i = 0; i < n; i++) {
        char *path = rc == 0 ? join(dir, names[i]) : NULL;
        struct stat st;

        if (rc == 0 && path == NULL) {
            cli_error("scan", "out of memory");
            rc = -1;
        }
        if (rc == 0 && lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (!scan_ignore_path(o->ignore, path)) {
                rc = walk(p, o, path);
            }
        } else if (rc == 0) {
            rc = push_file(p, o, path, path);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* The files git lists under dir (relative to dir, NUL-separated). */
static int git_tree(struct cli_pipe *p, const struct scan_opts *o,
                    const char *dir)
{
    const char *ls[] = { "git", "-C", dir, "ls-files", "-z", "--cached",
                         "--others", "--exclude-standard", NULL };
    const char *pfx[] = { "git", "-C", dir, "rev-parse", "--show-prefix",
                          NULL };
    char *list = NULL;
    char *prefix = NULL;
    const char *prev = "";
    char **names = NULL;
    size_t n = 0;
    size_t len;
    size_t plen = 0;
    size_t i;
    int rc = 0;

    if (git_output(&prefix, &plen, pfx, 65536, false) < 0 ||
        git_output(&list, &len, ls, (size_t)1 << 30, false) < 0) {
        cli_error("scan", "%s: git ls-files failed", dir);
        free(prefix);
        return -1;
    }
    while (plen > 0 && prefix[plen - 1] == '\n') {
        prefix[--plen] = '\0';
    }
    for (i = 0; i < len; i += strlen(list + i) + 1) {
        n++;
    }
    names = calloc(n + 1, sizeof(*names));
    if (names == NULL) {
        rc = -1;
        cli_error("scan", "out of memory");
    }
    for (i = 0, n = 0; rc == 0 && i < len; i += strlen(list + i) + 1) {
        names[n++] = list + i;
    }
    if (rc == 0 && n > 1) { /* tracked and untracked: one sorted list */
        qsort(names, n, sizeof(*names), by_name);
    }
    for (i = 0; rc == 0 && i < n; i++) {
        const char *rel = names[i];
        char *path = join(dir, rel);
        char *key = join(plen ? prefix : ".", rel);

        if (path == NULL || key == NULL) {
            cli_error("scan", "out of memory");
            rc = -1;
        } else if (strcmp(rel, prev) != 0) { /* unmerged: once */
            rc = push_file(p, o, path, key);
        }
        prev = rel;
        free(path);
        free(key);
    }
    free(names);
    free(list);
    free(prefix);
    return rc;
}

/* Standard input, whole (up to --max-file-size). */
static int push_stdin(struct cli_pipe *p, const struct scan_opts *o)
{
    struct scan_unit *u = calloc(1, sizeof(*u));
    size_t cap = 65536;
    size_t len = 0;

    if (u == NULL || (u->data = malloc(cap)) == NULL) {
        free(u);
        cli_error("scan", "out of memory");
        return -1;
    }
    for (;;) {
        ssize_t n;

        if ((uint64_t)len > o->max_size) {
            u->len = len;
            scan_unit_free(u);
            cli_error("scan", "standard input is larger than "
                      "--max-file-size (%llu bytes)",
                      (unsigned long long)o->max_size);
            return -1;
        }
        if (len == cap) {
            char *nb = realloc(u->data, 2 * cap);

            if (nb == NULL) {
                u->len = len;
                scan_unit_free(u);
                cli_error("scan", "out of memory");
                return -1;
            }
            u->data = nb;
            cap *= 2;
        }
        n = read(STDIN_FILENO, u->data + len, cap - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n < 0) {
                u->len = len;
                scan_unit_free(u);
                cli_error("scan", "standard input: %s", strerror(errno));
                return -1;
            }
            break;
        }
        len += (size_t)n;
    }
    u->len = len;
    u->path = strdup("-");
    u->key_path = strdup("-");
    if (u->path == NULL || u->key_path == NULL) {
        scan_unit_free(u);
        cli_error("scan", "out of memory");
        return -1;
    }
    return scan_push(p, u);
}

/* A named file's path from its work tree's top, so that its fingerprint
 * does not depend on the directory blackbar runs in; NULL outside one. */
static char *repo_key(const char *path)
{
    char real[PATH_MAX];
    char dir[PATH_MAX];
    char *slash;
    char *top;
    char *key = NULL;
    size_t tn;

    if (realpath(path, real) == NULL) {
        return NULL;
    }
    memcpy(dir, real, sizeof(dir));
    slash = strrchr(dir, '/');
    if (slash == NULL) {
        return NULL;
    }
    *slash = '\0';
    top = git_toplevel(dir[0] != '\0' ? dir : "/");
    if (top == NULL) {
        return NULL;
    }
    tn = strlen(top);
    if (strncmp(real, top, tn) == 0 && real[tn] == '/') {
        key = strdup(real + tn + 1);
    }
    free(top);
    return key;
}

static int tree_path(struct cli_pipe *p, const struct scan_opts *o,
                     const char *path)
{
    struct stat st;
    char *top = NULL;
    int rc;

    if (strcmp(path, "-") == 0) {
        return push_stdin(p, o);
    }
    if (stat(path, &st) < 0) {
        cli_error("scan", "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        struct unit_spec sp = { path, NULL, path, SKIP_NONE, NULL, NULL };
        char *key = o->no_git ? NULL : repo_key(path);

        sp.key_path = key;
        rc = push_unit(p, &sp); /* named: scanned as asked */
        free(key);
        return rc;
    }
    if (!o->no_git) {
        top = git_toplevel(path);
    }
    if (top != NULL) {
        rc = git_tree(p, o, path);
        free(top);
        return rc;
    }
    return walk(p, o, path);
}

int scan_src_tree(struct cli_pipe *p, void *opts)
{
    const struct scan_opts *o = opts;
    size_t i;
    int rc = 0;

    for (i = 0; i < o->n_paths; i++) {
        if (tree_path(p, o, o->paths[i]) < 0) {
            rc = -1; /* reported; the other paths are still scanned */
        }
    }
    return o->n_paths == 0 ? tree_path(p, o, ".") : rc;
}

/* --staged: `git diff --cached --raw -z` names the added, modified and
 * retyped files with their index blob; the worker reads each blob. */
int scan_src_staged(struct cli_pipe *p, void *opts)
{
    const struct scan_opts *o = opts;
    const char *argv[64] = { "git", "diff", "--cached", "--raw", "-z",
                             "--no-abbrev", "--no-renames",
                             "--diff-filter=AMT", "--" };
    size_t na = 9;
    char *out = NULL;
    size_t len;
    size_t i = 0;
    int rc = 0;

    for (size_t k = 0; k < o->n_paths && na < 63; k++) {
        argv[na++] = o->paths[k];
    }
    argv[na] = NULL;
    if (git_output(&out, &len, argv, (size_t)1 << 30, false) < 0) {
        cli_error("scan", "--staged: git diff --cached failed");
        return -1;
    }
    while (rc == 0 && i < len) {
        /* ":100644 100644 <old> <new> M" NUL path NUL */
        const char *meta = out + i;
        const char *path = meta + strlen(meta) + 1;
        struct unit_spec sp = { path, NULL, NULL, SKIP_NONE, NULL, NULL };
        char mode[8] = "";
        char blob[65] = "";

        if (path >= out + len ||
            sscanf(meta, ":%*7s %7s %*64s %64s", mode, blob) != 2) {
            cli_error("scan", "cannot read git diff --raw output");
            rc = -1;
            break;
        }
        i = (size_t)(path - out) + strlen(path) + 1;
        if (strcmp(mode, "120000") == 0) {
            sp.skip = SKIP_SYMLINK;
        } else if (strcmp(mode, "160000") == 0) {
            continue; /* a submodule */
        } else if (scan_ignore_path(o->ignore, path)) {
            sp.skip = SKIP_IGNORED;
        }
        sp.blob = sp.skip == SKIP_NONE ? blob : NULL;
        rc = push_unit(p, &sp);
    }
    free(out);
    return rc;
}
