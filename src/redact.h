/*
 * redact.h - internal parts of the redactor shared with the scrubbers:
 * escaping of placeholder-shaped input text.
 */
#ifndef BB_REDACT_H
#define BB_REDACT_H

/* The id of the internal rule that escapes placeholder-shaped text. */
#define REDACT_ESCAPE_RULE "placeholder-escape"

#endif
