/*
 * cmd_audit_out.c - the audit report for a reader: plain text drawn
 * from the report's JSON form (counts, days, worst records, errors),
 * and the progress line on a terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_audit.h"

static void section(FILE *f, const char *title, const cJSON *o)
{
    const cJSON *c;

    if (cJSON_GetArraySize(o) == 0) {
        return;
    }
    fprintf(f, "\n%s:\n", title);
    cJSON_ArrayForEach(c, o) {
        fprintf(f, "  %-40s %10llu\n", c->string[0] ? c->string : "(text)",
                (unsigned long long)aud_num(o, c->string));
    }
}

static void types_line(FILE *f, const cJSON *types)
{
    const cJSON *t;
    bool first = true;

    cJSON_ArrayForEach(t, types) {
        fprintf(f, "%s%s %llu", first ? "" : ", ", t->string,
                (unsigned long long)aud_num(types, t->string));
        first = false;
    }
}

int aud_report_text(FILE *f, const cJSON *r)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "totals");
    const cJSON *c;
    const cJSON *e;

    fprintf(f, "blackbar audit: %llu finding%s (%llu distinct value%s) in "
            "%llu of %llu records, %llu file%s, %.1f MB\n",
            (unsigned long long)aud_num(t, "findings"),
            aud_num(t, "findings") == 1 ? "" : "s",
            (unsigned long long)aud_num(t, "distinct"),
            aud_num(t, "distinct") == 1 ? "" : "s",
            (unsigned long long)aud_num(t, "records_with_findings"),
            (unsigned long long)aud_num(t, "records"),
            (unsigned long long)aud_num(t, "files"),
            aud_num(t, "files") == 1 ? "" : "s",
            (double)aud_num(t, "bytes") / 1e6);
    fprintf(f, "  lines that are not JSON (scanned as text): %llu; "
            "errors: %llu\n", (unsigned long long)aud_num(t, "not_json"),
            (unsigned long long)aud_num(t, "errors"));
    section(f, "By type", cJSON_GetObjectItem(r, "by_type"));
    section(f, "By rule", cJSON_GetObjectItem(r, "by_rule"));
    section(f, "By JSON path", cJSON_GetObjectItem(r, "by_path"));
    c = cJSON_GetObjectItem(r, "by_day");
    if (cJSON_GetArraySize(c) > 0) {
        const cJSON *d;

        fputs("\nBy day:\n", f);
        cJSON_ArrayForEach(d, c) {
            fprintf(f, "  %s  ", d->string);
            types_line(f, d);
            fputc('\n', f);
        }
    }
    c = cJSON_GetObjectItem(r, "worst");
    if (cJSON_GetArraySize(c) > 0) {
        fputs("\nRecords with the most findings:\n", f);
        cJSON_ArrayForEach(e, c) {
            const cJSON *file = cJSON_GetObjectItem(e, "file");

            fprintf(f, "  %s:%llu  %llu (", cJSON_GetStringValue(file),
                    (unsigned long long)aud_num(e, "line"),
                    (unsigned long long)aud_num(e, "findings"));
            types_line(f, cJSON_GetObjectItem(e, "types"));
            fputs(")\n", f);
        }
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "files")) {
        const cJSON *file = cJSON_GetObjectItem(c, "file");

        cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "errors")) {
            fprintf(f, "error: %s:%llu: %s\n", cJSON_GetStringValue(file),
                    (unsigned long long)aud_num(e, "line"),
                    cJSON_GetStringValue(cJSON_GetObjectItem(e, "message")));
        }
    }
    return ferror(f) ? -1 : 0;
}

/* SARIF after its results: the errors as notifications of the run. */
int aud_report_sarif_end(FILE *f, const cJSON *r)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "totals");
    cJSON *inv = cJSON_CreateObject();
    cJSON *notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
    const cJSON *file;
    const cJSON *e;
    char *s;
    int rc;

    cJSON_AddBoolToObject(inv, "executionSuccessful",
                          aud_num(t, "errors") == 0);
    cJSON_ArrayForEach(file, cJSON_GetObjectItem(r, "files")) {
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(file, "errors")) {
            cJSON *n = cJSON_CreateObject();
            cJSON *m = cJSON_AddObjectToObject(n, "message");
            cJSON *loc = cJSON_AddArrayToObject(n, "locations");
            cJSON *l = cJSON_CreateObject();
            cJSON *pl = cJSON_AddObjectToObject(l, "physicalLocation");

            cJSON_AddStringToObject(n, "level", "error");
            cJSON_AddStringToObject(m, "text", cJSON_GetStringValue(
                                                   cJSON_GetObjectItem(
                                                       e, "message")));
            cJSON_AddStringToObject(
                cJSON_AddObjectToObject(pl, "artifactLocation"), "uri",
                cJSON_GetStringValue(cJSON_GetObjectItem(file, "file")));
            cJSON_AddNumberToObject(cJSON_AddObjectToObject(pl, "region"),
                                    "startLine", (double)aud_num(e, "line"));
            cJSON_AddItemToArray(loc, l);
            cJSON_AddItemToArray(notes, n);
        }
    }
    s = cJSON_PrintUnformatted(inv);
    cJSON_Delete(inv);
    if (s == NULL) {
        return -1;
    }
    rc = fprintf(f, "\n],\"invocations\":[%s]}]}\n", s) < 0 ? -1 : 0;
    free(s);
    return rc;
}

void aud_progress(uint64_t done, uint64_t total, double started, bool end)
{
    struct timespec ts;
    double now;
    double rate;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    rate = now > started ? (double)done / (now - started) : 0;
    if (total > 0 && done <= total) {
        double eta = rate > 0 ? (double)(total - done) / rate : 0;
        int w = (int)(30.0 * (double)done / (double)total);

        fprintf(stderr, "\r[%-30.*s] %5.1f%%  %.0f MB  %.0f MB/s  ETA %ds ",
                w, "##############################",
                100.0 * (double)done / (double)total, (double)done / 1e6,
                rate / 1e6, (int)eta);
    } else {
        fprintf(stderr, "\r%.0f MB  %.0f MB/s ", (double)done / 1e6,
                rate / 1e6);
    }
    if (end) {
        fputs("\r\033[K", stderr);
    }
}
