/*
 * matcher.h - the only door to PCRE2: compile a rule's pattern and allow
 * list, and run one match call with limits, partial matching and an
 * offset limit. Knows nothing of streams, keywords or output.
 */
#ifndef BB_MATCHER_H
#define BB_MATCHER_H

#include <stdbool.h>
#include <stddef.h>

#include "blackbar.h"
#include "rules.h"

struct matcher_prog;
struct matcher_state;

enum mkind {
    M_NONE = 0,
    M_FULL = 1,
    M_PARTIAL = 2
};

struct mresult {
    enum mkind kind;
    size_t s, e;   /* whole match (or partial match) */
    size_t gs, ge; /* the rule's group; equals s, e for group 0 */
    bool group_set;
};

/* Compile r's pattern and allow list. Errors name source and rule id. */
int matcher_compile(struct matcher_prog **out, const struct rule *r,
                    const char *source, struct bb_err *err);
void matcher_prog_free(struct matcher_prog *p);

/* Longest lookbehind of the pattern, in bytes (UTF-8: 4 per char). */
size_t matcher_prog_lookbehind(const struct matcher_prog *p);
/* Number of capture groups. */
size_t matcher_prog_groups(const struct matcher_prog *p);
/* True when every match starts with one known byte, which PCRE2 finds
 * quickly on its own (PCRE2_INFO_FIRSTCODETYPE 1). */
bool matcher_prog_literal_start(const struct matcher_prog *p);

/* True when the pattern was JIT-compiled. */
bool matcher_prog_jit(const struct matcher_prog *p);

/* Per-thread match resources sized for max_groups capture groups. */
int matcher_state_new(struct matcher_state **out, size_t max_groups,
                      const struct bb_ruleset_opts *limits,
                      struct bb_err *err);
void matcher_state_free(struct matcher_state *ms);

struct mcall {
    const char *subj;
    size_t len;     /* subject length */
    size_t start;   /* start offset (bytes before it are context) */
    size_t limit;   /* last allowed match start, or SIZE_MAX */
    bool partial;   /* PCRE2_PARTIAL_HARD: more data may follow */
    bool notbol;    /* the subject does not start at the input's start */
};

/* Find the leftmost match (or partial match) of p. Returns 0 with
 * out->kind set, or BB_EMATCH when a limit was hit. */
int matcher_find(struct mresult *out, struct matcher_state *ms,
                 const struct matcher_prog *p, const struct mcall *call,
                 struct bb_err *err);

/* True when the value matches one of the rule's allow regexes. Returns
 * BB_EMATCH (< 0) on an engine error, else 0 or 1. */
int matcher_allowed(struct matcher_state *ms, const struct matcher_prog *p,
                    const char *v, size_t n, struct bb_err *err);

#endif
