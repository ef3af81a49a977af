/*
 * proxy_conv.c - conversations of the Responses API: a request that
 * names previous_response_id continues the vault and placeholder
 * numbering of the answer it names, so the model's references to earlier
 * placeholders are restored and the same value keeps its placeholder.
 * Kept in memory only, each for a TTL, at most max (the oldest go
 * first). A state is taken out while a request uses it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy.h"

struct entry {
    char id[128];
    time_t expires;
    struct conv_state s;
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

void conv_drop(struct conv_state *s)
{
    bb_redactor_free(s->rd);
    bb_vault_free(s->vault);
    s->rd = NULL;
    s->vault = NULL;
}

static void remove_at(struct proxy_conv *c, unsigned i)
{
    c->v[i] = c->v[--c->n];
}

void conv_free(struct proxy_conv *c)
{
    unsigned i;

    if (c == NULL) {
        return;
    }
    for (i = 0; i < c->n; i++) {
        conv_drop(&c->v[i].s);
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
            conv_drop(&c->v[i].s);
            remove_at(c, i);
        } else if (rc < 0 && strcmp(c->v[i].id, id) == 0) {
            *out = c->v[i].s;
            remove_at(c, i);
            rc = 0;
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

void conv_put(struct proxy_conv *c, const char *id, struct conv_state *s)
{
    unsigned i;
    unsigned old = 0;

    if (strlen(id) >= sizeof(c->v[0].id)) {
        return; /* dropped by the caller */
    }
    pthread_mutex_lock(&c->mu);
    if (c->n == c->max) { /* full: the one that expires first goes */
        for (i = 1; i < c->n; i++) {
            old = c->v[i].expires < c->v[old].expires ? i : old;
        }
        conv_drop(&c->v[old].s);
        remove_at(c, old);
    }
    i = c->n++;
    memcpy(c->v[i].id, id, strlen(id) + 1);
    c->v[i].expires = time(NULL) + c->ttl;
    c->v[i].s = *s;
    s->vault = NULL;
    s->rd = NULL;
    pthread_mutex_unlock(&c->mu);
}
