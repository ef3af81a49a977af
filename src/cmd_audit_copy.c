/*
 * cmd_audit_copy.c - audit --redact-to: each input's scrubbed copy, in
 * DIR under the input's name and with its compression, written from the
 * workers' scrubbed chunks in input order to a temporary file that is
 * renamed only when the whole input was read and scrubbed. An input with
 * an error gets no copy, and an input is never written over. The worker
 * side (aud_wcopy) scrubs each line into its chunk: JSON lines through
 * the JSON scrubber, other lines as text, with keyed-hash placeholders
 * (the key is the input's, so chunks scrubbed apart agree). A gzip
 * input's chunk is compressed by its worker into a gzip member of its
 * own: the copy is the members one after another, which every gzip
 * reader takes as one stream (RFC 1952 section 2.2), and compression
 * runs on every core instead of on the thread that writes.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>

#include "cli.h"
#include "cmd_audit.h"

struct aud_copy {
    const struct aud_opts *o;
    size_t file;
    bool open;
    bool bad;
    char final[PATH_MAX];
    struct cli_atomic at;     /* at.f: NULL when bad from the start */
    char **used;  /* the names written in this run */
    size_t n_used;
};

int aud_copy_new(struct aud_copy **out, const struct aud_opts *o)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        cli_error("audit", "out of memory");
        return -1;
    }
    (*out)->o = o;
    return 0;
}

/* Two inputs of one base name would get one copy: the second none. */
static int claim(struct aud_copy *cp, const char *name)
{
    char **nu;
    size_t i;

    for (i = 0; i < cp->n_used; i++) {
        if (strcmp(cp->used[i], cp->final) == 0) {
            cli_error("audit", "%s: another input already has its copy "
                      "%s: copy them in separate runs", name, cp->final);
            return -1;
        }
    }
    nu = realloc(cp->used, (cp->n_used + 1) * sizeof(*nu));
    if (nu == NULL || (nu[cp->n_used] = strdup(cp->final)) == NULL) {
        if (nu != NULL) {
            cp->used = nu;
        }
        cli_error("audit", "out of memory");
        return -1;
    }
    cp->used = nu;
    cp->n_used++;
    return 0;
}

/* The copy's file name: the input's base name in DIR. */
static int names(struct aud_copy *cp, const char *name)
{
    const char *base = strrchr(name, '/');
    char rin[PATH_MAX];
    char rout[PATH_MAX];

    base = base != NULL ? base + 1 : name;
    if (strcmp(base, "-") == 0 || base[0] == '\0') {
        base = "stdin.jsonl";
    }
    if (snprintf(cp->final, sizeof(cp->final), "%s/%s", cp->o->redact_dir,
                 base) >= (int)sizeof(cp->final)) {
        cli_error("audit", "%s: the name is too long", cp->final);
        return -1;
    }
    if (realpath(name, rin) != NULL && realpath(cp->final, rout) != NULL &&
        strcmp(rin, rout) == 0) {
        cli_error("audit", "%s: --redact-to would write over the input",
                  name);
        return -1;
    }
    return claim(cp, name);
}

static void start(struct aud_copy *cp, const struct aud_chunk *c,
                  const char *name)
{
    cp->file = c->file;
    cp->open = true;
    cp->bad = names(cp, name) < 0 ||
              cli_atomic_open(&cp->at, cp->final, "audit") < 0;
}

/* Close the copy: renamed if whole, else removed. 0, or -1 when it
 * could not be written (message printed). */
static int finish(struct aud_copy *cp, const char *name)
{
    int rc = 0;

    if (cp->bad) {
        cli_atomic_abort(&cp->at);
        rc = -1;
    } else {
        rc = cli_atomic_commit(&cp->at);
    }
    cp->open = false;
    if (rc < 0) {
        cli_error("audit", "%s: no scrubbed copy: the input could not be "
                  "read and scrubbed whole", name);
    }
    return rc;
}

int aud_copy_chunk(struct aud_copy *cp, const struct aud_chunk *c,
                   const char *name)
{
    if (!cp->open || cp->file != c->file) {
        start(cp, c, name);
    }
    if (c->out_bad || c->n_errs > 0) {
        cp->bad = true;
    }
    if (!cp->bad && c->out_len > 0) {
        cp->bad = fwrite(c->out, 1, c->out_len, cp->at.f) != c->out_len;
    }
    return c->last ? finish(cp, name) : 0;
}

void aud_copy_free(struct aud_copy *cp)
{
    size_t i;

    if (cp == NULL) {
        return;
    }
    for (i = 0; i < cp->n_used; i++) {
        free(cp->used[i]);
    }
    free(cp->used);
    if (cp->open) {
        cli_atomic_abort(&cp->at);
    }
    free(cp);
}

/* ------------------------------------------------------- worker side */

struct aud_wcopy {
    const struct aud_opts *o;
    struct bb_redactor *rd;       /* the hash operator, the input's key */
    struct bb_scrubber *ts;       /* lines that are not JSON */
    struct bb_json_scrubber *js;  /* a run of JSON lines */
    struct aud_chunk *cur;
    bool failed;                  /* out of memory */
};

/* The copy's bytes go into the chunk being scanned. */
static int put_out(const void *data, size_t len, void *userdata)
{
    struct aud_wcopy *w = userdata;
    struct aud_chunk *c = w->cur;

    if (c->out_len + len > c->out_cap) {
        size_t nc = (c->out_len + len) * 3 / 2 + 4096;
        char *nb = malloc(nc);

        if (nb == NULL) {
            return -1;
        }
        if (c->out != NULL) {
            memcpy(nb, c->out, c->out_len);
            explicit_bzero(c->out, c->out_len);
            free(c->out);
        }
        c->out = nb;
        c->out_cap = nc;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    return 0;
}

int aud_wcopy_new(struct aud_wcopy **out, const struct aud_opts *o)
{
    struct aud_wcopy *w = calloc(1, sizeof(*w));
    struct bb_err err;

    *out = NULL;
    if (w == NULL) {
        cli_error("audit", "out of memory");
        return -1;
    }
    w->o = o;
    if (bb_redactor_new(&w->rd, o->rs, &err) < 0 ||
        bb_redactor_set_operator(w->rd, "hash", &err) < 0 ||
        bb_scrubber_new(&w->ts, o->rs, w->rd, put_out, w, &err) < 0) {
        cli_fail("audit", &err);
        aud_wcopy_free(w);
        return -1;
    }
    *out = w;
    return 0;
}

int aud_wcopy_start(struct aud_wcopy *w, struct aud_chunk *c)
{
    struct bb_err err;

    w->cur = c;
    if (bb_redactor_set_key(w->rd, w->o->file_keys + 32 * c->file, 32,
                            &err) < 0) {
        cli_fail("audit", &err);
        return -1;
    }
    return 0;
}

/* The run of JSON lines ends, all of it written. */
static void flush(struct aud_wcopy *w)
{
    struct bb_err err;

    if (w->js == NULL) {
        return;
    }
    if (bb_json_scrubber_finish(w->js, &err) < 0) {
        w->cur->out_bad = true;
    }
    bb_json_scrubber_free(w->js);
    w->js = NULL;
}

void aud_wcopy_json(struct aud_wcopy *w, const char *p, size_t n)
{
    struct bb_err err;

    if (w->js == NULL && bb_json_scrubber_new(&w->js, w->o->rs, w->rd, true,
                                              put_out, w, &err) < 0) {
        w->cur->out_bad = true;
        return;
    }
    if (bb_json_scrubber_feed(w->js, p, n, &err) < 0) {
        w->cur->out_bad = true; /* this input gets no copy */
        bb_json_scrubber_free(w->js);
        w->js = NULL;
    }
}

void aud_wcopy_text(struct aud_wcopy *w, const char *p, size_t n, bool nl)
{
    struct bb_err err;
    int rc;

    flush(w);
    rc = bb_scrubber_append(w->ts, p, n, &err);
    if (rc == 0) {
        rc = bb_scrubber_end_segment(w->ts, &err);
    }
    if (rc == 0) {
        rc = bb_scrubber_release(w->ts, &err);
    }
    if (rc == 0 && nl) {
        rc = put_out("\n", 1, w);
    }
    if (rc < 0) {
        w->cur->out_bad = true;
        bb_scrubber_free(w->ts);
        w->ts = NULL;
        if (bb_scrubber_new(&w->ts, w->o->rs, w->rd, put_out, w, &err) <
            0) {
            w->failed = true;
        }
    }
}

void aud_wcopy_blank(struct aud_wcopy *w, const char *p, size_t n)
{
    if (w->js != NULL) {
        aud_wcopy_json(w, p, n); /* JSON Lines keeps blank lines */
    } else if (put_out(p, n, w) < 0) {
        w->cur->out_bad = true;
    }
}

/* The chunk's copy as one gzip member, made by ISA-L's igzip at its
 * level 3: eight times gzip -6's speed here for files some 13% larger
 * (at -6, compressing took twice as long as scanning). An empty chunk
 * gives an empty member, so an empty log's copy is still gzip. */
static int gz_member(struct aud_chunk *c)
{
    struct isal_zstream z;
    unsigned char *lvl = calloc(1, ISAL_DEF_LVL3_DEFAULT);
    /* room for stored blocks, should the data not compress */
    size_t cap = c->out_len + c->out_len / 64 + 1024;
    unsigned char *buf = malloc(cap);

    if (lvl == NULL || buf == NULL || c->out_len > UINT32_MAX / 2) {
        free(lvl);
        free(buf);
        return -1;
    }
    isal_deflate_init(&z);
    z.level = 3;
    z.level_buf = lvl;
    z.level_buf_size = ISAL_DEF_LVL3_DEFAULT;
    z.gzip_flag = IGZIP_GZIP;
    z.end_of_stream = 1;
    z.flush = NO_FLUSH;
    z.next_in = (uint8_t *)c->out;
    z.avail_in = (uint32_t)c->out_len;
    z.next_out = buf;
    z.avail_out = (uint32_t)cap;
    if (isal_deflate_stateless(&z) != COMP_OK) {
        free(lvl);
        free(buf);
        return -1;
    }
    free(lvl);
    if (c->out != NULL) {
        explicit_bzero(c->out, c->out_len);
        free(c->out);
    }
    c->out = (char *)buf;
    c->out_len = z.total_out;
    c->out_cap = cap;
    return 0;
}

int aud_wcopy_end(struct aud_wcopy *w)
{
    flush(w);
    if (!w->failed && w->cur->gz && !w->cur->out_bad &&
        gz_member(w->cur) < 0) {
        w->failed = true;
    }
    if (w->failed) {
        cli_error("audit", "out of memory");
        return -1;
    }
    return 0;
}

void aud_wcopy_free(struct aud_wcopy *w)
{
    if (w == NULL) {
        return;
    }
    bb_json_scrubber_free(w->js);
    bb_scrubber_free(w->ts);
    bb_redactor_free(w->rd);
    free(w);
}
