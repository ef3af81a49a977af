/*
 * proxy.h - what the parts of `blackbar proxy` share: its settings
 * (flags or --config), the state of the running server, and the
 * metrics. cmd_proxy.c starts and stops it, proxy_req.c serves one
 * request, proxy_conf.c reads the settings, proxy_metrics.c counts.
 */
#ifndef BB_PROXY_H
#define BB_PROXY_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cli.h"
#include "cli_provider.h"

#define PROXY_MAX_UPSTREAMS 16
#define PROXY_MAX_PASS 32

struct proxy_upstream {
    char prefix[128]; /* "" (the default), or "/anthropic" */
    char url[512];    /* base URL, no trailing slash */
};

struct proxy_conf {
    char host[64];
    unsigned port;
    const char *port_file;
    struct proxy_upstream up[PROXY_MAX_UPSTREAMS];
    size_t nup;
    char pass[PROXY_MAX_PASS][160]; /* "/v1/models" or "GET /v1/models" */
    size_t npass;
    struct cli_rules rules;
    char rule_paths[64][512];       /* --config's packs */
    const char *audit;
    const char *audit_key;
    char audit_buf[512];
    char audit_key_buf[512];
    size_t max_body;      /* bytes; 413 beyond */
    long timeout_s;       /* per request, upstream included */
    unsigned retries;     /* upstream retries before any byte went out */
    unsigned concurrency; /* requests at the upstream at once */
    long queue_timeout_s; /* waiting for a slot; 503 after */
    unsigned max_conns;   /* open client connections */
    long conv_ttl_s;      /* conversations (previous_response_id) */
    unsigned conv_max;
    long drain_s;         /* SIGTERM: in-flight requests may finish */
};

/* Defaults, then --config FILE (JSON) where given, then flags. */
void proxy_conf_defaults(struct proxy_conf *c);
/* 0, or -1 after a message. */
int proxy_conf_file(struct proxy_conf *c, const char *path);
int proxy_conf_upstream(struct proxy_conf *c, const char *arg);
int proxy_conf_listen(struct proxy_conf *c, const char *arg);
int proxy_conf_pass(struct proxy_conf *c, const char *arg);

/* Metrics: counters and latency histograms, thread-safe. */
enum { M_BUCKETS = 16, M_ROUTES = 8, M_CODES = 18 };

struct proxy_metrics {
    pthread_mutex_t mu;
    uint64_t requests[M_ROUTES][M_CODES];
    uint64_t blocks_request, blocks_response;
    uint64_t *redactions; /* per rule of the request ruleset */
    uint64_t *mod_blocks; /* per rule of the moderation ruleset */
    uint64_t up_connect, up_timeout, up_status, up_retries;
    uint64_t lat[M_ROUTES][M_BUCKETS + 1];
    double lat_sum[M_ROUTES];
    uint64_t lat_n[M_ROUTES];
    unsigned in_flight, queued;
};

enum route_kind {
    R_RESPONSES, R_CHAT, R_MESSAGES, R_GEMINI, R_AZURE, R_MODERATIONS,
    R_PASS, R_OTHER
};

struct proxy {
    struct proxy_conf conf;
    const struct bb_ruleset *rs;  /* the request's PII and secrets */
    const struct bb_ruleset *mrs; /* moderation, placeholders kept */
    struct bb_audit *audit;       /* or NULL; under audit_mu */
    pthread_mutex_t audit_mu;
    pthread_mutex_t mu;           /* slots and the state below */
    pthread_cond_t cv;
    unsigned busy;                /* requests at the upstream */
    unsigned active;              /* requests being served */
    bool stopping;
    struct proxy_conv *conv;      /* conversations' vaults */
    struct proxy_metrics m;
};

int metrics_init(struct proxy_metrics *m, size_t nrules, size_t nmod);
void metrics_free(struct proxy_metrics *m);
void metrics_request(struct proxy_metrics *m, enum route_kind r, int code,
                     double seconds);
void metrics_redactions(struct proxy_metrics *m, const uint64_t *counts,
                        size_t n);
void metrics_block(struct proxy_metrics *m, bool request, size_t rule);
void metrics_upstream(struct proxy_metrics *m, int kind);
void metrics_retries(struct proxy_metrics *m, unsigned n);
/* The text exposition format, malloc'd (NUL-terminated) or NULL. */
char *metrics_render(struct proxy *p, size_t *len);
enum { UPERR_CONNECT, UPERR_TIMEOUT, UPERR_STATUS, UPERR_RETRY };

/* Conversations: the vault and numbering shared by the answers of a
 * Responses conversation (previous_response_id, conversation), kept for
 * a TTL, at most max entries. */
struct proxy_conv;
struct bb_redactor;
int conv_new(struct proxy_conv **out, long ttl_s, unsigned max);
void conv_free(struct proxy_conv *c);
/* A request's vault and numbering: its own, or a conversation's. */
struct conv_state {
    struct bb_vault *vault;
    struct bb_redactor *rd;
    struct shared *shared; /* the conversation's, or NULL */
};
/* Use the state stored under id: 0, or -1 when there is none (or it is
 * in use by another request). */
int conv_take(struct proxy_conv *c, const char *id, struct conv_state *out);
/* Store the state under id too (an answer's id, a conversation's). */
void conv_put(struct proxy_conv *c, const char *id, struct conv_state *st);
/* The request is done with it (c may be NULL if it was never shared). */
void conv_drop(struct proxy_conv *c, struct conv_state *st);

/* The libmicrohttpd handlers (proxy_req.c). */
void *proxy_uri(void *cls, const char *uri, struct MHD_Connection *conn);
enum MHD_Result proxy_handle(void *cls, struct MHD_Connection *conn,
                             const char *url, const char *method,
                             const char *version, const char *upload,
                             size_t *upload_size, void **ctx);
void proxy_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                     enum MHD_RequestTerminationCode why);
void proxy_connection(void *cls, struct MHD_Connection *conn,
                      void **socket_ctx, enum MHD_ConnectionNotificationCode
                      what);

#endif
