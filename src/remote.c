/*
 * remote.c - remote moderation: an OpenAI-compatible /v1/moderations
 * endpoint over libcurl. Texts (already scrubbed by the caller) go as
 * one request of inputs; the answer's per-input flags and category
 * scores come back. Connection errors, timeouts, 429 and 5xx are retried
 * with exponential backoff and jitter; anything else that is not a well
 * formed answer is an error (the caller fails closed or open).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "core.h"

#define ANSWER_MAX ((size_t)8 << 20)

static const char *const categories[] = {
    "harassment", "harassment/threatening", "hate", "hate/threatening",
    "illicit", "illicit/violent", "self-harm", "self-harm/intent",
    "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic", NULL
};

const char *const *bb_moderation_categories(void)
{
    return categories;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode init_rc;

static void global_init(void)
{
    init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct answer {
    char *p;
    size_t n, cap;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct answer *a = ud;
    size_t len = size * nmemb;
    struct bb_err err;

    if (a->n + len > ANSWER_MAX ||
        bb_grow((void **)&a->p, &a->cap, a->n + len + 1, 1, &err) < 0) {
        return 0; /* too big, or no memory: the transfer fails */
    }
    memcpy(a->p + a->n, data, len);
    a->n += len;
    a->p[a->n] = '\0';
    return len;
}

/* The request body: {"model":...,"input":[...]}; NUL bytes become
 * spaces so that no text is cut short. */
static char *body_of(const struct bb_remote_opts *o,
                     const char *const *texts, const size_t *lens, size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *in = cJSON_AddArrayToObject(root, "input");
    char *s = NULL;
    size_t i;
    size_t k;
    bool ok = in != NULL;

    if (ok && o->model != NULL) {
        ok = cJSON_AddStringToObject(root, "model", o->model) != NULL;
    }
    for (i = 0; ok && i < n; i++) {
        char *t = bb_malloc(lens[i] + 1);

        ok = t != NULL;
        if (ok) {
            for (k = 0; k < lens[i]; k++) {
                t[k] = texts[i][k] == '\0' ? ' ' : texts[i][k];
            }
            t[lens[i]] = '\0';
            ok = cJSON_AddItemToArray(in, cJSON_CreateString(t));
            bb_wipe(t, lens[i]);
            bb_free(t);
        }
    }
    if (ok) {
        s = cJSON_PrintUnformatted(root);
    }
    cJSON_Delete(root);
    return s;
}

/* Read the answer into r[0, n); 0, or BB_EINPUT when it is not the
 * shape of an OpenAI moderation answer for n inputs. */
static int parse_answer(struct bb_remote_result *r, size_t n,
                        const char *body, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "results");
    const cJSON *item;
    size_t i = 0;
    int rc = cJSON_IsArray(res) && (size_t)cJSON_GetArraySize(res) == n
                 ? 0
                 : BB_EINPUT;

    if (rc < 0) {
        res = NULL;
    }
    cJSON_ArrayForEach(item, res) {
        const cJSON *fl = cJSON_GetObjectItemCaseSensitive(item, "flagged");
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(item,
                                                           "category_scores");
        const cJSON *ca = cJSON_GetObjectItemCaseSensitive(item, "categories");
        size_t c;

        if (!cJSON_IsBool(fl) || !cJSON_IsObject(sc) || !cJSON_IsObject(ca)) {
            rc = BB_EINPUT;
            break;
        }
        memset(&r[i], 0, sizeof(r[i]));
        r[i].flagged = cJSON_IsTrue(fl);
        for (c = 0; categories[c] != NULL; c++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(sc,
                                                              categories[c]);
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(ca,
                                                              categories[c]);

            if (v != NULL && !cJSON_IsNumber(v)) {
                rc = BB_EINPUT;
            }
            r[i].scores[c] = cJSON_IsNumber(v) ? v->valuedouble : 0.0;
            r[i].categories[c] = cJSON_IsTrue(b);
        }
        i++;
    }
    cJSON_Delete(root);
    return rc;
}

static void pause_ms(unsigned ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* One attempt: 0 with the answer, 1 to retry, or an error. */
static int attempt(CURL *c, struct answer *a, long *status, char *why,
                   size_t whylen)
{
    CURLcode cc;

    a->n = 0;
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        snprintf(why, whylen, "%s", curl_easy_strerror(cc));
        return cc == CURLE_WRITE_ERROR ? BB_ELIMIT : 1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (*status == 429 || *status >= 500) {
        snprintf(why, whylen, "HTTP %ld", *status);
        return 1;
    }
    if (*status != 200) {
        snprintf(why, whylen, "HTTP %ld", *status);
        return BB_EIO;
    }
    return 0;
}

int bb_remote_moderate(struct bb_remote_result *results,
                       const struct bb_remote_opts *o,
                       const char *const *texts, const size_t *lens, size_t n,
                       struct bb_err *err)
{
    struct answer a = { NULL, 0, 0 };
    struct curl_slist *h = NULL;
    char auth[512];
    char why[CURL_ERROR_SIZE + 32] = "";
    char *body;
    CURL *c;
    long status = 0;
    unsigned tries;
    unsigned wait = o->backoff_ms ? o->backoff_ms : 200;
    int rc = 1;

    if (o->url == NULL || n == 0) {
        return bb_seterr(err, BB_EINVAL, "remote moderation needs a URL and "
                         "at least one input");
    }
    pthread_once(&once, global_init);
    if (init_rc != CURLE_OK) {
        return bb_seterr(err, BB_EIO, "libcurl: %s",
                         curl_easy_strerror(init_rc));
    }
    body = body_of(o, texts, lens, n);
    c = body ? curl_easy_init() : NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    if (o->api_key != NULL && h != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->api_key);
        h = curl_slist_append(h, auth);
        bb_wipe(auth, sizeof(auth));
    }
    if (body == NULL || c == NULL || h == NULL) {
        rc = bb_seterr(err, BB_ENOMEM, "out of memory");
    } else {
        curl_easy_setopt(c, CURLOPT_URL, o->url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                         o->timeout_ms > 0 ? o->timeout_ms : 10000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    }
    for (tries = 0; rc == 1; tries++) {
        rc = attempt(c, &a, &status, why, sizeof(why));
        if (rc == 1 && tries < o->retries) {
            unsigned jitter = 0;

            if (getrandom(&jitter, sizeof(jitter), 0) < 0) {
                jitter = 0;
            }
            pause_ms(wait + jitter % (wait / 2 + 1));
            wait = wait < 8000 ? wait * 2 : wait;
        } else if (rc == 1) {
            break;
        }
    }
    if (rc == 1) {
        rc = bb_seterr(err, BB_EIO, "remote moderation: %s (after %u "
                       "tries)", why, tries + 1);
    } else if (rc == BB_EIO) {
        rc = bb_seterr(err, BB_EIO, "remote moderation: %s", why);
    } else if (rc == BB_ELIMIT) {
        rc = bb_seterr(err, BB_ELIMIT, "remote moderation: an answer over "
                       "8 MiB");
    }
    if (rc == 0 && parse_answer(results, n, a.p ? a.p : "", a.n) < 0) {
        rc = bb_seterr(err, BB_EINPUT, "remote moderation: the answer is "
                       "not a moderation result for %zu inputs", n);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (body != NULL) {
        bb_wipe(body, strlen(body));
    }
    cJSON_free(body);
    bb_free(a.p);
    return rc;
}
