/*
 * cmd_audit_read.c - audit's producer: reads each log in turn (plain or
 * gzip, cmd_audit_src.c), cuts it into chunks of whole
 * lines for the workers, and turns what cannot be read into errors with
 * the file and line. A line longer than --max-record is skipped without
 * being held: memory stays bounded by the chunk size and that limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_audit.h"

#define CHUNK (4u << 20) /* a job's worth of lines */
#define READ (1u << 20)

struct reader {
    struct cli_pipe *p;
    const struct aud_opts *o;
    size_t file;
    struct aud_src *src;
    uint64_t line;      /* lines of this input cut so far */
    char *buf;          /* lines not handed out yet */
    size_t len;
    size_t cap;
    bool skipping;      /* in a line over --max-record */
    uint64_t skipped;   /* its bytes dropped since, counted later */
};

const char *aud_input_name(const struct aud_opts *o, size_t file)
{
    if (o->as_name != NULL) {
        return o->as_name;
    }
    return strcmp(o->logs[file], "-") == 0 ? "-" : o->logs[file];
}

void aud_chunk_free(struct aud_chunk *c)
{
    size_t i;

    if (c == NULL) {
        return;
    }
    aud_chunk_seal(c);
    aud_tally_free(&c->tally);
    free(c->flines);
    free(c->sarif);
    for (i = 0; i < c->n_errs; i++) {
        free(c->errs[i].msg);
    }
    if (c->data != NULL) {
        explicit_bzero(c->data, c->len);
        free(c->data);
    }
    free(c->out);
    free(c->hits);
    free(c->recs);
    free(c->errs);
    free(c);
}

int aud_chunk_err(struct aud_chunk *c, uint64_t line, const char *msg)
{
    struct aud_lerr *ne = realloc(c->errs, (c->n_errs + 1) * sizeof(*ne));

    if (ne == NULL) {
        return -1;
    }
    c->errs = ne;
    ne[c->n_errs].line = line;
    ne[c->n_errs].msg = strdup(msg);
    if (ne[c->n_errs].msg == NULL) {
        return -1;
    }
    c->n_errs++;
    return 0;
}

/* Give the chunk buf[0, n): a large part goes by handing over the
 * buffer itself (the rest moves to a new one), a small one by a copy. */
static int take_lines(struct reader *r, struct aud_chunk *c, size_t n)
{
    char *nb;

    if (n == 0) {
        return 0;
    }
    if (n < r->len / 2) {
        c->data = malloc(n);
        if (c->data == NULL) {
            return -1;
        }
        memcpy(c->data, r->buf, n);
        memmove(r->buf, r->buf + n, r->len - n);
        r->len -= n;
        return 0;
    }
    nb = malloc(r->cap);
    if (nb == NULL) {
        return -1;
    }
    memcpy(nb, r->buf + n, r->len - n);
    explicit_bzero(r->buf + n, r->len - n); /* the chunk wipes [0, n) */
    c->data = r->buf;
    r->buf = nb;
    r->len -= n;
    return 0;
}

/* Hand out buf[0, n) (whole lines) as a chunk; the rest stays. */
static int push(struct reader *r, size_t n, bool last, const char *error)
{
    struct aud_chunk *c = calloc(1, sizeof(*c));
    const char *p;

    if (c == NULL) {
        cli_error("audit", "out of memory");
        return -1;
    }
    c->file = r->file;
    c->first_line = r->o->first_line + r->line;
    c->len = n;
    c->bytes = n + r->skipped; /* and the rest of a skipped line */
    r->skipped = 0;
    c->last = last;
    c->gz = r->src != NULL && aud_src_gz(r->src);
    for (p = r->buf; n > 0 &&
                     (p = memchr(p, '\n', (size_t)(r->buf + n - p))) != NULL;
         p++) {
        r->line++;
    }
    /* an error is on the line being read: the one after the last
     * newline */
    if (error != NULL &&
        aud_chunk_err(c, r->o->first_line + r->line, error) < 0) {
        aud_chunk_free(c);
        return -1;
    }
    if (last && n > 0 && r->buf[n - 1] != '\n') {
        r->line++; /* a last line without its newline */
    }
    if (take_lines(r, c, n) < 0) {
        aud_chunk_free(c);
        cli_error("audit", "out of memory");
        return -1;
    }
    c->job.len = n;
    return cli_pipe_push(r->p, &c->job);
}

/* A line over the limit: note it, drop what is held of it, and skip the
 * input up to its newline. */
static int start_skip(struct reader *r)
{
    char msg[160];
    struct aud_chunk *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        return -1;
    }
    snprintf(msg, sizeof(msg), "line longer than --max-record (%llu "
             "bytes): skipped, not scanned",
             (unsigned long long)r->o->max_record);
    c->file = r->file;
    c->first_line = r->o->first_line + r->line;
    c->bytes = r->len;
    c->records = 1; /* the skipped line is a record, not scanned */
    if (aud_chunk_err(c, r->o->first_line + r->line, msg) < 0) {
        aud_chunk_free(c);
        return -1;
    }
    explicit_bzero(r->buf, r->len);
    r->len = 0;
    r->skipping = true;
    return cli_pipe_push(r->p, &c->job);
}

/* New bytes in buf[len - n, len): cut whole lines off as chunks. */
static int take(struct reader *r, size_t n)
{
    char *nl;

    if (r->skipping) {
        nl = memchr(r->buf + r->len - n, '\n', n);
        if (nl == NULL) {
            r->skipped += r->len;
            explicit_bzero(r->buf, r->len);
            r->len = 0;
            return 0;
        }
        r->skipping = false;
        r->line++; /* the skipped line */
        r->skipped += (size_t)(nl + 1 - r->buf);
        memmove(r->buf, nl + 1, (size_t)(r->buf + r->len - (nl + 1)));
        r->len = (size_t)(r->buf + r->len - (nl + 1));
    }
    nl = r->len > 0 ? memrchr(r->buf, '\n', r->len) : NULL;
    if (nl != NULL && (r->len >= CHUNK ||
                       (uint64_t)(r->buf + r->len - nl) >
                           r->o->max_record)) {
        if (push(r, (size_t)(nl + 1 - r->buf), false, NULL) < 0) {
            return -1;
        }
    }
    if ((uint64_t)r->len > r->o->max_record &&
        memchr(r->buf, '\n', r->len) == NULL) {
        return start_skip(r); /* one line, too long to hold */
    }
    return 0;
}

static int grow(struct reader *r)
{
    size_t nc = r->cap ? 2 * r->cap : CHUNK + READ;
    char *nb;

    if (r->cap - r->len >= READ) {
        return 0;
    }
    nb = malloc(nc);
    if (nb == NULL) {
        cli_error("audit", "out of memory");
        return -1;
    }
    if (r->buf != NULL) {
        memcpy(nb, r->buf, r->len);
        explicit_bzero(r->buf, r->cap);
        free(r->buf);
    }
    r->buf = nb;
    r->cap = nc;
    return 0;
}

/* Read one input to its end (or its first error). */
static int read_input(struct reader *r)
{
    const char *name = r->o->logs[r->file];
    int fd = strcmp(name, "-") == 0 ? dup(STDIN_FILENO)
                                    : open(name, O_RDONLY | O_CLOEXEC);
    char msg[320];
    int rc = 0;

    r->line = 0;
    r->len = 0;
    r->skipping = false;
    r->skipped = 0;
    if (fd < 0) {
        snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
        return push(r, 0, true, msg);
    }
    if (aud_src_open(&r->src, fd) < 0) {
        snprintf(msg, sizeof(msg), "cannot read: %s",
                 r->src != NULL ? aud_src_error(r->src) : "out of memory");
        if (r->src == NULL) {
            close(fd);
        }
        aud_src_close(r->src);
        r->src = NULL;
        return push(r, 0, true, msg);
    }
    for (;;) {
        ssize_t n;

        if (grow(r) < 0) {
            rc = -1;
            break;
        }
        n = aud_src_read(r->src, r->buf + r->len, READ);
        if (n < 0) {
            snprintf(msg, sizeof(msg), "cannot read: %s",
                     aud_src_error(r->src));
            rc = push(r, r->len, true, msg);
            break;
        }
        if (n == 0) {
            rc = r->skipping ? push(r, 0, true, NULL)
                             : push(r, r->len, true, NULL);
            break;
        }
        r->len += (size_t)n;
        rc = take(r, (size_t)n);
        if (rc < 0) {
            break;
        }
    }
    aud_src_close(r->src);
    r->src = NULL;
    return rc;
}

int aud_produce(struct cli_pipe *p, void *opts)
{
    struct reader r;
    int rc = 0;

    memset(&r, 0, sizeof(r));
    r.p = p;
    r.o = opts;
    for (r.file = 0; rc == 0 && r.file < r.o->n_logs; r.file++) {
        rc = read_input(&r);
    }
    if (r.buf != NULL) {
        explicit_bzero(r.buf, r.cap);
        free(r.buf);
    }
    return rc;
}
