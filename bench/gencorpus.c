/*
 * gencorpus.c - writes a deterministic benchmark corpus of exactly --size
 * bytes (prose, log lines, OpenAI-style JSONL requests) with the items of
 * items.c inserted, and a JSONL truth file with the byte span of each one.
 * Owns record layout, escaping and offsets; never reads any input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "items.h"

#define ITEM_GAP 2048u   /* mean bytes between items: 0.5 per KiB */
#define DECOY_GAP 10240u /* mean bytes between decoys: 0.1 per KiB */
#define FLUSH_AT (1u << 20)

enum kind { KIND_PROSE, KIND_LOGS, KIND_JSONL, KIND_MIXED };

struct span {
    size_t off; /* in the buffer the item was written to */
    size_t len;
    const struct items_kind *kind;
    const char *fmt;
};

struct corpus {
    struct gen_rng rng;
    uint64_t pos;       /* corpus bytes committed */
    uint64_t next_item; /* corpus offset at which the next item is due */
    uint64_t next_decoy;
    uint64_t clock_ms;  /* log timestamps */
    struct gen_buf rec; /* record being built */
    struct gen_buf raw; /* JSONL message content before escaping */
    struct gen_buf msg; /* JSON log message before escaping */
    struct gen_buf val; /* item value being made */
    struct span *spans; /* items of the record being built */
    size_t nspans;
    size_t capspans;
    struct gen_buf data;  /* committed corpus not yet written */
    struct gen_buf truth; /* truth lines not yet written */
    FILE *truth_fp;
    bool has_last; /* data ends with a committed record */
};

static const char *const NOUNS[] = {
    "report", "budget", "forecast", "dashboard", "invoice", "contract",
    "proposal", "schedule", "roadmap", "backlog", "release", "deployment",
    "pipeline", "migration", "outage", "incident", "ticket", "customer",
    "vendor", "account", "order", "shipment", "warehouse", "catalog",
    "refund", "payment", "license", "policy", "checklist", "template",
    "draft", "summary", "slide deck", "spreadsheet", "metric", "milestone",
    "deadline", "meeting", "agenda", "workshop", "candidate", "handbook",
    "newsletter", "chapter", "reservation", "itinerary", "flight", "hotel",
    "conference", "laptop", "router", "printer", "server", "cluster",
    "database", "query", "schema", "backup", "snapshot", "bucket"};
static const char *const ADJS[] = {
    "quarterly", "updated", "final", "internal", "urgent", "revised",
    "shared", "new", "old", "detailed", "short", "quick", "careful", "minor",
    "major", "late", "early", "remote", "local", "secure", "stable",
    "broken", "unusual", "cheap"};
static const char *const VPAST[] = {
    "reviewed", "approved", "updated", "shared", "moved", "cancelled",
    "scheduled", "sent", "merged", "deployed", "fixed", "tested", "signed",
    "archived", "booked", "renamed", "exported", "rejected", "postponed"};
static const char *const VBASE[] = {
    "review", "approve", "update", "share", "move", "cancel", "send",
    "merge", "deploy", "fix", "test", "sign", "archive", "book", "rename",
    "export", "check", "confirm"};
static const char *const CITIES[] = {
    "Berlin", "Paris", "London", "Madrid", "Lisbon", "Zürich", "München",
    "Köln", "Montréal", "Austin", "Denver", "Boston", "Seattle", "Toronto",
    "Dublin", "Vienna", "Prague", "Oslo", "Kraków", "Malmö"};
static const char *const MONTHS[] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};
static const char *const HOSTS[] = {
    "web-01", "web-02", "api-03", "db-primary", "db-replica-1", "cache-2",
    "worker-07", "edge-fra-1", "edge-iad-2", "batch-4"};
static const char *const SERVICES[] = {
    "auth", "billing", "orders", "search", "gateway", "payments",
    "notifier", "scheduler", "inventory", "users"};
static const char *const PATHS[] = {
    "/api/v1/orders", "/api/v1/users/me", "/health", "/login",
    "/api/v2/search?q=shoes", "/static/app.js", "/api/v1/payments",
    "/metrics", "/oauth/token", "/api/v1/invoices/export"};
static const char *const STATUS[] = {"200", "200", "200", "201", "204",
                                     "304", "400", "401", "404", "500"};
static const char *const LEVELS[] = {"INFO ", "INFO ", "INFO ", "WARN ",
                                     "ERROR", "DEBUG"};
static const char *const CLASSES[] = {"c.a.OrderController", "c.a.AuthFilter",
                                      "o.h.SQL", "c.a.PaymentService"};
static const char *const PROSE[] = {
    "the %a %n was %v by %F before the %m review.",
    "we %v the %n in %C last %m.",
    "can you check whether the %n is %a?",
    "%F said the %n and the %n were %v on %m %d.",
    "please %b the %a %n before %m %d.",
    "I think the %n needs another %a pass.",
    "thanks, the %n looks %a now.",
    "let me know if the %n from %C is %a enough.",
    "notes: %n, %n and the %a %n.",
    "%F %L will %b the %n by %m %d, then %b the %n.",
    "the %n for %C took %i minutes longer than planned.",
    "\"%a\" is how %F described the %n (version %i.%d)."};
static const char *const LOGMSG[] = {
    "request completed method=GET path=%p status=%t duration_ms=%k",
    "cache miss key=%n:%I ttl=%is",
    "job %n-export finished in %kms rows=%I",
    "health check ok upstream=%h latency_ms=%k",
    "user_id=%I action=%b resource=%n status=ok",
    "worker %h picked up job id=%I trace_id=%x%x",
    "retrying %s call attempt=%d after timeout",
    "slow query took %kms table=%n rows=%I",
    "config reloaded from /etc/%s/config.yaml",
    "upstream %h returned %t in %kms",
    "reason=\"%a %n\" queue=%s depth=%I"};
static const char *const SYSTEM[] = {
    "You are a helpful assistant. Answer concisely.",
    "You are a support agent for an online shop. Be polite and \"brief\".",
    "Summarize the user's text in three bullet points.",
    "You are a senior engineer. Explain the failure.\nBe brief."};

static size_t below(struct corpus *c, size_t n)
{
    return gen_below(&c->rng, n);
}

static const struct items_kind *due(struct corpus *c, size_t local)
{
    uint64_t at = c->pos + local;

    if (at >= c->next_item) {
        c->next_item += 1 + below(c, 2 * ITEM_GAP);
        return items_pick(&c->rng);
    }
    if (at >= c->next_decoy) {
        c->next_decoy += 1 + below(c, 2 * DECOY_GAP);
        return items_pick_decoy(&c->rng);
    }
    return NULL;
}

/* Makes an item of kind k at the end of b and records its span. In log
 * lines a multi-line value is written on one line with "\n" escapes. */
static void put_item(struct corpus *c, struct gen_buf *b,
                     const struct items_kind *k, bool in_log)
{
    size_t off = b->len;
    const char *fmt;
    size_t i;

    c->val.len = 0;
    fmt = k->make(&c->val, &c->rng);
    for (i = 0; i < c->val.len; i++) {
        if (c->val.p[i] == '\n' && in_log) {
            gen_put_s(b, "\\n");
        } else {
            gen_put_c(b, c->val.p[i]);
        }
    }
    if (c->nspans == c->capspans) {
        size_t cap = c->capspans ? 2 * c->capspans : 64;
        struct span *p = realloc(c->spans, cap * sizeof(*p));
        if (p == NULL) {
            gen_die("out of memory");
        }
        c->spans = p;
        c->capspans = cap;
    }
    c->spans[c->nspans].off = off;
    c->spans[c->nspans].len = b->len - off;
    c->spans[c->nspans].kind = k;
    c->spans[c->nspans].fmt = fmt;
    c->nspans++;
}

static void fill(struct corpus *c, struct gen_buf *b, char code)
{
    switch (code) {
    case 'n':
        gen_put_s(b, GEN_PICK(&c->rng, NOUNS));
        break;
    case 'a':
        gen_put_s(b, GEN_PICK(&c->rng, ADJS));
        break;
    case 'v':
        gen_put_s(b, GEN_PICK(&c->rng, VPAST));
        break;
    case 'b':
        gen_put_s(b, GEN_PICK(&c->rng, VBASE));
        break;
    case 'F':
        gen_put_cap(b, items_first_name(&c->rng));
        break;
    case 'L':
        gen_put_cap(b, items_last_name(&c->rng));
        break;
    case 'u':
        gen_put(b, items_first_name(&c->rng), 1);
        gen_put_s(b, items_last_name(&c->rng));
        break;
    case 'C':
        gen_put_s(b, GEN_PICK(&c->rng, CITIES));
        break;
    case 'm':
        gen_put_s(b, GEN_PICK(&c->rng, MONTHS));
        break;
    case 'h':
        gen_put_s(b, GEN_PICK(&c->rng, HOSTS));
        break;
    case 's':
        gen_put_s(b, GEN_PICK(&c->rng, SERVICES));
        break;
    case 'p':
        gen_put_s(b, GEN_PICK(&c->rng, PATHS));
        break;
    case 't':
        gen_put_s(b, GEN_PICK(&c->rng, STATUS));
        break;
    case 'd':
        gen_put_uint(b, 1 + below(c, 28), 0);
        break;
    case 'i':
        gen_put_uint(b, 2 + below(c, 98), 0);
        break;
    case 'I':
        gen_put_uint(b, 10000 + below(c, 99990000), 0);
        break;
    case 'k':
        gen_put_uint(b, 1 + below(c, 9999), 0);
        break;
    case 'x':
        gen_put_rand(b, &c->rng, "0123456789abcdef", 8);
        break;
    default:
        gen_die("bad template code");
    }
}

/* Template t at the end of b; %X is an item of kind k. */
static void expand(struct corpus *c, struct gen_buf *b, const char *t,
                   const struct items_kind *k, bool in_log)
{
    for (;;) {
        const char *q = strchr(t, '%');

        if (q == NULL) {
            gen_put_s(b, t);
            return;
        }
        gen_put(b, t, (size_t)(q - t));
        if (q[1] == 'X' && k != NULL) {
            put_item(c, b, k, in_log);
        } else {
            fill(c, b, q[1]);
        }
        t = q + 2;
    }
}

static const char *pick_tmpl(struct corpus *c, const char *const *t, size_t n)
{
    const char *s = t[below(c, n)];

    return s != NULL ? s : t[0];
}

/* JSON-escapes src onto dst and moves the spans from index k0 on (which
 * all lie in src, in order) to their escaped place in dst. */
static void put_escaped(struct corpus *c, struct gen_buf *dst,
                        const struct gen_buf *src, size_t k0)
{
    size_t at = 0;
    size_t k;

    for (k = k0; k < c->nspans; k++) {
        struct span *s = &c->spans[k];
        size_t off;

        gen_put_json(dst, src->p + at, s->off - at);
        off = dst->len;
        gen_put_json(dst, src->p + s->off, s->len);
        at = s->off + s->len;
        s->off = off;
        s->len = dst->len - off;
    }
    gen_put_json(dst, src->p + at, src->len - at);
}

static void prose_record(struct corpus *c, struct gen_buf *b, size_t target)
{
    size_t start = b->len;

    while (b->len - start < target) {
        size_t at = b->len;
        const struct items_kind *k = due(c, b->len);
        size_t x;

        if (k != NULL) {
            expand(c, b, pick_tmpl(c, k->prose, 3), k, false);
        } else {
            expand(c, b, GEN_PICK(&c->rng, PROSE), NULL, false);
        }
        if (b->p[at] >= 'a' && b->p[at] <= 'z') {
            b->p[at] = (char)(b->p[at] - 'a' + 'A');
        }
        x = below(c, 100);
        gen_put_s(b, x < 75 ? " " : x < 90 ? "\n" : "\n\n");
    }
    while (b->len > start && (b->p[b->len - 1] == ' ' ||
                              b->p[b->len - 1] == '\n')) {
        b->len--;
    }
    gen_put_s(b, "\n\n");
}

/* A JSON log line: {"ts":..,"level":..,"service":..,"msg":".."}. */
static void json_log_line(struct corpus *c, struct gen_buf *b, const char *t,
                          const struct items_kind *k)
{
    static const char *const lv[] = {"info", "info", "info", "warn",
                                     "error", "debug"};
    size_t k0 = c->nspans;

    c->msg.len = 0;
    expand(c, &c->msg, t, k, false);
    gen_put_s(b, "{\"ts\":\"");
    gen_put_time(b, c->clock_ms, GEN_TIME_ISO);
    gen_put_s(b, "\",\"level\":\"");
    gen_put_s(b, GEN_PICK(&c->rng, lv));
    gen_put_s(b, "\",\"service\":\"");
    gen_put_s(b, GEN_PICK(&c->rng, SERVICES));
    gen_put_s(b, "\",\"msg\":\"");
    put_escaped(c, b, &c->msg, k0);
    gen_put_s(b, "\"}\n");
}

/* One log line; style 0 ISO, 1 syslog, 2 Java, 3 JSON. */
static void log_line(struct corpus *c, struct gen_buf *b, size_t style)
{
    const struct items_kind *k = due(c, b->len);
    const char *t = k != NULL ? pick_tmpl(c, k->log, 2)
                              : GEN_PICK(&c->rng, LOGMSG);

    c->clock_ms += below(c, 2500);
    if (style == 3) {
        json_log_line(c, b, t, k);
        return;
    }
    if (style == 1) {
        gen_put_time(b, c->clock_ms, GEN_TIME_SYSLOG);
        gen_put_c(b, ' ');
        gen_put_s(b, GEN_PICK(&c->rng, HOSTS));
        gen_put_c(b, ' ');
        gen_put_s(b, GEN_PICK(&c->rng, SERVICES));
        gen_put_c(b, '[');
        gen_put_uint(b, 100 + below(c, 65000), 0);
        gen_put_s(b, "]: ");
    } else {
        gen_put_time(b, c->clock_ms,
                     style == 0 ? GEN_TIME_ISO : GEN_TIME_LOG4J);
        gen_put_c(b, ' ');
        gen_put_s(b, GEN_PICK(&c->rng, LEVELS));
        gen_put_s(b, style == 0 ? " [" : " [main] ");
        gen_put_s(b, style == 0 ? GEN_PICK(&c->rng, SERVICES)
                                : GEN_PICK(&c->rng, CLASSES));
        gen_put_s(b, style == 0 ? "] " : " - ");
    }
    expand(c, b, t, k, true);
    gen_put_c(b, '\n');
}

static void logs_record(struct corpus *c, struct gen_buf *b, size_t target)
{
    size_t start = b->len;
    size_t style = below(c, 4);

    while (b->len - start < target) {
        log_line(c, b, below(c, 100) < 85 ? style : below(c, 4));
    }
}

/* One OpenAI Responses API request per line; the user message is prose,
 * sometimes with pasted logs, 0.3 to 16 KB before escaping. */
static void jsonl_record(struct corpus *c)
{
    const char *sys = GEN_PICK(&c->rng, SYSTEM);
    size_t target = 300 + below(c, 1200);
    size_t k0 = c->nspans;

    if (below(c, 4) == 0) {
        target += below(c, 14000);
    }
    gen_put_s(&c->rec, "{\"model\":\"gpt-4o-mini\",\"input\":[{\"role\":"
                       "\"system\",\"content\":\"");
    gen_put_json(&c->rec, sys, strlen(sys));
    gen_put_s(&c->rec, "\"},{\"role\":\"user\",\"content\":\"");
    c->raw.len = 0;
    while (c->raw.len < target) {
        size_t left = target - c->raw.len;
        size_t n;

        if (below(c, 100) < 75) {
            n = 200 + below(c, 1000);
            prose_record(c, &c->raw, n < left ? n : left);
        } else {
            n = 300 + below(c, 1200);
            gen_put_s(&c->raw, "Here are the logs:\n");
            logs_record(c, &c->raw, n < left ? n : left);
        }
    }
    while (c->raw.p[c->raw.len - 1] == '\n') {
        c->raw.len--;
    }
    put_escaped(c, &c->rec, &c->raw, k0);
    gen_put_s(&c->rec, "\"}],\"temperature\":0.7,\"max_output_tokens\":400}\n");
}

static const char *build(struct corpus *c, enum kind kind)
{
    c->rec.len = 0;
    c->nspans = 0;
    if (kind == KIND_MIXED) {
        size_t x = below(c, 100);
        kind = x < 40 ? KIND_PROSE : x < 75 ? KIND_LOGS : KIND_JSONL;
    }
    if (kind == KIND_PROSE) {
        prose_record(c, &c->rec, 150 + below(c, 2350));
        return "prose";
    }
    if (kind == KIND_LOGS) {
        logs_record(c, &c->rec, 500 + below(c, 5500));
        return "logs";
    }
    jsonl_record(c);
    return "jsonl";
}

static void flush(struct corpus *c)
{
    if (c->data.len > 0 &&
        fwrite(c->data.p, 1, c->data.len, stdout) != c->data.len) {
        gen_die("write error on stdout");
    }
    c->data.len = 0;
    if (c->truth_fp != NULL && c->truth.len > 0 &&
        fwrite(c->truth.p, 1, c->truth.len, c->truth_fp) != c->truth.len) {
        gen_die("write error on the truth file");
    }
    c->truth.len = 0;
}

/* Same layout as the reference generator (Python json.dumps defaults). */
static void put_truth(struct corpus *c, const struct span *s, const char *ctx)
{
    struct gen_buf *t = &c->truth;

    gen_put_s(t, "{\"off\": ");
    gen_put_uint(t, c->pos + s->off, 0);
    gen_put_s(t, ", \"len\": ");
    gen_put_uint(t, s->len, 0);
    gen_put_s(t, ", \"type\": \"");
    gen_put_s(t, s->kind->name);
    gen_put_s(t, "\", \"fmt\": \"");
    gen_put_s(t, s->fmt);
    gen_put_s(t, "\", \"ctx\": \"");
    gen_put_s(t, ctx);
    gen_put_s(t, "\", \"value\": \"");
    gen_put_json(t, c->rec.p + s->off, s->len);
    gen_put_s(t, s->kind->is_decoy ? "\", \"decoy\": true}\n" : "\"}\n");
}

static void commit(struct corpus *c, const char *ctx)
{
    size_t i;

    if (c->data.len >= FLUSH_AT) {
        flush(c);
    }
    for (i = 0; i < c->nspans && c->truth_fp != NULL; i++) {
        put_truth(c, &c->spans[i], ctx);
    }
    c->has_last = true;
    gen_put(&c->data, c->rec.p, c->rec.len);
    c->pos += c->rec.len;
}

/* Fills the last r bytes: spaces inside the last JSON object (still valid
 * JSON) for --kind jsonl, otherwise nouns and a newline. */
static void pad(struct corpus *c, size_t r, bool jsonl)
{
    struct gen_buf *b = &c->data;

    if (r > 0 && jsonl && c->has_last) {
        gen_reserve(b, r);
        memmove(b->p + b->len - 2 + r, b->p + b->len - 2, 2);
        memset(b->p + b->len - 2, ' ', r);
        b->len += r;
        return;
    }
    while (r > 1) {
        const char *w = GEN_PICK(&c->rng, NOUNS);
        size_t n = strlen(w) < r - 1 ? strlen(w) : r - 1;

        gen_put(b, w, n);
        r -= n;
        if (r > 1) {
            gen_put_c(b, ' ');
            r--;
        }
    }
    if (r == 1) {
        gen_put_c(b, '\n');
    }
}

static int usage(void)
{
    fputs("usage: gencorpus --size N[K|M|G] [--seed S] "
          "[--kind prose|logs|jsonl|mixed] [--truth FILE] > corpus.txt\n",
          stderr);
    return 2;
}

struct opts {
    uint64_t size;
    uint64_t seed;
    enum kind kind;
    const char *truth;
};

static int parse_opts(struct opts *o, int argc, char **argv)
{
    static const char *const kinds[] = {"prose", "logs", "jsonl", "mixed"};
    bool has_size = false;
    int i;

    for (i = 1; i + 1 < argc; i += 2) {
        const char *v = argv[i + 1];
        char *end;
        size_t k = 0;

        if (strcmp(argv[i], "--size") == 0) {
            has_size = gen_parse_size(&o->size, v) == 0;
            if (!has_size) {
                return -1;
            }
        } else if (strcmp(argv[i], "--seed") == 0) {
            o->seed = strtoull(v, &end, 10);
            if (end == v || *end != '\0' || *v == '-') {
                return -1;
            }
        } else if (strcmp(argv[i], "--kind") == 0) {
            while (k < GEN_NELEM(kinds) && strcmp(kinds[k], v) != 0) {
                k++;
            }
            if (k == GEN_NELEM(kinds)) {
                return -1;
            }
            o->kind = (enum kind)k;
        } else if (strcmp(argv[i], "--truth") == 0) {
            o->truth = v;
        } else {
            return -1;
        }
    }
    return i == argc && has_size ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct opts o = {0, 1, KIND_MIXED, NULL};
    struct corpus c;
    const char *ctx;

    if (parse_opts(&o, argc, argv) < 0) {
        return usage();
    }
    memset(&c, 0, sizeof(c));
    if (o.truth != NULL) {
        c.truth_fp = fopen(o.truth, "w");
        if (c.truth_fp == NULL) {
            gen_die("cannot create the truth file");
        }
    }
    gen_seed(&c.rng, o.seed);
    c.next_item = 1 + below(&c, 2 * ITEM_GAP);
    c.next_decoy = 1 + below(&c, 2 * DECOY_GAP);
    c.clock_ms = 1709800000000u + below(&c, 30000000) * (uint64_t)1000;
    for (;;) {
        ctx = build(&c, o.kind);
        if (c.pos + c.rec.len > o.size) {
            break;
        }
        commit(&c, ctx);
    }
    pad(&c, (size_t)(o.size - c.pos), o.kind == KIND_JSONL);
    flush(&c);
    if (fflush(stdout) != 0 ||
        (c.truth_fp != NULL && fclose(c.truth_fp) != 0)) {
        gen_die("write error");
    }
    free(c.rec.p);
    free(c.raw.p);
    free(c.msg.p);
    free(c.val.p);
    free(c.data.p);
    free(c.truth.p);
    free(c.spans);
    return 0;
}
