/*
 * cli_sarif.h - SARIF 2.1.0 pieces shared by scan and audit
 * (cli_sarif.c).
 */
#ifndef BB_CLI_SARIF_H
#define BB_CLI_SARIF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "blackbar.h"

/* Where a result is: a path (relative or absolute), a line, a column
 * (0: none, then no end line either), and a logical location such as a
 * JSON path (NULL or "": none). */
struct cli_sarif_loc {
    const char *path;
    uint64_t line;
    uint64_t column;
    uint64_t end_line;
    const char *logical;
};

/* "low", "medium", "high", "critical". */
const char *cli_severity_name(enum bb_severity s);
/* Write the document up to the opening of "results", the rules that
 * report[] marks; index[rule] gets each one's place in the list. */
int cli_sarif_head(FILE *f, const struct bb_ruleset *rs, const bool *report,
                   size_t *index);
/* One result; NULL when out of memory. The caller closes the document
 * with "]}]}". */
cJSON *cli_sarif_result(const struct bb_rule_info *ri, size_t index,
                        const struct cli_sarif_loc *l, const char *masked,
                        const char *fp);

#endif
