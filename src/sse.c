/*
 * sse.c - Server-Sent Events (WHATWG framing: LF, CRLF or CR line ends,
 * "data:", "event:", "id:", "retry:", comments). Every line other than
 * a data line is copied as it came, line end included. A data line's
 * value is scrubbed as JSON when it starts with '{' or '[', and as text
 * otherwise ("[DONE]" is text with nothing to find); it is written back
 * under the same "data:" prefix and line end. Each value is one JSON
 * Lines record of a persistent JSON scrubber: text values go in as a JSON
 * string and come back decoded, so every value is scrubbed on its own,
 * with one numbering for the whole stream. A line is held until its end
 * (at most 1 MiB: a longer one is an error). Matching across the deltas
 * of one answer is not done here.
 */
#include <string.h>

#include "core.h"
#include "sse.h"

#define LINE_MAX_BYTES (1024 * 1024)

struct bb_sse_scrubber {
    const struct bb_ruleset *rs;
    json_apply_fn apply;
    void *apply_ud;
    struct bb_json_scrubber *js; /* JSON Lines, one record per value */
    bb_write_fn write;
    void *ud;
    char *line;                  /* the line being read */
    size_t len, cap;
    bool cr;                     /* the last byte seen was a CR */
    char *res;                   /* what the JSON scrubber wrote */
    size_t rn, rcap;
    bool failed, finished;
    uint64_t pos;
    uint64_t *counts;            /* findings of the scrubbers dropped */
    uint64_t *view;              /* counts plus the current scrubber's */
};

static int collect(const void *data, size_t len, void *ud)
{
    struct bb_sse_scrubber *s = ud;
    struct bb_err err;

    if (bb_grow((void **)&s->res, &s->rcap, s->rn + len, 1, &err) < 0) {
        return -1;
    }
    memcpy(s->res + s->rn, data, len);
    s->rn += len;
    return 0;
}

static int out(struct bb_sse_scrubber *s, const char *p, size_t n,
               struct bb_err *err)
{
    if (n > 0 && s->write(p, n, s->ud) != 0) {
        return bb_seterr(err, BB_EIO, "write failed");
    }
    return 0;
}

/* Add the findings of the JSON scrubber about to go to s->counts. */
static void keep_counts(struct bb_sse_scrubber *s)
{
    const uint64_t *c;
    size_t i;

    if (s->js == NULL || s->counts == NULL) {
        return;
    }
    c = bb_json_scrubber_counts(s->js);
    for (i = 0; i < bb_ruleset_count(s->rs); i++) {
        s->counts[i] += c[i];
    }
}

/* One record through the persistent JSON Lines scrubber; its output
 * (without the record's newline) lands in s->res. */
static int record(struct bb_sse_scrubber *s, const char *p, size_t n,
                  struct bb_err *err)
{
    int rc;

    if (s->js == NULL) {
        rc = json_new(&s->js, s->rs, s->apply, s->apply_ud, true, collect, s,
                      err);
        if (rc < 0) {
            return rc;
        }
    }
    s->rn = 0;
    rc = bb_json_scrubber_feed(s->js, p, n, err);
    if (rc == 0) {
        rc = bb_json_scrubber_feed(s->js, "\n", 1, err);
    }
    if (rc == 0 && (s->rn == 0 || s->res[s->rn - 1] != '\n')) {
        rc = BB_EINPUT; /* not a whole JSON value on this line */
    }
    if (rc == BB_EINPUT) {
        keep_counts(s);
        bb_json_scrubber_free(s->js); /* a fresh one for the next */
        s->js = NULL;
        return rc;
    }
    s->rn -= rc == 0;
    return rc;
}

/* Append to the growing buffer in struct quoted. */
struct quoted {
    char *p;
    size_t n, cap;
};

static int append(const void *data, size_t len, void *ud)
{
    struct quoted *q = ud;
    struct bb_err err;

    if (bb_grow((void **)&q->p, &q->cap, q->n + len, 1, &err) < 0) {
        return -1;
    }
    memcpy(q->p + q->n, data, len);
    q->n += len;
    return 0;
}

/* Text value v as a JSON string record; the scrubbed string decoded
 * and written out. */
static int text_value(struct bb_sse_scrubber *s, const char *v, size_t n,
                      struct bb_err *err)
{
    struct quoted q = { NULL, 0, 0 };
    size_t i;
    size_t run;
    int rc = 0;

    if (append("\"", 1, &q) < 0 || json_escape(v, n, append, &q) < 0 ||
        append("\"", 1, &q) < 0) {
        rc = bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        rc = record(s, q.p, q.n, err);
    }
    if (q.p != NULL) {
        bb_wipe(q.p, q.cap);
    }
    bb_free(q.p);
    if (rc < 0) {
        return rc;
    }
    /* decode the scrubbed JSON string (json_escape's escapes, or the
     * original's on untouched spans), plain runs at once */
    run = 1;
    for (i = 1; rc == 0 && i + 1 < s->rn; i++) {
        char c;

        if (s->res[i] != '\\') {
            continue;
        }
        rc = out(s, s->res + run, i - run, err);
        c = s->res[++i];
        if (c == 'u') {
            unsigned x = 0;
            int h;

            for (h = 1; h <= 4; h++) {
                char d = s->res[i + (size_t)h];

                x = x * 16 + (unsigned)(d <= '9' ? d - '0'
                                                 : (d | 0x20) - 'a' + 10);
            }
            i += 4;
            c = (char)x; /* json_escape escapes only control bytes so */
        } else {
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r'
                : c == 'b' ? '\b' : c == 'f' ? '\f' : c;
        }
        rc = rc == 0 ? out(s, &c, 1, err) : rc;
        run = i + 1;
    }
    return rc == 0 && s->rn > run + 1 ? out(s, s->res + run, s->rn - 1 - run,
                                            err)
                                      : rc;
}

/* A complete line (without its end) and its end. */
static int line_done(struct bb_sse_scrubber *s, const char *end, size_t en,
                     struct bb_err *err)
{
    const char *l = s->line;
    size_t n = s->len;
    size_t pre;
    int rc;

    if (n < 5 || memcmp(l, "data", 4) != 0 || l[4] != ':') {
        rc = out(s, l, n, err); /* not a data line: as it came */
        return rc == 0 ? out(s, end, en, err) : rc;
    }
    pre = n > 5 && l[5] == ' ' ? 6 : 5;
    rc = out(s, l, pre, err);
    if (rc == 0 && n > pre && (l[pre] == '{' || l[pre] == '[')) {
        rc = record(s, l + pre, n - pre, err);
        if (rc == 0) {
            rc = out(s, s->res, s->rn, err);
        } else if (rc == BB_EINPUT) {
            /* not JSON after all: the value as text */
            rc = text_value(s, l + pre, n - pre, err);
        }
    } else if (rc == 0 && n > pre) {
        rc = text_value(s, l + pre, n - pre, err);
    }
    return rc == 0 ? out(s, end, en, err) : rc;
}

int sse_new(struct bb_sse_scrubber **out, const struct bb_ruleset *rs,
            json_apply_fn apply, void *apply_ud, bb_write_fn write,
            void *userdata, struct bb_err *err)
{
    struct bb_sse_scrubber *s;

    if (rs == NULL || apply == NULL || write == NULL) {
        return bb_seterr(err, BB_EINVAL, "SSE scrubber needs rules, a "
                         "redactor and a write function");
    }
    s = bb_calloc(1, sizeof(*s));
    if (s == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    s->counts = bb_calloc(bb_ruleset_count(rs) + 1, sizeof(*s->counts));
    s->view = bb_calloc(bb_ruleset_count(rs) + 1, sizeof(*s->view));
    if (s->counts == NULL || s->view == NULL) {
        bb_free(s->counts);
        bb_free(s->view);
        bb_free(s);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    s->rs = rs;
    s->apply = apply;
    s->apply_ud = apply_ud;
    s->write = write;
    s->ud = userdata;
    *out = s;
    return 0;
}

static int redact(void *ud, const struct bb_finding *f, bb_write_fn write,
                  void *wud, struct bb_err *err)
{
    return bb_redactor_apply(ud, f, write, wud, err);
}

int bb_sse_scrubber_new(struct bb_sse_scrubber **out,
                        const struct bb_ruleset *rs, struct bb_redactor *rd,
                        bb_write_fn write, void *userdata, struct bb_err *err)
{
    if (rd == NULL) {
        return bb_seterr(err, BB_EINVAL, "SSE scrubber needs a redactor");
    }
    return sse_new(out, rs, redact, rd, write, userdata, err);
}

int bb_sse_scrubber_feed(struct bb_sse_scrubber *s, const void *data,
                         size_t len, struct bb_err *err)
{
    const char *p = data;
    size_t i;
    int rc = 0;

    if (s->failed || s->finished) {
        return bb_seterr(err, BB_ESTATE, "SSE scrubber already %s",
                         s->failed ? "failed" : "finished");
    }
    for (i = 0; rc == 0 && i < len; i++) {
        char c = p[i];

        if (s->cr) {
            s->cr = false;
            if (c == '\n') {
                rc = line_done(s, "\r\n", 2, err);
                s->len = 0;
                continue;
            }
            rc = line_done(s, "\r", 1, err);
            s->len = 0;
            if (rc < 0) {
                break;
            }
        }
        if (c == '\r') {
            s->cr = true; /* CR or CRLF: the next byte says */
        } else if (c == '\n') {
            rc = line_done(s, "\n", 1, err);
            s->len = 0;
        } else if (s->len == LINE_MAX_BYTES) {
            rc = bb_seterr(err, BB_ELIMIT, "SSE: byte %llu: a line longer "
                           "than 1 MiB", (unsigned long long)(s->pos + i));
        } else {
            rc = bb_grow((void **)&s->line, &s->cap, s->len + 1, 1, err);
            if (rc == 0) {
                s->line[s->len++] = c;
            }
        }
    }
    s->pos += len;
    s->failed = rc < 0;
    return rc;
}

int bb_sse_scrubber_finish(struct bb_sse_scrubber *s, struct bb_err *err)
{
    int rc = 0;

    if (s->failed || s->finished) {
        return bb_seterr(err, BB_ESTATE, "SSE scrubber already %s",
                         s->failed ? "failed" : "finished");
    }
    if (s->cr) {
        rc = line_done(s, "\r", 1, err);
    } else if (s->len > 0) {
        rc = line_done(s, "", 0, err); /* a last line without its end */
    }
    s->len = 0;
    s->failed = rc < 0;
    s->finished = rc == 0;
    return rc;
}

const uint64_t *bb_sse_scrubber_counts(const struct bb_sse_scrubber *s)
{
    const uint64_t *c = s->js ? bb_json_scrubber_counts(s->js) : NULL;
    size_t n = bb_ruleset_count(s->rs);
    size_t i;

    for (i = 0; i < n; i++) {
        s->view[i] = s->counts[i] + (c ? c[i] : 0);
    }
    return s->view;
}

void bb_sse_scrubber_free(struct bb_sse_scrubber *s)
{
    if (s == NULL) {
        return;
    }
    bb_json_scrubber_free(s->js);
    bb_free(s->counts);
    bb_free(s->view);
    if (s->line != NULL) {
        bb_wipe(s->line, s->cap);
    }
    if (s->res != NULL) {
        bb_wipe(s->res, s->rcap);
    }
    bb_free(s->line);
    bb_free(s->res);
    bb_free(s);
}
