/*
 * bbchunk.c - test driver: scrub stdin to stdout through the library,
 * feeding the input whole, in pieces of N bytes, or in random pieces, so
 * tests can check that the output does not depend on the chunking.
 *
 *   bbchunk whole|N|random:SEED [-o OP]... [--no-default-rules]
 *           [--rules FILE]... [--format text|json|jsonl|sse]
 *           [--round-trip [--scrubbed FILE]]
 *
 * --round-trip: the scrubbed output goes (in the same pieces) through
 * the restorer with the vault the scrub filled, and the restored bytes
 * are written; --scrubbed keeps the scrubbed bytes in FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blackbar.h"

static size_t next_len(const char *mode, unsigned long long *state);

static int put(const void *p, size_t n, void *ud)
{
    (void)ud;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

struct mem {
    char *p;
    size_t n, cap;
};

static int put_mem(const void *p, size_t n, void *ud)
{
    struct mem *m = ud;

    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2 + 64;
        m->p = realloc(m->p, m->cap);
        if (m->p == NULL) {
            return -1;
        }
    }
    memcpy(m->p + m->n, p, n);
    m->n += n;
    return 0;
}

static int to_vault(const char *ph, size_t plen, const char *val,
                    size_t vlen, void *ud)
{
    struct bb_err err;

    return bb_vault_add(ud, ph, plen, val, vlen, &err);
}

/* One scrubber of any format behind one feed and finish. */
struct any {
    enum bb_format f;
    struct bb_scrubber *t;
    struct bb_json_scrubber *j;
    struct bb_sse_scrubber *s;
    struct bb_restorer *r;
};

static int any_feed(struct any *a, const char *p, size_t n,
                    struct bb_err *err)
{
    return a->r   ? bb_restorer_feed(a->r, p, n, err)
           : a->t ? bb_scrubber_feed(a->t, p, n, err)
           : a->j ? bb_json_scrubber_feed(a->j, p, n, err)
                  : bb_sse_scrubber_feed(a->s, p, n, err);
}

static int any_finish(struct any *a, struct bb_err *err)
{
    return a->r   ? bb_restorer_finish(a->r, err)
           : a->t ? bb_scrubber_finish(a->t, err)
           : a->j ? bb_json_scrubber_finish(a->j, err)
                  : bb_sse_scrubber_finish(a->s, err);
}

static void any_free(struct any *a)
{
    bb_restorer_free(a->r);
    bb_scrubber_free(a->t);
    bb_json_scrubber_free(a->j);
    bb_sse_scrubber_free(a->s);
}

static int feed_all(struct any *a, const char *mode, const char *in,
                    size_t len, struct bb_err *err)
{
    unsigned long long state = strncmp(mode, "random:", 7) == 0
                                   ? strtoull(mode + 7, NULL, 10)
                                   : 0;
    size_t off = 0;
    int rc = 0;

    while (rc == 0 && off < len) {
        size_t k = next_len(mode, &state);

        k = k > len - off ? len - off : k;
        rc = any_feed(a, in + off, k, err);
        off += k;
    }
    return rc == 0 ? any_finish(a, err) : rc;
}

static char *slurp(size_t *len)
{
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    size_t n = 0;
    size_t got;

    while (buf != NULL && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    *len = n;
    return buf;
}

static int add_rules(struct bb_ruleset *rs, const char *path,
                     struct bb_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    int rc;

    if (f == NULL) {
        fprintf(stderr, "bbchunk: cannot open %s\n", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    rc = bb_ruleset_add_pack(rs, path, buf, (size_t)n, err);
    free(buf);
    return rc;
}

static size_t next_len(const char *mode, unsigned long long *state)
{
    if (strcmp(mode, "whole") == 0) {
        return (size_t)-1;
    }
    if (strncmp(mode, "random:", 7) == 0) {
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (size_t)((*state >> 33) % 300) + 1;
    }
    return (size_t)strtoul(mode, NULL, 10);
}

static enum bb_format format_of(const char *name)
{
    return strcmp(name, "json") == 0    ? BB_FORMAT_JSON
           : strcmp(name, "jsonl") == 0 ? BB_FORMAT_JSONL
           : strcmp(name, "sse") == 0   ? BB_FORMAT_SSE
                                        : BB_FORMAT_TEXT;
}

int main(int argc, char **argv)
{
    struct bb_ruleset *rs = NULL;
    struct bb_redactor *rd = NULL;
    struct bb_vault *v = NULL;
    struct any sc = { BB_FORMAT_TEXT, NULL, NULL, NULL, NULL };
    struct any back = { BB_FORMAT_TEXT, NULL, NULL, NULL, NULL };
    struct mem scrubbed = { NULL, 0, 0 };
    struct bb_err err = { 0, "" };
    const char *keep = NULL;
    bool defaults = true;
    bool trip = false;
    size_t len = 0;
    char *in;
    int i;
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: bbchunk whole|N|random:SEED [options]\n");
        return 2;
    }
    rc = bb_ruleset_new(&rs, NULL, &err);
    for (i = 2; rc == 0 && i < argc; i++) {
        if (strcmp(argv[i], "--no-default-rules") == 0) {
            defaults = false;
        } else if (strcmp(argv[i], "--round-trip") == 0) {
            trip = true;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            sc.f = format_of(argv[++i]);
        } else if (strcmp(argv[i], "--scrubbed") == 0 && i + 1 < argc) {
            keep = argv[++i];
        }
    }
    if (rc == 0 && defaults) {
        rc = bb_ruleset_add_builtin(rs, &err);
    }
    for (i = 2; rc == 0 && i + 1 < argc; i++) {
        if (strcmp(argv[i], "--rules") == 0) {
            rc = add_rules(rs, argv[++i], &err);
        }
    }
    if (rc == 0) {
        rc = bb_ruleset_compile(rs, &err);
    }
    if (rc == 0) {
        rc = bb_redactor_new(&rd, rs, &err);
    }
    for (i = 2; rc == 0 && i + 1 < argc; i++) {
        if (strcmp(argv[i], "-o") == 0) {
            rc = bb_redactor_set_operator(rd, argv[++i], &err);
        }
    }
    if (rc == 0) {
        rc = bb_redactor_set_key(rd, "test", 4, &err);
    }
    if (rc == 0 && trip) {
        rc = bb_vault_new(&v, &err);
        if (rc == 0) {
            bb_redactor_on_placeholder(rd, to_vault, v);
        }
    }
    if (rc == 0) {
        bb_write_fn w = trip ? put_mem : put;
        void *ud = trip ? (void *)&scrubbed : NULL;

        rc = sc.f == BB_FORMAT_TEXT ? bb_scrubber_new(&sc.t, rs, rd, w, ud,
                                                      &err)
             : sc.f == BB_FORMAT_SSE
                 ? bb_sse_scrubber_new(&sc.s, rs, rd, w, ud, &err)
                 : bb_json_scrubber_new(&sc.j, rs, rd,
                                        sc.f == BB_FORMAT_JSONL, w, ud,
                                        &err);
    }
    in = rc == 0 ? slurp(&len) : NULL;
    if (rc == 0 && in != NULL) {
        rc = feed_all(&sc, argv[1], in, len, &err);
    }
    if (rc == 0 && trip && keep != NULL) {
        FILE *f = fopen(keep, "wb");

        if (f == NULL || fwrite(scrubbed.p, 1, scrubbed.n, f) != scrubbed.n) {
            rc = BB_EIO;
            snprintf(err.msg, sizeof(err.msg), "cannot write %s", keep);
        }
        if (f != NULL) {
            fclose(f);
        }
    }
    if (rc == 0 && trip) {
        rc = bb_restorer_new(&back.r, v, sc.f, put, NULL, &err);
    }
    if (rc == 0 && trip) {
        rc = feed_all(&back, argv[1], scrubbed.p ? scrubbed.p : "",
                      scrubbed.n, &err);
    }
    if (rc < 0) {
        fprintf(stderr, "bbchunk: %s\n", err.msg);
    }
    free(in);
    free(scrubbed.p);
    any_free(&sc);
    any_free(&back);
    bb_vault_free(v);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    return rc < 0 ? 2 : 0;
}
