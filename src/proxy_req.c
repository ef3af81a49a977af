/*
 * proxy_req.c - one request through `blackbar proxy`, on libmicrohttpd
 * (a thread per connection): the route is found from the path, the body
 * collected (up to the limit), scrubbed as JSON with the placeholders in
 * the request's vault, and POSTed to the upstream with the client's
 * headers (credentials too; never logged). The answer is moderated and
 * restored as it comes (cli_answer.c): a stream is pulled from the
 * upstream as the client reads it, so it is passed on event by event and
 * a client that goes away stops the upstream transfer. Whatever blackbar
 * refuses gets the provider's error shape, and a block never gets a
 * status an SDK retries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli_upstream.h"
#include "proxy.h"
#include "proxy_req.h"

static double since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

void *proxy_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct proxy *p = cls;
    struct preq *r = calloc(1, sizeof(*r));

    (void)conn;
    if (r == NULL) {
        return NULL;
    }
    r->p = p;
    r->uri = strdup(uri ? uri : "/");
    snprintf(r->route, sizeof(r->route), "%.*s",
             (int)strcspn(r->uri ? r->uri : "/", "?"), r->uri ? r->uri : "/");
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    snprintf(r->rid, sizeof(r->rid), "bb_%08x%08x", (unsigned)rand(),
             (unsigned)rand());
    pthread_mutex_lock(&p->mu);
    p->active++;
    pthread_mutex_unlock(&p->mu);
    return r;
}

/* Each connection keeps its libcurl handles, and with them its
 * connections to the upstream. */
void proxy_connection(void *cls, struct MHD_Connection *conn,
                      void **socket_ctx,
                      enum MHD_ConnectionNotificationCode what)
{
    struct upstream *u = *socket_ctx;

    (void)cls;
    (void)conn;
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
        u = malloc(sizeof(*u));
        if (u != NULL && up_init(u) < 0) {
            up_free(u);
            free(u);
            u = NULL;
        }
        *socket_ctx = u; /* NULL: its requests get a 500 */
    } else if (u != NULL) {
        up_free(u);
        free(u);
        *socket_ctx = NULL;
    }
}

static struct upstream *conn_upstream(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci != NULL ? ci->socket_context : NULL;
}

/* A body sent: it held the restored values, so it is wiped. */
struct sent {
    char *p;
    size_t n;
};

static void wipe(void *cls)
{
    struct sent *s = cls;

    memset(s->p, 0, s->n);
    free(s->p);
    free(s);
}

/* Answer with a whole body (malloc'd, n bytes; taken). */
static enum MHD_Result send_body(struct preq *r, struct MHD_Connection *conn,
                                 int status, const char *type, char *body,
                                 size_t n, bool retry)
{
    struct sent *s = malloc(sizeof(*s));
    struct MHD_Response *resp = NULL;
    enum MHD_Result rc;

    if (s != NULL && body != NULL) {
        s->p = body;
        s->n = n;
        resp = MHD_create_response_from_buffer_with_free_callback_cls(
            n, body, wipe, s);
    }
    if (resp == NULL) {
        free(body);
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    r->code = status;
    req_headers(r, resp, retry);
    rc = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result req_error(struct preq *r, struct MHD_Connection *conn,
                          int status, const char *fmt, ...)
{
    char msg[512];
    char *body = malloc(1024);
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (body == NULL) {
        return MHD_NO;
    }
    n = prov_error_json(body, 1024, r->prov, status, msg);
    return send_body(r, conn, status, "application/json", body, n,
                     status == 429 || status >= 500);
}

/* The answer's bytes, for the client. */
static int out_write(const void *data, size_t len, void *ud)
{
    struct preq *r = ud;

    if (r->out.n + len > r->out.cap) {
        size_t cap = r->out.cap ? r->out.cap : 4096;
        char *q;

        while (cap < r->out.n + len) {
            cap *= 2;
        }
        q = realloc(r->out.p, cap);
        if (q == NULL) {
            return -1;
        }
        r->out.p = q;
        r->out.cap = cap;
    }
    memcpy(r->out.p + r->out.n, data, len);
    r->out.n += len;
    req_note_response_id(r, data, len);
    return 0;
}

/* Output the client has not taken yet: the upstream waits. */
static bool pending(void *ud)
{
    const struct preq *r = ud;

    return r->out.n > r->out.off;
}

/* A stream, pulled from the upstream as the client reads. */
static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct preq *r = cls;
    size_t k;

    (void)pos;
    while (r->out.off == r->out.n) {
        r->out.off = r->out.n = 0;
        if (r->ended) {
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (req_stream_step(r, out_write) < 0) {
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    k = r->out.n - r->out.off < max ? r->out.n - r->out.off : max;
    memcpy(buf, r->out.p + r->out.off, k);
    r->out.off += k;
    return (ssize_t)k;
}

static bool has_header(const struct curl_slist *l, const char *name)
{
    size_t k = strlen(name);

    for (; l != NULL; l = l->next) {
        if (strncasecmp(l->data, name, k) == 0 && l->data[k] == ':') {
            return true;
        }
    }
    return false;
}

/* The answer of the upstream, from its first bytes on. */
static enum MHD_Result answer(struct preq *r, struct MHD_Connection *conn)
{
    struct upstream *u = r->u;
    struct MHD_Response *resp;
    enum MHD_Result rc;
    char *body;

    if (r->a.started && r->a.sse) {
        r->streaming = true;
        r->theirs = true;
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
                                                 reader, r, NULL);
        if (resp == NULL) {
            return MHD_NO;
        }
        MHD_add_response_header(resp, "Content-Type", "text/event-stream");
        if (!has_header(u->headers, "cache-control")) {
            MHD_add_response_header(resp, "Cache-Control", "no-cache");
        }
        req_headers(r, resp, false);
        r->code = (int)u->status;
        rc = MHD_queue_response(conn, (unsigned)u->status, resp);
        MHD_destroy_response(resp);
        return rc;
    }
    /* a whole answer: to its end, judged, restored */
    while (!u->done) {
        if (up_step(u, 1000) < 0) {
            return req_error(r, conn, 500, "blackbar could not read the "
                             "answer: %s", r->a.err.msg);
        }
    }
    if (u->result != CURLE_OK && !u->blocked) {
        return req_upstream_failed(r, conn);
    }
    if (answer_finish(&r->a) < 0) {
        return req_error(r, conn, 500, "blackbar could not check the "
                         "answer: %s", r->a.err.msg);
    }
    if (r->a.blocked) {
        req_block_response(r);
    }
    body = r->out.p;
    r->out.p = NULL;
    r->theirs = !r->a.blocked; /* its status, its x-should-retry */
    if (u->status == 429 || u->status >= 500) {
        metrics_upstream(&r->p->m, UPERR_STATUS);
    }
    return send_body(r, conn, r->a.blocked ? 400 : (int)u->status,
                     u->type[0] && !r->a.blocked ? u->type
                                                 : "application/json",
                     body ? body : calloc(1, 1), r->out.n, false);
}

/* The body is in: scrub, forward, answer. */
static enum MHD_Result forward(struct preq *r, struct MHD_Connection *conn)
{
    const struct proxy_conf *c = &r->p->conf;
    int rc;

    rc = req_scrub(r, conn);
    if (rc != 0) {
        return rc > 0 ? MHD_YES : MHD_NO;
    }
    rc = req_slot(r);
    if (rc < 0) {
        return req_error(r, conn, 503, "blackbar is %s; try again",
                         r->p->stopping ? "shutting down" : "busy");
    }
    r->u = conn_upstream(conn);
    if (r->u == NULL || req_prepare(r, conn, out_write) < 0) {
        r->u = NULL;
        return req_error(r, conn, 500, "blackbar is out of memory");
    }
    r->u->method = r->method;
    r->u->busy = pending;
    r->u->busy_ud = r;
    if (up_start(r->u, &r->a, r->url, r->h, r->sbody, r->sn, c->retries,
                 c->timeout_s) < 0) {
        return req_error(r, conn, 500, "blackbar could not read the "
                         "answer: %s", r->a.err.msg);
    }
    metrics_retries(&r->p->m, r->u->retried);
    if (!r->a.started) {
        return req_upstream_failed(r, conn);
    }
    return answer(r, conn);
}

enum MHD_Result proxy_handle(void *cls, struct MHD_Connection *conn,
                             const char *url, const char *method,
                             const char *version, const char *upload,
                             size_t *upload_size, void **ctx)
{
    struct preq *r = *ctx;

    (void)cls;
    (void)version;
    if (r == NULL) {
        return MHD_NO; /* out of memory at the start */
    }
    if (!r->seen) {
        r->seen = true;
        return req_begin(r, conn, url, method);
    }
    if (r->done) {
        return MHD_YES;
    }
    if (*upload_size > 0) {
        req_take(r, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    r->done = true;
    if (r->too_big) {
        return req_error(r, conn, 413, "the request body is larger than "
                         "%zu bytes", r->p->conf.max_body);
    }
    return forward(r, conn);
}

void proxy_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                     enum MHD_RequestTerminationCode why)
{
    struct proxy *p = cls;
    struct preq *r = *ctx;

    (void)conn;
    if (r == NULL) {
        return;
    }
    if (r->u != NULL) {
        up_stop(r->u); /* a client gone mid-stream stops the upstream */
    }
    if (why != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        r->code = 499; /* the client went away (or the server stopped) */
    }
    if (!r->internal) {
        metrics_request(&p->m, r->kind, r->code, since(&r->t0));
    }
    req_free(r);
    *ctx = NULL;
    pthread_mutex_lock(&p->mu);
    p->active--;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
