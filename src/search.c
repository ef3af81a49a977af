/*
 * search.c - per-rule search of one window: the ranges where a rule's
 * regex may start (keywords, context words, numeric or hex tokens, gate
 * matches), the PCRE2 calls through the matcher, and the judgement of
 * each match (validator, entropy, allow list, context). It decides no
 * release and writes no output.
 */
#include "search.h"

#include <string.h>

#include "validate.h"

/* Letters and digits; '_' separates words here, so "vault" counts in
 * VAULT_TOKEN. */
static bool is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* Does one of words occur as a whole word (no letter or digit glued to
 * it) within [lo, hi)? s is valid from begin up to end. */
static bool has_word_near(const char *s, size_t begin, size_t lo, size_t hi,
                          size_t end, const struct strv *words)
{
    size_t w;
    size_t i;
    size_t j;

    for (w = 0; w < words->n; w++) {
        const char *k = words->v[w];
        size_t kl = strlen(k);
        bool open_l = is_word((unsigned char)k[0]);
        bool open_r = is_word((unsigned char)k[kl - 1]);

        for (i = lo; i + kl <= hi; i++) {
            for (j = 0; j < kl; j++) {
                unsigned char ch = (unsigned char)s[i + j];

                if (ch >= 'A' && ch <= 'Z') {
                    ch = (unsigned char)(ch + 32);
                }
                if (ch != (unsigned char)k[j]) {
                    break;
                }
            }
            if (j < kl) {
                continue;
            }
            if (!(open_l && i > begin &&
                  is_word((unsigned char)s[i - 1])) &&
                !(open_r && i + kl < end &&
                  is_word((unsigned char)s[i + kl]))) {
                return true;
            }
        }
    }
    return false;
}

/* Apply validator, entropy, allow list and context to a new candidate. */
static int judge(struct stream *st, struct searcher *w, struct round *rd,
                 struct cand *c,
                 const struct mresult *m, struct bb_err *err)
{
    const struct rule *r = &st->rs->rules[c->rule];
    const char *v = rd->s + c->gs;
    size_t n = c->ge - c->gs;
    int rc;

    if (!m->group_set || n == 0) {
        c->rejected = true;
        return 0;
    }
    if (r->validator >= 0 && !validate_check(r->validator, v, n)) {
        c->rejected = true;
        return 0;
    }
    if (r->entropy >= 0.0 && validate_entropy(v, n) < r->entropy) {
        c->rejected = true;
        return 0;
    }
    if (!st->rs->opts.strict && r->allow.n > 0) {
        rc = matcher_allowed(w->ms, st->rs->progs[c->rule], v, n, err);
        if (rc != 0) {
            c->rejected = rc > 0;
            return rc < 0 ? rc : 0;
        }
    }
    if (r->ctx_required) {
        size_t lo = c->gs > r->ctx_window ? c->gs - r->ctx_window : 0;
        size_t hi = c->ge + r->ctx_window;
        size_t seg_lo = 0;
        size_t seg_hi = rd->end;
        bool closed = st->nseg > 0 &&
                      search_segment(st, rd, c->s, &seg_lo, &seg_hi);

        /* context comes from the candidate's own segment */
        lo = lo < seg_lo ? seg_lo : lo;
        if (hi + 1 > seg_hi && !rd->final && !closed) {
            c->pending = true; /* the window, and a byte after it */
            return 0;
        }
        hi = hi > seg_hi ? seg_hi : hi;
        c->ctx_miss = !has_word_near(rd->s, seg_lo, lo, hi, seg_hi,
                                     &r->ctx_words);
        c->rejected = c->ctx_miss;
    }
    return 0;
}

static int push_hit(struct pf_vec *vec, size_t s, size_t e,
                    struct bb_err *err)
{
    int rc = bb_grow((void **)&vec->v, &vec->cap, vec->n + 1, sizeof(*vec->v),
                  err);

    if (rc == 0) {
        vec->v[vec->n].s = s;
        vec->v[vec->n].e = e;
        vec->v[vec->n].run = true;
        vec->n++;
    }
    return rc;
}

static int add_cand(struct stream *st, struct searcher *w, struct round *rd,
                    size_t rule,
                    const struct mresult *m, struct bb_err *err)
{
    const struct rule *r = &st->rs->rules[rule];
    struct cand *c;
    int rc;

    if (m->e - m->s > r->max_len) {
        return bb_seterr(err, BB_ELIMIT, "rule %s: match of %zu bytes "
                         "exceeds max_len %zu at offset %llu", r->id,
                         m->e - m->s, r->max_len,
                         (unsigned long long)(st->base + m->s));
    }
    if (m->gs < m->s || m->ge > m->e) {
        return bb_seterr(err, BB_ERULE, "rule %s: group lies outside the "
                         "match", r->id);
    }
    rc = bb_grow((void **)&w->c, &w->capc, w->nc + 1, sizeof(*w->c), err);
    if (rc < 0) {
        return rc;
    }
    c = &w->c[w->nc++];
    memset(c, 0, sizeof(*c));
    c->rule = rule;
    c->s = m->s;
    c->e = m->e;
    c->gs = m->gs;
    c->ge = m->ge;
    if (r->action != BB_ACTION_GATE) {
        return judge(st, w, rd, c, m, err);
    }
    /* A gate match is never reported; it only opens a range where the
     * rules behind the gate may start. */
    c->rejected = true;
    return push_hit(&st->gate_hits[rule], m->s, m->e, err);
}

static int partial_at(struct stream *st, struct searcher *w,
                      struct round *rd, size_t rule,
                      size_t q, struct bb_err *err)
{
    const struct rule *r = &st->rs->rules[rule];

    if (rd->end - q > r->max_len) {
        return bb_seterr(err, BB_ELIMIT, "rule %s: partial match of more "
                         "than max_len %zu bytes at offset %llu", r->id,
                         r->max_len, (unsigned long long)(st->base + q));
    }
    if (q < w->hold) {
        w->hold = q;
    }
    return 0;
}

static size_t next_char(const char *s, size_t p, size_t end)
{
    p++;
    while (p < end && ((unsigned char)s[p] & 0xC0) == 0x80) {
        p++;
    }
    return p;
}

bool search_segment(const struct stream *st, const struct round *rd,
                    size_t p, size_t *lo, size_t *hi)
{
    uint64_t at = st->base + p;
    size_t a = 0;
    size_t b = st->nseg;

    /* the first segment end after p */
    while (a < b) {
        size_t mid = a + (b - a) / 2;

        if (st->seg_end[mid] <= at) {
            a = mid + 1;
        } else {
            b = mid;
        }
    }
    *lo = a > 0 && st->seg_end[a - 1] > st->base
              ? (size_t)(st->seg_end[a - 1] - st->base)
              : 0;
    if (a < st->nseg && st->seg_end[a] - st->base <= rd->end) {
        *hi = (size_t)(st->seg_end[a] - st->base);
        return true;
    }
    *hi = rd->end;
    return false;
}

/* The first match starting in [from, limit] within from's segment;
 * *seg_hi gets that segment's end. */
static int find(struct mresult *m, struct stream *st, struct searcher *w,
                struct round *rd, size_t rule, size_t from, size_t limit,
                size_t *seg_hi, struct bb_err *err)
{
    struct mcall call;
    size_t lo = 0;
    size_t hi = rd->end;
    bool closed = st->nseg > 0 && search_segment(st, rd, from, &lo, &hi);
    int rc;

    *seg_hi = hi;
    call.subj = rd->s + lo;
    call.len = hi - lo;
    call.start = from - lo;
    call.limit = limit == SIZE_MAX ? SIZE_MAX : limit - lo;
    call.partial = !rd->final && !closed;
    call.notbol = lo == 0 && st->base > 0;
    rc = matcher_find(m, w->ms, st->rs->progs[rule], &call, err);
    if (rc < 0) {
        bb_err_prefix(err, "rule %s at offset %llu",
                      st->rs->rules[rule].id,
                      (unsigned long long)(st->base + from));
    }
    m->s += lo;
    m->e += lo;
    m->gs += lo;
    m->ge += lo;
    return rc;
}

/* Intervals closer than this are searched as one: the regex skips the
 * gap faster than a second call would start. Matches found in a gap
 * cannot cover a keyword (they would start too far before it), so they
 * are dropped and the result is the same. */
#define IVAL_GAP 64

/* Starts from which a match of rule r (at most max_len bytes, beginning
 * at most lead bytes before its keyword, with only lead_class bytes in
 * between) can contain keyword hit h. */
static void ival_of(struct ival *iv, const struct pf_hit *h,
                    const struct rule *r, const char *s)
{
    size_t need = h->run ? h->s + 1 : h->e;

    iv->lo = need > r->max_len ? need - r->max_len : 0;
    if (r->lead != SIZE_MAX && h->s > r->lead && h->s - r->lead > iv->lo) {
        iv->lo = h->s - r->lead;
    }
    if (r->has_lead_class) {
        size_t q = h->s;

        while (q > iv->lo) {
            unsigned char b = (unsigned char)s[q - 1];

            if (!(r->lead_class[b >> 3] & (1u << (b & 7)))) {
                break;
            }
            q--;
        }
        iv->lo = q;
    }
    iv->hi = h->run ? h->e - 1 : h->s;
}

static void push_ival(struct searcher *w, const struct ival *iv)
{
    struct ival *last = w->niv ? &w->iv[w->niv - 1] : NULL;

    if (last != NULL && iv->lo <= last->hi + w->ival_gap) {
        if (iv->lo < last->lo) {
            last->lo = iv->lo;
        }
        if (iv->hi > last->hi) {
            last->hi = iv->hi;
        }
        return;
    }
    w->iv[w->niv++] = *iv;
}

/* A range that reaches the end of the window, for matches whose gate
 * (digits, context word) may still arrive: swallows the ranges it meets. */
static void push_tail(struct searcher *w, size_t lo, size_t end)
{
    while (w->niv > 0 && w->iv[w->niv - 1].hi + w->ival_gap >= lo) {
        if (w->iv[w->niv - 1].lo < lo) {
            lo = w->iv[w->niv - 1].lo;
        }
        w->niv--;
    }
    w->iv[w->niv].lo = lo;
    w->iv[w->niv].hi = end - 1;
    w->niv++;
}

static size_t back(size_t p, size_t n)
{
    return p > n ? p - n : 0;
}

/* Numeric tokens with enough digits, widened by the rule's lead. */
static void ivals_digits(struct stream *st, struct searcher *w,
                         const struct round *rd,
                         size_t rule, int kind)
{
    const struct rule *r = &st->rs->rules[rule];
    const struct pf_tokvec *tv = &st->pf.tok[kind];
    struct ival iv;
    uint8_t jmask;
    size_t min;
    size_t i;

    prefilter_rule_need(st->rs->pf, rule, &jmask, &min);
    for (i = 0; i < tv->n; i++) {
        const struct pf_token *t = &tv->v[i];

        /* Numbers and words count units: test them here, inline. */
        if (jmask == 0 ? t->open || t->count >= min
                       : prefilter_token_enough(st->rs->pf, rule, t)) {
            iv.lo = back(t->s, r->digits_lead);
            iv.hi = t->e - 1;
            push_ival(w, &iv);
        }
    }
    if (!rd->final && rd->end > rd->start) {
        push_tail(w, back(rd->end, r->digits_lead + 1), rd->end);
    }
}

/* Around each required context word, as far as a match may reach. */
static void ivals_context(struct stream *st, struct searcher *w,
                          const struct round *rd, size_t rule)
{
    const struct rule *r = &st->rs->rules[rule];
    const struct pf_vec *words = &st->pf.rule_hits[st->rs->n + rule];
    size_t reach = r->ctx_window + r->max_len;
    struct ival iv;
    size_t i;

    for (i = 0; i < words->n; i++) {
        iv.lo = back(words->v[i].s, reach);
        iv.hi = words->v[i].e + r->ctx_window - 1;
        push_ival(w, &iv);
    }
    if (!rd->final && rd->end > rd->start) {
        push_tail(w, back(rd->end, reach), rd->end);
    }
}

/* Literal keyword hits and runs of the rule's one-byte class, merged in
 * order of their first allowed start. */
static void ivals_keywords(struct stream *st, struct searcher *w,
                           const struct round *rd, size_t rule)
{
    const struct pf_vec *lit = &st->pf.rule_hits[rule];
    int cls = prefilter_rule_class(st->rs->pf, rule);
    const struct pf_vec *run = cls >= 0 ? &st->pf.class_runs[cls] : NULL;
    const struct rule *r = &st->rs->rules[rule];
    size_t nr = run ? run->n : 0;
    size_t i = 0;
    size_t j = 0;
    struct ival a;
    struct ival b;

    while (i < lit->n || j < nr) {
        if (i < lit->n) {
            ival_of(&a, &lit->v[i], r, rd->s);
        }
        if (j < nr) {
            ival_of(&b, &run->v[j], r, rd->s);
        }
        if (j >= nr || (i < lit->n && a.lo <= b.lo)) {
            push_ival(w, &a);
            i++;
        } else {
            push_ival(w, &b);
            j++;
        }
    }
}

/* Required context and digits: the starts both allow. Each list is
 * sorted and disjoint, so one walk intersects them. */
static int ivals_both(struct stream *st, struct searcher *w,
                      const struct round *rd, size_t rule, int kind,
                      struct bb_err *err)
{
    size_t nc;
    size_t i = 0;
    size_t j = 0;
    size_t n = 0;
    int rc;

    ivals_context(st, w, rd, rule);
    nc = w->niv;
    /* iv2: the context ranges, then the intersection after them. */
    rc = bb_grow((void **)&w->iv2, &w->capiv2, 2 * nc + w->capiv + 1,
                 sizeof(*w->iv2), err);
    if (rc < 0) {
        return rc;
    }
    memcpy(w->iv2, w->iv, nc * sizeof(*w->iv));
    w->niv = 0;
    w->ival_gap = 64;
    ivals_digits(st, w, rd, rule, kind);
    while (i < nc && j < w->niv) {
        const struct ival *a = &w->iv2[i];
        const struct ival *b = &w->iv[j];
        size_t lo = a->lo > b->lo ? a->lo : b->lo;
        size_t hi = a->hi < b->hi ? a->hi : b->hi;

        if (lo <= hi) {
            w->iv2[nc + n].lo = lo;
            w->iv2[nc + n].hi = hi;
            n++;
        }
        if (a->hi < b->hi) {
            i++;
        } else {
            j++;
        }
    }
    memcpy(w->iv, w->iv2 + nc, n * sizeof(*w->iv));
    w->niv = n;
    return 0;
}

/* The allowed start ranges of a rule that does not scan everything: from
 * its gate rule, its numeric tokens, its context words or its keywords,
 * the first that applies. */
static int build_ivals(struct stream *st, struct searcher *w,
                       const struct round *rd,
                       size_t rule, struct bb_err *err)
{
    const struct rule *r = &st->rs->rules[rule];
    const struct pf_vec *gate = r->gate_idx >= 0
                                    ? &st->gate_hits[r->gate_idx]
                                    : NULL;
    int kind = prefilter_rule_tokens(st->rs->pf, rule);
    size_t need = st->pf.rule_hits[rule].n + 2 +
                  st->pf.rule_hits[st->rs->n + rule].n;
    int cls = prefilter_rule_class(st->rs->pf, rule);
    size_t i;
    int rc;

    need += cls >= 0 ? st->pf.class_runs[cls].n : 0;
    need += gate ? gate->n : 0;
    need += kind >= 0 ? st->pf.tok[kind].n : 0;
    w->niv = 0;
    rc = bb_grow((void **)&w->iv, &w->capiv, need, sizeof(*w->iv), err);
    if (rc < 0) {
        return rc;
    }
    w->ival_gap = IVAL_GAP;
    if (st->ungated || !prefilter_rule_gated(st->rs->pf, rule)) {
        struct ival iv = { rd->start, rd->end > 0 ? rd->end - 1 : 0 };

        push_ival(w, &iv);
    } else if (gate != NULL) {
        w->ival_gap = 16;
        for (i = 0; i < gate->n; i++) {
            struct ival iv = { gate->v[i].s, gate->v[i].e - 1 };

            push_ival(w, &iv);
        }
    } else if (r->ctx_required && r->digits_min > 0) {
        return ivals_both(st, w, rd, rule, kind, err);
    } else if (r->ctx_required) {
        ivals_context(st, w, rd, rule);
    } else if (r->digits_min > 0) {
        w->ival_gap = 64;
        ivals_digits(st, w, rd, rule, kind);
    } else {
        ivals_keywords(st, w, rd, rule);
    }
    return 0;
}

/* First hit in v (sorted by s, disjoint ends for runs) with e > a. */
static size_t first_after(const struct pf_vec *v, size_t a)
{
    size_t lo = 0;
    size_t hi = v->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v->v[mid].e <= a) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static bool covers(const struct stream *st, size_t rule, size_t a, size_t b)
{
    const struct pf_vec *lit = &st->pf.rule_hits[rule];
    int cls = prefilter_rule_class(st->rs->pf, rule);
    size_t i;

    if (cls >= 0) {
        const struct pf_vec *run = &st->pf.class_runs[cls];

        i = first_after(run, a);
        if (i < run->n && run->v[i].s < b) {
            return true;
        }
    }
    /* Literal hits are sorted by start; ends are not monotonic when
     * keywords of different lengths interleave, so scan a little. */
    for (i = 0; i < lit->n && lit->v[i].s < b; i++) {
        if (lit->v[i].s >= a && lit->v[i].e <= b) {
            return true;
        }
    }
    return false;
}

/* Does a match of gate rule g start at or before a and end after it?
 * Gate matches of one rule do not overlap, so their ends are sorted. */
static bool in_gate(const struct stream *st, long g, size_t a)
{
    const struct pf_vec *v = &st->gate_hits[g];
    size_t i = first_after(v, a);

    return i < v->n && v->v[i].s <= a;
}

/* Look for a partial match near the end that no keyword has shown yet. */
static int end_check(struct stream *st, struct searcher *w,
                     struct round *rd, size_t rule,
                     size_t cursor, struct bb_err *err)
{
    const struct rule *r = &st->rs->rules[rule];
    size_t reach = r->max_len;
    size_t p;
    size_t seg_hi;
    struct mresult m;
    int rc = 0;

    /* An unseen keyword starts at most 31 bytes before the end (it is
     * at most 32 long), and a match at most lead bytes before that. */
    if (r->lead != SIZE_MAX && r->lead + 32 < reach) {
        reach = r->lead + 32;
    }
    p = back(rd->end, reach);
    if (p < cursor) {
        p = cursor;
    }
    while (p > 0 && p < rd->end &&
           ((unsigned char)rd->s[p] & 0xC0) == 0x80) {
        p++;
    }
    while (rc == 0 && p < rd->end) {
        rc = find(&m, st, w, rd, rule, p, SIZE_MAX, &seg_hi, err);
        if (rc == 0 && m.kind == M_NONE && seg_hi < rd->end) {
            p = seg_hi; /* a closed segment: go on in the next one */
            continue;
        }
        if (rc < 0 || m.kind == M_NONE) {
            break;
        }
        if (m.kind == M_PARTIAL) {
            return partial_at(st, w, rd, rule, m.s, err);
        }
        p = next_char(rd->s, m.s, rd->end);
    }
    return rc;
}

static int scan_ranges(struct stream *st, struct searcher *w,
                       struct round *rd, size_t rule,
                      size_t cursor, struct bb_err *err)
{
    const struct rule *r = &st->rs->rules[rule];
    bool need_cover = r->keywords.n > 0;
    struct mresult m;
    size_t seg_hi;
    size_t i;
    int rc = build_ivals(st, w, rd, rule, err);

    for (i = 0; rc == 0 && i < w->niv; i++) {
        size_t p = w->iv[i].lo > cursor ? w->iv[i].lo : cursor;

        while (rc == 0 && p <= w->iv[i].hi && p < rd->end) {
            rc = find(&m, st, w, rd, rule, p, w->iv[i].hi, &seg_hi, err);
            if (rc == 0 && m.kind == M_NONE && seg_hi <= w->iv[i].hi) {
                p = seg_hi; /* starts left in the next segment */
                continue;
            }
            if (rc < 0 || m.kind == M_NONE) {
                break;
            }
            if (m.kind == M_PARTIAL) {
                return partial_at(st, w, rd, rule, m.s, err);
            }
            if ((!need_cover || covers(st, rule, m.s, m.e)) &&
                (r->gate_idx < 0 || in_gate(st, r->gate_idx, m.s))) {
                rc = add_cand(st, w, rd, rule, &m, err);
            } else {
                p = next_char(rd->s, m.s, rd->end);
                continue;
            }
            if (rc == 0 && w->c[w->nc - 1].ctx_miss) {
                w->nc--; /* no context here: try the next start */
                p = next_char(rd->s, m.s, rd->end);
            } else {
                cursor = m.e;
                p = m.e;
            }
        }
    }
    /* Behind a gate a match starts inside a gate match, and an unfinished
     * gate match already holds the stream back; digit and context ranges
     * reach the end of the window already. */
    if (rc == 0 && !rd->final && r->gate_idx < 0 && r->digits_min == 0 &&
        !r->ctx_required && !st->ungated &&
        prefilter_rule_gated(st->rs->pf, rule)) {
        rc = end_check(st, w, rd, rule, cursor, err);
    }
    return rc;
}

static int scan_rule(struct stream *st, struct searcher *w,
                     struct round *rd, size_t i,
                     struct bb_err *err)
{
    size_t cursor = rd->start;

    if (st->last_end[i] > st->base + cursor) {
        cursor = (size_t)(st->last_end[i] - st->base);
    }
    return scan_ranges(st, w, rd, i, cursor, err);
}

/* Gates first (their matches open the ranges of the rules behind
 * them), then every other rule; or only one rule and its gate. */
/* A task is a rule, or (from rs->n on) a part of the prefilter scan. */
int search_task(struct stream *st, struct searcher *w, struct round *rd,
                size_t task, struct bb_err *err)
{
    const struct bb_ruleset *rs = st->rs;

    if (task < rs->n) {
        return scan_rule(st, w, rd, task, err);
    }
    /* From a little before the release point: a context word may sit in
     * the left context that is kept for it. */
    return prefilter_scan_part(&st->pf, rs->pf, task - rs->n, rd->s,
                               back(rd->start, rs->keep_left), rd->end, err);
}

