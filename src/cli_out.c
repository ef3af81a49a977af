/*
 * cli_out.c - the CLI's stdout: two buffers and a writer thread, so that
 * writing one buffer overlaps with scrubbing into the other. Only bytes
 * the library has released (scrubbed) ever reach it. EPIPE ends the run
 * quietly; any other write error is reported once and stops the run.
 */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define OUT_CAP (256 * 1024)

static struct {
    char buf[2][OUT_CAP];
    size_t len[2];
    int fill;         /* the buffer being filled */
    int pending;      /* the buffer handed to the writer, or -1 */
    bool started;
    bool quit;
    atomic_bool stop; /* broken or failed: seen without the lock */
    bool broken;      /* EPIPE: the reader went away */
    bool failed;      /* another write error, in err */
    int err;
    pthread_t thr;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} o = { .pending = -1,
        .mu = PTHREAD_MUTEX_INITIALIZER,
        .cv = PTHREAD_COND_INITIALIZER };

/* Write all of p; on failure set the flags (caller holds no lock). */
static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);

        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            pthread_mutex_lock(&o.mu);
            if (errno == EPIPE) {
                o.broken = true;
            } else {
                o.failed = true;
                o.err = errno;
            }
            atomic_store(&o.stop, true);
            pthread_mutex_unlock(&o.mu);
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void *writer(void *arg)
{
    int b;
    bool skip;

    (void)arg;
    pthread_mutex_lock(&o.mu);
    for (;;) {
        while (o.pending < 0 && !o.quit) {
            pthread_cond_wait(&o.cv, &o.mu);
        }
        if (o.pending < 0) {
            break;
        }
        b = o.pending;
        skip = o.broken || o.failed;
        pthread_mutex_unlock(&o.mu);
        if (!skip) {
            write_all(o.buf[b], o.len[b]);
        }
        pthread_mutex_lock(&o.mu);
        o.len[b] = 0;
        o.pending = -1;
        pthread_cond_broadcast(&o.cv);
    }
    pthread_mutex_unlock(&o.mu);
    return NULL;
}

/* Wait until the writer holds no buffer (caller holds the lock). */
static void wait_idle(void)
{
    while (o.pending >= 0) {
        pthread_cond_wait(&o.cv, &o.mu);
    }
}

/* Hand the filled buffer to the writer and start filling the other. The
 * writer is started on first use; without it the bytes are written here. */
static void submit(void)
{
    int b = o.fill;

    if (o.len[b] == 0) {
        return;
    }
    pthread_mutex_lock(&o.mu);
    if (!o.started && !o.quit) {
        o.started = pthread_create(&o.thr, NULL, writer, NULL) == 0;
    }
    if (!o.started) {
        pthread_mutex_unlock(&o.mu);
        write_all(o.buf[b], o.len[b]);
        o.len[b] = 0;
        return;
    }
    wait_idle();
    o.pending = b;
    o.fill = 1 - b;
    pthread_cond_broadcast(&o.cv);
    pthread_mutex_unlock(&o.mu);
}

static bool stopped(void)
{
    return atomic_load_explicit(&o.stop, memory_order_relaxed);
}

int cli_out_write(const void *data, size_t len, void *userdata)
{
    (void)userdata;
    while (len > 0) {
        size_t room = OUT_CAP - o.len[o.fill];
        size_t n = len < room ? len : room;

        if (stopped()) {
            return -1;
        }
        memcpy(o.buf[o.fill] + o.len[o.fill], data, n);
        o.len[o.fill] += n;
        data = (const char *)data + n;
        len -= n;
        if (o.len[o.fill] == OUT_CAP) {
            submit();
        }
    }
    return 0;
}

static int report(const char *cmd)
{
    bool broken;
    bool failed;
    int err;

    pthread_mutex_lock(&o.mu);
    broken = o.broken;
    failed = o.failed;
    err = o.err;
    o.err = 0; /* reported once */
    pthread_mutex_unlock(&o.mu);
    if (broken) {
        return 1;
    }
    if (failed) {
        if (err != 0) {
            cli_error(cmd, "write to stdout failed: %s", strerror(err));
        }
        return -1;
    }
    return 0;
}

int cli_out_flush(const char *cmd)
{
    if (!stopped()) {
        submit();
    }
    return report(cmd);
}

int cli_out_sync(const char *cmd)
{
    if (!stopped()) {
        submit();
    }
    pthread_mutex_lock(&o.mu);
    wait_idle();
    o.quit = true;
    pthread_cond_broadcast(&o.cv);
    pthread_mutex_unlock(&o.mu);
    if (o.started) {
        pthread_join(o.thr, NULL);
        o.started = false;
    }
    return report(cmd);
}

bool cli_out_broken(void)
{
    bool b;

    pthread_mutex_lock(&o.mu);
    b = o.broken;
    pthread_mutex_unlock(&o.mu);
    return b;
}
