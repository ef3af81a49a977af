/*
 * bbupstream.c - test stand-in for an OpenAI-compatible moderation
 * endpoint, on libmicrohttpd, bound to 127.0.0.1 on a free port.
 *
 *   bbupstream MODE PORTFILE LOGFILE
 *
 * Writes its port to PORTFILE, appends each request's body (one line)
 * to LOGFILE, and answers POST .../moderations in OpenAI's exact shape:
 * for each input, violence scores 0.93 when it holds "detonate", 0.30
 * when it holds "fight", else 0.01, and is flagged at 0.5. MODE changes
 * that: ok, stall (answers after 5 s), 500then200 (the first request
 * gets 500), garbage (200 with HTML), 429 (always). Runs until killed.
 *
 * Chat modes answer POST .../chat/completions with the first <TYPE_N>
 * placeholder of the request echoed back: chat (one JSON completion),
 * chat-sse (a stream; the placeholder split over two deltas), chat-harm
 * (a stream whose third delta is a threat), chat-500then200.
 *
 * Load modes (bench/proxy.sh), which log nothing and answer other paths
 * with 404: fast answers each POST .../chat/completions at once with one
 * small fixed completion (a pool of two threads, for many keep-alive
 * connections); chat-10k answers it with a stream of 10,000 chunks of a
 * few characters each, then "data: [DONE]", made one event per read
 * callback and sent as it is made, so the first one leaves at once;
 * chat-cut sends the first 50 of those events and then drops the
 * connection in the middle of the chunked answer (an upstream that
 * fails mid-stream).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

static const char *mode;
static const char *logpath;
static int requests;

static const char *const cats[] = {
    "harassment", "harassment/threatening", "hate", "hate/threatening",
    "illicit", "illicit/violent", "self-harm", "self-harm/intent",
    "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic",
};

struct req {
    char *p;
    size_t n;
};

static char *answer_for(const char *body)
{
    cJSON *in = cJSON_Parse(body);
    cJSON *inputs = cJSON_GetObjectItemCaseSensitive(in, "input");
    cJSON *out = cJSON_CreateObject();
    cJSON *results = cJSON_AddArrayToObject(out, "results");
    cJSON *item;
    char *s;

    cJSON_AddStringToObject(out, "id", "modr-bbupstream");
    cJSON_AddStringToObject(out, "model", "omni-moderation-2024-09-26");
    cJSON_ArrayForEach(item, inputs) {
        const char *t = cJSON_IsString(item) ? item->valuestring : "";
        double v = strstr(t, "detonate") ? 0.93 : strstr(t, "fight") ? 0.30
                                                                   : 0.01;
        cJSON *r = cJSON_CreateObject();
        cJSON *c = cJSON_AddObjectToObject(r, "categories");
        cJSON *sc = cJSON_AddObjectToObject(r, "category_scores");
        cJSON *ty = cJSON_AddObjectToObject(r, "category_applied_input_types");
        size_t i;

        cJSON_AddBoolToObject(r, "flagged", v >= 0.5);
        for (i = 0; i < sizeof(cats) / sizeof(*cats); i++) {
            bool viol = strcmp(cats[i], "violence") == 0;
            cJSON *types = cJSON_CreateArray();

            cJSON_AddBoolToObject(c, cats[i], viol && v >= 0.5);
            cJSON_AddNumberToObject(sc, cats[i], viol ? v : 0.0001);
            cJSON_AddItemToArray(types, cJSON_CreateString("text"));
            cJSON_AddItemToObject(ty, cats[i], types);
        }
        cJSON_AddItemToArray(results, r);
    }
    s = cJSON_PrintUnformatted(out);
    cJSON_Delete(in);
    cJSON_Delete(out);
    return s;
}

/* The first "<TYPE_N>" placeholder in the request, or "nothing". */
static void first_placeholder(const char *body, char *out, size_t n)
{
    const char *p = body;

    snprintf(out, n, "nothing");
    while ((p = strchr(p, '<')) != NULL) {
        size_t k = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

        if (k > 2 && p[1 + k] == '>') {
            snprintf(out, n, "%.*s", (int)(k + 2), p);
            return;
        }
        p++;
    }
}

static char *chat_answer(const char *body, bool stream, bool harm)
{
    static const char head[] = "{\"id\":\"chatcmpl-up\",\"object\":"
                               "\"chat.completion.chunk\",\"created\":1,"
                               "\"model\":\"gpt-4o-mini\",\"choices\":"
                               "[{\"index\":0,\"delta\":{\"content\":\"";
    char ph[64];
    char *out = malloc(4096);
    size_t half;

    first_placeholder(body, ph, sizeof(ph));
    half = strlen(ph) / 2;
    if (out == NULL) {
        return NULL;
    }
    if (!stream) {
        snprintf(out, 4096, "{\"id\":\"chatcmpl-up\",\"object\":"
                 "\"chat.completion\",\"created\":1,\"model\":"
                 "\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
                 "\"message\":{\"role\":\"assistant\",\"content\":"
                 "\"I will write to %s today.\"},\"finish_reason\":"
                 "\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
                 "\"completion_tokens\":7,\"total_tokens\":16}}", ph);
        return out;
    }
    snprintf(out, 4096,
             "data: %sI will write to \"}}]}\n\n"
             "data: %s%.*s\"}}]}\n\n"
             "data: %s%s today.\"}}]}\n\n"
             "data: {\"id\":\"chatcmpl-up\",\"object\":"
             "\"chat.completion.chunk\",\"created\":1,\"model\":"
             "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},"
             "\"finish_reason\":\"stop\"}]}\n\n"
             "data: [DONE]\n\n",
             head, head, (int)half, ph, head,
             harm ? " And I will kill you" : ph + half);
    return out;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             const char *type, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "x-request-id", "req_bbupstream_1");
    ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

#define CHAT_10K_EVENTS 10000

static const char fast_answer[] =
    "{\"id\":\"chatcmpl-fast\",\"object\":\"chat.completion\","
    "\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
    "\"message\":{\"role\":\"assistant\",\"content\":\"Thanks, I will "
    "look into it and write back soon.\"},\"finish_reason\":\"stop\"}],"
    "\"usage\":{\"prompt_tokens\":900,\"completion_tokens\":12,"
    "\"total_tokens\":912}}";

/* The chat-10k stream: the event being sent and how much of it is out. */
struct stream10k {
    unsigned i;
    char ev[512];
    size_t n, off;
};

static void stream10k_event(struct stream10k *s)
{
    static const char *const words[] = {
        "The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ",
        "lazy ", "dog, ", "and ", "then ", "it ", "rests. ",
    };
    const char *w = words[s->i % (sizeof(words) / sizeof(*words))];
    int n;

    if (s->i == CHAT_10K_EVENTS) {
        n = snprintf(s->ev, sizeof(s->ev), "data: [DONE]\n\n");
    } else {
        n = snprintf(s->ev, sizeof(s->ev),
                     "data: {\"id\":\"chatcmpl-10k\",\"object\":"
                     "\"chat.completion.chunk\",\"created\":1,\"model\":"
                     "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
                     "{%s\"content\":\"%s\"},\"finish_reason\":%s}]}\n\n",
                     s->i == 0 ? "\"role\":\"assistant\"," : "", w,
                     s->i + 1 == CHAT_10K_EVENTS ? "\"stop\"" : "null");
    }
    s->n = n > 0 ? (size_t)n : 0;
    s->off = 0;
}

/* One event (or what is left of it) per call: MHD sends each at once. */
static ssize_t stream10k_read(void *cls, uint64_t pos, char *buf,
                              size_t max)
{
    struct stream10k *s = cls;
    size_t k;

    (void)pos;
    if (s->off == s->n) {
        if (s->i == 50 && strcmp(mode, "chat-cut") == 0) {
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        if (s->i > CHAT_10K_EVENTS) {
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        stream10k_event(s);
        s->i++;
    }
    k = s->n - s->off < max ? s->n - s->off : max;
    memcpy(buf, s->ev + s->off, k);
    s->off += k;
    return (ssize_t)k;
}

/* fast and chat-10k: no log, no counting, nothing kept of the body. */
static enum MHD_Result load_answer(struct MHD_Connection *conn,
                                   const char *url, const char *method)
{
    struct MHD_Response *r;
    struct stream10k *s;
    enum MHD_Result ret;
    size_t n = strlen(url);
    size_t k = strlen("/chat/completions");

    if (strcmp(method, "POST") != 0 || n < k ||
        strcmp(url + n - k, "/chat/completions") != 0) {
        return reply(conn, 404, "application/json",
                     "{\"error\":{\"message\":\"not found\"}}");
    }
    if (strcmp(mode, "fast") == 0) {
        return reply(conn, 200, "application/json", fast_answer);
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return MHD_NO;
    }
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024,
                                          stream10k_read, s, free);
    if (r == NULL) {
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_add_response_header(r, "x-request-id", "req_bbupstream_1");
    ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static bool is_load_mode(void)
{
    return strcmp(mode, "fast") == 0 || strcmp(mode, "chat-10k") == 0 ||
           strcmp(mode, "chat-cut") == 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *data,
                              size_t *size, void **state)
{
    struct req *q = *state;
    FILE *log;
    char *body;
    enum MHD_Result ret;
    int n;

    (void)cls;
    (void)version;
    if (q == NULL) {
        *state = calloc(1, sizeof(struct req));
        return *state ? MHD_YES : MHD_NO;
    }
    if (*size > 0 && is_load_mode()) {
        *size = 0; /* read, not kept */
        return MHD_YES;
    }
    if (*size > 0) {
        q->p = realloc(q->p, q->n + *size + 1);
        memcpy(q->p + q->n, data, *size);
        q->n += *size;
        q->p[q->n] = '\0';
        *size = 0;
        return MHD_YES;
    }
    if (is_load_mode()) {
        free(q);
        *state = NULL;
        return load_answer(conn, url, method);
    }
    n = __atomic_add_fetch(&requests, 1, __ATOMIC_SEQ_CST);
    log = fopen(logpath, "a");
    if (log != NULL) {
        fprintf(log, "%s\n", q->p ? q->p : "");
        fclose(log);
    }
    if (strcmp(mode, "stall") == 0) {
        sleep(5);
    }
    if (strncmp(mode, "chat", 4) == 0) {
        bool stream = strcmp(mode, "chat-sse") == 0 ||
                      strcmp(mode, "chat-harm") == 0;

        if (strcmp(mode, "chat-500then200") == 0 && n == 1) {
            ret = reply(conn, 500, "application/json",
                        "{\"error\":{\"message\":\"server error\"}}");
        } else {
            body = chat_answer(q->p ? q->p : "", stream,
                               strcmp(mode, "chat-harm") == 0);
            ret = reply(conn, 200, stream ? "text/event-stream"
                                          : "application/json",
                        body ? body : "{}");
            free(body);
        }
    } else if (strcmp(mode, "429") == 0) {
        ret = reply(conn, 429, "application/json",
                    "{\"error\":{\"message\":\"Rate limit\",\"type\":"
                    "\"requests\",\"param\":null,\"code\":null}}");
    } else if (strcmp(mode, "500then200") == 0 && n == 1) {
        ret = reply(conn, 500, "application/json",
                    "{\"error\":{\"message\":\"server error\"}}");
    } else if (strcmp(mode, "garbage") == 0) {
        ret = reply(conn, 200, "text/html", "<html>oops</html>");
    } else {
        body = answer_for(q->p ? q->p : "{}");
        ret = reply(conn, 200, "application/json", body ? body : "{}");
        free(body);
    }
    free(q->p);
    free(q);
    *state = NULL;
    return ret;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    FILE *f;

    if (argc != 4) {
        fprintf(stderr, "usage: bbupstream MODE PORTFILE LOGFILE\n");
        return 2;
    }
    mode = argv[1];
    logpath = argv[3];
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (strcmp(mode, "fast") == 0) {
        /* 64 and more keep-alive connections at once: two event loops
         * (one per core of a small machine), not a thread each */
        d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL,
                             handle, NULL, MHD_OPTION_SOCK_ADDR,
                             (struct sockaddr *)&sa,
                             MHD_OPTION_THREAD_POOL_SIZE, 2u,
                             MHD_OPTION_CONNECTION_LIMIT, 4096u,
                             MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                             MHD_OPTION_END);
    } else {
        d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
                                 MHD_USE_INTERNAL_POLLING_THREAD,
                             0, NULL, NULL, handle, NULL,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                             MHD_OPTION_END);
    }
    info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (info == NULL) {
        fprintf(stderr, "bbupstream: cannot listen on 127.0.0.1\n");
        return 1;
    }
    f = fopen(argv[2], "w");
    if (f == NULL) {
        return 1;
    }
    fprintf(f, "%u\n", (unsigned)info->port);
    fclose(f);
    for (;;) {
        pause();
    }
}
