/*
 * sse_int.h - what the SSE scrubber's files share: the framing and
 * rendering of events (sse.c) and the channels that hold events while
 * their text is undecided (sse_chan.c). Private to those files.
 */
#ifndef BB_SSE_INT_H
#define BB_SSE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "sse.h"
#include "sse_class.h"
#include "stream.h"

#define SSE_MAX_CHANNELS 64
#define SSE_QUEUE_MAX 4096 /* events held at once */

struct buf {
    char *p;
    size_t n, cap;
};

struct line {
    size_t off, len, end_len; /* in the event's raw bytes: line, end */
};

/* One event as it came: its lines with their ends. */
struct event {
    struct buf raw;
    struct line *ln;
    size_t nln, lncap;
};

/* A provider channel: its deltas' text as one stream. */
struct chan {
    char key[SSE_KEY_MAX];
    struct stream *st;
    uint64_t fed, out;    /* decoded bytes given, and decided */
    struct bb_sse_scrubber *s;
};

/* A delta of a held event: bytes [start, end) of its channel's text,
 * and the scrubbed text that falls to it. */
struct qtgt {
    struct chan *ch;      /* NULL once the channel has ended */
    char path[SSE_PATH_MAX];
    uint64_t start, end;
    bool ends;            /* its channel ends with it */
    bool fed;             /* its text went to the channel */
    struct buf out;
};

/* An event waiting for its deltas' text to be decided. */
struct qev {
    struct event ev;
    struct qtgt t[SSE_TARGETS];
    size_t nt;
};

struct bb_sse_scrubber {
    const struct bb_ruleset *rs;
    json_apply_fn apply;
    void *apply_ud;
    struct bb_json_scrubber *js; /* JSON Lines, one record per payload */
    struct bb_json_scrubber *jx; /* finds the deltas, scrubs nothing */
    bb_write_fn write;
    void *ud;
    bb_finding_fn observe;       /* told of every finding, or NULL */
    void *observe_ud;
    struct event ev;             /* the event being read */
    size_t line_start;
    bool cr;                     /* the last byte seen was a CR */
    struct buf pay, res, ob;     /* payload, its scrubbed form, output */
    struct chan *ch[SSE_MAX_CHANNELS];
    size_t nch;
    struct qev **q;              /* held events, oldest first */
    size_t nq, qcap;
    const struct qev *rendering; /* the event being rendered */
    bool stop;                   /* an observer asked to stop ... */
    const struct qev *stop_ev;   /* ... before this event (NULL: the
                                  * newest) */
    bool failed, finished;
    uint64_t pos;
    uint64_t *counts;            /* findings of channels and of the */
    uint64_t *view;              /* JSON scrubbers dropped; plus now */
};

/* sse.c */
int sse_put(struct buf *b, const void *p, size_t n);
int sse_put_fn(const void *p, size_t n, void *ud);
void sse_buf_dispose(struct buf *b);
void sse_event_dispose(struct event *e);
int sse_event_copy(struct event *to, const struct event *from,
                   struct bb_err *err);
/* The event's data values joined with '\n' into s->pay; false if it has
 * no data line (*rc: BB_ENOMEM on failure). */
bool sse_payload(struct bb_sse_scrubber *s, const struct event *e, int *rc);
/* Event e (its payload in s->pay) rendered into s->ob, the deltas of
 * its fed targets replaced by their decided text. */
int sse_render(struct bb_sse_scrubber *s, const struct event *e,
               struct qtgt *t, size_t nt, struct bb_err *err);
/* Scrubber *j (s->js, or the delta finder s->jx) made if there is none. */
int sse_ready(struct bb_sse_scrubber *s, struct bb_json_scrubber **j,
              struct bb_err *err);
/* A whole JSON record through scrubber *j (recreated after a record
 * that is not JSON: BB_EINPUT); its output, without the newline, in
 * s->res. */
int sse_record(struct bb_sse_scrubber *s, struct bb_json_scrubber **j,
               const char *p, size_t n, struct bb_err *err);

/* The observer of the payload scrubber: s->observe, and a positive
 * answer stops the stream before the event being rendered. */
int sse_observe_payload(const struct bb_finding *f, void *ud);

/* sse_chan.c */
/* A whole event has been read into s->ev: queue it, feed its deltas to
 * their channels, and write every held event now decided. */
int sse_dispatch(struct bb_sse_scrubber *s, struct bb_err *err);
/* The stream ends: every channel ends, every held event goes out. */
int sse_chan_finish(struct bb_sse_scrubber *s, struct bb_err *err);
void sse_chan_free(struct bb_sse_scrubber *s);

#endif
