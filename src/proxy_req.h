/*
 * proxy_req.h - one request through the proxy: its state, shared by the
 * server side (proxy_req.c) and the steps of the exchange
 * (proxy_route.c: route, body, scrub, upstream request, blocks).
 */
#ifndef BB_PROXY_REQ_H
#define BB_PROXY_REQ_H

#include "cli_answer.h"
#include "proxy.h"

struct upstream;

struct preq {
    struct proxy *p;
    char *uri;                      /* as the client sent it, query too */
    char route[256];                /* its path (a query may hold a key) */
    struct timespec t0;
    char rid[40];                   /* our id, for errors of our own */
    bool seen, done, too_big, internal, streaming, ended, slot, judged;
    bool theirs;                    /* the answer is the upstream's */
    enum route_kind kind;
    enum provider prov;
    const struct proxy_upstream *up;
    char *url;                      /* upstream URL */
    char method[16];
    char type[128];                 /* the client's content type */
    char *body;                     /* as received */
    size_t n, cap;
    char *sbody;                    /* scrubbed */
    size_t sn;
    struct curl_slist *h;           /* headers to the upstream */
    struct conv_state cs;           /* vault and numbering */
    char conv_id[128];              /* the conversation's id, if named */
    char resp_id[128];              /* this answer's id (Responses) */
    struct upstream *u;             /* the connection's */
    struct watch w;
    struct answer a;
    struct {
        char *p;
        size_t n, off, cap;
    } out;                          /* for the client */
    int code;                       /* status sent */
};

enum MHD_Result req_begin(struct preq *r, struct MHD_Connection *conn,
                          const char *url, const char *method);
void req_take(struct preq *r, const char *data, size_t n);
/* 0 scrubbed; 1 answered (refused, blocked: a response is queued); -1
 * failed. */
int req_scrub(struct preq *r, struct MHD_Connection *conn);
/* Wait for a slot at the upstream: 0, or -1 (busy, shutting down). */
int req_slot(struct preq *r);
/* The upstream URL, headers and answer settings. */
int req_prepare(struct preq *r, struct MHD_Connection *conn,
                bb_write_fn out);
void req_headers(struct preq *r, struct MHD_Response *resp, bool retry);
enum MHD_Result req_error(struct preq *r, struct MHD_Connection *conn,
                          int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
enum MHD_Result req_upstream_failed(struct preq *r,
                                    struct MHD_Connection *conn);
/* A blocked answer: audited and counted. */
void req_block_response(struct preq *r);
void req_note_response_id(struct preq *r, const void *data, size_t len);
/* Move a stream on: 0, or -1 when the client must be cut off. */
int req_stream_step(struct preq *r, bb_write_fn out);
void req_free(struct preq *r);

#endif
