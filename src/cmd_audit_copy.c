/*
 * cmd_audit_copy.c - audit --redact-to: each input's scrubbed copy, in
 * DIR under the input's name and with its compression, written from the
 * workers' scrubbed chunks in input order to a temporary file that is
 * renamed only when the whole input was read and scrubbed. An input with
 * an error gets no copy, and an input is never written over.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "cli.h"
#include "cmd_audit.h"

struct aud_copy {
    const struct aud_opts *o;
    size_t file;
    bool open;
    bool bad;
    char tmp[PATH_MAX];
    char final[PATH_MAX];
    gzFile gz;
    FILE *f;
};

int aud_copy_new(struct aud_copy **out, const struct aud_opts *o)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        cli_error("audit", "out of memory");
        return -1;
    }
    (*out)->o = o;
    return 0;
}

/* The copy's file name: the input's base name in DIR. */
static int names(struct aud_copy *cp, const char *name)
{
    const char *base = strrchr(name, '/');
    char rin[PATH_MAX];
    char rout[PATH_MAX];

    base = base != NULL ? base + 1 : name;
    if (strcmp(base, "-") == 0 || base[0] == '\0') {
        base = "stdin.jsonl";
    }
    if (snprintf(cp->final, sizeof(cp->final), "%s/%s", cp->o->redact_dir,
                 base) >= (int)sizeof(cp->final) ||
        snprintf(cp->tmp, sizeof(cp->tmp), "%s/.%s.tmp.XXXXXX",
                 cp->o->redact_dir, base) >= (int)sizeof(cp->tmp)) {
        cli_error("audit", "%s: the name is too long", cp->final);
        return -1;
    }
    if (realpath(name, rin) != NULL && realpath(cp->final, rout) != NULL &&
        strcmp(rin, rout) == 0) {
        cli_error("audit", "%s: --redact-to would write over the input",
                  name);
        return -1;
    }
    return 0;
}

static int start(struct aud_copy *cp, const struct aud_chunk *c,
                 const char *name)
{
    int fd;

    cp->file = c->file;
    cp->open = true;
    cp->bad = false;
    if (names(cp, name) < 0) {
        cp->bad = true;
        return 0;
    }
    fd = mkstemp(cp->tmp);
    if (fd < 0 || fchmod(fd, 0644) < 0) {
        cli_error("audit", "%s: %s", cp->tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(cp->tmp);
        }
        cp->tmp[0] = '\0';
        cp->bad = true;
        return 0;
    }
    if (c->gz) {
        cp->gz = gzdopen(fd, "wb");
    } else {
        cp->f = fdopen(fd, "w");
    }
    if (cp->gz == NULL && cp->f == NULL) {
        close(fd);
        cp->bad = true;
    }
    return 0;
}

/* Close the copy: renamed if whole, else removed. 0, or -1 when it
 * could not be written (message printed). */
static int finish(struct aud_copy *cp, const char *name)
{
    int rc = cp->bad ? -1 : 0;

    if (cp->gz != NULL && gzclose(cp->gz) != Z_OK) {
        rc = -1;
    }
    if (cp->f != NULL && (fflush(cp->f) != 0 || fsync(fileno(cp->f)) != 0 ||
                          fclose(cp->f) != 0)) {
        rc = -1;
    }
    cp->gz = NULL;
    cp->f = NULL;
    cp->open = false;
    if (rc == 0 && rename(cp->tmp, cp->final) < 0) {
        rc = -1;
    }
    if (rc < 0) {
        if (cp->tmp[0] != '\0') {
            unlink(cp->tmp);
        }
        cli_error("audit", "%s: no scrubbed copy: the input could not be "
                  "read and scrubbed whole", name);
    }
    return rc;
}

int aud_copy_chunk(struct aud_copy *cp, const struct aud_chunk *c,
                   const char *name)
{
    if (!cp->open || cp->file != c->file) {
        start(cp, c, name);
    }
    if (c->out_bad || c->n_errs > 0) {
        cp->bad = true;
    }
    if (!cp->bad && c->out_len > 0) {
        if (cp->gz != NULL) {
            cp->bad = gzwrite(cp->gz, c->out, (unsigned)c->out_len) !=
                      (int)c->out_len;
        } else if (cp->f != NULL) {
            cp->bad = fwrite(c->out, 1, c->out_len, cp->f) != c->out_len;
        }
    }
    return c->last ? finish(cp, name) : 0;
}

void aud_copy_free(struct aud_copy *cp)
{
    if (cp == NULL) {
        return;
    }
    if (cp->open) {
        cp->bad = true;
        if (cp->gz != NULL) {
            gzclose(cp->gz);
        }
        if (cp->f != NULL) {
            fclose(cp->f);
        }
        if (cp->tmp[0] != '\0') {
            unlink(cp->tmp);
        }
    }
    free(cp);
}
