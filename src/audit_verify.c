/*
 * audit_verify.c - recompute an audit log's hash chain
 * (docs/AUDIT-FORMAT.md): every line a version 1 record, its hash the
 * HMAC of its bytes before ',"hash":', its prev the hash of the line
 * before (the zero hash first), its seq one more than that line's. The
 * first line that breaks a rule is named; a last line without its
 * newline is a torn record (a writer that stopped mid-write), reported
 * as such and not as tampering.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "core.h"

#define LINE_MAX_BYTES 65536

static int bad(struct bb_audit_check *c, uint64_t line, const char *why)
{
    c->bad_line = line;
    snprintf(c->why, sizeof(c->why), "%s", why);
    return 0;
}

/* One line (without its newline); 0 with c->bad_line set if it breaks
 * the chain. */
static int check_line(struct bb_audit_check *c, struct audit_tail *prev,
                      const char *l, size_t n, uint64_t line,
                      const void *key, size_t key_len)
{
    cJSON *o = cJSON_ParseWithLength(l, n);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
    const cJSON *pv = cJSON_GetObjectItemCaseSensitive(o, "prev");
    struct audit_tail t;
    char mac[AUDIT_HASH_LEN + 1];
    const char *why = NULL;
    size_t body;

    if (!cJSON_IsObject(o) || !cJSON_IsNumber(v) || v->valuedouble != 1 ||
        !cJSON_IsNumber(seq) || !cJSON_IsString(pv) ||
        audit_last(&t, l, n) < 0) {
        why = "not an audit record (edited or corrupt)";
    } else if (t.seq != (uint64_t)seq->valuedouble) {
        why = "not an audit record (edited or corrupt)";
    } else {
        body = n - AUDIT_HASH_LEN - 11; /* ,"hash":"...."} */
        if (audit_mac(mac, key, key_len, "hmac-sha256:", l, body) < 0) {
            why = "cannot compute a hash";
        } else if (strcmp(mac, t.hash) != 0) {
            why = "hash does not match the record (edited, or another key)";
        } else if (strcmp(pv->valuestring, prev->hash) != 0) {
            why = line == 1 ? "prev is not the start of a log (records "
                              "missing before it)"
                            : "prev is not the hash of the line before (a "
                              "record missing or moved)";
        } else if (t.seq != prev->seq + 1) {
            why = "seq does not follow the line before (a record missing "
                  "or moved)";
        }
    }
    cJSON_Delete(o);
    if (why != NULL) {
        return bad(c, line, why);
    }
    *prev = t;
    c->records++;
    return 0;
}

int bb_audit_verify(struct bb_audit_check *out, const char *path,
                    const void *key, size_t key_len, struct bb_err *err)
{
    struct audit_tail prev;
    FILE *f;
    char *buf;
    size_t have = 0;
    uint64_t line = 0;
    int rc = 0;
    bool eof = false;

    memset(out, 0, sizeof(*out));
    memset(&prev, 0, sizeof(prev));
    memcpy(prev.hash, AUDIT_ZERO_HASH, sizeof(AUDIT_ZERO_HASH));
    f = fopen(path, "rb");
    if (f == NULL) {
        return bb_seterr(err, BB_EIO, "%s: %s", path, strerror(errno));
    }
    buf = bb_malloc(LINE_MAX_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    while (rc == 0 && out->bad_line == 0) {
        char *nl = memchr(buf, '\n', have);

        if (nl == NULL && !eof && have < LINE_MAX_BYTES) {
            size_t got = fread(buf + have, 1, LINE_MAX_BYTES - have, f);

            eof = got == 0;
            have += got;
            if (ferror(f)) {
                rc = bb_seterr(err, BB_EIO, "%s: read error", path);
            }
            continue;
        }
        if (nl == NULL && have == 0) {
            break; /* the end */
        }
        line++;
        if (nl == NULL) {
            if (eof) {
                out->torn_line = line; /* no newline: a torn last record */
            } else {
                bad(out, line, "a line longer than 64 KiB");
            }
            break;
        }
        rc = check_line(out, &prev, buf, (size_t)(nl - buf), line, key,
                        key_len);
        have -= (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, have);
    }
    bb_free(buf);
    fclose(f);
    return rc;
}
