/*
 * cmd_audit_src.c - audit's input bytes: a plain file as it is, or a
 * gzip file (told by its magic bytes, not its name) inflated with
 * ISA-L's igzip, about five times faster than zlib here: one gzip stream
 * inflates on one thread, so this is what audit's reader can do fastest.
 * Members one after another are read as one stream; a stream that ends
 * before its last member does is an error, never a silent end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <isa-l/igzip_lib.h>

#include "cli.h"
#include "cmd_audit.h"

#define IN_CAP (256u << 10)

struct aud_src {
    int fd;
    bool gz;
    bool eof;        /* the file is read to its end */
    bool done;       /* the last gzip member is complete */
    struct inflate_state st;
    unsigned char *in;
    size_t in_len;   /* plain: bytes read ahead, not handed out yet */
    size_t in_off;
    char err[160];
};

/* Read more compressed input; 0, or -1 (s->err set). */
static int refill(struct aud_src *s)
{
    ssize_t n;

    do {
        n = read(s->fd, s->in, IN_CAP);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        snprintf(s->err, sizeof(s->err), "%s", strerror(errno));
        return -1;
    }
    s->eof = n == 0;
    s->st.next_in = s->in;
    s->st.avail_in = (uint32_t)n;
    return 0;
}

int aud_src_open(struct aud_src **out, int fd)
{
    struct aud_src *s = calloc(1, sizeof(*s));

    *out = s;
    if (s == NULL) {
        return -1;
    }
    s->fd = fd; /* s owns it from here */
    s->in = malloc(IN_CAP);
    if (s->in == NULL) {
        snprintf(s->err, sizeof(s->err), "out of memory");
        return -1;
    }
    isal_inflate_init(&s->st);
    s->st.crc_flag = ISAL_GZIP;
    if (refill(s) < 0) {
        return -1;
    }
    s->gz = s->st.avail_in >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    s->in_len = s->st.avail_in;
    return 0;
}

bool aud_src_gz(const struct aud_src *s)
{
    return s->gz;
}

const char *aud_src_error(const struct aud_src *s)
{
    return s->err;
}

static ssize_t read_plain(struct aud_src *s, char *buf, size_t n)
{
    ssize_t got;

    if (s->in_off < s->in_len) { /* the bytes read to look at the magic */
        size_t k = s->in_len - s->in_off < n ? s->in_len - s->in_off : n;

        memcpy(buf, s->in + s->in_off, k);
        s->in_off += k;
        return (ssize_t)k;
    }
    do {
        got = read(s->fd, buf, n);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        snprintf(s->err, sizeof(s->err), "%s", strerror(errno));
    }
    return got;
}

/* A member ended: another follows (its first bytes are what is left of
 * the input, or the next read), or the stream is done. */
static int next_member(struct aud_src *s)
{
    uint8_t *next;
    uint32_t avail;

    if (s->st.avail_in == 0 && !s->eof && refill(s) < 0) {
        return -1;
    }
    if (s->st.avail_in == 0) { /* the end of the file */
        s->done = true;
        return 0;
    }
    next = s->st.next_in;
    avail = s->st.avail_in;
    isal_inflate_reset(&s->st);
    s->st.crc_flag = ISAL_GZIP;
    s->st.next_in = next;
    s->st.avail_in = avail;
    return 0;
}

static ssize_t read_gz(struct aud_src *s, char *buf, size_t n)
{
    while (!s->done) {
        size_t made;
        int rc;

        if (s->st.avail_in == 0 && !s->eof && refill(s) < 0) {
            return -1;
        }
        s->st.next_out = (uint8_t *)buf;
        s->st.avail_out = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
        rc = isal_inflate(&s->st);
        if (rc < 0) {
            snprintf(s->err, sizeof(s->err), "the gzip data is corrupt "
                     "(igzip error %d)", rc);
            return -1;
        }
        made = n - s->st.avail_out;
        if (s->st.block_state == ISAL_BLOCK_FINISH && next_member(s) < 0) {
            return -1;
        }
        if (made > 0) {
            return (ssize_t)made;
        }
        if (s->eof && s->st.avail_in == 0 && !s->done) {
            snprintf(s->err, sizeof(s->err), "the gzip data ends too soon "
                     "(a truncated file)");
            return -1;
        }
    }
    return 0;
}

ssize_t aud_src_read(struct aud_src *s, char *buf, size_t n)
{
    return s->gz ? read_gz(s, buf, n) : read_plain(s, buf, n);
}

void aud_src_close(struct aud_src *s)
{
    if (s == NULL) {
        return;
    }
    close(s->fd);
    free(s->in);
    free(s);
}
