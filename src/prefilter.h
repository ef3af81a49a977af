/*
 * prefilter.h - one pass over a window finds every keyword occurrence
 * (case-insensitive literals) and every run of one-byte keywords, and
 * files them per rule, so a rule's regex runs only near its keywords.
 * Knows nothing of PCRE2 or streams.
 */
#ifndef BB_PREFILTER_H
#define BB_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blackbar.h"
#include "rules.h"

/* A keyword occurrence [s, e). A run of one-byte keywords is covered by
 * a match that overlaps it; a literal only by one that contains it. */
struct pf_hit {
    size_t s;
    size_t e;
    bool run;
};

struct pf_vec {
    struct pf_hit *v;
    size_t n;
    size_t cap;
};

struct prefilter;
struct anchor_scratch;

/* Per-thread scan results, reused across scans. */
/* A token: numeric (digits joined by at most 3 bytes of " .-/()+",
 * counting digits) or hex (hex digits joined by at most 3 joiner bytes,
 * counting each joiner byte value apart: jc[k] for the k-th joiner of
 * the hex kind, the union of all hex rules' joiners). */
struct pf_token {
    size_t s;      /* first unit */
    size_t e;      /* after the last unit */
    size_t count;  /* numeric: digits */
    bool open;     /* still open at the window end: may grow */
    uint8_t jc[8]; /* hex: joiners by kind, saturating */
};

struct pf_tokvec {
    struct pf_token *v;
    size_t n, cap;
    uint64_t *m;     /* scratch: the scan's bit masks */
    size_t mcap;     /* in words */
};

struct pf_result {
    struct pf_vec *rule_hits;  /* literal hits per rule, then context-word
                                * hits per rule at n_rules + i */
    struct pf_vec *class_runs; /* runs, per one-byte class */
    struct pf_tokvec *tok;     /* tokens, per token kind */
    size_t n_kinds;
    size_t n_rules;
    size_t n_classes;
    struct anchor_scratch *anch; /* scratch of the anchor part */
};

int prefilter_build(struct prefilter **out, const struct rule *rules,
                    size_t n_rules, struct bb_err *err);
void prefilter_free(struct prefilter *pf);

/* True when rule i's regex runs only in ranges the prefilter found
 * (keywords, context words, numeric tokens or anchors; anchor hits are
 * filed with the keyword hits). */
bool prefilter_rule_gated(const struct prefilter *pf, size_t i);
/* The one-byte class of rule i, or -1. */
int prefilter_rule_class(const struct prefilter *pf, size_t i);
/* The token kind of rule i (its "digits"), or -1. */
int prefilter_rule_tokens(const struct prefilter *pf, size_t i);
/* Does token t hold at least rule i's "digits".min (digits, or joiners
 * of its own set for a hex rule)? Open tokens always do. */
bool prefilter_token_enough(const struct prefilter *pf, size_t i,
                            const struct pf_token *t);
/* What rule i counts in its tokens: *jmask the joiners (by index; 0 for
 * units), *min how many. */
void prefilter_rule_need(const struct prefilter *pf, size_t i,
                         uint8_t *jmask, size_t *min);

int pf_result_init(struct pf_result *res, const struct prefilter *pf,
                   struct bb_err *err);
void pf_result_dispose(struct pf_result *res);

/* The scan in independent parts that write to separate parts of the
 * result (literals, one-byte classes, each token kind), for threads:
 * prefilter_reset(), then every part from 0 to prefilter_parts() - 1 in
 * any order, is the same as prefilter_scan(). */
size_t prefilter_parts(const struct prefilter *pf);
void prefilter_reset(struct pf_result *res);
int prefilter_scan_part(struct pf_result *res, const struct prefilter *pf,
                        size_t part, const char *s, size_t from, size_t to,
                        struct bb_err *err);

/* Scan s[from, to) and replace res with its hits, in position order.
 * A numeric token still open at `to` is included whatever its size. */
int prefilter_scan(struct pf_result *res, const struct prefilter *pf,
                   const char *s, size_t from, size_t to,
                   struct bb_err *err);

#endif
