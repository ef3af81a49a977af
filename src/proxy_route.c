/*
 * proxy_route.c - the steps of one proxied exchange (see proxy_req.h):
 * which route and upstream a path is for, the body taken in, scrubbed
 * (a request-side rule whose action is block refuses the request), the
 * upstream request built from the client's headers, blocks audited, and
 * a stream moved on as the client reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cli_upstream.h"
#include "proxy_req.h"

/* The route of a path (after any upstream prefix). */
static enum route_kind route_of(const char *path, const char *method)
{
    size_t n = strlen(path);
    const char *model;

    if (strcmp(method, "POST") != 0) {
        return R_OTHER;
    }
    if (strcmp(path, "/v1/responses") == 0) {
        return R_RESPONSES;
    }
    if (strcmp(path, "/v1/chat/completions") == 0) {
        return R_CHAT;
    }
    if (strcmp(path, "/v1/messages") == 0) {
        return R_MESSAGES;
    }
    if (strcmp(path, "/v1/moderations") == 0) {
        return R_MODERATIONS;
    }
    model = strncmp(path, "/v1beta/models/", 15) == 0   ? path + 15
            : strncmp(path, "/v1/models/", 11) == 0 ? path + 11
                                                    : NULL;
    if (model != NULL && strchr(model, '/') == NULL &&
        (strstr(model, ":generateContent") != NULL ||
         strstr(model, ":streamGenerateContent") != NULL)) {
        return R_GEMINI;
    }
    if (strncmp(path, "/openai/", 8) == 0 &&
        ((n > 17 && strcmp(path + n - 17, "/chat/completions") == 0) ||
         (n > 10 && strcmp(path + n - 10, "/responses") == 0))) {
        return R_AZURE;
    }
    return R_OTHER;
}

static bool passed(const struct proxy_conf *c, const char *method,
                   const char *path)
{
    size_t i;

    for (i = 0; i < c->npass; i++) {
        const char *want = c->pass[i];
        const char *sp = strchr(want, ' ');

        if (sp != NULL) {
            if (strncmp(want, method, (size_t)(sp - want)) != 0 ||
                method[sp - want] != '\0') {
                continue;
            }
            want = sp + 1;
        }
        if (strcmp(want, path) == 0) {
            return true;
        }
    }
    return false;
}

static enum MHD_Result send_text(struct preq *r, struct MHD_Connection *conn,
                                 int status, const char *type, char *text,
                                 size_t n)
{
    struct MHD_Response *resp;
    enum MHD_Result rc;

    if (text == NULL) {
        return MHD_NO;
    }
    resp = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    r->code = status;
    r->done = true;
    rc = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result req_begin(struct preq *r, struct MHD_Connection *conn,
                          const char *url, const char *method)
{
    const struct proxy_conf *c = &r->p->conf;
    const char *path = url;
    const char *rest;
    const char *len;
    size_t i;

    snprintf(r->method, sizeof(r->method), "%s", method);
    r->kind = R_OTHER;
    r->internal = strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0;
    if (strcmp(method, "GET") == 0 && strcmp(url, "/healthz") == 0) {
        return r->p->stopping
                   ? send_text(r, conn, 503, "application/json",
                               strdup("{\"status\":\"stopping\"}\n"), 22)
                   : send_text(r, conn, 200, "application/json",
                               strdup("{\"status\":\"ok\"}\n"), 16);
    }
    if (strcmp(method, "GET") == 0 && strcmp(url, "/metrics") == 0) {
        size_t n = 0;
        char *text = metrics_render(r->p, &n);

        return send_text(r, conn, 200, "text/plain; version=0.0.4", text, n);
    }
    for (i = 0; i < c->nup && r->up == NULL; i++) {
        size_t k = strlen(c->up[i].prefix);

        if (k > 0 && strncmp(url, c->up[i].prefix, k) == 0 &&
            url[k] == '/') {
            r->up = &c->up[i];
            path = url + k;
        }
    }
    for (i = 0; i < c->nup && r->up == NULL; i++) {
        r->up = c->up[i].prefix[0] == '\0' ? &c->up[i] : NULL;
    }
    r->kind = route_of(path, method);
    r->prov = prov_of_path(path);
    if (r->kind == R_OTHER && passed(c, method, path)) {
        r->kind = R_PASS;
    }
    if (r->p->stopping) {
        r->done = true;
        return req_error(r, conn, 503, "blackbar is shutting down");
    }
    if (r->kind == R_OTHER || r->up == NULL) {
        r->done = true;
        return req_error(r, conn, 404, "blackbar does not forward %s %s%s",
                         method, url,
                         r->up ? " (see blackbar proxy --pass)"
                               : ": no upstream for it");
    }
    len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                      MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (len != NULL && strtoull(len, NULL, 10) > c->max_body) {
        r->done = true;
        return req_error(r, conn, 413, "the request body is larger than "
                         "%zu bytes", c->max_body);
    }
    /* the upstream URL: its base, then the path and query as sent */
    i = strlen(r->up->prefix);
    rest = strncmp(r->uri, r->up->prefix, i) == 0 ? r->uri + i : r->uri;
    i = strlen(r->up->url) + strlen(rest) + 1;
    r->url = malloc(i);
    if (r->url == NULL) {
        return MHD_NO;
    }
    snprintf(r->url, i, "%s%s", r->up->url, rest);
    return MHD_YES;
}

void req_take(struct preq *r, const char *data, size_t n)
{
    size_t max = r->p->conf.max_body;

    if (r->too_big || r->n + n > max) {
        r->too_big = true;
        return;
    }
    if (r->n + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 8192;
        char *q;

        while (cap < r->n + n + 1) {
            cap *= 2;
        }
        q = realloc(r->body, cap);
        if (q == NULL) {
            r->too_big = true; /* refused rather than cut */
            return;
        }
        r->body = q;
        r->cap = cap;
    }
    memcpy(r->body + r->n, data, n);
    r->n += n;
    r->body[r->n] = '\0';
}

/* The first request-side block: the request is refused. */
struct scrub_watch {
    bool blocked;
    struct bb_finding f;
};

static int watch_request(const struct bb_finding *f, void *ud)
{
    struct scrub_watch *sw = ud;

    if (f->action == BB_ACTION_BLOCK && !sw->blocked) {
        sw->blocked = true;
        sw->f = *f;
        sw->f.value = NULL;
    }
    return 0;
}

static int sbody_put(const void *data, size_t len, void *ud)
{
    struct preq *r = ud;
    char *q = realloc(r->sbody, r->sn + len + 1);

    if (q == NULL) {
        return -1;
    }
    memcpy(q + r->sn, data, len);
    r->sbody = q;
    r->sn += len;
    q[r->sn] = '\0';
    return 0;
}

/* The conversation this request continues, or a new vault. */
static int state_for(struct preq *r, struct bb_err *err)
{
    if ((r->kind == R_RESPONSES || r->kind == R_AZURE) && r->p->conv &&
        (memmem(r->body, r->n, "\"previous_response_id\"", 22) != NULL ||
         memmem(r->body, r->n, "\"conversation\"", 14) != NULL)) {
        cJSON *o = cJSON_ParseWithLength(r->body, r->n);
        const cJSON *prev =
            cJSON_GetObjectItemCaseSensitive(o, "previous_response_id");
        const cJSON *conv = cJSON_GetObjectItemCaseSensitive(o,
                                                             "conversation");

        conv = cJSON_IsObject(conv)
                   ? cJSON_GetObjectItemCaseSensitive(conv, "id")
                   : conv;
        if (cJSON_IsString(conv)) {
            snprintf(r->conv_id, sizeof(r->conv_id), "%s",
                     conv->valuestring);
        }
        if (cJSON_IsString(prev)) {
            conv_take(r->p->conv, prev->valuestring, &r->cs);
        } else if (r->conv_id[0] != '\0') {
            conv_take(r->p->conv, r->conv_id, &r->cs);
        }
        cJSON_Delete(o);
    }
    if (r->cs.vault != NULL) {
        return 0;
    }
    if (bb_vault_new(&r->cs.vault, err) < 0 ||
        bb_redactor_new(&r->cs.rd, r->p->rs, err) < 0) {
        return -1;
    }
    bb_redactor_on_placeholder(r->cs.rd, answer_vault_add, r->cs.vault);
    return 0;
}

static void audit_request_block(struct preq *r, const struct scrub_watch *sw)
{
    if (r->p->audit == NULL) {
        return;
    }
    pthread_mutex_lock(&r->p->audit_mu);
    cli_audit_request_block(r->p->audit, "proxy", r->p->rs, &sw->f, r->rid,
                            r->route);
    pthread_mutex_unlock(&r->p->audit_mu);
}

static void audit_counts(struct preq *r, const uint64_t *counts)
{
    if (r->p->audit == NULL) {
        return;
    }
    pthread_mutex_lock(&r->p->audit_mu);
    cli_audit_counts(r->p->audit, "proxy", r->p->rs, counts, "proxy");
    pthread_mutex_unlock(&r->p->audit_mu);
}

int req_scrub(struct preq *r, struct MHD_Connection *conn)
{
    const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                   "Content-Type");
    struct bb_json_scrubber *j = NULL;
    struct scrub_watch sw = { false, { 0, 0, 0, 0, NULL } };
    struct bb_err err;
    int rc;

    if (r->kind == R_PASS && r->n == 0) {
        if (state_for(r, &err) < 0) {
            req_error(r, conn, 500, "blackbar is out of memory");
            return 1;
        }
        return 0;
    }
    if (type == NULL || strncasecmp(type, "application/json", 16) != 0 ||
        (type[16] != '\0' && type[16] != ';' && type[16] != ' ')) {
        req_error(r, conn, 415, "blackbar forwards JSON bodies only "
                  "(Content-Type: application/json)");
        return 1;
    }
    snprintf(r->type, sizeof(r->type), "%s", type);
    rc = state_for(r, &err);
    rc = rc == 0 ? bb_json_scrubber_new(&j, r->p->rs, r->cs.rd, false,
                                        sbody_put, r, &err)
                 : rc;
    if (rc == 0) {
        bb_json_scrubber_on_finding(j, watch_request, &sw);
        rc = bb_json_scrubber_feed(j, r->body ? r->body : "", r->n, &err);
    }
    rc = rc == 0 ? bb_json_scrubber_finish(j, &err) : rc;
    if (rc == 0) {
        metrics_redactions(&r->p->m, bb_json_scrubber_counts(j),
                           bb_ruleset_count(r->p->rs));
        audit_counts(r, bb_json_scrubber_counts(j));
    }
    bb_json_scrubber_free(j);
    if (r->body != NULL) {
        memset(r->body, 0, r->n);
    }
    if (rc == BB_EINPUT) {
        req_error(r, conn, 400, "the request body is not valid JSON: %s",
                  err.msg);
        return 1;
    }
    if (rc < 0) {
        req_error(r, conn, 500, "blackbar could not scrub the request "
                  "(nothing was sent): %s", err.msg);
        return 1;
    }
    if (sw.blocked) {
        struct bb_rule_info ri;
        char msg[200];

        bb_ruleset_rule(&ri, r->p->rs, sw.f.rule, NULL);
        metrics_block(&r->p->m, true, sw.f.rule);
        audit_request_block(r, &sw);
        prov_block_message(msg, sizeof(msg), "request", "rule", ri.id);
        req_error(r, conn, 400, "%s", msg);
        return 1;
    }
    return 0;
}
