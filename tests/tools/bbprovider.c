/*
 * bbprovider.c - test stand-in for the model providers behind blackbar
 * proxy, on libmicrohttpd, bound to 127.0.0.1 on a free port.
 *
 *   bbprovider PORTFILE LOGFILE
 *
 * Writes its port to PORTFILE, appends each POST body (one line) to
 * LOGFILE and answers in each provider's own shape (bbprovider_shapes.c),
 * whole or streamed (one SSE event every few milliseconds): OpenAI
 * Responses and Chat Completions (also as Azure OpenAI), Anthropic
 * Messages, Gemini generateContent and streamGenerateContent. The answer
 * is "Noted: ", the request's distinct <TYPE_N> placeholders joined with
 * " and " (or "nothing"), then "."; streamed, the first placeholder is
 * split over the first two deltas, then 4 bytes come at a time. Words in
 * the body: HARMTEST (" And I will kill you." after the first two
 * deltas), FAIL500ONCE (the first such request gets a 500), STALLTEST
 * (the answer waits 30 s). GET /count: the POSTs so far. Every answer
 * has x-request-id and request-id req_prov_N. Runs until SIGTERM.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "bbprovider.h"

#define MAX_BODY (16u << 20)
#define MAX_PH 32
#define PH_MAX 64      /* longest placeholder, with its <> */
#define DELTA_LEN 4    /* bytes per delta after the first placeholder */
#define PACE_MS 5      /* between two events of a stream */
#define STALL_S 30

static const char noted[] = "Noted: ";
static const char harm_text[] = " And I will kill you.";
static const char *logpath;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned posts;    /* POSTs received */
static unsigned answers;  /* requests answered: the N of req_prov_N */
static int failed_once;   /* FAIL500ONCE was answered 500 */
static int stopping;      /* SIGTERM: stalls and streams end */

struct req {
    char *p;
    size_t n;
    bool too_big;
};

/* The stream being sent: the SSE text and how far it is paced. */
struct feed {
    struct sbuf b;
    size_t next;
};

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(xrealloc(NULL, n), s, n);
}

/* The length of the placeholder <[A-Z][A-Z0-9_]*_[0-9]+> at p, or 0. */
static size_t ph_len(const char *p)
{
    size_t n;
    size_t us = 0;

    if (p[0] != '<' || p[1] < 'A' || p[1] > 'Z') {
        return 0;
    }
    for (n = 2; n < PH_MAX - 1; n++) {
        char ch = p[n];

        if (ch == '_') {
            us = n;
        } else if ((ch < 'A' || ch > 'Z') && (ch < '0' || ch > '9')) {
            break;
        }
    }
    if (p[n] != '>' || us == 0 || us + 1 == n) {
        return 0;
    }
    for (us++; us < n; us++) {
        if (p[us] < '0' || p[us] > '9') {
            return 0;
        }
    }
    return n + 1;
}

/* The distinct placeholders of s, in order of their first occurrence. */
static size_t placeholders(char ph[][PH_MAX + 1], const char *s)
{
    size_t n = 0;
    size_t i;
    size_t k;

    for (; (s = strchr(s, '<')) != NULL && n < MAX_PH; s++) {
        k = ph_len(s);
        if (k == 0) {
            continue;
        }
        for (i = 0; i < n && !(strlen(ph[i]) == k &&
                               memcmp(ph[i], s, k) == 0); i++) {
        }
        if (i == n) {
            memcpy(ph[n], s, k);
            ph[n++][k] = '\0';
        }
    }
    return n;
}

/* The answer's text and its deltas: the first two end inside and at the
 * end of the first placeholder, then DELTA_LEN bytes each. */
static void build_text(struct call *c, const char *body)
{
    char ph[MAX_PH][PH_MAX + 1];
    size_t n = placeholders(ph, body);
    struct sbuf t = { 0 };
    size_t first;
    size_t pos;
    size_t k = 2;
    size_t i;

    sb_str(&t, noted);
    sb_str(&t, n > 0 ? ph[0] : "nothing");
    first = t.n;
    if (c->harm) {
        sb_str(&t, harm_text);
    }
    for (i = 1; i < n; i++) {
        sb_str(&t, " and ");
        sb_str(&t, ph[i]);
    }
    if (!c->harm || n > 1) {
        sb_str(&t, ".");
    }
    c->cuts = xrealloc(NULL, (t.n / DELTA_LEN + 4) * sizeof(*c->cuts));
    c->cuts[0] = 0;
    c->cuts[1] = strlen(noted) + (first - strlen(noted)) / 2;
    for (pos = first; pos < t.n; pos += DELTA_LEN) {
        c->cuts[k++] = pos;
    }
    c->cuts[k] = t.n;
    c->n_deltas = k;
    c->text = t.p;
}

static void add_ids(struct MHD_Response *r, const char *type,
                    const char *rid)
{
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "x-request-id", rid);
    MHD_add_response_header(r, "request-id", rid);
}

/* Answer body (freed here) with status. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             const char *type, const char *rid, char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(body), body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    free(body);
    if (r == NULL) {
        return MHD_NO;
    }
    add_ids(r, type, rid);
    ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn,
                                   const struct call *c, unsigned status,
                                   const char *msg)
{
    return reply(conn, status, "application/json", c->rid,
                 prov_error(c->api, status, msg));
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Hand out the stream up to the next event; before each event but the
 * first, wait PACE_MS, so that each arrives on its own. */
static ssize_t feed_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct feed *f = cls;
    size_t end = f->b.n;
    size_t n;

    if (__atomic_load_n(&stopping, __ATOMIC_SEQ_CST)) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (pos >= f->b.n) {
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    for (; f->next < f->b.n_marks && f->b.marks[f->next] <= pos; f->next++) {
        if (f->b.marks[f->next] == pos && pos > 0) {
            sleep_ms(PACE_MS);
        }
    }
    if (f->next < f->b.n_marks) {
        end = f->b.marks[f->next];
    }
    n = end - (size_t)pos < max ? end - (size_t)pos : max;
    memcpy(buf, f->b.p + pos, n);
    return (ssize_t)n;
}

static void feed_free(void *cls)
{
    struct feed *f = cls;

    sb_free(&f->b);
    free(f);
}

static enum MHD_Result reply_stream(struct MHD_Connection *conn,
                                    const struct call *c)
{
    struct feed *f = xrealloc(NULL, sizeof(*f));
    struct MHD_Response *r;
    enum MHD_Result ret;

    memset(f, 0, sizeof(*f));
    prov_stream(&f->b, c);
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, feed_read,
                                          f, feed_free);
    if (r == NULL) {
        feed_free(f);
        return MHD_NO;
    }
    add_ids(r, c->api == API_GEMINI && !c->gemini_sse ? "application/json"
                                                      : "text/event-stream",
            c->rid);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The segment of url after prefix and before suffix, into out; no '/'
 * in it. */
static bool segment(char *out, size_t n, const char *url, const char *prefix,
                    const char *suffix)
{
    size_t a = strlen(prefix);
    size_t len = strlen(url);
    size_t z = strlen(suffix);

    if (!has_prefix(url, prefix) || len <= a + z ||
        strcmp(url + len - z, suffix) != 0 || len - a - z >= n ||
        memchr(url + a, '/', len - a - z) != NULL) {
        return false;
    }
    snprintf(out, n, "%.*s", (int)(len - a - z), url + a);
    return true;
}

/* A Gemini method's URL, v1beta or v1: its model into c. */
static bool gemini(struct call *c, const char *url, const char *method)
{
    return segment(c->model, sizeof(c->model), url, "/v1beta/models/",
                   method) ||
           segment(c->model, sizeof(c->model), url, "/v1/models/", method);
}

/* The API of a POST to url, its model when the URL names it; 0, or the
 * HTTP status of the error (with its message in *msg). */
static unsigned route(struct call *c, struct MHD_Connection *conn,
                      const char *url, const char **msg)
{
    const char *alt = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
                                                  "alt");
    bool azure = has_prefix(url, "/openai/");

    if (strcmp(url, "/v1/responses") == 0 ||
        strcmp(url, "/openai/responses") == 0) {
        c->api = API_RESPONSES;
    } else if (strcmp(url, "/v1/chat/completions") == 0 ||
               segment(c->model, sizeof(c->model), url,
                       "/openai/deployments/", "/chat/completions")) {
        c->api = API_CHAT;
    } else if (strcmp(url, "/v1/messages") == 0) {
        c->api = API_MESSAGES;
    } else if (gemini(c, url, ":generateContent")) {
        c->api = API_GEMINI;
    } else if (gemini(c, url, ":streamGenerateContent")) {
        c->api = API_GEMINI;
        c->stream = true;
        c->gemini_sse = alt != NULL && strcmp(alt, "sse") == 0;
    } else {
        *msg = "Invalid URL: no such route on this stand-in";
        return MHD_HTTP_NOT_FOUND;
    }
    if (azure && MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
                                             "api-version") == NULL) {
        *msg = "Missing required query parameter api-version";
        return MHD_HTTP_BAD_REQUEST;
    }
    return 0;
}

static void log_body(const struct req *q)
{
    FILE *log;
    size_t i;

    pthread_mutex_lock(&log_lock);
    log = fopen(logpath, "a");
    if (log != NULL) {
        for (i = 0; i < q->n; i++) {
            char ch = q->p[i];

            putc(ch == '\n' || ch == '\r' ? ' ' : ch, log);
        }
        putc('\n', log);
        fclose(log);
    }
    pthread_mutex_unlock(&log_lock);
}

/* STALLTEST: wait, but end early when the stand-in is stopped. */
static void stall(void)
{
    int i;

    for (i = 0; i < STALL_S * 10; i++) {
        if (__atomic_load_n(&stopping, __ATOMIC_SEQ_CST)) {
            return;
        }
        sleep_ms(100);
    }
}

/* A complete POST to a known route: parse, then answer. */
static enum MHD_Result answer_post(struct MHD_Connection *conn,
                                   struct call *c, const struct req *q)
{
    const char *body = q->p ? q->p : "";
    cJSON *model;
    int zero = 0;

    c->body = cJSON_ParseWithLength(body, q->n);
    if (!cJSON_IsObject(c->body)) {
        return reply_error(conn, c, MHD_HTTP_BAD_REQUEST,
                           "We could not parse the JSON body of your "
                           "request.");
    }
    model = cJSON_GetObjectItemCaseSensitive(c->body, "model");
    if (c->model[0] == '\0' && cJSON_IsString(model)) {
        snprintf(c->model, sizeof(c->model), "%s", model->valuestring);
    }
    if (c->api != API_GEMINI) {
        c->stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->body,
                                                                  "stream"));
    }
    c->harm = strstr(body, "HARMTEST") != NULL;
    c->in_tokens = q->n / 4 + 1;
    if (strstr(body, "STALLTEST") != NULL) {
        stall();
    }
    if (strstr(body, "FAIL500ONCE") != NULL &&
        __atomic_compare_exchange_n(&failed_once, &zero, 1, false,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        return reply_error(conn, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "The server had an error while processing your "
                           "request. Sorry about that!");
    }
    build_text(c, body);
    if (c->stream) {
        return reply_stream(conn, c);
    }
    return reply(conn, MHD_HTTP_OK, "application/json", c->rid,
                 prov_whole(c));
}

static enum MHD_Result answer(struct MHD_Connection *conn, const char *url,
                              const char *method, const struct req *q)
{
    struct call c;
    const char *msg = NULL;
    unsigned status;
    enum MHD_Result ret;
    char n[32];

    memset(&c, 0, sizeof(c));
    c.id = __atomic_add_fetch(&answers, 1, __ATOMIC_SEQ_CST);
    snprintf(c.rid, sizeof(c.rid), "req_prov_%u", c.id);
    if (strcmp(method, "GET") == 0 && strcmp(url, "/count") == 0) {
        snprintf(n, sizeof(n), "%u\n",
                 __atomic_load_n(&posts, __ATOMIC_SEQ_CST));
        return reply(conn, MHD_HTTP_OK, "text/plain", c.rid, xstrdup(n));
    }
    if (strcmp(method, "POST") != 0) {
        return reply_error(conn, &c, MHD_HTTP_NOT_FOUND,
                           "Invalid URL: use POST");
    }
    __atomic_add_fetch(&posts, 1, __ATOMIC_SEQ_CST);
    log_body(q);
    status = route(&c, conn, url, &msg);
    if (status != 0) {
        return reply_error(conn, &c, status, msg);
    }
    if (q->too_big) {
        return reply_error(conn, &c, 413,
                           "Request body too large");
    }
    ret = answer_post(conn, &c, q);
    cJSON_Delete(c.body);
    free(c.text);
    free(c.cuts);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *data,
                              size_t *size, void **state)
{
    struct req *q = *state;
    enum MHD_Result ret;

    (void)cls;
    (void)version;
    if (q == NULL) {
        *state = calloc(1, sizeof(struct req));
        return *state ? MHD_YES : MHD_NO;
    }
    if (*size > 0) {
        if (q->n + *size > MAX_BODY) {
            q->too_big = true;
        } else {
            q->p = xrealloc(q->p, q->n + *size + 1);
            memcpy(q->p + q->n, data, *size);
            q->n += *size;
            q->p[q->n] = '\0';
        }
        *size = 0;
        return MHD_YES;
    }
    ret = answer(conn, url, method, q);
    free(q->p);
    free(q);
    *state = NULL;
    return ret;
}

/* A request that ended before its answer (the client went away). */
static void completed(void *cls, struct MHD_Connection *conn, void **state,
                      enum MHD_RequestTerminationCode toe)
{
    struct req *q = *state;

    (void)cls;
    (void)conn;
    (void)toe;
    if (q != NULL) {
        free(q->p);
        free(q);
        *state = NULL;
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    int sig;
    FILE *f;

    if (argc != 3) {
        fprintf(stderr, "usage: bbprovider PORTFILE LOGFILE\n");
        return 2;
    }
    logpath = argv[2];
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* MHD's threads inherit it */
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
                             MHD_USE_INTERNAL_POLLING_THREAD,
                         0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                         completed, NULL, MHD_OPTION_END);
    info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    f = info ? fopen(argv[1], "w") : NULL;
    if (f == NULL) {
        fprintf(stderr, "bbprovider: cannot listen on 127.0.0.1\n");
        return 1;
    }
    fprintf(f, "%u\n", (unsigned)info->port);
    fclose(f);
    sigwait(&set, &sig);
    __atomic_store_n(&stopping, 1, __ATOMIC_SEQ_CST);
    MHD_stop_daemon(d);
    return 0;
}
