/*
 * cli_sarif.c - SARIF 2.1.0 for scan and audit: the document's head with
 * the rules of the packs (id, description, level, security-severity for
 * code scanning) and one result for a finding, its value masked.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_sarif.h"

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

const char *cli_severity_name(enum bb_severity s)
{
    return sev_names[s];
}

int cli_sarif_head(FILE *f, const struct bb_ruleset *rs, const bool *report,
                   size_t *index)
{
    cJSON *rules = cJSON_CreateArray();
    char *s;
    size_t k = 0;
    size_t i;
    int rc;

    for (i = 0; rules != NULL && i < bb_ruleset_count(rs); i++) {
        struct bb_rule_info ri;

        if (!report[i]) {
            continue;
        }
        bb_ruleset_rule(&ri, rs, i, NULL);
        index[i] = k++;
        cJSON_AddItemToArray(rules, sarif_rule(&ri));
    }
    s = cJSON_PrintUnformatted(rules);
    cJSON_Delete(rules);
    if (s == NULL) {
        return -1;
    }
    rc = fprintf(f, "{\"$schema\":\"https://json.schemastore.org/"
                 "sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{"
                 "\"tool\":{\"driver\":{\"name\":\"blackbar\","
                 "\"version\":\"%s\",\"semanticVersion\":\"%s\","
                 "\"rules\":%s}},\"columnKind\":\"unicodeCodePoints\","
                 "\"results\":[\n", BB_VERSION, BB_VERSION, s);
    free(s);
    return rc < 0 ? -1 : 0;
}

cJSON *cli_sarif_result(const struct bb_rule_info *ri, size_t index,
                        const struct cli_sarif_loc *l, const char *masked,
                        const char *fp)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *m = cJSON_AddObjectToObject(o, "message");
    cJSON *locs = cJSON_AddArrayToObject(o, "locations");
    cJSON *loc = cJSON_CreateObject();
    cJSON *pl = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON *al = cJSON_AddObjectToObject(pl, "artifactLocation");
    cJSON *rg = cJSON_AddObjectToObject(pl, "region");
    cJSON *fps = cJSON_AddObjectToObject(o, "partialFingerprints");
    char *uri = path_uri(l->path);
    char text[512];

    cJSON_AddItemToArray(locs, loc);
    cJSON_AddStringToObject(o, "ruleId", ri->id);
    cJSON_AddNumberToObject(o, "ruleIndex", (double)index);
    cJSON_AddStringToObject(o, "level", sev_levels[ri->severity]);
    snprintf(text, sizeof(text), "%s: %s", ri->id, masked);
    cJSON_AddStringToObject(m, "text", text);
    cJSON_AddStringToObject(al, "uri", uri != NULL ? uri : "");
    free(uri);
    cJSON_AddNumberToObject(rg, "startLine", (double)l->line);
    if (l->column > 0) {
        cJSON_AddNumberToObject(rg, "startColumn", (double)l->column);
        cJSON_AddNumberToObject(rg, "endLine", (double)l->end_line);
    }
    if (l->logical != NULL && l->logical[0] != '\0') {
        cJSON *ll = cJSON_AddArrayToObject(loc, "logicalLocations");
        cJSON *x = cJSON_CreateObject();

        cJSON_AddStringToObject(x, "fullyQualifiedName", l->logical);
        cJSON_AddStringToObject(x, "kind", "member");
        cJSON_AddItemToArray(ll, x);
    }
    cJSON_AddStringToObject(fps, "blackbarFingerprint/v1", fp);
    return o;
}
