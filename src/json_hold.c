/*
 * json_hold.c - string values the JSON scrubber holds whole instead of
 * streaming them: a diverted value (its text goes to the caller, which
 * writes what replaces it: the SSE scrubber's channels), and JSON in JSON
 * (a tool call's "arguments" string that holds a JSON document is
 * scrubbed as JSON, leaves only, and re-encoded). A held value keeps its
 * raw and decoded bytes up to HOLD_MAX; a longer one, or an "arguments"
 * string that is not JSON, is replayed through the tokenizer as an
 * ordinary value, so nothing is lost and memory stays bounded.
 */
#include <string.h>

#include "json_int.h"

#define HOLD_MAX ((size_t)8 << 20)

static const char nest_key[] = "arguments";

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void json_hold_start(struct bb_json_scrubber *j)
{
    size_t i;

    j->hold = H_NONE;
    j->hrn = j->hdn = 0;
    for (i = 0; i < j->ndv; i++) {
        if (json_path_match(j, j->dv[i].path, true)) {
            j->hold = H_DIVERT;
            j->hold_dv = i;
            return;
        }
    }
    if (j->nest && j->scrub_str && j->depth > 0 &&
        j->stack[j->depth - 1] == '{' && !j->key_long &&
        j->key_len == sizeof(nest_key) - 1 &&
        memcmp(j->key, nest_key, j->key_len) == 0) {
        j->hold = H_NEST;
    }
}

/* Stop holding: the held bytes go through the tokenizer again, now as an
 * ordinary scrubbed value (they are whole escapes and plain runs; a UTF-8
 * sequence cut at the end is completed by what follows). */
static int replay(struct bb_json_scrubber *j, struct bb_err *err)
{
    uint64_t pos = j->pos;
    enum state st = j->state;
    int rc;

    j->hold = H_NONE;
    j->scrub_str = true;
    j->state = S_STRING;
    j->utf8_need = 0;
    rc = json_parse(j, (const unsigned char *)j->hraw, j->hrn, err);
    j->pos = pos;
    if (rc == 0 && j->state != S_STRING) {
        rc = bb_seterr(err, BB_ESTATE, "JSON: a held value did not replay");
    }
    j->state = st;
    j->hrn = j->hdn = 0;
    return rc;
}

static int put(char **b, size_t *n, size_t *cap, const char *p, size_t k,
               struct bb_err *err)
{
    if (k == 0) {
        return 0;
    }
    if (*n + k > *cap && bb_grow((void **)b, cap, *n + k, 1, err) < 0) {
        return BB_ENOMEM;
    }
    memcpy(*b + *n, p, k);
    *n += k;
    return 0;
}

int json_hold_bytes(struct bb_json_scrubber *j, const char *raw, size_t rn,
                    const char *dec, size_t dn, struct bb_err *err)
{
    int rc;
    size_t i;

    if (j->hrn + rn > HOLD_MAX) {
        rc = replay(j, err);
        return rc == 0 ? json_content(j, P_TEXT, raw, rn, dec, dn, err) : rc;
    }
    rc = put(&j->hraw, &j->hrn, &j->hrcap, raw, rn, err);
    if (rc == 0) {
        rc = put(&j->hdec, &j->hdn, &j->hdcap, dec, dn, err);
    }
    if (rc < 0 || j->hold != H_NEST) {
        return rc;
    }
    /* only a document that starts with '{' or '[' is tried as JSON */
    for (i = 0; i < j->hdn && is_ws(j->hdec[i]); i++) {
    }
    if (i < j->hdn && j->hdec[i] != '{' && j->hdec[i] != '[') {
        return replay(j, err);
    }
    return 0;
}

/* Raw bytes into the queue, in their turn. */
static int queue_raw(const void *data, size_t len, void *ud)
{
    struct bb_err err;

    return json_structure(ud, data, len, &err) < 0 ? -1 : 0;
}

/* Text into the queue as the body of a JSON string. */
static int queue_escaped(const void *data, size_t len, void *ud)
{
    return json_escape(data, len, queue_raw, ud);
}

/* The inner document's output. */
struct collect {
    char *p;
    size_t n, cap;
};

static int collect(const void *data, size_t len, void *ud)
{
    struct collect *c = ud;
    struct bb_err err;

    return put(&c->p, &c->n, &c->cap, data, len, &err) < 0 ? -1 : 0;
}

/* The held "arguments" value, scrubbed as a JSON document of its own:
 * every string value of it (no skip keys: they name the envelope's
 * fields, not a tool's). Not JSON: BB_EINPUT, nothing written. */
static int nest_end(struct bb_json_scrubber *j, struct bb_err *err)
{
    struct bb_json_scrubber *in = NULL;
    struct collect c = { NULL, 0, 0 };
    size_t i;
    int rc;

    /* what comes before is decided first, so placeholders are numbered
     * in document order whatever the chunking */
    rc = json_dflush(j, err);
    rc = rc == 0 ? stream_release(j->st, err) : rc;
    rc = rc == 0 ? json_drain(j, err) : rc;
    if (rc == 0) {
        rc = json_new(&in, j->rs, j->apply, j->apply_ud, false, collect,
                      &c, err);
    }
    if (rc == 0) {
        strv_dispose(&in->skip);
        in->observe = j->observe;
        in->observe_ud = j->observe_ud;
        rc = bb_json_scrubber_feed(in, j->hdec, j->hdn, err);
    }
    if (rc == 0) {
        rc = bb_json_scrubber_finish(in, err);
    }
    if (rc == 0) {
        for (i = 0; i < bb_ruleset_count(j->rs); i++) {
            j->counts[i] += in->counts[i];
        }
        /* untouched: the value as it was, escapes and all */
        if (c.n == j->hdn && (c.n == 0 || memcmp(c.p, j->hdec, c.n) == 0)) {
            rc = json_structure(j, j->hraw, j->hrn, err);
        } else if (queue_escaped(c.p, c.n, j) < 0) {
            rc = bb_seterr(err, BB_ENOMEM, "out of memory");
        }
    }
    bb_json_scrubber_free(in);
    if (c.p != NULL) {
        bb_wipe(c.p, c.cap);
    }
    bb_free(c.p);
    return rc;
}

int json_hold_end(struct bb_json_scrubber *j, struct bb_err *err)
{
    const struct json_divert *d;
    int rc;

    if (j->hold == H_NEST) {
        rc = nest_end(j, err);
        if (rc == BB_EINPUT) {
            return replay(j, err); /* not JSON: an ordinary value */
        }
        j->hold = H_NONE;
        j->scrub_str = false; /* its replacement is queued */
        return rc;
    }
    d = &j->dv[j->hold_dv];
    j->hold = H_NONE;
    j->scrub_str = false;
    rc = d->fn(d->ud, j->hdec, j->hdn, queue_escaped, j, err);
    if (rc == 1) {
        rc = json_structure(j, j->hraw, j->hrn, err); /* as it was */
    }
    j->hrn = j->hdn = 0;
    return rc;
}

void json_hold_dispose(struct bb_json_scrubber *j)
{
    size_t i;

    if (j->hraw != NULL) {
        bb_wipe(j->hraw, j->hrcap);
    }
    if (j->hdec != NULL) {
        bb_wipe(j->hdec, j->hdcap);
    }
    bb_free(j->hraw);
    bb_free(j->hdec);
    for (i = 0; i < j->ndv; i++) {
        bb_free(j->dv[i].path);
    }
    bb_free(j->dv);
}

int json_divert(struct bb_json_scrubber *j, const char *path,
                json_divert_fn fn, void *ud, struct bb_err *err)
{
    struct json_divert *d;
    int rc = json_track_paths(j, err);

    if (rc < 0) {
        return rc;
    }
    if (j->ndv == j->capdv &&
        bb_grow((void **)&j->dv, &j->capdv, j->ndv + 1, sizeof(*j->dv),
                err) < 0) {
        return BB_ENOMEM;
    }
    d = &j->dv[j->ndv];
    d->path = bb_strdup(path);
    if (d->path == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    d->fn = fn;
    d->ud = ud;
    j->ndv++;
    return 0;
}

void json_divert_clear(struct bb_json_scrubber *j)
{
    size_t i;

    for (i = 0; i < j->ndv; i++) {
        bb_free(j->dv[i].path);
    }
    j->ndv = 0;
}
