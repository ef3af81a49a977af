/*
 * sse_class.c - provider stream shapes (DESIGN section 6). The payload
 * is read with cJSON only to learn its type and indexes; the scrubber
 * never writes it back through cJSON.
 *
 *   OpenAI Responses   "response.*.delta" events: "delta"; one channel
 *                      per (type, item_id, output_index, content_index,
 *                      summary_index); every other event ends them all
 *   Chat Completions   choices[k].delta.content, .refusal,
 *                      .reasoning_content, .tool_calls[m].function
 *                      .arguments; a choice's finish_reason ends its
 *                      channels
 *   Anthropic Messages content_block_delta: delta.text (text_delta) or
 *                      delta.partial_json (input_json_delta); thinking,
 *                      signature and citation deltas and pings change
 *                      nothing; every other event ends all channels
 *   Gemini             candidates[k].content.parts[m].text; a
 *                      candidate's finishReason ends its channels
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sse_class.h"

static const cJSON *item(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = item(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long num(const cJSON *o, const char *k, long dflt)
{
    const cJSON *v = item(o, k);

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e9
               ? (long)v->valuedouble
               : dflt;
}

/* A target from formatted key and path; one that does not fit is left
 * out (its delta is then scrubbed on its own, which is safe). */
static struct sse_target *add(struct sse_class *c, bool ends,
                              const char *key, const char *path)
{
    struct sse_target *t;

    if (c->nt == SSE_TARGETS || strlen(key) >= SSE_KEY_MAX ||
        strlen(path) >= SSE_PATH_MAX) {
        return NULL;
    }
    t = &c->t[c->nt++];
    memcpy(t->key, key, strlen(key) + 1);
    memcpy(t->path, path, strlen(path) + 1);
    t->ends = ends;
    return t;
}

static void end_prefix(struct sse_class *c, const char *prefix)
{
    if (c->nend == SSE_ENDS || strlen(prefix) >= SSE_KEY_MAX) {
        c->end_all = true; /* too many to name: end them all */
        return;
    }
    memcpy(c->end[c->nend++], prefix, strlen(prefix) + 1);
}

static bool responses(struct sse_class *c, const cJSON *o, const char *type)
{
    size_t tn = strlen(type);
    const char *id = str(o, "item_id");
    char key[SSE_KEY_MAX + 1];

    if (strncmp(type, "response.", 9) != 0) {
        return false;
    }
    if (tn < 6 || strcmp(type + tn - 6, ".delta") != 0 ||
        str(o, "delta") == NULL || strcmp(type, "response.audio.delta") == 0) {
        c->end_all = true;
        return true;
    }
    snprintf(key, sizeof(key), "r|%s|%s|%ld|%ld|%ld", type, id ? id : "",
             num(o, "output_index", -1), num(o, "content_index", -1),
             num(o, "summary_index", -1));
    add(c, false, key, "delta");
    return true;
}

static bool anthropic(struct sse_class *c, const cJSON *o, const char *type)
{
    const cJSON *d = item(o, "delta");
    const char *dt = str(d, "type");
    char key[32];

    if (strcmp(type, "ping") == 0) {
        return true;
    }
    if (strcmp(type, "content_block_delta") != 0) {
        c->end_all = strncmp(type, "message_", 8) == 0 ||
                     strncmp(type, "content_block_", 14) == 0 ||
                     strcmp(type, "error") == 0;
        return c->end_all;
    }
    if (dt == NULL) {
        return true;
    }
    snprintf(key, sizeof(key), "a|%ld", num(o, "index", 0));
    if (strcmp(dt, "text_delta") == 0 && str(d, "text") != NULL) {
        add(c, false, key, "delta.text");
    } else if (strcmp(dt, "input_json_delta") == 0 &&
               str(d, "partial_json") != NULL) {
        add(c, false, key, "delta.partial_json");
    }
    return true;
}

static void chat_choice(struct sse_class *c, const cJSON *ch, int k)
{
    static const char *const fields[] = { "content", "refusal",
                                          "reasoning_content" };
    const cJSON *d = item(ch, "delta");
    const cJSON *tools = item(d, "tool_calls");
    const cJSON *tc;
    long idx = num(ch, "index", k);
    bool ends = str(ch, "finish_reason") != NULL;
    char key[SSE_KEY_MAX + 1];
    char path[SSE_PATH_MAX + 1];
    size_t i;
    int m = 0;

    for (i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
        if (str(d, fields[i]) != NULL) {
            snprintf(key, sizeof(key), "c|%ld|%s", idx, fields[i]);
            snprintf(path, sizeof(path), "choices[%d].delta.%s", k,
                     fields[i]);
            add(c, ends, key, path);
        }
    }
    if (!cJSON_IsArray(tools)) {
        tools = NULL;
    }
    cJSON_ArrayForEach(tc, tools) {
        if (str(item(tc, "function"), "arguments") != NULL) {
            snprintf(key, sizeof(key), "c|%ld|tool|%ld", idx,
                     num(tc, "index", m));
            snprintf(path, sizeof(path),
                     "choices[%d].delta.tool_calls[%d].function.arguments",
                     k, m);
            add(c, ends, key, path);
        }
        m++;
    }
    if (ends) {
        snprintf(key, sizeof(key), "c|%ld|", idx);
        end_prefix(c, key);
    }
}

static void gemini_candidate(struct sse_class *c, const cJSON *cand, int k)
{
    const cJSON *parts = item(item(cand, "content"), "parts");
    const cJSON *p;
    long idx = num(cand, "index", k);
    bool ends = str(cand, "finishReason") != NULL;
    char key[SSE_KEY_MAX + 1];
    char path[SSE_PATH_MAX + 1];
    int m = 0;

    if (!cJSON_IsArray(parts)) {
        parts = NULL;
    }
    cJSON_ArrayForEach(p, parts) {
        if (str(p, "text") != NULL) {
            snprintf(key, sizeof(key), "g|%ld|%d|%c", idx, m,
                     cJSON_IsTrue(item(p, "thought")) ? 't' : 'x');
            snprintf(path, sizeof(path),
                     "candidates[%d].content.parts[%d].text", k, m);
            add(c, ends, key, path);
        }
        m++;
    }
    if (ends) {
        snprintf(key, sizeof(key), "g|%ld|", idx);
        end_prefix(c, key);
    }
}

/* Chat Completions chunks and Gemini responses: an array of choices or
 * candidates, each with its own channels. */
static bool per_item(struct sse_class *c, const cJSON *o)
{
    const cJSON *arr = item(o, "choices");
    const cJSON *e;
    bool chat = cJSON_IsArray(arr);
    int k = 0;

    if (!chat) {
        arr = item(o, "candidates");
        if (!cJSON_IsArray(arr)) {
            return false;
        }
    }
    cJSON_ArrayForEach(e, arr) {
        if (chat && !cJSON_IsObject(item(e, "delta"))) {
            c->end_all = true; /* a whole message: not a stream chunk */
            return true;
        }
        if (chat) {
            chat_choice(c, e, k);
        } else {
            gemini_candidate(c, e, k);
        }
        k++;
    }
    c->end_all = c->end_all || k == 0; /* k == 0: a usage-only chunk */
    return true;
}

void sse_classify(struct sse_class *c, const char *p, size_t n)
{
    cJSON *o;
    const char *type;
    const char *end = NULL;

    memset(c, 0, sizeof(*c));
    if (n == 0) {
        return; /* an empty data field: nothing to end */
    }
    o = cJSON_ParseWithLengthOpts(p, n, &end, false);
    while (o != NULL && end < p + n && (*end == ' ' || *end == '\t' ||
                                        *end == '\n' || *end == '\r')) {
        end++;
    }
    if (!cJSON_IsObject(o) || end != p + n) {
        c->end_all = true; /* "[DONE]", text, two documents, ... */
        cJSON_Delete(o);
        return;
    }
    type = str(o, "type");
    if (!(type != NULL && (responses(c, o, type) || anthropic(c, o, type))) &&
        !per_item(c, o)) {
        c->end_all = true;
    }
    cJSON_Delete(o);
}
