/*
 * stream.c - streaming matcher with safe release. Each round scans the
 * window (left context + held bytes + new chunk) from the release point,
 * collects every rule's matches and partial matches, and releases only
 * bytes that no rule can still cover. Decisions depend on the input
 * alone, never on the chunking. After an error nothing more is released.
 */
#include "stream.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "ruleset.h"
#include "search.h"

#define CHUNK (1024 * 1024)

static int fail(struct stream *st, int rc)
{
    st->failed = true;
    return rc;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a;
    const struct cand *y = b;

    if (x->s != y->s) {
        return x->s < y->s ? -1 : 1;
    }
    if (x->rule != y->rule) {
        return x->rule < y->rule ? -1 : 1;
    }
    return 0;
}

/* The release point: the hold, pulled back to the start of any block of
 * overlapping matches that crosses it or still waits for context. */
static size_t release_point(struct stream *st, const struct round *rd)
{
    struct searcher *w0 = &st->w[0];
    size_t r = rd->hold;
    size_t i = 0;

    while (i < w0->nc && w0->c[i].s < r) {
        size_t bs = w0->c[i].s;
        size_t be = w0->c[i].e;
        bool pending = w0->c[i].pending;

        for (i++; i < w0->nc && w0->c[i].s < be; i++) {
            be = w0->c[i].e > be ? w0->c[i].e : be;
            pending = pending || w0->c[i].pending;
        }
        if (be > r || pending) {
            return bs;
        }
    }
    return r;
}

/* Does x beat y? Redactions beat flags and blocks; then longest,
 * severity, order. */
static bool beats(const struct bb_ruleset *rs, const struct cand *x,
                  const struct cand *y)
{
    bool xf = bb_rule_keeps(rs, x->rule);
    bool yf = bb_rule_keeps(rs, y->rule);
    size_t xl = x->ge - x->gs;
    size_t yl = y->ge - y->gs;

    if (xf != yf) {
        return yf;
    }
    if (xl != yl) {
        return xl > yl;
    }
    if (rs->rules[x->rule].severity != rs->rules[y->rule].severity) {
        return rs->rules[x->rule].severity > rs->rules[y->rule].severity;
    }
    if (x->rule != y->rule) {
        return x->rule < y->rule;
    }
    return x->gs < y->gs;
}

static bool overlaps(const struct cand *x, const struct cand *y)
{
    return x->gs < y->ge && y->gs < x->ge;
}

/* Greedy best-first within one block c[a, b): the best undecided
 * candidate wins and knocks out everything it overlaps. */
static void resolve_block(struct stream *st, size_t a, size_t b)
{
    struct searcher *w0 = &st->w[0];
    size_t i;
    size_t best;
    bool left = true;

    for (i = a; i < b; i++) {
        w0->c[i].lost = w0->c[i].rejected;
        w0->c[i].shadow = false;
        w0->c[i].pending = false; /* reused as "decided" */
    }
    while (left) {
        left = false;
        best = b;
        for (i = a; i < b; i++) {
            if (!w0->c[i].lost && !w0->c[i].pending &&
                (best == b || beats(st->rs, &w0->c[i], &w0->c[best]))) {
                best = i;
            }
        }
        if (best == b) {
            break;
        }
        left = true;
        w0->c[best].pending = true;
        for (i = a; i < b; i++) {
            if (i != best && !w0->c[i].lost && !w0->c[i].pending &&
                overlaps(&w0->c[i], &w0->c[best])) {
                /* a flag or block still counts (a moderation rule's
                 * weight), though its bytes go out under the winner */
                w0->c[i].lost = true;
                w0->c[i].shadow =
                    bb_rule_keeps(st->rs, w0->c[i].rule) &&
                    w0->c[i].rule != w0->c[best].rule;
            }
        }
    }
}

/* Resolve overlaps among the first n candidates, block by block. */
static void resolve(struct stream *st, size_t n)
{
    struct searcher *w0 = &st->w[0];
    size_t i = 0;

    while (i < n) {
        size_t a = i;
        size_t be = w0->c[i].e;

        for (i++; i < n && w0->c[i].s < be; i++) {
            be = w0->c[i].e > be ? w0->c[i].e : be;
        }
        resolve_block(st, a, i);
    }
}

static int emit_text(struct stream *st, const char *p, size_t n,
                     struct bb_err *err)
{
    if (n == 0) {
        return 0;
    }
    return st->sink.text(st->sink.ud, p, n, err);
}

/* Write out [start, r) with the first n candidates decided. */
static int gs_cmp(const void *a, const void *b)
{
    const struct cand *x = *(const struct cand *const *)a;
    const struct cand *y = *(const struct cand *const *)b;

    return x->gs < y->gs ? -1 : (x->gs > y->gs);
}

/* Write out [start, r) with the first n candidates decided. Winners do
 * not overlap, but a rule's group need not start where its match does,
 * so they are written in the order of their group spans. */
static int emit(struct stream *st, const struct round *rd, size_t n,
                size_t r, struct bb_err *err)
{
    struct searcher *w0 = &st->w[0];
    size_t pos = rd->start;
    size_t nw = 0;
    size_t i;
    int rc = bb_grow((void **)&st->win, &st->capwin, n + 1,
                     sizeof(*st->win), err);

    for (i = 0; rc == 0 && i < n; i++) {
        if (!w0->c[i].lost || w0->c[i].shadow) {
            st->win[nw++] = &w0->c[i];
        }
    }
    qsort(st->win, nw, sizeof(*st->win), gs_cmp);
    for (i = 0; rc == 0 && i < nw; i++) {
        const struct cand *c = st->win[i];
        struct bb_finding f;

        f.offset = st->base + c->gs;
        f.length = c->ge - c->gs;
        f.rule = c->rule;
        f.action = st->rs->rules[c->rule].action;
        f.value = rd->s + c->gs;
        if (c->shadow) {
            /* reported only: the text up to it, none of its own */
            rc = c->gs > pos ? emit_text(st, rd->s + pos, c->gs - pos, err)
                             : 0;
            pos = c->gs > pos ? c->gs : pos;
            rc = rc == 0 ? st->sink.finding(st->sink.ud, &f, err) : rc;
            continue;
        }
        rc = emit_text(st, rd->s + pos, c->gs - pos, err);
        if (rc == 0) {
            rc = st->sink.finding(st->sink.ud, &f, err);
        }
        if (rc == 0 && bb_rule_keeps(st->rs, f.rule)) {
            rc = emit_text(st, f.value, f.length, err);
        }
        pos = c->ge;
    }
    if (rc == 0 && r > pos) { /* (no data: rd->s may be NULL) */
        rc = emit_text(st, rd->s + pos, r - pos, err);
    }
    return rc;
}

static int round_run(struct stream *st, bool final, struct bb_err *err)
{
    struct searcher *w0 = &st->w[0];
    struct round rd;
    size_t r;
    size_t n;
    size_t i;
    size_t keep;
    int rc;

    rd.s = st->buf.data;
    rd.start = (size_t)(st->rel - st->base);
    rd.end = st->buf.len;
    rd.final = final;
    /* An incomplete character at the end waits for its next bytes,
     * unless a closed segment ends there: then none can come. */
    if (!final && !(st->nseg > 0 &&
                    st->seg_end[st->nseg - 1] == st->base + rd.end)) {
        rd.end -= bb_utf8_tail(rd.s, rd.end);
    }
    rd.hold = rd.end;
    rc = search_rules(st, &rd, err);
    if (rc < 0) {
        return rc;
    }
    if (w0->nc > 1) {
        qsort(w0->c, w0->nc, sizeof(*w0->c), cand_cmp);
    }
    r = final ? rd.end : release_point(st, &rd);
    for (n = 0; n < w0->nc && w0->c[n].s < r; n++) {
        uint64_t e = st->base + w0->c[n].e;

        if (e > st->last_end[w0->c[n].rule]) {
            st->last_end[w0->c[n].rule] = e;
        }
        if (st->rs->rules[w0->c[n].rule].action == BB_ACTION_GATE) {
            st->gate_matches++;
        }
    }
    resolve(st, n);
    rc = emit(st, &rd, n, r, err);
    if (rc < 0) {
        return rc;
    }
    st->rel = st->base + r;
    if (st->buf.len - r > st->max_hold) {
        st->max_hold = st->buf.len - r;
    }
    if (st->buf.len - r > st->hold_cap) {
        return bb_seterr(err, BB_ELIMIT, "more than %zu bytes held back at "
                         "offset %llu", st->hold_cap,
                         (unsigned long long)st->rel);
    }
    keep = st->rs->keep_left;
    if (r > keep) {
        i = r - keep;
        bb_buf_consume(&st->buf, i);
        st->base += i;
    }
    for (i = 0; i < st->nseg && st->seg_end[i] <= st->base; i++) {
    }
    if (i > 0) {
        memmove(st->seg_end, st->seg_end + i,
                (st->nseg - i) * sizeof(*st->seg_end));
        st->nseg -= i;
    }
    return 0;
}

int stream_feed(struct stream *st, const char *p, size_t n,
                struct bb_err *err)
{
    int rc;

    if (st->failed || st->finished) {
        return bb_seterr(err, BB_ESTATE, "stream already %s",
                         st->failed ? "failed" : "finished");
    }
    while (n > 0) {
        size_t k = n > CHUNK ? CHUNK : n;

        rc = bb_buf_append(&st->buf, p, k, err);
        if (rc == 0) {
            rc = round_run(st, false, err);
        }
        if (rc < 0) {
            return fail(st, rc);
        }
        st->bytes_in += k;
        p += k;
        n -= k;
    }
    return 0;
}

int stream_append(struct stream *st, const char *p, size_t n,
                  struct bb_err *err)
{
    int rc;

    if (st->failed || st->finished) {
        return bb_seterr(err, BB_ESTATE, "stream already %s",
                         st->failed ? "failed" : "finished");
    }
    while (n > 0) {
        size_t waiting = (size_t)(st->base + st->buf.len - st->rel);
        size_t k = waiting < CHUNK ? CHUNK - waiting : 0;

        k = k > n ? n : k;
        rc = bb_buf_append(&st->buf, p, k, err);
        if (rc == 0 && waiting + k >= CHUNK) {
            rc = round_run(st, false, err);
        }
        if (rc < 0) {
            return fail(st, rc);
        }
        st->bytes_in += k;
        p += k;
        n -= k;
    }
    return 0;
}

int stream_end_segment(struct stream *st, struct bb_err *err)
{
    uint64_t end = st->base + st->buf.len;
    int rc;

    if (st->failed || st->finished) {
        return bb_seterr(err, BB_ESTATE, "stream already %s",
                         st->failed ? "failed" : "finished");
    }
    if (st->nseg > 0 && st->seg_end[st->nseg - 1] == end) {
        return 0; /* an empty segment changes nothing */
    }
    rc = bb_grow((void **)&st->seg_end, &st->capseg, st->nseg + 1,
                 sizeof(*st->seg_end), err);
    if (rc < 0) {
        return fail(st, rc);
    }
    st->seg_end[st->nseg++] = end;
    return 0;
}

int stream_release(struct stream *st, struct bb_err *err)
{
    int rc;

    if (st->failed || st->finished) {
        return bb_seterr(err, BB_ESTATE, "stream already %s",
                         st->failed ? "failed" : "finished");
    }
    if (st->rel == st->base + st->buf.len) {
        return 0; /* nothing held */
    }
    rc = round_run(st, false, err);
    return rc < 0 ? fail(st, rc) : 0;
}

int stream_finish(struct stream *st, struct bb_err *err)
{
    int rc;

    if (st->failed || st->finished) {
        return bb_seterr(err, BB_ESTATE, "stream already %s",
                         st->failed ? "failed" : "finished");
    }
    rc = round_run(st, true, err);
    if (rc < 0) {
        return fail(st, rc);
    }
    st->finished = true;
    return 0;
}

void stream_reset(struct stream *st)
{
    size_t i;

    bb_buf_consume(&st->buf, st->buf.len);
    st->base = 0;
    st->rel = 0;
    st->nseg = 0;
    for (i = 0; i < st->rs->n; i++) {
        st->last_end[i] = 0;
    }
    st->finished = false;
}

int stream_new(struct stream **out, const struct bb_ruleset *rs, long only,
               const struct stream_sink *sink, struct bb_err *err)
{
    struct stream *st;
    int rc;

    if (!rs->compiled) {
        return bb_seterr(err, BB_EINVAL, "ruleset is not compiled");
    }
    st = bb_calloc(1, sizeof(*st));
    if (st == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    st->rs = rs;
    st->only = only;
    st->sink = *sink;
    st->hold_cap = 4 * rs->max_len + 2 * rs->max_window + 4096;
    bb_buf_init(&st->buf, st->hold_cap + rs->keep_left + CHUNK + 8);
    st->last_end = bb_calloc(rs->n + 1, sizeof(*st->last_end));
    st->gate_hits = bb_calloc(rs->n + 1, sizeof(*st->gate_hits));
    rc = (st->last_end && st->gate_hits)
             ? 0
             : bb_seterr(err, BB_ENOMEM, "out of memory");
    if (rc == 0) {
        rc = search_init(st, 1, err);
    }
    if (rc == 0) {
        rc = pf_result_init(&st->pf, rs->pf, err);
    }
    if (rc < 0) {
        stream_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

void stream_free(struct stream *st)
{
    size_t i;

    if (st == NULL) {
        return;
    }
    bb_buf_dispose(&st->buf);
    search_dispose(st);
    pf_result_dispose(&st->pf);
    for (i = 0; st->gate_hits != NULL && i < st->rs->n; i++) {
        bb_free(st->gate_hits[i].v);
    }
    bb_free(st->gate_hits);
    bb_free(st->last_end);
    bb_free(st->seg_end);
    bb_free(st->win);
    bb_free(st);
}

uint64_t stream_gate_matches(const struct stream *st)
{
    return st->gate_matches;
}

int stream_set_threads(struct stream *st, size_t n, struct bb_err *err)
{
    return search_init(st, n, err);
}

void stream_set_ungated(struct stream *st)
{
    st->ungated = true;
}

uint64_t stream_bytes_in(const struct stream *st)
{
    return st->bytes_in;
}

size_t stream_max_hold(const struct stream *st)
{
    return st->max_hold;
}
