/*
 * bbprovider_shapes.c - the answers of the stand-in provider (see
 * bbprovider.c) in each provider's exact JSON and SSE: OpenAI Responses
 * and Chat Completions, Anthropic Messages, Gemini; and their error
 * bodies. Built with cJSON from the call; never a copy of the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bbprovider.h"

#define CREATED 1733300000

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);

    if (q == NULL) {
        fprintf(stderr, "bbprovider: out of memory\n");
        abort();
    }
    return q;
}

void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void sb_str(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

void sb_mark(struct sbuf *b)
{
    if (b->n_marks == b->cap_marks) {
        b->cap_marks = b->cap_marks ? 2 * b->cap_marks : 32;
        b->marks = xrealloc(b->marks, b->cap_marks * sizeof(*b->marks));
    }
    b->marks[b->n_marks++] = b->n;
}

void sb_free(struct sbuf *b)
{
    free(b->p);
    free(b->marks);
}

/* Print o compactly and delete it; the caller frees the text. */
static char *print_free(cJSON *o)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;

    cJSON_Delete(o);
    if (s == NULL) {
        fprintf(stderr, "bbprovider: out of memory\n");
        abort();
    }
    return s;
}

/* Append one event: "event: NAME" when name is not NULL, then the data
 * line, then the blank line that ends it (SSE, WHATWG HTML 9.2). */
static void sse_add(struct sbuf *b, const char *name, cJSON *data)
{
    char *s = print_free(data);

    sb_mark(b);
    if (name != NULL) {
        sb_str(b, "event: ");
        sb_str(b, name);
        sb_str(b, "\n");
    }
    sb_str(b, "data: ");
    sb_str(b, s);
    sb_str(b, "\n\n");
    free(s);
}

/* Delta i of the answer, as a JSON string. */
static cJSON *delta(const struct call *c, size_t i)
{
    size_t n = c->cuts[i + 1] - c->cuts[i];
    char *s = xrealloc(NULL, n + 1);
    cJSON *d;

    memcpy(s, c->text + c->cuts[i], n);
    s[n] = '\0';
    d = cJSON_CreateString(s);
    free(s);
    return d;
}

/* A number of the request, or dflt when it has none. */
static cJSON *req_number(const struct call *c, const char *key, double dflt)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(c->body, key);

    if (cJSON_IsNumber(v)) {
        return cJSON_CreateNumber(v->valuedouble);
    }
    return dflt < 0 ? cJSON_CreateNull() : cJSON_CreateNumber(dflt);
}

static cJSON *event(const char *type)
{
    cJSON *e = cJSON_CreateObject();

    cJSON_AddStringToObject(e, "type", type);
    return e;
}

/* OpenAI Responses: an output_text part, the message item, the
 * response object; done: with the answer, else as they start. */
static cJSON *resp_part(const char *text)
{
    cJSON *p = event("output_text");

    cJSON_AddItemToObject(p, "annotations", cJSON_CreateArray());
    cJSON_AddItemToObject(p, "logprobs", cJSON_CreateArray());
    cJSON_AddStringToObject(p, "text", text);
    return p;
}

static cJSON *resp_item(const struct call *c, bool done)
{
    cJSON *it = cJSON_CreateObject();
    cJSON *content;
    char id[40];

    snprintf(id, sizeof(id), "msg_prov_%u", c->id);
    cJSON_AddStringToObject(it, "id", id);
    cJSON_AddStringToObject(it, "type", "message");
    cJSON_AddStringToObject(it, "status", done ? "completed" : "in_progress");
    content = cJSON_AddArrayToObject(it, "content");
    if (done) {
        cJSON_AddItemToArray(content, resp_part(c->text));
    }
    cJSON_AddStringToObject(it, "role", "assistant");
    return it;
}

static cJSON *resp_usage(const struct call *c)
{
    cJSON *u = cJSON_CreateObject();

    cJSON_AddNumberToObject(u, "input_tokens", (double)c->in_tokens);
    cJSON_AddItemToObject(u, "input_tokens_details", cJSON_CreateObject());
    cJSON_AddNumberToObject(cJSON_GetObjectItem(u, "input_tokens_details"),
                            "cached_tokens", 0);
    cJSON_AddNumberToObject(u, "output_tokens", (double)c->n_deltas);
    cJSON_AddItemToObject(u, "output_tokens_details", cJSON_CreateObject());
    cJSON_AddNumberToObject(cJSON_GetObjectItem(u, "output_tokens_details"),
                            "reasoning_tokens", 0);
    cJSON_AddNumberToObject(u, "total_tokens",
                            (double)(c->in_tokens + c->n_deltas));
    return u;
}

static cJSON *resp_object(const struct call *c, bool done)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *out;
    char id[40];

    snprintf(id, sizeof(id), "resp_prov_%u", c->id);
    cJSON_AddStringToObject(r, "id", id);
    cJSON_AddStringToObject(r, "object", "response");
    cJSON_AddNumberToObject(r, "created_at", CREATED);
    cJSON_AddStringToObject(r, "status", done ? "completed" : "in_progress");
    cJSON_AddNullToObject(r, "error");
    cJSON_AddNullToObject(r, "incomplete_details");
    cJSON_AddNullToObject(r, "instructions");
    cJSON_AddItemToObject(r, "max_output_tokens",
                          req_number(c, "max_output_tokens", -1));
    cJSON_AddStringToObject(r, "model", c->model);
    out = cJSON_AddArrayToObject(r, "output");
    if (done) {
        cJSON_AddItemToArray(out, resp_item(c, true));
    }
    cJSON_AddTrueToObject(r, "parallel_tool_calls");
    cJSON_AddNullToObject(r, "previous_response_id");
    cJSON_AddItemToObject(r, "temperature", req_number(c, "temperature", 1));
    cJSON_AddStringToObject(r, "tool_choice", "auto");
    cJSON_AddItemToObject(r, "tools", cJSON_CreateArray());
    cJSON_AddNumberToObject(r, "top_p", 1);
    cJSON_AddStringToObject(r, "truncation", "disabled");
    if (done) {
        cJSON_AddItemToObject(r, "usage", resp_usage(c));
    } else {
        cJSON_AddNullToObject(r, "usage");
    }
    return r;
}

/* A Responses stream event; item: with item_id and content_index. */
static cJSON *resp_event(const struct call *c, const char *type,
                         unsigned *seq, bool item)
{
    cJSON *e = event(type);
    char id[40];

    cJSON_AddNumberToObject(e, "sequence_number", (*seq)++);
    if (item) {
        snprintf(id, sizeof(id), "msg_prov_%u", c->id);
        cJSON_AddStringToObject(e, "item_id", id);
    }
    cJSON_AddNumberToObject(e, "output_index", 0);
    if (item) {
        cJSON_AddNumberToObject(e, "content_index", 0);
    }
    return e;
}

static void resp_stream(struct sbuf *b, const struct call *c)
{
    static const char *const ends[] = {
        "response.output_text.done", "response.content_part.done",
        "response.output_item.done",
    };
    unsigned seq = 0;
    cJSON *e;
    size_t i;

    e = event("response.created");
    cJSON_AddNumberToObject(e, "sequence_number", seq++);
    cJSON_AddItemToObject(e, "response", resp_object(c, false));
    sse_add(b, "response.created", e);
    e = event("response.in_progress");
    cJSON_AddNumberToObject(e, "sequence_number", seq++);
    cJSON_AddItemToObject(e, "response", resp_object(c, false));
    sse_add(b, "response.in_progress", e);
    e = resp_event(c, "response.output_item.added", &seq, false);
    cJSON_AddItemToObject(e, "item", resp_item(c, false));
    sse_add(b, "response.output_item.added", e);
    e = resp_event(c, "response.content_part.added", &seq, true);
    cJSON_AddItemToObject(e, "part", resp_part(""));
    sse_add(b, "response.content_part.added", e);
    for (i = 0; i < c->n_deltas; i++) {
        e = resp_event(c, "response.output_text.delta", &seq, true);
        cJSON_AddItemToObject(e, "delta", delta(c, i));
        cJSON_AddItemToObject(e, "logprobs", cJSON_CreateArray());
        cJSON_AddStringToObject(e, "obfuscation", "kX3q");
        sse_add(b, "response.output_text.delta", e);
    }
    e = resp_event(c, ends[0], &seq, true);
    cJSON_AddStringToObject(e, "text", c->text);
    cJSON_AddItemToObject(e, "logprobs", cJSON_CreateArray());
    sse_add(b, ends[0], e);
    e = resp_event(c, ends[1], &seq, true);
    cJSON_AddItemToObject(e, "part", resp_part(c->text));
    sse_add(b, ends[1], e);
    e = resp_event(c, ends[2], &seq, false);
    cJSON_AddItemToObject(e, "item", resp_item(c, true));
    sse_add(b, ends[2], e);
    e = event("response.completed");
    cJSON_AddNumberToObject(e, "sequence_number", seq);
    cJSON_AddItemToObject(e, "response", resp_object(c, true));
    sse_add(b, "response.completed", e);
}

/* OpenAI Chat Completions: a completion or one chunk of a stream. */
static cJSON *chat_head(const struct call *c, const char *object)
{
    cJSON *o = cJSON_CreateObject();
    char id[40];

    snprintf(id, sizeof(id), "chatcmpl-prov-%u", c->id);
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "object", object);
    cJSON_AddNumberToObject(o, "created", CREATED);
    cJSON_AddStringToObject(o, "model", c->model);
    cJSON_AddStringToObject(o, "service_tier", "default");
    cJSON_AddStringToObject(o, "system_fingerprint", "fp_prov");
    return o;
}

static cJSON *chat_usage(const struct call *c)
{
    cJSON *u = cJSON_CreateObject();

    cJSON_AddNumberToObject(u, "prompt_tokens", (double)c->in_tokens);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)c->n_deltas);
    cJSON_AddNumberToObject(u, "total_tokens",
                            (double)(c->in_tokens + c->n_deltas));
    return u;
}

static char *chat_whole(const struct call *c)
{
    cJSON *o = chat_head(c, "chat.completion");
    cJSON *ch = cJSON_CreateObject();
    cJSON *m = cJSON_CreateObject();

    cJSON_AddNumberToObject(ch, "index", 0);
    cJSON_AddStringToObject(m, "role", "assistant");
    cJSON_AddStringToObject(m, "content", c->text);
    cJSON_AddNullToObject(m, "refusal");
    cJSON_AddItemToObject(m, "annotations", cJSON_CreateArray());
    cJSON_AddItemToObject(ch, "message", m);
    cJSON_AddNullToObject(ch, "logprobs");
    cJSON_AddStringToObject(ch, "finish_reason", "stop");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), ch);
    cJSON_AddItemToObject(o, "usage", chat_usage(c));
    return print_free(o);
}

static void chat_chunk(struct sbuf *b, const struct call *c, cJSON *d,
                       const char *finish)
{
    cJSON *o = chat_head(c, "chat.completion.chunk");
    cJSON *ch = cJSON_CreateObject();

    cJSON_AddNumberToObject(ch, "index", 0);
    cJSON_AddItemToObject(ch, "delta", d);
    cJSON_AddNullToObject(ch, "logprobs");
    if (finish != NULL) {
        cJSON_AddStringToObject(ch, "finish_reason", finish);
    } else {
        cJSON_AddNullToObject(ch, "finish_reason");
    }
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), ch);
    sse_add(b, NULL, o);
}

static void chat_stream(struct sbuf *b, const struct call *c)
{
    cJSON *opts = cJSON_GetObjectItemCaseSensitive(c->body,
                                                   "stream_options");
    cJSON *d = cJSON_CreateObject();
    cJSON *o;
    size_t i;

    cJSON_AddStringToObject(d, "role", "assistant");
    cJSON_AddStringToObject(d, "content", "");
    cJSON_AddNullToObject(d, "refusal");
    chat_chunk(b, c, d, NULL);
    for (i = 0; i < c->n_deltas; i++) {
        d = cJSON_CreateObject();
        cJSON_AddItemToObject(d, "content", delta(c, i));
        chat_chunk(b, c, d, NULL);
    }
    chat_chunk(b, c, cJSON_CreateObject(), "stop");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opts,
                                                      "include_usage"))) {
        o = chat_head(c, "chat.completion.chunk");
        cJSON_AddItemToObject(o, "choices", cJSON_CreateArray());
        cJSON_AddItemToObject(o, "usage", chat_usage(c));
        sse_add(b, NULL, o);
    }
    sb_mark(b);
    sb_str(b, "data: [DONE]\n\n");
}

/* Anthropic Messages: the message, whole or as it starts. */
static cJSON *msg_object(const struct call *c, bool done)
{
    cJSON *m = cJSON_CreateObject();
    cJSON *content;
    cJSON *u = cJSON_CreateObject();
    cJSON *t;
    char id[40];

    snprintf(id, sizeof(id), "msg_prov_%u", c->id);
    cJSON_AddStringToObject(m, "id", id);
    cJSON_AddStringToObject(m, "type", "message");
    cJSON_AddStringToObject(m, "role", "assistant");
    cJSON_AddStringToObject(m, "model", c->model);
    content = cJSON_AddArrayToObject(m, "content");
    if (done) {
        t = event("text");
        cJSON_AddStringToObject(t, "text", c->text);
        cJSON_AddItemToArray(content, t);
        cJSON_AddStringToObject(m, "stop_reason", "end_turn");
    } else {
        cJSON_AddNullToObject(m, "stop_reason");
    }
    cJSON_AddNullToObject(m, "stop_sequence");
    cJSON_AddNumberToObject(u, "input_tokens", (double)c->in_tokens);
    cJSON_AddNumberToObject(u, "cache_creation_input_tokens", 0);
    cJSON_AddNumberToObject(u, "cache_read_input_tokens", 0);
    cJSON_AddNumberToObject(u, "output_tokens", done ? c->n_deltas : 1);
    cJSON_AddItemToObject(m, "usage", u);
    return m;
}

static void msg_stream(struct sbuf *b, const struct call *c)
{
    cJSON *e = event("message_start");
    cJSON *x;
    size_t i;

    cJSON_AddItemToObject(e, "message", msg_object(c, false));
    sse_add(b, "message_start", e);
    e = event("content_block_start");
    cJSON_AddNumberToObject(e, "index", 0);
    x = event("text");
    cJSON_AddStringToObject(x, "text", "");
    cJSON_AddItemToObject(e, "content_block", x);
    sse_add(b, "content_block_start", e);
    sse_add(b, "ping", event("ping"));
    for (i = 0; i < c->n_deltas; i++) {
        e = event("content_block_delta");
        cJSON_AddNumberToObject(e, "index", 0);
        x = event("text_delta");
        cJSON_AddItemToObject(x, "text", delta(c, i));
        cJSON_AddItemToObject(e, "delta", x);
        sse_add(b, "content_block_delta", e);
    }
    e = event("content_block_stop");
    cJSON_AddNumberToObject(e, "index", 0);
    sse_add(b, "content_block_stop", e);
    e = event("message_delta");
    x = cJSON_AddObjectToObject(e, "delta");
    cJSON_AddStringToObject(x, "stop_reason", "end_turn");
    cJSON_AddNullToObject(x, "stop_sequence");
    x = cJSON_AddObjectToObject(e, "usage");
    cJSON_AddNumberToObject(x, "output_tokens", (double)c->n_deltas);
    sse_add(b, "message_delta", e);
    sse_add(b, "message_stop", event("message_stop"));
}

/* Gemini: one GenerateContentResponse holding text (the last one of a
 * stream, or the whole answer, with its finishReason). */
static cJSON *gem_chunk(const struct call *c, cJSON *text, bool last)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *cand = cJSON_CreateObject();
    cJSON *content = cJSON_AddObjectToObject(cand, "content");
    cJSON *part = cJSON_CreateObject();
    cJSON *u;
    char id[40];

    cJSON_AddItemToObject(part, "text", text);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(content, "parts"), part);
    cJSON_AddStringToObject(content, "role", "model");
    if (last) {
        cJSON_AddStringToObject(cand, "finishReason", "STOP");
    }
    cJSON_AddNumberToObject(cand, "index", 0);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "candidates"), cand);
    u = cJSON_AddObjectToObject(o, "usageMetadata");
    cJSON_AddNumberToObject(u, "promptTokenCount", (double)c->in_tokens);
    if (last) {
        cJSON_AddNumberToObject(u, "candidatesTokenCount",
                                (double)c->n_deltas);
    }
    cJSON_AddNumberToObject(u, "totalTokenCount",
                            (double)(c->in_tokens + (last ? c->n_deltas
                                                          : 0)));
    cJSON_AddStringToObject(o, "modelVersion", c->model);
    snprintf(id, sizeof(id), "prov%u", c->id);
    cJSON_AddStringToObject(o, "responseId", id);
    return o;
}

/* streamGenerateContent: SSE with alt=sse, else one JSON array. */
static void gem_stream(struct sbuf *b, const struct call *c)
{
    size_t i;
    char *s;

    for (i = 0; i < c->n_deltas; i++) {
        cJSON *o = gem_chunk(c, delta(c, i), i + 1 == c->n_deltas);

        if (c->gemini_sse) {
            sse_add(b, NULL, o);
            continue;
        }
        sb_mark(b);
        sb_str(b, i == 0 ? "[" : ",\r\n");
        s = print_free(o);
        sb_str(b, s);
        free(s);
    }
    if (!c->gemini_sse) {
        sb_str(b, "]");
    }
}

char *prov_error(enum api api, unsigned status, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *e = cJSON_CreateObject();
    bool server = status >= 500;

    if (api == API_MESSAGES) {
        cJSON_AddStringToObject(o, "type", "error");
        cJSON_AddStringToObject(e, "type", server ? "api_error"
                                : status == 404 ? "not_found_error"
                                : "invalid_request_error");
        cJSON_AddStringToObject(e, "message", msg);
    } else if (api == API_GEMINI) {
        cJSON_AddNumberToObject(e, "code", status);
        cJSON_AddStringToObject(e, "message", msg);
        cJSON_AddStringToObject(e, "status", server ? "INTERNAL"
                                : status == 404 ? "NOT_FOUND"
                                : "INVALID_ARGUMENT");
    } else {
        cJSON_AddStringToObject(e, "message", msg);
        cJSON_AddStringToObject(e, "type", server ? "server_error"
                                : "invalid_request_error");
        cJSON_AddNullToObject(e, "param");
        cJSON_AddNullToObject(e, "code");
    }
    cJSON_AddItemToObject(o, "error", e);
    return print_free(o);
}

char *prov_whole(const struct call *c)
{
    if (c->api == API_RESPONSES) {
        return print_free(resp_object(c, true));
    }
    if (c->api == API_CHAT) {
        return chat_whole(c);
    }
    if (c->api == API_MESSAGES) {
        return print_free(msg_object(c, true));
    }
    return print_free(gem_chunk(c, cJSON_CreateString(c->text), true));
}

void prov_stream(struct sbuf *b, const struct call *c)
{
    if (c->api == API_RESPONSES) {
        resp_stream(b, c);
    } else if (c->api == API_CHAT) {
        chat_stream(b, c);
    } else if (c->api == API_MESSAGES) {
        msg_stream(b, c);
    } else {
        gem_stream(b, c);
    }
}
