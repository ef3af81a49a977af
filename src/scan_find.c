/*
 * scan_find.c - one scan worker: read a unit (a file, a staged blob or
 * lines held in memory), skip binaries and oversized files, run the
 * rules over it and turn each finding into a line, a column, a masked
 * value and a fingerprint. The value itself is kept only for
 * --show-values; the read buffer is wiped before it is reused or freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blackbar.h"
#include "cli.h"
#include "scan.h"

#define BIG_FILE (1u << 20) /* searched with helper threads */
#define BINARY_PROBE 8000 /* git's own heuristic: a NUL in the first 8000 */

struct raw_hit {
    uint64_t offset;
    size_t length;
    size_t rule;
    char fp[BB_FINGERPRINT_HEX + 1];
    char masked[64];
    char *value;
};

struct scan_worker {
    const struct scan_opts *o;
    struct bb_redactor *rd;
    struct bb_fingerprinter *fpr;
    char *buf;
    size_t cap;
    size_t used;       /* bytes of buf that held input (wiped) */
    char *blob;        /* the last staged blob read */
    size_t blob_len;
    struct git_proc cat; /* git cat-file --batch, started at the first */
    bool cat_on;
    struct raw_hit *raw;
    size_t n_raw;
    size_t cap_raw;
    const struct scan_unit *unit;
    int failed;        /* an out-of-memory in the observer */
    struct bb_scrubber *s; /* long-lived: one segment a file */
    uint64_t base;     /* where the current file starts in it */
};

int scan_job_worker_new(void **out, void *ctx)
{
    struct scan_worker *w = NULL;
    int rc = scan_worker_new(&w, ctx);

    *out = w;
    return rc;
}

int scan_job_run(void *worker, struct cli_job *job)
{
    return scan_worker_run(worker, (struct scan_unit *)job);
}

void scan_job_worker_free(void *worker)
{
    scan_worker_free(worker);
}

void scan_job_free(struct cli_job *job)
{
    scan_unit_free((struct scan_unit *)job);
}

int scan_push(struct cli_pipe *p, struct scan_unit *u)
{
    u->job.len = u->len;
    return cli_pipe_push(p, &u->job);
}

void scan_unit_free(struct scan_unit *u)
{
    size_t i;

    if (u == NULL) {
        return;
    }
    for (i = 0; i < u->n_hits; i++) {
        if (u->hits[i].value != NULL) {
            explicit_bzero(u->hits[i].value, strlen(u->hits[i].value));
            free(u->hits[i].value);
        }
    }
    if (u->data != NULL) {
        explicit_bzero(u->data, u->len);
        free(u->data);
    }
    free(u->hits);
    free(u->path);
    free(u->key_path);
    free(u->open_path);
    free(u->commit);
    free(u->blob);
    free(u->line_map);
    free(u->error);
    free(u);
}

int scan_worker_new(struct scan_worker **out, const struct scan_opts *o)
{
    struct scan_worker *w = calloc(1, sizeof(*w));
    struct bb_err err;

    if (w == NULL) {
        cli_error("scan", "out of memory");
        return -1;
    }
    w->o = o;
    /* output is discarded: "remove" keeps no table of the values seen,
     * which placeholders would, growing with every distinct value */
    if (bb_redactor_new(&w->rd, o->rs, &err) < 0 ||
        bb_redactor_set_operator(w->rd, "remove", &err) < 0 ||
        bb_fingerprinter_new(&w->fpr, o->key, o->key_len, &err) < 0) {
        cli_fail("scan", &err);
        bb_redactor_free(w->rd);
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

static void drop_blob(struct scan_worker *w)
{
    if (w->blob != NULL) {
        explicit_bzero(w->blob, w->blob_len);
        free(w->blob);
        w->blob = NULL;
    }
}

void scan_worker_free(struct scan_worker *w)
{
    if (w == NULL) {
        return;
    }
    if (w->buf != NULL) {
        explicit_bzero(w->buf, w->used);
        free(w->buf);
    }
    drop_blob(w);
    if (w->cat_on) {
        git_finish(&w->cat);
    }
    free(w->raw);
    bb_scrubber_free(w->s);
    bb_redactor_free(w->rd);
    bb_fingerprinter_free(w->fpr);
    free(w);
}

static int discard(const void *data, size_t len, void *userdata)
{
    (void)data;
    (void)len;
    (void)userdata;
    return 0;
}

static int observe(const struct bb_finding *f, void *userdata)
{
    struct scan_worker *w = userdata;
    const struct scan_opts *o = w->o;
    struct raw_hit *h;
    struct bb_rule_info ri;

    if (!o->report_rule[f->rule]) {
        return 0;
    }
    if (w->n_raw == w->cap_raw) {
        size_t nc = w->cap_raw ? 2 * w->cap_raw : 16;
        struct raw_hit *nr = realloc(w->raw, nc * sizeof(*nr));

        if (nr == NULL) {
            w->failed = BB_ENOMEM;
            return BB_ENOMEM;
        }
        w->raw = nr;
        w->cap_raw = nc;
    }
    h = &w->raw[w->n_raw];
    memset(h, 0, sizeof(*h));
    h->offset = f->offset - w->base;
    h->length = f->length;
    h->rule = f->rule;
    bb_ruleset_rule(&ri, o->rs, f->rule, NULL);
    if (cli_finding_marks(h->fp, h->masked, sizeof(h->masked), w->fpr,
                          ri.id, f, w->unit->key_path) < 0) {
        w->failed = BB_EINVAL;
        return BB_EINVAL;
    }
    if (o->show_values) {
        h->value = strndup(f->value, f->length);
        if (h->value == NULL) {
            w->failed = BB_ENOMEM;
            return BB_ENOMEM;
        }
    }
    w->n_raw++;
    return 0;
}

static void set_error(struct scan_unit *u, const char *msg)
{
    u->skip = SKIP_UNREADABLE;
    free(u->error);
    u->error = strdup(msg);
}

/* Read the file at u->open_path into w->buf. */
static int read_file(struct scan_worker *w, struct scan_unit *u,
                     size_t *len_out)
{
    int fd = open(u->open_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    size_t len = 0;
    size_t want;

    if (fd < 0) {
        if (errno == ENOENT) {
            u->skip = SKIP_GONE;
        } else {
            set_error(u, strerror(errno));
        }
        return 0;
    }
    if (fstat(fd, &st) < 0) {
        set_error(u, strerror(errno));
        close(fd);
        return 0;
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        u->skip = SKIP_GONE; /* a directory (a submodule) or a device */
        close(fd);
        return 0;
    }
    if ((uint64_t)st.st_size > w->o->max_size) {
        u->skip = SKIP_LARGE;
        close(fd);
        return 0;
    }
    want = (size_t)st.st_size + 4096;
    for (;;) {
        ssize_t n;

        if (len + 1 >= w->cap || want > w->cap) {
            size_t nc = want > 2 * w->cap ? want : 2 * w->cap + 4096;
            char *nb = malloc(nc);

            if (nb == NULL) {
                close(fd);
                cli_error("scan", "out of memory");
                return -1;
            }
            if (w->buf != NULL) {
                memcpy(nb, w->buf, len);
                explicit_bzero(w->buf, w->used);
                free(w->buf);
            }
            w->buf = nb;
            w->cap = nc;
        }
        n = read(fd, w->buf + len, w->cap - len - 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            set_error(u, strerror(errno));
            break;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
        if (len > w->used) {
            w->used = len;
        }
        if ((uint64_t)len > w->o->max_size) {
            u->skip = SKIP_LARGE; /* it grew while we read */
            break;
        }
    }
    close(fd);
    *len_out = len;
    return 0;
}

/* Load the unit's bytes; *data NULL when it is skipped. */
static int load(struct scan_worker *w, struct scan_unit *u,
                const char **data, size_t *len)
{
    *data = NULL;
    if (u->data != NULL) {
        *data = u->data;
        *len = u->len;
    } else if (u->blob != NULL) {
        char *blob;
        size_t n;
        int rc;

        if (!w->cat_on) {
            w->cat_on = git_batch_start(&w->cat) == 0;
        }
        rc = w->cat_on ? git_batch_blob(&w->cat, u->blob, w->o->max_size,
                                        &blob, &n)
                       : -1;
        if (rc == -2) {
            cli_error("scan", "%s: out of memory", u->path);
            return -1;
        }
        if (rc == -1 && w->cat_on) {
            kill(w->cat.pid, SIGTERM); /* out of step: a new one next */
            git_finish(&w->cat);
            w->cat_on = false;
        }
        if (rc != 0) {
            if (rc == 1) {
                u->skip = SKIP_LARGE;
            } else {
                set_error(u, "git cat-file failed");
            }
            return 0;
        }
        drop_blob(w);
        w->blob = blob; /* wiped and freed with the next one */
        w->blob_len = n;
        *data = blob;
        *len = n;
    } else {
        if (read_file(w, u, len) < 0) {
            return -1;
        }
        if (u->skip == SKIP_NONE) {
            *data = w->buf;
        }
    }
    if (*data != NULL &&
        memchr(*data, '\0', *len < BINARY_PROBE ? *len : BINARY_PROBE)) {
        u->skip = SKIP_BINARY;
        *data = NULL;
    }
    return 0;
}

/* A file as one segment of the worker's long-lived scrubber: no
 * scrubber to set up per file. After an error the scrubber is done
 * with, and the next file gets a new one. */
static int segment(struct scan_worker *w, const char *data, size_t len,
                   struct bb_err *err)
{
    int rc = 0;

    if (w->s == NULL) {
        rc = bb_scrubber_new(&w->s, w->o->rs, w->rd, discard, NULL, err);
        if (rc < 0) {
            return rc;
        }
        bb_scrubber_on_finding(w->s, observe, w);
    }
    w->base = bb_scrubber_bytes_in(w->s);
    rc = bb_scrubber_append(w->s, data, len, err);
    if (rc == 0) {
        rc = bb_scrubber_end_segment(w->s, err);
    }
    if (rc == 0) {
        rc = bb_scrubber_release(w->s, err);
    }
    if (rc < 0) {
        bb_scrubber_free(w->s);
        w->s = NULL;
    }
    return rc;
}

static int by_offset(const void *a, const void *b)
{
    const struct raw_hit *x = a;
    const struct raw_hit *y = b;

    if (x->offset != y->offset) {
        return x->offset < y->offset ? -1 : 1;
    }
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static bool is_id_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.';
}

/* Does the line [s, e) say blackbar:allow, for this rule? */
static bool line_allows(const struct scan_opts *o, const char *s,
                        const char *e, size_t rule)
{
    static const char tag[] = "blackbar:allow";
    struct bb_rule_info ri;
    const char *p = s;

    bb_ruleset_rule(&ri, o->rs, rule, NULL);
    while ((p = memmem(p, (size_t)(e - p), tag, sizeof(tag) - 1)) != NULL) {
        const char *q = p + sizeof(tag) - 1;

        if (q >= e || *q != ':') {
            return true; /* every rule */
        }
        do {
            const char *id = ++q; /* past the ':' or ',' */
            size_t n;

            while (q < e && is_id_char(*q)) {
                q++;
            }
            n = (size_t)(q - id);
            if ((n == strlen(ri.id) && memcmp(id, ri.id, n) == 0) ||
                (n == strlen(ri.type) && memcmp(id, ri.type, n) == 0)) {
                return true;
            }
        } while (q < e && *q == ',');
        p = q;
    }
    return false;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    return nl != NULL ? nl : end;
}

/* Turn the raw findings (sorted) into hits with lines. */
static int resolve(struct scan_worker *w, struct scan_unit *u,
                   const char *data, size_t len)
{
    const char *end = data + len;
    const char *ls = data; /* start of the current line */
    uint64_t line = 1;
    size_t i;

    u->hits = calloc(w->n_raw ? w->n_raw : 1, sizeof(*u->hits));
    if (u->hits == NULL) {
        cli_error("scan", "out of memory");
        return -1;
    }
    for (i = 0; i < w->n_raw; i++) {
        struct raw_hit *r = &w->raw[i];
        struct scan_hit *h = &u->hits[u->n_hits++];
        const char *at = data + r->offset;
        const char *last = at + (r->length ? r->length - 1 : 0);
        const char *nl;
        const char *es;
        uint64_t eline;

        while ((nl = memchr(ls, '\n', (size_t)(at - ls))) != NULL) {
            ls = nl + 1;
            line++;
        }
        es = ls;
        eline = line;
        while ((nl = memchr(es, '\n', (size_t)(last - es))) != NULL) {
            es = nl + 1;
            eline++;
        }
        h->rule = r->rule;
        h->line = line;
        h->column = 1;
        for (const char *c = ls; c < at; c++) { /* code points */
            h->column += ((unsigned char)*c & 0xc0) != 0x80;
        }
        h->end_line = eline;
        if (u->line_map != NULL) {
            h->line = line <= u->n_lines ? u->line_map[line - 1] : 0;
            h->end_line = eline <= u->n_lines ? u->line_map[eline - 1] : 0;
        }
        memcpy(h->fp, r->fp, sizeof(h->fp));
        memcpy(h->masked, r->masked, sizeof(h->masked));
        h->value = r->value;
        r->value = NULL;
        h->allowed = line_allows(w->o, ls, line_end(ls, end), r->rule) ||
                     line_allows(w->o, es, line_end(es, end), r->rule);
        h->baselined = scan_ignore_fp(w->o->ignore, h->fp) ||
                       scan_baseline_has(w->o->base, h->fp);
    }
    return 0;
}

static void drop_raw(struct scan_worker *w)
{
    size_t i;

    for (i = 0; i < w->n_raw; i++) {
        if (w->raw[i].value != NULL) {
            explicit_bzero(w->raw[i].value, w->raw[i].length);
            free(w->raw[i].value);
        }
    }
    w->n_raw = 0;
}

int scan_worker_run(struct scan_worker *w, struct scan_unit *u)
{
    struct bb_scrubber *s = NULL;
    struct bb_err err;
    const char *data;
    size_t len = 0;
    int rc;

    if (u->skip != SKIP_NONE) {
        return 0; /* decided while listing */
    }
    if (load(w, u, &data, &len) < 0) {
        return -1;
    }
    if (data == NULL) {
        return 0;
    }
    w->unit = u;
    w->failed = 0;
    if (len >= BIG_FILE && w->o->jobs > 1) {
        /* a large file alone would keep one core busy at the end: its
         * own scrubber, with helper threads */
        w->base = 0;
        rc = bb_scrubber_new(&s, w->o->rs, w->rd, discard, NULL, &err);
        if (rc == 0) {
            rc = bb_scrubber_set_threads(s, w->o->jobs > 4 ? 4 : w->o->jobs,
                                         &err);
        }
        if (rc == 0) {
            bb_scrubber_on_finding(s, observe, w);
            rc = bb_scrubber_feed(s, data, len, &err);
        }
        if (rc == 0) {
            rc = bb_scrubber_finish(s, &err);
        }
        bb_scrubber_free(s);
    } else {
        rc = segment(w, data, len, &err);
    }
    if (w->failed != 0 || rc == BB_ENOMEM) {
        drop_raw(w);
        cli_error("scan", "%s: out of memory", u->path);
        return -1;
    }
    if (rc < 0) {
        /* a match limit or a hold limit: this file is not scanned */
        drop_raw(w);
        set_error(u, err.msg);
        return 0;
    }
    if (w->n_raw > 1) {
        qsort(w->raw, w->n_raw, sizeof(*w->raw), by_offset);
    }
    rc = resolve(w, u, data, len);
    drop_raw(w);
    return rc;
}
