/*
 * json.h - the JSON scrubber's internal constructor: any function may
 * write the replacement of a finding (restore puts values back through
 * it). Private to the library.
 */
#ifndef BB_JSON_H
#define BB_JSON_H

#include <stdbool.h>

#include "blackbar.h"

typedef int (*json_apply_fn)(void *ud, const struct bb_finding *f,
                             bb_write_fn write, void *wud,
                             struct bb_err *err);

/* Write s[0, n) through write as the body of a JSON string: '"' and
 * '\\' escaped, control bytes as \\u00XX, everything else as it is.
 * 0, or -1 when write fails. */
int json_escape(const char *s, size_t n, bb_write_fn write, void *ud);

int json_new(struct bb_json_scrubber **out, const struct bb_ruleset *rs,
             json_apply_fn apply, void *apply_ud, bool lines,
             bb_write_fn write, void *userdata, struct bb_err *err);

#endif
