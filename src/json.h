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

/* Write s[0, n) through write as the body of a JSON string, escaped as
 * most encoders do: '"', '\', \b \f \n \r \t, other control
 * bytes as \u00XX, everything else (UTF-8 too) as it is. 0, or -1 when
 * write fails. */
int json_escape(const char *s, size_t n, bb_write_fn write, void *ud);

/* A diverted value's decoded text: write (JSON-escaping on its way)
 * what replaces it and return 0, or write nothing and return 1 to keep
 * the value as it was, escapes and all. */
typedef int (*json_divert_fn)(void *ud, const char *text, size_t n,
                              bb_write_fn write, void *wud,
                              struct bb_err *err);

/* String values at path (exactly, "choices[0].delta.content") are not
 * scrubbed but held whole (up to 8 MiB; a longer one is scrubbed as
 * usual) and handed to fn when they end. For the records fed after the
 * call, until json_divert_clear(). */
int json_divert(struct bb_json_scrubber *j, const char *path,
                json_divert_fn fn, void *ud, struct bb_err *err);
void json_divert_clear(struct bb_json_scrubber *j);

int json_new(struct bb_json_scrubber **out, const struct bb_ruleset *rs,
             json_apply_fn apply, void *apply_ud, bool lines,
             bb_write_fn write, void *userdata, struct bb_err *err);

#endif
