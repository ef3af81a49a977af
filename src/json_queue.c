/*
 * json_queue.c - the JSON scrubber's output queue. Raw bytes wait in
 * order as pieces: structure (copied in its turn) and the raw form of
 * decoded text given to the stream. As the stream releases decoded
 * bytes, their raw form is written; a finding's bytes are skipped and its
 * replacement written JSON-escaped instead. A JSON Lines record may be
 * held whole (skip_bad) until its newline.
 */
#include <stdio.h>
#include <string.h>

#include "json_int.h"
#include "ruleset.h"

static int raw_add(struct bb_json_scrubber *j, const char *p, size_t n,
                   struct bb_err *err)
{
    size_t i;

    if (j->raw_head > 0 && j->raw_head == j->raw_len) {
        j->raw_head = j->raw_len = 0;
    }
    /* compact only when the consumed head is at least half: each byte
     * moves a bounded number of times */
    if (j->raw_len + n > j->raw_cap && j->raw_head > 0 &&
        j->raw_head >= j->raw_len / 2) {
        memmove(j->raw, j->raw + j->raw_head, j->raw_len - j->raw_head);
        j->raw_len -= j->raw_head;
        for (i = j->pc_head; i < j->npc; i++) {
            j->pc[i].raw_off -= j->raw_head;
        }
        j->raw_head = 0;
    }
    if (j->raw_len + n > j->raw_cap &&
        bb_grow((void **)&j->raw, &j->raw_cap, j->raw_len + n, 1, err) < 0) {
        return BB_ENOMEM;
    }
    memcpy(j->raw + j->raw_len, p, n);
    j->raw_len += n;
    return 0;
}

/* Append raw bytes as a piece of kind k covering dec_len decoded bytes. */
int json_piece_add(struct bb_json_scrubber *j, enum pkind k, const char *p,
                   size_t n, size_t dec_len, struct bb_err *err)
{
    struct piece *last = j->npc > j->pc_head ? &j->pc[j->npc - 1] : NULL;
    int rc;

    if (n == 0) {
        return 0;
    }
    rc = raw_add(j, p, n, err);
    if (rc < 0) {
        return rc;
    }
    /* coalesce runs of structure, and runs of plain text */
    if (last != NULL && last->kind == k &&
        last->raw_off + last->raw_len == j->raw_len - n &&
        (k == P_STRUCT ? last->dec == j->dec_in
                       : last->dec + last->dec_len == j->dec_in)) {
        last->raw_len += n;
        last->dec_len += dec_len;
        return 0;
    }
    if (j->pc_head > 0 && j->pc_head == j->npc) {
        j->pc_head = j->npc = 0;
    }
    if (j->npc == j->cappc && j->pc_head > 0 && j->pc_head >= j->npc / 2) {
        memmove(j->pc, j->pc + j->pc_head,
                (j->npc - j->pc_head) * sizeof(*j->pc));
        j->npc -= j->pc_head;
        j->pc_head = 0;
    }
    if (j->npc == j->cappc &&
        bb_grow((void **)&j->pc, &j->cappc, j->npc + 1, sizeof(*j->pc),
                err) < 0) {
        return BB_ENOMEM;
    }
    j->pc[j->npc].dec = j->dec_in;
    j->pc[j->npc].raw_off = j->raw_len - n;
    j->pc[j->npc].raw_len = n;
    j->pc[j->npc].dec_len = dec_len;
    j->pc[j->npc].kind = k;
    j->npc++;
    return 0;
}

int json_oflush(struct bb_json_scrubber *j, struct bb_err *err)
{
    size_t n = j->on;

    j->on = 0;
    if (n > 0 && j->write(j->obuf, n, j->ud) != 0) {
        return bb_seterr(err, BB_EIO, "write failed");
    }
    return 0;
}

/* Output goes through obuf: pieces are often a byte or two. */
static int out_now(struct bb_json_scrubber *j, const char *p, size_t n,
                   struct bb_err *err)
{
    if (j->on + n > sizeof(j->obuf) && json_oflush(j, err) < 0) {
        return BB_EIO;
    }
    if (n > sizeof(j->obuf)) {
        return j->write(p, n, j->ud) == 0
                   ? 0
                   : bb_seterr(err, BB_EIO, "write failed");
    }
    if (n > 0) { /* (commit may pass an empty, never allocated record) */
        memcpy(j->obuf + j->on, p, n);
        j->on += n;
    }
    return 0;
}

static int out(struct bb_json_scrubber *j, const char *p, size_t n,
               struct bb_err *err);

/* Write the structure pieces that come before decoded offset dec_out. */
int json_drain(struct bb_json_scrubber *j, struct bb_err *err)
{
    int rc = 0;

    while (rc == 0 && j->pc_head < j->npc) {
        struct piece *h = &j->pc[j->pc_head];

        if (h->kind == P_TEXT || h->dec > j->dec_out) {
            break;
        }
        rc = out(j, j->raw + h->raw_off, h->raw_len, err);
        if (rc == 0 && h->kind == P_EOR && j->skip_bad) {
            rc = json_commit(j, err);
        }
        j->raw_head = h->raw_off + h->raw_len;
        j->pc_head++;
    }
    return rc;
}

#define REC_MAX ((size_t)64 << 20)

/* With skip_bad, a record's output waits in rec until its newline. */
static int out(struct bb_json_scrubber *j, const char *p, size_t n,
               struct bb_err *err)
{
    if (!j->skip_bad) {
        return out_now(j, p, n, err);
    }
    if (j->rn + n > REC_MAX) {
        return bb_seterr(err, BB_ELIMIT, "JSONL: a record longer than 64 "
                         "MiB cannot be held for --on-error skip");
    }
    if (j->rn + n > j->rcap &&
        bb_grow((void **)&j->rec, &j->rcap, j->rn + n, 1, err) < 0) {
        return BB_ENOMEM;
    }
    memcpy(j->rec + j->rn, p, n);
    j->rn += n;
    return 0;
}

/* The record is whole: its held output goes out. */
int json_commit(struct bb_json_scrubber *j, struct bb_err *err)
{
    int rc = out_now(j, j->rec, j->rn, err);

    j->rn = 0;
    return rc;
}

/* The value of 4 hex digits (already checked). */
static unsigned hex4(const char *p)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        v = v * 16 + (unsigned)json_hexval((unsigned char)p[i]);
    }
    return v;
}

/* How many raw bytes of string text r (escapes whole, already checked)
 * hold its first n decoded bytes; SIZE_MAX if n ends inside an escape. */
static size_t raw_span(const char *r, size_t rn, size_t n)
{
    size_t i = 0;
    size_t d = 0;

    while (d < n && i < rn) {
        unsigned v;
        size_t plain = rn - i < n - d ? rn - i : n - d;
        const char *bs = memchr(r + i, '\\', plain);

        if (bs != r + i) {
            /* plain bytes up to the next escape count one for one */
            plain = bs == NULL ? plain : (size_t)(bs - (r + i));
            i += plain;
            d += plain;
        } else if (r[i + 1] != 'u') {
            i += 2;
            d++;
        } else if ((v = hex4(r + i + 2)) >= 0xD800 && v <= 0xDBFF) {
            i += 12; /* a surrogate pair: one 4-byte character */
            d += 4;
        } else {
            i += 6;
            d += v < 0x80 ? 1 : v < 0x800 ? 2 : 3;
        }
    }
    return d == n ? i : SIZE_MAX;
}

/* The stream releases n decoded bytes: write their raw form (skip set:
 * a finding replaces them, write nothing, and leave the structure after
 * them for the caller to drain once the replacement is out). */
int json_consume(struct bb_json_scrubber *j, size_t n, bool skip,
                 struct bb_err *err)
{
    int rc = json_drain(j, err);

    while (rc == 0 && n > 0) {
        struct piece *h;
        size_t k;
        size_t rk;

        if (j->pc_head >= j->npc || j->pc[j->pc_head].kind != P_TEXT) {
            return bb_seterr(err, BB_ESTATE, "JSON output lost its place");
        }
        h = &j->pc[j->pc_head];
        k = n < h->dec_len ? n : h->dec_len;
        rk = k == h->dec_len ? h->raw_len
             : h->raw_len == h->dec_len
                 ? k
                 : raw_span(j->raw + h->raw_off, h->raw_len, k);
        if (rk == SIZE_MAX) {
            return bb_seterr(err, BB_ESTATE, "JSON escape split by output");
        }
        if (!skip) {
            rc = out(j, j->raw + h->raw_off, rk, err);
        }
        /* the head piece shrinks: its written bytes can be dropped, so
         * a long value never piles up */
        h->raw_off += rk;
        h->raw_len -= rk;
        h->dec += k;
        h->dec_len -= k;
        j->raw_head = h->raw_off;
        n -= k;
        j->dec_out += k;
        if (h->dec_len == 0) {
            j->pc_head++;
            if (rc == 0 && (n > 0 || !skip)) {
                rc = json_drain(j, err);
            }
        }
    }
    return rc;
}

int json_escape(const char *data, size_t len, bb_write_fn write, void *ud)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t i;
    size_t run = 0;
    int rc = 0;

    for (i = 0; rc == 0 && i < len; i++) {
        char e[8];
        unsigned char c = p[i];

        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        rc = i > run ? write(p + run, i - run, ud) : 0;
        if (c == '"' || c == '\\' ||
            (c != 0 && strchr("\b\f\n\r\t", c) != NULL)) {
            e[0] = '\\';
            e[1] = c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n'
                   : c == '\r' ? 'r' : c == '\t' ? 't' : (char)c;
            e[2] = '\0';
        } else {
            snprintf(e, sizeof(e), "\\u%04x", c);
        }
        rc = rc == 0 ? write(e, strlen(e), ud) : rc;
        run = i + 1;
    }
    rc = rc == 0 && len > run ? write(p + run, len - run, ud) : rc;
    return rc != 0 ? -1 : 0;
}

static int write_out(const void *data, size_t len, void *ud)
{
    struct bb_err err;

    return out(ud, data, len, &err) < 0 ? -1 : 0;
}

/* JSON-escape replacement text on its way out. */
static int write_escaped(const void *data, size_t len, void *ud)
{
    return json_escape(data, len, write_out, ud);
}

int json_on_text(void *ud, const char *p, size_t n, struct bb_err *err)
{
    (void)p;
    return json_consume(ud, n, false, err);
}

int json_on_finding(void *ud, const struct bb_finding *f,
                    struct bb_err *err)
{
    struct bb_json_scrubber *j = ud;
    int rc;

    j->counts[f->rule]++;
    rc = j->observe != NULL ? j->observe(f, j->observe_ud) : 0;
    if (rc < 0) {
        return bb_seterr(err, rc, "finding observer failed");
    }
    if (bb_rule_keeps(j->rs, f->rule)) {
        return 0; /* its bytes follow as text */
    }
    rc = json_consume(j, f->length, true, err);
    if (rc == 0) {
        rc = j->apply(j->apply_ud, f, write_escaped, j, err);
    }
    return rc == 0 ? json_drain(j, err) : rc;
}

int json_structure(struct bb_json_scrubber *j, const char *p, size_t n,
                   struct bb_err *err)
{
    struct piece *last = j->npc > j->pc_head ? &j->pc[j->npc - 1] : NULL;

    if (n == 0) {
        return 0;
    }
    /* the common case: one more byte of the structure run in progress */
    if (last != NULL && last->kind == P_STRUCT && last->dec == j->dec_in &&
        last->raw_off + last->raw_len == j->raw_len &&
        j->raw_len + n <= j->raw_cap) {
        memcpy(j->raw + j->raw_len, p, n);
        j->raw_len += n;
        last->raw_len += n;
        return 0;
    }
    return json_piece_add(j, P_STRUCT, p, n, 0, err);
}

/* Decoded bytes go to the stream in batches. */
int json_dflush(struct bb_json_scrubber *j, struct bb_err *err)
{
    size_t n = j->dn;

    j->dn = 0;
    return n > 0 ? stream_append(j->st, j->dbuf, n, err) : 0;
}

int json_content(struct bb_json_scrubber *j, enum pkind k, const char *raw,
                 size_t raw_n, const char *dec, size_t dec_n,
                 struct bb_err *err)
{
    int rc = json_piece_add(j, k, raw, raw_n, dec_n, err);

    if (rc == 0 && j->dn + dec_n > sizeof(j->dbuf)) {
        rc = json_dflush(j, err);
    }
    if (rc == 0 && dec_n > sizeof(j->dbuf)) {
        rc = stream_append(j->st, dec, dec_n, err);
    } else if (rc == 0) {
        memcpy(j->dbuf + j->dn, dec, dec_n);
        j->dn += dec_n;
    }
    j->dec_in += dec_n;
    return rc;
}

int json_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (unsigned char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}
