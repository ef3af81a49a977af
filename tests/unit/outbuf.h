/*
 * outbuf.h - for the unit suites: a growing, NUL-terminated output
 * buffer and the bb_write_fn that fills it, and a bb_vault_fn that files
 * each new placeholder into a bb_vault.
 */
#ifndef BB_TEST_OUTBUF_H
#define BB_TEST_OUTBUF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "blackbar.h"

struct out {
    char *p;
    size_t n, cap;
};

static inline int out_write(const void *data, size_t len, void *ud)
{
    struct out *o = ud;

    if (o->n + len + 1 > o->cap) {
        o->cap = (o->n + len + 1) * 2;
        o->p = realloc(o->p, o->cap);
        ck_assert_ptr_nonnull(o->p);
    }
    memcpy(o->p + o->n, data, len);
    o->n += len;
    o->p[o->n] = '\0';
    return 0;
}

static inline int to_vault(const char *ph, size_t plen, const char *val,
                           size_t vlen, void *ud)
{
    struct bb_err err = { 0, "" };

    return bb_vault_add(ud, ph, plen, val, vlen, &err);
}

/* The file tests/fixtures/REL under $srcdir, whole and NUL-terminated;
 * the caller frees it. */
static inline char *fixture(const char *rel, size_t *len)
{
    const char *dir = getenv("srcdir");
    char path[4096];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/tests/fixtures/%s", dir ? dir : ".",
             rel);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
