/*
 * blackbar.h - the public API of libblackbar: rule packs, the streaming
 * matcher and the text scrubber. Every public symbol is declared here.
 *
 * Conventions: a fallible function returns 0 or a negative BB_E* code and,
 * when err is non-NULL, fills it with the code and one line of text that
 * never contains input bytes. bb_x_new() writes *out only on success;
 * bb_x_free() accepts NULL. Pointers returned as const are borrowed.
 */
#ifndef BB_BLACKBAR_H
#define BB_BLACKBAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BB_VERSION "0.1.0"

/* Error codes. Append only, never renumber. */
enum bb_code {
    BB_OK = 0,
    BB_ENOMEM = -1,  /* allocation failed */
    BB_EINVAL = -2,  /* bad argument or option */
    BB_ERULE = -3,   /* bad rule pack or rule */
    BB_EIO = -4,     /* read or write failed */
    BB_ELIMIT = -5,  /* a size, match or hold limit was reached */
    BB_EMATCH = -6,  /* the regex engine failed (match/depth/heap limit) */
    BB_ESTATE = -7,  /* call not allowed now (stream failed or finished) */
    BB_EINPUT = -8,  /* input that cannot be processed safely */
    BB_ESTOP = -9    /* a finding observer stopped the stream (a block) */
};

struct bb_err {
    int code;
    char msg[256];
};

/* Static, lowercase name of an error code ("out of memory", ...). */
const char *bb_strerror(int code);

/* ------------------------------------------------------------------ */
/* Rules                                                               */

enum bb_action {
    BB_ACTION_REDACT = 0,
    BB_ACTION_FLAG = 1,
    BB_ACTION_BLOCK = 2,
    BB_ACTION_GATE = 3 /* never reported: limits where other rules run */
};

enum bb_severity {
    BB_SEV_LOW = 0,
    BB_SEV_MEDIUM = 1,
    BB_SEV_HIGH = 2,
    BB_SEV_CRITICAL = 3
};

/* A read-only view of one loaded rule. Strings are borrowed from the
 * ruleset and live as long as it does. category is NULL unless set. */
struct bb_rule_info {
    const char *id;
    const char *type;
    const char *description;
    const char *pack;
    const char *category;
    double weight;          /* moderation: added to its category's score */
    enum bb_action action;
    enum bb_severity severity;
    size_t max_len;
    size_t n_keywords;
    bool has_validator;
};

struct bb_ruleset_opts {
    bool strict;            /* ignore every rule's allow list */
    uint32_t match_limit;   /* PCRE2 match limit per match call */
    uint32_t depth_limit;   /* PCRE2 depth (backtracking) limit */
    uint32_t heap_limit_kb; /* PCRE2 heap limit per match call */
    bool keep_placeholders; /* the internal placeholder rule flags and
                             * does not escape: with keep-only rules
                             * (moderation), the output is the input */
};
#define BB_RULESET_OPTS_INIT { false, 2000000, 20000, 20480, false }

struct bb_ruleset;

/* Create an empty ruleset. opts may be NULL for the defaults. */
int bb_ruleset_new(struct bb_ruleset **out,
                   const struct bb_ruleset_opts *opts, struct bb_err *err);

/* Parse, check and add one JSON rule pack of len bytes. source names the
 * pack in error messages ("rules/pii.json"). On any error nothing of the
 * pack is added. Not allowed after bb_ruleset_compile(). */
int bb_ruleset_add_pack(struct bb_ruleset *rs, const char *source,
                        const char *json, size_t len, struct bb_err *err);

/* Add the packs compiled into the library (rules/ *.json at build time)
 * for scrubbing: every one but "moderation". */
int bb_ruleset_add_builtin(struct bb_ruleset *rs, struct bb_err *err);
/* Add one built-in pack by name ("pii", "secrets", "moderation"). */
int bb_ruleset_add_builtin_pack(struct bb_ruleset *rs, const char *name,
                                struct bb_err *err);

/* Names of the built-in packs, NULL-terminated; static storage. */
const char *const *bb_builtin_pack_names(void);

/* Finish loading: builds the keyword prefilter. After this the ruleset
 * is immutable and may be shared by threads. */
int bb_ruleset_compile(struct bb_ruleset *rs, struct bb_err *err);

/* Number of rules, including blackbar's internal placeholder-escape rule
 * (always the last one, id "placeholder-escape"). */
size_t bb_ruleset_count(const struct bb_ruleset *rs);

/* Fill *out with a view of rule i (0 <= i < count). */
int bb_ruleset_rule(struct bb_rule_info *out, const struct bb_ruleset *rs,
                    size_t i, struct bb_err *err);

/* Index of the rule whose id is id, or -1. */
long bb_ruleset_find(const struct bb_ruleset *rs, const char *id);

void bb_ruleset_free(struct bb_ruleset *rs);

/* Result of testing one rule's examples. */
struct bb_rule_test {
    size_t rule;          /* rule index */
    size_t n_examples;    /* examples run */
    size_t n_failed;      /* examples that gave the wrong answer */
    size_t first_failed;  /* index among the examples of its kind */
    bool failed_is_match; /* the first failure was a "match" example */
    size_t n_gate_lost;   /* examples where the keyword, context, digit or
                           * gate ranges hid a finding that a search of
                           * every position makes */
};

/* Run rule i's examples through that rule alone (validators, context and
 * allow lists applied), once with its usual search ranges and once
 * searching every position; both must agree. */
int bb_ruleset_test_rule(struct bb_rule_test *out,
                         const struct bb_ruleset *rs, size_t i,
                         struct bb_err *err);

/* Lint findings for rule i, written as text lines ("no keywords", ...)
 * into buf (NUL-terminated, truncated to cap). *n_out gets the count.
 * Runs the rule on 64 KiB adversarial inputs to find patterns that hit
 * the match limits. */
int bb_ruleset_lint_rule(size_t *n_out, char *buf, size_t cap,
                         const struct bb_ruleset *rs, size_t i,
                         struct bb_err *err);

/* ------------------------------------------------------------------ */
/* Findings and redaction                                              */

/* One finding, handed to callbacks. value points at the matched bytes
 * and, like the struct, is borrowed for the duration of the callback. */
struct bb_finding {
    uint64_t offset; /* stream offset of the first byte */
    size_t length;   /* bytes */
    size_t rule;     /* rule index in the ruleset */
    enum bb_action action;
    const char *value;
};

typedef int (*bb_write_fn)(const void *data, size_t len, void *userdata);
typedef int (*bb_finding_fn)(const struct bb_finding *f, void *userdata);

/* A redactor holds the operator for each type, the hash key and the
 * placeholder numbering of one scope (a run, a request): the same value
 * always gets the same placeholder within it. Single-threaded. */
struct bb_redactor;

int bb_redactor_new(struct bb_redactor **out, const struct bb_ruleset *rs,
                    struct bb_err *err);

/* Set an operator: "OP" for every type, or "TYPE=OP" for one type.
 * OP is placeholder | mask[:N] | hash | remove | text:LITERAL. */
int bb_redactor_set_operator(struct bb_redactor *rd, const char *spec,
                             struct bb_err *err);

/* Key for the hash operator (HMAC-SHA256). Without one, a random key is
 * drawn per redactor, so hashes are consistent only within it. */
int bb_redactor_set_key(struct bb_redactor *rd, const void *key, size_t len,
                        struct bb_err *err);

/* Write the replacement for finding f (whose bytes are f->value) through
 * write. Used by the scrubbers; exposed for custom sinks. */
/* Called once for each new placeholder (the first time a value gets its
 * number) with the placeholder text and the value, both borrowed for the
 * call: what a vault records so that restore can put the value back. A
 * negative return fails the write with that code. */
typedef int (*bb_vault_fn)(const char *placeholder, size_t plen,
                           const char *value, size_t vlen, void *userdata);
void bb_redactor_on_placeholder(struct bb_redactor *rd, bb_vault_fn fn,
                                void *userdata);

int bb_redactor_apply(struct bb_redactor *rd, const struct bb_finding *f,
                      bb_write_fn write, void *userdata, struct bb_err *err);

void bb_redactor_free(struct bb_redactor *rd);

/* ------------------------------------------------------------------ */
/* Text scrubber                                                       */

/* A streaming scrubber: bytes go in with feed() in pieces of any size,
 * scrubbed bytes come out through write, in order, as soon as no rule can
 * still match them. The output does not depend on how the input was
 * split. After any error nothing more is written and every later call
 * returns BB_ESTATE. Memory is bounded by the rules' max_len, not by the
 * input size. rs and rd must outlive the scrubber; single-threaded. */
struct bb_scrubber;

int bb_scrubber_new(struct bb_scrubber **out, const struct bb_ruleset *rs,
                    struct bb_redactor *rd, bb_write_fn write,
                    void *userdata, struct bb_err *err);

/* Optional observer called for every finding (before its replacement is
 * written); a negative return fails the stream with that code. */
void bb_scrubber_on_finding(struct bb_scrubber *s, bb_finding_fn fn,
                            void *userdata);

/* Search with n threads (1 to 16, default 1): n - 1 helper threads are
 * started and search the rules in parallel on large reads (128 KiB and
 * up); the output is the same as with one. Call before the first feed;
 * the threads stop in bb_scrubber_free(). */
int bb_scrubber_set_threads(struct bb_scrubber *s, unsigned n,
                            struct bb_err *err);

int bb_scrubber_feed(struct bb_scrubber *s, const void *data, size_t len,
                     struct bb_err *err);

/* End of input: decide and write everything still held. */
int bb_scrubber_finish(struct bb_scrubber *s, struct bb_err *err);

/* Segments, for many separate texts through one scrubber (the files of
 * a scan, the string values of a log record) without a scrubber each:
 * bb_scrubber_append() adds bytes like feed(), but searches only once a
 * chunk's worth waits; bb_scrubber_end_segment() closes the text added
 * so far: no finding crosses that point, and each segment is searched
 * as a subject of its own, as if it were a whole input; and
 * bb_scrubber_release() decides every closed segment now (its findings
 * reported, its bytes written). Offsets stay those of the whole stream
 * (bb_scrubber_bytes_in() before a segment is where it starts). */
int bb_scrubber_append(struct bb_scrubber *s, const void *data,
                       size_t len, struct bb_err *err);
int bb_scrubber_end_segment(struct bb_scrubber *s, struct bb_err *err);
int bb_scrubber_release(struct bb_scrubber *s, struct bb_err *err);

/* Findings per rule so far (array of bb_ruleset_count() entries),
 * borrowed until the scrubber is freed. */
const uint64_t *bb_scrubber_counts(const struct bb_scrubber *s);

/* Bytes consumed so far, and the most bytes ever held back at once. */
uint64_t bb_scrubber_bytes_in(const struct bb_scrubber *s);
size_t bb_scrubber_max_hold(const struct bb_scrubber *s);

/* Frees the scrubber; held unredacted bytes are wiped first. */
void bb_scrubber_free(struct bb_scrubber *s);

/* ------------------------------------------------------------------ */
/* JSON and JSONL scrubber                                             */

/* A streaming scrubber for one JSON document (lines false) or JSON Lines
 * (lines true, one document per line, blank lines kept). String values
 * are decoded (every escape, surrogate pairs) and scrubbed, each value
 * on its own: no match crosses two values. Keys are never scrubbed, and
 * neither are the values of structural keys ("model", "role", "type",
 * "id", ... and opaque signed ones: "signature", "encrypted_content",
 * "thinking"); bb_json_scrubber_skip_key() adds keys. Every byte outside
 * a replaced span is written as it came: numbers, whitespace, key order,
 * the escapes of untouched text. Malformed input (truncated, bad escape,
 * lone surrogate, invalid UTF-8 in a string, a control byte in a string,
 * trailing data) fails with BB_EINPUT and a byte offset, and nothing of
 * the input after the last value written is ever written. A string under
 * the key "arguments" that holds a JSON object or array (a tool call's
 * arguments) is scrubbed as that document, leaves only, and re-encoded
 * (held whole up to 8 MiB; longer, or not JSON: an ordinary value).
 * Memory is bounded by the rules' hold-back plus one feed. Same
 * threading and lifetime rules as bb_scrubber. */
struct bb_json_scrubber;

int bb_json_scrubber_new(struct bb_json_scrubber **out,
                         const struct bb_ruleset *rs, struct bb_redactor *rd,
                         bool lines, bb_write_fn write, void *userdata,
                         struct bb_err *err);
/* As bb_scrubber_on_finding. Offsets are in the decoded text of the
 * string values (inside an "arguments" string that holds JSON: in that
 * document's). */
void bb_json_scrubber_on_finding(struct bb_json_scrubber *s,
                                 bb_finding_fn fn, void *userdata);
int bb_json_scrubber_skip_key(struct bb_json_scrubber *s, const char *key,
                              struct bb_err *err);
/* Search with n threads, as bb_scrubber_set_threads(). */
int bb_json_scrubber_set_threads(struct bb_json_scrubber *s, unsigned n,
                                 struct bb_err *err);
int bb_json_scrubber_feed(struct bb_json_scrubber *s, const void *data,
                          size_t len, struct bb_err *err);
int bb_json_scrubber_finish(struct bb_json_scrubber *s, struct bb_err *err);
/* Before the first feed: scrub only the string values at or under path
 * (repeatable): keys joined by '.', array items as [N] or [*], e.g.
 * "messages[*].content". Skip keys still apply. */
int bb_json_scrubber_only(struct bb_json_scrubber *s, const char *path,
                          struct bb_err *err);

/* JSON Lines only, before the first feed: drop a malformed record (its
 * whole line) instead of failing. Each record's output is then held until
 * its newline (64 MiB at most), so nothing of a dropped record is ever
 * written. */
int bb_json_scrubber_skip_bad(struct bb_json_scrubber *s, bool skip,
                              struct bb_err *err);
/* Records dropped so far. */
uint64_t bb_json_scrubber_skipped(const struct bb_json_scrubber *s);
/* Findings per rule, as bb_scrubber_counts(). */
const uint64_t *bb_json_scrubber_counts(const struct bb_json_scrubber *s);
void bb_json_scrubber_free(struct bb_json_scrubber *s);

/* ------------------------------------------------------------------ */
/* Server-Sent Events scrubber                                         */

/* A streaming scrubber for an SSE stream (text/event-stream): framing
 * kept (LF, CRLF, CR, comments, event/id/retry fields, each scrubbed
 * as text of its own); each event's payload (its data lines joined)
 * scrubbed as JSON when it starts with '{' or '[' and parses, as text
 * otherwise. The text deltas
 * of one provider channel (OpenAI Responses and Chat Completions,
 * Anthropic Messages, Gemini) are matched as one text: an event is held
 * while the end of its delta could begin a finding, events keep their
 * order and number, and a replacement goes to the delta holding the
 * value's last byte. Limits: a line of 1 MiB, an event of 4 MiB, 4096
 * events held (BB_ELIMIT). Same threading and lifetime rules as
 * bb_scrubber. */
struct bb_sse_scrubber;

int bb_sse_scrubber_new(struct bb_sse_scrubber **out,
                        const struct bb_ruleset *rs, struct bb_redactor *rd,
                        bb_write_fn write, void *userdata,
                        struct bb_err *err);
int bb_sse_scrubber_feed(struct bb_sse_scrubber *s, const void *data,
                         size_t len, struct bb_err *err);
int bb_sse_scrubber_finish(struct bb_sse_scrubber *s, struct bb_err *err);
/* Findings per rule, as bb_scrubber_counts() (valid until the next
 * call on s). */
const uint64_t *bb_sse_scrubber_counts(const struct bb_sse_scrubber *s);
/* As bb_scrubber_on_finding, for the findings of every payload and
 * channel (offsets within the value or channel text). Set it before the
 * first feed. When fn returns a positive value (a response to block),
 * the stream stops: the events before the one that holds the finding's
 * first byte are written (their text decided as if the stream ended
 * there), nothing after, and feed or finish returns BB_ESTOP. */
void bb_sse_scrubber_on_finding(struct bb_sse_scrubber *s, bb_finding_fn fn,
                                void *userdata);
void bb_sse_scrubber_free(struct bb_sse_scrubber *s);

/* ------------------------------------------------------------------ */
/* Vault and restore                                                   */

/* The vault maps placeholders to the values they replaced (see
 * bb_redactor_on_placeholder). It holds raw values: keep it in memory,
 * or in a file only the user can read. Values are wiped when freed. */
struct bb_vault;

int bb_vault_new(struct bb_vault **out, struct bb_err *err);
/* Add one entry (copied). */
int bb_vault_add(struct bb_vault *v, const char *placeholder, size_t plen,
                 const char *value, size_t vlen, struct bb_err *err);
/* Add the entries of a vault file: JSON Lines of
 * {"placeholder":"<EMAIL_1>","value":"..."}; blank lines are skipped. */
int bb_vault_load(struct bb_vault *v, const char *text, size_t len,
                  struct bb_err *err);
void bb_vault_free(struct bb_vault *v);

enum bb_format {
    BB_FORMAT_TEXT,
    BB_FORMAT_JSON,
    BB_FORMAT_JSONL,
    BB_FORMAT_SSE
};

/* The way back from scrub: each placeholder the vault knows becomes its
 * value again (JSON-escaped inside JSON strings), each "<\" written by
 * scrub's escaping loses its backslash, unknown placeholders stay as they
 * are (counted). restore(scrub(x)) == x for any chunking on either side.
 * The vault must outlive the restorer; single-threaded. */
struct bb_restorer;

int bb_restorer_new(struct bb_restorer **out, struct bb_vault *v,
                    enum bb_format format, bb_write_fn write,
                    void *userdata, struct bb_err *err);
int bb_restorer_feed(struct bb_restorer *r, const void *data, size_t len,
                     struct bb_err *err);
int bb_restorer_finish(struct bb_restorer *r, struct bb_err *err);
uint64_t bb_restorer_restored(const struct bb_restorer *r);
uint64_t bb_restorer_unknown(const struct bb_restorer *r);
void bb_restorer_free(struct bb_restorer *r);

/* ------------------------------------------------------------------ */
/* Moderator                                                           */

/* Decides on a response from the findings of moderation rules (rules
 * with a category): each rule that matched adds its weight to its
 * category's score, once per response; a category whose score reaches
 * its threshold (1 unless set) blocks when one of its matched rules says
 * block (or an override says so), and flags otherwise. Feed it findings
 * with bb_moderator_observe (a bb_finding_fn, e.g. for
 * bb_scrubber_on_finding). Single-threaded; the ruleset must outlive
 * it. */
struct bb_moderator;
struct bb_remote_result;

int bb_moderator_new(struct bb_moderator **out, const struct bb_ruleset *rs,
                     struct bb_err *err);
/* category: an OpenAI moderation category name. */
int bb_moderator_threshold(struct bb_moderator *m, const char *category,
                           double threshold, struct bb_err *err);
/* action: BB_ACTION_BLOCK or BB_ACTION_FLAG for every rule of category. */
int bb_moderator_action(struct bb_moderator *m, const char *category,
                        enum bb_action action, struct bb_err *err);
int bb_moderator_observe(const struct bb_finding *f, void *userdata);
/* BB_ACTION_BLOCK, BB_ACTION_FLAG, or BB_ACTION_REDACT when nothing
 * reached a threshold; *category: the deciding one (borrowed), or
 * NULL. A block wins over a flag. */
enum bb_action bb_moderator_verdict(const struct bb_moderator *m,
                                    const char **category);
/* Did rule (an index) match in this response? */
bool bb_moderator_fired(const struct bb_moderator *m, size_t rule);
double bb_moderator_score(const struct bb_moderator *m,
                          const char *category);
/* Remote scores: a category decides when its score reaches the
 * category's remote threshold, or, without one, when the endpoint
 * flagged it; it then blocks (unless an override says flag). */
int bb_moderator_remote_threshold(struct bb_moderator *m,
                                  const char *category, double threshold,
                                  struct bb_err *err);
void bb_moderator_remote(struct bb_moderator *m,
                         const struct bb_remote_result *r);
/* Start a new response. */
void bb_moderator_reset(struct bb_moderator *m);
void bb_moderator_free(struct bb_moderator *m);

/* ------------------------------------------------------------------ */
/* Remote moderation                                                   */

/* The 13 moderation category names, NULL-terminated; static storage.
 * Scores and flags below are in this order. */
const char *const *bb_moderation_categories(void);

struct bb_remote_opts {
    const char *url;      /* an OpenAI-compatible .../v1/moderations */
    const char *api_key;  /* sent as a Bearer token, or NULL: none */
    const char *model;    /* e.g. "omni-moderation-latest", or NULL */
    long timeout_ms;      /* per attempt; 0: 10 s */
    unsigned retries;     /* on connection errors, timeouts, 429, 5xx */
    unsigned backoff_ms;  /* the first wait (0: 200 ms), doubled each
                           * retry, plus up to half again of jitter */
};

struct bb_remote_result {
    bool flagged;
    double scores[13];    /* category_scores */
    bool categories[13];  /* the endpoint's own verdict per category */
};

/* Send texts[0, n) (scrubbed: never raw input) as the inputs of one
 * request; results[i] answers texts[i]. An answer that is not a
 * moderation result for n inputs is BB_EINPUT; an endpoint that cannot
 * answer (after the retries), BB_EIO. */
int bb_remote_moderate(struct bb_remote_result *results,
                       const struct bb_remote_opts *opts,
                       const char *const *texts, const size_t *lens, size_t n,
                       struct bb_err *err);

/* ------------------------------------------------------------------ */
/* Audit log (docs/AUDIT-FORMAT.md)                                    */

/* An append-only, hash-chained JSON Lines log of what was blocked,
 * flagged and redacted. Records are appended with one write(2) under an
 * exclusive lock, so processes can share a log; each is chained to the
 * one before by an HMAC-SHA256 under the audit key; block records are
 * fsynced. A value is never written, only its keyed fingerprint. The
 * file is created 0600; one of another user, or writable by others, is
 * refused. */
struct bb_audit;

/* One record. event and source are required; every other string may be
 * NULL (left out). Strings are borrowed for the call. */
struct bb_audit_rec {
    const char *event;      /* "block", "flag", "redact", "error" */
    const char *source;     /* "scrub", "restore", "moderate", ... */
    const char *direction;  /* "request" or "response" */
    const char *request_id;
    const char *route;
    const char *rule;       /* with rule: offset and length are written */
    const char *category;
    const char *type;
    const char *action;
    uint64_t offset;
    size_t length;
    const char *value;      /* fingerprinted (keyed), never written */
    size_t value_len;
    const char *excerpt;    /* already masked: no raw value in it */
    const char *const *count_rules; /* "redact": rule ids and counts */
    const uint64_t *counts;
    size_t ncounts;
};

/* key: 16 to 64 bytes, copied. */
int bb_audit_open(struct bb_audit **out, const char *path, const void *key,
                  size_t key_len, struct bb_err *err);
int bb_audit_write(struct bb_audit *a, const struct bb_audit_rec *r,
                   struct bb_err *err);
void bb_audit_close(struct bb_audit *a);

/* The key in key file path (hex, 32 to 128 digits), created with a new
 * random 32-byte key, mode 0600, if it does not exist. key has room for
 * 64 bytes. */
int bb_audit_key_file(unsigned char *key, size_t *key_len, const char *path,
                      struct bb_err *err);

struct bb_audit_check {
    uint64_t records;   /* whole records that verified */
    uint64_t bad_line;  /* the first line that breaks the chain, or 0 */
    uint64_t torn_line; /* a torn last line (no newline), or 0 */
    char why[160];      /* what is wrong with bad_line */
};

/* Recompute the chain of the log at path with key. 0 when it could be
 * read (then bad_line says whether it verified), or an error. */
int bb_audit_verify(struct bb_audit_check *out, const char *path,
                    const void *key, size_t key_len, struct bb_err *err);

/* ------------------------------------------------------------------ */
/* Fingerprints                                                        */

#define BB_FINGERPRINT_HEX 32

/* A keyed fingerprint of n byte strings: the first 16 bytes of
 * HMAC-SHA256 under key of parts[0] NUL parts[1] NUL ... parts[n - 1],
 * written to out as BB_FINGERPRINT_HEX lowercase hex digits and a NUL
 * (out has room for BB_FINGERPRINT_HEX + 1). The same key and parts
 * always give the same fingerprint, and without the key it cannot be
 * tested against a guessed value: what scan baselines compare. key may
 * be of any length (1 to 1024 bytes); parts are borrowed for the call.
 * 0, BB_EINVAL (no key, n == 0, libcrypto failed) or BB_ENOMEM. */
int bb_fingerprint(char *out, const void *key, size_t key_len,
                   const char *const *parts, const size_t *lens, size_t n,
                   struct bb_err *err);

/* The same fingerprints with the key set once, for many values: each
 * then costs one HMAC and no allocation. A fingerprinter is used by one
 * thread at a time (give each thread its own); it keeps a copy of the
 * key's derived state, not the key. bb_fingerprinter_new: 0, BB_EINVAL
 * (key empty or over 1024 bytes, libcrypto failed) or BB_ENOMEM; *out
 * is the caller's, freed with bb_fingerprinter_free (NULL is fine). */
struct bb_fingerprinter;
int bb_fingerprinter_new(struct bb_fingerprinter **out, const void *key,
                         size_t key_len, struct bb_err *err);
/* As bb_fingerprint, under the fingerprinter's key. */
int bb_fingerprinter_make(struct bb_fingerprinter *f, char *out,
                          const char *const *parts, const size_t *lens,
                          size_t n, struct bb_err *err);
void bb_fingerprinter_free(struct bb_fingerprinter *f);

#ifdef __cplusplus
}
#endif

#endif
