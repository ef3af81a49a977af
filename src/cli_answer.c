/*
 * cli_answer.c - moderation and restore of a model's answer (see
 * cli_answer.h). The moderation pass on a stream keeps its input (its
 * rules flag placeholders instead of replacing them) and hands the events
 * it lets through to the restorer, so a block stops the stream after the
 * events before it, and what the client sees has the values back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_answer.h"

static int discard(const void *data, size_t len, void *ud)
{
    (void)data;
    (void)len;
    (void)ud;
    return 0;
}

/* The events the moderation pass lets through go on to the restorer. */
static int to_restorer(const void *data, size_t len, void *ud)
{
    struct answer *a = ud;

    return bb_restorer_feed(a->rest, data, len, &a->err) < 0 ? -1 : 0;
}

struct bb_ruleset *answer_rules(const char *cmd)
{
    struct bb_ruleset_opts opts = BB_RULESET_OPTS_INIT;
    struct bb_ruleset *rs = NULL;
    struct bb_err err;

    opts.keep_placeholders = true;
    if (bb_ruleset_new(&rs, &opts, &err) < 0 ||
        bb_ruleset_add_builtin_pack(rs, "moderation", &err) < 0 ||
        bb_ruleset_compile(rs, &err) < 0) {
        cli_fail(cmd, &err);
        bb_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

int answer_vault_add(const char *ph, size_t plen, const char *val,
                     size_t vlen, void *ud)
{
    struct bb_err err;

    return bb_vault_add(ud, ph, plen, val, vlen, &err);
}

int answer_start(struct answer *a, long status, const char *type)
{
    a->started = true;
    a->status = status;
    a->error = status < 200 || status >= 300;
    a->sse = !a->error && type != NULL &&
             strncmp(type, "text/event-stream", 17) == 0;
    if (!a->sse) {
        return 0; /* kept whole, judged at the end */
    }
    if (bb_redactor_new(&a->mrd, a->mrs, &a->err) < 0 ||
        bb_restorer_new(&a->rest, a->vault, BB_FORMAT_SSE, a->write, a->wud,
                        &a->err) < 0 ||
        bb_sse_scrubber_new(&a->mod, a->mrs, a->mrd, to_restorer, a,
                            &a->err) < 0) {
        return -1;
    }
    bb_sse_scrubber_on_finding(a->mod, mod_observe, a->w);
    return 0;
}

int answer_feed(struct answer *a, const void *data, size_t len)
{
    int rc;

    if (!a->sse) {
        char *p;

        if (a->n + len > a->max) {
            a->err.code = BB_ELIMIT;
            snprintf(a->err.msg, sizeof(a->err.msg), "an answer longer "
                     "than the limit (%zu bytes)", a->max);
            return -1;
        }
        p = realloc(a->body, a->n + len + 1);
        if (p == NULL) {
            a->err.code = BB_ENOMEM;
            snprintf(a->err.msg, sizeof(a->err.msg), "out of memory");
            return -1;
        }
        memcpy(p + a->n, data, len);
        a->body = p;
        a->n += len;
        a->body[a->n] = '\0';
        return 0;
    }
    rc = bb_sse_scrubber_feed(a->mod, data, len, &a->err);
    if (rc == BB_ESTOP) {
        a->blocked = true;
        return 1;
    }
    return rc < 0 ? -1 : 0;
}

/* A whole answer: the verdict, then the values back (or the error). */
static int finish_whole(struct answer *a)
{
    struct bb_json_scrubber *j = NULL;
    struct bb_restorer *r = NULL;
    const char *body = a->body ? a->body : "";
    int rc = 0;

    if (!a->error) {
        rc = bb_redactor_new(&a->mrd, a->mrs, &a->err);
        rc = rc == 0 ? bb_json_scrubber_new(&j, a->mrs, a->mrd, false,
                                            discard, NULL, &a->err)
                     : rc;
        if (rc == 0) {
            bb_json_scrubber_on_finding(j, mod_observe, a->w);
            rc = bb_json_scrubber_feed(j, body, a->n, &a->err);
        }
        rc = rc == 0 ? bb_json_scrubber_finish(j, &a->err) : rc;
        bb_json_scrubber_free(j);
        if (rc < 0) {
            return -1;
        }
        if (bb_moderator_verdict(a->w->m, &a->category) == BB_ACTION_BLOCK) {
            char msg[160];
            char out[768];
            size_t n;
            enum provider p = a->provider;

            if (p != P_GEMINI && prov_is_anthropic(body, a->n)) {
                p = P_ANTHROPIC;
            }
            a->blocked = true;
            prov_block_message(msg, sizeof(msg), "response", "category",
                               a->category);
            n = prov_error_json(out, sizeof(out), p, 400, msg);
            return a->write(out, n, a->wud) < 0 ? -1 : 0;
        }
    }
    /* (an error answer is restored as text: it may echo the request) */
    rc = bb_restorer_new(&r, a->vault,
                         a->error ? BB_FORMAT_TEXT : BB_FORMAT_JSON,
                         a->write, a->wud, &a->err);
    rc = rc == 0 ? bb_restorer_feed(r, body, a->n, &a->err) : rc;
    rc = rc == 0 ? bb_restorer_finish(r, &a->err) : rc;
    bb_restorer_free(r);
    return rc < 0 ? -1 : 0;
}

static int finish_stream(struct answer *a)
{
    int rc = a->blocked ? BB_ESTOP : bb_sse_scrubber_finish(a->mod, &a->err);

    if (rc < 0 && rc != BB_ESTOP) {
        return -1;
    }
    /* the events let through, with any placeholder they end on */
    if (bb_restorer_finish(a->rest, &a->err) < 0) {
        return -1;
    }
    if (rc == BB_ESTOP) {
        char msg[160];
        char ev[768];
        size_t n;

        a->blocked = true;
        bb_moderator_verdict(a->w->m, &a->category);
        prov_block_message(msg, sizeof(msg), "response", "category",
                           a->category);
        n = prov_error_event(ev, sizeof(ev), a->provider, 400, msg);
        return a->write(ev, n, a->wud) < 0 ? -1 : 0;
    }
    return 0;
}

int answer_finish(struct answer *a)
{
    if (!a->started) {
        answer_start(a, a->status, NULL);
    }
    return a->sse ? finish_stream(a) : finish_whole(a);
}

void answer_reset(struct answer *a)
{
    bb_sse_scrubber_free(a->mod);
    bb_restorer_free(a->rest);
    bb_redactor_free(a->mrd);
    free(a->body);
    a->mod = NULL;
    a->rest = NULL;
    a->mrd = NULL;
    a->body = NULL;
    a->n = 0;
    a->started = a->sse = a->error = a->blocked = false;
    a->status = 0;
    a->category = NULL;
    if (a->w != NULL && a->w->m != NULL) {
        mod_watch_reset(a->w);
    }
}
