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
};

#endif
