/*
 * cli_provider.h - what `send` and `proxy` know of each model API: its
 * error shapes (a whole JSON body and one stream event), so that SDKs
 * raise their own API error for anything blackbar refuses.
 */
#ifndef BB_CLI_PROVIDER_H
#define BB_CLI_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

enum provider {
    P_CHAT,      /* OpenAI Chat Completions (and Azure OpenAI) */
    P_RESPONSES, /* OpenAI Responses */
    P_ANTHROPIC, /* Anthropic Messages */
    P_GEMINI     /* Google Gemini generateContent */
};

/* The provider a request path or URL is for. */
enum provider prov_of_path(const char *path);

/* Is the JSON document an Anthropic message ({"type":"message"})? */
bool prov_is_anthropic(const char *p, size_t n);

/* The provider's error body for an HTTP status (a JSON document and a
 * newline) into buf; message is plain text (escaped here). Returns the
 * length. */
size_t prov_error_json(char *buf, size_t n, enum provider p, int status,
                       const char *message);
/* One stream event that SDKs read as an API error, into buf: status 400
 * for a block, 5xx for a failure. */
size_t prov_error_event(char *buf, size_t n, enum provider p, int status,
                        const char *message);
/* "The WHAT was blocked by blackbar (LABEL: NAME)." */
void prov_block_message(char *buf, size_t n, const char *what,
                        const char *label, const char *name);

#endif
