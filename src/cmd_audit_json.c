/*
 * cmd_audit_json.c - the audit report's JSON form (what --report json
 * prints and every other format is drawn from), the partial report
 * (the same plus the distinct fingerprints, for audit merge) and the
 * merge that adds a partial back into a report.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_audit.h"
#include "cmd_audit_agg.h"

static cJSON *counts(const struct cmap *m)
{
    cJSON *o = cJSON_CreateObject();
    struct cnt *v = cmap_sorted(m);
    size_t i;

    for (i = 0; o != NULL && v != NULL && i < m->n; i++) {
        cJSON_AddNumberToObject(o, v[i].key, (double)v[i].n);
    }
    free(v);
    return o;
}

/* by_day: "D\x1fTYPE" -> {"D": {"TYPE": n}} (sorted both ways). */
static cJSON *days(const struct cmap *m)
{
    cJSON *o = cJSON_CreateObject();
    struct cnt *v = cmap_sorted(m);
    cJSON *d = NULL;
    size_t i;

    for (i = 0; o != NULL && v != NULL && i < m->n; i++) {
        const char *sep = strchr(v[i].key, '\x1f');
        char day[64];

        if (sep == NULL) {
            continue;
        }
        snprintf(day, sizeof(day), "%.*s", (int)(sep - v[i].key), v[i].key);
        d = cJSON_GetObjectItemCaseSensitive(o, day);
        if (d == NULL) {
            d = cJSON_AddObjectToObject(o, day);
        }
        cJSON_AddNumberToObject(d, sep + 1, (double)v[i].n);
    }
    free(v);
    return o;
}

static cJSON *files(const struct aud_agg *a)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;
    size_t j;

    for (i = 0; arr != NULL && i < a->n_files; i++) {
        const struct fileinfo *fi = &a->files[i];
        cJSON *f = cJSON_CreateObject();
        cJSON *errs = cJSON_AddArrayToObject(f, "errors");

        cJSON_AddItemToArray(arr, f);
        cJSON_AddNumberToObject(f, "bytes", (double)fi->bytes);
        for (j = 0; j < fi->n_errs; j++) {
            cJSON *e = cJSON_CreateObject();

            cJSON_AddNumberToObject(e, "line", (double)fi->errs[j].line);
            cJSON_AddStringToObject(e, "message", fi->errs[j].msg);
            cJSON_AddItemToArray(errs, e);
        }
        cJSON_AddStringToObject(f, "file", fi->name);
        cJSON_AddNumberToObject(f, "findings", (double)fi->findings);
        cJSON_AddNumberToObject(f, "not_json", (double)fi->not_json);
        cJSON_AddNumberToObject(f, "records", (double)fi->records);
    }
    return arr;
}

static cJSON *worst(const struct aud_agg *a)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;

    for (i = 0; arr != NULL && i < a->n_worst; i++) {
        const struct worst *w = &a->worst[i];
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "file", a->files[w->file].name);
        cJSON_AddNumberToObject(o, "findings", (double)w->findings);
        cJSON_AddNumberToObject(o, "line", (double)w->line);
        cJSON_AddItemToObject(o, "types", cJSON_Parse(w->types));
    }
    return arr;
}

cJSON *aud_agg_json(const struct aud_agg *a)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *t;

    if (r == NULL) {
        return NULL;
    }
    cJSON_AddStringToObject(r, "tool", "blackbar");
    cJSON_AddStringToObject(r, "kind", "audit");
    cJSON_AddNumberToObject(r, "version", 1);
    cJSON_AddStringToObject(r, "key_id", a->key_id);
    t = cJSON_AddObjectToObject(r, "totals");
    cJSON_AddNumberToObject(t, "bytes", (double)a->bytes);
    cJSON_AddNumberToObject(t, "distinct", (double)a->fp_n);
    cJSON_AddNumberToObject(t, "errors", (double)a->errors);
    cJSON_AddNumberToObject(t, "files", (double)a->n_files);
    cJSON_AddNumberToObject(t, "findings", (double)a->findings);
    cJSON_AddNumberToObject(t, "not_json", (double)a->not_json);
    cJSON_AddNumberToObject(t, "records", (double)a->records);
    cJSON_AddNumberToObject(t, "records_with_findings", (double)a->with);
    cJSON_AddItemToObject(r, "by_type", counts(&a->by_type));
    cJSON_AddItemToObject(r, "by_rule", counts(&a->by_rule));
    cJSON_AddItemToObject(r, "by_path", counts(&a->by_path));
    cJSON_AddItemToObject(r, "by_day", days(&a->by_day));
    cJSON_AddItemToObject(r, "worst", worst(a));
    cJSON_AddItemToObject(r, "files", files(a));
    return r;
}

/* By rule id, then fingerprint: the same order however the values came
 * (ids: the interned rule ids). */
static int by_fp(const void *x, const void *y, void *ids)
{
    const struct fpe *a = *(const struct fpe *const *)x;
    const struct fpe *b = *(const struct fpe *const *)y;
    char **id = ids;
    int c = a->rule == b->rule ? 0
            : strcmp(id[a->rule - 1], id[b->rule - 1]);

    return c != 0 ? c : memcmp(a->fp, b->fp, AUD_FP_LEN);
}

/* "fingerprints":{"rule":{"type":"T","values":"hexhex..."},...}: one
 * string of sorted fingerprints a rule, which stays small to parse. */
static int put_fps(FILE *f, const struct aud_agg *a)
{
    struct fpe **v = calloc(a->fp_n + 1, sizeof(*v));
    size_t i;
    size_t k = 0;

    if (v == NULL) {
        return -1;
    }
    for (i = 0; i < a->fp_cap; i++) {
        if (a->fps[i].rule != 0) {
            v[k++] = &a->fps[i];
        }
    }
    qsort_r(v, k, sizeof(*v), by_fp, a->rule_ids);
    fputs(",\"fingerprints\":{", f);
    for (i = 0; i < k; i++) {
        size_t b;

        if (i == 0 || v[i]->rule != v[i - 1]->rule) {
            fprintf(f, "%s\"%s\":{\"type\":\"%s\",\"values\":\"",
                    i > 0 ? "\"}," : "", a->rule_ids[v[i]->rule - 1],
                    a->rule_types[v[i]->rule - 1]);
        }
        for (b = 0; b < AUD_FP_LEN; b++) {
            fprintf(f, "%02x", v[i]->fp[b]);
        }
    }
    fputs(k > 0 ? "\"}}" : "}", f);
    free(v);
    return 0;
}

int aud_agg_write(const struct aud_agg *a, FILE *f, bool partial)
{
    cJSON *r = aud_agg_json(a);
    char *s = r != NULL ? cJSON_PrintUnformatted(r) : NULL;
    size_t n = s != NULL ? strlen(s) : 0;
    int rc = 0;

    cJSON_Delete(r);
    if (s == NULL || n < 2) {
        free(s);
        return -1;
    }
    if (fwrite(s, 1, n - 1, f) != n - 1 || (partial && put_fps(f, a) < 0) ||
        fputs("}\n", f) == EOF) {
        rc = -1;
    }
    free(s);
    return rc;
}

uint64_t aud_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) && v->valuedouble > 0 ? (uint64_t)v->valuedouble
                                                   : 0;
}

static int merge_counts(struct cmap *m, const cJSON *o)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, o) {
        if (!cJSON_IsNumber(c) || cmap_add(m, c->string, aud_num(o, c->string))
                                      < 0) {
            return -1;
        }
    }
    return 0;
}

static int merge_days(struct aud_agg *a, const cJSON *o)
{
    const cJSON *d;
    const cJSON *t;
    char key[256];

    cJSON_ArrayForEach(d, o) {
        cJSON_ArrayForEach(t, d) {
            snprintf(key, sizeof(key), "%s\x1f%s", d->string, t->string);
            if (cmap_add(&a->by_day, key, aud_num(d, t->string)) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int merge_fps(struct aud_agg *a, const cJSON *o)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, o) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "type");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "values");
        long idx;
        size_t i;
        size_t n;

        if (!cJSON_IsString(t) || !cJSON_IsString(v)) {
            return -1;
        }
        idx = intern(a, r->string, t->valuestring);
        n = strlen(v->valuestring);
        if (idx < 0 || n % 32 != 0) {
            return -1;
        }
        for (i = 0; i < n; i += 32) {
            unsigned char fp[AUD_FP_LEN];
            char hex[33];

            memcpy(hex, v->valuestring + i, 32);
            hex[32] = '\0';
            if (aud_fp_bin(fp, hex) < 0 ||
                add_fp(a, fp, (uint32_t)idx) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int merge_files(struct aud_agg *a, const cJSON *o)
{
    const cJSON *f;
    const cJSON *e;

    cJSON_ArrayForEach(f, o) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "file");
        struct fileinfo *fi = cJSON_IsString(name)
                                  ? file_of(a, name->valuestring) : NULL;

        if (fi == NULL) {
            return -1;
        }
        fi->bytes += aud_num(f, "bytes");
        fi->records += aud_num(f, "records");
        fi->not_json += aud_num(f, "not_json");
        fi->findings += aud_num(f, "findings");
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(f, "errors")) {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");

            if (file_err(fi, aud_num(e, "line"), cJSON_IsString(m)
                                                 ? m->valuestring : "") < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* Worst records name their file: the last entry of that name. */
static int merge_worst(struct aud_agg *a, const cJSON *o)
{
    const cJSON *w;

    cJSON_ArrayForEach(w, o) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(w, "file");
        const cJSON *types = cJSON_GetObjectItemCaseSensitive(w, "types");
        struct worst x = { 0, aud_num(w, "line"), aud_num(w, "findings"),
                           NULL };
        size_t i = a->n_files;

        while (i > 0 && cJSON_IsString(name) &&
               strcmp(a->files[i - 1].name, name->valuestring) != 0) {
            i--;
        }
        if (i == 0 || !cJSON_IsObject(types)) {
            return -1;
        }
        x.file = i - 1;
        x.types = cJSON_PrintUnformatted(types);
        if (x.types == NULL) {
            return -1;
        }
        offer(a, x);
    }
    return 0;
}

int aud_agg_merge(struct aud_agg *a, const cJSON *r, const char *src)
{
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(r, "kind");
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(r, "key_id");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "totals");
    const cJSON *fps = cJSON_GetObjectItemCaseSensitive(r, "fingerprints");

    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "audit") != 0 ||
        aud_num(r, "version") != 1 || !cJSON_IsString(kid) ||
        !cJSON_IsObject(t)) {
        cli_error("audit", "%s: not a blackbar audit report", src);
        return -1;
    }
    if (!cJSON_IsObject(fps)) {
        cli_error("audit", "%s: a report without its fingerprints: write "
                  "it with --partial", src);
        return -1;
    }
    if (a->key_id[0] == '\0') {
        snprintf(a->key_id, sizeof(a->key_id), "%s", kid->valuestring);
    } else if (strcmp(a->key_id, kid->valuestring) != 0) {
        cli_error("audit", "%s: written with another fingerprint key (key "
                  "id %.16s, not %s): its values cannot be counted with "
                  "the others", src, kid->valuestring, a->key_id);
        return -1;
    }
    a->records += aud_num(t, "records");
    a->bytes += aud_num(t, "bytes");
    a->not_json += aud_num(t, "not_json");
    a->errors += aud_num(t, "errors");
    a->findings += aud_num(t, "findings");
    a->with += aud_num(t, "records_with_findings");
    if (merge_counts(&a->by_type, cJSON_GetObjectItem(r, "by_type")) < 0 ||
        merge_counts(&a->by_rule, cJSON_GetObjectItem(r, "by_rule")) < 0 ||
        merge_counts(&a->by_path, cJSON_GetObjectItem(r, "by_path")) < 0 ||
        merge_days(a, cJSON_GetObjectItem(r, "by_day")) < 0 ||
        merge_fps(a, fps) < 0 ||
        merge_files(a, cJSON_GetObjectItem(r, "files")) < 0 ||
        merge_worst(a, cJSON_GetObjectItem(r, "worst")) < 0) {
        cli_error("audit", "%s: a malformed partial report", src);
        return -1;
    }
    return 0;
}
