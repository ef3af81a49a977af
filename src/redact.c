/*
 * redact.c - redaction operators (placeholder, mask, hash, remove, text)
 * and the per-scope placeholder numbering. The numbering table keeps only
 * keyed hashes of values, never the values. Knows nothing of matching.
 */
#include "redact.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core.h"
#include "ruleset.h"

enum op_kind {
    OP_PLACEHOLDER = 0,
    OP_MASK,
    OP_HASH,
    OP_REMOVE,
    OP_TEXT
};

struct op {
    enum op_kind kind;
    size_t keep;
    char *text;
};

struct slot {
    uint64_t h;    /* 0 = empty */
    uint64_t h2;   /* the other half of the 128-bit SipHash */
    uint32_t num;
    uint32_t type;
};

#define MAX_SLOTS (1u << 24)

struct bb_redactor {
    const struct bb_ruleset *rs;
    struct op def;
    struct op *type_op;   /* per type, kind < 0 unset via has_op */
    bool *has_op;
    const char *const *types; /* distinct types: the ruleset's */
    size_t n_types;
    const size_t *rule_type;  /* rule index -> type index: the ruleset's */
    uint32_t *next_num;   /* per type */
    unsigned char key[32];
    size_t key_len;
    EVP_MAC *mac;         /* HMAC, keyed once: each value only re-inits */
    EVP_MAC_CTX *mctx;
    EVP_MAC *sip;         /* SipHash with a random key of its own, for */
    EVP_MAC_CTX *nctx;    /* placeholder numbering: cheaper than HMAC */
    struct slot *tab;
    size_t tab_cap;
    size_t tab_n;
    bb_vault_fn vault;    /* told of each new placeholder, or NULL */
    void *vault_ud;
    bool fresh;           /* number_of() just gave out a new number */
};

static int type_index(const struct bb_redactor *rd, const char *t)
{
    size_t i;

    for (i = 0; i < rd->n_types; i++) {
        if (strcmp(rd->types[i], t) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* The types are the ruleset's; the operators and numbers are ours. */
static int map_types(struct bb_redactor *rd, struct bb_err *err)
{
    rd->types = rd->rs->types;
    rd->n_types = rd->rs->n_types;
    rd->rule_type = rd->rs->rule_type;
    rd->type_op = bb_calloc(rd->n_types + 1, sizeof(*rd->type_op));
    rd->has_op = bb_calloc(rd->n_types + 1, sizeof(*rd->has_op));
    rd->next_num = bb_calloc(rd->n_types + 1, sizeof(*rd->next_num));
    if (rd->type_op == NULL || rd->has_op == NULL || rd->next_num == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    return 0;
}

/* Key the numbering context (SipHash-2-4, 128-bit) with fresh random
 * bytes: numbers only need equal values to meet, within this redactor. */
static int key_numbering(struct bb_redactor *rd, struct bb_err *err)
{
    unsigned char k[16];
    size_t size = 16;
    OSSL_PARAM params[2];
    int ok;

    rd->sip = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
    rd->nctx = rd->sip ? EVP_MAC_CTX_new(rd->sip) : NULL;
    if (rd->nctx == NULL || getrandom(k, sizeof(k), 0) != (ssize_t)sizeof(k)) {
        return bb_seterr(err, BB_EINVAL, "cannot set up SipHash");
    }
    params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
    params[1] = OSSL_PARAM_construct_end();
    ok = EVP_MAC_init(rd->nctx, k, sizeof(k), params);
    bb_wipe(k, sizeof(k));
    return ok == 1 ? 0 : bb_seterr(err, BB_EINVAL, "cannot set up SipHash");
}

/* Key the HMAC-SHA256 context with rd->key; later values reuse it. */
static int key_mac(struct bb_redactor *rd, struct bb_err *err)
{
    OSSL_PARAM params[2];

    if (rd->mac == NULL) {
        rd->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        rd->mctx = rd->mac ? EVP_MAC_CTX_new(rd->mac) : NULL;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (rd->mctx == NULL ||
        EVP_MAC_init(rd->mctx, rd->key, rd->key_len, params) != 1) {
        return bb_seterr(err, BB_EINVAL, "cannot set up HMAC-SHA256");
    }
    return 0;
}

int bb_redactor_new(struct bb_redactor **out, const struct bb_ruleset *rs,
                    struct bb_err *err)
{
    struct bb_redactor *rd;
    int rc;

    if (!rs->compiled) {
        return bb_seterr(err, BB_EINVAL, "ruleset is not compiled");
    }
    rd = bb_calloc(1, sizeof(*rd));
    if (rd == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    rd->rs = rs;
    rd->def.kind = OP_PLACEHOLDER;
    rc = map_types(rd, err);
    if (rc == 0 && getrandom(rd->key, sizeof(rd->key), 0) !=
                       (ssize_t)sizeof(rd->key)) {
        rc = bb_seterr(err, BB_EIO, "cannot read random bytes for the key");
    }
    rd->key_len = sizeof(rd->key);
    if (rc == 0) {
        rc = key_mac(rd, err);
    }
    if (rc == 0) {
        rc = key_numbering(rd, err);
    }
    if (rc < 0) {
        bb_redactor_free(rd);
        return rc;
    }
    *out = rd;
    return 0;
}

void bb_redactor_free(struct bb_redactor *rd)
{
    size_t i;

    if (rd == NULL) {
        return;
    }
    for (i = 0; rd->type_op != NULL && i < rd->n_types; i++) {
        bb_free(rd->type_op[i].text);
    }
    bb_free(rd->def.text);
    bb_free(rd->type_op);
    bb_free(rd->has_op);
    bb_free(rd->next_num);
    bb_free(rd->tab);
    bb_wipe(rd->key, sizeof(rd->key));
    EVP_MAC_CTX_free(rd->mctx);
    EVP_MAC_free(rd->mac);
    EVP_MAC_CTX_free(rd->nctx);
    EVP_MAC_free(rd->sip);
    bb_free(rd);
}

static int parse_op(struct op *op, const char *s, struct bb_err *err)
{
    memset(op, 0, sizeof(*op));
    if (strcmp(s, "placeholder") == 0) {
        op->kind = OP_PLACEHOLDER;
    } else if (strcmp(s, "hash") == 0) {
        op->kind = OP_HASH;
    } else if (strcmp(s, "remove") == 0) {
        op->kind = OP_REMOVE;
    } else if (strncmp(s, "text:", 5) == 0) {
        op->kind = OP_TEXT;
        op->text = bb_strdup(s + 5);
        if (op->text == NULL) {
            return bb_seterr(err, BB_ENOMEM, "out of memory");
        }
    } else if (strcmp(s, "mask") == 0 || strncmp(s, "mask:", 5) == 0) {
        char *end = NULL;
        unsigned long n = 4;

        if (s[4] == ':') {
            n = strtoul(s + 5, &end, 10);
            if (end == s + 5 || *end != '\0' || n > 64) {
                return bb_seterr(err, BB_EINVAL, "bad mask length in "
                                 "operator (want mask:N, N <= 64)");
            }
        }
        op->kind = OP_MASK;
        op->keep = (size_t)n;
    } else {
        return bb_seterr(err, BB_EINVAL, "unknown operator \"%.40s\" (want "
                         "placeholder, mask[:N], hash, remove or "
                         "text:LITERAL)", s);
    }
    return 0;
}

int bb_redactor_set_operator(struct bb_redactor *rd, const char *spec,
                             struct bb_err *err)
{
    const char *eq = strchr(spec, '=');
    const char *colon = strchr(spec, ':');
    struct op op;
    char type[72];
    int t;
    int rc;

    if (eq == NULL || (colon != NULL && colon < eq)) {
        rc = parse_op(&op, spec, err);
        if (rc == 0) {
            bb_free(rd->def.text);
            rd->def = op;
        }
        return rc;
    }
    if ((size_t)(eq - spec) >= sizeof(type)) {
        return bb_seterr(err, BB_EINVAL, "type name too long in operator");
    }
    memcpy(type, spec, (size_t)(eq - spec));
    type[eq - spec] = '\0';
    t = type_index(rd, type);
    if (t < 0) {
        return bb_seterr(err, BB_EINVAL, "unknown type \"%s\" in operator "
                         "(see blackbar rules list)", type);
    }
    rc = parse_op(&op, eq + 1, err);
    if (rc == 0) {
        bb_free(rd->type_op[t].text);
        rd->type_op[t] = op;
        rd->has_op[t] = true;
    }
    return rc;
}

int bb_redactor_set_key(struct bb_redactor *rd, const void *key, size_t len,
                        struct bb_err *err)
{
    unsigned int n = 0;

    if (len == 0) {
        return bb_seterr(err, BB_EINVAL, "empty key");
    }
    /* Any key length: condense it to 32 bytes with SHA-256. */
    if (EVP_Digest(key, len, rd->key, &n, EVP_sha256(), NULL) != 1) {
        return bb_seterr(err, BB_EINVAL, "cannot derive the hash key");
    }
    rd->key_len = n;
    return key_mac(rd, err);
}

/* HMAC-SHA256 of type, a NUL, then the value. */
static int mac(unsigned char out[32], const struct bb_redactor *rd,
               const char *type, const char *v, size_t n,
               struct bb_err *err)
{
    size_t len = 0;

    if (EVP_MAC_init(rd->mctx, NULL, 0, NULL) != 1 ||
        EVP_MAC_update(rd->mctx, (const unsigned char *)type,
                       strlen(type) + 1) != 1 ||
        EVP_MAC_update(rd->mctx, (const unsigned char *)v, n) != 1 ||
        EVP_MAC_final(rd->mctx, out, &len, 32) != 1 || len != 32) {
        return bb_seterr(err, BB_EINVAL, "HMAC-SHA256 failed");
    }
    return 0;
}

static int grow_tab(struct bb_redactor *rd, struct bb_err *err)
{
    size_t cap = rd->tab_cap ? rd->tab_cap * 2 : 1024;
    struct slot *t;
    size_t i;

    if (cap > MAX_SLOTS) {
        return bb_seterr(err, BB_ELIMIT, "more than %u distinct values in "
                         "one scope", MAX_SLOTS / 2);
    }
    t = bb_calloc(cap, sizeof(*t));
    if (t == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; i < rd->tab_cap; i++) {
        if (rd->tab[i].h != 0) {
            size_t j = rd->tab[i].h & (cap - 1);

            while (t[j].h != 0) {
                j = (j + 1) & (cap - 1);
            }
            t[j] = rd->tab[i];
        }
    }
    bb_free(rd->tab);
    rd->tab = t;
    rd->tab_cap = cap;
    return 0;
}

/* SipHash-2-4 of type, a NUL, then the value. */
static int sip(uint64_t out[2], const struct bb_redactor *rd,
               const char *type, const char *v, size_t n, struct bb_err *err)
{
    unsigned char h[16];
    size_t len = 0;

    if (EVP_MAC_init(rd->nctx, NULL, 0, NULL) != 1 ||
        EVP_MAC_update(rd->nctx, (const unsigned char *)type,
                       strlen(type) + 1) != 1 ||
        EVP_MAC_update(rd->nctx, (const unsigned char *)v, n) != 1 ||
        EVP_MAC_final(rd->nctx, h, &len, sizeof(h)) != 1 || len != 16) {
        return bb_seterr(err, BB_EINVAL, "SipHash failed");
    }
    memcpy(out, h, sizeof(h));
    return 0;
}

/* The placeholder number of (type, value) in this scope. */
static int number_of(uint32_t *num, struct bb_redactor *rd, size_t type,
                     const char *v, size_t n, struct bb_err *err)
{
    uint64_t h[2];
    uint64_t key;
    size_t j;
    int rc;

    rc = sip(h, rd, rd->types[type], v, n, err);
    if (rc == 0 && (rd->tab_n + 1) * 2 > rd->tab_cap) {
        rc = grow_tab(rd, err);
    }
    if (rc < 0) {
        return rc;
    }
    key = h[0] | 1; /* never 0, the empty mark */
    for (j = key & (rd->tab_cap - 1); rd->tab[j].h != 0;
         j = (j + 1) & (rd->tab_cap - 1)) {
        if (rd->tab[j].h == key && rd->tab[j].h2 == h[1] &&
            rd->tab[j].type == type) {
            *num = rd->tab[j].num;
            return 0;
        }
    }
    rd->tab[j].h = key;
    rd->tab[j].h2 = h[1];
    rd->tab[j].type = (uint32_t)type;
    rd->tab[j].num = ++rd->next_num[type];
    rd->tab_n++;
    *num = rd->tab[j].num;
    rd->fresh = true;
    return 0;
}

void bb_redactor_on_placeholder(struct bb_redactor *rd, bb_vault_fn fn,
                                void *userdata)
{
    rd->vault = fn;
    rd->vault_ud = userdata;
}

static bool is_lead(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

static int out(bb_write_fn write, void *ud, const void *p, size_t n,
               struct bb_err *err)
{
    if (n > 0 && write(p, n, ud) != 0) {
        return bb_seterr(err, BB_EIO, "write failed");
    }
    return 0;
}

/* mask:N keeps the last N characters and stars the others (all of them
 * when the value is not longer than N). */
static int write_mask(const struct op *op, const char *v, size_t n,
                      bb_write_fn write, void *ud, struct bb_err *err)
{
    char stars[64];
    size_t chars = 0;
    size_t masked;
    size_t idx = n;
    size_t seen = 0;
    size_t i;
    int rc = 0;

    for (i = 0; i < n; i++) {
        chars += is_lead((unsigned char)v[i]);
    }
    masked = chars > op->keep ? chars - op->keep : chars;
    for (i = 0; i < n; i++) {
        if (is_lead((unsigned char)v[i])) {
            if (seen == masked) {
                idx = i;
                break;
            }
            seen++;
        }
    }
    memset(stars, '*', sizeof(stars));
    while (rc == 0 && masked > 0) {
        size_t k = masked > sizeof(stars) ? sizeof(stars) : masked;

        rc = out(write, ud, stars, k, err);
        masked -= k;
    }
    return rc == 0 ? out(write, ud, v + idx, n - idx, err) : rc;
}

/* "<TYPE_num>" into buf (types are at most 64 bytes); its length. */
static size_t placeholder(char buf[128], const char *type, uint32_t num)
{
    char digits[10];
    size_t tl = strlen(type);
    size_t nd = 0;
    size_t i;

    do {
        digits[nd++] = (char)('0' + num % 10);
        num /= 10;
    } while (num > 0);
    buf[0] = '<';
    memcpy(buf + 1, type, tl);
    buf[tl + 1] = '_';
    for (i = 0; i < nd; i++) {
        buf[tl + 2 + i] = digits[nd - 1 - i];
    }
    buf[tl + 2 + nd] = '>';
    return tl + 3 + nd;
}

int bb_redactor_apply(struct bb_redactor *rd, const struct bb_finding *f,
                      bb_write_fn write, void *ud, struct bb_err *err)
{
    size_t t = rd->rule_type[f->rule];
    const struct op *op = rd->has_op[t] ? &rd->type_op[t] : &rd->def;
    unsigned char h[32];
    char buf[128];
    uint32_t num = 0;
    int rc = 0;

    if (rd->rs->rules[f->rule].internal) {
        /* Placeholder-shaped input: one more backslash after '<'. */
        rc = out(write, ud, "<\\", 2, err);
        if (rc == 0) {
            rc = out(write, ud, f->value + 1, f->length - 1, err);
        }
    } else if (op->kind == OP_PLACEHOLDER) {
        rd->fresh = false;
        rc = number_of(&num, rd, t, f->value, f->length, err);
        if (rc == 0) {
            size_t pl = placeholder(buf, rd->types[t], num);

            if (rd->fresh && rd->vault != NULL &&
                rd->vault(buf, pl, f->value, f->length, rd->vault_ud) < 0) {
                return bb_seterr(err, BB_EIO, "vault write failed");
            }
            rc = out(write, ud, buf, pl, err);
        }
    } else if (op->kind == OP_HASH) {
        rc = mac(h, rd, rd->types[t], f->value, f->length, err);
        if (rc == 0) {
            snprintf(buf, sizeof(buf), "<%s_%02x%02x%02x%02x>",
                     rd->types[t], h[0], h[1], h[2], h[3]);
            rc = out(write, ud, buf, strlen(buf), err);
        }
    } else if (op->kind == OP_MASK) {
        rc = write_mask(op, f->value, f->length, write, ud, err);
    } else if (op->kind == OP_TEXT) {
        rc = out(write, ud, op->text, strlen(op->text), err);
    }
    return rc;
}
