/*
 * ruletest.c - rule self-tests (each rule's examples run through that
 * rule alone) and lint (keywords, JIT, behaviour on adversarial 64 KiB
 * inputs). Library code: results are returned, never printed.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "matcher.h"
#include "ruleset.h"
#include "stream.h"

struct probe {
    size_t hits;
};

static int probe_text(void *ud, const char *p, size_t n, struct bb_err *err)
{
    (void)ud;
    (void)p;
    (void)n;
    (void)err;
    return 0;
}

static int probe_finding(void *ud, const struct bb_finding *f,
                         struct bb_err *err)
{
    struct probe *pr = ud;

    (void)f;
    (void)err;
    pr->hits++;
    return 0;
}

/* Findings of rule i alone in text; < 0 on an engine error. */
static int run_one(size_t *hits, const struct bb_ruleset *rs, size_t i,
                   const char *text, size_t len, bool ungated,
                   struct bb_err *err)
{
    struct probe pr = { 0 };
    struct stream_sink sink = { probe_text, probe_finding, &pr };
    struct stream *st = NULL;
    int rc;

    rc = stream_new(&st, rs, (long)i, &sink, err);
    if (rc == 0 && ungated) {
        stream_set_ungated(st);
    }
    if (rc == 0) {
        rc = stream_feed(st, text, len, err);
    }
    if (rc == 0) {
        rc = stream_finish(st, err);
    }
    /* A gate reports nothing; its examples are about its own matches. */
    *hits = rs->rules[i].action == BB_ACTION_GATE
                ? (size_t)stream_gate_matches(st)
                : pr.hits;
    stream_free(st);
    return rc;
}

int bb_ruleset_test_rule(struct bb_rule_test *out,
                         const struct bb_ruleset *rs, size_t i,
                         struct bb_err *err)
{
    const struct rule *r;
    size_t k;
    size_t hits;
    size_t all;
    int rc;

    if (i >= rs->n || !rs->compiled) {
        return bb_seterr(err, BB_EINVAL, "no compiled rule %zu", i);
    }
    r = &rs->rules[i];
    memset(out, 0, sizeof(*out));
    out->rule = i;
    for (k = 0; k < r->ex_match.n + r->ex_nomatch.n; k++) {
        bool want = k < r->ex_match.n;
        const char *t = want ? r->ex_match.v[k]
                             : r->ex_nomatch.v[k - r->ex_match.n];

        rc = run_one(&hits, rs, i, t, strlen(t), false, err);
        if (rc == 0) {
            rc = run_one(&all, rs, i, t, strlen(t), true, err);
        }
        if (rc < 0) {
            bb_err_prefix(err, "rule %s: example %zu", r->id, k + 1);
            return rc;
        }
        out->n_gate_lost += all != hits;
        out->n_examples++;
        if ((hits > 0) != want) {
            if (out->n_failed == 0) {
                out->first_failed = want ? k : k - r->ex_match.n;
                out->failed_is_match = want;
            }
            out->n_failed++;
        }
    }
    return 0;
}

static void note(size_t *n, char *buf, size_t cap, const char *msg)
{
    size_t used = strlen(buf);

    if (used < cap) {
        snprintf(buf + used, cap - used, "%s\n", msg);
    }
    (*n)++;
}

/* Fill a 64 KiB adversarial input of kind k. */
static const char *adversarial(char *in, size_t len, int k,
                               const struct rule *r)
{
    static const char *const units[] = {
        "a", "0", "a@", "a.", "0-", "0 ", "A1", "a:", "/a", "-", "=a"
    };
    const char *unit;
    size_t ul;
    size_t i;

    if (k < (int)BB_ARRAY_LEN(units)) {
        unit = units[k];
    } else {
        unit = r->ex_match.n > 0 ? r->ex_match.v[0] : "x";
    }
    ul = strlen(unit);
    for (i = 0; i < len; i++) {
        in[i] = unit[i % ul];
    }
    return unit;
}

int bb_ruleset_lint_rule(size_t *n_out, char *buf, size_t cap,
                         const struct bb_ruleset *rs, size_t i,
                         struct bb_err *err)
{
    const size_t len = 64 * 1024;
    const struct rule *r;
    char msg[400];
    char *in;
    size_t hits;
    int k;

    if (i >= rs->n || !rs->compiled || cap == 0) {
        return bb_seterr(err, BB_EINVAL, "no compiled rule %zu", i);
    }
    r = &rs->rules[i];
    *n_out = 0;
    buf[0] = '\0';
    if (r->keywords.n == 0 && r->digits_min == 0 && !r->ctx_required &&
        r->gate == NULL && r->anchor_n == 0 &&
        !matcher_prog_literal_start(rs->progs[i])) {
        note(n_out, buf, cap, "no keywords, digits, anchor, required "
             "context, gate or literal first byte: the regex runs over all "
             "text");
    }
    if (!matcher_prog_jit(rs->progs[i])) {
        note(n_out, buf, cap, "pattern is not JIT-compiled (slow)");
    }
    in = bb_malloc(len);
    if (in == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (k = 0; k < 12; k++) {
        const char *unit = adversarial(in, len, k, r);
        struct bb_err e2;

        if (run_one(&hits, rs, i, in, len, false, &e2) < 0) {
            snprintf(msg, sizeof(msg), "fails on 64 KiB of repeated "
                     "\"%.20s\": %s", k < 11 ? unit : "first example",
                     e2.msg);
            note(n_out, buf, cap, msg);
        }
    }
    bb_free(in);
    return 0;
}
