/*
 * proxy_conf.c - the settings of `blackbar proxy`: defaults, a --config
 * FILE (a JSON object whose keys are the long flags' names, e.g.
 * {"listen": "127.0.0.1:8787", "upstream": ["https://api.openai.com",
 * "/anthropic=https://api.anthropic.com"], "pass": ["GET /v1/models"]}),
 * and the flags, which come after and win.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "proxy.h"

void proxy_conf_defaults(struct proxy_conf *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->host, sizeof(c->host), "127.0.0.1");
    c->port = 8787;
    c->max_body = (size_t)32 << 20;
    c->timeout_s = 600;
    c->retries = 2;
    c->concurrency = 64;
    c->queue_timeout_s = 30;
    c->max_conns = 1024;
    c->conv_ttl_s = 3600;
    c->conv_max = 1024;
    c->drain_s = 30;
}

int proxy_conf_listen(struct proxy_conf *c, const char *arg)
{
    const char *colon = strrchr(arg, ':');
    char *end;
    unsigned long port;

    if (colon == NULL || (size_t)(colon - arg) >= sizeof(c->host) ||
        colon == arg) {
        cli_error("proxy", "bad --listen %s (want HOST:PORT)", arg);
        return -1;
    }
    port = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || colon[1] == '\0' || port > 65535) {
        cli_error("proxy", "bad port in --listen %s", arg);
        return -1;
    }
    snprintf(c->host, sizeof(c->host), "%.*s", (int)(colon - arg), arg);
    c->port = (unsigned)port;
    return 0;
}

/* URL, or /PREFIX=URL. */
int proxy_conf_upstream(struct proxy_conf *c, const char *arg)
{
    struct proxy_upstream *u;
    const char *url = arg;
    const char *eq = strchr(arg, '=');
    size_t n;

    char prefix[sizeof(c->up[0].prefix)] = "";
    size_t i;

    if (arg[0] == '/' && eq != NULL) {
        if ((size_t)(eq - arg) >= sizeof(prefix) || eq - arg < 2) {
            cli_error("proxy", "bad prefix in --upstream %s", arg);
            return -1;
        }
        snprintf(prefix, sizeof(prefix), "%.*s", (int)(eq - arg), arg);
        url = eq + 1;
    }
    /* a later one for the same prefix (a flag after --config) wins */
    for (i = 0; i < c->nup && strcmp(c->up[i].prefix, prefix) != 0; i++) {
    }
    if (i == PROXY_MAX_UPSTREAMS) {
        cli_error("proxy", "at most %d upstreams", PROXY_MAX_UPSTREAMS);
        return -1;
    }
    u = &c->up[i];
    memset(u, 0, sizeof(*u));
    memcpy(u->prefix, prefix, sizeof(prefix));
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        cli_error("proxy", "bad --upstream %s (want http(s)://HOST, or "
                  "/PREFIX=URL)", arg);
        return -1;
    }
    n = strlen(url);
    while (n > 0 && url[n - 1] == '/') {
        n--;
    }
    if (n >= sizeof(u->url)) {
        cli_error("proxy", "--upstream %s is too long", arg);
        return -1;
    }
    memcpy(u->url, url, n);
    u->url[n] = '\0';
    c->nup += i == c->nup;
    return 0;
}

int proxy_conf_pass(struct proxy_conf *c, const char *arg)
{
    if (c->npass == PROXY_MAX_PASS || strlen(arg) >= sizeof(c->pass[0]) ||
        strchr(arg, '/') == NULL) {
        cli_error("proxy", "bad --pass %s (want [METHOD ]/PATH; at most "
                  "%d)", arg, PROXY_MAX_PASS);
        return -1;
    }
    snprintf(c->pass[c->npass++], sizeof(c->pass[0]), "%s", arg);
    return 0;
}

static int number(const cJSON *o, const char *key, double lo, double hi,
                  double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (v == NULL) {
        return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi) {
        cli_error("proxy", "config: \"%s\" must be a number from %g to %g",
                  key, lo, hi);
        return -1;
    }
    *out = v->valuedouble;
    return 1;
}

static int strings(const cJSON *o, const char *key, struct proxy_conf *c,
                   int (*add)(struct proxy_conf *, const char *))
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    const cJSON *e;

    if (v == NULL) {
        return 0;
    }
    if (cJSON_IsString(v)) {
        return add(c, v->valuestring);
    }
    if (!cJSON_IsArray(v)) {
        cli_error("proxy", "config: \"%s\" must be a string or a list", key);
        return -1;
    }
    cJSON_ArrayForEach(e, v) {
        if (!cJSON_IsString(e) || add(c, e->valuestring) < 0) {
            cli_error("proxy", "config: bad entry in \"%s\"", key);
            return -1;
        }
    }
    return 0;
}

static int add_rules(struct proxy_conf *c, const char *path)
{
    size_t i = c->rules.n_paths;

    if (i == sizeof(c->rule_paths) / sizeof(c->rule_paths[0]) ||
        strlen(path) >= sizeof(c->rule_paths[0])) {
        return -1;
    }
    snprintf(c->rule_paths[i], sizeof(c->rule_paths[0]), "%s", path);
    c->rules.paths[c->rules.n_paths++] = c->rule_paths[i];
    return 0;
}

static int path_key(const cJSON *o, const char *key, char *buf, size_t n,
                    const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (v == NULL) {
        return 0;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= n) {
        cli_error("proxy", "config: \"%s\" must be a path", key);
        return -1;
    }
    snprintf(buf, n, "%s", v->valuestring);
    *out = buf;
    return 0;
}

static int apply(struct proxy_conf *c, const cJSON *o)
{
    static const char *const known[] = {
        "listen", "upstream", "pass", "rules", "no-default-rules", "audit",
        "audit-key-file", "max-body", "timeout", "retries", "concurrency",
        "queue-timeout", "max-connections", "conversation-ttl",
        "conversation-max", "drain-timeout",
    };
    const cJSON *e;
    const cJSON *v;
    double d;
    int rc = 0;

    cJSON_ArrayForEach(e, o) {
        size_t i;

        for (i = 0; i < sizeof(known) / sizeof(*known) &&
                    strcmp(known[i], e->string) != 0;
             i++) {
        }
        if (i == sizeof(known) / sizeof(*known)) {
            cli_error("proxy", "config: unknown key \"%s\"", e->string);
            return -1;
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(o, "listen");
    if (v != NULL && (!cJSON_IsString(v) ||
                      proxy_conf_listen(c, v->valuestring) < 0)) {
        return -1;
    }
    v = cJSON_GetObjectItemCaseSensitive(o, "no-default-rules");
    c->rules.no_default = c->rules.no_default || cJSON_IsTrue(v);
    rc = rc < 0 ? rc : strings(o, "upstream", c, proxy_conf_upstream);
    rc = rc < 0 ? rc : strings(o, "pass", c, proxy_conf_pass);
    rc = rc < 0 ? rc : strings(o, "rules", c, add_rules);
    rc = rc < 0 ? rc : path_key(o, "audit", c->audit_buf,
                                sizeof(c->audit_buf), &c->audit);
    rc = rc < 0 ? rc : path_key(o, "audit-key-file", c->audit_key_buf,
                                sizeof(c->audit_key_buf), &c->audit_key);
    if (rc >= 0 && (rc = number(o, "max-body", 1, 1 << 30, &d)) > 0) {
        c->max_body = (size_t)d;
    }
    if (rc >= 0 && (rc = number(o, "timeout", 1, 86400, &d)) > 0) {
        c->timeout_s = (long)d;
    }
    if (rc >= 0 && (rc = number(o, "retries", 0, 10, &d)) > 0) {
        c->retries = (unsigned)d;
    }
    if (rc >= 0 && (rc = number(o, "concurrency", 1, 4096, &d)) > 0) {
        c->concurrency = (unsigned)d;
    }
    if (rc >= 0 && (rc = number(o, "queue-timeout", 0, 3600, &d)) > 0) {
        c->queue_timeout_s = (long)d;
    }
    if (rc >= 0 && (rc = number(o, "max-connections", 1, 65536, &d)) > 0) {
        c->max_conns = (unsigned)d;
    }
    if (rc >= 0 && (rc = number(o, "conversation-ttl", 1, 604800, &d)) > 0) {
        c->conv_ttl_s = (long)d;
    }
    if (rc >= 0 && (rc = number(o, "conversation-max", 0, 1 << 20, &d)) > 0) {
        c->conv_max = (unsigned)d;
    }
    if (rc >= 0 && (rc = number(o, "drain-timeout", 0, 3600, &d)) > 0) {
        c->drain_s = (long)d;
    }
    return rc < 0 ? -1 : 0;
}

int proxy_conf_file(struct proxy_conf *c, const char *path)
{
    size_t n = 0;
    char *text = cli_read_file(path, 1 << 20, &n, "proxy");
    cJSON *o;
    int rc;

    if (text == NULL) {
        return -1;
    }
    o = cJSON_ParseWithLength(text, n);
    if (!cJSON_IsObject(o)) {
        cli_error("proxy", "%s: not a JSON object", path);
        rc = -1;
    } else {
        rc = apply(c, o);
        if (rc < 0) {
            cli_error("proxy", "%s: the config was not used", path);
        }
    }
    cJSON_Delete(o);
    cli_free_file(text, n);
    return rc;
}
