/*
 * json_api.c - the JSON scrubber's public functions: making one (the
 * default skip keys), its options (skip keys, --json-only paths, bad
 * records skipped, threads, a finding observer), feeding, finishing and
 * freeing it. The tokenizer is in json.c, the output queue in
 * json_queue.c, held values in json_hold.c.
 */
#include <string.h>

#include "json_int.h"
#include "ruleset.h"

static const char *const default_skip[] = {
    "model", "role", "type", "id", "object", "call_id", "tool_call_id",
    "name", "index", "finish_reason", "stop_reason", "status",
    "signature", "encrypted_content", "thinking", "created",
    "system_fingerprint", "thoughtSignature", "thought_signature",
};


static int redactor_apply(void *ud, const struct bb_finding *f,
                          bb_write_fn write, void *wud, struct bb_err *err)
{
    return bb_redactor_apply(ud, f, write, wud, err);
}

int bb_json_scrubber_new(struct bb_json_scrubber **out,
                         const struct bb_ruleset *rs, struct bb_redactor *rd,
                         bool lines, bb_write_fn write, void *userdata,
                         struct bb_err *err)
{
    if (rd == NULL) {
        return bb_seterr(err, BB_EINVAL, "JSON scrubber needs a redactor");
    }
    return json_new(out, rs, redactor_apply, rd, lines, write, userdata,
                    err);
}

int json_new(struct bb_json_scrubber **out, const struct bb_ruleset *rs,
             json_apply_fn apply, void *apply_ud, bool lines,
             bb_write_fn write, void *userdata, struct bb_err *err)
{
    struct bb_json_scrubber *j;
    struct stream_sink sink;
    size_t i;
    int rc = 0;

    if (rs == NULL || apply == NULL || write == NULL) {
        return bb_seterr(err, BB_EINVAL, "JSON scrubber needs rules, a "
                         "redactor and a write function");
    }
    j = bb_calloc(1, sizeof(*j));
    if (j == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    j->rs = rs;
    j->apply = apply;
    j->apply_ud = apply_ud;
    j->write = write;
    j->ud = userdata;
    j->lines = lines;
    j->nest = true;
    j->state = S_VALUE;
    j->counts = bb_calloc(rs->n + 1, sizeof(*j->counts));
    j->skip.v = bb_calloc(sizeof(default_skip) / sizeof(default_skip[0]) + 1,
                          sizeof(*j->skip.v));
    if (j->counts == NULL || j->skip.v == NULL) {
        rc = bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; rc == 0 && i < sizeof(default_skip) / sizeof(*default_skip);
         i++) {
        j->skip.v[i] = bb_strdup(default_skip[i]);
        rc = j->skip.v[i] ? 0 : bb_seterr(err, BB_ENOMEM, "out of memory");
        j->skip.n += rc == 0;
    }
    sink.text = json_on_text;
    sink.finding = json_on_finding;
    sink.ud = j;
    if (rc == 0) {
        rc = stream_new(&j->st, rs, -1, &sink, err);
    }
    if (rc < 0) {
        bb_json_scrubber_free(j);
        return rc;
    }
    *out = j;
    return 0;
}

void bb_json_scrubber_on_finding(struct bb_json_scrubber *j,
                                 bb_finding_fn fn, void *userdata)
{
    j->observe = fn;
    j->observe_ud = userdata;
}

int bb_json_scrubber_skip_key(struct bb_json_scrubber *j, const char *key,
                              struct bb_err *err)
{
    char **v;

    if (key == NULL || key[0] == '\0' || strlen(key) > KEY_MAX) {
        return bb_seterr(err, BB_EINVAL, "a skip key has 1 to %d bytes",
                         KEY_MAX);
    }
    v = bb_realloc(j->skip.v, (j->skip.n + 1) * sizeof(*v));
    if (v == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    j->skip.v = v;
    v[j->skip.n] = bb_strdup(key);
    if (v[j->skip.n] == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    j->skip.n++;
    return 0;
}

static int check_state(const struct bb_json_scrubber *j, struct bb_err *err)
{
    if (j->failed || j->finished) {
        return bb_seterr(err, BB_ESTATE, "JSON scrubber already %s",
                         j->failed ? "failed" : "finished");
    }
    return 0;
}

int bb_json_scrubber_feed(struct bb_json_scrubber *j, const void *data,
                          size_t len, struct bb_err *err)
{
    int rc = check_state(j, err);

    if (rc == 0) {
        rc = json_parse(j, data, len, err);
    }
    /* what the values closed so far decide goes out now */
    if (rc == 0) {
        rc = json_dflush(j, err);
    }
    if (rc == 0) {
        rc = stream_release(j->st, err);
    }
    if (rc == 0) {
        rc = json_drain(j, err);
    }
    if (rc == 0) {
        rc = json_oflush(j, err);
    }
    j->failed = rc < 0;
    return rc;
}

int bb_json_scrubber_finish(struct bb_json_scrubber *j, struct bb_err *err)
{
    int rc = check_state(j, err);

    if (rc == 0) {
        rc = json_parse_end(j, err);
    }
    if (rc == 0) {
        rc = json_dflush(j, err);
    }
    if (rc == 0) {
        rc = stream_finish(j->st, err);
    }
    if (rc == 0) {
        rc = json_drain(j, err);
    }
    if (rc == 0 && j->skip_bad) {
        rc = json_commit(j, err); /* a last record without its newline */
    }
    if (rc == 0) {
        rc = json_oflush(j, err);
    }
    j->failed = rc < 0;
    j->finished = rc == 0;
    return rc;
}

int bb_json_scrubber_set_threads(struct bb_json_scrubber *j, unsigned n,
                                 struct bb_err *err)
{
    if (j->pos > 0) {
        return bb_seterr(err, BB_ESTATE, "threads must be set before the "
                         "first feed");
    }
    return stream_set_threads(j->st, n, err);
}

int json_track_paths(struct bb_json_scrubber *j, struct bb_err *err)
{
    if (j->lkey == NULL) {
        j->lkey = bb_calloc(MAX_DEPTH, sizeof(*j->lkey));
        j->lkey_len = bb_calloc(MAX_DEPTH, sizeof(*j->lkey_len));
        j->lidx = bb_calloc(MAX_DEPTH, sizeof(*j->lidx));
        if (j->lkey == NULL || j->lkey_len == NULL || j->lidx == NULL) {
            return bb_seterr(err, BB_ENOMEM, "out of memory");
        }
    }
    return 0;
}

int bb_json_scrubber_only(struct bb_json_scrubber *j, const char *path,
                          struct bb_err *err)
{
    char **v;

    if (j->pos > 0) {
        return bb_seterr(err, BB_ESTATE, "paths must be set before the "
                         "first feed");
    }
    if (path == NULL || path[0] == '\0' || path[0] == '.' ||
        strstr(path, "..") != NULL) {
        return bb_seterr(err, BB_EINVAL, "bad JSON path \"%s\"",
                         path ? path : "");
    }
    if (json_track_paths(j, err) < 0) {
        return BB_ENOMEM;
    }
    v = bb_realloc(j->only.v, (j->only.n + 1) * sizeof(*v));
    if (v == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    j->only.v = v;
    v[j->only.n] = bb_strdup(path);
    if (v[j->only.n] == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    j->only.n++;
    return 0;
}

int bb_json_scrubber_skip_bad(struct bb_json_scrubber *j, bool skip,
                              struct bb_err *err)
{
    if (j->pos > 0 || !j->lines) {
        return bb_seterr(err, BB_ESTATE, "skipping bad records is for JSON "
                         "Lines, set before the first feed");
    }
    j->skip_bad = skip;
    return 0;
}

uint64_t bb_json_scrubber_skipped(const struct bb_json_scrubber *j)
{
    return j->skipped;
}

const uint64_t *bb_json_scrubber_counts(const struct bb_json_scrubber *j)
{
    return j->counts;
}

void bb_json_scrubber_free(struct bb_json_scrubber *j)
{
    if (j == NULL) {
        return;
    }
    stream_free(j->st);
    if (j->raw != NULL) {
        bb_wipe(j->raw, j->raw_cap);
    }
    if (j->rec != NULL) {
        bb_wipe(j->rec, j->rcap);
    }
    bb_free(j->rec);
    bb_wipe(j->dbuf, sizeof(j->dbuf));
    bb_wipe(j->key, sizeof(j->key));
    bb_free(j->raw);
    bb_free(j->pc);
    bb_free(j->counts);
    strv_dispose(&j->skip);
    strv_dispose(&j->only);
    bb_free(j->lkey);
    bb_free(j->lkey_len);
    bb_free(j->lidx);
    json_hold_dispose(j);
    bb_free(j);
}
