/*
 * scan_git.c - run git for the scanner: argv only (never a shell), its
 * standard output read through a pipe, its exit status checked. Which
 * files git tracks or ignores is git's business; blackbar only asks.
 * And the pre-commit hook that --install-hook writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "scan.h"

extern char **environ;

/* Start git with its stdout on a pipe, and its stdin on one too when
 * with_in (else /dev/null). */
static int spawn(struct git_proc *g, const char *const *argv, bool quiet,
                 bool with_in)
{
    posix_spawn_file_actions_t fa;
    int fds[2];
    int ins[2] = { -1, -1 };
    pid_t pid;
    int rc;

    g->pid = -1;
    g->out = NULL;
    g->in = NULL;
    if (pipe2(fds, O_CLOEXEC) < 0 || (with_in && pipe2(ins, O_CLOEXEC) < 0)) {
        cli_error("scan", "pipe: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    if (with_in) {
        posix_spawn_file_actions_adddup2(&fa, ins[0], STDIN_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
                                         O_RDONLY, 0);
    }
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
                                         O_WRONLY, 0);
    }
    rc = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv,
                      environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (with_in) {
        close(ins[0]);
    }
    if (rc != 0) {
        close(fds[0]);
        if (with_in) {
            close(ins[1]);
        }
        if (!quiet) {
            cli_error("scan", "cannot run git: %s", strerror(rc));
        }
        return -1;
    }
    g->pid = pid;
    g->out = fdopen(fds[0], "r");
    g->in = with_in ? fdopen(ins[1], "w") : NULL;
    if (g->out == NULL || (with_in && g->in == NULL)) {
        if (g->out == NULL) {
            close(fds[0]);
        }
        if (with_in && g->in == NULL) {
            close(ins[1]);
        }
        git_finish(g);
        cli_error("scan", "out of memory");
        return -1;
    }
    return 0;
}

int git_start(struct git_proc *g, const char *const *argv, bool quiet)
{
    return spawn(g, argv, quiet, false);
}

int git_finish(struct git_proc *g)
{
    int status = 0;

    if (g->in != NULL) {
        fclose(g->in); /* git sees the end of its input */
        g->in = NULL;
    }
    if (g->out != NULL) {
        fclose(g->out);
        g->out = NULL;
    }
    if (g->pid <= 0) {
        return -1;
    }
    while (waitpid(g->pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    g->pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int git_output(char **out, size_t *len_out, const char *const *argv,
               size_t max, bool quiet)
{
    struct git_proc g;
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;
    int rc = 0;

    *out = NULL;
    *len_out = 0;
    if (git_start(&g, argv, quiet) < 0) {
        return -1;
    }
    for (;;) {
        size_t n;

        if (cap - len < 65536 + 1) {
            char *nb = realloc(buf, cap + 65536 + 1 + cap / 2);

            if (nb == NULL) {
                rc = -1;
                break;
            }
            buf = nb;
            cap += 65536 + 1 + cap / 2;
        }
        n = fread(buf + len, 1, cap - len - 1, g.out);
        len += n;
        if (len > max) {
            *len_out = max + 1; /* too large: stop reading */
            rc = -1;
            break;
        }
        if (n == 0) {
            break;
        }
    }
    if (g.out != NULL && ferror(g.out)) {
        rc = -1;
    }
    if (rc < 0 && g.pid > 0) {
        kill(g.pid, SIGTERM);
    }
    if (git_finish(&g) != 0) {
        rc = -1;
    }
    if (rc < 0) {
        if (buf != NULL) {
            explicit_bzero(buf, len);
        }
        free(buf);
        return -1;
    }
    if (buf == NULL) {
        buf = calloc(1, 1);
        if (buf == NULL) {
            return -1;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *len_out = len;
    return 0;
}

int git_batch_start(struct git_proc *g)
{
    const char *argv[] = { "git", "cat-file", "--batch", NULL };

    return spawn(g, argv, false, true);
}

/* Read n bytes of the blob being sent into buf, or past them (NULL). */
static int take(struct git_proc *g, char *buf, uint64_t n)
{
    char sink[65536];

    while (n > 0) {
        size_t k = n < sizeof(sink) ? (size_t)n : sizeof(sink);

        if (fread(buf != NULL ? buf : sink, 1, k, g->out) != k) {
            return -1;
        }
        buf = buf != NULL ? buf + k : NULL;
        n -= k;
    }
    return getc(g->out) == '\n' ? 0 : -1;
}

int git_batch_blob(struct git_proc *g, const char *oid, size_t max,
                   char **out, size_t *len)
{
    char head[256];
    char type[32];
    unsigned long long size;
    char *buf;

    *out = NULL;
    *len = 0;
    if (g->in == NULL || fprintf(g->in, "%s\n", oid) < 0 ||
        fflush(g->in) != 0 || fgets(head, sizeof(head), g->out) == NULL ||
        sscanf(head, "%*s %31s %llu", type, &size) != 2 ||
        strcmp(type, "blob") != 0) {
        return -1;
    }
    if (size > max) {
        *len = size > SIZE_MAX ? SIZE_MAX : (size_t)size;
        return take(g, NULL, size) < 0 ? -1 : 1;
    }
    buf = malloc((size_t)size + 1);
    if (buf == NULL) {
        return take(g, NULL, size) < 0 ? -1 : -2;
    }
    if (take(g, buf, size) < 0) {
        explicit_bzero(buf, (size_t)size);
        free(buf);
        return -1;
    }
    buf[size] = '\0';
    *out = buf;
    *len = (size_t)size;
    return 0;
}

char *git_toplevel(const char *dir)
{
    const char *argv[] = { "git", "-C", dir, "rev-parse",
                           "--show-toplevel", NULL };
    char *out;
    size_t len;

    if (git_output(&out, &len, argv, 65536, true) < 0) {
        return NULL;
    }
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r')) {
        out[--len] = '\0';
    }
    if (len == 0) {
        free(out);
        return NULL;
    }
    return out;
}

int git_require(const char *dir)
{
    char *top = git_toplevel(dir);

    if (top == NULL) {
        cli_error("scan", "%s is not in a git work tree (or git is not "
                  "installed)", strcmp(dir, ".") == 0 ? "this directory"
                                                       : dir);
        return -1;
    }
    free(top);
    return 0;
}

/* Single-quote s for sh. */
static void sh_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s != '\0'; s++) {
        if (*s == '\'') {
            fputs("'\\''", f);
        } else {
            fputc(*s, f);
        }
    }
    fputc('\'', f);
}

#define HOOK_MARK "# blackbar pre-commit hook"

int scan_install_hook(bool force)
{
    const char *argv[] = { "git", "rev-parse", "--git-path",
                           "hooks/pre-commit", NULL };
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *path = NULL;
    char *slash;
    size_t len;
    char *old;
    size_t old_len = 0;
    FILE *f;

    if (n <= 0) {
        cli_error("scan", "cannot find the blackbar executable");
        return EXIT_ERROR;
    }
    exe[n] = '\0';
    if (git_output(&path, &len, argv, 65536, false) < 0) {
        cli_error("scan", "--install-hook: not in a git repository");
        return EXIT_ERROR;
    }
    while (len > 0 && path[len - 1] == '\n') {
        path[--len] = '\0';
    }
    slash = strrchr(path, '/');
    if (slash != NULL && slash != path) { /* core.hooksPath may not exist */
        *slash = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST) {
            cli_error("scan", "%s: %s", path, strerror(errno));
            free(path);
            return EXIT_ERROR;
        }
        *slash = '/';
    }
    if (access(path, F_OK) == 0) {
        old = cli_read_file(path, 1u << 20, &old_len, "scan");
        if (old == NULL) {
            free(path);
            return EXIT_ERROR;
        }
        if (strstr(old, HOOK_MARK) == NULL && !force) {
            cli_error("scan", "%s exists and is not blackbar's; keep it, "
                      "or replace it with --install-hook --force", path);
            cli_free_file(old, old_len);
            free(path);
            return EXIT_ERROR;
        }
        cli_free_file(old, old_len);
    }
    f = fopen(path, "w");
    if (f == NULL) {
        cli_error("scan", "%s: %s", path, strerror(errno));
        free(path);
        return EXIT_ERROR;
    }
    fputs("#!/bin/sh\n" HOOK_MARK ": installed by "
          "`blackbar scan --install-hook`\n"
          "# Refuses a commit whose staged content holds PII or secrets.\n"
          "# Allow a line with a comment containing blackbar:allow.\n"
          "exec ", f);
    sh_quote(f, exe);
    fputs(" scan --staged\n", f);
    if (fchmod(fileno(f), 0755) < 0 || fclose(f) != 0) {
        cli_error("scan", "%s: %s", path, strerror(errno));
        free(path);
        return EXIT_ERROR;
    }
    fprintf(stderr, "blackbar: scan: installed %s\n", path);
    free(path);
    return EXIT_CLEAN;
}
