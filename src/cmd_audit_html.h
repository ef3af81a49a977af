/*
 * cmd_audit_html.h - blackbar audit's HTML report writer (the CLI's
 * --report html; tests/tools/bbhtml.c drives it alone).
 */
#ifndef BB_CMD_AUDIT_HTML_H
#define BB_CMD_AUDIT_HTML_H

#include <stdio.h>

#include <cjson/cJSON.h>

/*
 * Write the audit report (the object `blackbar audit --report json`
 * prints; "fingerprints" is not used and may be absent) to f as one
 * self-contained HTML5 page: inline CSS and SVG, no script, nothing
 * loaded from anywhere. Strings from the report are escaped; missing or
 * mistyped members count as empty. Returns 0, or -1 on a write error.
 */
int audit_html_write(FILE *f, const cJSON *report);

#endif
