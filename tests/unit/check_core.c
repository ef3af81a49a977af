/*
 * check_core.c - unit tests for the core module: bounded buffers (cap,
 * growth, consume and wiping), the UTF-8 tail table, error filling and
 * prefix truncation, and the allocation wrappers.
 */
#include "core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

/* ------------------------------------------------------------ buffers */

START_TEST(test_buf_append)
{
    struct bb_buf b;
    struct bb_err err = { 0, "" };

    bb_buf_init(&b, 1024);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(bb_buf_append(&b, "hello", 5, &err), 0);
    ck_assert_int_eq(bb_buf_append(&b, " world", 6, &err), 0);
    ck_assert_uint_eq(b.len, 11);
    ck_assert_mem_eq(b.data, "hello world", 11);
    ck_assert_uint_ge(b.cap, b.len);
    ck_assert_uint_le(b.cap, b.max);
    /* appending nothing is fine, even with a NULL pointer */
    ck_assert_int_eq(bb_buf_append(&b, NULL, 0, &err), 0);
    ck_assert_uint_eq(b.len, 11);
    bb_buf_dispose(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    /* dispose twice is harmless */
    bb_buf_dispose(&b);
}
END_TEST

START_TEST(test_buf_grow_keeps_data)
{
    struct bb_buf b;
    char chunk[100];
    size_t i;

    bb_buf_init(&b, 1u << 20);
    for (i = 0; i < 100; i++) {
        memset(chunk, 'a' + (int)(i % 26), sizeof(chunk));
        ck_assert_int_eq(bb_buf_append(&b, chunk, sizeof(chunk), NULL), 0);
    }
    ck_assert_uint_eq(b.len, 10000);
    for (i = 0; i < 10000; i++) {
        ck_assert_int_eq(b.data[i], 'a' + (int)((i / 100) % 26));
    }
    bb_buf_dispose(&b);
}
END_TEST

START_TEST(test_buf_consume)
{
    struct bb_buf b;

    bb_buf_init(&b, 64);
    ck_assert_int_eq(bb_buf_append(&b, "abcdef", 6, NULL), 0);
    bb_buf_consume(&b, 0);
    ck_assert_uint_eq(b.len, 6);
    ck_assert_mem_eq(b.data, "abcdef", 6);
    bb_buf_consume(&b, 2);
    ck_assert_uint_eq(b.len, 4);
    ck_assert_mem_eq(b.data, "cdef", 4);
    /* the bytes that moved out of the tail are wiped */
    ck_assert_int_eq(b.data[4], 0);
    ck_assert_int_eq(b.data[5], 0);
    bb_buf_consume(&b, 4);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(b.data[0], 0);
    ck_assert_int_eq(bb_buf_append(&b, "xyz", 3, NULL), 0);
    bb_buf_consume(&b, 1000);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(b.data[0], 0);
    ck_assert_int_eq(b.data[2], 0);
    bb_buf_dispose(&b);
    /* consuming an empty, never-allocated buffer */
    bb_buf_init(&b, 8);
    bb_buf_consume(&b, 3);
    ck_assert_uint_eq(b.len, 0);
    bb_buf_dispose(&b);
}
END_TEST

/* Sizes appended to a buffer with max 300: the cap never exceeds it. */
static const size_t limit_sizes[] = { 1, 100, 255, 256, 257, 299, 300 };

START_TEST(test_buf_limit)
{
    struct bb_buf b;
    struct bb_err err = { 0, "" };
    size_t n = limit_sizes[_i];
    char *data = calloc(1, 400);

    ck_assert_ptr_nonnull(data);
    bb_buf_init(&b, 300);
    ck_assert_int_eq(bb_buf_append(&b, data, n, &err), 0);
    ck_assert_uint_le(b.cap, 300);
    ck_assert_int_eq(bb_buf_append(&b, data, 300 - n, &err), 0);
    ck_assert_uint_eq(b.len, 300);
    ck_assert_uint_eq(b.cap, 300);
    /* one byte past max: BB_ELIMIT, err filled, nothing changed */
    ck_assert_int_eq(bb_buf_append(&b, data, 1, &err), BB_ELIMIT);
    ck_assert_int_eq(err.code, BB_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err.msg, "300"));
    ck_assert_uint_eq(b.len, 300);
    /* and again after consuming: room comes back */
    bb_buf_consume(&b, n);
    ck_assert_int_eq(bb_buf_append(&b, data, n, &err), 0);
    ck_assert_int_eq(bb_buf_append(&b, data, 1, NULL), BB_ELIMIT);
    bb_buf_dispose(&b);
    free(data);
}
END_TEST

START_TEST(test_buf_reserve_overflow)
{
    struct bb_buf b;
    struct bb_err err = { 0, "" };

    bb_buf_init(&b, SIZE_MAX);
    ck_assert_int_eq(bb_buf_append(&b, "ab", 2, &err), 0);
    /* len + extra wraps around: must be refused, not allocated */
    ck_assert_int_eq(bb_buf_reserve(&b, SIZE_MAX, &err), BB_ELIMIT);
    ck_assert_int_eq(bb_buf_reserve(&b, SIZE_MAX - 1, &err), BB_ELIMIT);
    ck_assert_uint_eq(b.len, 2);
    bb_buf_dispose(&b);
    /* max 0: every append of a byte fails */
    bb_buf_init(&b, 0);
    ck_assert_int_eq(bb_buf_append(&b, "a", 1, &err), BB_ELIMIT);
    ck_assert_int_eq(bb_buf_append(&b, "", 0, &err), 0);
    bb_buf_dispose(&b);
}
END_TEST

/*
 * Regression: with a buffer whose max is above SIZE_MAX / 2, reserving
 * so that len + extra is near SIZE_MAX doubled cap until it wrapped to 0
 * and then looped forever. Now: a prompt error. The test relies on the
 * fork-mode timeout to catch a hang, so it is skipped under CK_FORK=no.
 */
START_TEST(test_buf_reserve_huge)
{
    struct bb_buf b;
    struct bb_err err = { 0, "" };
    const char *fork_mode = getenv("CK_FORK");

    if (fork_mode != NULL && strcmp(fork_mode, "no") == 0) {
        return;
    }
    bb_buf_init(&b, SIZE_MAX);
    ck_assert_int_eq(bb_buf_append(&b, "ab", 2, &err), 0);
    ck_assert_int_lt(bb_buf_reserve(&b, SIZE_MAX - 2, &err), 0);
    ck_assert_uint_eq(b.len, 2);
    bb_buf_dispose(&b);
}
END_TEST

/* ---------------------------------------------------------- UTF-8 tail */

struct tail_case {
    const char *s;
    size_t n;
    size_t want;
};

#define T(lit, want) { lit, sizeof(lit) - 1, want }

static const struct tail_case tails[] = {
    T("", 0),
    T("abc", 0),
    T("a\n", 0),
    T("\xC3", 1),                 /* 2-byte lead alone */
    T("x\xC3", 1),
    T("\xC3\xA9", 0),             /* complete e-acute */
    T("\xE2", 1),                 /* 3-byte lead */
    T("\xE2\x82", 2),
    T("\xE2\x82\xAC", 0),         /* complete euro sign */
    T("ab\xE2\x82", 2),
    T("\xF0", 1),                 /* 4-byte lead */
    T("\xF0\x9F", 2),
    T("\xF0\x9F\x98", 3),
    T("\xF0\x9F\x98\x80", 0),     /* complete emoji */
    T("\xC3\xA9\xE2", 1),
    T("\xF4\x8F\xBF", 3),         /* highest lead */
    T("\x80", 0),                 /* lone continuation */
    T("\x80\x80\x80", 0),
    T("\x80\x80\x80\x80\x80", 0), /* more continuations than any char */
    T("a\xC0", 0),                /* never-valid leads */
    T("a\xC1", 0),
    T("a\xF5", 0),
    T("a\xFF", 0),
    T("\xC3\x80\x80", 0),         /* too many continuations */
    T("\xE2\x82\xAC\x80", 0),
    T("\xF0\x9F\x98\x80\xF0", 1),
    T("\0", 0),
    T("\0\xE2", 1),
};

START_TEST(test_utf8_tail)
{
    const struct tail_case *t = &tails[_i];

    ck_assert_msg(bb_utf8_tail(t->s, t->n) == t->want,
                  "case %d: got %zu, want %zu", _i,
                  bb_utf8_tail(t->s, t->n), t->want);
}
END_TEST

START_TEST(test_utf8_tail_prefix)
{
    /* Only the end counts: a longer buffer with the same end agrees. */
    const char s[] = "\xC3\xA9 caf\xC3\xA9 \xE2\x82";

    ck_assert_uint_eq(bb_utf8_tail(s, sizeof(s) - 1), 2);
    ck_assert_uint_eq(bb_utf8_tail(s, sizeof(s) - 2), 1);
    ck_assert_uint_eq(bb_utf8_tail(s, sizeof(s) - 3), 0);
    ck_assert_uint_eq(bb_utf8_tail(s, 1), 1);
}
END_TEST

/* -------------------------------------------------------------- errors */

START_TEST(test_seterr)
{
    struct bb_err err = { 0, "" };

    ck_assert_int_eq(bb_seterr(&err, BB_ERULE, "rule %s: %d", "r1", 7),
                     BB_ERULE);
    ck_assert_int_eq(err.code, BB_ERULE);
    ck_assert_str_eq(err.msg, "rule r1: 7");
    /* NULL err: just the code back */
    ck_assert_int_eq(bb_seterr(NULL, BB_EIO, "x"), BB_EIO);
}
END_TEST

START_TEST(test_seterr_truncates)
{
    struct bb_err err;
    char big[1000];

    memset(&err, 'z', sizeof(err));
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(bb_seterr(&err, BB_ELIMIT, "%s", big), BB_ELIMIT);
    ck_assert_uint_eq(strlen(err.msg), sizeof(err.msg) - 1);
    ck_assert_int_eq(err.msg[0], 'q');
}
END_TEST

START_TEST(test_err_prefix)
{
    struct bb_err err = { 0, "" };

    bb_seterr(&err, BB_EMATCH, "match limit");
    bb_err_prefix(&err, "rule %s at offset %d", "aws", 12);
    ck_assert_str_eq(err.msg, "rule aws at offset 12: match limit");
    ck_assert_int_eq(err.code, BB_EMATCH);
    bb_err_prefix(&err, "%s", "file.json");
    ck_assert_str_eq(err.msg,
                     "file.json: rule aws at offset 12: match limit");
    /* an empty message gets the prefix and ": " */
    bb_seterr(&err, BB_EIO, "%s", "");
    bb_err_prefix(&err, "p");
    ck_assert_str_eq(err.msg, "p: ");
    /* NULL err is ignored */
    bb_err_prefix(NULL, "p");
}
END_TEST

/* Old message lengths: the result always fits and keeps the prefix. */
static const size_t prefix_lens[] = { 0, 1, 200, 245, 246, 247, 248, 255 };

START_TEST(test_err_prefix_truncates)
{
    struct bb_err err;
    size_t ol = prefix_lens[_i];
    char want[300];

    memset(&err, 0, sizeof(err));
    memset(err.msg, 'm', ol);
    err.msg[ol] = '\0';
    bb_err_prefix(&err, "rule %s", "x");
    ck_assert_uint_le(strlen(err.msg), sizeof(err.msg) - 1);
    ck_assert_int_eq(strncmp(err.msg, "rule x: ", 8), 0);
    /* as much of the old message as fits */
    memset(want, 'm', sizeof(want));
    ol = ol > sizeof(err.msg) - 1 - 8 ? sizeof(err.msg) - 1 - 8 : ol;
    ck_assert_uint_eq(strlen(err.msg), 8 + ol);
    ck_assert_mem_eq(err.msg + 8, want, ol);
}
END_TEST

START_TEST(test_err_prefix_long_prefix)
{
    struct bb_err err;
    char pre[400];

    memset(pre, 'p', sizeof(pre) - 1);
    pre[sizeof(pre) - 1] = '\0';
    bb_seterr(&err, BB_ERULE, "old");
    bb_err_prefix(&err, "%s", pre);
    /* whatever is kept, the message stays terminated within msg */
    ck_assert_uint_le(strnlen(err.msg, sizeof(err.msg)),
                      sizeof(err.msg) - 1);
    ck_assert_int_eq(err.msg[0], 'p');
}
END_TEST

static const int codes[] = { BB_OK, BB_ENOMEM, BB_EINVAL, BB_ERULE,
                             BB_EIO, BB_ELIMIT, BB_EMATCH, BB_ESTATE,
                             BB_EINPUT };

START_TEST(test_strerror)
{
    const char *s = bb_strerror(codes[_i]);
    size_t i;

    ck_assert_ptr_nonnull(s);
    ck_assert_uint_gt(strlen(s), 0);
    ck_assert_str_ne(s, "unknown error");
    /* lowercase, one line, no final period (STYLE section 3) */
    for (i = 0; s[i] != '\0'; i++) {
        ck_assert(!(s[i] >= 'A' && s[i] <= 'Z'));
        ck_assert_int_ne(s[i], '\n');
    }
    ck_assert_int_ne(s[strlen(s) - 1], '.');
}
END_TEST

START_TEST(test_strerror_unknown)
{
    ck_assert_str_eq(bb_strerror(-99), "unknown error");
    ck_assert_str_eq(bb_strerror(5), "unknown error");
}
END_TEST

/* ---------------------------------------------------------- allocation */

START_TEST(test_alloc)
{
    char *p = bb_malloc(0);
    char *q = bb_calloc(0, 0);
    char *d;

    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(q);
    p = bb_realloc(p, 0);
    ck_assert_ptr_nonnull(p);
    bb_free(p);
    bb_free(q);
    bb_free(NULL);
    d = bb_strndup("abcdef", 3);
    ck_assert_str_eq(d, "abc");
    bb_free(d);
    d = bb_strndup("a\0b", 3);
    ck_assert_mem_eq(d, "a\0b\0", 4);
    bb_free(d);
    d = bb_strdup("");
    ck_assert_str_eq(d, "");
    bb_free(d);
    d = bb_strdup("hello");
    ck_assert_str_eq(d, "hello");
    bb_wipe(d, 5);
    ck_assert_mem_eq(d, "\0\0\0\0\0", 5);
    bb_free(d);
}
END_TEST

/* bb_fingerprint: HMAC-SHA256 (reference: Python's hmac module) of
 * the parts joined with NULs, its first 16 bytes in hex. */
START_TEST(test_fingerprint)
{
    const char *parts[3] = { "github-pat", "ghp_x", "a/b.py" };
    size_t lens[3] = { 10, 5, 6 };
    char fp[BB_FINGERPRINT_HEX + 1];
    char other[BB_FINGERPRINT_HEX + 1];
    struct bb_err err;

    ck_assert_int_eq(bb_fingerprint(fp, "k3y", 3, parts, lens, 3, &err), 0);
    ck_assert_str_eq(fp, "681b9c6b1cc7b37cf302557493ecc31c");
    parts[2] = "a/c.py"; /* another path, another fingerprint */
    ck_assert_int_eq(bb_fingerprint(other, "k3y", 3, parts, lens, 3, &err),
                     0);
    ck_assert_str_eq(other, "271ecd9dcec0d65f2e952cec488afceb");
    /* the separator is part of the input: "a" "" "b" is not "a" "b" */
    parts[0] = "a";
    parts[1] = "";
    parts[2] = "b";
    lens[0] = 1;
    lens[1] = 0;
    lens[2] = 1;
    ck_assert_int_eq(bb_fingerprint(fp, "k3y", 3, parts, lens, 3, &err), 0);
    ck_assert_str_eq(fp, "95bcab984975f704d78d4229e81c4ef2");
    ck_assert_int_eq(bb_fingerprint(fp, "", 0, parts, lens, 3, &err),
                     BB_EINVAL);
    ck_assert_int_eq(bb_fingerprint(fp, "k", 1, parts, lens, 0, &err),
                     BB_EINVAL);
}
END_TEST

/* A fingerprinter gives bb_fingerprint's values (Python's hmac again),
 * value after value under one key, whatever came before. */
START_TEST(test_fingerprinter)
{
    const char *parts[3] = { "github-pat", "ghp_x", "a/b.py" };
    size_t lens[3] = { 10, 5, 6 };
    char big_key[1025];
    char v[70];
    char fp[BB_FINGERPRINT_HEX + 1];
    struct bb_fingerprinter *f = NULL;
    struct bb_err err;
    int i;

    ck_assert_int_eq(bb_fingerprinter_new(&f, "k3y", 3, &err), 0);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(bb_fingerprinter_make(f, fp, parts, lens, 3, &err),
                         0);
        ck_assert_str_eq(fp, "681b9c6b1cc7b37cf302557493ecc31c");
        ck_assert_int_eq(bb_fingerprinter_make(f, fp, parts, lens, 2, &err),
                         0);
        ck_assert_str_eq(fp, "bcfb4bda5c547e1afc22ba1335c9fc9a");
    }
    ck_assert_int_eq(bb_fingerprinter_make(f, fp, parts, lens, 0, &err),
                     BB_EINVAL);
    bb_fingerprinter_free(f);
    /* a key longer than SHA-256's block is hashed first, as HMAC says */
    memset(big_key, 'K', sizeof(big_key));
    memset(v, 'v', sizeof(v));
    parts[0] = "rule";
    parts[1] = v;
    lens[0] = 4;
    lens[1] = sizeof(v);
    ck_assert_int_eq(bb_fingerprinter_new(&f, big_key, 100, &err), 0);
    ck_assert_int_eq(bb_fingerprinter_make(f, fp, parts, lens, 2, &err), 0);
    ck_assert_str_eq(fp, "f3e0d7d01021b3a2d068b5cf92ac2ea5");
    bb_fingerprinter_free(f);
    f = (struct bb_fingerprinter *)&err; /* set to NULL on failure */
    ck_assert_int_eq(bb_fingerprinter_new(&f, big_key, 1025, &err),
                     BB_EINVAL);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(bb_fingerprinter_new(&f, "", 0, &err), BB_EINVAL);
    bb_fingerprinter_free(NULL);
}
END_TEST

Suite *core_suite(void);

Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *core = tcase_create("core");
    TCase *limits = tcase_create("limits");
    TCase *errors = tcase_create("errors");

    tcase_add_test(core, test_buf_append);
    tcase_add_test(core, test_buf_grow_keeps_data);
    tcase_add_test(core, test_buf_consume);
    tcase_add_loop_test(core, test_utf8_tail, 0, (int)BB_ARRAY_LEN(tails));
    tcase_add_test(core, test_utf8_tail_prefix);
    tcase_add_test(core, test_alloc);
    tcase_add_test(core, test_fingerprint);
    tcase_add_test(core, test_fingerprinter);
    suite_add_tcase(s, core);
    tcase_add_loop_test(limits, test_buf_limit, 0,
                        (int)BB_ARRAY_LEN(limit_sizes));
    tcase_add_test(limits, test_buf_reserve_overflow);
    tcase_add_test(limits, test_buf_reserve_huge);
    tcase_set_timeout(limits, 5);
    suite_add_tcase(s, limits);
    tcase_add_test(errors, test_seterr);
    tcase_add_test(errors, test_seterr_truncates);
    tcase_add_test(errors, test_err_prefix);
    tcase_add_loop_test(errors, test_err_prefix_truncates, 0,
                        (int)BB_ARRAY_LEN(prefix_lens));
    tcase_add_test(errors, test_err_prefix_long_prefix);
    tcase_add_loop_test(errors, test_strerror, 0, (int)BB_ARRAY_LEN(codes));
    tcase_add_test(errors, test_strerror_unknown);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(core_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
