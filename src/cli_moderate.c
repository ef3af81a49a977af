/*
 * cli_moderate.c - helpers of `blackbar moderate`: the rules that matched
 * in a response (kept for --explain and the audit log, never written),
 * their audit records, and the streaming path, where a block stops the
 * SSE stream and one error event in the provider's format ends it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_moderate.h"

int mod_observe(const struct bb_finding *f, void *ud)
{
    struct watch *w = ud;
    struct bb_rule_info ri;
    const char *cat;

    if (bb_ruleset_rule(&ri, w->rs, f->rule, NULL) == 0 &&
        ri.category != NULL && !bb_moderator_fired(w->m, f->rule) &&
        w->nhits < sizeof(w->hits) / sizeof(*w->hits)) {
        struct hit *h = &w->hits[w->nhits];

        h->value = malloc(f->length + 1);
        if (h->value == NULL) {
            return BB_ENOMEM;
        }
        memcpy(h->value, f->value, f->length);
        h->value[f->length] = '\0';
        h->rule = f->rule;
        h->offset = f->offset;
        h->length = f->length;
        w->nhits++;
    }
    if (bb_moderator_observe(f, w->m) < 0) {
        return BB_ENOMEM;
    }
    /* a block stops a stream (the SSE scrubber) before this finding */
    return bb_moderator_verdict(w->m, &cat) == BB_ACTION_BLOCK ? 1 : 0;
}

void mod_count(struct watch *w, const uint64_t *counts)
{
    size_t i;

    for (i = 0; w->totals != NULL && i < bb_ruleset_count(w->rs); i++) {
        w->totals[i] += counts[i];
    }
}

void mod_watch_reset(struct watch *w)
{
    size_t i;

    for (i = 0; i < w->nhits; i++) {
        memset(w->hits[i].value, 0, w->hits[i].length);
        free(w->hits[i].value);
    }
    w->nhits = 0;
    bb_moderator_reset(w->m);
}

void mod_explain(const struct watch *w, const char *name)
{
    struct bb_rule_info ri;
    size_t i;

    for (i = 0; i < w->nhits; i++) {
        if (bb_ruleset_rule(&ri, w->rs, w->hits[i].rule, NULL) == 0) {
            fprintf(stderr, "%s: %s (%s, weight %g, %s)\n", name, ri.id,
                    ri.category, ri.weight,
                    ri.action == BB_ACTION_BLOCK ? "block" : "flag");
        }
    }
}

struct snip {
    char p[256];
    size_t n;
    bool mask; /* digits become '#' */
};

static int snip_put(const void *data, size_t len, void *ud)
{
    struct snip *s = ud;
    const char *d = data;
    size_t i;

    for (i = 0; i < len && s->n + 1 < sizeof(s->p); i++) {
        /* digits too: a number cut by the window escapes the rules */
        s->p[s->n++] = (unsigned char)d[i] < 0x20        ? ' '
                       : d[i] >= '0' && d[i] <= '9' && s->mask ? '#'
                                                          : d[i];
    }
    s->p[s->n] = '\0';
    return 0;
}

/* text[from, to) scrubbed of PII and secrets, control bytes as spaces,
 * appended to out. */
static void context(struct snip *out, const struct bb_ruleset *rs,
                    const char *text, size_t from, size_t to)
{
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err;

    if (to <= from || bb_redactor_new(&rd, rs, &err) < 0 ||
        bb_scrubber_new(&sc, rs, rd, snip_put, out, &err) < 0 ||
        bb_scrubber_feed(sc, text + from, to - from, &err) < 0 ||
        bb_scrubber_finish(sc, &err) < 0) {
        snip_put("[context withheld]", 18, out);
    }
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
}

/* "...a few words [N chars withheld] a few words...": the words around
 * a match of text (scrubbed), never the match. */
static void excerpt(struct snip *out, const struct bb_ruleset *rs,
                    const char *text, size_t n, uint64_t off, size_t len)
{
    size_t from = off > 32 ? (size_t)off - 32 : 0;
    size_t to = off + len + 32 < n ? (size_t)off + len + 32 : n;
    char mid[48];

    while (from < off && (((unsigned char)text[from] & 0xC0) == 0x80 ||
                          (from > 0 && text[from - 1] != ' '))) {
        from++; /* start at a word */
    }
    while (to > off + len && to < n &&
           (((unsigned char)text[to] & 0xC0) == 0x80 || text[to] != ' ')) {
        to--; /* end at a word */
    }
    out->n = 0;
    out->mask = false;
    snip_put(from > 0 ? "\xe2\x80\xa6" : "", from > 0 ? 3 : 0, out);
    out->mask = true;
    context(out, rs, text, from, (size_t)off);
    out->mask = false;
    snprintf(mid, sizeof(mid), "[%zu chars withheld]", len);
    snip_put(mid, strlen(mid), out);
    out->mask = true;
    context(out, rs, text, off + len, to);
    out->mask = false;
    snip_put(to < n ? "\xe2\x80\xa6" : "", to < n ? 3 : 0, out);
}

int mod_audit_hits(struct bb_audit *a, const struct watch *w,
                   enum bb_action verdict, const char *category,
                   const char *text, size_t n)
{
    struct bb_rule_info ri;
    struct bb_audit_rec r;
    struct bb_err err;
    struct snip ex;
    size_t nrec = 0;
    size_t i;

    for (i = 0; i < w->nhits; i++) {
        if (bb_ruleset_rule(&ri, w->rs, w->hits[i].rule, NULL) < 0 ||
            strcmp(ri.category, category) != 0) {
            continue;
        }
        memset(&r, 0, sizeof(r));
        if (text != NULL && w->hits[i].offset + w->hits[i].length <= n) {
            excerpt(&ex, w->rs, text, n, w->hits[i].offset,
                    w->hits[i].length);
        } else {
            ex.n = (size_t)snprintf(ex.p, sizeof(ex.p), "[%zu chars withheld]",
                                    w->hits[i].length);
        }
        r.event = verdict == BB_ACTION_BLOCK ? "block" : "flag";
        r.source = w->source ? w->source : "moderate";
        r.request_id = w->request_id;
        r.direction = "response";
        r.rule = ri.id;
        r.category = ri.category;
        r.type = ri.type;
        r.action = r.event;
        r.offset = w->hits[i].offset;
        r.length = w->hits[i].length;
        r.value = w->hits[i].value;
        r.value_len = w->hits[i].length;
        r.excerpt = ex.p;
        if (bb_audit_write(a, &r, &err) < 0) {
            return cli_fail("moderate", &err);
        }
        nrec++;
    }
    if (nrec == 0) {
        /* decided by the remote endpoint (or unavailable): one record */
        memset(&r, 0, sizeof(r));
        r.event = verdict == BB_ACTION_BLOCK ? "block" : "flag";
        r.source = w->source ? w->source : "moderate";
        r.request_id = w->request_id;
        r.direction = "response";
        r.category = category;
        r.action = r.event;
        r.excerpt = "decided by the remote moderation endpoint";
        if (bb_audit_write(a, &r, &err) < 0) {
            return cli_fail("moderate", &err);
        }
    }
    return 0;
}

int mod_audit_remote(struct bb_audit *a, const struct cli_remote *r,
                        const char *why)
{
    struct bb_audit_rec rec;
    struct bb_err err;

    memset(&rec, 0, sizeof(rec));
    rec.event = r->fail_open ? "error" : "block";
    rec.source = "moderate";
    rec.direction = "response";
    rec.rule = "remote-moderation";
    rec.action = r->fail_open ? "pass" : "block";
    rec.excerpt = why;
    if (bb_audit_write(a, &rec, &err) < 0) {
        return cli_fail("moderate", &err);
    }
    return 0;
}

/* ------------------------------------------------------------ streams */

/* An SSE stream being moderated. */
struct gate {
    struct watch *w;
    struct bb_sse_scrubber *s;
    enum provider provider;
    bool known;          /* the provider was recognised */
    bool blocked;        /* the scrubber stopped at a block */
    const char *category;
    uint64_t events;
};

int mod_error_json(bool anthropic, const char *category)
{
    char msg[160];
    char body[768];
    size_t n;

    prov_block_message(msg, sizeof(msg), "response", "category", category);
    n = prov_error_json(body, sizeof(body),
                        anthropic ? P_ANTHROPIC : P_CHAT, 400, msg);
    return cli_out_write(body, n, NULL);
}

int mod_error_event(enum provider provider, const char *category)
{
    char msg[160];
    char ev[768];
    size_t n;

    prov_block_message(msg, sizeof(msg), "response", "category", category);
    n = prov_error_event(ev, sizeof(ev), provider, 400, msg);
    return cli_out_write(ev, n, NULL);
}

static int gate_write(const void *p, size_t n, void *ud)
{
    (void)ud;
    return cli_out_write(p, n, NULL);
}

static void guess_provider(struct gate *g, const char *p, size_t n)
{
    if (g->known) {
        return;
    }
    if (memmem(p, n, "message_start", 13) != NULL ||
        memmem(p, n, "content_block_", 14) != NULL) {
        g->provider = P_ANTHROPIC;
        g->known = true;
    } else if (memmem(p, n, "\"response.", 10) != NULL ||
               memmem(p, n, "event: response.", 16) != NULL) {
        g->provider = P_RESPONSES;
        g->known = true;
    } else if (memmem(p, n, "\"choices\"", 9) != NULL) {
        g->known = true;
    }
}

static int sse_chunk(const char *buf, size_t n, void *ud)
{
    struct gate *g = ud;
    struct bb_err err;
    int rc;

    guess_provider(g, buf, n);
    rc = bb_sse_scrubber_feed(g->s, buf, n, &err);
    if (rc == BB_ESTOP) {
        return -5; /* blocked: read no more */
    }
    return rc < 0 ? cli_fail("moderate", &err) : 0;
}

/* A stream: 0 allowed, 1 blocked, -1 error. */
int mod_sse(const struct bb_ruleset *rs, struct watch *w,
            struct bb_audit *audit, bool explain, const char *path)
{
    struct bb_redactor *rd = NULL;
    struct gate g;
    struct bb_err err;
    const char *name = path ? path : "(stdin)";
    int rc = 0;

    memset(&g, 0, sizeof(g));
    g.w = w;
    if (bb_redactor_new(&rd, rs, &err) < 0 ||
        bb_sse_scrubber_new(&g.s, rs, rd, gate_write, &g, &err) < 0) {
        rc = cli_fail("moderate", &err);
    }
    if (rc == 0) {
        bb_sse_scrubber_on_finding(g.s, mod_observe, w);
        rc = cli_read_path(path, "moderate", sse_chunk, &g);
        g.blocked = rc == -5;
        rc = rc == -5 ? 0 : rc;
    }
    if (rc == 0 && !g.blocked) {
        int r = bb_sse_scrubber_finish(g.s, &err);

        g.blocked = r == BB_ESTOP;
        rc = r < 0 && !g.blocked ? cli_fail("moderate", &err) : 0;
    }
    if (rc == 0 && g.blocked) {
        bb_moderator_verdict(w->m, &g.category);
        rc = mod_error_event(g.provider, g.category) < 0 ? -1 : 0;
    }
    if (rc == 0 && explain) {
        mod_explain(w, name);
    }
    if (rc == 0 && audit != NULL && g.blocked) {
        rc = mod_audit_hits(audit, w, BB_ACTION_BLOCK, g.category, NULL, 0);
    }
    if (g.s != NULL) {
        mod_count(w, bb_sse_scrubber_counts(g.s));
    }
    bb_sse_scrubber_free(g.s);
    bb_redactor_free(rd);
    mod_watch_reset(w);
    return rc < 0 ? -1 : g.blocked ? 1 : 0;
}
