/*
 * core.h - allocation wrappers, error filling and bounded byte buffers
 * shared by every module. The only file allowed to call malloc/free is
 * core.c.
 */
#ifndef BB_CORE_H
#define BB_CORE_H

#include <stddef.h>

#include "blackbar.h"

#define BB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *bb_malloc(size_t n);
void *bb_calloc(size_t count, size_t n);
void *bb_realloc(void *p, size_t n);
void bb_free(void *p);
char *bb_strdup(const char *s);
char *bb_strndup(const char *s, size_t n);

/* Overwrite n bytes at p with zeros in a way the compiler keeps. */
void bb_wipe(void *p, size_t n);

/* Fill err (if non-NULL) with code and a printf-style message; returns
 * code so callers can write: return bb_seterr(err, BB_EINVAL, "...").
 * Messages must never contain input bytes. */
int bb_seterr(struct bb_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing message: "PREFIX: old message". */
void bb_err_prefix(struct bb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Make room for need elements of elem bytes in the array *v of *cap
 * elements (realloc, doubling). */
int bb_grow(void **v, size_t *cap, size_t need, size_t elem,
            struct bb_err *err);

/* A growable byte buffer with a hard cap. */
struct bb_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* growth past this fails with BB_ELIMIT */
};

void bb_buf_init(struct bb_buf *b, size_t max);
/* Wipes and frees the contents. */
void bb_buf_dispose(struct bb_buf *b);
int bb_buf_reserve(struct bb_buf *b, size_t extra, struct bb_err *err);
int bb_buf_append(struct bb_buf *b, const void *p, size_t n,
                  struct bb_err *err);
/* Drop the first n bytes, wiping the tail that moved. */
void bb_buf_consume(struct bb_buf *b, size_t n);

/* Length of the incomplete UTF-8 sequence at the end of s (0..3): bytes
 * that a later chunk may complete. */
size_t bb_utf8_tail(const char *s, size_t n);

#endif
