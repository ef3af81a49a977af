/*
 * cli_pipe.h - an ordered work pipeline (cli_pipe.c): a producer thread
 * pushes jobs, worker threads run them, the caller takes them back in
 * push order. A job is any struct whose first member is a struct cli_job.
 */
#ifndef BB_CLI_PIPE_H
#define BB_CLI_PIPE_H

#include <stdbool.h>
#include <stddef.h>

struct cli_job {
    bool done; /* set by the pipe when a worker has run it */
    size_t len; /* bytes it holds, counted against the in-flight cap */
};

struct cli_pipe;

struct cli_pipe_ops {
    const char *cmd; /* for messages */
    /* One worker's state; 0, or -1 (message printed). */
    int (*worker_new)(void **out, void *ctx);
    /* Run a job; -1 only on a failure that stops everything (message
     * printed). */
    int (*run)(void *worker, struct cli_job *job);
    void (*worker_free)(void *worker);
    void (*job_free)(struct cli_job *job);
    /* Runs in the producer thread, pushing jobs; 0, or -1 when what it
     * listed is incomplete (message printed). */
    int (*produce)(struct cli_pipe *p, void *ctx);
    void *ctx;
    size_t max_inflight; /* bytes held by pushed jobs (0: 64 MiB) */
};

/* Start jobs worker threads. */
int cli_pipe_new(struct cli_pipe **out, const struct cli_pipe_ops *ops,
                 unsigned jobs);
/* Start the producer; the pipe closes when it returns. */
int cli_pipe_start(struct cli_pipe *p);
/* Producer side: takes ownership of j; -1 when the pipe is stopping. */
int cli_pipe_push(struct cli_pipe *p, struct cli_job *j);
void cli_pipe_close(struct cli_pipe *p);
/* Consumer side: the next job in order (the caller frees it), or NULL
 * at the end or when a worker failed. */
struct cli_job *cli_pipe_next(struct cli_pipe *p);
/* Stop and join everything; returns the producer's result, and sets
 * *failed when a worker failed. */
int cli_pipe_free(struct cli_pipe *p, bool *failed);

#endif
