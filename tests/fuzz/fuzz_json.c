/*
 * fuzz_json.c - libFuzzer target for the JSON scrubber (make fuzz). Each
 * input is scrubbed as JSON and as JSON Lines, whole and in pieces cut
 * where its first bytes say, with the ruleset that holds only the
 * internal placeholder rule. It must never crash or leak, the pieces must
 * give the same output as the whole, and a valid document that holds no
 * '<' (nothing for that rule to change) must come out byte for byte: the
 * differential check that the tokenizer copies what it does not change.
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

static int run(const uint8_t *d, size_t n, bool lines, size_t cut,
               struct out *o)
{
    struct bb_json_scrubber *j = NULL;
    struct bb_err err;
    size_t i = 0;
    int rc;

    memset(o, 0, sizeof(*o));
    if (bb_json_scrubber_new(&j, rs, rd, lines, out_write, o, &err) < 0) {
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
    int lines;

    if (rs == NULL) {
        if (bb_ruleset_new(&rs, NULL, &err) < 0 ||
            bb_ruleset_compile(rs, &err) < 0 ||
            bb_redactor_new(&rd, rs, &err) < 0) {
            abort();
        }
    }
    for (lines = 0; lines < 2; lines++) {
        struct out whole;
        struct out cut;
        size_t step = n > 0 ? 1 + d[0] % 7 : 1;
        int a = run(d, n, lines, 0, &whole);
        int b = run(d, n, lines, step, &cut);

        if ((a == 0) != (b == 0) ||
            (a == 0 && (whole.n != cut.n ||
                        (whole.n > 0 &&
                         memcmp(whole.p, cut.p, whole.n) != 0)))) {
            abort(); /* the pieces changed the outcome */
        }
        if (a == 0 && !has_lt(d, n) &&
            (whole.n != n || (n > 0 && memcmp(whole.p, d, n) != 0))) {
            abort(); /* a valid document was not copied */
        }
        free(whole.p);
        free(cut.p);
    }
    return 0;
}
