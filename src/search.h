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
    bool ctx_miss; /* required context absent: the start is skipped */
};

struct ival {
    size_t lo, hi;
};

struct stream {
    const struct bb_ruleset *rs;
    long only;
    struct stream_sink sink;
    struct matcher_state *ms;
    struct pf_result pf;
    struct bb_buf buf;
    uint64_t base;      /* stream offset of buf.data[0] */
    uint64_t rel;       /* bytes before this are released */
    uint64_t *last_end; /* per rule: end of its last decided match */
    struct cand *c;
    size_t nc, capc;
    struct cand **win; /* winners in group order, for emit */
    size_t capwin;
    struct ival *iv;
    size_t niv, capiv;
    struct pf_vec *gate_hits; /* per rule; used for gate rules */
    bool ungated;             /* search every position (rule tests) */
    uint64_t gate_matches;    /* decided matches of gate rules */
    size_t ival_gap;
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


/* Find every rule's candidates in the window of rd (gates first), and
 * pull rd->hold back to the earliest partial match. */
int search_rules(struct stream *st, struct round *rd, struct bb_err *err);

#endif
