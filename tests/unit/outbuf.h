/*
 * outbuf.h - for the unit suites: a growing, NUL-terminated output
 * buffer and the bb_write_fn that fills it, and a bb_vault_fn that files
 * each new placeholder into a bb_vault.
 */
#ifndef BB_TEST_OUTBUF_H
#define BB_TEST_OUTBUF_H

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

#endif
