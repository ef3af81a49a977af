/*
 * moderate.c - the moderator (DESIGN section 3): findings of moderation
 * rules (those with a category) add their rule's weight to the
 * category's score, each rule once per response; a category whose score
 * reaches its threshold (1 unless set) decides: block when one of its
 * rules that matched says block (or an override says so), else flag.
 * Knows rules and findings, nothing of text or formats.
 */
#include <string.h>

#include "core.h"
#include "ruleset.h"

static const char *const categories[] = {
    "harassment", "harassment/threatening", "hate", "hate/threatening",
    "illicit", "illicit/violent", "self-harm", "self-harm/intent",
    "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic",
};

#define NCAT (sizeof(categories) / sizeof(*categories))

struct bb_moderator {
    const struct bb_ruleset *rs;
    int *cat;             /* per rule: its category, or -1 */
    bool *fired;          /* per rule: matched in this response */
    double score[NCAT];
    double threshold[NCAT];
    int override[NCAT];   /* -1, or the action for the category */
    bool block[NCAT];     /* a block rule of the category matched */
    double rthreshold[NCAT]; /* remote: score to reach, or < 0: flag */
    bool remote[NCAT];    /* remote moderation decided the category */
};

static int cat_index(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < NCAT; i++) {
        if (strcmp(categories[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int bb_moderator_new(struct bb_moderator **out, const struct bb_ruleset *rs,
                     struct bb_err *err)
{
    struct bb_moderator *m;
    struct bb_rule_info ri;
    size_t n = bb_ruleset_count(rs);
    size_t i;

    m = bb_calloc(1, sizeof(*m));
    if (m != NULL) {
        m->cat = bb_calloc(n + 1, sizeof(*m->cat));
        m->fired = bb_calloc(n + 1, sizeof(*m->fired));
    }
    if (m == NULL || m->cat == NULL || m->fired == NULL) {
        bb_moderator_free(m);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    m->rs = rs;
    for (i = 0; i < n; i++) {
        m->cat[i] = bb_ruleset_rule(&ri, rs, i, NULL) == 0
                        ? cat_index(ri.category)
                        : -1;
    }
    for (i = 0; i < NCAT; i++) {
        m->threshold[i] = 1.0;
        m->override[i] = -1;
        m->rthreshold[i] = -1.0;
    }
    *out = m;
    return 0;
}

int bb_moderator_threshold(struct bb_moderator *m, const char *category,
                           double t, struct bb_err *err)
{
    int c = cat_index(category);

    if (c < 0 || !(t > 0.0 && t <= 1000.0)) {
        return bb_seterr(err, BB_EINVAL, c < 0 ? "unknown category"
                                               : "a threshold is above 0, "
                                                 "at most 1000");
    }
    m->threshold[c] = t;
    return 0;
}

int bb_moderator_action(struct bb_moderator *m, const char *category,
                        enum bb_action action, struct bb_err *err)
{
    int c = cat_index(category);

    if (c < 0 || (action != BB_ACTION_BLOCK && action != BB_ACTION_FLAG)) {
        return bb_seterr(err, BB_EINVAL, c < 0 ? "unknown category"
                                               : "a category's action is "
                                                 "block or flag");
    }
    m->override[c] = (int)action;
    return 0;
}

int bb_moderator_observe(const struct bb_finding *f, void *userdata)
{
    struct bb_moderator *m = userdata;
    struct bb_rule_info ri;
    int c;

    if (f->rule >= bb_ruleset_count(m->rs) || m->cat[f->rule] < 0 ||
        m->fired[f->rule]) {
        return 0;
    }
    c = m->cat[f->rule];
    m->fired[f->rule] = true;
    if (bb_ruleset_rule(&ri, m->rs, f->rule, NULL) == 0) {
        m->score[c] += ri.weight;
        m->block[c] = m->block[c] || ri.action == BB_ACTION_BLOCK;
    }
    return 0;
}

enum bb_action bb_moderator_verdict(const struct bb_moderator *m,
                                    const char **category)
{
    enum bb_action v = BB_ACTION_REDACT;
    size_t i;

    *category = NULL;
    for (i = 0; i < NCAT; i++) {
        enum bb_action a;

        if (m->score[i] + 1e-9 < m->threshold[i] && !m->remote[i]) {
            continue;
        }
        a = m->override[i] >= 0           ? (enum bb_action)m->override[i]
            : m->block[i] || m->remote[i] ? BB_ACTION_BLOCK
                                          : BB_ACTION_FLAG;
        if (a == BB_ACTION_BLOCK && v != BB_ACTION_BLOCK) {
            v = a;
            *category = categories[i];
        } else if (v == BB_ACTION_REDACT) {
            v = a;
            *category = categories[i];
        }
    }
    return v;
}

bool bb_moderator_fired(const struct bb_moderator *m, size_t rule)
{
    return rule < bb_ruleset_count(m->rs) && m->fired[rule];
}

double bb_moderator_score(const struct bb_moderator *m, const char *category)
{
    int c = cat_index(category);

    return c < 0 ? 0.0 : m->score[c];
}

int bb_moderator_remote_threshold(struct bb_moderator *m,
                                  const char *category, double t,
                                  struct bb_err *err)
{
    int c = cat_index(category);

    if (c < 0 || !(t > 0.0 && t <= 1.0)) {
        return bb_seterr(err, BB_EINVAL, c < 0 ? "unknown category"
                                               : "a remote threshold is "
                                                 "above 0, at most 1");
    }
    m->rthreshold[c] = t;
    return 0;
}

void bb_moderator_remote(struct bb_moderator *m,
                         const struct bb_remote_result *r)
{
    size_t i;

    for (i = 0; i < NCAT; i++) {
        bool hit = m->rthreshold[i] >= 0.0
                       ? r->scores[i] >= m->rthreshold[i]
                       : r->categories[i];

        m->remote[i] = m->remote[i] || hit;
    }
}

void bb_moderator_reset(struct bb_moderator *m)
{
    memset(m->fired, 0, bb_ruleset_count(m->rs) * sizeof(*m->fired));
    memset(m->score, 0, sizeof(m->score));
    memset(m->block, 0, sizeof(m->block));
    memset(m->remote, 0, sizeof(m->remote));
}

void bb_moderator_free(struct bb_moderator *m)
{
    if (m == NULL) {
        return;
    }
    bb_free(m->cat);
    bb_free(m->fired);
    bb_free(m);
}
