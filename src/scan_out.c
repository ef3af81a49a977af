/*
 * scan_out.c - the scan report: grep-like text, one JSON document, or
 * SARIF 2.1.0 for code-scanning services. Findings are written as they
 * come (in file order), so a long history never sits in memory. Values
 * appear only masked unless --show-values.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "scan.h"

struct scan_out {
    const struct scan_opts *o;
    FILE *f;
    uint64_t n;
    size_t *sarif_index; /* rule -> index in driver.rules */
};

static const char *const sev_names[] = { "low", "medium", "high",
                                         "critical" };
static const char *const sev_levels[] = { "note", "warning", "error",
                                          "error" };
static const char *const sev_scores[] = { "3.0", "5.5", "8.0", "9.5" };

/* Percent-encode a path into a URI reference (RFC 3986). */
static char *path_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path);
    char *u = malloc(3 * n + 8);
    size_t o = 0;
    size_t i;

    if (u == NULL) {
        return NULL;
    }
    if (path[0] == '/') {
        memcpy(u, "file://", 7);
        o = 7;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || strchr("-._~/", c) != NULL) {
            u[o++] = (char)c;
        } else {
            u[o++] = '%';
            u[o++] = hex[c >> 4];
            u[o++] = hex[c & 15];
        }
    }
    u[o] = '\0';
    return u;
}

static cJSON *sarif_rule(const struct bb_rule_info *ri)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *d = cJSON_AddObjectToObject(r, "shortDescription");
    cJSON *c = cJSON_AddObjectToObject(r, "defaultConfiguration");
    cJSON *p = cJSON_AddObjectToObject(r, "properties");
    cJSON *tags = cJSON_AddArrayToObject(p, "tags");

    cJSON_AddStringToObject(r, "id", ri->id);
    cJSON_AddStringToObject(d, "text", ri->description && ri->description[0]
                                           ? ri->description : ri->id);
    cJSON_AddStringToObject(c, "level", sev_levels[ri->severity]);
    cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
    cJSON_AddItemToArray(tags, cJSON_CreateString(ri->type));
    cJSON_AddItemToArray(tags, cJSON_CreateString(ri->pack));
    cJSON_AddStringToObject(p, "security-severity",
                            sev_scores[ri->severity]);
    return r;
}

/* The SARIF document up to the opening of "results". */
static int sarif_head(struct scan_out *so)
{
    const struct bb_ruleset *rs = so->o->rs;
    cJSON *rules = cJSON_CreateArray();
    char *s;
    size_t k = 0;
    size_t i;
    int rc;

    for (i = 0; rules != NULL && i < bb_ruleset_count(rs); i++) {
        struct bb_rule_info ri;

        if (!so->o->report_rule[i]) {
            continue;
        }
        bb_ruleset_rule(&ri, rs, i, NULL);
        so->sarif_index[i] = k++;
        cJSON_AddItemToArray(rules, sarif_rule(&ri));
    }
    s = cJSON_PrintUnformatted(rules);
    cJSON_Delete(rules);
    if (s == NULL) {
        return -1;
    }
    rc = fprintf(so->f, "{\"$schema\":\"https://json.schemastore.org/"
                 "sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{"
                 "\"tool\":{\"driver\":{\"name\":\"blackbar\","
                 "\"version\":\"%s\",\"semanticVersion\":\"%s\","
                 "\"rules\":%s}},\"columnKind\":\"unicodeCodePoints\","
                 "\"results\":[\n", BB_VERSION, BB_VERSION, s);
    free(s);
    return rc < 0 ? -1 : 0;
}

int scan_out_new(struct scan_out **out, const struct scan_opts *o, FILE *f)
{
    struct scan_out *so = calloc(1, sizeof(*so));
    int rc = 0;

    if (so == NULL || (so->sarif_index = calloc(
                           bb_ruleset_count(o->rs) + 1, sizeof(size_t))) ==
                          NULL) {
        free(so);
        cli_error("scan", "out of memory");
        return -1;
    }
    so->o = o;
    so->f = f;
    if (o->format == FMT_JSON) {
        rc = fprintf(f, "{\"tool\":\"blackbar\",\"version\":\"%s\","
                     "\"findings\":[\n", BB_VERSION) < 0 ? -1 : 0;
    } else if (o->format == FMT_SARIF) {
        rc = sarif_head(so);
    }
    *out = so;
    return rc;
}

/* A value for a terminal: control bytes escaped. */
static void put_value(FILE *f, const char *v)
{
    for (; *v != '\0'; v++) {
        unsigned char c = (unsigned char)*v;

        if (c == '\n') {
            fputs("\\n", f);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\x%02x", c);
        } else {
            fputc(c, f);
        }
    }
}

static int text_hit(struct scan_out *so, const struct scan_unit *u,
                    const struct scan_hit *h, const struct bb_rule_info *ri)
{
    bool c = so->o->color;

    fprintf(so->f, "%s%s%s:%s%llu:%llu%s: %s%s%s: ", c ? "\033[35m" : "",
            u->path, c ? "\033[0m" : "", c ? "\033[32m" : "",
            (unsigned long long)h->line, (unsigned long long)h->column,
            c ? "\033[0m" : "", c ? "\033[1;31m" : "", ri->id,
            c ? "\033[0m" : "");
    if (h->value != NULL) {
        put_value(so->f, h->value);
    } else {
        fputs(h->masked, so->f);
    }
    if (u->commit != NULL) {
        fprintf(so->f, " (commit %.12s)", u->commit);
    }
    return fputc('\n', so->f) == EOF ? -1 : 0;
}

static cJSON *json_hit(const struct scan_unit *u, const struct scan_hit *h,
                       const struct bb_rule_info *ri)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "path", u->path);
    cJSON_AddNumberToObject(o, "line", (double)h->line);
    cJSON_AddNumberToObject(o, "column", (double)h->column);
    cJSON_AddNumberToObject(o, "end_line", (double)h->end_line);
    cJSON_AddStringToObject(o, "rule", ri->id);
    cJSON_AddStringToObject(o, "type", ri->type);
    cJSON_AddStringToObject(o, "severity", sev_names[ri->severity]);
    cJSON_AddStringToObject(o, "masked", h->masked);
    cJSON_AddStringToObject(o, "fingerprint", h->fp);
    if (u->commit != NULL) {
        cJSON_AddStringToObject(o, "commit", u->commit);
    }
    if (h->value != NULL) {
        cJSON_AddStringToObject(o, "value", h->value);
    }
    return o;
}

static cJSON *sarif_hit(const struct scan_out *so, const struct scan_unit *u,
                        const struct scan_hit *h,
                        const struct bb_rule_info *ri)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *m = cJSON_AddObjectToObject(o, "message");
    cJSON *locs = cJSON_AddArrayToObject(o, "locations");
    cJSON *loc = cJSON_CreateObject();
    cJSON *pl = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON *al = cJSON_AddObjectToObject(pl, "artifactLocation");
    cJSON *rg = cJSON_AddObjectToObject(pl, "region");
    cJSON *fps = cJSON_AddObjectToObject(o, "partialFingerprints");
    char *uri = path_uri(u->path);
    char text[512];

    cJSON_AddItemToArray(locs, loc);
    cJSON_AddStringToObject(o, "ruleId", ri->id);
    cJSON_AddNumberToObject(o, "ruleIndex",
                            (double)so->sarif_index[h->rule]);
    cJSON_AddStringToObject(o, "level", sev_levels[ri->severity]);
    snprintf(text, sizeof(text), "%s: %s", ri->id, h->masked);
    cJSON_AddStringToObject(m, "text", text);
    cJSON_AddStringToObject(al, "uri", uri != NULL ? uri : "");
    free(uri);
    cJSON_AddNumberToObject(rg, "startLine", (double)h->line);
    cJSON_AddNumberToObject(rg, "startColumn", (double)h->column);
    cJSON_AddNumberToObject(rg, "endLine", (double)h->end_line);
    cJSON_AddStringToObject(fps, "blackbarFingerprint/v1", h->fp);
    if (u->commit != NULL || h->value != NULL) {
        cJSON *p = cJSON_AddObjectToObject(o, "properties");

        if (u->commit != NULL) {
            cJSON_AddStringToObject(p, "commit", u->commit);
        }
        if (h->value != NULL) {
            cJSON_AddStringToObject(p, "value", h->value);
        }
    }
    return o;
}

int scan_out_hit(struct scan_out *so, const struct scan_unit *u,
                 const struct scan_hit *h)
{
    struct bb_rule_info ri;
    cJSON *o;
    char *s;
    int rc;

    bb_ruleset_rule(&ri, so->o->rs, h->rule, NULL);
    if (so->o->format == FMT_TEXT) {
        so->n++;
        return text_hit(so, u, h, &ri);
    }
    o = so->o->format == FMT_JSON ? json_hit(u, h, &ri)
                                  : sarif_hit(so, u, h, &ri);
    s = o != NULL ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (s == NULL) {
        cli_error("scan", "out of memory");
        return -1;
    }
    rc = fprintf(so->f, "%s%s", so->n > 0 ? ",\n" : "", s);
    so->n++;
    if (h->value != NULL) {
        explicit_bzero(s, strlen(s));
    }
    free(s);
    return rc < 0 ? -1 : 0;
}

int scan_out_end(struct scan_out *so, const struct scan_summary *sum)
{
    int rc = 0;

    if (so->o->format == FMT_JSON) {
        rc = fprintf(so->f, "%s],\"summary\":{\"files\":%llu,"
                     "\"findings\":%llu,\"baselined\":%llu,"
                     "\"allowed\":%llu,\"skipped_binary\":%llu,"
                     "\"skipped_large\":%llu,\"skipped_symlink\":%llu,"
                     "\"ignored\":%llu,\"unreadable\":%llu}}\n",
                     so->n > 0 ? "\n" : "",
                     (unsigned long long)sum->files,
                     (unsigned long long)sum->findings,
                     (unsigned long long)sum->baselined,
                     (unsigned long long)sum->allowed,
                     (unsigned long long)sum->skipped_binary,
                     (unsigned long long)sum->skipped_large,
                     (unsigned long long)sum->skipped_symlink,
                     (unsigned long long)sum->ignored,
                     (unsigned long long)sum->unreadable);
    } else if (so->o->format == FMT_SARIF) {
        rc = fprintf(so->f, "%s]}]}\n", so->n > 0 ? "\n" : "");
    }
    return rc < 0 ? -1 : 0;
}

void scan_out_free(struct scan_out *so)
{
    if (so != NULL) {
        free(so->sarif_index);
        free(so);
    }
}
