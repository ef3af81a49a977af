/*
 * maxrss.c - run a command and report its peak resident set size and wall
 * time on stderr as "maxrss_kb=N wall_s=F", for bench/run.sh. stdin,
 * stdout and stderr pass through; the exit status is the command's.
 */
#define _DEFAULT_SOURCE /* wait4 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct rusage ru;
    double start;
    pid_t pid;
    int status;

    if (argc < 2) {
        fputs("usage: maxrss COMMAND [ARGS...]\n", stderr);
        return 2;
    }
    start = now();
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "maxrss: fork: %s\n", strerror(errno));
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        fprintf(stderr, "maxrss: %s: %s\n", argv[1], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    /* Leave Ctrl-C to the child, so the report still gets printed. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "maxrss: wait4: %s\n", strerror(errno));
            return 2;
        }
    }
    /* ru_maxrss is in KiB on Linux. */
    fprintf(stderr, "maxrss_kb=%ld wall_s=%.3f\n", ru.ru_maxrss,
            now() - start);
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}
