/*
 * tokens.h - token kinds of the prefilter ("digits" of a rule): numbers,
 * hex runs joined by separators, long runs of word characters; and the
 * fast scans that find them. Knows nothing of rules or regexes.
 */
#ifndef BB_TOKENS_H
#define BB_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blackbar.h"
#include "bytescan.h"
#include "prefilter.h"

#define PF_MAX_KINDS 8

/* How a token kind reads bytes: 1 unit, 2 joiner, 0 neither. */
struct pf_kind {
    uint8_t cls[256];
    size_t max_gap;
    bool count_joiners;
    unsigned char joiners[BYTESCAN_MAX_SET]; /* hex kinds: the anchors */
    size_t n_joiners;
    bool word; /* units are letters, digits, '_' and '-' */
    int8_t jidx[256]; /* joiner byte -> index in joiners, or -1 */
};

/* Make k a numeric kind (hex_joiners NULL: digits joined by up to 3 of
 * " .-/()+") or a hex kind (hex digits joined by up to 3 hex_joiners,
 * which are counted). */
void tokens_digit_kind(struct pf_kind *k, const char *hex_joiners);

/* Make k a word kind: units are letters, digits, '_' and '-', joined by
 * single bytes of joiners. */
void tokens_word_kind(struct pf_kind *k, const char *joiners);

/* What the rules of a counting (hex) kind need of a token: for some j,
 * at least min[j] joiners of the set mask[j] (bits of k->joiners). With
 * n == 0 the kind's min over all joiners decides. */
struct tokens_need {
    uint8_t mask[8];
    size_t min[8];
    size_t n;
};

/* Append to tv the tokens of kind k in s[from, to) that count at least
 * min (and meet need, if not NULL), open tokens at `to` always. */
int tokens_scan(struct pf_tokvec *tv, const struct pf_kind *k, size_t min,
                const struct tokens_need *need, const unsigned char *s,
                size_t from, size_t to, struct bb_err *err);

/* The same tokens as tokens_scan(), read byte by byte: the reference
 * the fast scan is tested against. */
int tokens_scan_plain(struct pf_tokvec *tv, const struct pf_kind *k,
                      size_t min, const struct tokens_need *need,
                      const unsigned char *s, size_t from, size_t to,
                      struct bb_err *err);

#endif
