/*
 * cmd_audit_agg.h - the insides of the audit report (cmd_audit_agg.c),
 * shared with its JSON form and merge (cmd_audit_json.c) only.
 */
#ifndef BB_CMD_AUDIT_AGG_H
#define BB_CMD_AUDIT_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd_audit.h"

#define WORST 20

struct cnt {          /* a string key and its count */
    char *key;
    uint64_t n;
};

struct cmap {         /* open addressing, keys owned */
    struct cnt *e;
    size_t cap;
    size_t n;
};

struct fpe {          /* a distinct value: its fingerprint, binary */
    unsigned char fp[AUD_FP_LEN];
    uint32_t rule;    /* index in rule_ids + 1; 0: a free slot */
};

struct worst {
    size_t file;
    uint64_t line;
    uint64_t findings;
    char *types;      /* {"EMAIL":2,...} compact JSON */
};

struct fileinfo {
    char *name;
    uint64_t records, bytes, not_json, findings;
    struct aud_lerr *errs;
    size_t n_errs;
};

struct aud_agg {
    const struct bb_ruleset *rs;
    char key_id[17];
    uint64_t records, bytes, not_json, errors, findings, with;
    struct cmap by_type, by_rule, by_path, by_day; /* day: "D\x1fTYPE" */
    struct fpe *fps;
    size_t fp_cap, fp_n;
    long *rule_map;   /* ruleset index -> interned index + 1 (0: not yet) */
    char **rule_ids;  /* interned rule ids (and their types) */
    char **rule_types;
    size_t n_rules;
    struct worst worst[WORST];
    size_t n_worst;
    struct fileinfo *files;
    size_t n_files;
};

int cmap_add(struct cmap *m, const char *key, uint64_t n);
/* The map's entries, sorted by key (keys borrowed); free the array. */
struct cnt *cmap_sorted(const struct cmap *m);
/* The index of a rule id (and its type) in the report's list. */
long intern(struct aud_agg *a, const char *id, const char *type);
/* Add a distinct value (a binary fingerprint) of interned rule r. */
int add_fp(struct aud_agg *a, const unsigned char *fp, uint32_t r);
/* The entry of input name (the last one if it is the same name). */
struct fileinfo *file_of(struct aud_agg *a, const char *name);
int file_err(struct fileinfo *fi, uint64_t line, const char *msg);
/* Offer a record to the worst list; takes w.types. */
void offer(struct aud_agg *a, struct worst w);

#endif
