/*
 * sse.c - Server-Sent Events (WHATWG framing: LF, CRLF or CR line ends,
 * "data:", "event:", "id:", "retry:", comments). Lines are read into
 * events (up to a blank line); an event's data lines, joined with '\n',
 * are its payload, scrubbed as JSON when it starts with '{' or '[' and as
 * text otherwise ("[DONE]" is text with nothing to find). The event goes
 * out with every line where it was: the data lines carry the scrubbed
 * payload, split again at its newlines (JSON keeps them as they were);
 * every other line (a field, a comment) is scrubbed as text of its own.
 * Each payload is one JSON Lines record of a persistent JSON scrubber:
 * one numbering for the whole stream. The text deltas of provider
 * streams are scrubbed per channel (sse_chan.c). A line longer than
 * 1 MiB or an event longer than 4 MiB is an error.
 */
#include <string.h>

#include "sse_int.h"

#define LINE_MAX_BYTES ((size_t)1 << 20)
#define EVENT_MAX_BYTES ((size_t)4 << 20)

int sse_put(struct buf *b, const void *p, size_t n)
{
    struct bb_err err;

    if (n == 0) {
        return 0;
    }
    if (b->n + n > b->cap && bb_grow((void **)&b->p, &b->cap, b->n + n, 1,
                                     &err) < 0) {
        return -1;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

int sse_put_fn(const void *p, size_t n, void *ud)
{
    return sse_put(ud, p, n);
}

void sse_buf_dispose(struct buf *b)
{
    if (b->p != NULL) {
        bb_wipe(b->p, b->cap);
    }
    bb_free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

void sse_event_dispose(struct event *e)
{
    sse_buf_dispose(&e->raw);
    bb_free(e->ln);
    e->ln = NULL;
    e->nln = e->lncap = 0;
}

int sse_event_copy(struct event *to, const struct event *from,
                   struct bb_err *err)
{
    to->raw.n = 0;
    to->nln = 0;
    if (sse_put(&to->raw, from->raw.p, from->raw.n) < 0 ||
        (from->nln > to->lncap &&
         bb_grow((void **)&to->ln, &to->lncap, from->nln, sizeof(*to->ln),
                 err) < 0)) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    if (from->nln > 0) {
        memcpy(to->ln, from->ln, from->nln * sizeof(*to->ln));
    }
    to->nln = from->nln;
    return 0;
}

static int nomem(struct bb_err *err)
{
    return bb_seterr(err, BB_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------ payloads */

/* The field of a line, and where its value starts (after ':' and one
 * space); a line without ':' is a field with an empty value. */
static bool is_data(const char *l, size_t n, size_t *val)
{
    if (n < 4 || memcmp(l, "data", 4) != 0 || (n > 4 && l[4] != ':')) {
        return false;
    }
    *val = n == 4 ? 4 : n > 5 && l[5] == ' ' ? 6 : 5;
    return true;
}

/* The event's data values joined with '\n' into s->pay; false if it has
 * no data line. */
bool sse_payload(struct bb_sse_scrubber *s, const struct event *e, int *rc)
{
    size_t i;
    size_t v;
    bool any = false;

    s->pay.n = 0;
    for (i = 0; i < e->nln; i++) {
        const char *l = e->raw.p + e->ln[i].off;

        if (!is_data(l, e->ln[i].len, &v)) {
            continue;
        }
        if ((any && sse_put(&s->pay, "\n", 1) < 0) ||
            sse_put(&s->pay, l + v, e->ln[i].len - v) < 0) {
            *rc = BB_ENOMEM;
        }
        any = true;
    }
    return any;
}

static void keep_counts(struct bb_sse_scrubber *s)
{
    const uint64_t *c;
    size_t i;

    if (s->js == NULL) {
        return;
    }
    c = bb_json_scrubber_counts(s->js);
    for (i = 0; i < bb_ruleset_count(s->rs); i++) {
        s->counts[i] += c[i];
    }
}

/* Scrubber *j made when there is none: s->js, or the delta finder
 * s->jx (a path no value has: nothing is scrubbed, diverts still are
 * found). */
int sse_ready(struct bb_sse_scrubber *s, struct bb_json_scrubber **j,
              struct bb_err *err)
{
    int rc;

    if (*j != NULL) {
        return 0;
    }
    rc = json_new(j, s->rs, s->apply, s->apply_ud, true, sse_put_fn,
                  &s->res, err);
    if (rc == 0 && j == &s->js && s->observe != NULL) {
        bb_json_scrubber_on_finding(*j, sse_observe_payload, s);
    }
    if (rc == 0 && j == &s->jx) {
        rc = bb_json_scrubber_only(*j, "\x01", err);
        if (rc < 0) {
            bb_json_scrubber_free(*j);
            *j = NULL;
        }
    }
    return rc;
}

int sse_record(struct bb_sse_scrubber *s, struct bb_json_scrubber **j,
               const char *p, size_t n, struct bb_err *err)
{
    int rc = sse_ready(s, j, err);

    if (rc < 0) {
        return rc;
    }
    s->res.n = 0;
    rc = bb_json_scrubber_feed(*j, p, n, err);
    if (rc == 0) {
        rc = bb_json_scrubber_feed(*j, "\n", 1, err);
    }
    if (rc == 0 && (s->res.n == 0 || s->res.p[s->res.n - 1] != '\n')) {
        rc = BB_EINPUT; /* not a whole JSON value */
    }
    if (rc == BB_EINPUT) {
        if (*j == s->js) {
            keep_counts(s);
        }
        bb_json_scrubber_free(*j); /* a fresh one for the next */
        *j = NULL;
        return rc;
    }
    s->res.n -= rc == 0;
    return rc;
}

/* Text p[0, n) as a JSON string record; the scrubbed string decoded
 * back into s->res. */
static int text_value(struct bb_sse_scrubber *s, const char *p, size_t n,
                      struct bb_err *err)
{
    struct buf q = { NULL, 0, 0 };
    struct buf d = { NULL, 0, 0 };
    size_t i;
    size_t run = 1;
    int rc = 0;

    if (sse_put(&q, "\"", 1) < 0 || json_escape(p, n, sse_put_fn, &q) < 0 ||
        sse_put(&q, "\"", 1) < 0) {
        rc = nomem(err);
    }
    rc = rc == 0 ? sse_record(s, &s->js, q.p, q.n, err) : rc;
    sse_buf_dispose(&q);
    /* decode json_escape's escapes (or the original's on untouched
     * spans): plain runs at once */
    for (i = 1; rc == 0 && i + 1 < s->res.n; i++) {
        char c;

        if (s->res.p[i] != '\\') {
            continue;
        }
        rc = sse_put(&d, s->res.p + run, i - run);
        c = s->res.p[++i];
        if (c == 'u') {
            unsigned x = 0;
            int h;

            for (h = 1; h <= 4; h++) {
                char e = s->res.p[i + (size_t)h];

                x = x * 16 + (unsigned)(e <= '9' ? e - '0'
                                                 : (e | 0x20) - 'a' + 10);
            }
            i += 4;
            c = (char)x; /* json_escape escapes only control bytes so */
        } else {
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r'
                : c == 'b' ? '\b' : c == 'f' ? '\f' : c;
        }
        rc = rc == 0 ? sse_put(&d, &c, 1) : rc;
        run = i + 1;
    }
    if (rc == 0 && s->res.n > run + 1) {
        rc = sse_put(&d, s->res.p + run, s->res.n - 1 - run);
    }
    rc = rc == -1 ? nomem(err) : rc;
    if (rc == 0) {
        sse_buf_dispose(&s->res);
        s->res = d;
    } else {
        sse_buf_dispose(&d);
    }
    return rc;
}

/* ------------------------------------------------------------ channels */

int sse_observe_payload(const struct bb_finding *f, void *ud)
{
    struct bb_sse_scrubber *s = ud;
    int rc = s->observe(f, s->observe_ud);

    if (rc > 0 && !s->stop) {
        s->stop = true;
        s->stop_ev = s->rendering;
    }
    return rc < 0 ? rc : 0;
}

/* The divert of a fed delta: its decided text. */
static int give(void *ud, const char *text, size_t n, bb_write_fn w,
                void *wud, struct bb_err *err)
{
    const struct qtgt *t = ud;

    if (t->out.n == n && (n == 0 || memcmp(t->out.p, text, n) == 0)) {
        return 1; /* untouched: as it came */
    }
    return w(t->out.p, t->out.n, wud) == 0
               ? 0
               : bb_seterr(err, BB_EIO, "write failed");
}

/* A line that is not a data line (a field, a comment) is scrubbed too,
 * as text: nothing of the stream passes unscrubbed. */
static int other_line(struct bb_sse_scrubber *s, const char *p, size_t n,
                      size_t end_len, struct bb_err *err)
{
    struct buf keep = s->res;
    int rc = 0;

    if (n > 0) {
        memset(&s->res, 0, sizeof(s->res));
        rc = text_value(s, p, n, err);
        if (rc == 0 && sse_put(&s->ob, s->res.p, s->res.n) < 0) {
            rc = nomem(err);
        }
        sse_buf_dispose(&s->res);
        s->res = keep;
    }
    if (rc == 0 && sse_put(&s->ob, p + n, end_len) < 0) {
        rc = nomem(err);
    }
    return rc;
}

int sse_render(struct bb_sse_scrubber *s, const struct event *e,
               struct qtgt *t, size_t nt, struct bb_err *err)
{
    size_t i;
    size_t v;
    size_t at = 0;
    const struct line *last = NULL;
    int rc = 0;

    s->ob.n = 0;
    if (!sse_payload(s, e, &rc)) {
        rc = rc == 0 ? sse_put(&s->ob, e->raw.p, e->raw.n) : rc;
        return rc < 0 ? nomem(err) : 0;
    }
    if (rc < 0) {
        return nomem(err);
    }
    if (s->pay.n > 0 && (s->pay.p[0] == '{' || s->pay.p[0] == '[')) {
        for (i = 0; rc == 0 && i < nt; i++) {
            if (t[i].fed) {
                rc = sse_ready(s, &s->js, err);
                rc = rc == 0 ? json_divert(s->js, t[i].path, give, &t[i],
                                           err)
                             : rc;
            }
        }
        rc = rc == 0 ? sse_record(s, &s->js, s->pay.p, s->pay.n, err) : rc;
        if (s->js != NULL) {
            json_divert_clear(s->js);
        }
        rc = rc == BB_EINPUT ? text_value(s, s->pay.p, s->pay.n, err)
                             : rc; /* not JSON */
    } else {
        rc = text_value(s, s->pay.p, s->pay.n, err);
    }
    /* the lines as they came, data lines carrying the scrubbed payload
     * split again at its newlines; more pieces than data lines (a
     * replacement with a newline) follow the last data line, alike */
    for (i = 0; i < e->nln; i++) {
        if (is_data(e->raw.p + e->ln[i].off, e->ln[i].len, &v)) {
            last = &e->ln[i];
        }
    }
    for (i = 0; rc == 0 && i < e->nln; i++) {
        const struct line *l = &e->ln[i];
        const char *lp = e->raw.p + l->off;

        if (!is_data(lp, l->len, &v)) {
            rc = other_line(s, lp, l->len, l->end_len, err);
            continue;
        }
        do {
            const char *nl = NULL;
            size_t k;

            if (at > s->res.n) {
                break; /* the payload is out: the line is not needed */
            }
            k = s->res.n - at;
            if (k > 0) {
                nl = memchr(s->res.p + at, '\n', k);
                k = nl ? (size_t)(nl - (s->res.p + at)) : k;
            }
            rc = sse_put(&s->ob, lp, v);
            if (rc == 0 && k > 0) {
                rc = sse_put(&s->ob, s->res.p + at, k);
            }
            rc = rc == 0 ? sse_put(&s->ob, lp + l->len, l->end_len) : rc;
            at += k + 1;
        } while (rc == 0 && l == last);
    }
    return rc == -1 ? nomem(err) : rc;
}

/* A line of the event has ended (its end: en bytes, already in raw). */
static int line_end(struct bb_sse_scrubber *s, size_t en,
                    struct bb_err *err)
{
    struct event *e = &s->ev;
    struct line *l;
    int rc = 0;

    if (e->nln == e->lncap &&
        bb_grow((void **)&e->ln, &e->lncap, e->nln + 1, sizeof(*e->ln),
                err) < 0) {
        return BB_ENOMEM;
    }
    l = &e->ln[e->nln++];
    l->off = s->line_start;
    l->len = e->raw.n - en - s->line_start;
    l->end_len = en;
    s->line_start = e->raw.n;
    if (l->len == 0 && en > 0) {
        rc = sse_dispatch(s, err);
        e->raw.n = 0;
        e->nln = 0;
        s->line_start = 0;
    }
    return rc;
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
        return nomem(err);
    }
    s->counts = bb_calloc(bb_ruleset_count(rs) + 1, sizeof(*s->counts));
    s->view = bb_calloc(bb_ruleset_count(rs) + 1, sizeof(*s->view));
    if (s->counts == NULL || s->view == NULL) {
        bb_free(s->counts);
        bb_free(s->view);
        bb_free(s);
        return nomem(err);
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

static int check_state(const struct bb_sse_scrubber *s, struct bb_err *err)
{
    if (s->failed || s->finished) {
        return bb_seterr(err, BB_ESTATE, "SSE scrubber already %s",
                         s->failed ? "failed" : "finished");
    }
    return 0;
}

int bb_sse_scrubber_feed(struct bb_sse_scrubber *s, const void *data,
                         size_t len, struct bb_err *err)
{
    const char *p = data;
    size_t i = 0;
    int rc = check_state(s, err);

    while (rc == 0 && i < len) {
        const char *stop;
        size_t run;

        if (s->cr) {
            /* a CR ended the line: with the LF right after it, if any */
            s->cr = false;
            if (p[i] == '\n') {
                rc = sse_put(&s->ev.raw, "\n", 1) < 0 ? nomem(err) : 0;
                i++;
                rc = rc == 0 ? line_end(s, 2, err) : rc;
            } else {
                rc = line_end(s, 1, err);
            }
            continue;
        }
        stop = memchr(p + i, '\n', len - i);
        run = stop ? (size_t)(stop - (p + i)) : len - i;
        stop = memchr(p + i, '\r', run);
        run = stop ? (size_t)(stop - (p + i)) : run;
        if (s->ev.raw.n - s->line_start + run > LINE_MAX_BYTES ||
            s->ev.raw.n + run > EVENT_MAX_BYTES) {
            rc = bb_seterr(err, BB_ELIMIT, "SSE: byte %llu: a line longer "
                           "than 1 MiB or an event longer than 4 MiB",
                           (unsigned long long)(s->pos + i));
            break;
        }
        rc = sse_put(&s->ev.raw, p + i, run + (i + run < len)) < 0 ? nomem(err)
                                                               : 0;
        i += run;
        if (rc < 0 || i == len) {
            break;
        }
        s->cr = p[i++] == '\r';
        if (!s->cr) {
            rc = line_end(s, 1, err);
        }
    }
    s->pos += len;
    s->failed = rc < 0;
    return rc;
}

int bb_sse_scrubber_finish(struct bb_sse_scrubber *s, struct bb_err *err)
{
    int rc = check_state(s, err);

    if (rc == 0 && s->cr) {
        s->cr = false;
        rc = line_end(s, 1, err);
    }
    if (rc == 0 && s->ev.raw.n > s->line_start) {
        rc = line_end(s, 0, err); /* a last line without its end */
    }
    if (rc == 0 && s->ev.nln > 0) {
        rc = sse_dispatch(s, err); /* an event without its blank line */
    }
    if (rc == 0) {
        rc = sse_chan_finish(s, err);
    }
    s->failed = rc < 0;
    s->finished = rc == 0;
    return rc;
}

void bb_sse_scrubber_on_finding(struct bb_sse_scrubber *s, bb_finding_fn fn,
                                void *userdata)
{
    s->observe = fn;
    s->observe_ud = userdata;
    if (s->js != NULL) {
        bb_json_scrubber_on_finding(s->js, fn ? sse_observe_payload : NULL,
                                    s);
    }
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
    sse_chan_free(s);
    bb_json_scrubber_free(s->js);
    bb_json_scrubber_free(s->jx);
    bb_free(s->counts);
    bb_free(s->view);
    sse_event_dispose(&s->ev);
    sse_buf_dispose(&s->pay);
    sse_buf_dispose(&s->res);
    sse_buf_dispose(&s->ob);
    bb_free(s);
}
