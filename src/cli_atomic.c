/*
 * cli_atomic.c - files that appear whole or not at all: written to a
 * temporary file beside the final name (.NAME.tmp.XXXXXX, made by
 * mkstemp, so never a file someone else put there), then flushed to
 * disk and renamed over the final name. A reader never sees half a
 * baseline, copy or port file, and a failure or a kill leaves the final
 * name as it was. The writer holds a lock on its temporary file; one
 * that nobody holds and nobody wrote to for STALE_S seconds was left by
 * a killed run, and the next run for the same name removes it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define STALE_S 60

/* Remove what killed writers left of final's temporary files: in dir
 * (dlen bytes of final, "" for the current one), the names .BASE.tmp.
 * and six more characters, unlocked, untouched for STALE_S seconds. */
static void sweep(const char *final, int dlen)
{
    char dir[PATH_MAX];
    char prefix[NAME_MAX + 8];
    char path[PATH_MAX];
    struct dirent *e;
    size_t plen;
    DIR *d;

    snprintf(dir, sizeof(dir), "%.*s", dlen > 0 ? dlen : 1,
             dlen > 0 ? final : ".");
    snprintf(prefix, sizeof(prefix), ".%s.tmp.", final + dlen);
    plen = strlen(prefix);
    d = opendir(dir);
    while (d != NULL && (e = readdir(d)) != NULL) {
        struct stat st;
        int fd;

        if (strncmp(e->d_name, prefix, plen) != 0 ||
            strlen(e->d_name) != plen + 6 ||
            snprintf(path, sizeof(path), "%.*s%s", dlen, final,
                     e->d_name) >= (int)sizeof(path)) {
            continue;
        }
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            continue;
        }
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            st.st_uid == geteuid() && st.st_mtime + STALE_S < time(NULL) &&
            flock(fd, LOCK_EX | LOCK_NB) == 0) {
            unlink(path);
        }
        close(fd);
    }
    if (d != NULL) {
        closedir(d);
    }
}

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
    sweep(final, dir);
    fd = mkstemp(a->tmp);
    /* held until the file is closed: a sweep leaves it alone */
    if (fd < 0 || flock(fd, LOCK_EX) < 0 || fchmod(fd, 0644) < 0 ||
        (a->f = fdopen(fd, "w")) == NULL) {
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
