/*
 * cmd_audit_scan.c - audit's worker: each line of a chunk is a record;
 * a JSON record has every string value scanned on its own (one segment
 * of the worker's long-lived scrubber) and each finding is tied to the
 * value's JSON path; a line that is not JSON is scanned as text. Values
 * never leave this file: findings carry a masked form and a keyed
 * fingerprint.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_audit.h"

static const char *const time_keys[] = { "timestamp", "created_at",
                                         "created", "time", "ts",
                                         "@timestamp", "date", "start_time",
                                         NULL };

struct val {
    uint64_t off;   /* where the value starts in the scrubber's stream */
    size_t path;    /* offset of its path in paths */
};

struct raw {
    uint64_t off;
    size_t rule;
    char fp[BB_FINGERPRINT_HEX + 1];
    char masked[64];
};

struct aud_worker {
    const struct aud_opts *o;
    struct bb_redactor *rd;
    struct bb_fingerprinter *fpr;
    struct bb_scrubber *s;
    struct val *vals;
    size_t n_vals;
    size_t cap_vals;
    char *paths;        /* the values' paths, NUL-separated */
    size_t paths_len;
    size_t paths_cap;
    char path[4096];    /* the path being walked */
    struct raw *raw;
    size_t n_raw;
    size_t cap_raw;
    int failed;
    struct aud_wcopy *copy;     /* --redact-to */
};

static int discard(const void *data, size_t len, void *userdata)
{
    (void)data;
    (void)len;
    (void)userdata;
    return 0;
}

static int observe(const struct bb_finding *f, void *userdata)
{
    struct aud_worker *w = userdata;
    struct bb_rule_info ri;
    struct raw *r;

    if (!w->o->report_rule[f->rule]) {
        return 0;
    }
    if (w->n_raw == w->cap_raw) {
        size_t nc = w->cap_raw ? 2 * w->cap_raw : 16;
        struct raw *nr = realloc(w->raw, nc * sizeof(*nr));

        if (nr == NULL) {
            w->failed = BB_ENOMEM;
            return BB_ENOMEM;
        }
        w->raw = nr;
        w->cap_raw = nc;
    }
    r = &w->raw[w->n_raw];
    bb_ruleset_rule(&ri, w->o->rs, f->rule, NULL);
    if (cli_finding_marks(r->fp, r->masked, sizeof(r->masked), w->fpr,
                          ri.id, f, NULL) < 0) {
        w->failed = BB_EINVAL;
        return BB_EINVAL;
    }
    r->off = f->offset;
    r->rule = f->rule;
    w->n_raw++;
    return 0;
}

int aud_worker_new(void **out, void *opts)
{
    struct aud_worker *w = calloc(1, sizeof(*w));
    struct bb_err err;

    *out = NULL;
    if (w == NULL) {
        cli_error("audit", "out of memory");
        return -1;
    }
    w->o = opts;
    /* output is discarded: "remove" keeps no table of the values seen,
     * which placeholders would, growing with every distinct value */
    if (bb_redactor_new(&w->rd, w->o->rs, &err) < 0 ||
        bb_redactor_set_operator(w->rd, "remove", &err) < 0 ||
        bb_fingerprinter_new(&w->fpr, w->o->key, w->o->key_len, &err) < 0 ||
        bb_scrubber_new(&w->s, w->o->rs, w->rd, discard, NULL, &err) < 0) {
        cli_fail("audit", &err);
        aud_worker_free(w);
        return -1;
    }
    bb_scrubber_on_finding(w->s, observe, w);
    if (w->o->redact_dir != NULL && aud_wcopy_new(&w->copy, w->o) < 0) {
        aud_worker_free(w);
        return -1;
    }
    *out = w;
    return 0;
}

void aud_worker_free(void *worker)
{
    struct aud_worker *w = worker;

    if (w == NULL) {
        return;
    }
    bb_scrubber_free(w->s);
    bb_redactor_free(w->rd);
    bb_fingerprinter_free(w->fpr);
    aud_wcopy_free(w->copy);
    free(w->vals);
    free(w->paths);
    free(w->raw);
    free(w);
}

static int oom(struct bb_err *err)
{
    err->code = BB_ENOMEM;
    snprintf(err->msg, sizeof(err->msg), "out of memory");
    return BB_ENOMEM;
}

/* Remember where a value starts and its path (w->path). */
static int add_val(struct aud_worker *w)
{
    size_t pn = strlen(w->path) + 1;

    if (w->n_vals == w->cap_vals) {
        size_t nc = w->cap_vals ? 2 * w->cap_vals : 64;
        struct val *nv = realloc(w->vals, nc * sizeof(*nv));

        if (nv == NULL) {
            return -1;
        }
        w->vals = nv;
        w->cap_vals = nc;
    }
    if (w->paths_len + pn > w->paths_cap) {
        size_t nc = (w->paths_len + pn) * 2 + 256;
        char *np = realloc(w->paths, nc);

        if (np == NULL) {
            return -1;
        }
        w->paths = np;
        w->paths_cap = nc;
    }
    memcpy(w->paths + w->paths_len, w->path, pn);
    w->vals[w->n_vals].off = bb_scrubber_bytes_in(w->s);
    w->vals[w->n_vals].path = w->paths_len;
    w->paths_len += pn;
    w->n_vals++;
    return 0;
}

/* Scan one text as a segment of its own. */
static int scan_text(struct aud_worker *w, const char *p, size_t n,
                     struct bb_err *err)
{
    int rc;

    if (add_val(w) < 0) {
        return oom(err);
    }
    rc = bb_scrubber_append(w->s, p, n, err);
    return rc < 0 ? rc : bb_scrubber_end_segment(w->s, err);
}

/* Is path at or under the pattern? "[*]" in it stands for any index. */
static bool under(const char *pat, const char *path)
{
    while (*pat != '\0') {
        if (pat[0] == '[' && pat[1] == '*' && pat[2] == ']' &&
            path[0] == '[') {
            const char *e = strchr(path, ']');

            if (e == NULL) {
                return false;
            }
            pat += 3;
            path = e + 1;
            continue;
        }
        if (*pat != *path) {
            return false;
        }
        pat++;
        path++;
    }
    return *path == '\0' || *path == '.' || *path == '[';
}

static bool wanted(const struct aud_opts *o, const char *path)
{
    size_t i;

    if (o->n_fields == 0) {
        return true;
    }
    for (i = 0; i < o->n_fields; i++) {
        if (under(o->fields[i], path)) {
            return true;
        }
    }
    return false;
}

/* Walk a JSON value: every string at a wanted path is scanned. */
static int walk(struct aud_worker *w, const cJSON *v, struct bb_err *err)
{
    size_t at = strlen(w->path);
    const cJSON *c;
    size_t i = 0;
    int rc = 0;

    if (cJSON_IsString(v) && v->valuestring != NULL) {
        if (!wanted(w->o, w->path)) {
            return 0;
        }
        return scan_text(w, v->valuestring, strlen(v->valuestring), err);
    }
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
        return 0;
    }
    cJSON_ArrayForEach(c, v) {
        int n = cJSON_IsArray(v)
                    ? snprintf(w->path + at, sizeof(w->path) - at, "[%zu]",
                               i)
                    : snprintf(w->path + at, sizeof(w->path) - at, "%s%s",
                               at > 0 ? "." : "",
                               c->string ? c->string : "");

        if (n < 0 || (size_t)n >= sizeof(w->path) - at) {
            w->path[at] = '\0'; /* too deep to name: named by its parent */
        }
        rc = walk(w, c, err);
        w->path[at] = '\0';
        if (rc < 0) {
            break;
        }
        i++;
    }
    return rc;
}

/* The record's day (YYYY-MM-DD) from its time field, or "". */
static void find_day(const struct aud_opts *o, const cJSON *root,
                     char day[11])
{
    const cJSON *t = NULL;
    size_t i;

    day[0] = '\0';
    if (o->time_field != NULL) {
        char key[256];
        const char *p = o->time_field;

        t = root;
        while (t != NULL && *p != '\0') {
            size_t n = strcspn(p, ".");

            snprintf(key, sizeof(key), "%.*s", (int)n, p);
            t = cJSON_GetObjectItemCaseSensitive(t, key);
            p += n + (p[n] == '.');
        }
    }
    for (i = 0; o->time_field == NULL && t == NULL && time_keys[i]; i++) {
        t = cJSON_GetObjectItemCaseSensitive(root, time_keys[i]);
    }
    if (cJSON_IsString(t) && strlen(t->valuestring) >= 10) {
        const char *s = t->valuestring;
        bool ok = s[4] == '-' && s[7] == '-';

        for (i = 0; ok && i < 10; i++) {
            ok = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
        }
        if (ok) {
            memcpy(day, s, 10);
            day[10] = '\0';
        }
    } else if (cJSON_IsNumber(t) && t->valuedouble > 0) {
        double v = t->valuedouble;
        time_t secs = (time_t)(v > 1e12 ? v / 1000 : v);
        struct tm tm;

        if (gmtime_r(&secs, &tm) != NULL) {
            strftime(day, 11, "%Y-%m-%d", &tm);
        }
    }
}

/* Well-formed UTF-8 without NUL bytes: text that is not binary data. */
static bool is_text(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = p[i];
        size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1
                   : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;

        if (c == 0 || k == 9 || (k > 0 && c < 0xc2) || i + k >= n) {
            return false;
        }
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += k + 1;
    }
    return true;
}

static int by_off(const void *a, const void *b)
{
    const struct raw *x = a;
    const struct raw *y = b;

    if (x->off != y->off) {
        return x->off < y->off ? -1 : 1;
    }
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* The record's findings, each tied to the value it is in. */
static int collect(struct aud_worker *w, struct aud_chunk *c,
                   uint64_t line, const char *day)
{
    size_t i;

    if (w->n_raw > 1) {
        qsort(w->raw, w->n_raw, sizeof(*w->raw), by_off);
    }
    for (i = 0; i < w->n_raw; i++) {
        const struct raw *r = &w->raw[i];
        struct aud_find d = { line, r->rule, "", r->fp, r->masked, day };
        size_t lo = 0;
        size_t hi = w->n_vals;

        while (hi - lo > 1) { /* the last value starting at or before */
            size_t mid = lo + (hi - lo) / 2;

            if (w->vals[mid].off <= r->off) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if (w->n_vals > 0) {
            d.path = w->paths + w->vals[lo].path;
        }
        if (aud_chunk_finding(c, w->o, &d) < 0) {
            return -1;
        }
    }
    return 0;
}

static int add_rec(struct aud_chunk *c, uint64_t line, size_t n)
{
    if (c->n_recs == c->cap_recs) {
        size_t nc = c->cap_recs ? 2 * c->cap_recs : 64;
        struct aud_rec *nr = realloc(c->recs, nc * sizeof(*nr));

        if (nr == NULL) {
            return -1;
        }
        c->recs = nr;
        c->cap_recs = nc;
    }
    c->recs[c->n_recs].line = line;
    c->recs[c->n_recs].findings = n;
    c->recs[c->n_recs].first_hit = c->n_hits - n;
    c->n_recs++;
    return 0;
}

/* After a scan error the scrubber is spent: a new one. */
static int renew(struct aud_worker *w)
{
    struct bb_err err;

    bb_scrubber_free(w->s);
    w->s = NULL;
    if (bb_scrubber_new(&w->s, w->o->rs, w->rd, discard, NULL, &err) < 0) {
        cli_fail("audit", &err);
        return -1;
    }
    bb_scrubber_on_finding(w->s, observe, w);
    return 0;
}

static int record(struct aud_worker *w, struct aud_chunk *c, uint64_t line,
                  const char *p, size_t n, bool nl)
{
    struct bb_err err = { 0, "" };
    const char *end = NULL;
    cJSON *root = NULL;
    char day[11] = "";
    size_t nh;
    int rc;

    c->records++;
    if ((uint64_t)n > w->o->max_record) {
        c->out_bad = true;
        return aud_chunk_err(c, line, "line longer than --max-record: "
                             "skipped, not scanned");
    }
    w->path[0] = '\0';
    w->n_vals = 0;
    w->paths_len = 0;
    w->n_raw = 0;
    root = cJSON_ParseWithLengthOpts(p, n, &end, false);
    while (root != NULL && end < p + n &&
           (*end == ' ' || *end == '\t' || *end == '\r')) {
        end++;
    }
    if (root != NULL && end == p + n) {
        find_day(w->o, root, day);
        rc = walk(w, root, &err);
        if (w->copy != NULL) {
            aud_wcopy_json(w->copy, p, n + nl);
        }
    } else {
        if (w->copy != NULL) {
            aud_wcopy_text(w->copy, p, n, nl);
        }
        c->not_json++;
        if (!is_text((const unsigned char *)p, n) &&
            aud_chunk_err(c, line, "binary data (not UTF-8 text): "
                          "scanned as bytes") < 0) {
            rc = oom(&err);
        } else {
            rc = scan_text(w, p, n, &err);
        }
    }
    cJSON_Delete(root);
    if (rc == 0) {
        rc = bb_scrubber_release(w->s, &err);
    }
    if (rc == BB_ENOMEM || w->failed != 0) {
        cli_error("audit", "out of memory");
        return -1;
    }
    if (rc < 0) {
        char msg[300];

        snprintf(msg, sizeof(msg), "cannot be scanned: %s", err.msg);
        w->n_raw = 0;
        return renew(w) < 0 || aud_chunk_err(c, line, msg) < 0 ? -1 : 0;
    }
    nh = w->n_raw;
    if (collect(w, c, line, day) < 0 || (nh > 0 && add_rec(c, line, nh) <
                                                     0)) {
        cli_error("audit", "out of memory");
        return -1;
    }
    return 0;
}

int aud_worker_run(void *worker, struct cli_job *job)
{
    struct aud_worker *w = worker;
    struct aud_chunk *c = (struct aud_chunk *)job;
    const char *p = c->data;
    const char *end = c->data != NULL ? c->data + c->len : NULL;
    uint64_t line = c->first_line;

    if (w->copy != NULL && aud_wcopy_start(w->copy, c) < 0) {
        return -1;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl != NULL ? nl : end;
        size_t n = (size_t)(e - p);
        size_t k = 0;

        while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r')) {
            k++;
        }
        if (k < n && record(w, c, line, p, n, nl != NULL) < 0) {
            return -1;
        }
        if (k == n && w->copy != NULL) {
            aud_wcopy_blank(w->copy, p, n + (nl != NULL));
        }
        line++;
        p = e + (nl != NULL);
    }
    if (w->copy != NULL && aud_wcopy_end(w->copy) < 0) {
        return -1;
    }
    if (aud_chunk_seal(c) < 0) {
        cli_error("audit", "out of memory");
        return -1;
    }
    return w->failed != 0 ? -1 : 0;
}
