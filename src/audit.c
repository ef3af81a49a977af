/*
 * audit.c - the audit log's writer (DESIGN section 5, docs/AUDIT-FORMAT.md).
 * One JSON object per line, appended with one write(2) on an O_APPEND
 * descriptor under an exclusive flock, so several processes can share a
 * log: under the lock the writer reads the last record's seq and hash,
 * and chains the new one to it. hash = HMAC-SHA256 with the audit key
 * over the line's bytes up to ',"hash":'. Block records are fsynced. A
 * torn last line (a writer killed mid-write) is cut off under the lock
 * and a "recover" record says how many bytes it had. Values are never
 * written: a keyed fingerprint stands for them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "audit.h"
#include "core.h"

#define TAIL_MAX 65536 /* the last record is within this many bytes */

struct bb_audit {
    int fd;
    char *path;
    char tail[TAIL_MAX];  /* the end of the file, read under the lock */
    unsigned char key[64];
    size_t key_len;
};

/* ------------------------------------------------------------ records */

static int put(struct audit_line *l, const char *p, size_t n)
{
    struct bb_err err;

    if (l->n + n + 1 > l->cap &&
        bb_grow((void **)&l->p, &l->cap, l->n + n + 1, 1, &err) < 0) {
        return -1;
    }
    memcpy(l->p + l->n, p, n);
    l->n += n;
    l->p[l->n] = '\0';
    return 0;
}

static int put_s(struct audit_line *l, const char *s)
{
    return put(l, s, strlen(s));
}

/* A JSON string: '"', '\\' and control bytes escaped. */
static int put_str(struct audit_line *l, const char *s)
{
    int rc = put(l, "\"", 1);

    for (; rc == 0 && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char e[8];

        if (c == '"' || c == '\\') {
            e[0] = '\\';
            e[1] = (char)c;
            rc = put(l, e, 2);
        } else if (c < 0x20) {
            snprintf(e, sizeof(e), "\\u%04x", c);
            rc = put(l, e, 6);
        } else {
            rc = put(l, s, 1);
        }
    }
    return rc == 0 ? put(l, "\"", 1) : rc;
}

/* ,"key":"value" when value is set. */
static int field(struct audit_line *l, const char *key, const char *value)
{
    int rc = 0;

    if (value != NULL) {
        rc = put_s(l, ",\"");
        rc = rc == 0 ? put_s(l, key) : rc;
        rc = rc == 0 ? put_s(l, "\":") : rc;
        rc = rc == 0 ? put_str(l, value) : rc;
    }
    return rc;
}

static int field_u(struct audit_line *l, const char *key, uint64_t v)
{
    char b[64];

    snprintf(b, sizeof(b), ",\"%s\":%llu", key, (unsigned long long)v);
    return put_s(l, b);
}

void audit_hex(char *out, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int audit_mac(char out[AUDIT_HASH_LEN + 1], const void *key, size_t key_len,
              const char *prefix, const void *p, size_t n)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdn = 0;
    size_t pn = strlen(prefix);

    if (HMAC(EVP_sha256(), key, (int)key_len, p, n, md, &mdn) == NULL ||
        mdn != 32) {
        return -1;
    }
    memcpy(out, prefix, pn);
    audit_hex(out + pn, md, mdn);
    return 0;
}

static void now(char *buf, size_t n)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* The record r, numbered seq and chained to prev, into l (with its
 * newline). */
static int build(struct audit_line *l, const struct bb_audit *a,
                 const struct bb_audit_rec *r, uint64_t seq,
                 const char *prev)
{
    char ts[64];
    char fp[AUDIT_HASH_LEN + 1];
    char hash[AUDIT_HASH_LEN + 1];
    size_t i;
    int rc;

    now(ts, sizeof(ts));
    l->n = 0;
    rc = put_s(l, "{\"v\":1");
    rc = rc == 0 ? field_u(l, "seq", seq) : rc;
    rc = rc == 0 ? field(l, "ts", ts) : rc;
    rc = rc == 0 ? field(l, "event", r->event) : rc;
    rc = rc == 0 ? field(l, "direction", r->direction) : rc;
    rc = rc == 0 ? field(l, "source", r->source) : rc;
    rc = rc == 0 ? field(l, "request_id", r->request_id) : rc;
    rc = rc == 0 ? field(l, "route", r->route) : rc;
    rc = rc == 0 ? field(l, "rule", r->rule) : rc;
    rc = rc == 0 ? field(l, "category", r->category) : rc;
    rc = rc == 0 ? field(l, "type", r->type) : rc;
    rc = rc == 0 ? field(l, "action", r->action) : rc;
    if (rc == 0 && r->rule != NULL) {
        rc = field_u(l, "offset", r->offset);
        rc = rc == 0 ? field_u(l, "length", r->length) : rc;
    }
    if (rc == 0 && r->value != NULL) {
        /* the value's fingerprint: keyed, so a log reader cannot test
         * guesses against it without the key */
        if (audit_mac(fp, a->key, a->key_len, "hmac-sha256:", r->value,
                      r->value_len) < 0) {
            return -1;
        }
        rc = field(l, "fp", fp);
    }
    rc = rc == 0 ? field(l, "excerpt", r->excerpt) : rc;
    if (rc == 0 && r->ncounts > 0) {
        rc = put_s(l, ",\"counts\":{");
        for (i = 0; rc == 0 && i < r->ncounts; i++) {
            char n[32];

            rc = i > 0 ? put_s(l, ",") : 0;
            rc = rc == 0 ? put_str(l, r->count_rules[i]) : rc;
            snprintf(n, sizeof(n), ":%llu", (unsigned long long)r->counts[i]);
            rc = rc == 0 ? put_s(l, n) : rc;
        }
        rc = rc == 0 ? put_s(l, "}") : rc;
    }
    rc = rc == 0 ? field(l, "prev", prev) : rc;
    if (rc == 0 && audit_mac(hash, a->key, a->key_len, "hmac-sha256:", l->p,
                             l->n) < 0) {
        return -1;
    }
    rc = rc == 0 ? field(l, "hash", hash) : rc;
    return rc == 0 ? put_s(l, "}\n") : rc;
}

/* ------------------------------------------------------------ the file */

/* The decimal number at p (before end): the buffer is not a string. */
static bool parse_seq(const char *p, const char *end,
                      unsigned long long *out)
{
    unsigned long long v = 0;
    const char *d = p;

    while (d < end && *d >= '0' && *d <= '9' && d - p < 19) {
        v = v * 10 + (unsigned long long)(*d - '0');
        d++;
    }
    *out = v;
    return d > p;
}

int audit_last(struct audit_tail *t, const char *buf, size_t n)
{
    const char *s;
    const char *h = NULL;
    const char *p = buf;
    const char *end = buf + n;
    unsigned long long seq;

    memset(t, 0, sizeof(*t));
    s = memmem(buf, n, "\"seq\":", 6);
    while ((p = memmem(p, (size_t)(end - p), ",\"hash\":\"", 9)) != NULL) {
        h = p++;
    }
    if (s == NULL || h == NULL || !parse_seq(s + 6, end, &seq) ||
        end - (h + 9) != AUDIT_HASH_LEN + 2 ||
        memcmp(h + 9 + AUDIT_HASH_LEN, "\"}", 2) != 0) {
        return -1;
    }
    t->seq = seq;
    memcpy(t->hash, h + 9, AUDIT_HASH_LEN);
    t->hash[AUDIT_HASH_LEN] = '\0';
    return 0;
}

/* Under the lock: the last whole record's seq and hash (seq 0 and the
 * zero hash for an empty log); a torn tail is cut off (*torn: its
 * length). */
static int tail(struct bb_audit *a, struct audit_tail *t, size_t *torn,
                struct bb_err *err)
{
    char *buf = a->tail;
    struct stat st;
    off_t from;
    ssize_t got;
    char *nl;

    *torn = 0;
    memset(t, 0, sizeof(*t));
    memcpy(t->hash, AUDIT_ZERO_HASH, sizeof(AUDIT_ZERO_HASH));
    if (fstat(a->fd, &st) < 0) {
        return bb_seterr(err, BB_EIO, "audit log %s: %s", a->path,
                         strerror(errno));
    }
    if (st.st_size == 0) {
        return 0;
    }
    from = st.st_size > TAIL_MAX ? st.st_size - TAIL_MAX : 0;
    got = pread(a->fd, buf, (size_t)(st.st_size - from), from);
    if (got != st.st_size - from) {
        return bb_seterr(err, BB_EIO, "audit log %s: cannot read its end",
                         a->path);
    }
    if (buf[got - 1] != '\n') {
        /* a torn last line: cut it */
        nl = memrchr(buf, '\n', (size_t)got);
        if (nl == NULL && from > 0) {
            return bb_seterr(err, BB_EINPUT, "audit log %s: last record "
                             "longer than 64 KiB", a->path);
        }
        *torn = nl ? (size_t)(buf + got - (nl + 1)) : (size_t)got;
        if (ftruncate(a->fd, st.st_size - (off_t)*torn) < 0) {
            return bb_seterr(err, BB_EIO, "audit log %s: %s", a->path,
                             strerror(errno));
        }
        got -= (ssize_t)*torn;
        if (got == 0) {
            return 0;
        }
    }
    got--; /* the last newline */
    nl = memrchr(buf, '\n', (size_t)got);
    if (nl == NULL && from > 0) {
        return bb_seterr(err, BB_EINPUT, "audit log %s: last record longer "
                         "than 64 KiB", a->path);
    }
    nl = nl ? nl + 1 : buf;
    if (audit_last(t, nl, (size_t)(buf + got - nl)) < 0) {
        return bb_seterr(err, BB_EINPUT, "audit log %s: its last record is "
                         "not an audit record (run blackbar log verify)",
                         a->path);
    }
    return 0;
}

static int append(struct bb_audit *a, const struct audit_line *l, bool sync,
                  struct bb_err *err)
{
    ssize_t w = write(a->fd, l->p, l->n);

    if (w != (ssize_t)l->n) {
        return bb_seterr(err, BB_EIO, "audit log %s: %s", a->path,
                         w < 0 ? strerror(errno) : "short write");
    }
    if (sync && fsync(a->fd) < 0) {
        return bb_seterr(err, BB_EIO, "audit log %s: fsync: %s", a->path,
                         strerror(errno));
    }
    return 0;
}

int bb_audit_write(struct bb_audit *a, const struct bb_audit_rec *r,
                   struct bb_err *err)
{
    struct audit_line l = { NULL, 0, 0 };
    struct audit_tail t;
    size_t torn = 0;
    int rc;

    if (r == NULL || r->event == NULL || r->source == NULL) {
        return bb_seterr(err, BB_EINVAL, "an audit record needs an event "
                         "and a source");
    }
    if (flock(a->fd, LOCK_EX) < 0) {
        return bb_seterr(err, BB_EIO, "audit log %s: lock: %s", a->path,
                         strerror(errno));
    }
    rc = tail(a, &t, &torn, err);
    if (rc == 0 && torn > 0) {
        struct bb_audit_rec rec;
        char b[64];

        memset(&rec, 0, sizeof(rec));
        snprintf(b, sizeof(b), "%zu bytes of a torn record cut", torn);
        rec.event = "recover";
        rec.source = r->source;
        rec.excerpt = b;
        rc = build(&l, a, &rec, t.seq + 1, t.hash) < 0
                 ? bb_seterr(err, BB_ENOMEM, "out of memory")
                 : append(a, &l, true, err);
        if (rc == 0) {
            rc = audit_last(&t, l.p, l.n - 1) < 0
                     ? bb_seterr(err, BB_ESTATE, "audit record unreadable")
                     : 0;
        }
    }
    if (rc == 0 && build(&l, a, r, t.seq + 1, t.hash) < 0) {
        rc = bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        rc = append(a, &l, strcmp(r->event, "block") == 0, err);
    }
    flock(a->fd, LOCK_UN);
    bb_free(l.p);
    return rc;
}

int bb_audit_open(struct bb_audit **out, const char *path, const void *key,
                  size_t key_len, struct bb_err *err)
{
    struct bb_audit *a;
    struct stat st;
    int fd;

    if (key == NULL || key_len < 16 || key_len > sizeof(a->key)) {
        return bb_seterr(err, BB_EINVAL, "an audit key has 16 to 64 bytes");
    }
    fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
              0600);
    if (fd < 0) {
        return bb_seterr(err, BB_EIO, "audit log %s: %s", path,
                         strerror(errno));
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 0022) != 0) {
        close(fd);
        return bb_seterr(err, BB_EIO, "audit log %s: not a regular file of "
                         "this user that others cannot write", path);
    }
    a = bb_calloc(1, sizeof(*a));
    if (a == NULL || (a->path = bb_strdup(path)) == NULL) {
        bb_free(a);
        close(fd);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    a->fd = fd;
    memcpy(a->key, key, key_len);
    a->key_len = key_len;
    *out = a;
    return 0;
}

void bb_audit_close(struct bb_audit *a)
{
    if (a == NULL) {
        return;
    }
    close(a->fd);
    bb_wipe(a->key, sizeof(a->key));
    bb_free(a->path);
    bb_free(a);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int bb_audit_key_file(unsigned char *key, size_t *key_len, const char *path,
                      struct bb_err *err)
{
    unsigned char k[32];
    char hex[65];
    char buf[130];
    struct stat st;
    ssize_t n;
    size_t i;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0 && errno == ENOENT) {
        /* first use: a new random key, 0600 */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0600);
        if (fd < 0 || getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k)) {
            if (fd >= 0) {
                close(fd);
            }
            return bb_seterr(err, BB_EIO, "audit key %s: %s", path,
                             strerror(errno));
        }
        audit_hex(hex, k, sizeof(k));
        hex[64] = '\n';
        n = write(fd, hex, 65);
        close(fd);
        if (n != 65) {
            return bb_seterr(err, BB_EIO, "audit key %s: write failed", path);
        }
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0) {
        return bb_seterr(err, BB_EIO, "audit key %s: %s", path,
                         strerror(errno));
    }
    if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
        (st.st_mode & 0077) != 0) {
        close(fd);
        return bb_seterr(err, BB_EIO, "audit key %s: must be this user's, "
                         "mode 0600", path);
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    for (i = 0; n > 0 && i < (size_t)n && buf[i] != '\n'; i++) {
    }
    if (n <= 0 || i < 32 || i > 128 || i % 2 != 0) {
        return bb_seterr(err, BB_EINPUT, "audit key %s: not 32 to 128 hex "
                         "digits", path);
    }
    for (*key_len = 0; *key_len < i / 2; (*key_len)++) {
        int hi = hexval(buf[2 * *key_len]);
        int lo = hexval(buf[2 * *key_len + 1]);

        if (hi < 0 || lo < 0) {
            return bb_seterr(err, BB_EINPUT, "audit key %s: not hex", path);
        }
        key[*key_len] = (unsigned char)(hi * 16 + lo);
    }
    bb_wipe(buf, sizeof(buf));
    return 0;
}
