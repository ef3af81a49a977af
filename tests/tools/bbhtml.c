/*
 * bbhtml.c - test driver: render a blackbar audit report (the JSON of
 * --report json) as the HTML report, through audit_html_write alone.
 *
 *   bbhtml REPORT.json > report.html
 *
 * Exits 0, 1 if the report cannot be read or is not a JSON object, 2 on
 * a write error.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "cmd_audit_html.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t n = 0;
    size_t cap = 0;
    size_t got;

    if (f == NULL) {
        return NULL;
    }
    do {
        char *q;

        if (cap - n < 4096) {
            cap = cap * 2 + 8192;
            q = realloc(p, cap);
            if (q == NULL) {
                free(p);
                fclose(f);
                return NULL;
            }
            p = q;
        }
        got = fread(p + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    p[n] = '\0';
    return p;
}

int main(int argc, char **argv)
{
    char *text;
    cJSON *report;
    int rc = 0;

    if (argc != 2) {
        fputs("usage: bbhtml REPORT.json\n", stderr);
        return 1;
    }
    text = slurp(argv[1]);
    report = text != NULL ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsObject(report)) {
        fprintf(stderr, "bbhtml: %s: cannot read a JSON object\n", argv[1]);
        cJSON_Delete(report);
        return 1;
    }
    if (audit_html_write(stdout, report) < 0) {
        fputs("bbhtml: write error\n", stderr);
        rc = 2;
    }
    cJSON_Delete(report);
    return rc;
}
