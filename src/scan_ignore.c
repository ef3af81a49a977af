/*
 * scan_ignore.c - what the scan must not report: .blackbarignore (path
 * globs and fingerprints) and baselines (the fingerprints of findings
 * accepted before). A baseline holds no line numbers and no values, is
 * sorted and has one finding per line, so it diffs and merges cleanly.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "scan.h"

#define FP_LEN BB_FINGERPRINT_HEX

struct scan_ignore {
    char **globs;
    size_t n_globs;
    char (*fps)[FP_LEN + 1];
    size_t n_fps;
};

struct scan_baseline {
    char (*fps)[FP_LEN + 1];
    size_t n;
};

static bool is_fp(const char *s, size_t n)
{
    size_t i;

    if (n != FP_LEN) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static int by_fp(const void *a, const void *b)
{
    return memcmp(a, b, FP_LEN);
}

static int add_fp(char (**fps)[FP_LEN + 1], size_t *n, const char *s)
{
    char(*nf)[FP_LEN + 1] = realloc(*fps, (*n + 1) * sizeof(**fps));

    if (nf == NULL) {
        return -1;
    }
    memcpy(nf[*n], s, FP_LEN);
    nf[*n][FP_LEN] = '\0';
    *fps = nf;
    (*n)++;
    return 0;
}

static int add_line(struct scan_ignore *ig, const char *s, size_t n)
{
    char **ng;

    while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
                     s[n - 1] == '\r')) {
        n--;
    }
    if (n == 0 || s[0] == '#') {
        return 0;
    }
    if (is_fp(s, n)) {
        return add_fp(&ig->fps, &ig->n_fps, s);
    }
    ng = realloc(ig->globs, (ig->n_globs + 1) * sizeof(*ng));
    if (ng == NULL) {
        return -1;
    }
    ig->globs = ng;
    ig->globs[ig->n_globs] = strndup(s, n);
    if (ig->globs[ig->n_globs] == NULL) {
        return -1;
    }
    ig->n_globs++;
    return 0;
}

int scan_ignore_load(struct scan_ignore **out, const char *path,
                     bool must_exist)
{
    struct scan_ignore *ig = calloc(1, sizeof(*ig));
    char *text = NULL;
    size_t len = 0;
    size_t i = 0;

    if (ig == NULL) {
        cli_error("scan", "out of memory");
        return -1;
    }
    *out = ig;
    if (!must_exist && access(path, F_OK) < 0 && errno == ENOENT) {
        return 0;
    }
    text = cli_read_file(path, 16u << 20, &len, "scan");
    if (text == NULL) {
        return -1;
    }
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

        if (add_line(ig, text + i, n) < 0) {
            cli_free_file(text, len);
            cli_error("scan", "out of memory");
            return -1;
        }
        i += n + 1;
    }
    cli_free_file(text, len);
    if (ig->n_fps > 1) {
        qsort(ig->fps, ig->n_fps, sizeof(*ig->fps), by_fp);
    }
    return 0;
}

/* A glob against a path: with a '/', anchored at the root (a leading
 * '/' dropped) and matching the path or a directory above it; without,
 * matching any one component. "**" crosses directories. */
static bool glob_match(const char *g, const char *path)
{
    bool anchored = g[0] == '/';
    size_t gn;
    char pat[4096];
    char buf[4096];
    const char *p;

    g += anchored;
    gn = strlen(g);
    if (gn == 0 || gn >= sizeof(pat) || strlen(path) >= sizeof(buf)) {
        return false;
    }
    memcpy(pat, g, gn + 1);
    if (pat[gn - 1] == '/') {
        pat[--gn] = '\0'; /* "dir/": the directory and what is under it */
    }
    if (anchored || strchr(pat, '/') != NULL) {
        int flags = strstr(pat, "**") != NULL ? 0 : FNM_PATHNAME;

        memcpy(buf, path, strlen(path) + 1);
        for (;;) {
            char *slash;

            if (fnmatch(pat, buf, flags) == 0) {
                return true;
            }
            slash = strrchr(buf, '/');
            if (slash == NULL) {
                return false;
            }
            *slash = '\0';
        }
    }
    for (p = path; *p != '\0';) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);

        memcpy(buf, p, n);
        buf[n] = '\0';
        if (fnmatch(pat, buf, 0) == 0) {
            return true;
        }
        p += n + (e != NULL);
    }
    return false;
}

bool scan_ignore_path(const struct scan_ignore *ig, const char *path)
{
    size_t i;

    if (ig == NULL) {
        return false;
    }
    if (path[0] == '.' && path[1] == '/') {
        path += 2;
    }
    for (i = 0; i < ig->n_globs; i++) {
        if (glob_match(ig->globs[i], path)) {
            return true;
        }
    }
    return false;
}

bool scan_ignore_fp(const struct scan_ignore *ig, const char *fp)
{
    return ig != NULL && ig->n_fps > 0 &&
           bsearch(fp, ig->fps, ig->n_fps, sizeof(*ig->fps), by_fp) != NULL;
}

void scan_ignore_free(struct scan_ignore *ig)
{
    size_t i;

    if (ig == NULL) {
        return;
    }
    for (i = 0; i < ig->n_globs; i++) {
        free(ig->globs[i]);
    }
    free(ig->globs);
    free(ig->fps);
    free(ig);
}

/* ---------------------------------------------------------- baseline */

/* Parse a baseline; calls fn for each finding. -1 (message printed). */
static int read_baseline(const char *path, const char *key_id,
                         int (*fn)(const cJSON *f, void *ud), void *ud)
{
    size_t len = 0;
    char *text = cli_read_file(path, 256u << 20, &len, "scan");
    const char *end = NULL;
    cJSON *doc;
    const cJSON *fs;
    const cJSON *kid;
    const cJSON *f;
    int rc = 0;

    if (text == NULL) {
        return -1;
    }
    doc = cJSON_ParseWithLengthOpts(text, len, &end, false);
    cli_free_file(text, len);
    fs = cJSON_GetObjectItemCaseSensitive(doc, "findings");
    kid = cJSON_GetObjectItemCaseSensitive(doc, "key_id");
    if (doc == NULL || !cJSON_IsArray(fs) || !cJSON_IsString(kid)) {
        cli_error("scan", "%s: not a blackbar baseline (JSON with "
                  "\"key_id\" and \"findings\")", path);
        cJSON_Delete(doc);
        return -1;
    }
    if (strcmp(kid->valuestring, key_id) != 0) {
        cli_error("scan", "%s: written with another fingerprint key (key "
                  "id %.16s, this run's is %s): use the same --key-file "
                  "or $BLACKBAR_SCAN_KEY", path, kid->valuestring, key_id);
        cJSON_Delete(doc);
        return -1;
    }
    cJSON_ArrayForEach(f, fs) {
        const cJSON *fp = cJSON_GetObjectItemCaseSensitive(f, "fingerprint");

        if (!cJSON_IsString(fp) ||
            !is_fp(fp->valuestring, strlen(fp->valuestring))) {
            cli_error("scan", "%s: a finding without a valid "
                      "\"fingerprint\"", path);
            rc = -1;
            break;
        }
        rc = fn(f, ud);
        if (rc < 0) {
            cli_error("scan", "out of memory");
            break;
        }
    }
    cJSON_Delete(doc);
    return rc;
}

static int base_add(const cJSON *f, void *ud)
{
    struct scan_baseline *b = ud;
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(f, "fingerprint");

    return add_fp(&b->fps, &b->n, fp->valuestring);
}

int scan_baseline_load(struct scan_baseline **out, const char *path,
                       const char *key_id)
{
    struct scan_baseline *b = calloc(1, sizeof(*b));

    if (b == NULL) {
        cli_error("scan", "out of memory");
        return -1;
    }
    if (read_baseline(path, key_id, base_add, b) < 0) {
        scan_baseline_free(b);
        return -1;
    }
    if (b->n > 1) {
        qsort(b->fps, b->n, sizeof(*b->fps), by_fp);
    }
    *out = b;
    return 0;
}

bool scan_baseline_has(const struct scan_baseline *b, const char *fp)
{
    return b != NULL && b->n > 0 &&
           bsearch(fp, b->fps, b->n, sizeof(*b->fps), by_fp) != NULL;
}

void scan_baseline_free(struct scan_baseline *b)
{
    if (b != NULL) {
        free(b->fps);
        free(b);
    }
}

/* ---------------------------------------------------- baseline writer */

struct bentry {
    char *path;
    char *rule;
    char fp[FP_LEN + 1];
    char masked[64];
};

struct scan_bwriter {
    struct bentry *e;
    size_t n;
    char **paths; /* scanned in this run: their old entries are replaced */
    size_t n_paths;
};

int scan_bwriter_new(struct scan_bwriter **out)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        cli_error("scan", "out of memory");
        return -1;
    }
    return 0;
}

int scan_bwriter_path(struct scan_bwriter *bw, const char *path)
{
    char **np = realloc(bw->paths, (bw->n_paths + 1) * sizeof(*np));

    if (np == NULL) {
        return -1;
    }
    bw->paths = np;
    np[bw->n_paths] = strdup(path);
    if (np[bw->n_paths] == NULL) {
        return -1;
    }
    bw->n_paths++;
    return 0;
}

static int add_entry(struct scan_bwriter *bw, const char *path,
                     const char *rule, const char *fp, const char *masked)
{
    struct bentry *ne = realloc(bw->e, (bw->n + 1) * sizeof(*ne));
    struct bentry *e;

    if (ne == NULL) {
        return -1;
    }
    bw->e = ne;
    e = &ne[bw->n];
    e->path = strdup(path);
    e->rule = strdup(rule);
    snprintf(e->fp, sizeof(e->fp), "%s", fp);
    snprintf(e->masked, sizeof(e->masked), "%s", masked);
    if (e->path == NULL || e->rule == NULL) {
        free(e->path);
        free(e->rule);
        return -1;
    }
    bw->n++;
    return 0;
}

int scan_bwriter_add(struct scan_bwriter *bw, const char *path,
                     const char *rule, const struct scan_hit *h)
{
    return add_entry(bw, path, rule, h->fp, h->masked);
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_entry(const void *a, const void *b)
{
    const struct bentry *x = a;
    const struct bentry *y = b;
    int c = strcmp(x->path, y->path);

    if (c == 0) {
        c = strcmp(x->rule, y->rule);
    }
    return c != 0 ? c : strcmp(x->fp, y->fp);
}

/* An entry of the old file: kept when its path was not scanned now. */
static int keep_old(const cJSON *f, void *ud)
{
    struct scan_bwriter *bw = ud;
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(f, "path");
    const cJSON *rule = cJSON_GetObjectItemCaseSensitive(f, "rule");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(f, "fingerprint");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(f, "masked");
    const char *ps = cJSON_IsString(path) ? path->valuestring : "";

    if (bw->n_paths > 0 && bsearch(&ps, bw->paths, bw->n_paths,
                                   sizeof(*bw->paths), by_str) != NULL) {
        return 0;
    }
    return add_entry(bw, ps, cJSON_IsString(rule) ? rule->valuestring : "",
                     fp->valuestring,
                     cJSON_IsString(m) ? m->valuestring : "");
}

static int put_entry(FILE *f, const struct bentry *e, bool last)
{
    cJSON *o = cJSON_CreateObject();
    char *s = NULL;
    int rc = -1;

    if (o != NULL && cJSON_AddStringToObject(o, "path", e->path) &&
        cJSON_AddStringToObject(o, "rule", e->rule) &&
        cJSON_AddStringToObject(o, "fingerprint", e->fp) &&
        cJSON_AddStringToObject(o, "masked", e->masked)) {
        s = cJSON_PrintUnformatted(o);
    }
    if (s != NULL && fprintf(f, "    %s%s\n", s, last ? "" : ",") > 0) {
        rc = 0;
    }
    free(s);
    cJSON_Delete(o);
    return rc;
}

static int write_file(const char *file, const struct scan_bwriter *bw,
                      const char *key_id)
{
    struct cli_atomic a;
    FILE *f;
    size_t i;
    int rc = 0;

    if (cli_atomic_open(&a, file, "scan") < 0) {
        return -1;
    }
    f = a.f;
    fprintf(f, "{\n  \"tool\": \"blackbar\",\n  \"version\": 1,\n"
            "  \"key_id\": \"%s\",\n  \"findings\": [\n", key_id);
    for (i = 0; rc == 0 && i < bw->n; i++) {
        rc = put_entry(f, &bw->e[i], i + 1 == bw->n);
    }
    fputs("  ]\n}\n", f);
    if (rc < 0) {
        cli_atomic_abort(&a);
        cli_error("scan", "%s: cannot write the baseline", file);
        return -1;
    }
    if (cli_atomic_commit(&a) < 0) {
        cli_error("scan", "%s: cannot write the baseline: %s", file,
                  strerror(errno));
        return -1;
    }
    return 0;
}

int scan_bwriter_write(struct scan_bwriter *bw, const char *file,
                       const char *key_id, size_t *n_out)
{
    size_t i;
    size_t k = 0;

    if (bw->n_paths > 1) {
        qsort(bw->paths, bw->n_paths, sizeof(*bw->paths), by_str);
    }
    if (access(file, F_OK) == 0 &&
        read_baseline(file, key_id, keep_old, bw) < 0) {
        return -1;
    }
    if (bw->n > 1) {
        qsort(bw->e, bw->n, sizeof(*bw->e), by_entry);
    }
    for (i = 0; i < bw->n; i++) { /* the same finding twice: once */
        if (k > 0 && by_entry(&bw->e[k - 1], &bw->e[i]) == 0) {
            free(bw->e[i].path);
            free(bw->e[i].rule);
            continue;
        }
        bw->e[k++] = bw->e[i];
    }
    bw->n = k;
    *n_out = k;
    return write_file(file, bw, key_id);
}

void scan_bwriter_free(struct scan_bwriter *bw)
{
    size_t i;

    if (bw == NULL) {
        return;
    }
    for (i = 0; i < bw->n; i++) {
        free(bw->e[i].path);
        free(bw->e[i].rule);
    }
    for (i = 0; i < bw->n_paths; i++) {
        free(bw->paths[i]);
    }
    free(bw->e);
    free(bw->paths);
    free(bw);
}
