/*
 * cli_moderate.h - what `blackbar moderate` (cmd_moderate.c) shares with
 * its helpers (cli_moderate.c): the moderation rules that matched in a
 * response, their explanation and audit records, and the streaming path.
 */
#ifndef BB_CLI_MODERATE_H
#define BB_CLI_MODERATE_H

#include <stdbool.h>

#include "blackbar.h"
#include "cli.h"
#include "cli_provider.h"

/* Where each moderation rule first matched (for --explain and the
 * audit log). */
struct hit {
    size_t rule;
    uint64_t offset;
    size_t length;
    char *value; /* in memory only: fingerprinted, never written */
};

struct watch {
    struct bb_moderator *m;
    const struct bb_ruleset *rs;
    struct hit hits[64];
    size_t nhits;
    uint64_t *totals;  /* findings per rule over all responses */
    const char *source;     /* for audit records (NULL: "moderate") */
    const char *request_id; /* the API's id of the exchange, or NULL */
};

/* Add a scrubber's findings per rule to w->totals. */
void mod_count(struct watch *w, const uint64_t *counts);

/* bb_finding_fn: the moderator is told of each finding, its first
 * match per rule kept; 1 when the verdict is now a block (a stream then
 * stops). */
int mod_observe(const struct bb_finding *f, void *ud);
void mod_watch_reset(struct watch *w);
/* --explain: the rules that matched, to stderr. */
void mod_explain(const struct watch *w, const char *name);
/* Audit records of the matched rules of category; with text (the input
 * the offsets are in), excerpts show the scrubbed words around. */
int mod_audit_hits(struct bb_audit *a, const struct watch *w,
                   enum bb_action verdict, const char *category,
                   const char *text, size_t n);
/* Audit record of a remote endpoint that could not answer. */
int mod_audit_remote(struct bb_audit *a, const struct cli_remote *r,
                     const char *why);
/* The provider's error for a blocked response, to stdout: Anthropic's
 * or OpenAI's JSON, or one SSE error event. */
int mod_error_json(bool anthropic, const char *category);
int mod_error_event(enum provider provider, const char *category);
/* One SSE stream: 0 allowed, 1 blocked, -1 error. */
int mod_sse(const struct bb_ruleset *rs, struct watch *w,
            struct bb_audit *audit, bool explain, const char *path);

#endif
