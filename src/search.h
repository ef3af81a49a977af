/*
 * search.h - the state a stream shares with its search: the window of one
 * round, the candidates found in it, and the per-rule search that fills
 * them (prefilter ranges, PCRE2 calls, validators, context). Private to
 * stream.c and search.c.
 */
#ifndef BB_SEARCH_H
#define BB_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blackbar.h"
#include "core.h"
#include "matcher.h"
#include "prefilter.h"
#include "ruleset.h"
#include "stream.h"

struct cand {
    size_t rule;
    size_t s, e;   /* whole match, buffer offsets */
    size_t gs, ge; /* finding span */
    bool rejected; /* consumed by the rule but not reported */
    bool pending;  /* needs more right context */
    bool lost;     /* lost overlap resolution */
    bool shadow;   /* lost, but reported: a flag or block (moderation)
                    * under another rule's finding */
    bool ctx_miss; /* required context absent: the start is skipped */
};

struct ival {
    size_t lo, hi;
};

/* What one thread needs to search: its own PCRE2 match state and the
 * candidates and ranges it builds. Searcher 0 belongs to the caller's
 * thread and ends up holding every candidate of the round. */
struct searcher {
    struct matcher_state *ms;
    struct cand *c;
    size_t nc, capc;
    struct ival *iv;
    size_t niv, capiv;
    struct ival *iv2; /* scratch for intersecting two range lists */
    size_t capiv2;
    size_t ival_gap;
    size_t hold; /* earliest partial match found by this searcher */
    int rc;
    struct bb_err err;
};

struct pool;

struct stream {
    const struct bb_ruleset *rs;
    long only;
    struct stream_sink sink;
    struct pf_result pf;
    struct bb_buf buf;
    uint64_t base;      /* stream offset of buf.data[0] */
    uint64_t rel;       /* bytes before this are released */
    uint64_t *last_end; /* per rule: end of its last decided match */
    struct searcher *w; /* nw searchers; w[0] is the caller's */
    size_t nw;
    struct pool *pool;  /* threads for w[1..], or NULL */
    size_t *gates;      /* indexes of gate rules, then of the others */
    size_t *parts;      /* tasks of the prefilter scan (rs->n + part) */
    uint64_t *task_ns;  /* per task: recent run time, for the order */
    size_t *order;      /* scratch: a task list, longest first */
    size_t n_gates;
    struct cand **win; /* winners in group order, for emit */
    size_t capwin;
    struct pf_vec *gate_hits; /* per rule; used for gate rules */
    bool ungated;             /* search every position (rule tests) */
    /* Ends of closed segments (stream offsets, ascending): no match
     * crosses one, and the search sees each segment as a whole subject
     * (JSON string values). None in plain text. */
    uint64_t *seg_end;
    size_t nseg, capseg;
    uint64_t gate_matches;    /* decided matches of gate rules */
    size_t hold_cap;
    bool failed;
    bool finished;
    size_t max_hold;
    uint64_t bytes_in;
};

/* State of one round: the window and what is being decided. */
struct round {
    const char *s;
    size_t start; /* release point, buffer offset */
    size_t end;   /* usable end of the window */
    bool final;
    size_t hold;  /* nothing at or after this can be decided yet */
};


/* Run one task on searcher w: rule `task`, or part task - rs->n of the
 * prefilter scan. */
int search_task(struct stream *st, struct searcher *w, struct round *rd,
                size_t task, struct bb_err *err);

/* Find every rule's candidates in the window of rd (gates first) into
 * st->w[0], and pull rd->hold back to the earliest partial match. */
int search_rules(struct stream *st, struct round *rd, struct bb_err *err);
/* The segment around buffer offset p of round rd: [*lo, *hi), and
 * whether it is closed (its end is final). */
bool search_segment(const struct stream *st, const struct round *rd,
                    size_t p, size_t *lo, size_t *hi);

/* Set up nw searchers (1 to 16); more than one starts nw - 1 threads
 * that search rules in parallel on large windows. */
int search_init(struct stream *st, size_t nw, struct bb_err *err);
/* Stop the threads and free the searchers. */
void search_dispose(struct stream *st);

#endif
