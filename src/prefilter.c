/*
 * prefilter.c - keyword prefilter. Literals of two or more bytes are found
 * with a bitmap of their first two lowercased bytes and a bucket per
 * prefix; one-byte keywords form byte classes whose runs are recorded.
 * Results are filed per rule (literals) and per class (runs).
 */
#include "prefilter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define PF_MAX_CLASSES 32

struct pf_kw {
    char *text;
    size_t len;
    unsigned key;   /* first two bytes */
    size_t *rules;  /* rules that use it */
    size_t n_rules;
};

struct prefilter {
    struct pf_kw *kw;        /* sorted by key */
    size_t n_kw;
    uint32_t *bucket;        /* 65537 offsets into kw by key */
    uint8_t pair[65536];     /* 1 for each key in use */
    uint8_t lc[256];         /* ASCII lowercase table */
    uint32_t cls[256];       /* bit per one-byte class */
    size_t n_classes;
    int *rule_class;         /* per rule, or -1 */
    bool *rule_gated;        /* per rule */
    size_t n_rules;
};

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int kw_cmp(const void *a, const void *b)
{
    const struct pf_kw *x = a;
    const struct pf_kw *y = b;

    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return strcmp(x->text, y->text);
}

static int add_kw(struct prefilter *pf, const char *k, size_t rule,
                  struct bb_err *err)
{
    size_t i;
    size_t *nr;
    struct pf_kw *w;

    for (i = 0; i < pf->n_kw; i++) {
        if (strcmp(pf->kw[i].text, k) == 0) {
            break;
        }
    }
    w = &pf->kw[i];
    if (i == pf->n_kw) {
        w->text = bb_strdup(k);
        if (w->text == NULL) {
            return bb_seterr(err, BB_ENOMEM, "out of memory");
        }
        w->len = strlen(k);
        w->key = ((unsigned)(unsigned char)k[0] << 8) |
                 (unsigned char)k[1];
        pf->n_kw++;
    }
    if (w->n_rules > 0 && w->rules[w->n_rules - 1] == rule) {
        return 0;
    }
    nr = bb_realloc(w->rules, (w->n_rules + 1) * sizeof(*nr));
    if (nr == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    w->rules = nr;
    w->rules[w->n_rules++] = rule;
    return 0;
}

/* Give rule i the class of its one-byte keywords, sharing equal sets. */
static int add_class(struct prefilter *pf, const struct rule *r, size_t i,
                     uint8_t (*sets)[256], struct bb_err *err)
{
    uint8_t set[256];
    size_t j;
    size_t c;
    bool any = false;

    memset(set, 0, sizeof(set));
    for (j = 0; j < r->keywords.n; j++) {
        if (r->keywords.v[j][1] == '\0') {
            unsigned char ch = (unsigned char)r->keywords.v[j][0];

            set[ch] = 1;
            set[(ch >= 'a' && ch <= 'z') ? ch - 32 : ch] = 1;
            any = true;
        }
    }
    if (!any) {
        return 0;
    }
    for (c = 0; c < pf->n_classes; c++) {
        if (memcmp(sets[c], set, sizeof(set)) == 0) {
            break;
        }
    }
    if (c == pf->n_classes) {
        if (c == PF_MAX_CLASSES) {
            return bb_seterr(err, BB_ERULE, "rule %s: more than %d distinct "
                             "sets of one-byte keywords", r->id,
                             PF_MAX_CLASSES);
        }
        memcpy(sets[c], set, sizeof(set));
        for (j = 0; j < 256; j++) {
            pf->cls[j] |= (uint32_t)set[j] << c;
        }
        pf->n_classes++;
    }
    pf->rule_class[i] = (int)c;
    return 0;
}

static int build_tables(struct prefilter *pf, struct bb_err *err)
{
    size_t i;
    unsigned k;

    qsort(pf->kw, pf->n_kw, sizeof(*pf->kw), kw_cmp);
    pf->bucket = bb_calloc(65537, sizeof(*pf->bucket));
    if (pf->bucket == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    i = 0;
    for (k = 0; k <= 65536; k++) {
        while (i < pf->n_kw && pf->kw[i].key < k) {
            i++;
        }
        pf->bucket[k] = (uint32_t)i;
    }
    for (i = 0; i < pf->n_kw; i++) {
        pf->pair[pf->kw[i].key] = 1;
    }
    return 0;
}

int prefilter_build(struct prefilter **out, const struct rule *rules,
                    size_t n_rules, struct bb_err *err)
{
    uint8_t sets[PF_MAX_CLASSES][256];
    struct prefilter *pf = bb_calloc(1, sizeof(*pf));
    size_t total = 0;
    size_t i;
    size_t j;
    int rc = 0;

    if (pf == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; i < 256; i++) {
        pf->lc[i] = lower((unsigned char)i);
    }
    for (i = 0; i < n_rules; i++) {
        total += rules[i].keywords.n;
    }
    pf->n_rules = n_rules;
    pf->kw = bb_calloc(total + 1, sizeof(*pf->kw));
    pf->rule_class = bb_calloc(n_rules + 1, sizeof(*pf->rule_class));
    pf->rule_gated = bb_calloc(n_rules + 1, sizeof(*pf->rule_gated));
    if (pf->kw == NULL || pf->rule_class == NULL || pf->rule_gated == NULL) {
        rc = bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; rc == 0 && i < n_rules; i++) {
        pf->rule_class[i] = -1;
        pf->rule_gated[i] = rules[i].keywords.n > 0;
        rc = add_class(pf, &rules[i], i, sets, err);
        for (j = 0; rc == 0 && j < rules[i].keywords.n; j++) {
            if (rules[i].keywords.v[j][1] != '\0') {
                rc = add_kw(pf, rules[i].keywords.v[j], i, err);
            }
        }
    }
    if (rc == 0) {
        rc = build_tables(pf, err);
    }
    if (rc < 0) {
        prefilter_free(pf);
        return rc;
    }
    *out = pf;
    return 0;
}

void prefilter_free(struct prefilter *pf)
{
    size_t i;

    if (pf == NULL) {
        return;
    }
    for (i = 0; i < pf->n_kw; i++) {
        bb_free(pf->kw[i].text);
        bb_free(pf->kw[i].rules);
    }
    bb_free(pf->kw);
    bb_free(pf->bucket);
    bb_free(pf->rule_class);
    bb_free(pf->rule_gated);
    bb_free(pf);
}

bool prefilter_rule_gated(const struct prefilter *pf, size_t i)
{
    return pf->rule_gated[i];
}

int prefilter_rule_class(const struct prefilter *pf, size_t i)
{
    return pf->rule_class[i];
}

int pf_result_init(struct pf_result *res, const struct prefilter *pf,
                   struct bb_err *err)
{
    res->n_rules = pf->n_rules;
    res->n_classes = pf->n_classes;
    res->rule_hits = bb_calloc(pf->n_rules + 1, sizeof(*res->rule_hits));
    res->class_runs = bb_calloc(PF_MAX_CLASSES, sizeof(*res->class_runs));
    if (res->rule_hits == NULL || res->class_runs == NULL) {
        pf_result_dispose(res);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    return 0;
}

void pf_result_dispose(struct pf_result *res)
{
    size_t i;

    for (i = 0; res->rule_hits != NULL && i < res->n_rules; i++) {
        bb_free(res->rule_hits[i].v);
    }
    for (i = 0; res->class_runs != NULL && i < PF_MAX_CLASSES; i++) {
        bb_free(res->class_runs[i].v);
    }
    bb_free(res->rule_hits);
    bb_free(res->class_runs);
    memset(res, 0, sizeof(*res));
}

static int push(struct pf_vec *vec, size_t s, size_t e, bool run,
                struct bb_err *err)
{
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 64;
        struct pf_hit *v = bb_realloc(vec->v, cap * sizeof(*v));

        if (v == NULL) {
            return bb_seterr(err, BB_ENOMEM, "out of memory");
        }
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n].s = s;
    vec->v[vec->n].e = e;
    vec->v[vec->n].run = run;
    vec->n++;
    return 0;
}

static bool eq_lower(const unsigned char *s, const char *kw, size_t n)
{
    size_t i;

    for (i = 2; i < n; i++) {
        if (lower(s[i]) != (unsigned char)kw[i]) {
            return false;
        }
    }
    return true;
}

static int scan_literals(struct pf_result *res, const struct prefilter *pf,
                         const unsigned char *s, size_t from, size_t to,
                         struct bb_err *err)
{
    size_t i;
    size_t j;
    size_t r;
    int rc;

    const uint8_t *lc = pf->lc;
    const uint8_t *pair = pf->pair;

    for (i = from; i + 1 < to; i++) {
        unsigned key = ((unsigned)lc[s[i]] << 8) | lc[s[i + 1]];

        if (pair[key] == 0) {
            continue;
        }
        for (j = pf->bucket[key]; j < pf->bucket[key + 1]; j++) {
            const struct pf_kw *w = &pf->kw[j];

            if (i + w->len > to || !eq_lower(s + i, w->text, w->len)) {
                continue;
            }
            for (r = 0; r < w->n_rules; r++) {
                rc = push(&res->rule_hits[w->rules[r]], i, i + w->len,
                          false, err);
                if (rc < 0) {
                    return rc;
                }
            }
        }
    }
    return 0;
}

static int scan_runs(struct pf_result *res, const struct prefilter *pf,
                     const unsigned char *s, size_t from, size_t to,
                     struct bb_err *err)
{
    size_t start[PF_MAX_CLASSES];
    uint32_t active = 0;
    size_t i;
    size_t c;
    int rc;

    const uint32_t *cls = pf->cls;

    for (i = from; i <= to; i++) {
        uint32_t m = i < to ? cls[s[i]] : 0;

        if (m == active) {
            continue;
        }
        for (c = 0; c < pf->n_classes; c++) {
            uint32_t bit = (uint32_t)1 << c;

            if ((m & bit) && !(active & bit)) {
                start[c] = i;
            } else if (!(m & bit) && (active & bit)) {
                rc = push(&res->class_runs[c], start[c], i, true, err);
                if (rc < 0) {
                    return rc;
                }
            }
        }
        active = m;
    }
    return 0;
}

int prefilter_scan(struct pf_result *res, const struct prefilter *pf,
                   const char *s, size_t from, size_t to,
                   struct bb_err *err)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < res->n_rules; i++) {
        res->rule_hits[i].n = 0;
    }
    for (i = 0; i < PF_MAX_CLASSES; i++) {
        res->class_runs[i].n = 0;
    }
    if (pf->n_kw > 0) {
        rc = scan_literals(res, pf, (const unsigned char *)s, from, to, err);
    }
    if (rc == 0 && pf->n_classes > 0) {
        rc = scan_runs(res, pf, (const unsigned char *)s, from, to, err);
    }
    return rc;
}
