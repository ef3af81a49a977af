/*
 * cli_remote.c - remote moderation for `blackbar moderate`: the --remote
 * options, and one check of a scrubbed response against the endpoint,
 * cut into inputs of at most 8000 bytes sent 32 to a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blackbar.h"
#include "cli.h"

#define PIECE_MAX 8000
#define BATCH_MAX 32

int cli_remote_option(struct cli_remote *r, int opt, const char *arg,
                      const char *cmd)
{
    char *end;

    switch (opt) {
    case OPT_REMOTE:
        r->url = arg;
        return 1;
    case OPT_REMOTE_KEY_ENV:
        r->key_env = arg;
        return 1;
    case OPT_REMOTE_MODEL:
        r->model = arg;
        return 1;
    case OPT_REMOTE_TIMEOUT:
        r->timeout_s = strtod(arg, &end);
        if (*end != '\0' || !(r->timeout_s > 0 && r->timeout_s <= 600)) {
            cli_error(cmd, "--remote-timeout %s: want seconds, above 0, at "
                      "most 600", arg);
            return -1;
        }
        return 1;
    case OPT_REMOTE_RETRIES:
        r->retries = strtol(arg, &end, 10);
        if (*end != '\0' || r->retries < 0 || r->retries > 10) {
            cli_error(cmd, "--remote-retries %s: want 0 to 10", arg);
            return -1;
        }
        return 1;
    case OPT_REMOTE_FAIL:
        if (strcmp(arg, "closed") != 0 && strcmp(arg, "open") != 0) {
            cli_error(cmd, "--remote-fail %s: want closed or open", arg);
            return -1;
        }
        r->fail_open = strcmp(arg, "open") == 0;
        return 1;
    default:
        return 0;
    }
}

/* Where to cut text[0, n) before at most PIECE_MAX bytes: after a space
 * if one is near, never inside a UTF-8 sequence. */
static size_t piece_len(const char *t, size_t n)
{
    size_t k = PIECE_MAX;
    size_t i;

    if (n <= PIECE_MAX) {
        return n;
    }
    for (i = k; i > k - 200 && t[i - 1] != ' ' && t[i - 1] != '\n'; i--) {
    }
    k = i > k - 200 ? i : k;
    while (k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80) {
        k--;
    }
    return k;
}

int cli_remote_check(const struct cli_remote *r, struct bb_moderator *m,
                     const char *text, size_t n, struct bb_err *err)
{
    const char *texts[BATCH_MAX];
    size_t lens[BATCH_MAX];
    struct bb_remote_result res[BATCH_MAX];
    struct bb_remote_opts o;
    size_t at = 0;
    int rc = 0;

    memset(&o, 0, sizeof(o));
    o.url = r->url;
    o.api_key = getenv(r->key_env ? r->key_env : "OPENAI_API_KEY");
    o.model = r->model ? r->model : "omni-moderation-latest";
    o.timeout_ms = (long)((r->timeout_s > 0 ? r->timeout_s : 10.0) * 1000);
    o.retries = r->retries >= 0 ? (unsigned)r->retries : 3;
    do {
        size_t k = 0;
        size_t i;

        for (; k < BATCH_MAX && (at < n || (n == 0 && k == 0)); k++) {
            texts[k] = text + at;
            lens[k] = piece_len(text + at, n - at);
            at += lens[k];
        }
        rc = bb_remote_moderate(res, &o, texts, lens, k, err);
        for (i = 0; rc == 0 && i < k; i++) {
            bb_moderator_remote(m, &res[i]);
        }
    } while (rc == 0 && at < n);
    return rc;
}
