/*
 * matcher.c - PCRE2 compile and match for one rule at a time. Every match
 * call runs under the match, depth and heap limits of the ruleset, and a
 * limit hit is an error, never a silent miss. JIT is used when available
 * and falls back silently.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "matcher.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <pcre2.h>

#include "core.h"

struct matcher_prog {
    pcre2_code *re;
    pcre2_code **allow;  /* each allow regex, when they cannot be joined */
    size_t n_allow;
    pcre2_code *allow_all; /* (?|(?:A1)|(?:A2)...), JIT-compiled on the
                            * first use (most runs never need it) */
    pthread_mutex_t allow_mu;
    atomic_bool allow_jit;
    int group;
    size_t lookbehind;
    size_t groups;
    pthread_mutex_t jit_mu; /* initialised when jit_ready */
    bool jit_ready;
    atomic_bool jit_tried; /* JIT is compiled on the first match: most
                            * rules never see a keyword in a run */
    bool jit;
};

struct matcher_state {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};

#define COMPILE_OPTS (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)

static int compile_one(pcre2_code **out, const char *pat, uint32_t extra,
                       const char *what, const char *source,
                       const struct rule *r, struct bb_err *err)
{
    PCRE2_UCHAR msg[120];
    PCRE2_SIZE off = 0;
    int code = 0;

    *out = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                         COMPILE_OPTS | extra, &code, &off, NULL);
    if (*out == NULL) {
        pcre2_get_error_message(code, msg, sizeof(msg));
        return bb_seterr(err, BB_ERULE, "%s: rule %s: %s: %s at offset %zu",
                         source, r->id, what, (const char *)msg,
                         (size_t)off);
    }
    return 0;
}

/* MINLENGTH counts what the pattern inspects, not what it consumes:
 * "(?=ab)" has 2 but only matches empty. Matches are searched with
 * PCRE2_NOTEMPTY; a pattern that matches empty on one of its own
 * examples is refused here so its author knows. */
static int check_empty(struct matcher_prog *p, const struct rule *r,
                       const char *source, struct bb_err *err)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->re,
                                                                NULL);
    const struct strv *ex[2] = { &r->ex_match, &r->ex_nomatch };
    size_t k;
    size_t i;
    int rc = 0;

    if (md == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (k = 0; rc == 0 && k < 2; k++) {
        for (i = 0; rc == 0 && i < ex[k]->n; i++) {
            size_t len = strlen(ex[k]->v[i]);
            size_t off = 0;
            /* The JIT may read a little past the end: give it defined
             * bytes (a zeroed copy) rather than the heap's slack. */
            char *t = bb_calloc(1, len + 64);

            if (t == NULL) {
                rc = bb_seterr(err, BB_ENOMEM, "out of memory");
                break;
            }
            memcpy(t, ex[k]->v[i], len);
            /* Each match from each start, leftmost first (JIT). */
            while (rc == 0 && off <= len &&
                   pcre2_match(p->re, (PCRE2_SPTR)t, len, off, 0, md,
                               NULL) >= 0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

                if (ov[0] == ov[1]) {
                    rc = bb_seterr(err, BB_ERULE, "%s: rule %s: pattern "
                                   "can match the empty string", source,
                                   r->id);
                }
                off = ov[0] + 1;
            }
            bb_free(t);
        }
    }
    pcre2_match_data_free(md);
    return rc;
}

static int check_prog(struct matcher_prog *p, const struct rule *r,
                      const char *source, struct bb_err *err)
{
    uint32_t cap = 0;
    uint32_t minlen = 0;
    uint32_t lb = 0;

    pcre2_pattern_info(p->re, PCRE2_INFO_CAPTURECOUNT, &cap);
    pcre2_pattern_info(p->re, PCRE2_INFO_MINLENGTH, &minlen);
    pcre2_pattern_info(p->re, PCRE2_INFO_MAXLOOKBEHIND, &lb);
    if ((uint32_t)r->group > cap) {
        return bb_seterr(err, BB_ERULE, "%s: rule %s: group %d but the "
                         "pattern has %u groups", source, r->id, r->group,
                         cap);
    }
    if (minlen == 0) {
        return bb_seterr(err, BB_ERULE, "%s: rule %s: pattern can match "
                         "the empty string", source, r->id);
    }
    if (minlen > r->max_len) {
        return bb_seterr(err, BB_ERULE, "%s: rule %s: max_len %zu is "
                         "shorter than the shortest match (%u)", source,
                         r->id, r->max_len, minlen);
    }
    p->groups = cap;
    p->lookbehind = (size_t)lb * 4;
    return 0;
}

/* One regex for the whole allow list, JIT-compiled: cheaper to start and
 * to run than one per entry. A branch-reset group keeps each entry's
 * group numbers, so backreferences mean what they did. When joining
 * fails, the entries are kept as they are. */
static void join_allow(struct matcher_prog *p, const struct rule *r)
{
    size_t len = 8;
    size_t i;
    char *all;
    char *o;
    int code = 0;
    PCRE2_SIZE off = 0;

    for (i = 0; i < r->allow.n; i++) {
        len += strlen(r->allow.v[i]) + 6;
    }
    all = bb_malloc(len);
    if (all == NULL) {
        return;
    }
    o = all;
    memcpy(o, "(?|", 3);
    o += 3;
    for (i = 0; i < r->allow.n; i++) {
        size_t l = strlen(r->allow.v[i]);

        memcpy(o, i ? "|(?:" : "(?:", i ? 4 : 3);
        o += i ? 4 : 3;
        memcpy(o, r->allow.v[i], l);
        o += l;
        *o++ = ')';
    }
    *o++ = ')';
    p->allow_all = pcre2_compile((PCRE2_SPTR)all, (PCRE2_SIZE)(o - all),
                                 COMPILE_OPTS, &code, &off, NULL);
    bb_free(all);
    if (p->allow_all != NULL) {
        pthread_mutex_init(&p->allow_mu, NULL);
    }
}

int matcher_compile(struct matcher_prog **out, const struct rule *r,
                    const char *source, struct bb_err *err)
{
    struct matcher_prog *p = bb_calloc(1, sizeof(*p));
    size_t i;
    int rc;

    if (p == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    p->group = r->group;
    rc = compile_one(&p->re, r->pattern, PCRE2_USE_OFFSET_LIMIT, "pattern",
                     source, r, err);
    if (rc == 0) {
        rc = check_prog(p, r, source, err);
    }
    if (rc == 0 && r->allow.n > 0) {
        p->allow = bb_calloc(r->allow.n, sizeof(*p->allow));
        rc = p->allow ? 0 : bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    if (rc == 0 && r->allow.n > 1) {
        join_allow(p, r);
    }
    /* Entries one by one only when they could not be joined: that names
     * the bad one, or keeps them apart when only joining fails. */
    for (i = 0; rc == 0 && p->allow_all == NULL && i < r->allow.n; i++) {
        rc = compile_one(&p->allow[i], r->allow.v[i], 0, "allow", source, r,
                         err);
        p->n_allow += rc == 0;
    }
    if (rc < 0) {
        matcher_prog_free(p);
        return rc;
    }
    pthread_mutex_init(&p->jit_mu, NULL);
    p->jit_ready = true;
    rc = check_empty(p, r, source, err);
    if (rc < 0) {
        matcher_prog_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void matcher_prog_free(struct matcher_prog *p)
{
    size_t i;

    if (p == NULL) {
        return;
    }
    for (i = 0; i < p->n_allow; i++) {
        pcre2_code_free(p->allow[i]);
    }
    bb_free(p->allow);
    if (p->allow_all != NULL) {
        pcre2_code_free(p->allow_all);
        pthread_mutex_destroy(&p->allow_mu);
    }
    if (p->jit_ready) {
        pthread_mutex_destroy(&p->jit_mu);
    }
    pcre2_code_free(p->re);
    bb_free(p);
}

/* JIT-compile the pattern once, on its first use, for both modes the
 * stream uses; threads that arrive meanwhile wait for it. */
static void ensure_jit(const struct matcher_prog *cp)
{
    struct matcher_prog *p = (struct matcher_prog *)cp;
    size_t jitsize = 0;

    if (atomic_load_explicit(&p->jit_tried, memory_order_acquire)) {
        return;
    }
    pthread_mutex_lock(&p->jit_mu);
    if (!atomic_load_explicit(&p->jit_tried, memory_order_relaxed)) {
        if (pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE |
                                         PCRE2_JIT_PARTIAL_HARD) == 0) {
            pcre2_pattern_info(p->re, PCRE2_INFO_JITSIZE, &jitsize);
            p->jit = jitsize > 0;
        }
        atomic_store_explicit(&p->jit_tried, true, memory_order_release);
    }
    pthread_mutex_unlock(&p->jit_mu);
}

size_t matcher_prog_lookbehind(const struct matcher_prog *p)
{
    return p->lookbehind;
}

size_t matcher_prog_groups(const struct matcher_prog *p)
{
    return p->groups;
}

bool matcher_prog_literal_start(const struct matcher_prog *p)
{
    uint32_t t = 0;

    pcre2_pattern_info(p->re, PCRE2_INFO_FIRSTCODETYPE, &t);
    return t == 1;
}

bool matcher_prog_jit(const struct matcher_prog *p)
{
    ensure_jit(p);
    return p->jit;
}

/* JIT stacks are mapped memory: mapping and unmapping one for every
 * stream costs more than a short stream's matching (a proxy makes
 * several streams a request). Matching asks for the stack of the thread
 * that matches (pcre2_jit_stack_assign's callback): one a thread, made
 * at its first match and freed when the thread ends. A thread matches
 * one subject at a time, so its streams can share it. */
static pthread_key_t jit_key;
static pthread_once_t jit_once = PTHREAD_ONCE_INIT;
static bool jit_key_ok;

static void jit_stack_free(void *p)
{
    pcre2_jit_stack_free(p);
}

static void jit_key_make(void)
{
    jit_key_ok = pthread_key_create(&jit_key, jit_stack_free) == 0;
}

/* NULL (PCRE2 then uses 32 KiB of the machine stack, and a match that
 * needs more fails: an error, not a miss) when none can be made. */
static pcre2_jit_stack *thread_jit_stack(void *unused)
{
    pcre2_jit_stack *s;

    (void)unused;
    pthread_once(&jit_once, jit_key_make);
    if (!jit_key_ok) {
        return NULL;
    }
    s = pthread_getspecific(jit_key);
    if (s == NULL) {
        s = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
        if (s != NULL && pthread_setspecific(jit_key, s) != 0) {
            pcre2_jit_stack_free(s);
            s = NULL;
        }
    }
    return s;
}

int matcher_state_new(struct matcher_state **out, size_t max_groups,
                      const struct bb_ruleset_opts *limits,
                      struct bb_err *err)
{
    struct matcher_state *ms = bb_calloc(1, sizeof(*ms));

    if (ms == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    ms->md = pcre2_match_data_create((uint32_t)max_groups + 1, NULL);
    ms->mctx = pcre2_match_context_create(NULL);
    if (ms->md == NULL || ms->mctx == NULL) {
        matcher_state_free(ms);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    pcre2_set_match_limit(ms->mctx, limits->match_limit);
    pcre2_set_depth_limit(ms->mctx, limits->depth_limit);
    pcre2_set_heap_limit(ms->mctx, limits->heap_limit_kb);
    pcre2_jit_stack_assign(ms->mctx, thread_jit_stack, NULL);
    *out = ms;
    return 0;
}

void matcher_state_free(struct matcher_state *ms)
{
    if (ms == NULL) {
        return;
    }
    pcre2_match_data_free(ms->md);
    pcre2_match_context_free(ms->mctx);
    bb_free(ms);
}

static int engine_error(int rc, struct bb_err *err)
{
    PCRE2_UCHAR msg[120];

    pcre2_get_error_message(rc, msg, sizeof(msg));
    return bb_seterr(err, BB_EMATCH, "%s", (const char *)msg);
}

int matcher_find(struct mresult *out, struct matcher_state *ms,
                 const struct matcher_prog *p, const struct mcall *call,
                 struct bb_err *err)
{
    uint32_t opts = PCRE2_NOTEMPTY; /* an empty match would not advance */
    PCRE2_SIZE *ov;
    int rc;

    memset(out, 0, sizeof(*out));
    ensure_jit(p);
    if (call->partial) {
        opts |= PCRE2_PARTIAL_HARD;
    }
    if (call->notbol) {
        opts |= PCRE2_NOTBOL;
    }
    pcre2_set_offset_limit(ms->mctx, call->limit == SIZE_MAX
                                         ? PCRE2_UNSET
                                         : (PCRE2_SIZE)call->limit);
    /* The JIT entry skips pcre2_match's argument checks, which cost as
     * much as a short search; the pattern was compiled for every mode
     * used here, and invalid UTF-8 is handled by MATCH_INVALID_UTF. */
    rc = p->jit ? pcre2_jit_match(p->re, (PCRE2_SPTR)call->subj, call->len,
                                  call->start, opts, ms->md, ms->mctx)
                : pcre2_match(p->re, (PCRE2_SPTR)call->subj, call->len,
                              call->start, opts, ms->md, ms->mctx);
    if (rc == PCRE2_ERROR_NOMATCH) {
        out->kind = M_NONE;
        return 0;
    }
    ov = pcre2_get_ovector_pointer(ms->md);
    if (rc == PCRE2_ERROR_PARTIAL) {
        out->kind = M_PARTIAL;
        out->s = ov[0];
        out->e = ov[1];
        return 0;
    }
    if (rc < 0) {
        return engine_error(rc, err);
    }
    out->kind = M_FULL;
    out->s = ov[0];
    out->e = ov[1];
    out->group_set = rc > p->group && ov[2 * p->group] != PCRE2_UNSET;
    out->gs = out->group_set ? ov[2 * p->group] : out->s;
    out->ge = out->group_set ? ov[2 * p->group + 1] : out->e;
    return 0;
}

/* JIT-compile the joined allow list once, on its first use, whatever
 * thread gets there first; the others wait (the ruleset is shared). */
static void allow_jit(const struct matcher_prog *cp)
{
    struct matcher_prog *p = (struct matcher_prog *)cp;

    if (atomic_load_explicit(&p->allow_jit, memory_order_acquire)) {
        return;
    }
    pthread_mutex_lock(&p->allow_mu);
    if (!atomic_load_explicit(&p->allow_jit, memory_order_relaxed)) {
        pcre2_jit_compile(p->allow_all, PCRE2_JIT_COMPLETE);
        atomic_store_explicit(&p->allow_jit, true, memory_order_release);
    }
    pthread_mutex_unlock(&p->allow_mu);
}

int matcher_allowed(struct matcher_state *ms, const struct matcher_prog *p,
                    const char *v, size_t n, struct bb_err *err)
{
    size_t i;
    int rc;

    pcre2_set_offset_limit(ms->mctx, PCRE2_UNSET);
    if (p->allow_all != NULL) {
        allow_jit(p);
        rc = pcre2_match(p->allow_all, (PCRE2_SPTR)v, n, 0, 0, ms->md,
                         ms->mctx);
        if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
            return rc >= 0;
        }
        return engine_error(rc, err);
    }
    for (i = 0; i < p->n_allow; i++) {
        rc = pcre2_match(p->allow[i], (PCRE2_SPTR)v, n, 0, 0, ms->md,
                         ms->mctx);
        if (rc >= 0) {
            return 1;
        }
        if (rc != PCRE2_ERROR_NOMATCH) {
            return engine_error(rc, err);
        }
    }
    return 0;
}
