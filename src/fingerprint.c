/*
 * fingerprint.c - keyed fingerprints of values (HMAC-SHA256, cut to 16
 * bytes), what scan and audit report instead of a value. The key is set
 * once in a fingerprinter; each value then costs one re-initialised MAC:
 * a one-shot HMAC() fetches the digest through libcrypto's locked
 * provider store on every call, which threads scanning in parallel then
 * queue on.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "audit.h"
#include "core.h"

struct bb_fingerprinter {
    EVP_MAC *mac;
    EVP_MAC_CTX *ctx;
};

void bb_fingerprinter_free(struct bb_fingerprinter *f)
{
    if (f == NULL) {
        return;
    }
    EVP_MAC_CTX_free(f->ctx);
    EVP_MAC_free(f->mac);
    bb_free(f);
}

int bb_fingerprinter_new(struct bb_fingerprinter **out, const void *key,
                         size_t key_len, struct bb_err *err)
{
    struct bb_fingerprinter *f;
    OSSL_PARAM params[2];

    if (out == NULL) {
        return bb_seterr(err, BB_EINVAL, "fingerprint: bad arguments");
    }
    *out = NULL;
    if (key == NULL || key_len == 0 || key_len > 1024) {
        return bb_seterr(err, BB_EINVAL, "fingerprint: bad arguments");
    }
    f = bb_calloc(1, sizeof(*f));
    if (f == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    f->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    f->ctx = f->mac != NULL ? EVP_MAC_CTX_new(f->mac) : NULL;
    if (f->ctx == NULL || EVP_MAC_init(f->ctx, key, key_len, params) != 1) {
        bb_fingerprinter_free(f);
        return bb_seterr(err, BB_EINVAL, "fingerprint: cannot set up "
                         "HMAC-SHA256");
    }
    *out = f;
    return 0;
}

int bb_fingerprinter_make(struct bb_fingerprinter *f, char *out,
                          const char *const *parts, const size_t *lens,
                          size_t n, struct bb_err *err)
{
    unsigned char md[32];
    size_t mdn = 0;
    size_t i;
    int ok;

    if (f == NULL || out == NULL || n == 0) {
        return bb_seterr(err, BB_EINVAL, "fingerprint: bad arguments");
    }
    /* NULL key: the one set, its inner and outer states kept */
    ok = EVP_MAC_init(f->ctx, NULL, 0, NULL) == 1;
    for (i = 0; ok && i < n; i++) {
        /* parts[0] NUL parts[1] ... : the last part has no NUL after it */
        ok = (lens[i] == 0 ||
              EVP_MAC_update(f->ctx, (const unsigned char *)parts[i],
                             lens[i]) == 1) &&
             (i + 1 == n ||
              EVP_MAC_update(f->ctx, (const unsigned char *)"", 1) == 1);
    }
    ok = ok && EVP_MAC_final(f->ctx, md, &mdn, sizeof(md)) == 1 &&
         mdn == sizeof(md);
    if (!ok) {
        return bb_seterr(err, BB_EINVAL, "fingerprint: HMAC-SHA256 failed");
    }
    audit_hex(out, md, BB_FINGERPRINT_HEX / 2);
    bb_wipe(md, sizeof(md));
    return 0;
}

int bb_fingerprint(char *out, const void *key, size_t key_len,
                   const char *const *parts, const size_t *lens, size_t n,
                   struct bb_err *err)
{
    struct bb_fingerprinter *f = NULL;
    int rc;

    if (out == NULL || n == 0) {
        return bb_seterr(err, BB_EINVAL, "fingerprint: bad arguments");
    }
    rc = bb_fingerprinter_new(&f, key, key_len, err);
    if (rc == 0) {
        rc = bb_fingerprinter_make(f, out, parts, lens, n, err);
    }
    bb_fingerprinter_free(f);
    return rc;
}
