/*
 * tasks.c - running one round's search tasks (prefilter parts, gate
 * rules, other rules) on the stream's searchers: in the caller's thread,
 * or shared with helper threads on large windows. The candidates are
 * merged into searcher 0 and sorted later, so the result never depends
 * on which thread ran what.
 */
#include "search.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

/* Threads that help searcher 0: each takes the next rule from the job's
 * list until none is left. Results do not depend on who took what: the
 * candidates are merged and sorted before anything is decided. */
struct pool {
    pthread_t thr[15];
    size_t n;
    pthread_mutex_t mu;
    pthread_cond_t go;
    pthread_cond_t done;
    unsigned long gen;
    size_t busy;
    bool quit;
    struct stream *st;
    struct round *rd;
    const size_t *list;
    size_t nlist;
    atomic_size_t next;
    atomic_bool stop;
};

/* Parallel search pays off only on windows this large. */
#define PARALLEL_MIN (128 * 1024)

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void run_list(struct pool *pl, struct searcher *w)
{
    size_t k;

    while (!atomic_load(&pl->stop) &&
           (k = atomic_fetch_add(&pl->next, 1)) < pl->nlist) {
        size_t task = pl->list[k];
        uint64_t t0 = now_ns();

        w->rc = search_task(pl->st, w, pl->rd, task, &w->err);
        /* Each task runs on one thread per round: no race on its slot. */
        pl->st->task_ns[task] = (pl->st->task_ns[task] * 3 +
                                 (now_ns() - t0)) / 4;
        if (w->rc < 0) {
            atomic_store(&pl->stop, true);
        }
    }
}

/* list[0, n) copied to st->order, the slowest tasks of recent rounds
 * first, so that no long task starts last while the other threads idle.
 * Which thread runs what never changes the result. */
static const size_t *by_cost(struct stream *st, const size_t *list,
                             size_t n)
{
    size_t i;
    size_t j;

    for (i = 0; i < n; i++) {
        size_t t = list[i];

        for (j = i; j > 0 && st->task_ns[st->order[j - 1]] <
                                 st->task_ns[t]; j--) {
            st->order[j] = st->order[j - 1];
        }
        st->order[j] = t;
    }
    return st->order;
}

struct worker_arg {
    struct pool *pl;
    size_t idx;
};

static void *worker(void *arg)
{
    struct pool *pl = ((struct worker_arg *)arg)->pl;
    size_t idx = ((struct worker_arg *)arg)->idx;
    unsigned long seen = 0;

    bb_free(arg);
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        while (!pl->quit && pl->gen == seen) {
            pthread_cond_wait(&pl->go, &pl->mu);
        }
        if (pl->quit) {
            pthread_mutex_unlock(&pl->mu);
            return NULL;
        }
        seen = pl->gen;
        pthread_mutex_unlock(&pl->mu);
        run_list(pl, &pl->st->w[idx]);
        pthread_mutex_lock(&pl->mu);
        if (--pl->busy == 0) {
            pthread_cond_signal(&pl->done);
        }
        pthread_mutex_unlock(&pl->mu);
    }
}

/* Run rules list[0, n) on every searcher at once. */
static void run_parallel(struct stream *st, struct round *rd,
                         const size_t *list, size_t n)
{
    struct pool *pl = st->pool;

    pthread_mutex_lock(&pl->mu);
    pl->st = st;
    pl->rd = rd;
    pl->list = list;
    pl->nlist = n;
    atomic_store(&pl->next, 0);
    atomic_store(&pl->stop, false);
    pl->busy = pl->n;
    pl->gen++;
    pthread_cond_broadcast(&pl->go);
    pthread_mutex_unlock(&pl->mu);
    run_list(pl, &st->w[0]);
    pthread_mutex_lock(&pl->mu);
    while (pl->busy > 0) {
        pthread_cond_wait(&pl->done, &pl->mu);
    }
    pthread_mutex_unlock(&pl->mu);
}

/* Move every helper's candidates and hold into searcher 0. */
static int gather(struct stream *st, struct round *rd, struct bb_err *err)
{
    struct searcher *w0 = &st->w[0];
    size_t k;
    int rc = 0;

    for (k = 0; k < st->nw; k++) {
        struct searcher *w = &st->w[k];

        if (w->rc < 0 && rc == 0) {
            rc = w->rc;
            if (err != NULL) {
                *err = w->err;
            }
        }
        if (w->hold < rd->hold) {
            rd->hold = w->hold;
        }
        if (k == 0 || w->nc == 0 || rc < 0) {
            continue;
        }
        rc = bb_grow((void **)&w0->c, &w0->capc, w0->nc + w->nc,
                     sizeof(*w0->c), err);
        if (rc == 0) {
            memcpy(w0->c + w0->nc, w->c, w->nc * sizeof(*w->c));
            w0->nc += w->nc;
        }
    }
    return rc;
}

static int run_sequential(struct stream *st, struct round *rd,
                          const size_t *list, size_t n)
{
    size_t k;
    int rc = 0;

    for (k = 0; rc == 0 && k < n; k++) {
        rc = search_task(st, &st->w[0], rd, list[k], &st->w[0].err);
    }
    st->w[0].rc = rc;
    return rc;
}

int search_rules(struct stream *st, struct round *rd, struct bb_err *err)
{
    const struct bb_ruleset *rs = st->rs;
    bool par = st->pool != NULL && st->only < 0 && !st->ungated &&
               rd->end - rd->start >= PARALLEL_MIN;
    size_t phase;
    size_t k;
    int rc;

    for (k = 0; k < rs->n; k++) {
        st->gate_hits[k].n = 0;
    }
    for (k = 0; k < st->nw; k++) {
        st->w[k].nc = 0;
        st->w[k].hold = rd->end;
        st->w[k].rc = 0;
    }
    prefilter_reset(&st->pf);
    if (par) {
        run_parallel(st, rd, by_cost(st, st->parts, prefilter_parts(rs->pf)),
                     prefilter_parts(rs->pf));
    } else {
        run_sequential(st, rd, st->parts, prefilter_parts(rs->pf));
    }
    rc = gather(st, rd, err);
    if (rc == 0 && st->only >= 0) {
        size_t one[2];
        size_t n = 0;

        if (rs->rules[st->only].gate_idx >= 0) {
            one[n++] = (size_t)rs->rules[st->only].gate_idx;
        }
        one[n++] = (size_t)st->only;
        run_sequential(st, rd, one, n);
        return gather(st, rd, err);
    }
    /* Gates first: their matches open the ranges of the rules behind
     * them. */
    for (phase = 0; rc == 0 && phase < 2; phase++) {
        const size_t *list = phase ? st->gates + st->n_gates : st->gates;
        size_t n = phase ? rs->n - st->n_gates : st->n_gates;

        if (par && n > 1) {
            run_parallel(st, rd, by_cost(st, list, n), n);
        } else {
            run_sequential(st, rd, list, n);
        }
        rc = gather(st, rd, err);
        for (k = 1; k < st->nw; k++) {
            st->w[k].nc = 0;
        }
    }
    return rc;
}

static int searcher_init(struct searcher *w, const struct bb_ruleset *rs,
                         struct bb_err *err)
{
    memset(w, 0, sizeof(*w));
    return matcher_state_new(&w->ms, rs->max_groups, &rs->opts, err);
}

static void pool_stop(struct pool *pl)
{
    size_t k;

    pthread_mutex_lock(&pl->mu);
    pl->quit = true;
    pthread_cond_broadcast(&pl->go);
    pthread_mutex_unlock(&pl->mu);
    for (k = 0; k < pl->n; k++) {
        pthread_join(pl->thr[k], NULL);
    }
    pthread_mutex_destroy(&pl->mu);
    pthread_cond_destroy(&pl->go);
    pthread_cond_destroy(&pl->done);
    bb_free(pl);
}

static int pool_start(struct stream *st, struct bb_err *err)
{
    struct pool *pl = bb_calloc(1, sizeof(*pl));
    size_t k;

    if (pl == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->go, NULL);
    pthread_cond_init(&pl->done, NULL);
    for (k = 1; k < st->nw; k++) {
        struct worker_arg *a = bb_malloc(sizeof(*a));

        if (a != NULL) {
            a->pl = pl;
            a->idx = k;
        }
        if (a == NULL ||
            pthread_create(&pl->thr[pl->n], NULL, worker, a) != 0) {
            bb_free(a);
            pool_stop(pl);
            return bb_seterr(err, BB_ENOMEM, "cannot start a search thread");
        }
        pl->n++;
    }
    st->pool = pl;
    return 0;
}

int search_init(struct stream *st, size_t nw, struct bb_err *err)
{
    const struct bb_ruleset *rs = st->rs;
    size_t k;
    size_t o = 0;
    int rc = 0;

    if (nw < 1 || nw > 16) {
        return bb_seterr(err, BB_EINVAL, "threads must be 1 to 16");
    }
    search_dispose(st);
    st->w = bb_calloc(nw, sizeof(*st->w));
    st->gates = bb_calloc(rs->n + 1, sizeof(*st->gates));
    st->parts = bb_calloc(prefilter_parts(rs->pf), sizeof(*st->parts));
    st->task_ns = bb_calloc(rs->n + prefilter_parts(rs->pf) + 1,
                            sizeof(*st->task_ns));
    st->order = bb_calloc(rs->n + prefilter_parts(rs->pf) + 1,
                          sizeof(*st->order));
    if (st->w == NULL || st->gates == NULL || st->parts == NULL ||
        st->task_ns == NULL || st->order == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (k = 0; k < prefilter_parts(rs->pf); k++) {
        st->parts[k] = rs->n + k;
    }
    for (k = 0; k < rs->n; k++) {
        if (rs->rules[k].action == BB_ACTION_GATE) {
            st->gates[o++] = k;
        }
    }
    st->n_gates = o;
    for (k = 0; k < rs->n; k++) {
        if (rs->rules[k].action != BB_ACTION_GATE) {
            st->gates[o++] = k;
        }
    }
    for (k = 0; rc == 0 && k < nw; k++) {
        rc = searcher_init(&st->w[k], rs, err);
        st->nw += rc == 0;
    }
    if (rc == 0 && nw > 1) {
        rc = pool_start(st, err);
    }
    return rc;
}

void search_dispose(struct stream *st)
{
    size_t k;

    if (st->pool != NULL) {
        pool_stop(st->pool);
        st->pool = NULL;
    }
    for (k = 0; k < st->nw; k++) {
        matcher_state_free(st->w[k].ms);
        bb_free(st->w[k].c);
        bb_free(st->w[k].iv);
        bb_free(st->w[k].iv2);
    }
    bb_free(st->w);
    bb_free(st->gates);
    bb_free(st->parts);
    bb_free(st->task_ns);
    bb_free(st->order);
    st->task_ns = NULL;
    st->order = NULL;
    st->w = NULL;
    st->gates = NULL;
    st->parts = NULL;
    st->nw = 0;
}
