/*
 * cli_answer.h - a model's answer on its way back to the client (`send`,
 * `proxy`): moderated as it comes with the moderation rules, then written
 * with the request's placeholders restored. A stream (text/event-stream)
 * passes event by event and ends with the provider's error event at a
 * block; a whole answer is kept (up to a limit), judged, and written, or
 * replaced by the provider's error body. An error answer (status not
 * 2xx) is restored as text and not judged.
 */
#ifndef BB_CLI_ANSWER_H
#define BB_CLI_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_moderate.h"

struct answer {
    /* set by the caller */
    struct bb_vault *vault;       /* the request's placeholders */
    const struct bb_ruleset *mrs; /* moderation rules, placeholders kept */
    struct watch *w;              /* its moderator and first hits */
    enum provider provider;
    bb_write_fn write;            /* where the client's bytes go */
    void *wud;
    size_t max;                   /* a whole answer's limit */
    /* state */
    bool started, sse, error, blocked;
    long status;
    char *body;                   /* a whole answer */
    size_t n;
    struct bb_redactor *mrd;
    struct bb_sse_scrubber *mod;
    struct bb_restorer *rest;
    const char *category;         /* of a block */
    struct bb_err err;            /* of the last failure */
};

/* A whole answer's limit, for send and proxy. */
#define ANSWER_MAX ((size_t)64 << 20)

/* The rules an answer is checked with: the built-in moderation pack,
 * with the placeholder rule flagging (so the moderation pass's output is
 * its input, up to a block). NULL after a message naming cmd. */
struct bb_ruleset *answer_rules(const char *cmd);

/* bb_vault_fn: each placeholder the request's redactor writes goes to
 * the vault ud. */
int answer_vault_add(const char *ph, size_t plen, const char *val,
                     size_t vlen, void *ud);

/* The answer's status and content type are known. 0, or -1 (a->err). */
int answer_start(struct answer *a, long status, const char *type);
/* Bytes of the answer: 0 go on, 1 blocked (stop the transfer), -1 error
 * (a->err; nothing more may be written). */
int answer_feed(struct answer *a, const void *data, size_t len);
/* The answer ended (or was blocked): the rest is written, with the
 * provider's error at a block. 0 or -1. */
int answer_finish(struct answer *a);
/* Free the state (for a retry, or at the end); the settings stay. */
void answer_reset(struct answer *a);

#endif
