/*
 * cli_upstream.c - one exchange with a model API on a libcurl multi
 * handle (see cli_upstream.h). The header callback keeps the status, the
 * content type, the request id and the headers to pass on; a 429 or 5xx
 * that will be retried is dropped there, before any byte of it reaches
 * the answer.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli_upstream.h"

int up_init(struct upstream *u)
{
    memset(u, 0, sizeof(*u));
    u->m = curl_multi_init();
    u->e = curl_easy_init();
    return u->m != NULL && u->e != NULL ? 0 : -1;
}

void up_free(struct upstream *u)
{
    up_stop(u);
    if (u->e != NULL) {
        curl_easy_cleanup(u->e);
    }
    if (u->m != NULL) {
        curl_multi_cleanup(u->m);
    }
    u->e = NULL;
    u->m = NULL;
}

void up_backoff(unsigned step, unsigned base_ms)
{
    unsigned ms = base_ms << (step < 8 ? step : 8);
    struct timespec ts;

    ms += (unsigned)rand() % (ms / 2 + 1);
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* Hop-by-hop and framing headers are never passed on: libcurl decoded
 * the body, and the server frames its own. */
static bool own_header(const char *h, size_t n)
{
    static const char *const names[] = {
        "connection:", "keep-alive:", "transfer-encoding:",
        "content-length:", "content-encoding:", "content-type:", "date:",
        "server:", "proxy-", "upgrade:", "trailer:", "te:",
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
        size_t k = strlen(names[i]);

        if (n >= k && strncasecmp(h, names[i], k) == 0) {
            return true;
        }
    }
    return false;
}

static void keep_value(char *out, size_t size, const char *h, size_t k,
                       size_t n)
{
    size_t e;

    while (k < n && h[k] == ' ') {
        k++;
    }
    for (e = k; e < n && h[e] != '\r' && h[e] != '\n'; e++) {
    }
    if (e - k < size) {
        memcpy(out, h + k, e - k);
        out[e - k] = '\0';
    }
}

static size_t on_header(char *h, size_t size, size_t nmemb, void *ud)
{
    struct upstream *u = ud;
    size_t n = size * nmemb;

    if (n >= 5 && strncmp(h, "HTTP/", 5) == 0) {
        /* a new status line (after a 100 Continue too): start over */
        curl_slist_free_all(u->headers);
        u->headers = NULL;
        u->request_id[0] = '\0';
        return n;
    }
    if (n <= 2) { /* the end of the headers */
        curl_easy_getinfo(u->e, CURLINFO_RESPONSE_CODE, &u->status);
        u->hold = u->tries > 0 && (u->status == 429 || u->status >= 500);
        return n;
    }
    if (n > 13 && strncasecmp(h, "x-request-id:", 13) == 0) {
        keep_value(u->request_id, sizeof(u->request_id), h, 13, n);
    } else if (n > 11 && strncasecmp(h, "request-id:", 11) == 0 &&
               u->request_id[0] == '\0') {
        keep_value(u->request_id, sizeof(u->request_id), h, 11, n);
    } else if (n > 13 && strncasecmp(h, "content-type:", 13) == 0) {
        keep_value(u->type, sizeof(u->type), h, 13, n);
    }
    if (!own_header(h, n) && memchr(h, ':', n) != NULL) {
        char line[1024];
        struct curl_slist *l;

        keep_value(line, sizeof(line), h, 0, n);
        l = curl_slist_append(u->headers, line);
        u->headers = l ? l : u->headers;
    }
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct upstream *u = ud;
    size_t n = size * nmemb;
    int rc;

    if (u->hold) {
        return 0; /* a 429 or 5xx to retry: never passed on */
    }
    if (u->a->sse && u->busy != NULL && u->busy(u->busy_ud)) {
        u->paused = true; /* given again when resumed */
        return CURL_WRITEFUNC_PAUSE;
    }
    if (!u->a->started &&
        answer_start(u->a, u->status, u->type[0] ? u->type : NULL) < 0) {
        u->failed = true;
        return 0;
    }
    rc = answer_feed(u->a, data, n);
    if (rc == 1) {
        u->blocked = true;
        return 0; /* the transfer ends here */
    }
    if (rc < 0) {
        u->failed = true;
        return 0;
    }
    return n;
}

void up_stop(struct upstream *u)
{
    if (u->running) {
        curl_multi_remove_handle(u->m, u->e);
        u->running = false;
    }
    curl_slist_free_all(u->headers);
    u->headers = NULL;
}

int up_step(struct upstream *u, int wait_ms)
{
    struct CURLMsg *msg;
    int still = 0;
    int left;

    if (u->done) {
        return 1;
    }
    if (u->paused && !u->busy(u->busy_ud)) {
        u->paused = false;
        curl_easy_pause(u->e, CURLPAUSE_CONT);
    }
    if (curl_multi_perform(u->m, &still) != CURLM_OK) {
        u->result = CURLE_OUT_OF_MEMORY;
        u->done = true;
    }
    while ((msg = curl_multi_info_read(u->m, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE) {
            u->result = msg->data.result;
            u->done = true;
        }
    }
    if (u->failed) {
        return -1;
    }
    if (u->done && !u->a->started && !u->hold && u->status > 0 &&
        answer_start(u->a, u->status, u->type[0] ? u->type : NULL) < 0) {
        u->failed = true;
        return -1;
    }
    if (!u->done && !u->paused && wait_ms > 0) {
        curl_multi_poll(u->m, NULL, 0, wait_ms, NULL);
    }
    return u->done ? 1 : 0;
}

static void attempt(struct upstream *u)
{
    answer_reset(u->a);
    curl_slist_free_all(u->headers);
    u->headers = NULL;
    u->status = 0;
    u->type[0] = '\0';
    u->request_id[0] = '\0';
    u->done = u->hold = u->blocked = u->failed = u->paused = false;
    u->result = CURLE_OK;
    curl_multi_add_handle(u->m, u->e);
    u->running = true;
}

int up_start(struct upstream *u, struct answer *a, const char *url,
             const struct curl_slist *h, const char *body, size_t n,
             unsigned retries, long timeout_s)
{
    CURL *e = u->e;
    unsigned step = 0;

    u->a = a;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
    if (u->method != NULL && strcmp(u->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
        if (u->method != NULL && strcmp(u->method, "POST") != 0) {
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, u->method);
        }
    }
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, u);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, u);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    for (;;) {
        bool again;

        u->tries = retries - step;
        u->retried = step;
        attempt(u);
        while (!a->started && up_step(u, 1000) == 0) {
        }
        if (u->failed) {
            return -1;
        }
        if ((a->started && !u->hold) || !u->done) {
            return 0;
        }
        /* ended before a byte was passed on: connection error, or a
         * 429/5xx held back (timeouts are not retried) */
        again = step < retries && u->result != CURLE_OPERATION_TIMEDOUT &&
                (u->hold || (u->result != CURLE_OK && !u->blocked));
        if (!again) {
            return 0;
        }
        curl_multi_remove_handle(u->m, e);
        u->running = false;
        up_backoff(step++, 250);
    }
}
