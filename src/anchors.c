/*
 * anchors.c - find the anchors of rules: every distinct byte class gets
 * one bit mask over the window (bytescan.c), and a rule's anchor is the
 * AND of its classes' masks, each shifted by its place in the sequence.
 */
#include "anchors.h"

#include <string.h>

#include "bytescan.h"
#include "core.h"

#define MAX_CLASSES 32

struct anchors {
    struct bytescan_ranges cls[MAX_CLASSES];
    uint8_t maps[MAX_CLASSES][32];
    size_t n_cls;
    size_t *rules;               /* the rules with an anchor */
    uint8_t (*seq)[RULES_MAX_ANCHOR]; /* per such rule: class indexes */
    size_t *len;                 /* per such rule: anchor length */
    size_t n;
};

/* The ranges of a class bitmap (rules.c allows at most 8). */
static void to_ranges(struct bytescan_ranges *r, const uint8_t map[32])
{
    unsigned b = 0;

    r->n = 0;
    while (b < 256 && r->n < BYTESCAN_MAX_RANGES) {
        unsigned e;

        if (!((map[b >> 3] >> (b & 7)) & 1u)) {
            b++;
            continue;
        }
        for (e = b; e + 1 < 256 && ((map[(e + 1) >> 3] >> ((e + 1) & 7)) &
                                    1u); e++) {
        }
        r->lo[r->n] = (unsigned char)b;
        r->hi[r->n] = (unsigned char)e;
        r->n++;
        b = e + 1;
    }
}

static int class_index(struct anchors *a, const uint8_t map[32],
                       struct bb_err *err)
{
    size_t i;

    for (i = 0; i < a->n_cls; i++) {
        if (memcmp(a->maps[i], map, 32) == 0) {
            return (int)i;
        }
    }
    if (a->n_cls == MAX_CLASSES) {
        return bb_seterr(err, BB_ERULE, "more than %d different anchor "
                         "classes in the loaded rules", MAX_CLASSES);
    }
    memcpy(a->maps[a->n_cls], map, 32);
    to_ranges(&a->cls[a->n_cls], map);
    return (int)a->n_cls++;
}

int anchors_build(struct anchors **out, const struct rule *rules, size_t n,
                  struct bb_err *err)
{
    struct anchors *a;
    size_t i;
    size_t k;
    size_t cnt = 0;

    *out = NULL;
    for (i = 0; i < n; i++) {
        cnt += rules[i].anchor_n > 0;
    }
    if (cnt == 0) {
        return 0;
    }
    a = bb_calloc(1, sizeof(*a));
    if (a == NULL || (a->rules = bb_calloc(cnt, sizeof(*a->rules))) == NULL ||
        (a->seq = bb_calloc(cnt, sizeof(*a->seq))) == NULL ||
        (a->len = bb_calloc(cnt, sizeof(*a->len))) == NULL) {
        anchors_free(a);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        if (rules[i].anchor_n == 0) {
            continue;
        }
        for (k = 0; k < rules[i].anchor_n; k++) {
            int c = class_index(a, rules[i].anchor[k], err);

            if (c < 0) {
                anchors_free(a);
                return c;
            }
            a->seq[a->n][k] = (uint8_t)c;
        }
        a->len[a->n] = rules[i].anchor_n;
        a->rules[a->n++] = i;
    }
    *out = a;
    return 0;
}

void anchors_free(struct anchors *a)
{
    if (a != NULL) {
        bb_free(a->rules);
        bb_free(a->seq);
        bb_free(a->len);
        bb_free(a);
    }
}

void anchor_scratch_dispose(struct anchor_scratch *sc)
{
    bb_free(sc->m);
    memset(sc, 0, sizeof(*sc));
}

static int push_hit(struct pf_vec *v, size_t s, size_t e, struct bb_err *err)
{
    int rc = bb_grow((void **)&v->v, &v->cap, v->n + 1, sizeof(*v->v), err);

    if (rc == 0) {
        v->v[v->n].s = s;
        v->v[v->n].e = e;
        v->v[v->n].run = false;
        v->n++;
    }
    return rc;
}

int anchors_scan(const struct anchors *a, struct pf_vec *hits,
                 struct anchor_scratch *sc, const unsigned char *s,
                 size_t from, size_t to, struct bb_err *err)
{
    size_t nw = (to - from + 63) / 64;
    size_t stride = nw + 2; /* a zero word on each side */
    size_t c;
    size_t r;
    size_t w;
    int rc;

    if (a == NULL || to <= from) {
        return 0;
    }
    rc = bb_grow((void **)&sc->m, &sc->cap, stride * a->n_cls,
                 sizeof(*sc->m), err);
    for (c = 0; rc == 0 && c < a->n_cls; c++) {
        uint64_t *m = sc->m + c * stride;

        m[0] = 0;
        m[nw + 1] = 0;
        bytescan_masks(s, from, to, &a->cls[c], m + 1);
    }
    for (r = 0; rc == 0 && r < a->n; r++) {
        for (w = 1; rc == 0 && w <= nw; w++) {
            uint64_t acc = sc->m[a->seq[r][0] * stride + w];
            size_t k;

            for (k = 1; acc != 0 && k < a->len[r]; k++) {
                acc &= bytescan_bits_at(sc->m + a->seq[r][k] * stride, w,
                                        (int)k);
            }
            while (rc == 0 && acc != 0) {
                size_t p = from + 64 * (w - 1) +
                           (size_t)__builtin_ctzll(acc);

                acc &= acc - 1;
                rc = push_hit(&hits[a->rules[r]], p, p + a->len[r], err);
            }
        }
    }
    return rc;
}
