/*
 * stream.h - the hold-back engine (DESIGN section 2, invariants 1-4):
 * bytes in, findings and released bytes out through a sink, the same
 * whatever the chunking. Knows the matcher and prefilter, not PCRE2
 * internals, operators or output formats.
 */
#ifndef BB_STREAM_H
#define BB_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "blackbar.h"

struct stream_sink {
    /* Bytes that pass through unchanged. */
    int (*text)(void *ud, const char *p, size_t n, struct bb_err *err);
    /* A finding; for BB_ACTION_FLAG its bytes follow through text(). */
    int (*finding)(void *ud, const struct bb_finding *f,
                   struct bb_err *err);
    void *ud;
};

struct stream;

/* only: run just this rule (for rule tests), or -1 for all. */
int stream_new(struct stream **out, const struct bb_ruleset *rs, long only,
               const struct stream_sink *sink, struct bb_err *err);
int stream_feed(struct stream *st, const char *p, size_t n,
                struct bb_err *err);
int stream_finish(struct stream *st, struct bb_err *err);

/* Like stream_feed, but a round runs only once a chunk's worth of bytes
 * waits (or at stream_release): for callers that add many small pieces
 * (JSON string values) between segment ends. */
int stream_append(struct stream *st, const char *p, size_t n,
                  struct bb_err *err);

/* Close the current segment at the end of the bytes fed so far: no
 * match crosses the point, and each segment is searched as a subject of
 * its own (one JSON string value). */
int stream_end_segment(struct stream *st, struct bb_err *err);

/* Run a round on what is held now, without new input: releases the
 * bytes of closed segments. */
int stream_release(struct stream *st, struct bb_err *err);
/* Start a new, independent segment (after finish). */
void stream_reset(struct stream *st);
void stream_free(struct stream *st);

/* Search with n threads (1 to 16; n - 1 are started, and used on large
 * windows). Call before the first feed. */
int stream_set_threads(struct stream *st, size_t n, struct bb_err *err);

/* Search every position, ignoring keyword, context, digit and gate
 * ranges (the filters still apply): for checking that gating loses
 * nothing. */
void stream_set_ungated(struct stream *st);

/* Matches of gate rules decided so far (gates report no findings). */
uint64_t stream_gate_matches(const struct stream *st);

uint64_t stream_bytes_in(const struct stream *st);
size_t stream_max_hold(const struct stream *st);

#endif
