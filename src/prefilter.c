/*
 * prefilter.c - keyword prefilter. Literals of two or more bytes are found
 * with a bitmap of their first two lowercased bytes and a bucket per
 * prefix; one-byte keywords form byte classes whose runs are recorded.
 * Results are filed per rule (literals) and per class (runs).
 */
#include "prefilter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anchors.h"
#include "bytescan.h"
#include "core.h"
#include "tokens.h"

#define PF_MAX_CLASSES 32
/* Bucket keys: trigram hashes, or 2-byte pairs (65536). */
#define KEYS (BYTESCAN_TRI_SIZE > 65536 ? BYTESCAN_TRI_SIZE : 65536)

struct pf_kw {
    char *text;
    size_t len;
    size_t d;       /* the scan looks for the 3 bytes at this offset */
    size_t *rules;  /* rules that use it */
    size_t n_rules;
};

/* A keyword filed under its first two bytes. */
struct pf_ent {
    unsigned key;
    uint32_t kw;
};

struct prefilter {
    struct pf_kw *kw;
    size_t n_kw;
    struct pf_ent *ent;      /* sorted by key, then d descending */
    size_t n_ent;
    bool tri_ok;             /* every keyword has 3 bytes or more */
    uint32_t *bucket;        /* KEYS + 1 offsets into ent by key */
    uint8_t pair[65536 / 8]; /* bitmap of keys in use */
    uint32_t tri[BYTESCAN_TRI_SIZE / 32]; /* hashes of keywords' 3 bytes */
    uint8_t lc[256];         /* ASCII lowercase table */
    uint32_t cls[256];       /* bit per one-byte class */
    unsigned char cls_bytes[PF_MAX_CLASSES][BYTESCAN_MAX_SET];
    size_t cls_n[PF_MAX_CLASSES]; /* 0: too many bytes to search fast */
    size_t n_classes;
    struct pf_kind kinds[PF_MAX_KINDS];
    size_t n_kinds;
    int *rule_kind;          /* per rule, or -1 */
    uint8_t *rule_jmask;     /* per hex rule: its joiners, by index */
    size_t *min_of;          /* per rule: "digits".min */
    size_t kind_min[PF_MAX_KINDS]; /* smallest min of the kind's rules */
    struct tokens_need kind_need[PF_MAX_KINDS]; /* hex kinds: per rule */
    char hex_joiners[BYTESCAN_MAX_SET + 1]; /* all hex rules' joiners */
    int *rule_class;         /* per rule, or -1 */
    bool *rule_gated;        /* per rule */
    struct anchors *anch;    /* NULL when no rule has an anchor */
    bool *lit_slot;          /* per hit list: filled by the keyword part */
    size_t n_rules;
};

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int ent_cmp(const void *a, const void *b)
{
    const struct pf_ent *x = a;
    const struct pf_ent *y = b;

    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return x->kw < y->kw ? -1 : (x->kw > y->kw);
}

static int add_kw(struct prefilter *pf, const char *k, size_t rule,
                  struct bb_err *err)
{
    size_t i;
    size_t *nr;
    struct pf_kw *w;

    for (i = 0; i < pf->n_kw; i++) {
        if (strcmp(pf->kw[i].text, k) == 0) {
            break;
        }
    }
    w = &pf->kw[i];
    if (i == pf->n_kw) {
        w->text = bb_strdup(k);
        if (w->text == NULL) {
            return bb_seterr(err, BB_ENOMEM, "out of memory");
        }
        w->len = strlen(k);
        pf->n_kw++;
    }
    pf->lit_slot[rule] = true;
    if (w->n_rules > 0 && w->rules[w->n_rules - 1] == rule) {
        return 0;
    }
    nr = bb_realloc(w->rules, (w->n_rules + 1) * sizeof(*nr));
    if (nr == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    w->rules = nr;
    w->rules[w->n_rules++] = rule;
    return 0;
}

static int file_kind(struct prefilter *pf, const struct pf_kind *kp,
                     const struct rule *r, size_t i, struct bb_err *err);

/* Give rule i the token kind of its "digits", sharing equal kinds. All
 * hex rules share one kind that joins on every hex rule's joiners: its
 * tokens contain each rule's own tokens, so counting only a rule's
 * joiners in them never undercounts. */
/* Record that a rule of a hex kind needs min joiners of set mask; past
 * 8 different needs the kind's min alone decides (n = 0 again). */
static void add_need(struct tokens_need *nd, uint8_t mask, size_t min)
{
    size_t j;

    for (j = 0; j < nd->n; j++) {
        if (nd->mask[j] == mask && nd->min[j] <= min) {
            return;
        }
    }
    if (nd->n == 8 || nd->n == SIZE_MAX) {
        nd->n = SIZE_MAX; /* too many: off */
        return;
    }
    nd->mask[nd->n] = mask;
    nd->min[nd->n] = min;
    nd->n++;
}

static int add_kind(struct prefilter *pf, const struct rule *r, size_t i,
                    struct bb_err *err)
{
    struct pf_kind k;
    const char *j;
    int rc;

    if (r->digits_word != NULL) {
        tokens_word_kind(&k, r->digits_word);
        return file_kind(pf, &k, r, i, err);
    }
    tokens_digit_kind(&k, r->digits_hex ? pf->hex_joiners : NULL);
    rc = file_kind(pf, &k, r, i, err);
    for (j = r->digits_hex; rc == 0 && j != NULL && *j != '\0'; j++) {
        pf->rule_jmask[i] |= (uint8_t)(1u << k.jidx[(unsigned char)*j]);
    }
    if (rc == 0 && r->digits_hex != NULL) {
        add_need(&pf->kind_need[pf->rule_kind[i]], pf->rule_jmask[i],
                 r->digits_min);
    }
    return rc;
}

/* Share an equal kind, or add k; record it as rule i's. */
static int file_kind(struct prefilter *pf, const struct pf_kind *kp,
                     const struct rule *r, size_t i, struct bb_err *err)
{
    struct pf_kind k = *kp;
    size_t c;

    for (c = 0; c < pf->n_kinds; c++) {
        if (memcmp(&pf->kinds[c], &k, sizeof(k)) == 0) {
            break;
        }
    }
    if (c == pf->n_kinds) {
        if (c == PF_MAX_KINDS) {
            return bb_seterr(err, BB_ERULE, "rule %s: more than %d kinds of "
                             "\"digits\" tokens", r->id, PF_MAX_KINDS);
        }
        pf->kinds[pf->n_kinds++] = k;
    }
    pf->rule_kind[i] = (int)c;
    if (pf->kind_min[c] == 0 || r->digits_min < pf->kind_min[c]) {
        pf->kind_min[c] = r->digits_min;
    }
    return 0;
}

/* The union of every hex rule's joiners (rules.c allows 5 bytes). */
static void collect_joiners(struct prefilter *pf, const struct rule *rules,
                            size_t n_rules)
{
    size_t n = 0;
    size_t i;
    const char *j;

    for (i = 0; i < n_rules; i++) {
        for (j = rules[i].digits_hex; j != NULL && *j != '\0'; j++) {
            if (strchr(pf->hex_joiners, *j) == NULL &&
                n < BYTESCAN_MAX_SET) {
                pf->hex_joiners[n++] = *j;
            }
        }
    }
    pf->hex_joiners[n] = '\0';
}

/* A context word, filed like a keyword under pseudo-rule index slot.
 * One-byte words cannot be filed; they are rejected at load. */
static int add_word(struct prefilter *pf, const char *w, size_t slot,
                    struct bb_err *err)
{
    if (w[1] == '\0') {
        return bb_seterr(err, BB_ERULE, "context words must be at least two "
                         "bytes long");
    }
    return add_kw(pf, w, slot, err);
}

/* Give rule i the class of its one-byte keywords, sharing equal sets. */
static int add_class(struct prefilter *pf, const struct rule *r, size_t i,
                     uint8_t (*sets)[256], struct bb_err *err)
{
    uint8_t set[256];
    size_t j;
    size_t c;
    bool any = false;

    memset(set, 0, sizeof(set));
    for (j = 0; j < r->keywords.n; j++) {
        if (r->keywords.v[j][1] == '\0') {
            unsigned char ch = (unsigned char)r->keywords.v[j][0];

            set[ch] = 1;
            set[(ch >= 'a' && ch <= 'z') ? ch - 32 : ch] = 1;
            any = true;
        }
    }
    if (!any) {
        return 0;
    }
    for (c = 0; c < pf->n_classes; c++) {
        if (memcmp(sets[c], set, sizeof(set)) == 0) {
            break;
        }
    }
    if (c == pf->n_classes) {
        if (c == PF_MAX_CLASSES) {
            return bb_seterr(err, BB_ERULE, "rule %s: more than %d distinct "
                             "sets of one-byte keywords", r->id,
                             PF_MAX_CLASSES);
        }
        memcpy(sets[c], set, sizeof(set));
        for (j = 0; j < 256; j++) {
            pf->cls[j] |= (uint32_t)set[j] << c;
            if (set[j] && pf->cls_n[c] <= BYTESCAN_MAX_SET) {
                if (pf->cls_n[c] < BYTESCAN_MAX_SET) {
                    pf->cls_bytes[c][pf->cls_n[c]] = (unsigned char)j;
                }
                pf->cls_n[c]++;
            }
        }
        if (pf->cls_n[c] > BYTESCAN_MAX_SET) {
            pf->cls_n[c] = 0;
        }
        pf->n_classes++;
    }
    pf->rule_class[i] = (int)c;
    return 0;
}

static void set_bit(uint8_t *map, unsigned k)
{
    map[k >> 3] |= (uint8_t)(1u << (k & 7));
}

static bool has_bit(const uint8_t *map, unsigned k)
{
    return (map[k >> 3] & (1u << (k & 7))) != 0;
}

static uint32_t tri_of(const unsigned char *q)
{
    return (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16);
}

static bool tri_has(const uint32_t *map, unsigned h)
{
    return (map[h >> 5] >> (h & 31)) & 1u;
}

/* Frequent trigrams of English text: a keyword is found through its
 * least frequent 3 bytes, so that "contact no" does not stop at every
 * "con". */
static const char *const common_tri[] = {
    "the", "and", "ing", "ion", "tio", "ent", "ati", "for", "her", "ter",
    "hat", "tha", "ere", "ate", "his", "con", "res", "ver", "all", "ons",
    "nce", "men", "ith", "ted", "ers", "pro", "thi", "wit", "are", "ess",
    "not", "ive", "was", "ect", "rea", "com", "eve", "per", "int", "est",
    "sta", "cti", "ica", "ist", "ear", "ain", "one", "our", "iti", "rat",
    "sec", "pas", "acc", "cre", "log", "ses", "age", "put", "cur", "api",
    "lin", "tok", "key", "pat", "you", "ome", "ble", "ort", "ste", "ant",
    "ill", "ter", "ous", "out", "rec", "tic", "ine", "see", "min", "din",
};

static unsigned byte_cost(unsigned char c)
{
    if (strchr("etaoinshrlu ", c) != NULL) {
        return 3;
    }
    return (c >= 'a' && c <= 'z') ? 2 : (c >= '0' && c <= '9') ? 1 : 0;
}

/* The offset of the keyword's rarest-looking 3 bytes. */
static size_t pick_offset(const char *t, size_t len)
{
    size_t best = 0;
    unsigned best_cost = ~0u;
    size_t d;
    size_t i;

    for (d = 0; d + 3 <= len; d++) {
        unsigned cost = byte_cost((unsigned char)t[d]) +
                        byte_cost((unsigned char)t[d + 1]) +
                        byte_cost((unsigned char)t[d + 2]);

        for (i = 0; i < sizeof(common_tri) / sizeof(common_tri[0]); i++) {
            if (memcmp(common_tri[i], t + d, 3) == 0) {
                cost += 100;
            }
        }
        if (cost < best_cost) {
            best_cost = cost;
            best = d;
        }
    }
    return best;
}

/* File every keyword under the hash of its chosen 3 bytes (or, when a
 * keyword has only 2 bytes, every keyword under its first two bytes),
 * with a bucket per key. */
static int build_tables(struct prefilter *pf, struct bb_err *err)
{
    size_t i;
    unsigned k;

    pf->tri_ok = true;
    pf->ent = bb_calloc(pf->n_kw + 1, sizeof(*pf->ent));
    pf->bucket = bb_calloc(KEYS + 1, sizeof(*pf->bucket));
    if (pf->ent == NULL || pf->bucket == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; i < pf->n_kw; i++) {
        pf->tri_ok = pf->tri_ok && pf->kw[i].len >= 3;
    }
    for (i = 0; i < pf->n_kw; i++) {
        struct pf_kw *w = &pf->kw[i];
        const unsigned char *t = (const unsigned char *)w->text;
        struct pf_ent *e = &pf->ent[pf->n_ent++];

        e->kw = (uint32_t)i;
        if (pf->tri_ok) {
            w->d = pick_offset(w->text, w->len);
            e->key = bytescan_tri_hash(tri_of(t + w->d));
            pf->tri[e->key >> 5] |= 1u << (e->key & 31);
        } else {
            e->key = ((unsigned)t[0] << 8) | t[1];
            set_bit(pf->pair, e->key);
        }
    }
    qsort(pf->ent, pf->n_ent, sizeof(*pf->ent), ent_cmp);
    i = 0;
    for (k = 0; k <= KEYS; k++) {
        while (i < pf->n_ent && pf->ent[i].key < k) {
            i++;
        }
        pf->bucket[k] = (uint32_t)i;
    }
    return 0;
}

int prefilter_build(struct prefilter **out, const struct rule *rules,
                    size_t n_rules, struct bb_err *err)
{
    uint8_t sets[PF_MAX_CLASSES][256];
    struct prefilter *pf = bb_calloc(1, sizeof(*pf));
    size_t total = 0;
    size_t i;
    size_t j;
    int rc = 0;

    if (pf == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; i < 256; i++) {
        pf->lc[i] = lower((unsigned char)i);
    }
    for (i = 0; i < n_rules; i++) {
        total += rules[i].keywords.n;
        total += rules[i].ctx_required ? rules[i].ctx_words.n : 0;
    }
    pf->n_rules = n_rules;
    pf->kw = bb_calloc(total + 1, sizeof(*pf->kw));
    pf->rule_class = bb_calloc(n_rules + 1, sizeof(*pf->rule_class));
    pf->rule_kind = bb_calloc(n_rules + 1, sizeof(*pf->rule_kind));
    pf->rule_jmask = bb_calloc(n_rules + 1, sizeof(*pf->rule_jmask));
    pf->min_of = bb_calloc(n_rules + 1, sizeof(*pf->min_of));
    collect_joiners(pf, rules, n_rules);
    pf->rule_gated = bb_calloc(n_rules + 1, sizeof(*pf->rule_gated));
    pf->lit_slot = bb_calloc(2 * n_rules + 1, sizeof(*pf->lit_slot));
    if (pf->kw == NULL || pf->rule_class == NULL || pf->rule_gated == NULL ||
        pf->lit_slot == NULL ||
        pf->rule_kind == NULL || pf->rule_jmask == NULL ||
        pf->min_of == NULL) {
        rc = bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; rc == 0 && i < n_rules; i++) {
        pf->rule_class[i] = -1;
        pf->rule_gated[i] = rules[i].keywords.n > 0 ||
                            rules[i].ctx_required || rules[i].digits_min ||
                            rules[i].anchor_n > 0;
        pf->rule_kind[i] = -1;
        pf->min_of[i] = rules[i].digits_min;
        rc = rules[i].digits_min ? add_kind(pf, &rules[i], i, err) : 0;
        if (rc == 0) {
            rc = add_class(pf, &rules[i], i, sets, err);
        }
        for (j = 0; rc == 0 && j < rules[i].keywords.n; j++) {
            if (rules[i].keywords.v[j][1] != '\0') {
                rc = add_kw(pf, rules[i].keywords.v[j], i, err);
            }
        }
        for (j = 0; rc == 0 && rules[i].ctx_required &&
                    j < rules[i].ctx_words.n; j++) {
            rc = add_word(pf, rules[i].ctx_words.v[j], n_rules + i, err);
        }
    }
    if (rc == 0) {
        rc = build_tables(pf, err);
    }
    if (rc == 0) {
        rc = anchors_build(&pf->anch, rules, n_rules, err);
    }
    if (rc < 0) {
        prefilter_free(pf);
        return rc;
    }
    *out = pf;
    return 0;
}

void prefilter_free(struct prefilter *pf)
{
    size_t i;

    if (pf == NULL) {
        return;
    }
    for (i = 0; i < pf->n_kw; i++) {
        bb_free(pf->kw[i].text);
        bb_free(pf->kw[i].rules);
    }
    bb_free(pf->kw);
    bb_free(pf->ent);
    bb_free(pf->bucket);
    bb_free(pf->rule_class);
    bb_free(pf->rule_kind);
    bb_free(pf->rule_jmask);
    bb_free(pf->min_of);
    bb_free(pf->rule_gated);
    bb_free(pf->lit_slot);
    anchors_free(pf->anch);
    bb_free(pf);
}

bool prefilter_rule_gated(const struct prefilter *pf, size_t i)
{
    return pf->rule_gated[i];
}

int prefilter_rule_class(const struct prefilter *pf, size_t i)
{
    return pf->rule_class[i];
}

int prefilter_rule_tokens(const struct prefilter *pf, size_t i)
{
    return pf->rule_kind[i];
}

void prefilter_rule_need(const struct prefilter *pf, size_t i,
                         uint8_t *jmask, size_t *min)
{
    *jmask = pf->rule_jmask[i];
    *min = pf->min_of[i];
}

bool prefilter_token_enough(const struct prefilter *pf, size_t i,
                            const struct pf_token *t)
{
    size_t n = 0;
    size_t b;

    if (t->open) {
        return true;
    }
    if (pf->rule_jmask[i] == 0) {
        return t->count >= pf->min_of[i];
    }
    for (b = 0; b < BYTESCAN_MAX_SET; b++) {
        if (pf->rule_jmask[i] & (1u << b)) {
            n += t->jc[b];
        }
    }
    return n >= pf->min_of[i];
}

int pf_result_init(struct pf_result *res, const struct prefilter *pf,
                   struct bb_err *err)
{
    res->n_rules = pf->n_rules;
    res->n_classes = pf->n_classes;
    res->rule_hits = bb_calloc(2 * pf->n_rules + 1,
                               sizeof(*res->rule_hits));
    res->class_runs = bb_calloc(PF_MAX_CLASSES, sizeof(*res->class_runs));
    res->tok = bb_calloc(PF_MAX_KINDS, sizeof(*res->tok));
    res->anch = bb_calloc(1, sizeof(*res->anch));
    res->n_kinds = pf->n_kinds;
    if (res->rule_hits == NULL || res->class_runs == NULL ||
        res->tok == NULL || res->anch == NULL) {
        pf_result_dispose(res);
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    return 0;
}

void pf_result_dispose(struct pf_result *res)
{
    size_t i;

    for (i = 0; res->rule_hits != NULL && i < 2 * res->n_rules; i++) {
        bb_free(res->rule_hits[i].v);
    }
    for (i = 0; res->tok != NULL && i < PF_MAX_KINDS; i++) {
        bb_free(res->tok[i].v);
        bb_free(res->tok[i].m);
    }
    bb_free(res->tok);
    if (res->anch != NULL) {
        anchor_scratch_dispose(res->anch);
        bb_free(res->anch);
    }
    for (i = 0; res->class_runs != NULL && i < PF_MAX_CLASSES; i++) {
        bb_free(res->class_runs[i].v);
    }
    bb_free(res->rule_hits);
    bb_free(res->class_runs);
    memset(res, 0, sizeof(*res));
}

static int push(struct pf_vec *vec, size_t s, size_t e, bool run,
                struct bb_err *err)
{
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 64;
        struct pf_hit *v = bb_realloc(vec->v, cap * sizeof(*v));

        if (v == NULL) {
            return bb_seterr(err, BB_ENOMEM, "out of memory");
        }
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n].s = s;
    vec->v[vec->n].e = e;
    vec->v[vec->n].run = run;
    vec->n++;
    return 0;
}

static bool eq_lower(const uint8_t *lc, const unsigned char *s,
                     const char *kw, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (lc[s[i]] != (unsigned char)kw[i]) {
            return false;
        }
    }
    return true;
}

static int hit(struct pf_result *res, const struct pf_kw *w, size_t at,
               struct bb_err *err)
{
    size_t r;
    int rc;

    for (r = 0; r < w->n_rules; r++) {
        rc = push(&res->rule_hits[w->rules[r]], at, at + w->len, false, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Keywords filed under key whose chosen bytes lie at `at`: each starts
 * its offset d before, within [from, to). */
static int verify_at(struct pf_result *res, const struct prefilter *pf,
                     const unsigned char *s, size_t at, size_t from,
                     size_t to, unsigned key, struct bb_err *err)
{
    size_t j;
    int rc;

    for (j = pf->bucket[key]; j < pf->bucket[key + 1]; j++) {
        const struct pf_ent *e = &pf->ent[j];
        const struct pf_kw *w = &pf->kw[e->kw];
        size_t start = at - w->d;

        if (at < from + w->d || start + w->len > to ||
            !eq_lower(pf->lc, s + start, w->text, w->len)) {
            continue;
        }
        rc = hit(res, w, start, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int tri_verify(struct pf_result *res, const struct prefilter *pf,
                      const unsigned char *s, size_t at, size_t from,
                      size_t to, struct bb_err *err)
{
    return verify_at(res, pf, s, at, from, to,
                     bytescan_tri_hash(tri_of(s + at)), err);
}

/* Hits found through 3 bytes inside their keyword come out a little out
 * of start order: put every list back in order (insertion sort, which
 * is linear on nearly sorted lists). */
static void sort_hits(struct pf_result *res, const struct prefilter *pf)
{
    size_t r;
    size_t i;
    size_t j;

    for (r = 0; r < 2 * res->n_rules; r++) {
        struct pf_hit *v = res->rule_hits[r].v;

        if (!pf->lit_slot[r]) {
            continue; /* another part's (anchors), maybe being written */
        }
        for (i = 1; i < res->rule_hits[r].n; i++) {
            struct pf_hit h = v[i];

            for (j = i; j > 0 && (v[j - 1].s > h.s ||
                                  (v[j - 1].s == h.s && v[j - 1].e > h.e));
                 j--) {
                v[j] = v[j - 1];
            }
            v[j] = h;
        }
    }
}

/* Every keyword is 3 bytes or longer: the 3 bytes starting at each
 * position go through the tri hash map, which holds the first 3 bytes of
 * every keyword; only a hit there is compared. Hits come out in start
 * order. */
static int scan_tri(struct pf_result *res, const struct prefilter *pf,
                    const unsigned char *s, size_t from, size_t to,
                    struct bb_err *err)
{
    size_t i = from;
    int rc;

    for (; i + 72 <= to; i += 64) {
        uint64_t m = bytescan_tri64(s, i, pf->tri);

        while (m != 0) {
            rc = tri_verify(res, pf, s, i + (size_t)__builtin_ctzll(m),
                            from, to, err);
            if (rc < 0) {
                return rc;
            }
            m &= m - 1;
        }
    }
    for (; i + 3 <= to; i++) {
        if (tri_has(pf->tri, bytescan_tri_hash(tri_of(s + i)))) {
            rc = tri_verify(res, pf, s, i, from, to, err);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* With a 2-byte keyword: every byte pair through the pair bitmap. Hits
 * come out in start order. */
static int scan_literals(struct pf_result *res, const struct prefilter *pf,
                         const unsigned char *s, size_t from, size_t to,
                         struct bb_err *err)
{
    const uint8_t *lc = pf->lc;
    size_t i;
    int rc;

    for (i = from; i + 1 < to; i++) {
        unsigned key = ((unsigned)lc[s[i]] << 8) | lc[s[i + 1]];

        if (!has_bit(pf->pair, key)) {
            continue;
        }
        rc = verify_at(res, pf, s, i, from, to, key, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Runs of one class: found with a fast search for its bytes when it has
 * few, bytewise otherwise. */
static int scan_class(struct pf_vec *out, const struct prefilter *pf,
                      size_t c, const unsigned char *s, size_t from,
                      size_t to, struct bb_err *err)
{
    uint32_t bit = (uint32_t)1 << c;
    size_t i = from;
    size_t start;
    int rc;

    while (i < to) {
        if (pf->cls_n[c] > 0) {
            i = bytescan_set(s, i, to, pf->cls_bytes[c], pf->cls_n[c]);
        } else {
            while (i < to && !(pf->cls[s[i]] & bit)) {
                i++;
            }
        }
        if (i == to) {
            break;
        }
        start = i;
        while (i < to && (pf->cls[s[i]] & bit)) {
            i++;
        }
        rc = push(out, start, i, true, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Every class in one pass: jump between bytes of any class, and extend
 * or start each of their classes' runs. Needs all classes' bytes in one
 * set for bytescan_set(). */
static int scan_all_classes(struct pf_result *res, const struct prefilter *pf,
                            const unsigned char *set, size_t n,
                            const unsigned char *s, size_t from, size_t to,
                            struct bb_err *err)
{
    size_t i = from;
    size_t c;
    int rc = 0;

    while (rc == 0 && (i = bytescan_set(s, i, to, set, n)) < to) {
        for (c = 0; rc == 0 && c < pf->n_classes; c++) {
            struct pf_vec *v = &res->class_runs[c];

            if (!(pf->cls[s[i]] & ((uint32_t)1 << c))) {
                continue;
            }
            if (v->n > 0 && v->v[v->n - 1].e == i) {
                v->v[v->n - 1].e = i + 1;
            } else {
                rc = push(v, i, i + 1, true, err);
            }
        }
        i++;
    }
    return rc;
}

static int scan_runs(struct pf_result *res, const struct prefilter *pf,
                     const unsigned char *s, size_t from, size_t to,
                     struct bb_err *err)
{
    unsigned char set[BYTESCAN_MAX_SET];
    size_t n = 0;
    size_t c;
    unsigned b;
    int rc = 0;

    for (b = 0; b < 256 && n <= BYTESCAN_MAX_SET; b++) {
        if (pf->cls[b] != 0) {
            if (n < BYTESCAN_MAX_SET) {
                set[n] = (unsigned char)b;
            }
            n++;
        }
    }
    if (n > 0 && n <= BYTESCAN_MAX_SET) {
        return scan_all_classes(res, pf, set, n, s, from, to, err);
    }
    for (c = 0; rc == 0 && c < pf->n_classes; c++) {
        rc = scan_class(&res->class_runs[c], pf, c, s, from, to, err);
    }
    return rc;
}

size_t prefilter_parts(const struct prefilter *pf)
{
    return 2 + pf->n_kinds + (pf->anch != NULL);
}

void prefilter_reset(struct pf_result *res)
{
    size_t i;

    for (i = 0; i < 2 * res->n_rules; i++) {
        res->rule_hits[i].n = 0;
    }
    for (i = 0; i < res->n_kinds; i++) {
        res->tok[i].n = 0;
    }
    for (i = 0; i < PF_MAX_CLASSES; i++) {
        res->class_runs[i].n = 0;
    }
}

int prefilter_scan_part(struct pf_result *res, const struct prefilter *pf,
                        size_t part, const char *s, size_t from, size_t to,
                        struct bb_err *err)
{
    const unsigned char *u = (const unsigned char *)s;
    const struct pf_kind *k;

    if (part == 0 && pf->n_kw == 0) {
        return 0;
    }
    if (part == 0 && pf->tri_ok) {
        int rc = scan_tri(res, pf, u, from, to, err);

        if (rc == 0) {
            sort_hits(res, pf);
        }
        return rc;
    }
    if (part == 0) {
        return scan_literals(res, pf, u, from, to, err);
    }
    if (part == 1) {
        return pf->n_classes > 0 ? scan_runs(res, pf, u, from, to, err) : 0;
    }
    if (part == 2 + pf->n_kinds) {
        return anchors_scan(pf->anch, res->rule_hits, res->anch, u, from, to,
                            err);
    }
    k = &pf->kinds[part - 2];
    return tokens_scan(&res->tok[part - 2], k, pf->kind_min[part - 2],
                       pf->kind_need[part - 2].n == SIZE_MAX
                           ? NULL
                           : &pf->kind_need[part - 2],
                       u, from, to, err);
}

int prefilter_scan(struct pf_result *res, const struct prefilter *pf,
                   const char *s, size_t from, size_t to,
                   struct bb_err *err)
{
    size_t i;
    int rc = 0;

    prefilter_reset(res);
    for (i = 0; rc == 0 && i < prefilter_parts(pf); i++) {
        rc = prefilter_scan_part(res, pf, i, s, from, to, err);
    }
    return rc;
}
