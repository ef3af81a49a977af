/*
 * cmd_audit_agg.c - the audit report as it is built: counts by type,
 * rule, JSON path and day, the distinct fingerprints, the worst records
 * and each input's errors. Chunks add to it in input order, and so do
 * partial reports read back (audit merge): the sum is the same report
 * as one run over the same inputs. Keys come out sorted, so equal
 * reports are equal bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_audit.h"
#include "cmd_audit_agg.h"

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    }
    return h;
}

int cmap_add(struct cmap *m, const char *key, uint64_t n)
{
    size_t i;

    if (m->n * 10 >= m->cap * 7) {
        struct cmap g = { calloc(m->cap ? 2 * m->cap : 64, sizeof(*g.e)),
                          m->cap ? 2 * m->cap : 64, 0 };

        if (g.e == NULL) {
            return -1;
        }
        for (i = 0; i < m->cap; i++) {
            if (m->e[i].key != NULL) {
                size_t j = hash(m->e[i].key, strlen(m->e[i].key)) % g.cap;

                while (g.e[j].key != NULL) {
                    j = (j + 1) % g.cap;
                }
                g.e[j] = m->e[i];
                g.n++;
            }
        }
        free(m->e);
        *m = g;
    }
    i = hash(key, strlen(key)) % m->cap;
    while (m->e[i].key != NULL && strcmp(m->e[i].key, key) != 0) {
        i = (i + 1) % m->cap;
    }
    if (m->e[i].key == NULL) {
        m->e[i].key = strdup(key);
        if (m->e[i].key == NULL) {
            return -1;
        }
        m->n++;
    }
    m->e[i].n += n;
    return 0;
}

static void cmap_free(struct cmap *m)
{
    size_t i;

    for (i = 0; i < m->cap; i++) {
        free(m->e[i].key);
    }
    free(m->e);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct cnt *)a)->key, ((const struct cnt *)b)->key);
}

/* The map's entries, sorted (borrowed keys); NULL when empty or OOM. */
struct cnt *cmap_sorted(const struct cmap *m)
{
    struct cnt *v = calloc(m->n + 1, sizeof(*v));
    size_t i;
    size_t k = 0;

    for (i = 0; v != NULL && i < m->cap; i++) {
        if (m->e[i].key != NULL) {
            v[k++] = m->e[i];
        }
    }
    if (v != NULL && k > 1) {
        qsort(v, k, sizeof(*v), by_key);
    }
    return v;
}

int aud_agg_new(struct aud_agg **out, const struct bb_ruleset *rs,
                const char *key_id)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        cli_error("audit", "out of memory");
        return -1;
    }
    (*out)->rs = rs;
    snprintf((*out)->key_id, sizeof((*out)->key_id), "%s", key_id);
    return 0;
}

/* The index of rule id (with its type) in the interned list. */
long intern(struct aud_agg *a, const char *id, const char *type)
{
    char **ni;
    char **nt;
    size_t i;

    for (i = 0; i < a->n_rules; i++) {
        if (strcmp(a->rule_ids[i], id) == 0) {
            return (long)i;
        }
    }
    ni = realloc(a->rule_ids, (a->n_rules + 1) * sizeof(*ni));
    if (ni != NULL) {
        a->rule_ids = ni;
    }
    nt = realloc(a->rule_types, (a->n_rules + 1) * sizeof(*nt));
    if (nt != NULL) {
        a->rule_types = nt;
    }
    if (ni == NULL || nt == NULL) {
        return -1;
    }
    ni[a->n_rules] = strdup(id);
    nt[a->n_rules] = strdup(type);
    if (ni[a->n_rules] == NULL || nt[a->n_rules] == NULL) {
        free(ni[a->n_rules]);
        free(nt[a->n_rules]);
        return -1;
    }
    return (long)a->n_rules++;
}

/* The interned index of the ruleset's rule. */
static long intern_rule(struct aud_agg *a, size_t rule)
{
    struct bb_rule_info ri;
    long r;

    if (a->rule_map == NULL) {
        a->rule_map = calloc(bb_ruleset_count(a->rs) + 1, sizeof(long));
        if (a->rule_map == NULL) {
            return -1;
        }
    }
    if (a->rule_map[rule] == 0) {
        bb_ruleset_rule(&ri, a->rs, rule, NULL);
        r = intern(a, ri.id, ri.type);
        if (r < 0) {
            return -1;
        }
        a->rule_map[rule] = r + 1;
    }
    return a->rule_map[rule] - 1;
}

/* The slot of fp in a table of cap (a power of two) slots: the
 * fingerprints are keyed hashes, so their first bytes are hash enough. */
static size_t fp_slot(const struct fpe *t, size_t cap, const unsigned char *fp)
{
    uint64_t h;
    size_t i;

    memcpy(&h, fp, sizeof(h));
    i = (size_t)h & (cap - 1);
    while (t[i].rule != 0 && memcmp(t[i].fp, fp, AUD_FP_LEN) != 0) {
        i = (i + 1) & (cap - 1);
    }
    return i;
}

int add_fp(struct aud_agg *a, const unsigned char *fp, uint32_t r)
{
    size_t i;

    if ((a->fp_n + 1) * 10 >= a->fp_cap * 7) {
        size_t nc = a->fp_cap ? 2 * a->fp_cap : 1024;
        struct fpe *nf = calloc(nc, sizeof(*nf));

        if (nf == NULL) {
            return -1;
        }
        for (i = 0; i < a->fp_cap; i++) {
            if (a->fps[i].rule != 0) {
                nf[fp_slot(nf, nc, a->fps[i].fp)] = a->fps[i];
            }
        }
        free(a->fps);
        a->fps = nf;
        a->fp_cap = nc;
    }
    i = fp_slot(a->fps, a->fp_cap, fp);
    if (a->fps[i].rule == 0) {
        memcpy(a->fps[i].fp, fp, AUD_FP_LEN);
        a->fps[i].rule = r + 1;
        a->fp_n++;
    }
    return 0;
}

struct fileinfo *file_of(struct aud_agg *a, const char *name)
{
    struct fileinfo *nf;

    if (a->n_files > 0 && strcmp(a->files[a->n_files - 1].name, name) == 0) {
        return &a->files[a->n_files - 1];
    }
    nf = realloc(a->files, (a->n_files + 1) * sizeof(*nf));
    if (nf == NULL) {
        return NULL;
    }
    a->files = nf;
    memset(&nf[a->n_files], 0, sizeof(*nf));
    nf[a->n_files].name = strdup(name);
    if (nf[a->n_files].name == NULL) {
        return NULL;
    }
    return &nf[a->n_files++];
}

int file_err(struct fileinfo *fi, uint64_t line, const char *msg)
{
    struct aud_lerr *ne = realloc(fi->errs, (fi->n_errs + 1) * sizeof(*ne));

    if (ne == NULL) {
        return -1;
    }
    fi->errs = ne;
    ne[fi->n_errs].line = line;
    ne[fi->n_errs].msg = strdup(msg);
    if (ne[fi->n_errs].msg == NULL) {
        return -1;
    }
    fi->n_errs++;
    return 0;
}

/* Before: more findings, then earlier file, then earlier line. */
static bool worse(const struct worst *x, const struct worst *y)
{
    if (x->findings != y->findings) {
        return x->findings > y->findings;
    }
    if (x->file != y->file) {
        return x->file < y->file;
    }
    return x->line < y->line;
}

/* Offer a record to the top list; takes types (malloc'd). */
void offer(struct aud_agg *a, struct worst w)
{
    size_t i;

    if (a->n_worst == WORST && !worse(&w, &a->worst[WORST - 1])) {
        free(w.types);
        return;
    }
    if (a->n_worst == WORST) {
        free(a->worst[WORST - 1].types);
        a->n_worst--;
    }
    i = a->n_worst;
    while (i > 0 && worse(&w, &a->worst[i - 1])) {
        a->worst[i] = a->worst[i - 1];
        i--;
    }
    a->worst[i] = w;
    a->n_worst++;
}

/* {"EMAIL":2,...} of a record's hits, types sorted. */
static char *types_of(const struct aud_agg *a, const struct aud_hit *h,
                      size_t n)
{
    struct cmap m = { NULL, 0, 0 };
    struct cnt *v;
    cJSON *o = cJSON_CreateObject();
    char *s = NULL;
    size_t i;

    for (i = 0; i < n; i++) {
        struct bb_rule_info ri;

        bb_ruleset_rule(&ri, a->rs, h[i].rule, NULL);
        if (cmap_add(&m, ri.type, 1) < 0) {
            break;
        }
    }
    v = cmap_sorted(&m);
    for (i = 0; o != NULL && v != NULL && i < m.n; i++) {
        cJSON_AddNumberToObject(o, v[i].key, (double)v[i].n);
    }
    if (o != NULL && v != NULL) {
        s = cJSON_PrintUnformatted(o);
    }
    free(v);
    cJSON_Delete(o);
    cmap_free(&m);
    return s;
}

/* A chunk's counts of one (rule, day, path). */
static int add_tally(struct aud_agg *a, const struct aud_tent *t)
{
    struct bb_rule_info ri;
    char day[128];
    long r;

    bb_ruleset_rule(&ri, a->rs, t->rule, NULL);
    r = intern_rule(a, t->rule);
    snprintf(day, sizeof(day), "%s\x1f%s", t->day, ri.type);
    if (r < 0 || cmap_add(&a->by_type, ri.type, t->n) < 0 ||
        cmap_add(&a->by_rule, ri.id, t->n) < 0 ||
        cmap_add(&a->by_path, t->path, t->n) < 0 ||
        (t->day[0] != '\0' && cmap_add(&a->by_day, day, t->n) < 0)) {
        return -1;
    }
    a->findings += t->n;
    return 0;
}

int aud_agg_chunk(struct aud_agg *a, const char *name,
                  const struct aud_chunk *c)
{
    struct fileinfo *fi = file_of(a, name);
    size_t i;

    if (fi == NULL) {
        return -1;
    }
    fi->records += c->records;
    fi->bytes += c->bytes;
    fi->not_json += c->not_json;
    fi->findings += c->n_hits;
    a->records += c->records;
    a->bytes += c->bytes;
    a->not_json += c->not_json;
    a->with += c->n_recs;
    for (i = 0; i < c->tally.cap; i++) {
        if (c->tally.e[i].path != NULL &&
            add_tally(a, &c->tally.e[i]) < 0) {
            return -1;
        }
    }
    for (i = 0; i < c->n_hits; i++) {
        long r = intern_rule(a, c->hits[i].rule);

        if (r < 0 || add_fp(a, c->hits[i].fp, (uint32_t)r) < 0) {
            return -1;
        }
    }
    for (i = 0; i < c->n_recs; i++) {
        struct worst w = { (size_t)(fi - a->files), c->recs[i].line,
                           c->recs[i].findings, NULL };

        if (a->n_worst == WORST && !worse(&w, &a->worst[WORST - 1])) {
            continue; /* not in the top list: no need for its types */
        }
        w.types = types_of(a, c->hits + c->recs[i].first_hit,
                           c->recs[i].findings);
        if (w.types == NULL) {
            return -1;
        }
        offer(a, w);
    }
    for (i = 0; i < c->n_errs; i++) {
        if (file_err(fi, c->errs[i].line, c->errs[i].msg) < 0) {
            return -1;
        }
        a->errors++;
    }
    return 0;
}

int aud_agg_file_error(struct aud_agg *a, const char *name, uint64_t line,
                       const char *msg)
{
    struct fileinfo *fi = file_of(a, name);

    if (fi == NULL || file_err(fi, line, msg) < 0) {
        return -1;
    }
    a->errors++;
    return 0;
}

uint64_t aud_agg_findings(const struct aud_agg *a)
{
    return a->findings;
}

uint64_t aud_agg_errors(const struct aud_agg *a)
{
    return a->errors;
}

void aud_agg_free(struct aud_agg *a)
{
    size_t i;
    size_t j;

    if (a == NULL) {
        return;
    }
    cmap_free(&a->by_type);
    cmap_free(&a->by_rule);
    cmap_free(&a->by_path);
    cmap_free(&a->by_day);
    free(a->fps);
    free(a->rule_map);
    for (i = 0; i < a->n_rules; i++) {
        free(a->rule_ids[i]);
        free(a->rule_types[i]);
    }
    free(a->rule_ids);
    free(a->rule_types);
    for (i = 0; i < a->n_worst; i++) {
        free(a->worst[i].types);
    }
    for (i = 0; i < a->n_files; i++) {
        for (j = 0; j < a->files[i].n_errs; j++) {
            free(a->files[i].errs[j].msg);
        }
        free(a->files[i].errs);
        free(a->files[i].name);
    }
    free(a->files);
    free(a);
}
