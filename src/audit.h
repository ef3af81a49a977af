/*
 * audit.h - what the audit log's writer (audit.c) and verifier
 * (audit_verify.c) share. Private to the library.
 */
#ifndef BB_AUDIT_H
#define BB_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "blackbar.h"

/* "hmac-sha256:" and 64 hex digits */
#define AUDIT_HASH_LEN 76
#define AUDIT_ZERO_HASH                                                      \
    "hmac-sha256:"                                                           \
    "0000000000000000000000000000000000000000000000000000000000000000"

struct audit_line {
    char *p;
    size_t n, cap;
};

/* What a record says of itself: its seq and hash. */
struct audit_tail {
    uint64_t seq;
    char hash[AUDIT_HASH_LEN + 1];
};

void audit_hex(char *out, const unsigned char *p, size_t n);
/* prefix, then the hex HMAC-SHA256 of p[0, n) under key, into out. */
int audit_mac(char out[AUDIT_HASH_LEN + 1], const void *key, size_t key_len,
              const char *prefix, const void *p, size_t n);
/* The seq and hash of record line buf[0, n) (no newline); -1 if it has
 * none. */
int audit_last(struct audit_tail *t, const char *buf, size_t n);

#endif
