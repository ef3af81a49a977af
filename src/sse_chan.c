/*
 * sse_chan.c - provider channels. The text deltas of one channel
 * (sse_class.c) go into one text stream, so a value the model streams in
 * pieces is found as one text. Every event waits in a queue, in order,
 * until the text of its deltas is decided: clean text is decided at
 * once, a possible match's prefix (bounded by the longest rule) when the
 * channel's next delta or its end says. Each delta then carries its own
 * text, scrubbed; a finding's replacement goes to the delta that holds
 * its last byte. So the stream keeps its events one for one, and a
 * delta's text moves only when a value spans deltas.
 */
#include <string.h>

#include "ruleset.h"
#include "sse_int.h"

static int nomem(struct bb_err *err)
{
    return bb_seterr(err, BB_ENOMEM, "out of memory");
}

/* The held delta of channel c whose bytes hold offset off. */
static struct qtgt *tgt_at(struct bb_sse_scrubber *s, const struct chan *c,
                           uint64_t off)
{
    size_t i;
    size_t k;

    for (i = 0; i < s->nq; i++) {
        for (k = 0; k < s->q[i]->nt; k++) {
            struct qtgt *t = &s->q[i]->t[k];

            if (t->ch == c && off >= t->start && off < t->end) {
                return t;
            }
        }
    }
    return NULL;
}

/* The held event whose delta of channel c holds offset off, or NULL. */
static const struct qev *qev_of(struct bb_sse_scrubber *s,
                                const struct chan *c, uint64_t off)
{
    size_t i;
    size_t k;

    for (i = 0; i < s->nq; i++) {
        for (k = 0; k < s->q[i]->nt; k++) {
            const struct qtgt *t = &s->q[i]->t[k];

            if (t->ch == c && off >= t->start && off < t->end) {
                return s->q[i];
            }
        }
    }
    return NULL;
}

static int chan_text(void *ud, const char *p, size_t n, struct bb_err *err)
{
    struct chan *c = ud;

    while (n > 0) {
        struct qtgt *t = tgt_at(c->s, c, c->out);
        /* no delta holds it (its event went out unscrubbed-by-channel,
         * as an ordinary value): the byte is dropped here */
        size_t k = t == NULL ? 1
                   : t->end - c->out < n ? (size_t)(t->end - c->out) : n;

        if (t != NULL && sse_put(&t->out, p, k) < 0) {
            return nomem(err);
        }
        p += k;
        n -= k;
        c->out += k;
    }
    return 0;
}

static int chan_finding(void *ud, const struct bb_finding *f,
                        struct bb_err *err)
{
    struct chan *c = ud;
    struct bb_sse_scrubber *s = c->s;
    struct qtgt *t;

    s->counts[f->rule]++;
    if (s->observe != NULL) {
        int rc = s->observe(f, s->observe_ud);

        if (rc < 0) {
            return bb_seterr(err, rc, "finding observer failed");
        }
        if (rc > 0 && !s->stop) {
            s->stop = true;
            s->stop_ev = qev_of(s, c, f->offset);
        }
    }
    if (bb_rule_keeps(s->rs, f->rule)) {
        return 0; /* its bytes follow as text */
    }
    t = tgt_at(s, c, f->offset + f->length - 1);
    c->out = f->offset + f->length;
    return t == NULL ? 0
                     : s->apply(s->apply_ud, f, sse_put_fn, &t->out, err);
}

/* The channel of key, opened if new; NULL (and no error) when too many
 * are open: its deltas are then scrubbed each on its own. */
static int chan_get(struct chan **out, struct bb_sse_scrubber *s,
                    const char *key, struct bb_err *err)
{
    struct stream_sink sink;
    struct chan *c;
    size_t i;
    int rc;

    for (i = 0; i < s->nch; i++) {
        if (strcmp(s->ch[i]->key, key) == 0) {
            *out = s->ch[i];
            return 0;
        }
    }
    *out = NULL;
    if (s->nch == SSE_MAX_CHANNELS) {
        return 0;
    }
    c = bb_calloc(1, sizeof(*c));
    if (c == NULL) {
        return nomem(err);
    }
    memcpy(c->key, key, strlen(key) + 1);
    c->s = s;
    sink.text = chan_text;
    sink.finding = chan_finding;
    sink.ud = c;
    rc = stream_new(&c->st, s->rs, -1, &sink, err);
    if (rc < 0) {
        bb_free(c);
        return rc;
    }
    s->ch[s->nch++] = c;
    *out = c;
    return 0;
}

static void chan_close(struct bb_sse_scrubber *s, struct chan *c)
{
    size_t i;
    size_t k;

    for (i = 0; i < s->nq; i++) {
        for (k = 0; k < s->q[i]->nt; k++) {
            if (s->q[i]->t[k].ch == c) {
                s->q[i]->t[k].ch = NULL;
            }
        }
    }
    for (i = 0; i < s->nch && s->ch[i] != c; i++) {
    }
    if (i < s->nch) {
        s->ch[i] = s->ch[--s->nch];
    }
    stream_free(c->st);
    bb_free(c);
}

/* The channel ends: everything it holds is decided. */
static int chan_end(struct bb_sse_scrubber *s, struct chan *c,
                    struct bb_err *err)
{
    int rc = stream_finish(c->st, err);

    chan_close(s, c);
    return rc;
}

static void qev_free(struct qev *e)
{
    size_t i;

    sse_event_dispose(&e->ev);
    for (i = 0; i < e->nt; i++) {
        sse_buf_dispose(&e->t[i].out);
    }
    bb_free(e);
}

static bool decided(const struct qev *e)
{
    size_t i;

    for (i = 0; i < e->nt; i++) {
        const struct qtgt *t = &e->t[i];

        if (t->fed && t->ch != NULL && t->ch->out < t->end) {
            return false;
        }
    }
    return true;
}

/* An observer stopped the stream: nothing more goes out. */
static int stop(struct bb_sse_scrubber *s, struct bb_err *err)
{
    while (s->nq > 0) {
        qev_free(s->q[--s->nq]);
    }
    return bb_seterr(err, BB_ESTOP, "SSE: stopped by a finding");
}

/* Write the held events that are decided, oldest first. */
static int drain(struct bb_sse_scrubber *s, struct bb_err *err)
{
    int rc = 0;

    while (rc == 0 && s->nq > 0 && decided(s->q[0])) {
        struct qev *e = s->q[0];

        if (s->stop && (s->stop_ev == e || s->stop_ev == NULL)) {
            return stop(s, err);
        }
        s->rendering = e;
        rc = sse_render(s, &e->ev, e->t, e->nt, err);
        s->rendering = NULL;
        if (rc == 0 && s->stop && (s->stop_ev == e || s->stop_ev == NULL)) {
            return stop(s, err); /* a finding of its own stops it */
        }
        if (rc == 0 && s->ob.n > 0 && s->write(s->ob.p, s->ob.n, s->ud) != 0) {
            rc = bb_seterr(err, BB_EIO, "write failed");
        }
        qev_free(e);
        memmove(s->q, s->q + 1, --s->nq * sizeof(*s->q));
    }
    return rc;
}

/* Does this event end the channel of key (and not go on with it)? */
static bool ended_by(const struct sse_class *cls, const char *key)
{
    size_t i;

    for (i = 0; i < cls->nt; i++) {
        if (strcmp(cls->t[i].key, key) == 0) {
            return false;
        }
    }
    for (i = 0; i < cls->nend; i++) {
        if (strncmp(cls->end[i], key, strlen(cls->end[i])) == 0) {
            return true;
        }
    }
    return cls->end_all;
}

/* The delta finder's divert: the delta's text, kept until the whole
 * payload has been read. */
static int feed(void *ud, const char *text, size_t n, bb_write_fn w,
                void *wud, struct bb_err *err)
{
    struct qtgt *t = ud;

    (void)w;
    (void)wud;
    if (t->fed) {
        /* the path twice (a repeated key): not a delta to trust */
        return bb_seterr(err, BB_EINPUT, "SSE: a delta path repeats");
    }
    t->fed = true;
    return sse_put(&t->out, text, n) < 0 ? nomem(err) : 0;
}

/* Find the deltas of event e (its payload in s->pay) and feed them to
 * their channels. */
static int find_deltas(struct bb_sse_scrubber *s, struct qev *e,
                       struct bb_err *err)
{
    size_t i;
    int rc = sse_ready(s, &s->jx, err);

    for (i = 0; rc == 0 && i < e->nt; i++) {
        if (e->t[i].ch != NULL) {
            rc = json_divert(s->jx, e->t[i].path, feed, &e->t[i], err);
        }
    }
    if (rc == 0) {
        rc = sse_record(s, &s->jx, s->pay.p, s->pay.n, err);
    }
    if (s->jx != NULL) {
        json_divert_clear(s->jx);
    }
    for (i = 0; rc == BB_EINPUT && i < e->nt; i++) {
        /* not a delta event to the tokenizer (cJSON took it): its
         * channels end before it, and it is scrubbed as an ordinary
         * payload */
        sse_buf_dispose(&e->t[i].out);
        e->t[i].fed = false;
        if (e->t[i].ch != NULL) {
            struct chan *c = e->t[i].ch;
            int r = chan_end(s, c, err);

            if (r < 0) {
                return r;
            }
        }
    }
    rc = rc == BB_EINPUT ? 0 : rc;
    for (i = 0; rc == 0 && i < e->nt; i++) {
        struct qtgt *t = &e->t[i];
        struct buf text = t->out;

        if (!t->fed) {
            continue;
        }
        memset(&t->out, 0, sizeof(t->out));
        if (t->ch == NULL) {
            /* its channel ended with an earlier delta of this event (one
             * key twice): an ordinary value */
            t->fed = false;
            sse_buf_dispose(&text);
            continue;
        }
        t->start = t->ch->fed;
        t->ch->fed += text.n;
        t->end = t->ch->fed;
        rc = stream_feed(t->ch->st, text.p ? text.p : "", text.n, err);
        sse_buf_dispose(&text);
        if (rc == 0 && t->ends) {
            rc = chan_end(s, t->ch, err);
        }
    }
    return rc;
}

int sse_dispatch(struct bb_sse_scrubber *s, struct bb_err *err)
{
    struct sse_class cls;
    struct qev *e;
    size_t i;
    int rc = 0;

    memset(&cls, 0, sizeof(cls));
    if (sse_payload(s, &s->ev, &rc)) {
        sse_classify(&cls, s->pay.p, s->pay.n);
    }
    if (rc < 0) {
        return nomem(err);
    }
    for (i = s->nch; rc == 0 && i-- > 0;) {
        if (ended_by(&cls, s->ch[i]->key)) {
            rc = chan_end(s, s->ch[i], err);
        }
    }
    if (rc == 0 && s->nq == SSE_QUEUE_MAX) {
        rc = bb_seterr(err, BB_ELIMIT, "SSE: byte %llu: more than %d "
                       "events held for undecided text",
                       (unsigned long long)s->pos, SSE_QUEUE_MAX);
    }
    if (rc == 0 && s->nq == s->qcap) {
        rc = bb_grow((void **)&s->q, &s->qcap, s->nq + 1, sizeof(*s->q),
                     err);
    }
    if (rc < 0) {
        return rc;
    }
    e = bb_calloc(1, sizeof(*e));
    if (e == NULL || sse_event_copy(&e->ev, &s->ev, err) < 0) {
        bb_free(e);
        return nomem(err);
    }
    s->q[s->nq++] = e;
    e->nt = cls.nt;
    for (i = 0; rc == 0 && i < cls.nt; i++) {
        memcpy(e->t[i].path, cls.t[i].path, sizeof(e->t[i].path));
        e->t[i].ends = cls.t[i].ends;
        rc = chan_get(&e->t[i].ch, s, cls.t[i].key, err);
    }
    for (i = 0; rc == 0 && i < cls.nt && e->t[i].ch == NULL; i++) {
    }
    if (rc == 0 && i < cls.nt) {
        rc = find_deltas(s, e, err);
    }
    while (rc == 0 && s->stop && s->nch > 0) {
        /* what comes before the stop is decided as if the stream ended */
        rc = chan_end(s, s->ch[s->nch - 1], err);
    }
    return rc == 0 ? drain(s, err) : rc;
}

int sse_chan_finish(struct bb_sse_scrubber *s, struct bb_err *err)
{
    int rc = 0;

    while (rc == 0 && s->nch > 0) {
        rc = chan_end(s, s->ch[s->nch - 1], err);
    }
    rc = rc == 0 ? drain(s, err) : rc;
    if (rc == 0 && s->nq > 0) {
        rc = bb_seterr(err, BB_ESTATE, "SSE: events left undecided");
    }
    return rc;
}

void sse_chan_free(struct bb_sse_scrubber *s)
{
    while (s->nch > 0) {
        chan_close(s, s->ch[s->nch - 1]);
    }
    while (s->nq > 0) {
        qev_free(s->q[--s->nq]);
    }
    bb_free(s->q);
}
