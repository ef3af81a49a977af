/*
 * scrub.c - the text scrubber: a stream whose findings go through the
 * redactor and whose other bytes pass through unchanged. Counts
 * findings per rule. Knows no file descriptors: output goes to a
 * caller's write function.
 */
#include <string.h>

#include "core.h"
#include "ruleset.h"
#include "stream.h"

struct bb_scrubber {
    const struct bb_ruleset *rs;
    struct bb_redactor *rd;
    struct stream *st;
    bb_write_fn write;
    void *ud;
    bb_finding_fn observe;
    void *observe_ud;
    uint64_t *counts;
};

static int on_text(void *ud, const char *p, size_t n, struct bb_err *err)
{
    struct bb_scrubber *s = ud;

    if (s->write(p, n, s->ud) != 0) {
        return bb_seterr(err, BB_EIO, "write failed");
    }
    return 0;
}

static int on_finding(void *ud, const struct bb_finding *f,
                      struct bb_err *err)
{
    struct bb_scrubber *s = ud;
    int rc;

    s->counts[f->rule]++;
    if (s->observe != NULL) {
        rc = s->observe(f, s->observe_ud);
        if (rc < 0) {
            return bb_seterr(err, rc, "finding observer failed");
        }
    }
    if (bb_rule_keeps(s->rs, f->rule)) {
        return 0; /* the stream passes its bytes on as text */
    }
    return bb_redactor_apply(s->rd, f, s->write, s->ud, err);
}

int bb_scrubber_new(struct bb_scrubber **out, const struct bb_ruleset *rs,
                    struct bb_redactor *rd, bb_write_fn write,
                    void *userdata, struct bb_err *err)
{
    struct bb_scrubber *s;
    struct stream_sink sink;
    int rc;

    if (rs == NULL || rd == NULL || write == NULL) {
        return bb_seterr(err, BB_EINVAL, "scrubber needs rules, a redactor "
                         "and a write function");
    }
    s = bb_calloc(1, sizeof(*s));
    if (s == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    s->rs = rs;
    s->rd = rd;
    s->write = write;
    s->ud = userdata;
    s->counts = bb_calloc(rs->n + 1, sizeof(*s->counts));
    sink.text = on_text;
    sink.finding = on_finding;
    sink.ud = s;
    rc = s->counts ? stream_new(&s->st, rs, -1, &sink, err)
                   : bb_seterr(err, BB_ENOMEM, "out of memory");
    if (rc < 0) {
        bb_scrubber_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void bb_scrubber_on_finding(struct bb_scrubber *s, bb_finding_fn fn,
                            void *userdata)
{
    s->observe = fn;
    s->observe_ud = userdata;
}

int bb_scrubber_set_threads(struct bb_scrubber *s, unsigned n,
                            struct bb_err *err)
{
    if (stream_bytes_in(s->st) > 0) {
        return bb_seterr(err, BB_ESTATE, "threads must be set before the "
                         "first feed");
    }
    return stream_set_threads(s->st, n, err);
}

int bb_scrubber_feed(struct bb_scrubber *s, const void *data, size_t len,
                     struct bb_err *err)
{
    return stream_feed(s->st, data, len, err);
}

int bb_scrubber_append(struct bb_scrubber *s, const void *data,
                       size_t len, struct bb_err *err)
{
    return stream_append(s->st, data, len, err);
}

int bb_scrubber_end_segment(struct bb_scrubber *s, struct bb_err *err)
{
    return stream_end_segment(s->st, err);
}

int bb_scrubber_release(struct bb_scrubber *s, struct bb_err *err)
{
    return stream_release(s->st, err);
}

int bb_scrubber_finish(struct bb_scrubber *s, struct bb_err *err)
{
    return stream_finish(s->st, err);
}

const uint64_t *bb_scrubber_counts(const struct bb_scrubber *s)
{
    return s->counts;
}

uint64_t bb_scrubber_bytes_in(const struct bb_scrubber *s)
{
    return stream_bytes_in(s->st);
}

size_t bb_scrubber_max_hold(const struct bb_scrubber *s)
{
    return stream_max_hold(s->st);
}

void bb_scrubber_free(struct bb_scrubber *s)
{
    if (s == NULL) {
        return;
    }
    stream_free(s->st);
    bb_free(s->counts);
    bb_free(s);
}
