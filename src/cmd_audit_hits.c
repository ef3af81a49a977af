/*
 * cmd_audit_hits.c - what a worker makes of each finding of its chunk,
 * so that the thread taking chunks back in order has next to nothing
 * left to do per finding: the line of --findings and the SARIF result,
 * already written out; the counts by rule, JSON path and day, summed
 * over the chunk; and the binary fingerprint the report's set of
 * distinct values takes. The one thread that aggregates is the part of
 * audit that does not scale with -j.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_sarif.h"
#include "cmd_audit.h"

/* "input[3].content" -> "input[*].content" */
static void star(char *out, size_t cap, const char *path)
{
    size_t o = 0;

    while (*path != '\0' && o + 4 < cap) {
        if (*path == '[') {
            const char *e = strchr(path, ']');

            if (e != NULL) {
                memcpy(out + o, "[*]", 3);
                o += 3;
                path = e + 1;
                continue;
            }
        }
        out[o++] = *path++;
    }
    out[o] = '\0';
}

static uint64_t tally_hash(size_t rule, const char *day, const char *path)
{
    uint64_t h = 1469598103934665603ULL ^ rule;
    const char *s;

    for (s = day; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (s = path; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

/* The entry of (rule, day, path) in t->e; NULL when out of memory. */
static struct aud_tent *tally_slot(struct aud_tally *t, size_t rule,
                                   const char *day, const char *path)
{
    size_t i;

    if ((t->n + 1) * 4 >= t->cap * 3) {
        size_t nc = t->cap ? 2 * t->cap : 64;
        struct aud_tent *ne = calloc(nc, sizeof(*ne));

        if (ne == NULL) {
            return NULL;
        }
        for (i = 0; i < t->cap; i++) {
            if (t->e[i].path != NULL) {
                size_t j = tally_hash(t->e[i].rule, t->e[i].day,
                                      t->e[i].path) & (nc - 1);

                while (ne[j].path != NULL) {
                    j = (j + 1) & (nc - 1);
                }
                ne[j] = t->e[i];
            }
        }
        free(t->e);
        t->e = ne;
        t->cap = nc;
    }
    i = tally_hash(rule, day, path) & (t->cap - 1);
    while (t->e[i].path != NULL &&
           (t->e[i].rule != rule || strcmp(t->e[i].day, day) != 0 ||
            strcmp(t->e[i].path, path) != 0)) {
        i = (i + 1) & (t->cap - 1);
    }
    if (t->e[i].path == NULL) {
        t->e[i].path = strdup(path);
        if (t->e[i].path == NULL) {
            return NULL;
        }
        t->e[i].rule = rule;
        memcpy(t->e[i].day, day, sizeof(t->e[i].day));
        t->n++;
    }
    return &t->e[i];
}

void aud_tally_free(struct aud_tally *t)
{
    size_t i;

    for (i = 0; i < t->cap; i++) {
        free(t->e[i].path);
    }
    free(t->e);
    memset(t, 0, sizeof(*t));
}

static int unhex(unsigned char *out, const char *hex, size_t n)
{
    size_t i;

    for (i = 0; i < 2 * n; i++) {
        char c = hex[i];
        int v = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

        if (v < 0) {
            return -1;
        }
        out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] | v : v << 4);
    }
    return 0;
}

int aud_fp_bin(unsigned char *out, const char *hex)
{
    return strlen(hex) == 2 * AUD_FP_LEN ? unhex(out, hex, AUD_FP_LEN) : -1;
}

/* One line of --findings. */
static void finding_line(FILE *f, const char *name, const struct aud_find *d,
                         const struct bb_rule_info *ri)
{
    fputs("{\"file\":", f);
    cli_json_str(f, name, strlen(name));
    fprintf(f, ",\"line\":%llu,\"path\":", (unsigned long long)d->line);
    cli_json_str(f, d->path, strlen(d->path));
    fputs(",\"rule\":", f);
    cli_json_str(f, ri->id, strlen(ri->id));
    fputs(",\"type\":", f);
    cli_json_str(f, ri->type, strlen(ri->type));
    fprintf(f, ",\"severity\":\"%s\",\"masked\":",
            cli_severity_name(ri->severity));
    cli_json_str(f, d->masked, strlen(d->masked));
    fprintf(f, ",\"fingerprint\":\"%s\"", d->fp);
    if (d->day[0] != '\0') {
        fprintf(f, ",\"day\":\"%s\"", d->day);
    }
    fputs("}\n", f);
}

static int sarif_result(FILE *f, bool first, const char *name,
                        const struct aud_find *d, const struct aud_opts *o,
                        const struct bb_rule_info *ri)
{
    struct cli_sarif_loc loc = { name, d->line, 0, 0, d->path };
    cJSON *r = cli_sarif_result(ri, o->sarif_index[d->rule], &loc, d->masked,
                                d->fp);
    char *s = r != NULL ? cJSON_PrintUnformatted(r) : NULL;

    cJSON_Delete(r);
    if (s == NULL) {
        return -1;
    }
    fprintf(f, "%s%s", first ? "" : ",\n", s);
    free(s);
    return 0;
}

/* A memory stream the chunk owns until aud_chunk_seal(). */
static FILE *stream(FILE **f, char **buf, size_t *len)
{
    if (*f == NULL) {
        *f = open_memstream(buf, len);
    }
    return *f;
}

int aud_chunk_finding(struct aud_chunk *c, const struct aud_opts *o,
                      const struct aud_find *d)
{
    const char *name = aud_input_name(o, c->file);
    struct bb_rule_info ri;
    struct aud_tent *te;
    struct aud_hit *nh;
    char path[4096];

    bb_ruleset_rule(&ri, o->rs, d->rule, NULL);
    if (c->n_hits == c->cap_hits) {
        size_t nc = c->cap_hits ? 2 * c->cap_hits : 64;

        nh = realloc(c->hits, nc * sizeof(*nh));
        if (nh == NULL) {
            return -1;
        }
        c->hits = nh;
        c->cap_hits = nc;
    }
    nh = &c->hits[c->n_hits];
    nh->rule = (uint32_t)d->rule;
    if (aud_fp_bin(nh->fp, d->fp) < 0) {
        return -1;
    }
    star(path, sizeof(path), d->path);
    te = tally_slot(&c->tally, d->rule, d->day, path);
    if (te == NULL) {
        return -1;
    }
    te->n++;
    if (o->findings) {
        FILE *f = stream(&c->fl, &c->flines, &c->flines_len);

        if (f == NULL) {
            return -1;
        }
        finding_line(f, name, d, &ri);
    }
    if (o->sarif_index != NULL) {
        FILE *f = stream(&c->fs, &c->sarif, &c->sarif_len);

        if (f == NULL || sarif_result(f, c->n_hits == 0, name, d, o, &ri) <
                             0) {
            return -1;
        }
    }
    c->n_hits++;
    return 0;
}

static int seal(FILE **f)
{
    int bad = 0;

    if (*f != NULL) {
        bad = ferror(*f);
        bad = fclose(*f) != 0 || bad;
        *f = NULL;
    }
    return bad ? -1 : 0;
}

int aud_chunk_seal(struct aud_chunk *c)
{
    int rl = seal(&c->fl);
    int rs = seal(&c->fs);

    return rl < 0 || rs < 0 ? -1 : 0;
}
