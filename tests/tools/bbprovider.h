/*
 * bbprovider.h - what the stand-in provider's server (bbprovider.c) and
 * its answer shapes (bbprovider_shapes.c) share: one request being
 * answered, a growable buffer, and the JSON and SSE of each provider.
 */
#ifndef BB_BBPROVIDER_H
#define BB_BBPROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

enum api { API_RESPONSES, API_CHAT, API_MESSAGES, API_GEMINI };

/* A growable string; marks are where each SSE event starts. */
struct sbuf {
    char *p;
    size_t n, cap;
    size_t *marks;
    size_t n_marks, cap_marks;
};

/* One request and its answer. */
struct call {
    enum api api;
    bool stream;
    bool gemini_sse;         /* streamGenerateContent?alt=sse */
    bool harm;
    unsigned id;
    char rid[32];            /* req_prov_N */
    char model[128];
    cJSON *body;             /* the request */
    size_t in_tokens;
    char *text;              /* the answer */
    size_t *cuts;            /* delta i is text[cuts[i], cuts[i + 1]) */
    size_t n_deltas;
};

/* realloc, or abort: a stand-in out of memory has nothing to test. */
void *xrealloc(void *p, size_t n);

void sb_put(struct sbuf *b, const char *s, size_t n);
void sb_str(struct sbuf *b, const char *s);
void sb_mark(struct sbuf *b);
void sb_free(struct sbuf *b);

/* The whole answer to c in its provider's JSON; the caller frees it. */
char *prov_whole(const struct call *c);

/* Append the streamed answer to c to b: its provider's SSE events (a
 * JSON array for Gemini without alt=sse), each event marked. */
void prov_stream(struct sbuf *b, const struct call *c);

/* An error body of api's provider; the caller frees it. */
char *prov_error(enum api api, unsigned status, const char *msg);

#endif
