/*
 * cli_upstream.h - one exchange with a model API over libcurl, for
 * `send` and `proxy`: the request POSTed, the answer handed to a struct
 * answer (moderation and restore) as it arrives, driven step by step so
 * the caller decides when to wait (the proxy pulls a stream as its
 * client reads). Connection errors, 429 and 5xx are retried with
 * exponential backoff and jitter while no byte of the answer has been
 * passed on. The handles are kept between exchanges, and with them the
 * connections to the API.
 */
#ifndef BB_CLI_UPSTREAM_H
#define BB_CLI_UPSTREAM_H

#include <stdbool.h>

#include <curl/curl.h>

#include "cli_answer.h"

struct upstream {
    CURLM *m;
    CURL *e;
    const char *method;          /* NULL: POST */
    /* A stream waits (the transfer paused) while this says the client
     * has not taken what was written yet; NULL: never. */
    bool (*busy)(void *ud);
    void *busy_ud;
    bool paused;
    /* per exchange */
    struct answer *a;
    struct curl_slist *headers;  /* the answer's, to pass on */
    long status;
    char type[128];              /* content type */
    char request_id[128];        /* x-request-id or request-id */
    bool running, done, hold, blocked, failed;
    CURLcode result;
    unsigned tries;
    unsigned retried;            /* retries of the last exchange */
};

int up_init(struct upstream *u);
void up_free(struct upstream *u);

/* POST body to url with headers h (kept by the caller until the end),
 * retrying up to retries times, until the answer's first bytes were
 * handed to a (or the exchange ended). timeout_s bounds each attempt.
 * 0 on the way (or ended: u->done), -1 on an error of a (a->err). */
int up_start(struct upstream *u, struct answer *a, const char *url,
             const struct curl_slist *h, const char *body, size_t n,
             unsigned retries, long timeout_s);
/* Move the exchange on, waiting at most wait_ms for data: 0 running, 1
 * ended (u->done; u->result says how), -1 on an error of the answer. */
int up_step(struct upstream *u, int wait_ms);
/* Stop the exchange (ended or not). */
void up_stop(struct upstream *u);

/* Sleep for a backoff step: base * 2^step ms plus up to half of it. */
void up_backoff(unsigned step, unsigned base_ms);

#endif
