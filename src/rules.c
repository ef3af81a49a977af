/*
 * rules.c - parse and check JSON rule packs (DESIGN section 3,
 * docs/blackbar-rules.5.md). Every field is type- and range-checked and
 * unknown fields are rejected; a pack is returned whole or not at all.
 */
#include "rules.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core.h"
#include "validate.h"

struct pctx {
    const char *source;
    const char *rule_id; /* NULL while checking pack-level fields */
    struct bb_err *err;
};

static int fail(const struct pctx *c, const char *fmt, const char *what)
{
    char msg[160];

    snprintf(msg, sizeof(msg), fmt, what);
    if (c->rule_id != NULL) {
        return bb_seterr(c->err, BB_ERULE, "%s: rule %s: %s", c->source,
                         c->rule_id, msg);
    }
    return bb_seterr(c->err, BB_ERULE, "%s: %s", c->source, msg);
}

void strv_dispose(struct strv *sv)
{
    size_t i;

    for (i = 0; i < sv->n; i++) {
        bb_free(sv->v[i]);
    }
    bb_free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

void rules_rule_dispose(struct rule *r)
{
    bb_free(r->id);
    bb_free(r->type);
    bb_free(r->description);
    bb_free(r->pack);
    bb_free(r->source);
    bb_free(r->category);
    bb_free(r->gate);
    bb_free(r->digits_hex);
    bb_free(r->digits_word);
    bb_free(r->pattern);
    strv_dispose(&r->keywords);
    strv_dispose(&r->ctx_words);
    strv_dispose(&r->allow);
    strv_dispose(&r->ex_match);
    strv_dispose(&r->ex_nomatch);
    memset(r, 0, sizeof(*r));
}

void rules_pack_dispose(struct pack *p)
{
    size_t i;

    for (i = 0; i < p->n_rules; i++) {
        rules_rule_dispose(&p->rules[i]);
    }
    bb_free(p->rules);
    bb_free(p->name);
    bb_free(p->description);
    memset(p, 0, sizeof(*p));
}

static bool is_name(const char *s, bool upper)
{
    size_t i;

    if (s[0] == '\0' || strlen(s) > 64) {
        return false;
    }
    for (i = 0; s[i] != '\0'; i++) {
        char ch = s[i];
        bool ok = upper ? ((ch >= 'A' && ch <= 'Z') || (ch == '_' && i > 0))
                        : ((ch >= 'a' && ch <= 'z') || (ch == '-' && i > 0));

        if (!ok && !(ch >= '0' && ch <= '9' && i > 0)) {
            return false;
        }
    }
    return true;
}

static int get_string(char **out, const cJSON *obj, const char *key,
                      bool required, const struct pctx *c)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = NULL;
    if (it == NULL || cJSON_IsNull(it)) {
        return required ? fail(c, "missing field \"%s\"", key) : 0;
    }
    if (!cJSON_IsString(it) || it->valuestring == NULL) {
        return fail(c, "field \"%s\" must be a string", key);
    }
    *out = bb_strdup(it->valuestring);
    return *out ? 0 : bb_seterr(c->err, BB_ENOMEM, "out of memory");
}

static int get_strv(struct strv *out, const cJSON *obj, const char *key,
                    bool required, const struct pctx *c)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    const cJSON *el;
    size_t n = 0;

    out->v = NULL;
    out->n = 0;
    if (it == NULL || cJSON_IsNull(it)) {
        return required ? fail(c, "missing field \"%s\"", key) : 0;
    }
    if (!cJSON_IsArray(it)) {
        return fail(c, "field \"%s\" must be an array of strings", key);
    }
    out->v = bb_calloc((size_t)cJSON_GetArraySize(it) + 1, sizeof(char *));
    if (out->v == NULL) {
        return bb_seterr(c->err, BB_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(el, it) {
        if (!cJSON_IsString(el) || el->valuestring == NULL ||
            el->valuestring[0] == '\0') {
            strv_dispose(out);
            return fail(c, "field \"%s\" must hold non-empty strings", key);
        }
        out->v[n] = bb_strdup(el->valuestring);
        if (out->v[n] == NULL) {
            strv_dispose(out);
            return bb_seterr(c->err, BB_ENOMEM, "out of memory");
        }
        out->n = ++n;
    }
    return 0;
}

static int get_uint(size_t *out, const cJSON *obj, const char *key,
                    size_t lo, size_t hi, const struct pctx *c)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    double d;

    if (it == NULL || cJSON_IsNull(it)) {
        return 1; /* absent: caller keeps its default */
    }
    d = cJSON_GetNumberValue(it);
    if (!cJSON_IsNumber(it) || d != floor(d) || d < (double)lo ||
        d > (double)hi) {
        return fail(c, "field \"%s\" must be an integer in range", key);
    }
    *out = (size_t)d;
    return 0;
}

static int check_keys(const cJSON *obj, const char *const *allowed,
                      const struct pctx *c)
{
    const cJSON *el;
    size_t i;

    cJSON_ArrayForEach(el, obj) {
        bool ok = false;

        for (i = 0; allowed[i] != NULL; i++) {
            if (strcmp(el->string, allowed[i]) == 0) {
                ok = true;
            }
        }
        if (!ok) {
            return fail(c, "unknown field \"%s\"", el->string);
        }
    }
    return 0;
}

static int pick(int *out, const char *val, const char *const *names,
                const char *field, const struct pctx *c)
{
    int i;

    for (i = 0; names[i] != NULL; i++) {
        if (strcmp(val, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return fail(c, "unknown value for \"%s\"", field);
}

static const char *const categories[] = {
    "harassment", "harassment/threatening", "hate", "hate/threatening",
    "illicit", "illicit/violent", "self-harm", "self-harm/intent",
    "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic", NULL
};

static int check_words(const struct strv *words, size_t minlen,
                       const struct pctx *c);

static int parse_context(struct rule *r, const cJSON *obj,
                         const struct pctx *c)
{
    static const char *const keys[] = { "words", "window", "required",
                                        NULL };
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(obj, "context");
    const cJSON *req;
    int rc;

    r->ctx_window = 64;
    if (ctx == NULL || cJSON_IsNull(ctx)) {
        return 0;
    }
    if (!cJSON_IsObject(ctx)) {
        return fail(c, "field \"%s\" must be an object", "context");
    }
    rc = check_keys(ctx, keys, c);
    if (rc == 0) {
        rc = get_strv(&r->ctx_words, ctx, "words", true, c);
    }
    if (rc == 0 && get_uint(&r->ctx_window, ctx, "window", 1,
                            RULES_MAX_WINDOW, c) < 0) {
        rc = BB_ERULE;
    }
    if (rc < 0) {
        return rc;
    }
    req = cJSON_GetObjectItemCaseSensitive(ctx, "required");
    if (req != NULL && !cJSON_IsBool(req)) {
        return fail(c, "field \"%s\" must be true or false", "required");
    }
    r->ctx_required = cJSON_IsTrue(req);
    if (r->ctx_words.n == 0) {
        return fail(c, "field \"%s\" must not be empty", "context.words");
    }
    return check_words(&r->ctx_words, 2, c);
}

static int parse_digits(struct rule *r, const cJSON *obj,
                        const struct pctx *c)
{
    static const char *const keys[] = { "min", "lead", "hex", "word", NULL };
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(obj, "digits");
    int rc;

    if (d == NULL || cJSON_IsNull(d)) {
        return 0;
    }
    if (!cJSON_IsObject(d)) {
        return fail(c, "field \"%s\" must be an object", "digits");
    }
    rc = check_keys(d, keys, c);
    if (rc == 0) {
        rc = get_uint(&r->digits_min, d, "min", 1, 64, c);
        rc = rc > 0 ? fail(c, "missing field \"%s\"", "digits.min") : rc;
    }
    if (rc == 0 && get_uint(&r->digits_lead, d, "lead", 0, 16, c) < 0) {
        rc = BB_ERULE;
    }
    if (rc == 0) {
        rc = get_string(&r->digits_hex, d, "hex", false, c);
    }
    if (rc == 0 && r->digits_hex != NULL &&
        (r->digits_hex[0] == '\0' || strlen(r->digits_hex) > 8 ||
         strspn(r->digits_hex, ":-./ ") != strlen(r->digits_hex))) {
        rc = fail(c, "\"digits\".hex must be 1 to 8 of \"%s\"", ":-./ ");
    }
    if (rc == 0) {
        rc = get_string(&r->digits_word, d, "word", false, c);
    }
    if (rc == 0 && r->digits_word != NULL &&
        (r->digits_hex != NULL || r->digits_min < 16 ||
         strlen(r->digits_word) > 8 ||
         strspn(r->digits_word, ".:/+=~@") != strlen(r->digits_word))) {
        rc = fail(c, "\"digits\".word needs no \"hex\", a min of 16 or "
                  "more, and 0 to 8 of \"%s\"", ".:/+=~@");
    }
    return rc;
}

static int parse_examples(struct rule *r, const cJSON *obj,
                          const struct pctx *c)
{
    static const char *const keys[] = { "match", "nomatch", NULL };
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(obj, "examples");
    int rc;

    if (ex == NULL || !cJSON_IsObject(ex)) {
        return fail(c, "field \"%s\" must be an object", "examples");
    }
    rc = check_keys(ex, keys, c);
    if (rc == 0) {
        rc = get_strv(&r->ex_match, ex, "match", true, c);
    }
    if (rc == 0) {
        rc = get_strv(&r->ex_nomatch, ex, "nomatch", true, c);
    }
    if (rc == 0 && (r->ex_match.n == 0 || r->ex_nomatch.n == 0)) {
        rc = fail(c, "%s need at least one match and one nomatch",
                  "examples");
    }
    return rc;
}

/* Keywords and context words: lowercase ASCII, minlen..32 bytes. */
static int check_words(const struct strv *words, size_t minlen,
                       const struct pctx *c)
{
    size_t i;
    size_t j;

    for (i = 0; i < words->n; i++) {
        const char *k = words->v[i];

        if (strlen(k) > 32 || strlen(k) < minlen) {
            return fail(c, "keywords and context words must be %s",
                        minlen > 1 ? "2 to 32 bytes long"
                                   : "at most 32 bytes long");
        }
        for (j = 0; k[j] != '\0'; j++) {
            unsigned char ch = (unsigned char)k[j];

            if (ch >= 0x80 || (ch >= 'A' && ch <= 'Z') ||
                (ch < 0x20 && ch != '\t')) {
                return fail(c, "keywords and context words must be "
                            "lowercase ASCII%s", "");
            }
        }
    }
    return 0;
}

static int parse_enums(struct rule *r, const cJSON *obj,
                       const struct pctx *c)
{
    static const char *const actions[] = { "redact", "flag", "block",
                                           "gate", NULL };
    static const char *const sevs[] = { "low", "medium", "high",
                                        "critical", NULL };
    char *s = NULL;
    int v = 0;
    int rc;

    r->action = BB_ACTION_REDACT;
    r->severity = BB_SEV_MEDIUM;
    rc = get_string(&s, obj, "action", false, c);
    if (rc == 0 && s != NULL) {
        rc = pick(&v, s, actions, "action", c);
        r->action = (enum bb_action)v;
    }
    bb_free(s);
    s = NULL;
    if (rc == 0) {
        rc = get_string(&s, obj, "severity", false, c);
    }
    if (rc == 0 && s != NULL) {
        rc = pick(&v, s, sevs, "severity", c);
        r->severity = (enum bb_severity)v;
    }
    bb_free(s);
    s = NULL;
    if (rc == 0) {
        rc = get_string(&s, obj, "validate", false, c);
    }
    r->validator = -1;
    if (rc == 0 && s != NULL) {
        r->validator = validate_lookup(s);
        if (r->validator < 0) {
            rc = fail(c, "unknown validator \"%s\"", s);
        }
    }
    bb_free(s);
    if (rc == 0 && r->category != NULL) {
        rc = pick(&v, r->category, categories, "category", c);
    }
    return rc;
}

static int parse_numbers(struct rule *r, const cJSON *obj,
                         const struct pctx *c)
{
    const cJSON *ent = cJSON_GetObjectItemCaseSensitive(obj, "entropy");
    const cJSON *wt = cJSON_GetObjectItemCaseSensitive(obj, "weight");
    size_t g = 0;
    int rc;

    rc = get_uint(&r->max_len, obj, "max_len", 1, RULES_MAX_LEN, c);
    if (rc > 0) {
        return fail(c, "missing field \"%s\"", "max_len");
    }
    if (rc < 0) {
        return rc;
    }
    if (get_uint(&g, obj, "group", 0, 99, c) < 0) {
        return BB_ERULE;
    }
    r->group = (int)g;
    r->lead = SIZE_MAX;
    if (get_uint(&r->lead, obj, "lead", 0, RULES_MAX_LEN, c) < 0) {
        return BB_ERULE;
    }
    r->weight = 1.0;
    if (wt != NULL && (!cJSON_IsNumber(wt) || wt->valuedouble == 0.0 ||
                       wt->valuedouble < -100.0 || wt->valuedouble > 100.0)) {
        return fail(c, "field \"%s\" must be a number from -100 to 100, "
                    "not 0", "weight");
    }
    if (wt != NULL) {
        r->weight = wt->valuedouble;
    }
    r->entropy = -1.0;
    if (ent != NULL && !cJSON_IsNull(ent)) {
        if (!cJSON_IsNumber(ent) || ent->valuedouble < 0.0 ||
            ent->valuedouble > 8.0) {
            return fail(c, "field \"%s\" must be a number 0..8", "entropy");
        }
        r->entropy = ent->valuedouble;
    }
    return 0;
}

/* A byte class written as a bracket-expression body of printable ASCII
 * (and tab): single bytes, ranges "a-z", a '-' first or last, '\\'
 * taking the next byte as it is. Sets map's bits; false when malformed. */
static bool parse_class(const char *spec, uint8_t map[32])
{
    const unsigned char *p;

    if (spec[0] == '\0') {
        return false;
    }
    for (p = (const unsigned char *)spec; *p != '\0'; p++) {
        unsigned lo = *p;
        unsigned hi;
        unsigned b;

        if (lo == '\\' && p[1] != '\0') {
            lo = *++p;
        }
        hi = lo;
        if (p[1] == '-' && p[2] != '\0') {
            hi = p[2] == '\\' && p[3] != '\0' ? p[3] : p[2];
            p += p[2] == '\\' && p[3] != '\0' ? 3 : 2;
        }
        if (hi < lo || (lo < 0x20 && lo != '\t') || hi > 0x7e) {
            return false;
        }
        for (b = lo; b <= hi; b++) {
            map[b >> 3] |= (uint8_t)(1u << (b & 7));
        }
    }
    return true;
}

static int parse_lead_class(struct rule *r, const cJSON *obj,
                            const struct pctx *c)
{
    char *spec = NULL;
    int rc = get_string(&spec, obj, "lead_class", false, c);

    if (rc < 0 || spec == NULL) {
        return rc;
    }
    if (r->lead == SIZE_MAX || spec[0] == '\0') {
        rc = fail(c, "field \"%s\" needs \"lead\" and must not be "
                  "empty", "lead_class");
    } else if (!parse_class(spec, r->lead_class)) {
        rc = fail(c, "field \"%s\" holds a bad range or a byte that is "
                  "not printable ASCII", "lead_class");
    }
    r->has_lead_class = rc == 0;
    bb_free(spec);
    return rc;
}

/* How many ranges class map needs (the prefilter takes at most 8). */
static size_t class_ranges(const uint8_t map[32])
{
    size_t n = 0;
    unsigned b;

    for (b = 0; b < 256; b++) {
        bool in = (map[b >> 3] >> (b & 7)) & 1u;
        bool prev = b > 0 && ((map[(b - 1) >> 3] >> ((b - 1) & 7)) & 1u);

        n += in && !prev;
    }
    return n;
}

/* "anchor": 1 to 8 byte classes that match, in sequence, at most "lead"
 * bytes after the start of every match. */
static int parse_anchor(struct rule *r, const cJSON *obj,
                        const struct pctx *c)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "anchor");
    const cJSON *el;

    if (a == NULL || cJSON_IsNull(a)) {
        return 0;
    }
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
        cJSON_GetArraySize(a) > RULES_MAX_ANCHOR) {
        return fail(c, "field \"%s\" must be an array of 1 to 8 byte "
                    "classes", "anchor");
    }
    if (r->keywords.n > 0 || r->digits_min > 0 || r->ctx_required ||
        r->gate != NULL) {
        return fail(c, "field \"%s\" cannot go with keywords, digits, "
                    "required context or a gate", "anchor");
    }
    cJSON_ArrayForEach(el, a) {
        uint8_t *map = r->anchor[r->anchor_n];

        if (!cJSON_IsString(el) || !parse_class(el->valuestring, map)) {
            return fail(c, "field \"%s\" holds a class that is not a "
                        "string of printable ASCII ranges", "anchor");
        }
        if (class_ranges(map) > 8) {
            return fail(c, "field \"%s\" holds a class of more than 8 "
                        "ranges", "anchor");
        }
        r->anchor_n++;
    }
    if (r->lead == SIZE_MAX) {
        r->lead = 0;
    }
    return 0;
}

static int parse_rule(struct rule *r, const cJSON *obj, struct pctx *c)
{
    static const char *const keys[] = {
        "id", "type", "description", "pattern", "group", "keywords",
        "max_len", "validate", "entropy", "context", "allow", "action",
        "severity", "category", "gate", "digits", "lead", "lead_class",
        "anchor", "weight", "examples", NULL
    };
    int rc;

    memset(r, 0, sizeof(*r));
    if (!cJSON_IsObject(obj)) {
        return fail(c, "each rule must be an object%s", "");
    }
    rc = get_string(&r->id, obj, "id", true, c);
    if (rc < 0) {
        return rc;
    }
    if (!is_name(r->id, false)) {
        return fail(c, "rule id must be lowercase letters, digits and "
                    "'-'%s", "");
    }
    c->rule_id = r->id;
    rc = check_keys(obj, keys, c);
    if (rc == 0) {
        rc = get_string(&r->type, obj, "type", true, c);
    }
    if (rc == 0 && !is_name(r->type, true)) {
        rc = fail(c, "type must match [A-Z][A-Z0-9_]*%s", "");
    }
    if (rc == 0) {
        rc = get_string(&r->description, obj, "description", true, c);
    }
    if (rc == 0) {
        rc = get_string(&r->pattern, obj, "pattern", true, c);
    }
    if (rc == 0) {
        rc = get_string(&r->category, obj, "category", false, c);
    }
    if (rc == 0) {
        rc = get_string(&r->gate, obj, "gate", false, c);
    }
    if (rc == 0) {
        rc = get_strv(&r->keywords, obj, "keywords", false, c);
    }
    if (rc == 0) {
        rc = check_words(&r->keywords, 1, c);
    }
    if (rc == 0) {
        rc = get_strv(&r->allow, obj, "allow", false, c);
    }
    if (rc == 0) {
        rc = parse_numbers(r, obj, c);
    }
    if (rc == 0) {
        rc = parse_lead_class(r, obj, c);
    }
    if (rc == 0) {
        rc = parse_enums(r, obj, c);
    }
    if (rc == 0) {
        rc = parse_context(r, obj, c);
    }
    if (rc == 0) {
        rc = parse_digits(r, obj, c);
    }
    if (rc == 0) {
        rc = parse_anchor(r, obj, c);
    }
    if (rc == 0) {
        rc = parse_examples(r, obj, c);
    }
    return rc;
}

static int parse_rules(struct pack *p, const cJSON *arr, struct pctx *c)
{
    const cJSON *el;
    size_t n = (size_t)cJSON_GetArraySize(arr);
    size_t i;
    int rc = 0;

    if (!cJSON_IsArray(arr) || n == 0) {
        return fail(c, "field \"%s\" must be a non-empty array", "rules");
    }
    p->rules = bb_calloc(n, sizeof(*p->rules));
    if (p->rules == NULL) {
        return bb_seterr(c->err, BB_ENOMEM, "out of memory");
    }
    cJSON_ArrayForEach(el, arr) {
        struct rule *r = &p->rules[p->n_rules];

        c->rule_id = NULL;
        rc = parse_rule(r, el, c);
        p->n_rules++;
        if (rc < 0) {
            return rc;
        }
        r->pack = bb_strdup(p->name);
        r->source = bb_strdup(c->source);
        if (r->pack == NULL || r->source == NULL) {
            return bb_seterr(c->err, BB_ENOMEM, "out of memory");
        }
        for (i = 0; i + 1 < p->n_rules; i++) {
            if (strcmp(p->rules[i].id, r->id) == 0) {
                return fail(c, "duplicate rule id%s", "");
            }
        }
    }
    return 0;
}

int rules_parse_pack(struct pack *out, const char *source, const char *json,
                     size_t len, struct bb_err *err)
{
    static const char *const keys[] = { "pack", "version", "description",
                                        "rules", NULL };
    struct pctx c = { source, NULL, err };
    struct pack p;
    const char *end = NULL;
    cJSON *root;
    size_t version = 0;
    int rc;

    memset(&p, 0, sizeof(p));
    root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (root == NULL) {
        return bb_seterr(err, BB_ERULE, "%s: invalid JSON at byte %zu",
                         source, end ? (size_t)(end - json) : (size_t)0);
    }
    while (end < json + len && (*end == ' ' || *end == '\t' ||
                                *end == '\n' || *end == '\r')) {
        end++;
    }
    if (end < json + len) {
        cJSON_Delete(root);
        return bb_seterr(err, BB_ERULE, "%s: invalid JSON: data after the "
                         "pack at byte %zu", source, (size_t)(end - json));
    }
    rc = cJSON_IsObject(root) ? check_keys(root, keys, &c)
                              : fail(&c, "a pack must be a JSON object%s",
                                     "");
    if (rc == 0) {
        rc = get_string(&p.name, root, "pack", true, &c);
    }
    if (rc == 0 && !is_name(p.name, false)) {
        rc = fail(&c, "pack name must be lowercase letters, digits and "
                  "'-'%s", "");
    }
    if (rc == 0) {
        rc = get_uint(&version, root, "version", 1, 1, &c);
        rc = rc > 0 ? fail(&c, "missing field \"%s\"", "version") : rc;
    }
    if (rc == 0) {
        rc = get_string(&p.description, root, "description", true, &c);
    }
    if (rc == 0) {
        rc = parse_rules(&p, cJSON_GetObjectItemCaseSensitive(root, "rules"),
                         &c);
    }
    cJSON_Delete(root);
    if (rc < 0) {
        rules_pack_dispose(&p);
        return rc;
    }
    *out = p;
    return 0;
}
