/*
 * proxy_metrics.c - what `blackbar proxy` counts, for Prometheus'
 * /metrics (text exposition format 0.0.4): requests by route and status,
 * blocks and redactions by rule and category, upstream errors and
 * retries, request latency histograms, requests in flight and queued.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static const double bounds[M_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25,   0.5,   1,      2.5,   5,    10,    30,    60,
};
static const int codes[M_CODES] = {
    200, 400, 401, 403, 404, 408, 409, 413, 415, 422, 429, 431, 499,
    500, 502, 503, 504, 529,
};
static const char *const routes[M_ROUTES] = {
    "responses", "chat", "messages", "gemini", "azure", "moderations",
    "pass", "other",
};

int metrics_init(struct proxy_metrics *m, size_t nrules, size_t nmod)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->mu, NULL);
    m->redactions = calloc(nrules + 1, sizeof(*m->redactions));
    m->mod_blocks = calloc(nmod + 1, sizeof(*m->mod_blocks));
    return m->redactions && m->mod_blocks ? 0 : -1;
}

void metrics_free(struct proxy_metrics *m)
{
    free(m->redactions);
    free(m->mod_blocks);
    pthread_mutex_destroy(&m->mu);
}

/* The code's slot; other codes count with the nearest class. */
static int code_slot(int code)
{
    int i;

    for (i = 0; i < M_CODES; i++) {
        if (codes[i] == code) {
            return i;
        }
    }
    return code < 400 ? 0 : code < 500 ? 1 : 13; /* 200, 400, 500 */
}

void metrics_request(struct proxy_metrics *m, enum route_kind r, int code,
                     double seconds)
{
    int b;

    for (b = 0; b < M_BUCKETS && seconds > bounds[b]; b++) {
    }
    pthread_mutex_lock(&m->mu);
    m->requests[r][code_slot(code)]++;
    if (code != 0) {
        m->lat[r][b]++;
        m->lat_sum[r] += seconds;
        m->lat_n[r]++;
    }
    pthread_mutex_unlock(&m->mu);
}

void metrics_redactions(struct proxy_metrics *m, const uint64_t *counts,
                        size_t n)
{
    size_t i;

    pthread_mutex_lock(&m->mu);
    for (i = 0; i < n; i++) {
        m->redactions[i] += counts[i];
    }
    pthread_mutex_unlock(&m->mu);
}

void metrics_block(struct proxy_metrics *m, bool request, size_t rule)
{
    pthread_mutex_lock(&m->mu);
    if (request) {
        m->blocks_request++;
        (void)rule;
    } else if (rule == (size_t)-1) {
        m->blocks_response++;
    } else {
        m->mod_blocks[rule]++;
        m->blocks_response++;
    }
    pthread_mutex_unlock(&m->mu);
}

void metrics_upstream(struct proxy_metrics *m, int kind)
{
    pthread_mutex_lock(&m->mu);
    *(kind == UPERR_CONNECT   ? &m->up_connect
      : kind == UPERR_TIMEOUT ? &m->up_timeout
      : kind == UPERR_STATUS  ? &m->up_status
                              : &m->up_retries) += 1;
    pthread_mutex_unlock(&m->mu);
}

void metrics_retries(struct proxy_metrics *m, unsigned n)
{
    pthread_mutex_lock(&m->mu);
    m->up_retries += n;
    pthread_mutex_unlock(&m->mu);
}

struct text {
    char *p;
    size_t n, cap;
    bool bad;
};

static void put(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    char *q;
    int k;

    for (;;) {
        va_start(ap, fmt);
        k = t->bad ? 0 : vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if (t->bad || k < 0) {
            t->bad = true;
            return;
        }
        if ((size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = t->cap * 2 + (size_t)k + 1;
        q = realloc(t->p, t->cap);
        if (q == NULL) {
            t->bad = true;
            return;
        }
        t->p = q;
    }
}

static void histograms(struct text *t, const struct proxy_metrics *m)
{
    int r;
    int b;

    put(t, "# HELP blackbar_proxy_request_duration_seconds Time from the "
           "request's first byte to its answer's end.\n"
           "# TYPE blackbar_proxy_request_duration_seconds histogram\n");
    for (r = 0; r < M_ROUTES; r++) {
        uint64_t acc = 0;

        if (m->lat_n[r] == 0) {
            continue;
        }
        for (b = 0; b < M_BUCKETS; b++) {
            acc += m->lat[r][b];
            put(t, "blackbar_proxy_request_duration_seconds_bucket{route="
                   "\"%s\",le=\"%g\"} %llu\n", routes[r], bounds[b],
                (unsigned long long)acc);
        }
        put(t, "blackbar_proxy_request_duration_seconds_bucket{route=\"%s\""
               ",le=\"+Inf\"} %llu\n"
               "blackbar_proxy_request_duration_seconds_sum{route=\"%s\"} "
               "%.6f\n"
               "blackbar_proxy_request_duration_seconds_count{route=\"%s\"} "
               "%llu\n", routes[r], (unsigned long long)m->lat_n[r],
            routes[r], m->lat_sum[r], routes[r],
            (unsigned long long)m->lat_n[r]);
    }
}

static void rules(struct text *t, const struct bb_ruleset *rs,
                  const uint64_t *v, const char *name)
{
    struct bb_rule_info ri;
    size_t i;

    for (i = 0; i < bb_ruleset_count(rs); i++) {
        if (v[i] == 0 || bb_ruleset_rule(&ri, rs, i, NULL) < 0) {
            continue;
        }
        if (ri.category != NULL) {
            put(t, "%s{rule=\"%s\",category=\"%s\"} %llu\n", name, ri.id,
                ri.category, (unsigned long long)v[i]);
        } else {
            put(t, "%s{rule=\"%s\",type=\"%s\"} %llu\n", name, ri.id,
                ri.type, (unsigned long long)v[i]);
        }
    }
}

char *metrics_render(struct proxy *p, size_t *len)
{
    struct proxy_metrics *m = &p->m;
    struct text t = { malloc(8192), 0, 8192, false };
    int r;
    int c;

    if (t.p == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&m->mu);
    put(&t, "# HELP blackbar_proxy_requests_total Requests answered, by "
            "route and status.\n"
            "# TYPE blackbar_proxy_requests_total counter\n");
    for (r = 0; r < M_ROUTES; r++) {
        for (c = 0; c < M_CODES; c++) {
            if (m->requests[r][c] > 0) {
                put(&t, "blackbar_proxy_requests_total{route=\"%s\","
                        "code=\"%d\"} %llu\n", routes[r], codes[c],
                    (unsigned long long)m->requests[r][c]);
            }
        }
    }
    put(&t, "# HELP blackbar_proxy_blocks_total Requests and answers "
            "refused.\n# TYPE blackbar_proxy_blocks_total counter\n"
            "blackbar_proxy_blocks_total{direction=\"request\"} %llu\n"
            "blackbar_proxy_blocks_total{direction=\"response\"} %llu\n",
        (unsigned long long)m->blocks_request,
        (unsigned long long)m->blocks_response);
    put(&t, "# HELP blackbar_proxy_redactions_total Values replaced in "
            "requests, by rule.\n"
            "# TYPE blackbar_proxy_redactions_total counter\n");
    rules(&t, p->rs, m->redactions, "blackbar_proxy_redactions_total");
    put(&t, "# HELP blackbar_proxy_moderation_blocks_total Moderation "
            "rules that matched in blocked answers.\n"
            "# TYPE blackbar_proxy_moderation_blocks_total counter\n");
    rules(&t, p->mrs, m->mod_blocks,
          "blackbar_proxy_moderation_blocks_total");
    put(&t, "# HELP blackbar_proxy_upstream_errors_total Upstream "
            "failures, by kind.\n"
            "# TYPE blackbar_proxy_upstream_errors_total counter\n"
            "blackbar_proxy_upstream_errors_total{kind=\"connect\"} %llu\n"
            "blackbar_proxy_upstream_errors_total{kind=\"timeout\"} %llu\n"
            "blackbar_proxy_upstream_errors_total{kind=\"status\"} %llu\n"
            "# HELP blackbar_proxy_upstream_retries_total Upstream "
            "attempts retried.\n"
            "# TYPE blackbar_proxy_upstream_retries_total counter\n"
            "blackbar_proxy_upstream_retries_total %llu\n"
            "# HELP blackbar_proxy_in_flight Requests at the upstream.\n"
            "# TYPE blackbar_proxy_in_flight gauge\n"
            "blackbar_proxy_in_flight %u\n"
            "# HELP blackbar_proxy_queued Requests waiting for a slot.\n"
            "# TYPE blackbar_proxy_queued gauge\n"
            "blackbar_proxy_queued %u\n",
        (unsigned long long)m->up_connect,
        (unsigned long long)m->up_timeout,
        (unsigned long long)m->up_status,
        (unsigned long long)m->up_retries, m->in_flight, m->queued);
    histograms(&t, m);
    pthread_mutex_unlock(&m->mu);
    if (t.bad) {
        free(t.p);
        return NULL;
    }
    *len = t.n;
    return t.p;
}
