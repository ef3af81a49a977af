/*
 * core.c - the one home of malloc/free, error filling and bounded
 * buffers. Nothing here knows about rules, regexes or I/O.
 */
#include "core.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *bb_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *bb_calloc(size_t count, size_t n)
{
    return calloc(count ? count : 1, n ? n : 1);
}

void *bb_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}

void bb_free(void *p)
{
    free(p);
}

char *bb_strndup(const char *s, size_t n)
{
    char *d = bb_malloc(n + 1);

    if (d == NULL) {
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *bb_strdup(const char *s)
{
    return bb_strndup(s, strlen(s));
}

void bb_wipe(void *p, size_t n)
{
    explicit_bzero(p, n);
}

const char *bb_strerror(int code)
{
    switch (code) {
    case BB_OK:
        return "success";
    case BB_ENOMEM:
        return "out of memory";
    case BB_EINVAL:
        return "invalid argument";
    case BB_ERULE:
        return "bad rule";
    case BB_EIO:
        return "input/output error";
    case BB_ELIMIT:
        return "limit reached";
    case BB_EMATCH:
        return "regex engine error";
    case BB_ESTATE:
        return "stream already failed or finished";
    case BB_EINPUT:
        return "input cannot be processed safely";
    case BB_ESTOP:
        return "stopped by a finding (blocked)";
    default:
        return "unknown error";
    }
}

int bb_seterr(struct bb_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err != NULL) {
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

void bb_err_prefix(struct bb_err *err, const char *fmt, ...)
{
    char pre[128];
    size_t pl;
    size_t ol;
    va_list ap;

    if (err == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    pl = strlen(pre);
    if (pl + 3 >= sizeof(err->msg)) {
        return;
    }
    ol = strnlen(err->msg, sizeof(err->msg) - 1);
    if (pl + 2 + ol >= sizeof(err->msg)) {
        ol = sizeof(err->msg) - 1 - pl - 2;
    }
    memmove(err->msg + pl + 2, err->msg, ol);
    memcpy(err->msg, pre, pl);
    err->msg[pl] = ':';
    err->msg[pl + 1] = ' ';
    err->msg[pl + 2 + ol] = '\0';
}

int bb_grow(void **v, size_t *cap, size_t need, size_t elem,
            struct bb_err *err)
{
    size_t nc = *cap ? *cap : 32;
    void *p;

    if (need <= *cap) {
        return 0;
    }
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / elem) {
            return bb_seterr(err, BB_ENOMEM, "array too large");
        }
        nc *= 2;
    }
    p = bb_realloc(*v, nc * elem);
    if (p == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    *v = p;
    *cap = nc;
    return 0;
}

void bb_buf_init(struct bb_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void bb_buf_dispose(struct bb_buf *b)
{
    if (b->data != NULL) {
        bb_wipe(b->data, b->cap);
        bb_free(b->data);
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int bb_buf_reserve(struct bb_buf *b, size_t extra, struct bb_err *err)
{
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;
    char *p;

    if (need < b->len || need > b->max) {
        return bb_seterr(err, BB_ELIMIT, "buffer limit of %zu bytes reached",
                         b->max);
    }
    if (need <= b->cap) {
        return 0;
    }
    while (cap < need && cap <= b->max / 2) {
        cap *= 2;
    }
    if (cap < need || cap > b->max) {
        cap = b->max;
    }
    /* Never realloc: the old block may hold unredacted bytes to wipe.
     * Zeroed, because PCRE2's JIT may read a little past the subject's
     * end while searching, and those bytes must be defined. */
    p = bb_calloc(1, cap);
    if (p == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory (%zu bytes)", cap);
    }
    if (b->data != NULL) {
        memcpy(p, b->data, b->len);
        bb_wipe(b->data, b->cap);
        bb_free(b->data);
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int bb_buf_append(struct bb_buf *b, const void *p, size_t n,
                  struct bb_err *err)
{
    int rc = bb_buf_reserve(b, n, err);

    if (rc < 0) {
        return rc;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
    return 0;
}

void bb_buf_consume(struct bb_buf *b, size_t n)
{
    if (n >= b->len) {
        if (b->data != NULL) {
            bb_wipe(b->data, b->len);
        }
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    bb_wipe(b->data + b->len - n, n);
    b->len -= n;
}

size_t bb_utf8_tail(const char *s, size_t n)
{
    size_t i;
    size_t back = 0;

    /* Walk back over at most 3 continuation bytes to a lead byte. */
    for (i = n; i > 0 && back < 4; i--, back++) {
        unsigned char c = (unsigned char)s[i - 1];
        size_t need;

        if ((c & 0xC0) == 0x80) {
            continue;
        }
        if (c >= 0xF0 && c <= 0xF4) {
            need = 4;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 3;
        } else if (c >= 0xC2 && c < 0xE0) {
            need = 2;
        } else {
            return 0;
        }
        return (back + 1 < need) ? back + 1 : 0;
    }
    return 0;
}
