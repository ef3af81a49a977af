/*
 * fuzz.c - libFuzzer targets (make fuzz): built with -DFUZZ_JSON for the
 * JSON scrubber (each input as JSON and as JSON Lines) and -DFUZZ_SSE for
 * the SSE scrubber. Each input is scrubbed whole and in pieces cut where
 * its first byte says, with the ruleset that holds only the internal
 * placeholder rule. It must never crash or leak, the pieces must give the
 * same result as the whole, and an input that is accepted and holds no
 * '<' (nothing for that rule to change) must come out byte for byte: the
 * differential check that the parsers copy what they do not change.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blackbar.h"

struct out {
    char *p;
    size_t n, cap;
};

static int out_write(const void *data, size_t len, void *ud)
{
    struct out *o = ud;

    if (o->n + len > o->cap) {
        o->cap = (o->n + len) * 2 + 64;
        o->p = realloc(o->p, o->cap);
        if (o->p == NULL) {
            abort();
        }
    }
    memcpy(o->p + o->n, data, len);
    o->n += len;
    return 0;
}

static struct bb_ruleset *rs;
static struct bb_redactor *rd;

#ifdef FUZZ_SSE
#define MODES 1
static int run(const uint8_t *d, size_t n, int mode, size_t cut,
               struct out *o)
{
    struct bb_sse_scrubber *j = NULL;
    struct bb_err err;
    size_t i = 0;
    int rc;

    (void)mode;
    memset(o, 0, sizeof(*o));
    if (bb_sse_scrubber_new(&j, rs, rd, out_write, o, &err) < 0) {
        abort();
    }
    rc = 0;
    while (rc == 0 && i < n) {
        size_t k = cut == 0 || cut > n - i ? n - i : cut;

        rc = bb_sse_scrubber_feed(j, d + i, k, &err);
        i += k;
    }
    if (rc == 0) {
        rc = bb_sse_scrubber_finish(j, &err);
    }
    bb_sse_scrubber_free(j);
    return rc;
}
#else
#define MODES 3 /* JSON, JSON Lines, JSON Lines skipping bad records */
static int run(const uint8_t *d, size_t n, int mode, size_t cut,
               struct out *o)
{
    struct bb_json_scrubber *j = NULL;
    struct bb_err err;
    size_t i = 0;
    int rc;

    memset(o, 0, sizeof(*o));
    if (bb_json_scrubber_new(&j, rs, rd, mode > 0, out_write, o, &err) <
            0 ||
        (mode == 2 && bb_json_scrubber_skip_bad(j, true, &err) < 0)) {
        abort();
    }
    rc = 0;
    while (rc == 0 && i < n) {
        size_t k = cut == 0 || cut > n - i ? n - i : cut;

        rc = bb_json_scrubber_feed(j, d + i, k, &err);
        i += k;
    }
    if (rc == 0) {
        rc = bb_json_scrubber_finish(j, &err);
    }
    bb_json_scrubber_free(j);
    return rc;
}
#endif

static bool has_lt(const uint8_t *d, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (d[i] == '<' || (d[i] == '\\' && i + 5 < n && d[i + 1] == 'u' &&
                            d[i + 2] == '0' && d[i + 3] == '0' &&
                            d[i + 4] == '3' &&
                            (d[i + 5] == 'c' || d[i + 5] == 'C'))) {
            return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    struct bb_err err;
    int mode;

    if (rs == NULL) {
        if (bb_ruleset_new(&rs, NULL, &err) < 0 ||
            bb_ruleset_compile(rs, &err) < 0 ||
            bb_redactor_new(&rd, rs, &err) < 0) {
            abort();
        }
    }
    for (mode = 0; mode < MODES; mode++) {
        struct out whole;
        struct out cut;
        size_t step = n > 0 ? 1 + d[0] % 7 : 1;
        int a = run(d, n, mode, 0, &whole);
        int b = run(d, n, mode, step, &cut);

        if ((a == 0) != (b == 0) ||
            (a == 0 && (whole.n != cut.n ||
                        (whole.n > 0 &&
                         memcmp(whole.p, cut.p, whole.n) != 0)))) {
            abort(); /* the pieces changed the outcome */
        }
        /* (mode 2 drops bad records: no identity there) */
        if (a == 0 && mode < 2 && !has_lt(d, n) &&
            (whole.n != n || (n > 0 && memcmp(whole.p, d, n) != 0))) {
            abort(); /* a valid document was not copied */
        }
        free(whole.p);
        free(cut.p);
    }
    return 0;
}
