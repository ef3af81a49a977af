/*
 * cli_provider.c - the error shapes of the model APIs (DESIGN §6):
 * OpenAI {"error":{message,type,param,code}}, Anthropic
 * {"type":"error","error":{type,message}}, Gemini
 * {"error":{code,message,status}}; and the stream event each SDK turns
 * into an API error.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_provider.h"

enum provider prov_of_path(const char *path)
{
    if (path == NULL) {
        return P_CHAT;
    }
    if (strstr(path, "/v1beta/") != NULL ||
        strstr(path, ":generateContent") != NULL ||
        strstr(path, ":streamGenerateContent") != NULL) {
        return P_GEMINI;
    }
    if (strstr(path, "/messages") != NULL) {
        return P_ANTHROPIC;
    }
    if (strstr(path, "/responses") != NULL) {
        return P_RESPONSES;
    }
    return P_CHAT;
}

bool prov_is_anthropic(const char *p, size_t n)
{
    cJSON *o = cJSON_ParseWithLength(p ? p : "", n);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
    bool yes = cJSON_IsString(t) && strcmp(t->valuestring, "message") == 0;

    cJSON_Delete(o);
    return yes;
}

/* message as the inside of a JSON string (cut to fit). */
static void escape(char *out, size_t n, const char *s)
{
    size_t k = 0;

    for (; *s != '\0' && k + 7 < n; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            out[k++] = '\\';
            out[k++] = (char)c;
        } else if (c < 0x20) {
            k += (size_t)snprintf(out + k, n - k, "\\u%04x", c);
        } else {
            out[k++] = (char)c;
        }
    }
    out[k] = '\0';
}

static const char *openai_type(int status)
{
    switch (status) {
    case 401:
        return "authentication_error";
    case 403:
        return "permission_error";
    case 404:
        return "not_found_error";
    case 413:
        return "request_too_large";
    case 429:
        return "rate_limit_error";
    default:
        return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

static const char *gemini_status(int status)
{
    switch (status) {
    case 404:
        return "NOT_FOUND";
    case 429:
        return "RESOURCE_EXHAUSTED";
    case 503:
        return "UNAVAILABLE";
    case 504:
        return "DEADLINE_EXCEEDED";
    default:
        return status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
    }
}

static const char *openai_code(int status, const char *message)
{
    if (strstr(message, "blocked by blackbar") != NULL) {
        return "\"content_blocked\"";
    }
    return status == 502   ? "\"upstream_unavailable\""
           : status == 504 ? "\"upstream_timeout\""
                           : "null";
}

size_t prov_error_json(char *buf, size_t n, enum provider p, int status,
                       const char *message)
{
    char m[512];
    int k;

    escape(m, sizeof(m), message);
    if (p == P_ANTHROPIC) {
        k = snprintf(buf, n, "{\"type\":\"error\",\"error\":{\"type\":\"%s\","
                     "\"message\":\"%s\"}}\n",
                     status == 529 ? "overloaded_error" : openai_type(status),
                     m);
    } else if (p == P_GEMINI) {
        k = snprintf(buf, n, "{\"error\":{\"code\":%d,\"message\":\"%s\","
                     "\"status\":\"%s\"}}\n", status, m,
                     gemini_status(status));
    } else {
        k = snprintf(buf, n, "{\"error\":{\"message\":\"%s\",\"type\":\"%s\","
                     "\"param\":null,\"code\":%s}}\n", m,
                     openai_type(status), openai_code(status, message));
    }
    return k < 0 ? 0 : (size_t)k < n ? (size_t)k : n - 1;
}

size_t prov_error_event(char *buf, size_t n, enum provider p, int status,
                        const char *message)
{
    const char *type = openai_type(status);
    const char *code = openai_code(status, message);
    char m[512];
    int k;

    escape(m, sizeof(m), message);
    if (p == P_ANTHROPIC) {
        k = snprintf(buf, n, "event: error\ndata: {\"type\":\"error\","
                     "\"error\":{\"type\":\"%s\",\"message\":\"%s\"}}\n\n",
                     type, m);
    } else if (p == P_RESPONSES) {
        k = snprintf(buf, n, "event: error\ndata: {\"type\":\"error\","
                     "\"code\":%s,\"message\":\"%s\",\"param\":null}\n\n",
                     strcmp(code, "null") == 0 ? "\"api_error\"" : code, m);
    } else if (p == P_GEMINI) {
        k = snprintf(buf, n, "data: {\"error\":{\"code\":%d,\"message\":"
                     "\"%s\",\"status\":\"%s\"}}\n\n", status, m,
                     gemini_status(status));
    } else {
        k = snprintf(buf, n, "data: {\"error\":{\"message\":\"%s\","
                     "\"type\":\"%s\",\"param\":null,\"code\":%s}}\n\n", m,
                     type, code);
    }
    return k < 0 ? 0 : (size_t)k < n ? (size_t)k : n - 1;
}

void prov_block_message(char *buf, size_t n, const char *what,
                        const char *label, const char *name)
{
    snprintf(buf, n, "The %s was blocked by blackbar (%s: %s).", what,
             label, name ? name : "?");
}
