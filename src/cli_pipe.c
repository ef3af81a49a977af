/*
 * cli_pipe.c - an ordered work pipeline for scan and audit: one producer
 * thread lists jobs (files, blobs, chunks of lines), N worker threads
 * run them, and the calling thread takes them back in the order they
 * were listed, so a report does not depend on -j. A push waits while too
 * many jobs or bytes are in flight, which bounds memory whatever the
 * input.
 */
#include <pthread.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_pipe.h"

#define RING 1024                      /* units in flight */
#define INFLIGHT_BYTES (64u << 20)     /* default cap of bytes in flight */

struct cli_pipe {
    struct cli_pipe_ops ops;
    unsigned jobs;
    pthread_mutex_t mu;
    pthread_cond_t cv_work;  /* a unit to claim, or the end */
    pthread_cond_t cv_done;  /* the consumer's next unit is done */
    pthread_cond_t cv_space; /* room to push */
    size_t idle;             /* workers waiting on cv_work */
    bool consumer_waits;
    bool producer_waits;
    struct cli_job *batch[64]; /* taken in one go, handed out in order */
    size_t n_batch;
    size_t i_batch;
    struct cli_job *ring[RING];
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
    int produce_rc;
};

struct worker_arg {
    struct cli_pipe *p;
    void *w;
};

/* Wake everyone: the scan stops or ends. Called with mu held. */
static void wake_all(struct cli_pipe *p)
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
    struct cli_pipe *p = wa->p;

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
                rc = p->ops.run(wa->w, p->ring[i % RING]);
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
    p->ops.worker_free(wa->w);
    free(wa);
    return NULL;
}

int cli_pipe_new(struct cli_pipe **out, const struct cli_pipe_ops *ops,
                 unsigned jobs)
{
    struct cli_pipe *p = calloc(1, sizeof(*p));
    size_t i;

    if (p == NULL || (p->threads = calloc(jobs, sizeof(pthread_t))) ==
                         NULL) {
        free(p);
        cli_error(ops->cmd, "out of memory");
        return -1;
    }
    p->ops = *ops;
    p->jobs = jobs;
    if (p->ops.max_inflight == 0) {
        p->ops.max_inflight = INFLIGHT_BYTES;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv_work, NULL);
    pthread_cond_init(&p->cv_done, NULL);
    pthread_cond_init(&p->cv_space, NULL);
    for (i = 0; i < jobs; i++) {
        struct worker_arg *wa = calloc(1, sizeof(*wa));

        if (wa == NULL || ops->worker_new(&wa->w, ops->ctx) < 0) {
            free(wa);
            break;
        }
        wa->p = p;
        if (pthread_create(&p->threads[i], NULL, work, wa) != 0) {
            ops->worker_free(wa->w);
            free(wa);
            break;
        }
        p->n_threads++;
    }
    if (p->n_threads < jobs) {
        bool failed;

        cli_error(ops->cmd, "cannot start %u worker threads", jobs);
        cli_pipe_free(p, &failed);
        return -1;
    }
    *out = p;
    return 0;
}

int cli_pipe_push(struct cli_pipe *p, struct cli_job *u)
{
    pthread_mutex_lock(&p->mu);
    while (!p->stop && (p->pushed - p->taken >= RING ||
                        (p->inflight > p->ops.max_inflight &&
                         p->pushed > p->taken))) {
        p->producer_waits = true;
        pthread_cond_wait(&p->cv_space, &p->mu);
        p->producer_waits = false;
    }
    if (p->stop) {
        pthread_mutex_unlock(&p->mu);
        p->ops.job_free(u);
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

void cli_pipe_close(struct cli_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_cond_broadcast(&p->cv_work);
    pthread_cond_broadcast(&p->cv_done);
    pthread_mutex_unlock(&p->mu);
}

static void *produce(void *arg)
{
    struct cli_pipe *p = arg;

    p->produce_rc = p->ops.produce(p, p->ops.ctx);
    cli_pipe_close(p);
    return NULL;
}

int cli_pipe_start(struct cli_pipe *p)
{
    if (pthread_create(&p->producer, NULL, produce, p) != 0) {
        cli_error(p->ops.cmd, "cannot start a thread");
        return -1;
    }
    p->has_producer = true;
    return 0;
}

struct cli_job *cli_pipe_next(struct cli_pipe *p)
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
            struct cli_job *u = p->ring[p->taken % RING];

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

int cli_pipe_free(struct cli_pipe *p, bool *failed)
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
        p->ops.job_free(p->batch[p->i_batch]);
    }
    for (; p->taken < p->pushed; p->taken++) {
        p->ops.job_free(p->ring[p->taken % RING]);
    }
    pthread_cond_destroy(&p->cv_work);
    pthread_cond_destroy(&p->cv_done);
    pthread_cond_destroy(&p->cv_space);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
    return rc;
}
