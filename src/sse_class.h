/*
 * sse_class.h - what one SSE data payload is to a provider's stream:
 * text deltas of which channels (the JSON path of each delta and a key
 * naming its channel), which channels it ends, or an event that ends
 * them all. Knows OpenAI Responses and Chat Completions, Anthropic
 * Messages and Google Gemini streams. Private to the library.
 */
#ifndef BB_SSE_CLASS_H
#define BB_SSE_CLASS_H

#include <stdbool.h>
#include <stddef.h>

#define SSE_KEY_MAX 160
#define SSE_PATH_MAX 96
#define SSE_TARGETS 8
#define SSE_ENDS 8

struct sse_target {
    char key[SSE_KEY_MAX];   /* the channel */
    char path[SSE_PATH_MAX]; /* the delta string in the payload */
    bool ends;               /* the channel ends with this delta */
};

struct sse_class {
    struct sse_target t[SSE_TARGETS];
    size_t nt;
    /* channels (by key prefix) that end before this event */
    char end[SSE_ENDS][SSE_KEY_MAX];
    size_t nend;
    bool end_all;  /* every channel ends before this event */
};

/* Classify payload p[0, n) (the joined data lines of one event). Never
 * fails: what it does not know ends every channel. */
void sse_classify(struct sse_class *c, const char *p, size_t n);

#endif
