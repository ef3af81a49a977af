/*
 * json.c - streaming JSON and JSONL scrubber (DESIGN section 2,
 * invariant 7). A byte-at-a-time tokenizer finds the string values,
 * decodes them (every escape, surrogate pairs) and feeds the decoded text
 * to one text stream, one segment per value, so no match crosses two
 * values and each is searched as a subject of its own. Every other byte
 * (keys, numbers, whitespace, skipped values) is copied; a value with no
 * finding is copied as it was, escapes included; only the replaced spans
 * are written anew, JSON-escaped. Memory is bounded by the stream's hold
 * plus one read, whatever the size of the document or of one string.
 */
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json_int.h"
#include "ruleset.h"

/* ------------------------------------------------------------ tokens */

/* A bad JSON Lines record under skip_bad: everything of it that the
 * stream holds is decided now and its held output thrown away; the rest
 * of its line is dropped as it is read. */
static int drop_record(struct bb_json_scrubber *j, struct bb_err *err)
{
    int rc = json_dflush(j, err);

    if (rc == 0 && j->scrub_str &&
        (j->state == S_STRING || j->state == S_ESCAPE ||
         j->state == S_UNICODE)) {
        rc = stream_end_segment(j->st, err);
    }
    if (rc == 0) {
        rc = stream_release(j->st, err);
    }
    if (rc == 0) {
        rc = json_drain(j, err);
    }
    if (j->rec != NULL) {
        bb_wipe(j->rec, j->rn);
    }
    j->rn = 0;
    j->skipped++;
    j->state = S_SKIP;
    j->depth = 0;
    j->in_key = false;
    j->scrub_str = false;
    j->skip_next = false;
    j->hold = H_NONE;
    j->hrn = j->hdn = 0;
    j->hi_sur = 0;
    j->utf8_need = 0;
    return rc;
}

static int syntax(struct bb_json_scrubber *j, const char *what,
                  struct bb_err *err)
{
    if (j->lines && j->skip_bad) {
        return drop_record(j, err);
    }
    j->failed = true;
    return bb_seterr(err, BB_EINPUT, "%s: byte %llu: %s",
                     j->lines ? "JSONL" : "JSON",
                     (unsigned long long)j->pos, what);
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}




static bool skip_key(const struct bb_json_scrubber *j)
{
    size_t i;

    if (j->key_long) {
        return false;
    }
    for (i = 0; i < j->skip.n; i++) {
        if (strlen(j->skip.v[i]) == j->key_len &&
            memcmp(j->skip.v[i], j->key, j->key_len) == 0) {
            return true;
        }
    }
    return false;
}

/* A value is complete: where the tokenizer goes next. */
static void value_done(struct bb_json_scrubber *j)
{
    if (j->depth == 0) {
        j->state = S_DONE;
    } else {
        j->state = j->stack[j->depth - 1] == '{' ? S_COMMA_OBJ : S_COMMA_ARR;
    }
}

static void key_byte(struct bb_json_scrubber *j, const char *d, size_t n)
{
    if (j->key_len + n > KEY_MAX) {
        j->key_long = true;
        return;
    }
    memcpy(j->key + j->key_len, d, n);
    j->key_len += n;
}

/* Bytes of a string's text (not quotes, not escapes). */
static int str_bytes(struct bb_json_scrubber *j, const char *p, size_t n,
                     struct bb_err *err)
{
    if (j->in_key) {
        key_byte(j, p, n);
    }
    if (j->hold != H_NONE) {
        return json_hold_bytes(j, p, n, p, n, err);
    }
    return j->scrub_str ? json_content(j, P_TEXT, p, n, p, n, err)
                        : json_structure(j, p, n, err);
}

static size_t utf8_put(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* An escape is complete (its raw bytes in esc_raw): its decoded text. */
static int escape_done(struct bb_json_scrubber *j, unsigned cp,
                       struct bb_err *err)
{
    char d[4];
    size_t n = utf8_put(d, cp);

    if (j->in_key) {
        key_byte(j, d, n);
    }
    j->state = S_STRING;
    if (j->hold != H_NONE) {
        return json_hold_bytes(j, j->esc_raw, j->esc_n, d, n, err);
    }
    if (!j->scrub_str) {
        return json_structure(j, j->esc_raw, j->esc_n, err);
    }
    return json_content(j, P_TEXT, j->esc_raw, j->esc_n, d, n, err);
}

static int unicode_done(struct bb_json_scrubber *j, struct bb_err *err)
{
    unsigned v = j->u_val;

    if (j->hi_sur != 0) {
        if (v < 0xDC00 || v > 0xDFFF) {
            return syntax(j, "high surrogate not followed by a low one",
                          err);
        }
        v = 0x10000 + ((j->hi_sur - 0xD800) << 10) + (v - 0xDC00);
        j->hi_sur = 0;
        return escape_done(j, v, err);
    }
    if (v >= 0xDC00 && v <= 0xDFFF) {
        return syntax(j, "lone low surrogate", err);
    }
    if (v >= 0xD800 && v <= 0xDBFF) {
        j->hi_sur = v; /* the pair is one escape: wait for the low half */
        j->state = S_ESCAPE;
        return 0;
    }
    return escape_done(j, v, err);
}

bool json_path_match(const struct bb_json_scrubber *j, const char *p,
                     bool exact)
{
    size_t lv = 0;

    while (*p != '\0') {
        if (lv >= j->depth) {
            return false;
        }
        if (*p == '[') {
            size_t idx = 0;
            bool any = p[1] == '*';

            if (j->stack[lv] != '[') {
                return false;
            }
            for (p++; *p >= '0' && *p <= '9'; p++) {
                idx = idx * 10 + (size_t)(*p - '0');
            }
            p += any; /* the '*' */
            if (*p != ']' || (!any && idx != j->lidx[lv])) {
                return false;
            }
            p++;
        } else {
            size_t n = strcspn(p, ".[");

            if (j->stack[lv] != '{' || j->lkey_len[lv] != n ||
                memcmp(j->lkey[lv], p, n) != 0) {
                return false;
            }
            p += n;
        }
        p += *p == '.';
        lv++;
    }
    return !exact || lv == j->depth;
}

static bool path_wanted(const struct bb_json_scrubber *j)
{
    size_t i;

    for (i = 0; i < j->only.n; i++) {
        if (json_path_match(j, j->only.v[i], false)) {
            return true;
        }
    }
    return false;
}

static int string_start(struct bb_json_scrubber *j, bool key,
                        struct bb_err *err)
{
    j->in_key = key;
    j->scrub_str = !key && !j->skip_next &&
                   (j->only.n == 0 || path_wanted(j));
    j->skip_next = false;
    if (key) {
        j->key_len = 0;
        j->key_long = false;
    } else if (j->ndv > 0 || j->nest) {
        json_hold_start(j);
    }
    j->state = S_STRING;
    j->utf8_need = 0;
    return json_structure(j, "\"", 1, err);
}

static int string_end(struct bb_json_scrubber *j, struct bb_err *err)
{
    int rc = 0;

    if (j->utf8_need > 0) {
        return syntax(j, "invalid UTF-8 in a string", err);
    }
    if (j->hold != H_NONE) {
        rc = json_hold_end(j, err); /* (a replayed value is scrubbed) */
    }
    if (rc == 0 && j->scrub_str) {
        rc = json_dflush(j, err);
        rc = rc == 0 ? stream_end_segment(j->st, err) : rc;
    }
    if (rc == 0) {
        rc = json_structure(j, "\"", 1, err);
    }
    if (j->in_key) {
        j->in_key = false;
        j->skip_next = skip_key(j);
        j->state = S_COLON;
        if (j->lkey != NULL && j->depth > 0) {
            memcpy(j->lkey[j->depth - 1], j->key, j->key_len);
            j->lkey_len[j->depth - 1] = j->key_long ? SIZE_MAX : j->key_len;
        }
    } else {
        value_done(j);
    }
    return rc;
}

/* Inside a string: take a run of plain bytes at once. */
static size_t string_run(struct bb_json_scrubber *j, const unsigned char *p,
                         size_t n, int *rc, struct bb_err *err)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c;

#ifdef __SSE2__
        /* printable ASCII 16 at a time (no quote, backslash, control or
         * high byte): nothing to check in it */
        if (j->utf8_need == 0) {
            const __m128i sp = _mm_set1_epi8(0x20);
            const __m128i qu = _mm_set1_epi8('"');
            const __m128i bs = _mm_set1_epi8('\\');

            while (i + 16 <= n) {
                __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
                __m128i x = _mm_or_si128(
                    _mm_cmplt_epi8(v, sp),
                    _mm_or_si128(_mm_cmpeq_epi8(v, qu),
                                 _mm_cmpeq_epi8(v, bs)));
                int m = _mm_movemask_epi8(x);

                if (m != 0) {
                    i += (size_t)__builtin_ctz((unsigned)m);
                    break;
                }
                i += 16;
            }
            if (i == n) {
                break;
            }
        }
#endif
        c = p[i];
        if (j->utf8_need > 0) {
            if ((c & 0xC0) != 0x80) {
                *rc = syntax(j, "invalid UTF-8 in a string", err);
                return i;
            }
            j->utf8_need--;
        } else if (c == '"' || c == '\\' || c < 0x20) {
            break;
        } else if (c >= 0x80) {
            if (c >= 0xC2 && c <= 0xDF) {
                j->utf8_need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                j->utf8_need = 2;
            } else if (c >= 0xF0 && c <= 0xF4) {
                j->utf8_need = 3;
            } else {
                *rc = syntax(j, "invalid UTF-8 in a string", err);
                return i;
            }
        }
        i++;
    }
    *rc = i > 0 ? str_bytes(j, (const char *)p, i, err) : 0;
    return i;
}


static int escape_byte(struct bb_json_scrubber *j, unsigned char c,
                       struct bb_err *err)
{
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *e;

    j->esc_raw[j->esc_n++] = (char)c;
    if (j->state == S_UNICODE) {
        int h = json_hexval(c);

        if (h < 0) {
            return syntax(j, "bad \\u escape", err);
        }
        j->u_val = (j->u_val << 4) | (unsigned)h;
        return ++j->u_n == 4 ? unicode_done(j, err) : 0;
    }
    /* S_ESCAPE: the byte after '\' (or, with a high surrogate pending,
     * the '\' and 'u' of its low half) */
    if (j->hi_sur != 0 && j->esc_n == 7) {
        return c == '\\' ? 0 : syntax(j, "high surrogate not followed "
                                      "by a low one", err);
    }
    if (c == 'u') {
        j->state = S_UNICODE;
        j->u_val = 0;
        j->u_n = 0;
        return 0;
    }
    if (j->hi_sur != 0 || (e = strchr(from, (char)c)) == NULL || c == 0) {
        return syntax(j, j->hi_sur ? "high surrogate not followed by a "
                                     "low one" : "bad escape", err);
    }
    return escape_done(j, (unsigned char)to[e - from], err);
}

/* Numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; u_n is the
 * place in that grammar. */
static bool number_byte(struct bb_json_scrubber *j, unsigned char c)
{
    bool digit = c >= '0' && c <= '9';

    switch (j->u_n) {
    case 0: /* after '-' */
        j->u_n = c == '0' ? 1 : digit ? 2 : 99;
        break;
    case 1: /* "0" */
    case 2: /* integer digits */
        j->u_n = (j->u_n == 2 && digit) ? 2 : c == '.' ? 3
                 : (c == 'e' || c == 'E') ? 5 : 99;
        break;
    case 3:
    case 4: /* fraction */
        j->u_n = digit ? 4 : (j->u_n == 4 && (c == 'e' || c == 'E')) ? 5
                                                                    : 99;
        break;
    case 5: /* after e */
        j->u_n = (c == '+' || c == '-') ? 6 : digit ? 7 : 99;
        break;
    default: /* 6 after sign, 7 exponent digits */
        j->u_n = digit ? 7 : 99;
        break;
    }
    return j->u_n != 99;
}

static bool number_complete(const struct bb_json_scrubber *j)
{
    return j->u_n == 1 || j->u_n == 2 || j->u_n == 4 || j->u_n == 7;
}

static int value_start(struct bb_json_scrubber *j, unsigned char c,
                       struct bb_err *err)
{
    char b = (char)c;

    if (c == '"') {
        return string_start(j, false, err);
    }
    if (c == '{' || c == '[') {
        if (j->depth == MAX_DEPTH) {
            return syntax(j, "nesting deeper than 512", err);
        }
        if (j->lidx != NULL) {
            j->lidx[j->depth] = 0;
            j->lkey_len[j->depth] = SIZE_MAX;
        }
        j->stack[j->depth++] = b;
        j->skip_next = false;
        j->state = c == '{' ? S_KEY_OR_END : S_VALUE_OR_END;
        return json_structure(j, &b, 1, err);
    }
    j->skip_next = false;
    if (c == '-' || (c >= '0' && c <= '9')) {
        j->state = S_NUMBER;
        j->u_n = c == '-' ? 0 : c == '0' ? 1 : 2;
        return json_structure(j, &b, 1, err);
    }
    if (c == 't' || c == 'f' || c == 'n') {
        j->state = S_LITERAL;
        j->lit[0] = b;
        j->lit_n = 1;
        return json_structure(j, &b, 1, err);
    }
    return syntax(j, "expected a value", err);
}

static int close_container(struct bb_json_scrubber *j, unsigned char c,
                           struct bb_err *err)
{
    char b = (char)c;

    j->depth--;
    value_done(j);
    return json_structure(j, &b, 1, err);
}

/* One byte outside strings. */
static int step(struct bb_json_scrubber *j, unsigned char c,
                struct bb_err *err)
{
    char b = (char)c;

    if (j->state == S_NUMBER) {
        unsigned before = j->u_n;

        if (number_byte(j, c)) {
            return json_structure(j, &b, 1, err);
        }
        j->u_n = before;
        if (!number_complete(j)) {
            return syntax(j, "bad number", err);
        }
        value_done(j);
    } else if (j->state == S_LITERAL) {
        static const char *const words[] = { "true", "false", "null" };
        const char *w = j->lit[0] == 't' ? words[0]
                        : j->lit[0] == 'f' ? words[1] : words[2];

        if (w[j->lit_n] == (char)c) {
            j->lit_n++;
            if (w[j->lit_n] == '\0') {
                value_done(j);
            }
            return json_structure(j, &b, 1, err);
        }
        return syntax(j, "bad literal", err);
    }
    if (is_ws(c)) {
        if (j->lines && c == '\n' &&
            (j->state == S_DONE ||
             (j->state == S_VALUE && j->depth == 0 && !j->doc_started))) {
            /* the end of a record (or of a blank line) */
            j->state = S_VALUE;
            j->doc_started = false;
            return json_piece_add(j, P_EOR, &b, 1, 0, err);
        }
        return json_structure(j, &b, 1, err);
    }
    switch (j->state) {
    case S_VALUE:
        j->doc_started = true;
        return value_start(j, c, err);
    case S_VALUE_OR_END:
        return c == ']' ? close_container(j, c, err) : value_start(j, c, err);
    case S_KEY_OR_END:
    case S_KEY:
        if (c == '}' && j->state == S_KEY_OR_END) {
            return close_container(j, c, err);
        }
        return c == '"' ? string_start(j, true, err)
                        : syntax(j, "expected a key", err);
    case S_COLON:
        if (c != ':') {
            return syntax(j, "expected ':'", err);
        }
        j->state = S_VALUE;
        return json_structure(j, &b, 1, err);
    case S_COMMA_OBJ:
        if (c == '}') {
            return close_container(j, c, err);
        }
        if (c != ',') {
            return syntax(j, "expected ',' or '}'", err);
        }
        j->state = S_KEY;
        return json_structure(j, &b, 1, err);
    case S_COMMA_ARR:
        if (c == ']') {
            return close_container(j, c, err);
        }
        if (c != ',') {
            return syntax(j, "expected ',' or ']'", err);
        }
        if (j->lidx != NULL) {
            j->lidx[j->depth - 1]++;
        }
        j->state = S_VALUE;
        return json_structure(j, &b, 1, err);
    case S_DONE:
        return syntax(j, j->lines ? "expected a new line after the record"
                                  : "data after the document", err);
    default:
        return syntax(j, "unexpected byte", err);
    }
}

/* Tokenize p[0, n). */
int json_parse(struct bb_json_scrubber *j, const unsigned char *p, size_t n,
               struct bb_err *err)
{
    size_t i = 0;
    int rc = 0;

    while (rc == 0 && i < n) {
        unsigned char c = p[i];

        if (j->state == S_SKIP) {
            if (c == '\n') {
                j->state = S_VALUE; /* the bad line is gone, newline too */
                j->doc_started = false;
            }
        } else if (j->state == S_STRING) {
            size_t k = string_run(j, p + i, n - i, &rc, err);

            i += k;
            j->pos += k;
            if (rc < 0 || i == n || j->state != S_STRING) {
                continue; /* (a dropped record: S_SKIP takes the byte) */
            }
            c = p[i];
            if (c == '"') {
                rc = string_end(j, err);
            } else if (c == '\\') {
                j->state = S_ESCAPE;
                j->esc_raw[0] = '\\';
                j->esc_n = 1;
            } else {
                rc = syntax(j, "control byte in a string", err);
            }
        } else if (j->state == S_ESCAPE || j->state == S_UNICODE) {
            rc = escape_byte(j, c, err);
        } else {
            rc = step(j, c, err);
        }
        if (rc == 0 && j->state == S_SKIP && c == '\n') {
            j->state = S_VALUE; /* the bad byte ended its line */
            j->doc_started = false;
        }
        i++;
        j->pos += rc == 0;
    }
    return rc;
}

int json_parse_end(struct bb_json_scrubber *j, struct bb_err *err)
{
    int rc = 0;

    if (j->state == S_NUMBER && number_complete(j)) {
        value_done(j);
    }
    if (j->lines && j->skip_bad && j->state != S_DONE &&
        j->state != S_SKIP && !(j->state == S_VALUE && !j->doc_started)) {
        rc = drop_record(j, err); /* the last record ends early */
    }
    if (rc == 0 && j->state != S_DONE && j->state != S_SKIP &&
        !(j->lines && j->state == S_VALUE && !j->doc_started)) {
        rc = syntax(j, j->state == S_VALUE && !j->lines && j->depth == 0 &&
                           !j->doc_started
                       ? "no JSON value"
                       : "input ends inside the document", err);
    }
    return rc;
}
