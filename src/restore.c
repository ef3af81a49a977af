/*
 * restore.c - the vault (placeholder -> value, sorted, wiped when freed)
 * and the restorer: the way back from scrub. It runs the same stream
 * (text) or JSON scrubber over a ruleset that holds only the internal
 * placeholder rule, and writes for each placeholder the value the vault
 * has for it, and for each escaped "<\" one backslash less; so
 * restore(scrub(x)) == x. A placeholder the vault does not know is left
 * as it is and counted. Values restored in JSON are JSON-escaped.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core.h"
#include "json.h"
#include "sse.h"
#include "stream.h"

struct ventry {
    char *ph;
    size_t plen;
    char *val;
    size_t vlen;
};

struct bb_vault {
    struct ventry *e;
    size_t n, cap;
    bool sorted;
};

int bb_vault_new(struct bb_vault **out, struct bb_err *err)
{
    *out = bb_calloc(1, sizeof(**out));
    return *out ? 0 : bb_seterr(err, BB_ENOMEM, "out of memory");
}

void bb_vault_free(struct bb_vault *v)
{
    size_t i;

    if (v == NULL) {
        return;
    }
    for (i = 0; i < v->n; i++) {
        bb_wipe(v->e[i].val, v->e[i].vlen);
        bb_free(v->e[i].val);
        bb_free(v->e[i].ph);
    }
    bb_free(v->e);
    bb_free(v);
}

int bb_vault_add(struct bb_vault *v, const char *ph, size_t plen,
                 const char *val, size_t vlen, struct bb_err *err)
{
    struct ventry *e;

    if (plen < 3 || ph[0] != '<' || ph[plen - 1] != '>') {
        return bb_seterr(err, BB_EINPUT, "vault: not a placeholder");
    }
    if (bb_grow((void **)&v->e, &v->cap, v->n + 1, sizeof(*v->e), err) < 0) {
        return BB_ENOMEM;
    }
    e = &v->e[v->n];
    e->ph = bb_malloc(plen + 1);
    e->val = bb_malloc(vlen + 1);
    if (e->ph == NULL || e->val == NULL) {
        bb_free(e->ph);
        bb_free(e->val);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    memcpy(e->ph, ph, plen);
    e->ph[plen] = '\0';
    memcpy(e->val, val, vlen);
    e->val[vlen] = '\0';
    e->plen = plen;
    e->vlen = vlen;
    v->n++;
    v->sorted = false;
    return 0;
}

/* One line: {"placeholder":"<EMAIL_1>","value":"..."}; blank lines are
 * skipped. */
int bb_vault_load(struct bb_vault *v, const char *text, size_t len,
                  struct bb_err *err)
{
    size_t at = 0;
    size_t line = 0;
    int rc = 0;

    while (rc == 0 && at < len) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        cJSON *o;
        const cJSON *p;
        const cJSON *val;

        line++;
        if (end > at) {
            o = cJSON_ParseWithLength(text + at, end - at);
            p = cJSON_GetObjectItemCaseSensitive(o, "placeholder");
            val = cJSON_GetObjectItemCaseSensitive(o, "value");
            if (!cJSON_IsString(p) || !cJSON_IsString(val)) {
                rc = bb_seterr(err, BB_EINPUT, "vault line %zu: not a "
                               "{\"placeholder\",\"value\"} record", line);
            } else {
                rc = bb_vault_add(v, p->valuestring, strlen(p->valuestring),
                                  val->valuestring,
                                  strlen(val->valuestring), err);
            }
            if (cJSON_IsString(val)) {
                bb_wipe(val->valuestring, strlen(val->valuestring));
            }
            cJSON_Delete(o);
        }
        at = end + 1;
    }
    return rc;
}

static int ent_cmp(const void *a, const void *b)
{
    const struct ventry *x = a;
    const struct ventry *y = b;
    size_t n = x->plen < y->plen ? x->plen : y->plen;
    int c = memcmp(x->ph, y->ph, n);

    return c != 0 ? c : (x->plen > y->plen) - (x->plen < y->plen);
}

static const struct ventry *lookup(struct bb_vault *v, const char *ph,
                                   size_t plen)
{
    struct ventry key;

    if (!v->sorted) {
        qsort(v->e, v->n, sizeof(*v->e), ent_cmp);
        v->sorted = true;
    }
    key.ph = (char *)ph;
    key.plen = plen;
    return v->n ? bsearch(&key, v->e, v->n, sizeof(*v->e), ent_cmp) : NULL;
}

struct bb_restorer {
    struct bb_ruleset *rs; /* only the placeholder rule */
    struct bb_vault *v;
    struct stream *st;     /* text, or NULL */
    struct bb_json_scrubber *js;
    struct bb_sse_scrubber *sse;
    bb_write_fn write;
    void *ud;
    uint64_t restored, unknown;
};

/* A placeholder-shaped finding: its value, or one backslash less. */
static int put_back(void *ud, const struct bb_finding *f, bb_write_fn write,
                    void *wud, struct bb_err *err)
{
    struct bb_restorer *r = ud;
    const struct ventry *e;
    const char *p = f->value;
    size_t n = f->length;

    if (n >= 2 && p[1] == '\\') {
        p = "<";
        n = 1; /* "<\" was "<" before scrub escaped it */
    } else if ((e = lookup(r->v, p, n)) != NULL) {
        p = e->val;
        n = e->vlen;
        r->restored++;
    } else {
        r->unknown++;
    }
    if (n > 0 && write(p, n, wud) != 0) {
        return bb_seterr(err, BB_EIO, "write failed");
    }
    return 0;
}

static int on_text(void *ud, const char *p, size_t n, struct bb_err *err)
{
    struct bb_restorer *r = ud;

    if (n > 0 && r->write(p, n, r->ud) != 0) {
        return bb_seterr(err, BB_EIO, "write failed");
    }
    return 0;
}

static int on_finding(void *ud, const struct bb_finding *f,
                      struct bb_err *err)
{
    struct bb_restorer *r = ud;

    return put_back(r, f, r->write, r->ud, err);
}

/* The rules of a restorer (the placeholder rule only) are the same for
 * every restorer: compiled once, shared (read-only) by all threads. */
static struct bb_ruleset *placeholders;
static struct bb_err placeholders_err;
static pthread_once_t placeholders_once = PTHREAD_ONCE_INIT;

static void placeholders_build(void)
{
    struct bb_ruleset *rs = NULL;

    if (bb_ruleset_new(&rs, NULL, &placeholders_err) < 0 ||
        bb_ruleset_compile(rs, &placeholders_err) < 0) {
        bb_ruleset_free(rs);
        return;
    }
    placeholders = rs;
}

int bb_restorer_new(struct bb_restorer **out, struct bb_vault *v,
                    enum bb_format format, bb_write_fn write, void *userdata,
                    struct bb_err *err)
{
    struct bb_restorer *r;
    struct stream_sink sink;
    int rc;

    if (v == NULL || write == NULL) {
        return bb_seterr(err, BB_EINVAL, "restorer needs a vault and a "
                         "write function");
    }
    r = bb_calloc(1, sizeof(*r));
    if (r == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    r->v = v;
    r->write = write;
    r->ud = userdata;
    pthread_once(&placeholders_once, placeholders_build);
    r->rs = placeholders;
    rc = r->rs != NULL ? 0
                       : bb_seterr(err, placeholders_err.code, "%s",
                                   placeholders_err.msg);
    sink.text = on_text;
    sink.finding = on_finding;
    sink.ud = r;
    if (rc == 0 && format == BB_FORMAT_TEXT) {
        rc = stream_new(&r->st, r->rs, -1, &sink, err);
    } else if (rc == 0 && format == BB_FORMAT_SSE) {
        rc = sse_new(&r->sse, r->rs, put_back, r, write, userdata, err);
    } else if (rc == 0) {
        rc = json_new(&r->js, r->rs, put_back, r,
                      format == BB_FORMAT_JSONL, write, userdata, err);
    }
    if (rc < 0) {
        bb_restorer_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int bb_restorer_feed(struct bb_restorer *r, const void *data, size_t len,
                     struct bb_err *err)
{
    if (r->sse != NULL) {
        return bb_sse_scrubber_feed(r->sse, data, len, err);
    }
    return r->st ? stream_feed(r->st, data, len, err)
                 : bb_json_scrubber_feed(r->js, data, len, err);
}

int bb_restorer_finish(struct bb_restorer *r, struct bb_err *err)
{
    if (r->sse != NULL) {
        return bb_sse_scrubber_finish(r->sse, err);
    }
    return r->st ? stream_finish(r->st, err)
                 : bb_json_scrubber_finish(r->js, err);
}

uint64_t bb_restorer_restored(const struct bb_restorer *r)
{
    return r->restored;
}

uint64_t bb_restorer_unknown(const struct bb_restorer *r)
{
    return r->unknown;
}

void bb_restorer_free(struct bb_restorer *r)
{
    if (r == NULL) {
        return;
    }
    stream_free(r->st);
    bb_json_scrubber_free(r->js);
    bb_sse_scrubber_free(r->sse);
    bb_free(r);
}
