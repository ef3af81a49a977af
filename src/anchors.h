/*
 * anchors.h - the "anchor" prefilter: short sequences of byte classes
 * (two capitals then two digits, say) found 64 positions at a time with
 * bit masks, filed per rule like keyword hits. Knows nothing of PCRE2
 * or streams.
 */
#ifndef BB_ANCHORS_H
#define BB_ANCHORS_H

#include <stddef.h>
#include <stdint.h>

#include "blackbar.h"
#include "prefilter.h"
#include "rules.h"

struct anchors;

/* Scratch of one scan, reused across scans. */
struct anchor_scratch {
    uint64_t *m;
    size_t cap; /* in words */
};

/* The anchors of rules[0, n); *out is NULL when no rule has one. */
int anchors_build(struct anchors **out, const struct rule *rules, size_t n,
                  struct bb_err *err);
void anchors_free(struct anchors *a);

/* Append to hits[i], for every rule i with an anchor, each position p in
 * [from, to) where the anchor's classes match s[p], s[p + 1], ... (all
 * within `to`), as the hit [p, p + length), in order. */
int anchors_scan(const struct anchors *a, struct pf_vec *hits,
                 struct anchor_scratch *sc, const unsigned char *s,
                 size_t from, size_t to, struct bb_err *err);

void anchor_scratch_dispose(struct anchor_scratch *sc);

#endif
