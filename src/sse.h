/*
 * sse.h - the SSE scrubber's internal constructor (restore uses it with
 * its own replacement writer). Private to the library.
 */
#ifndef BB_SSE_H
#define BB_SSE_H

#include "json.h"

int sse_new(struct bb_sse_scrubber **out, const struct bb_ruleset *rs,
            json_apply_fn apply, void *apply_ud, bb_write_fn write,
            void *userdata, struct bb_err *err);

#endif
