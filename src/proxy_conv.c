/*
 * proxy_conv.c - conversations of the Responses API: a request that
 * names previous_response_id (or a conversation id) continues the vault
 * and placeholder numbering of the answer (or conversation) it names, so
 * the model's references to earlier placeholders are restored and the
 * same value keeps its placeholder. A state is shared by every answer of
 * its conversation, forks included, and used by one request at a time
 * (another one at the same time starts afresh). Kept in memory only,
 * each entry for a TTL, at most max entries (the oldest go first).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy.h"

struct shared {
    struct bb_vault *vault;
    struct bb_redactor *rd;
    unsigned refs; /* entries, and the request using it */
    bool busy;
};

struct entry {
    char id[128];
    time_t expires;
    struct shared *s;
};

struct proxy_conv {
    pthread_mutex_t mu;
    struct entry *v;
    unsigned n, max;
    long ttl;
};

int conv_new(struct proxy_conv **out, long ttl_s, unsigned max)
{
    struct proxy_conv *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL || max == 0 ||
        (c->v = calloc(max, sizeof(*c->v))) == NULL) {
        free(c);
        return max == 0 ? 0 : -1;
    }
    pthread_mutex_init(&c->mu, NULL);
    c->max = max;
    c->ttl = ttl_s;
    *out = c;
    return 0;
}

static void unref(struct shared *s)
{
    if (--s->refs == 0) {
        bb_redactor_free(s->rd);
        bb_vault_free(s->vault);
        free(s);
    }
}

static void remove_at(struct proxy_conv *c, unsigned i)
{
    unref(c->v[i].s);
    c->v[i] = c->v[--c->n];
}

void conv_free(struct proxy_conv *c)
{
    if (c == NULL) {
        return;
    }
    while (c->n > 0) {
        remove_at(c, 0);
    }
    pthread_mutex_destroy(&c->mu);
    free(c->v);
    free(c);
}

int conv_take(struct proxy_conv *c, const char *id, struct conv_state *out)
{
    time_t now = time(NULL);
    unsigned i;
    int rc = -1;

    pthread_mutex_lock(&c->mu);
    for (i = 0; i < c->n;) {
        if (c->v[i].expires <= now) {
            remove_at(c, i);
            continue;
        }
        if (rc < 0 && strcmp(c->v[i].id, id) == 0 && !c->v[i].s->busy) {
            struct shared *s = c->v[i].s;

            s->busy = true;
            s->refs++;
            out->vault = s->vault;
            out->rd = s->rd;
            out->shared = s;
            rc = 0;
        }
        i++;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* Add an entry id -> s (c->mu held). */
static void add(struct proxy_conv *c, const char *id, struct shared *s)
{
    unsigned i;
    unsigned old = 0;

    for (i = 0; i < c->n; i++) {
        if (strcmp(c->v[i].id, id) == 0) { /* the same conversation id */
            remove_at(c, i);
            break;
        }
    }
    if (c->n == c->max) { /* full: the one that expires first goes */
        for (i = 1; i < c->n; i++) {
            old = c->v[i].expires < c->v[old].expires ? i : old;
        }
        remove_at(c, old);
    }
    i = c->n++;
    memcpy(c->v[i].id, id, strlen(id) + 1);
    c->v[i].expires = time(NULL) + c->ttl;
    c->v[i].s = s;
    s->refs++;
}

void conv_put(struct proxy_conv *c, const char *id, struct conv_state *st)
{
    struct shared *s = st->shared;

    if (strlen(id) >= sizeof(c->v[0].id)) {
        return; /* not kept: conv_drop frees it */
    }
    if (s == NULL) {
        s = calloc(1, sizeof(*s));
        if (s == NULL) {
            return;
        }
        s->vault = st->vault;
        s->rd = st->rd;
        s->refs = 1;
        s->busy = true;
        st->shared = s;
    }
    pthread_mutex_lock(&c->mu);
    add(c, id, s);
    pthread_mutex_unlock(&c->mu);
}

void conv_drop(struct proxy_conv *c, struct conv_state *st)
{
    if (st->shared != NULL) {
        pthread_mutex_lock(&c->mu);
        st->shared->busy = false;
        unref(st->shared);
        pthread_mutex_unlock(&c->mu);
    } else {
        bb_redactor_free(st->rd);
        bb_vault_free(st->vault);
    }
    memset(st, 0, sizeof(*st));
}
