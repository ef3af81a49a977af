/*
 * scan_pipe.c - the scan's pipeline: one producer thread lists units
 * (files, blobs, diff hunks), N worker threads scan them, and the
 * calling thread takes them back in the order they were listed, so the
 * report does not depend on -j. A push waits while too many units or
 * bytes are in flight, which bounds memory whatever the input.
 */
#include <pthread.h>
#include <stdlib.h>

#include "cli.h"
#include "scan.h"

#define RING 1024                      /* units in flight */
#define INFLIGHT_BYTES (64u << 20)     /* bytes held by units in flight */

struct scan_pipe {
    const struct scan_opts *o;
    pthread_mutex_t mu;
    pthread_cond_t cv_work;  /* a unit to claim, or the end */
    pthread_cond_t cv_done;  /* the consumer's next unit is done */
    pthread_cond_t cv_space; /* room to push */
    size_t idle;             /* workers waiting on cv_work */
    bool consumer_waits;
    bool producer_waits;
    struct scan_unit *batch[64]; /* taken in one go, handed out in order */
    size_t n_batch;
    size_t i_batch;
    struct scan_unit *ring[RING];
    uint64_t pushed;
    uint64_t claimed;
    uint64_t taken;
    size_t inflight;
    bool closed;
    bool stop;        /* everyone stops: a failure, or the end */
    bool worker_failed;
    pthread_t *threads;
    size_t n_threads;
    pthread_t producer;
    bool has_producer;
    int (*produce)(struct scan_pipe *p, const struct scan_opts *o);
    int produce_rc;
};

struct worker_arg {
    struct scan_pipe *p;
    struct scan_worker *w;
};

/* Wake everyone: the scan stops or ends. Called with mu held. */
static void wake_all(struct scan_pipe *p)
{
    pthread_cond_broadcast(&p->cv_work);
    pthread_cond_broadcast(&p->cv_done);
    pthread_cond_broadcast(&p->cv_space);
}

/* Hand-offs wake only the thread that can go on: a thread switch per
 * file was most of the cost of a tree of small files. */
static void *work(void *arg)
{
    struct worker_arg *wa = arg;
    struct scan_pipe *p = wa->p;

    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        if (p->claimed < p->pushed) {
            /* a share of what waits, so no worker idles at the end */
            uint64_t k = (p->pushed - p->claimed) / (4 * p->n_threads);
            uint64_t first = p->claimed;
            uint64_t i;
            int rc = 0;

            k = k < 1 ? 1 : k > 16 ? 16 : k;
            p->claimed += k;
            pthread_mutex_unlock(&p->mu);
            for (i = first; i < first + k && rc == 0; i++) {
                rc = scan_worker_run(wa->w, p->ring[i % RING]);
            }
            pthread_mutex_lock(&p->mu);
            for (i = first; i < first + k; i++) {
                p->ring[i % RING]->done = true;
            }
            if (rc < 0) {
                p->worker_failed = true;
                p->stop = true;
                wake_all(p);
            } else if (p->consumer_waits && p->taken >= first &&
                       p->taken < first + k) {
                pthread_cond_signal(&p->cv_done);
            }
            continue;
        }
        if (p->closed) {
            break;
        }
        p->idle++;
        pthread_cond_wait(&p->cv_work, &p->mu);
        p->idle--;
    }
    pthread_mutex_unlock(&p->mu);
    scan_worker_free(wa->w);
    free(wa);
    return NULL;
}

int scan_pipe_new(struct scan_pipe **out, const struct scan_opts *o)
{
    struct scan_pipe *p = calloc(1, sizeof(*p));
    size_t i;

    if (p == NULL || (p->threads = calloc(o->jobs, sizeof(pthread_t))) ==
                         NULL) {
        free(p);
        cli_error("scan", "out of memory");
        return -1;
    }
    p->o = o;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv_work, NULL);
    pthread_cond_init(&p->cv_done, NULL);
    pthread_cond_init(&p->cv_space, NULL);
    for (i = 0; i < o->jobs; i++) {
        struct worker_arg *wa = calloc(1, sizeof(*wa));

        if (wa == NULL || scan_worker_new(&wa->w, o) < 0) {
            free(wa);
            break;
        }
        wa->p = p;
        if (pthread_create(&p->threads[i], NULL, work, wa) != 0) {
            scan_worker_free(wa->w);
            free(wa);
            break;
        }
        p->n_threads++;
    }
    if (p->n_threads < o->jobs) {
        cli_error("scan", "cannot start %u worker threads", o->jobs);
        bool failed;

        scan_pipe_free(p, &failed);
        return -1;
    }
    *out = p;
    return 0;
}

int scan_pipe_push(struct scan_pipe *p, struct scan_unit *u)
{
    pthread_mutex_lock(&p->mu);
    while (!p->stop && (p->pushed - p->taken >= RING ||
                        (p->inflight > INFLIGHT_BYTES &&
                         p->pushed > p->taken))) {
        p->producer_waits = true;
        pthread_cond_wait(&p->cv_space, &p->mu);
        p->producer_waits = false;
    }
    if (p->stop) {
        pthread_mutex_unlock(&p->mu);
        scan_unit_free(u);
        return -1;
    }
    p->ring[p->pushed % RING] = u;
    p->pushed++;
    p->inflight += u->len;
    if (p->idle > 0) {
        pthread_cond_signal(&p->cv_work);
    }
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void scan_pipe_close(struct scan_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_cond_broadcast(&p->cv_work);
    pthread_cond_broadcast(&p->cv_done);
    pthread_mutex_unlock(&p->mu);
}

static void *produce(void *arg)
{
    struct scan_pipe *p = arg;

    p->produce_rc = p->produce(p, p->o);
    scan_pipe_close(p);
    return NULL;
}

int scan_pipe_start(struct scan_pipe *p,
                    int (*fn)(struct scan_pipe *p, const struct scan_opts *o))
{
    p->produce = fn;
    if (pthread_create(&p->producer, NULL, produce, p) != 0) {
        cli_error("scan", "cannot start a thread");
        return -1;
    }
    p->has_producer = true;
    return 0;
}

struct scan_unit *scan_pipe_next(struct scan_pipe *p)
{
    if (p->i_batch < p->n_batch) {
        return p->batch[p->i_batch++];
    }
    p->n_batch = 0;
    p->i_batch = 0;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        while (p->n_batch < 64 && p->taken < p->pushed &&
               p->ring[p->taken % RING]->done) {
            struct scan_unit *u = p->ring[p->taken % RING];

            p->batch[p->n_batch++] = u;
            p->taken++;
            p->inflight -= u->len;
        }
        if (p->n_batch > 0) {
            if (p->producer_waits) {
                pthread_cond_signal(&p->cv_space);
            }
            break;
        }
        if (p->closed && p->taken == p->pushed) {
            break;
        }
        p->consumer_waits = true;
        pthread_cond_wait(&p->cv_done, &p->mu);
        p->consumer_waits = false;
    }
    pthread_mutex_unlock(&p->mu);
    return p->n_batch > 0 ? p->batch[p->i_batch++] : NULL;
}

int scan_pipe_free(struct scan_pipe *p, bool *failed)
{
    int rc = 0;
    size_t i;

    if (p == NULL) {
        return 0;
    }
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    *failed = p->worker_failed;
    wake_all(p);
    pthread_mutex_unlock(&p->mu);
    if (p->has_producer) {
        pthread_join(p->producer, NULL);
        rc = p->produce_rc;
    }
    for (i = 0; i < p->n_threads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    for (; p->i_batch < p->n_batch; p->i_batch++) {
        scan_unit_free(p->batch[p->i_batch]);
    }
    for (; p->taken < p->pushed; p->taken++) {
        scan_unit_free(p->ring[p->taken % RING]);
    }
    pthread_cond_destroy(&p->cv_work);
    pthread_cond_destroy(&p->cv_done);
    pthread_cond_destroy(&p->cv_space);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
    return rc;
}
