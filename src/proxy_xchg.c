/*
 * proxy_xchg.c - the upstream side of one proxied request (see
 * proxy_req.h): a slot under the concurrency limit, the request to the
 * upstream with the client's headers, the answer's headers passed back,
 * a stream moved on as the client reads it, a blocked answer audited,
 * and the conversation kept for the next request that continues it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli_upstream.h"
#include "proxy_req.h"

int req_slot(struct preq *r)
{
    struct proxy *p = r->p;
    struct timespec until;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += p->conf.queue_timeout_s;
    pthread_mutex_lock(&p->mu);
    p->m.queued++;
    while (p->busy >= p->conf.concurrency && !p->stopping && rc == 0) {
        rc = pthread_cond_timedwait(&p->cv, &p->mu, &until);
    }
    p->m.queued--;
    if (p->busy < p->conf.concurrency && !p->stopping) {
        p->busy++;
        p->m.in_flight = p->busy;
        r->slot = true;
    }
    pthread_mutex_unlock(&p->mu);
    return r->slot ? 0 : -1;
}

static void slot_free(struct preq *r)
{
    struct proxy *p = r->p;

    if (!r->slot) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->busy--;
    p->m.in_flight = p->busy;
    r->slot = false;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Client headers that are not passed on: hop-by-hop ones, those libcurl
 * sets (length, encoding: it decodes the answer), and the host. */
static bool dropped(const char *name)
{
    static const char *const names[] = {
        "host", "content-length", "content-type", "connection",
        "keep-alive", "transfer-encoding", "accept-encoding", "expect",
        "te", "trailer", "upgrade", "proxy-authorization",
        "proxy-connection",
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (strcasecmp(name, names[i]) == 0) {
            return true;
        }
    }
    return false;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    struct preq *r = cls;
    struct curl_slist *l;
    size_t n;
    char *line;

    (void)kind;
    if (key == NULL || dropped(key)) {
        return MHD_YES;
    }
    n = strlen(key) + strlen(value ? value : "") + 3;
    line = malloc(n);
    if (line == NULL) {
        return MHD_NO;
    }
    snprintf(line, n, "%s: %s", key, value ? value : "");
    l = curl_slist_append(r->h, line);
    memset(line, 0, n); /* it may hold a credential */
    free(line);
    if (l == NULL) {
        return MHD_NO;
    }
    r->h = l;
    return MHD_YES;
}

int req_prepare(struct preq *r, struct MHD_Connection *conn,
                bb_write_fn out)
{
    struct bb_err err;

    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, r);
    r->h = curl_slist_append(r->h, r->type[0] ? "Content-Type: "
                                                "application/json"
                                              : "Content-Type:");
    r->h = r->h ? curl_slist_append(r->h, "Expect:") : NULL;
    if (r->h == NULL) {
        return -1;
    }
    if (bb_moderator_new(&r->w.m, r->p->mrs, &err) < 0) {
        cli_error("proxy", "%s", err.msg);
        return -1;
    }
    r->w.rs = r->p->mrs;
    r->w.source = "proxy";
    r->a.vault = r->cs.vault;
    r->a.mrs = r->p->mrs;
    r->a.w = &r->w;
    r->a.provider = r->prov;
    r->a.write = out;
    r->a.wud = r;
    r->a.max = ANSWER_MAX;
    return 0;
}

void req_headers(struct preq *r, struct MHD_Response *resp, bool retry)
{
    const struct curl_slist *l;
    bool id = false;

    for (l = r->u && r->a.started ? r->u->headers : NULL; l; l = l->next) {
        const char *colon = strchr(l->data, ':');
        char name[128];

        if (colon == NULL || (size_t)(colon - l->data) >= sizeof(name)) {
            continue;
        }
        snprintf(name, sizeof(name), "%.*s", (int)(colon - l->data),
                 l->data);
        if (strcasecmp(name, "x-should-retry") == 0 && !r->theirs) {
            continue;
        }
        id = id || strcasecmp(name, "x-request-id") == 0 ||
             strcasecmp(name, "request-id") == 0;
        colon++;
        while (*colon == ' ') {
            colon++;
        }
        MHD_add_response_header(resp, name, colon);
    }
    if (!id) {
        MHD_add_response_header(resp, "x-request-id", r->rid);
        MHD_add_response_header(resp, "request-id", r->rid);
    }
    if (!r->theirs && (r->code >= 400 || retry)) {
        MHD_add_response_header(resp, "x-should-retry",
                                retry ? "true" : "false");
    }
    if (r->p->stopping) {
        MHD_add_response_header(resp, "Connection", "close");
    }
}

enum MHD_Result req_upstream_failed(struct preq *r,
                                    struct MHD_Connection *conn)
{
    CURLcode cc = r->u->result;

    if (cc == CURLE_OPERATION_TIMEDOUT) {
        metrics_upstream(&r->p->m, UPERR_TIMEOUT);
        return req_error(r, conn, 504, "the upstream did not answer in "
                         "%ld s", r->p->conf.timeout_s);
    }
    metrics_upstream(&r->p->m, UPERR_CONNECT);
    cli_error("proxy", "%s: %s (after %u retries)", r->up->url,
              curl_easy_strerror(cc), r->u->retried);
    return req_error(r, conn, 502, "the upstream could not be reached: %s",
                     curl_easy_strerror(cc));
}

void req_block_response(struct preq *r)
{
    size_t i;

    if (r->judged) {
        return;
    }
    r->judged = true;
    for (i = 0; i < r->w.nhits; i++) {
        metrics_block(&r->p->m, false, r->w.hits[i].rule);
    }
    if (r->w.nhits == 0) {
        metrics_block(&r->p->m, false, (size_t)-1);
    }
    if (r->p->audit != NULL) {
        r->w.request_id = r->u && r->u->request_id[0] ? r->u->request_id
                                                       : r->rid;
        pthread_mutex_lock(&r->p->audit_mu);
        mod_audit_hits(r->p->audit, &r->w, BB_ACTION_BLOCK, r->a.category,
                       NULL, 0);
        pthread_mutex_unlock(&r->p->audit_mu);
    }
}

/* The id of a Responses answer ("id":"resp_...", its first): the next
 * request of the conversation names it. */
void req_note_response_id(struct preq *r, const void *data, size_t len)
{
    const char *p;
    size_t k;

    if (r->resp_id[0] != '\0' ||
        (r->kind != R_RESPONSES && r->kind != R_AZURE) ||
        (p = memmem(data, len, "\"id\":\"resp_", 11)) == NULL) {
        return;
    }
    p += 6;
    for (k = 0; p + k < (const char *)data + len && p[k] != '"' &&
                k + 1 < sizeof(r->resp_id);
         k++) {
        r->resp_id[k] = p[k];
    }
    r->resp_id[p + k < (const char *)data + len && p[k] == '"' ? k : 0] =
        '\0';
}

static void event(struct preq *r, bb_write_fn out, int status,
                  const char *fmt, const char *what)
{
    char msg[300];
    char ev[768];
    size_t n;

    snprintf(msg, sizeof(msg), fmt, what);
    n = prov_error_event(ev, sizeof(ev), r->prov, status, msg);
    out(ev, n, r);
}

int req_stream_step(struct preq *r, bb_write_fn out)
{
    struct upstream *u = r->u;
    int rc = u->done ? 1 : up_step(u, 1000);

    if (rc == 0) {
        return 0;
    }
    r->ended = true;
    if (rc < 0) {
        /* fail closed: nothing more of this answer goes out */
        cli_error("proxy", "%s: %s (stream cut)", r->route,
                  r->a.err.msg);
        event(r, out, 500, "blackbar could not check the answer: %s",
              r->a.err.msg);
        slot_free(r);
        return 0;
    }
    if (answer_finish(&r->a) < 0) {
        cli_error("proxy", "%s: %s (stream cut)", r->route,
                  r->a.err.msg);
        event(r, out, 500, "blackbar could not check the answer: %s",
              r->a.err.msg);
    } else if (r->a.blocked) {
        req_block_response(r);
    } else if (u->result != CURLE_OK) {
        metrics_upstream(&r->p->m, u->result == CURLE_OPERATION_TIMEDOUT
                                       ? UPERR_TIMEOUT
                                       : UPERR_CONNECT);
        event(r, out, u->result == CURLE_OPERATION_TIMEDOUT ? 504 : 502,
              "the upstream stream failed: %s",
              curl_easy_strerror(u->result));
    }
    slot_free(r);
    return 0;
}

void req_free(struct preq *r)
{
    struct curl_slist *l;

    slot_free(r);
    answer_reset(&r->a);
    bb_moderator_free(r->w.m);
    if (r->p->conv != NULL && r->cs.vault != NULL) {
        if (r->resp_id[0] != '\0') {
            conv_put(r->p->conv, r->resp_id, &r->cs);
        }
        if (r->conv_id[0] != '\0') {
            conv_put(r->p->conv, r->conv_id, &r->cs);
        }
    }
    conv_drop(r->p->conv, &r->cs);
    for (l = r->h; l != NULL; l = l->next) {
        memset(l->data, 0, strlen(l->data)); /* credentials */
    }
    curl_slist_free_all(r->h);
    if (r->out.p != NULL) {
        memset(r->out.p, 0, r->out.cap);
    }
    if (r->sbody != NULL) {
        memset(r->sbody, 0, r->sn);
    }
    if (r->body != NULL) {
        memset(r->body, 0, r->n);
    }
    free(r->sbody);
    free(r->body);
    free(r->out.p);
    free(r->url);
    free(r->uri);
    free(r);
}
