/*
 * ruleset.c - load packs into a ruleset (all of a pack or none of it),
 * add blackbar's internal placeholder-escape rule, build the prefilter,
 * and run rule self-tests and lint. Reads no files: packs arrive as
 * bytes.
 */
#include "ruleset.h"

#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "core.h"
#include "redact.h"
#include "stream.h"

int bb_ruleset_new(struct bb_ruleset **out,
                   const struct bb_ruleset_opts *opts, struct bb_err *err)
{
    static const struct bb_ruleset_opts def = BB_RULESET_OPTS_INIT;
    struct bb_ruleset *rs = bb_calloc(1, sizeof(*rs));

    if (rs == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    rs->opts = opts ? *opts : def;
    *out = rs;
    return 0;
}

void bb_ruleset_free(struct bb_ruleset *rs)
{
    size_t i;

    if (rs == NULL) {
        return;
    }
    for (i = 0; i < rs->n; i++) {
        rules_rule_dispose(&rs->rules[i]);
        matcher_prog_free(rs->progs[i]);
    }
    for (i = 0; i < rs->n_packs; i++) {
        bb_free(rs->packs[i]);
    }
    bb_free(rs->packs);
    bb_free(rs->types);
    bb_free(rs->rule_type);
    bb_free(rs->rules);
    bb_free(rs->progs);
    prefilter_free(rs->pf);
    bb_free(rs);
}

static int reserve(struct bb_ruleset *rs, size_t extra, struct bb_err *err)
{
    size_t cap = rs->cap ? rs->cap : 64;
    struct rule *r;
    struct matcher_prog **p;

    if (rs->n + extra <= rs->cap) {
        return 0;
    }
    while (cap < rs->n + extra) {
        cap *= 2;
    }
    r = bb_realloc(rs->rules, cap * sizeof(*r));
    if (r == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    rs->rules = r;
    p = bb_realloc(rs->progs, cap * sizeof(*p));
    if (p == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    rs->progs = p;
    rs->cap = cap;
    return 0;
}

static int check_unique(const struct bb_ruleset *rs, const struct pack *p,
                        const char *source, struct bb_err *err)
{
    size_t i;
    size_t j;

    for (i = 0; i < rs->n_packs; i++) {
        if (strcmp(rs->packs[i], p->name) == 0) {
            return bb_seterr(err, BB_ERULE, "%s: pack \"%s\" is already "
                             "loaded", source, p->name);
        }
    }
    for (i = 0; i < p->n_rules; i++) {
        for (j = 0; j < rs->n; j++) {
            if (strcmp(rs->rules[j].id, p->rules[i].id) == 0) {
                return bb_seterr(err, BB_ERULE, "%s: rule %s: id already "
                                 "used by pack %s", source, p->rules[i].id,
                                 rs->rules[j].pack);
            }
        }
    }
    return 0;
}

static int add_parsed(struct bb_ruleset *rs, struct pack *p,
                      const char *source, struct bb_err *err)
{
    struct matcher_prog **progs = bb_calloc(p->n_rules, sizeof(*progs));
    char *name = NULL;
    char **packs;
    size_t i;
    int rc = progs ? 0 : bb_seterr(err, BB_ENOMEM, "out of memory");

    for (i = 0; rc == 0 && i < p->n_rules; i++) {
        rc = matcher_compile(&progs[i], &p->rules[i], source, err);
    }
    if (rc == 0) {
        rc = reserve(rs, p->n_rules, err);
    }
    if (rc == 0) {
        name = bb_strdup(p->name);
        packs = bb_realloc(rs->packs, (rs->n_packs + 1) * sizeof(*packs));
        rc = (name && packs) ? 0 : bb_seterr(err, BB_ENOMEM, "out of memory");
        rs->packs = packs ? packs : rs->packs;
    }
    if (rc < 0) {
        for (i = 0; progs != NULL && i < p->n_rules; i++) {
            matcher_prog_free(progs[i]);
        }
        bb_free(progs);
        bb_free(name);
        return rc;
    }
    rs->packs[rs->n_packs++] = name;
    for (i = 0; i < p->n_rules; i++) {
        rs->rules[rs->n] = p->rules[i];
        rs->progs[rs->n++] = progs[i];
    }
    bb_free(progs);
    bb_free(p->rules); /* the rules' contents now belong to rs */
    p->rules = NULL;
    p->n_rules = 0;
    return 0;
}

int bb_ruleset_add_pack(struct bb_ruleset *rs, const char *source,
                        const char *json, size_t len, struct bb_err *err)
{
    struct pack p;
    int rc;

    if (rs->compiled) {
        return bb_seterr(err, BB_EINVAL, "ruleset is already compiled");
    }
    rc = rules_parse_pack(&p, source, json, len, err);
    if (rc < 0) {
        return rc;
    }
    rc = check_unique(rs, &p, source, err);
    if (rc == 0) {
        rc = add_parsed(rs, &p, source, err);
    }
    rules_pack_dispose(&p);
    return rc;
}

int bb_ruleset_add_builtin(struct bb_ruleset *rs, struct bb_err *err)
{
    char source[64];
    size_t i;
    int rc;

    for (i = 0; i < builtin_packs_n; i++) {
        if (strcmp(builtin_packs[i].name, "moderation") == 0) {
            continue; /* for responses: bb_ruleset_add_builtin_pack */
        }
        snprintf(source, sizeof(source), "builtin:%s",
                 builtin_packs[i].name);
        rc = bb_ruleset_add_pack(rs, source,
                                 (const char *)builtin_packs[i].data,
                                 builtin_packs[i].len, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int bb_ruleset_add_builtin_pack(struct bb_ruleset *rs, const char *name,
                                struct bb_err *err)
{
    char source[64];
    size_t i;

    for (i = 0; i < builtin_packs_n; i++) {
        if (strcmp(builtin_packs[i].name, name) == 0) {
            snprintf(source, sizeof(source), "builtin:%s", name);
            return bb_ruleset_add_pack(rs, source,
                                       (const char *)builtin_packs[i].data,
                                       builtin_packs[i].len, err);
        }
    }
    return bb_seterr(err, BB_EINVAL, "no built-in pack \"%s\"", name);
}

const char *const *bb_builtin_pack_names(void)
{
    static const char *names[16];
    size_t i;

    for (i = 0; i < builtin_packs_n && i + 1 < BB_ARRAY_LEN(names); i++) {
        names[i] = builtin_packs[i].name;
    }
    return names;
}

/* Placeholder-shaped text in the input ("<EMAIL_1>") and every "<\"
 * get a backslash after the '<' (DESIGN section 4). Restore undoes it by
 * taking one backslash out of every "<\": since all of them were
 * escaped, the two steps are exact inverses, for any number of
 * backslashes. */
static const char escape_pack[] =
    "{\"pack\":\"blackbar-internal\",\"version\":1,"
    "\"description\":\"placeholder escaping\",\"rules\":[{"
    "\"id\":\"" REDACT_ESCAPE_RULE "\",\"type\":\"PLACEHOLDER_ESCAPE\","
    "\"description\":\"placeholder-shaped text in the input\","
    "\"pattern\":\"<(?:\\\\\\\\|[A-Z][A-Z0-9_]{0,40}_[0-9A-Za-z]{1,16}>)\","
    "\"keywords\":[\"<\"],\"max_len\":64,\"severity\":\"low\","
    "\"examples\":{\"match\":[\"<EMAIL_1>\",\"<\\\\\\\\x\"],"
    "\"nomatch\":[\"<b>\"]}}]}";

/* Resolve each rule's "gate" to the index of a gate rule. */
static int link_gates(struct bb_ruleset *rs, struct bb_err *err)
{
    size_t i;

    for (i = 0; i < rs->n; i++) {
        struct rule *r = &rs->rules[i];
        long g;

        r->gate_idx = -1;
        if (r->gate == NULL) {
            continue;
        }
        g = bb_ruleset_find(rs, r->gate);
        if (g < 0 || rs->rules[g].action != BB_ACTION_GATE) {
            return bb_seterr(err, BB_ERULE, "%s: rule %s: gate \"%s\" is not "
                             "a loaded rule with action \"gate\"", r->source,
                             r->id, r->gate);
        }
        if (r->action == BB_ACTION_GATE || rs->rules[g].gate != NULL) {
            return bb_seterr(err, BB_ERULE, "%s: rule %s: gates cannot be "
                             "chained", r->source, r->id);
        }
        r->gate_idx = g;
    }
    return 0;
}

/* The distinct types and each rule's, once for every redactor. */
static int map_types(struct bb_ruleset *rs, struct bb_err *err)
{
    size_t i;
    size_t t;

    rs->types = bb_calloc(rs->n + 1, sizeof(*rs->types));
    rs->rule_type = bb_calloc(rs->n + 1, sizeof(*rs->rule_type));
    if (rs->types == NULL || rs->rule_type == NULL) {
        return bb_seterr(err, BB_ENOMEM, "out of memory");
    }
    for (i = 0; i < rs->n; i++) {
        for (t = 0; t < rs->n_types &&
                    strcmp(rs->types[t], rs->rules[i].type) != 0;
             t++) {
        }
        if (t == rs->n_types) {
            rs->types[rs->n_types++] = rs->rules[i].type;
        }
        rs->rule_type[i] = t;
    }
    return 0;
}

int bb_ruleset_compile(struct bb_ruleset *rs, struct bb_err *err)
{
    size_t i;
    int rc;

    if (rs->compiled) {
        return bb_seterr(err, BB_EINVAL, "ruleset is already compiled");
    }
    rc = bb_ruleset_add_pack(rs, "internal", escape_pack,
                             sizeof(escape_pack) - 1, err);
    if (rc < 0) {
        return rc;
    }
    rs->rules[rs->n - 1].internal = true;
    if (rs->opts.keep_placeholders) {
        rs->rules[rs->n - 1].action = BB_ACTION_FLAG;
    }
    rs->keep_left = 8;
    for (i = 0; i < rs->n; i++) {
        const struct rule *r = &rs->rules[i];
        size_t lb = matcher_prog_lookbehind(rs->progs[i]) + 8;
        size_t g = matcher_prog_groups(rs->progs[i]);

        rs->max_len = r->max_len > rs->max_len ? r->max_len : rs->max_len;
        rs->max_groups = g > rs->max_groups ? g : rs->max_groups;
        if (r->ctx_required && r->ctx_window > rs->max_window) {
            rs->max_window = r->ctx_window;
        }
        rs->keep_left = lb > rs->keep_left ? lb : rs->keep_left;
    }
    /* Context words end within max_window of a match; they are at most
     * 32 bytes long (rules.c). */
    if (rs->max_window + 40 > rs->keep_left) {
        rs->keep_left = rs->max_window + 40;
    }
    rc = link_gates(rs, err);
    if (rc == 0) {
        rc = map_types(rs, err);
    }
    if (rc == 0) {
        rc = prefilter_build(&rs->pf, rs->rules, rs->n, err);
    }
    if (rc == 0) {
        rs->compiled = true;
    }
    return rc;
}

size_t bb_ruleset_count(const struct bb_ruleset *rs)
{
    return rs->n;
}

int bb_ruleset_rule(struct bb_rule_info *out, const struct bb_ruleset *rs,
                    size_t i, struct bb_err *err)
{
    const struct rule *r;

    if (i >= rs->n) {
        return bb_seterr(err, BB_EINVAL, "no rule %zu", i);
    }
    r = &rs->rules[i];
    out->id = r->id;
    out->type = r->type;
    out->description = r->description;
    out->pack = r->pack;
    out->category = r->category;
    out->weight = r->weight;
    out->action = r->action;
    out->severity = r->severity;
    out->max_len = r->max_len;
    out->n_keywords = r->keywords.n;
    out->has_validator = r->validator >= 0;
    return 0;
}

long bb_ruleset_find(const struct bb_ruleset *rs, const char *id)
{
    size_t i;

    for (i = 0; i < rs->n; i++) {
        if (strcmp(rs->rules[i].id, id) == 0) {
            return (long)i;
        }
    }
    return -1;
}
