/*
 * rules.h - rule packs parsed from JSON into plain structs, every field
 * checked. Knows cJSON and the pack format; knows nothing of PCRE2 (the
 * matcher compiles the patterns) or of streams.
 */
#ifndef BB_RULES_H
#define BB_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blackbar.h"

#define RULES_MAX_LEN 65536
#define RULES_MAX_WINDOW 1024
#define RULES_MAX_ANCHOR 8

struct strv {
    char **v;
    size_t n;
};

struct rule {
    char *id;
    char *type;
    char *description;
    char *pack;
    char *source; /* where the pack came from, for messages */
    char *category;
    char *pattern;
    int group;
    struct strv keywords;
    size_t max_len;
    size_t lead; /* a match starts at most this far before its keyword;
                  * SIZE_MAX when the rule does not say */
    size_t anchor_n;           /* classes in "anchor", 0 for none */
    uint8_t anchor[RULES_MAX_ANCHOR][32];     /* each a bit per byte */
    bool has_lead_class;
    uint8_t lead_class[32]; /* bytes that may lie between a match's start
                             * and its keyword (bit per byte) */
    int validator;  /* validate.h id, or -1 */
    double entropy; /* bits per byte, or < 0 for none */
    double weight;  /* moderation: what a match adds to its category */
    struct strv ctx_words;
    size_t ctx_window;
    bool ctx_required;
    struct strv allow;
    enum bb_action action;
    enum bb_severity severity;
    struct strv ex_match;
    struct strv ex_nomatch;
    size_t digits_min;  /* "digits".min, 0 when the rule has none */
    size_t digits_lead; /* bytes a match may start before its first digit */
    char *digits_hex;   /* hex tokens joined by these bytes, or NULL */
    char *digits_word;  /* word tokens joined by these bytes, or NULL */
    char *gate;    /* id of the gate rule, or NULL */
    long gate_idx; /* its index once the ruleset is compiled, or -1 */
    bool internal; /* blackbar's own rule, not from a pack */
};

struct pack {
    char *name;
    char *description;
    struct rule *rules;
    size_t n_rules;
};

/* Parse and check one pack. On error *out is untouched and err names
 * "SOURCE: rule ID: what is wrong". */
int rules_parse_pack(struct pack *out, const char *source, const char *json,
                     size_t len, struct bb_err *err);

/* Release the contents of a rule / pack (not the struct itself). */
void rules_rule_dispose(struct rule *r);
void rules_pack_dispose(struct pack *p);

void strv_dispose(struct strv *sv);

#endif
