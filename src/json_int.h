/*
 * json_int.h - what the JSON scrubber's files share: its state and the
 * output queue (json_queue.c) that the tokenizer (json.c) fills. Private
 * to those files.
 */
#ifndef BB_JSON_INT_H
#define BB_JSON_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "json.h"
#include "rules.h"
#include "stream.h"

#define MAX_DEPTH 512
#define KEY_MAX 64 /* longer keys are never skip keys */

/* P_EOR: the newline that ends a JSON Lines record */
enum pkind { P_STRUCT, P_TEXT, P_EOR };

/* Raw output waiting for the stream: structure bytes, or the raw form of
 * decoded bytes [dec, dec + dec_len) of a scrubbed value. */
struct piece {
    uint64_t dec;
    size_t raw_off; /* into the raw queue */
    size_t raw_len;
    size_t dec_len;
    enum pkind kind;
};

/* A string value held whole (json_hold.c). */
enum hold { H_NONE, H_DIVERT, H_NEST };

struct json_divert {
    char *path;
    json_divert_fn fn;
    void *ud;
};

enum state {
    S_VALUE,      /* a value is expected */
    S_KEY_OR_END, /* after '{' */
    S_KEY,        /* after ',' in an object */
    S_COLON,
    S_COMMA_OBJ,  /* after a member */
    S_VALUE_OR_END, /* after '[' */
    S_COMMA_ARR,
    S_DONE,       /* the document is complete */
    S_STRING,     /* inside a string */
    S_ESCAPE,     /* after '\' */
    S_UNICODE,    /* in \uXXXX */
    S_NUMBER,
    S_LITERAL,
    S_SKIP        /* a bad JSON Lines record: drop up to its newline */
};

struct bb_json_scrubber {
    const struct bb_ruleset *rs;
    json_apply_fn apply; /* writes a finding's replacement */
    void *apply_ud;
    bb_finding_fn observe; /* told of every finding, or NULL */
    void *observe_ud;
    struct stream *st;
    bb_write_fn write;
    void *ud;
    bool lines;
    uint64_t *counts;
    struct strv skip;
    /* raw queue and pieces, both FIFOs with a consumed head */
    char *raw;
    size_t raw_len, raw_cap, raw_head;
    struct piece *pc;
    size_t npc, cappc, pc_head;
    uint64_t dec_in;  /* decoded bytes given to the stream */
    char dbuf[16384]; /* decoded bytes not yet appended to the stream */
    size_t dn;
    char obuf[65536]; /* output not yet written */
    size_t on;
    bool skip_bad;    /* JSONL: drop bad records instead of failing */
    struct strv only; /* --json-only paths, or none: every value */
    char (*lkey)[KEY_MAX + 1]; /* per level with only: its key, */
    size_t *lkey_len;          /* (SIZE_MAX: too long to match) */
    size_t *lidx;              /* and its array index */
    char *rec;        /* then: the current record's output, held */
    size_t rn, rcap;
    uint64_t skipped;
    uint64_t dec_out; /* decoded bytes the stream has released */
    /* tokenizer */
    enum state state;
    enum state after_str; /* where a string returns to */
    char stack[MAX_DEPTH]; /* '{' or '[' */
    size_t depth;
    bool in_key;      /* the current string is a key */
    bool scrub_str;   /* the current string value is scrubbed */
    char key[KEY_MAX + 1];
    size_t key_len;
    bool key_long;
    bool skip_next;   /* the value after this key is not scrubbed */
    unsigned u_val, u_n;
    unsigned hi_sur;  /* pending high surrogate, or 0 */
    char esc_raw[12]; /* the raw bytes of the escape in progress */
    size_t esc_n;
    unsigned utf8_need; /* continuation bytes still due in a string */
    char lit[6];
    size_t lit_n;
    uint64_t pos;     /* raw bytes read */
    bool failed, finished;
    bool doc_started; /* JSONL: the current line has a value */
    /* held values */
    bool nest;        /* "arguments" strings holding JSON: as JSON */
    enum hold hold;   /* the current string value is held */
    size_t hold_dv;   /* the divert that takes it */
    char *hraw, *hdec; /* its raw and decoded bytes */
    size_t hrn, hrcap, hdn, hdcap;
    struct json_divert *dv;
    size_t ndv, capdv;
};

/* ------------------------------------------------------------ queue */

/* Append raw bytes as a piece of kind k covering dec_len decoded bytes. */
int json_piece_add(struct bb_json_scrubber *j, enum pkind k, const char *p,
                   size_t n, size_t dec_len, struct bb_err *err);
/* Raw bytes copied to the output in their turn. */
int json_structure(struct bb_json_scrubber *j, const char *p, size_t n,
                   struct bb_err *err);
/* Decoded bytes of a scrubbed value (to the stream), with their raw
 * form (to the queue). */
int json_content(struct bb_json_scrubber *j, enum pkind k, const char *raw,
                 size_t raw_n, const char *dec, size_t dec_n,
                 struct bb_err *err);
/* Give the batched decoded bytes to the stream. */
int json_dflush(struct bb_json_scrubber *j, struct bb_err *err);
/* Write the structure pieces before the stream's released offset. */
int json_drain(struct bb_json_scrubber *j, struct bb_err *err);
/* The stream released n decoded bytes: write their raw form, or (skip)
 * drop them for a replacement. */
int json_consume(struct bb_json_scrubber *j, size_t n, bool skip,
                 struct bb_err *err);
/* Write a held JSON Lines record (skip_bad). */
int json_commit(struct bb_json_scrubber *j, struct bb_err *err);
int json_oflush(struct bb_json_scrubber *j, struct bb_err *err);
/* The stream's sink. */
int json_on_text(void *ud, const char *p, size_t n, struct bb_err *err);
int json_on_finding(void *ud, const struct bb_finding *f,
                    struct bb_err *err);
/* ------------------------------------------------------------ tokenizer */

int json_parse(struct bb_json_scrubber *j, const unsigned char *p, size_t n,
               struct bb_err *err);
/* The input has ended: a last number completes, a JSON Lines record cut
 * short is dropped (skip_bad) or an error, as is an unfinished document. */
int json_parse_end(struct bb_json_scrubber *j, struct bb_err *err);
/* Does pattern p ("messages[*].content", "a.b[2]") match the path of the
 * value about to start (exact), or of it or a level above it? */
bool json_path_match(const struct bb_json_scrubber *j, const char *p,
                     bool exact);
/* Keep the keys and indexes of the open levels (for paths). */
int json_track_paths(struct bb_json_scrubber *j, struct bb_err *err);

/* ------------------------------------------------------------ held values */

/* A string value starts: is it held (diverted, or JSON in JSON)? */
void json_hold_start(struct bb_json_scrubber *j);
/* Bytes of a held value: raw form and decoded. */
int json_hold_bytes(struct bb_json_scrubber *j, const char *raw, size_t rn,
                    const char *dec, size_t dn, struct bb_err *err);
/* The held value ends: its replacement is queued (or, replayed, it goes
 * on as an ordinary scrubbed value with scrub_str set). */
int json_hold_end(struct bb_json_scrubber *j, struct bb_err *err);
void json_hold_dispose(struct bb_json_scrubber *j);

/* The value of a hex digit, or -1. */
int json_hexval(unsigned char c);

#endif
