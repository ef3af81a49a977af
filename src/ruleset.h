/*
 * ruleset.h - the loaded, compiled rule set shared (read-only) by every
 * stream: parsed rules, their compiled programs and the prefilter.
 */
#ifndef BB_RULESET_H
#define BB_RULESET_H

#include <stdbool.h>
#include <stddef.h>

#include "blackbar.h"
#include "matcher.h"
#include "prefilter.h"
#include "rules.h"

struct bb_ruleset {
    struct bb_ruleset_opts opts;
    struct rule *rules;
    struct matcher_prog **progs;
    size_t n;
    size_t cap;
    char **packs; /* names of the loaded packs */
    size_t n_packs;
    struct prefilter *pf;
    bool compiled;
    size_t max_groups;
    size_t max_len;   /* largest rule max_len */
    size_t keep_left; /* left context a stream keeps */
    size_t max_window;
    const char **types; /* distinct types, in rule order (borrowed) */
    size_t n_types;
    size_t *rule_type;  /* rule index -> type index */
};

/* A finding of this rule leaves its bytes in the output: a flag, or a
 * moderation rule's block (it has a category: the moderator decides on
 * the whole response). A block rule of a request pack is replaced like a
 * redaction, whatever refuses the request. */
static inline bool bb_rule_keeps(const struct bb_ruleset *rs, size_t rule)
{
    const struct rule *r = &rs->rules[rule];

    return r->action == BB_ACTION_FLAG ||
           (r->action == BB_ACTION_BLOCK && r->category != NULL);
}

#endif
