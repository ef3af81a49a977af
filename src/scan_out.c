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
#include "cli_sarif.h"
#include "scan.h"

struct scan_out {
    const struct scan_opts *o;
    FILE *f;
    uint64_t n;
    size_t *sarif_index; /* rule -> index in driver.rules */
};

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
        rc = cli_sarif_head(f, o->rs, o->report_rule, so->sarif_index);
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
    cJSON_AddStringToObject(o, "severity", cli_severity_name(ri->severity));
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
    struct cli_sarif_loc loc = { u->path, h->line, h->column, h->end_line,
                                 NULL };
    cJSON *o = cli_sarif_result(ri, so->sarif_index[h->rule], &loc,
                                h->masked, h->fp);

    if (o != NULL && (u->commit != NULL || h->value != NULL)) {
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
