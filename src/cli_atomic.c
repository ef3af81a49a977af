/*
 * cli_atomic.c - files that appear whole or not at all: written to a
 * temporary file beside the final name (.NAME.tmp.XXXXXX, made by
 * mkstemp, so never a file someone else put there), then flushed to
 * disk and renamed over the final name. A reader never sees half a
 * baseline, copy or port file, and a failure or a kill leaves the final
 * name as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_atomic_open(struct cli_atomic *a, const char *final, const char *cmd)
{
    const char *slash = strrchr(final, '/');
    int dir = slash != NULL ? (int)(slash - final + 1) : 0;
    int fd;

    memset(a, 0, sizeof(*a));
    if (snprintf(a->final, sizeof(a->final), "%s", final) >=
            (int)sizeof(a->final) ||
        snprintf(a->tmp, sizeof(a->tmp), "%.*s.%s.tmp.XXXXXX", dir, final,
                 final + dir) >= (int)sizeof(a->tmp)) {
        cli_error(cmd, "%s: the name is too long", final);
        a->tmp[0] = '\0';
        return -1;
    }
    fd = mkstemp(a->tmp);
    if (fd < 0 || fchmod(fd, 0644) < 0 || (a->f = fdopen(fd, "w")) == NULL) {
        cli_error(cmd, "%s: %s", a->tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp);
        }
        a->tmp[0] = '\0';
        return -1;
    }
    return 0;
}

int cli_atomic_commit(struct cli_atomic *a)
{
    int rc = 0;
    int e;

    if (a->f == NULL) {
        errno = EBADF;
        return -1;
    }
    if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0) {
        rc = -1;
    }
    e = errno;
    if (fclose(a->f) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    a->f = NULL;
    if (rc == 0 && rename(a->tmp, a->final) < 0) {
        rc = -1;
        e = errno;
    }
    if (rc < 0) {
        unlink(a->tmp);
    }
    a->tmp[0] = '\0';
    errno = e;
    return rc;
}

void cli_atomic_abort(struct cli_atomic *a)
{
    if (a->f != NULL) {
        fclose(a->f);
        a->f = NULL;
    }
    if (a->tmp[0] != '\0') {
        unlink(a->tmp);
        a->tmp[0] = '\0';
    }
}
