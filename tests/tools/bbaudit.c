/*
 * bbaudit.c - test driver: append N records to an audit log through the
 * library (key from BLACKBAR_AUDIT_KEY), as several processes would.
 *
 *   bbaudit LOG N [TAG]
 *
 * Each record is a "flag" of rule "test-rule" whose value, the card
 * number 4111111111111111 followed by TAG and the record's number, is
 * only fingerprinted: a grep of the log for it must find nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blackbar.h"

int main(int argc, char **argv)
{
    const char *key = getenv("BLACKBAR_AUDIT_KEY");
    struct bb_audit *a = NULL;
    struct bb_err err = { 0, "" };
    long n;
    long i;
    int rc;

    if (argc < 3 || key == NULL) {
        fprintf(stderr, "usage: BLACKBAR_AUDIT_KEY=K bbaudit LOG N [TAG]\n");
        return 2;
    }
    n = strtol(argv[2], NULL, 10);
    rc = bb_audit_open(&a, argv[1], key, strlen(key), &err);
    for (i = 0; rc == 0 && i < n; i++) {
        struct bb_audit_rec r;
        char value[96];

        snprintf(value, sizeof(value), "4111111111111111-%s-%ld",
                 argc > 3 ? argv[3] : "", i);
        memset(&r, 0, sizeof(r));
        r.event = "flag";
        r.source = "bbaudit";
        r.rule = "test-rule";
        r.type = "CREDIT_CARD";
        r.offset = (uint64_t)i * 100;
        r.length = strlen(value);
        r.value = value;
        r.value_len = strlen(value);
        r.excerpt = "card [16 chars withheld]";
        rc = bb_audit_write(a, &r, &err);
    }
    if (rc < 0) {
        fprintf(stderr, "bbaudit: %s\n", err.msg);
    }
    bb_audit_close(a);
    return rc < 0 ? 2 : 0;
}
