/*
 * check_stream.c - unit tests for the streaming scrubber through the
 * public bb_scrubber API with small inline packs: exact outputs, overlap
 * resolution, validators, allow lists, context, keywords, gates, flags,
 * placeholder escaping; chunking invariance (whole, 1-byte and random
 * feeds give byte-identical output); the 64 KiB chunk boundary; limits,
 * fail-closed behaviour and the memory bound.
 *
 * Packs are written with single quotes; json() makes them JSON. All
 * values are synthetic (test card numbers, invented addresses).
 */
#include "blackbar.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* -------------------------------------------------------------- packs */

#define EXAMPLES(m, n) "'examples':{'match':['" m "'],'nomatch':['" n "']}"

static const char pack_basic[] =
    "{'pack':'basic','version':1,'description':'stream tests','rules':["
    "{'id':'email','type':'EMAIL','description':'d',"
    "'pattern':'[a-z0-9._]{1,32}@[a-z0-9-]{1,32}(?:[.][a-z]{2,8}){1,3}',"
    "'keywords':['@'],'max_len':128," EXAMPLES("a@b.cd", "a@b") "},"
    "{'id':'card','type':'CARD','description':'d',"
    "'pattern':'(?<![0-9])[0-9]{16}(?![0-9])','validate':'luhn',"
    "'max_len':16,'severity':'high',"
    EXAMPLES("4111111111111111", "4111111111111112") "},"
    "{'id':'token','type':'TOKEN','description':'d',"
    "'pattern':'token=([A-Za-z0-9]{8,20})','group':1,"
    "'keywords':['token='],'max_len':26,"
    EXAMPLES("token=abcd1234XY", "token=abc") "},"
    "{'id':'note','type':'NOTE','description':'d',"
    "'pattern':'FLAGME[0-9]{3}','action':'flag','keywords':['flagme'],"
    "'max_len':9," EXAMPLES("FLAGME123", "FLAGME12") "},"
    "{'id':'key','type':'KEY','description':'d',"
    "'pattern':'KEY-[A-Z0-9]{8}','allow':['^KEY-EXAMPLE0$'],"
    "'keywords':['key-'],'max_len':12,"
    EXAMPLES("KEY-ZX81QW70", "KEY-EXAMPLE0") "},"
    "{'id':'ssn','type':'SSN','description':'d',"
    "'pattern':'(?<![0-9])[0-9]{9}(?![0-9])',"
    "'context':{'words':['ssn'],'window':20,'required':true},"
    "'max_len':9," EXAMPLES("ssn 512346789", "order 512346789") "},"
    "{'id':'secret','type':'SECRET','description':'d',"
    "'pattern':'(?i)(?:secret|hidden):[a-z]{6}','keywords':['secret'],"
    "'max_len':13," EXAMPLES("secret:abcdef", "hidden:abcdef") "},"
    "{'id':'block','type':'BLOCK','description':'d',"
    "'pattern':'BEGIN [a-z0-9 ]{1,60} END','action':'gate',"
    "'keywords':['begin'],'max_len':70,"
    EXAMPLES("BEGIN a END", "BEGIN END") "},"
    "{'id':'pin','type':'PIN','description':'d',"
    "'pattern':'pin [0-9]{4}','gate':'block','max_len':8,"
    EXAMPLES("BEGIN pin 1234 END", "pin 1234") "}"
    "]}";

/* Overlaps: longest span wins, then severity, then load order. */
static const char pack_overlap[] =
    "{'pack':'overlap','version':1,'description':'overlaps','rules':["
    "{'id':'short-hi','type':'SHORT','description':'d','pattern':'ABCD',"
    "'max_len':4,'severity':'critical'," EXAMPLES("ABCD", "ABC") "},"
    "{'id':'long-lo','type':'LONG','description':'d',"
    "'pattern':'ABCDEFGH','max_len':8,'severity':'low',"
    EXAMPLES("ABCDEFGH", "ABCDEFG") "},"
    "{'id':'sev-lo','type':'SEVLO','description':'d',"
    "'pattern':'QQ[0-9]{4}','max_len':6,'severity':'low',"
    EXAMPLES("QQ1234", "QQ12") "},"
    "{'id':'sev-hi','type':'SEVHI','description':'d',"
    "'pattern':'QQ[0-9]{2}[0-9]{2}','max_len':6,'severity':'high',"
    EXAMPLES("QQ1234", "QQ12") "},"
    "{'id':'ord-a','type':'ORDA','description':'d',"
    "'pattern':'ZZ[0-9]{4}','max_len':6," EXAMPLES("ZZ1234", "ZZ12") "},"
    "{'id':'ord-b','type':'ORDB','description':'d',"
    "'pattern':'ZZ[0-9]{4}','max_len':6," EXAMPLES("ZZ1234", "ZZ12") "},"
    "{'id':'ov-1','type':'OVA','description':'d','pattern':'MMM[0-9]{3}',"
    "'max_len':6," EXAMPLES("MMM123", "MMM12") "},"
    "{'id':'ov-2','type':'OVB','description':'d',"
    "'pattern':'[0-9]{3}NNNNN','max_len':8,"
    EXAMPLES("123NNNNN", "12NNNNN") "}"
    "]}";

static const char pack_aws[] =
    "{'pack':'aws','version':1,'description':'aws keys','rules':["
    "{'id':'aws-key','type':'AWS_KEY','description':'d',"
    "'pattern':'(?<![A-Z0-9])AKIA[0-9A-Z]{16}(?![A-Z0-9])',"
    "'keywords':['akia'],'max_len':20,"
    EXAMPLES("id AKIAZ3MHALXPQ5TBGR2N", "AKIA-not-a-key") "},"
    "{'id':'email','type':'EMAIL','description':'d',"
    "'pattern':'[a-z0-9._]{1,32}@[a-z0-9-]{1,32}(?:[.][a-z]{2,8}){1,3}',"
    "'keywords':['@'],'max_len':128," EXAMPLES("a@b.cd", "a@b") "}"
    "]}";

/* An unbounded pattern with a small max_len. */
static const char pack_limit[] =
    "{'pack':'limit','version':1,'description':'limits','rules':["
    "{'id':'xy','type':'XY','description':'d','pattern':'x[a-z]*y',"
    "'max_len':10," EXAMPLES("xaby", "xa") "}]}";

/* Catastrophic backtracking, for the match limit. */
static const char pack_backtrack[] =
    "{'pack':'backtrack','version':1,'description':'slow','rules':["
    "{'id':'slow','type':'SLOW','description':'d',"
    "'pattern':'(?:a|aa|aaa){1,60}[cd]','max_len':200,"
    EXAMPLES("aac", "b") "}]}";

/* A rule whose group lies after another rule's match although its own
 * match starts first (like curl-basic-auth around an Authorization
 * header in the built-in packs). */
static const char pack_group[] =
    "{'pack':'group','version':1,'description':'group order','rules':["
    "{'id':'outer','type':'USER','description':'d',"
    "'pattern':'A[^;]{0,30}?u=([a-z]{3,8})','group':1,'max_len':40,"
    EXAMPLES("A u=abc", "u=abc") "},"
    "{'id':'inner','type':'TOK','description':'d',"
    "'pattern':'tok=[a-z]{3,8}','max_len':12,"
    EXAMPLES("tok=abc", "tok=") "}"
    "]}";

/* A pattern that can match empty where its examples do not show it. */
static const char pack_empty[] =
    "{'pack':'empty','version':1,'description':'empty matches','rules':["
    "{'id':'la','type':'LA','description':'d','pattern':'(?=zz)|q',"
    "'max_len':2," EXAMPLES("q", "x") "}]}";

/* A keyword inside a name: the regex starts where the run of lead_class
 * bytes before the keyword begins, at most lead bytes back. */
static const char pack_lead[] =
    "{'pack':'lead','version':1,'description':'lead class','rules':["
    "{'id':'named','type':'NAMED','description':'d',"
    "'pattern':'(?<![a-z_])[a-z_]{0,12}key=([0-9]{4})','group':1,"
    "'keywords':['key'],'max_len':21,'lead':12,'lead_class':'a-z_',"
    EXAMPLES("my_api_key=1234", "my_api_key=12") "},"
    "{'id':'ref','type':'REF','description':'d',"
    "'pattern':'(?<![A-Z0-9])[A-Z]{2}-?[0-9]{4}(?![0-9])','max_len':7,"
    "'anchor':['A-Z','A-Z','-0-9','0-9'],"
    EXAMPLES("ref AB1234", "ref AB123") "},"
    "{'id':'pin','type':'PIN','description':'d',"
    "'pattern':'(?<![0-9])[0-9]{6}(?![0-9])','max_len':6,"
    "'context':{'words':['pin'],'window':8,'required':true},"
    "'digits':{'min':6,'lead':0},"
    EXAMPLES("pin 123456", "123456") "}"
    "]}";

enum pack_id {
    P_BASIC,
    P_GROUP,
    P_OVERLAP,
    P_AWS,
    P_LIMIT,
    P_BACKTRACK,
    P_EMPTY,
    P_LEAD,
    P_BUILTIN
};

static const char *const packs[] = { pack_basic, pack_group,
                                     pack_overlap, pack_aws, pack_limit,
                                     pack_backtrack, pack_empty,
                                     pack_lead };

/* Returns a malloc'ed copy of s with ' replaced by ". */
static char *json(const char *s)
{
    char *d = strdup(s);
    size_t i;

    ck_assert_ptr_nonnull(d);
    for (i = 0; d[i] != '\0'; i++) {
        d[i] = d[i] == '\'' ? '"' : d[i];
    }
    return d;
}

static struct bb_ruleset *load_opts(enum pack_id p,
                                    const struct bb_ruleset_opts *opts)
{
    struct bb_ruleset *rs = NULL;
    struct bb_err err = { 0, "" };
    char *j;

    ck_assert_int_eq(bb_ruleset_new(&rs, opts, &err), 0);
    if (p == P_BUILTIN) {
        ck_assert_int_eq(bb_ruleset_add_builtin(rs, &err), 0);
    } else {
        j = json(packs[p]);
        ck_assert_msg(bb_ruleset_add_pack(rs, "test.json", j, strlen(j),
                                          &err) == 0, "%s", err.msg);
        free(j);
    }
    ck_assert_msg(bb_ruleset_compile(rs, &err) == 0, "%s", err.msg);
    return rs;
}

static struct bb_ruleset *load(enum pack_id p, bool strict)
{
    struct bb_ruleset_opts opts = BB_RULESET_OPTS_INIT;

    opts.strict = strict;
    return load_opts(p, &opts);
}

/* ------------------------------------------------------------- output */

struct out {
    char *p;
    size_t n;
    size_t cap;
    bool fail_writes; /* make the write function fail */
};

static int put(const void *data, size_t len, void *ud)
{
    struct out *o = ud;

    /* A length this large is a bug upstream (a negative size_t). */
    if (o->fail_writes || len > ((size_t)1 << 30)) {
        return -1;
    }
    if (o->n + len + 1 > o->cap) {
        o->cap = (o->n + len + 1) * 2;
        o->p = realloc(o->p, o->cap);
        ck_assert_ptr_nonnull(o->p);
    }
    memcpy(o->p + o->n, data, len);
    o->n += len;
    o->p[o->n] = '\0';
    return 0;
}

static void out_free(struct out *o)
{
    free(o->p);
    memset(o, 0, sizeof(*o));
}

/* ------------------------------------------------------------ feeding */

/* How input is split: whole, one byte at a time, or random pieces of
 * 1..max bytes from a seeded generator. */
struct split {
    int mode; /* 0 whole, 1 one byte, 2 random */
    unsigned seed;
    size_t max;
};

static const struct split splits[] = {
    { 0, 0, 0 },   { 1, 0, 0 },   { 2, 1, 3 },   { 2, 2, 7 },
    { 2, 3, 17 },  { 2, 4, 64 },  { 2, 5, 300 }, { 2, 6, 5000 },
};

static size_t next_piece(const struct split *sp, uint64_t *state,
                         size_t left)
{
    size_t k;

    if (sp->mode == 0) {
        return left;
    }
    if (sp->mode == 1) {
        return 1;
    }
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    k = (size_t)((*state >> 33) % sp->max) + 1;
    return k > left ? left : k;
}

/* Scrub in with rs (and a fresh redactor keyed "test"), split as sp.
 * Returns the rc of the first failing call (0 if none). */
static int scrub(struct out *o, const struct bb_ruleset *rs, const char *op,
                 const char *in, size_t len, const struct split *sp)
{
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    uint64_t state = sp->seed;
    size_t off = 0;
    int rc;

    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_redactor_set_key(rd, "test", 4, &err), 0);
    if (op != NULL) {
        ck_assert_int_eq(bb_redactor_set_operator(rd, op, &err), 0);
    }
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, o, &err), 0);
    rc = 0;
    while (rc == 0 && off < len) {
        size_t k = next_piece(sp, &state, len - off);

        rc = bb_scrubber_feed(sc, in + off, k, &err);
        off += k;
    }
    if (rc == 0) {
        rc = bb_scrubber_finish(sc, &err);
    }
    if (rc == 0) {
        ck_assert_uint_eq(bb_scrubber_bytes_in(sc), len);
    }
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    return rc;
}

/* ------------------------------------------------------ exact outputs */

struct row {
    enum pack_id pack;
    bool strict;
    const char *in;
    size_t in_len;
    const char *want;
    size_t want_len;
};

#define S(lit) lit, sizeof(lit) - 1
#define SAME(lit) lit, sizeof(lit) - 1, lit, sizeof(lit) - 1

static const struct row rows[] = {
    /* empty and clean input */
    { P_BASIC, false, SAME("") },
    { P_BASIC, false, SAME("hello world\n") },
    { P_BASIC, false, SAME("no @ here, just x@y and @handle\n") },
    /* placeholder numbering */
    { P_BASIC, false, S("mail a@x.example now"), S("mail <EMAIL_1> now") },
    { P_BASIC, false, S("a@x.example b@x.example a@x.example"),
      S("<EMAIL_1> <EMAIL_2> <EMAIL_1>") },
    { P_BASIC, false, S("a@x.example\na@x.example\n"),
      S("<EMAIL_1>\n<EMAIL_1>\n") },
    { P_BASIC, false, S("a@x.example 4111111111111111 b@y.example "
                        "5555555555554444 4111111111111111"),
      S("<EMAIL_1> <CARD_1> <EMAIL_2> <CARD_2> <CARD_1>") },
    /* validator */
    { P_BASIC, false, SAME("card 4111111111111112 bad luhn") },
    { P_BASIC, false, SAME("card 41111111111111111 too long") },
    /* group redaction */
    { P_BASIC, false, S("token=abcd1234XY;"), S("token=<TOKEN_1>;") },
    { P_BASIC, false, S("a token=abcd1234XY b token=abcd1234XY"),
      S("a token=<TOKEN_1> b token=<TOKEN_1>") },
    { P_BASIC, false, SAME("token=abc;") },
    /* allow list and strict mode */
    { P_BASIC, false, S("KEY-EXAMPLE0 KEY-ZX81QW70"),
      S("KEY-EXAMPLE0 <KEY_1>") },
    { P_BASIC, true, S("KEY-EXAMPLE0 KEY-ZX81QW70"),
      S("<KEY_1> <KEY_2>") },
    /* required context, before and after, within the window */
    { P_BASIC, false, S("ssn 512346789"), S("ssn <SSN_1>") },
    { P_BASIC, false, S("SSN: 512346789."), S("SSN: <SSN_1>.") },
    { P_BASIC, false, S("512346789 is my ssn"), S("<SSN_1> is my ssn") },
    { P_BASIC, false, SAME("order 512346789 shipped") },
    { P_BASIC, false, SAME("ssn, see below ............ 512346789") },
    { P_BASIC, false, SAME("512346789 ........................ ssn") },
    /* keywords: a regex match without the keyword is not reported */
    { P_BASIC, false, SAME("hidden:abcdef") },
    { P_BASIC, false, S("secret:abcdef"), S("<SECRET_1>") },
    { P_BASIC, false, S("SeCrEt:abcdef"), S("<SECRET_1>") },
    /* gate: the inner rule runs only inside a gate match */
    { P_BASIC, false, S("BEGIN pin 1234 END pin 5678"),
      S("BEGIN <PIN_1> END pin 5678") },
    { P_BASIC, false, SAME("pin 1234") },
    { P_BASIC, false, SAME("BEGIN END") },
    /* Regression: a match that starts right after the gate match ends
     * was redacted when the input came whole, not when it came in 1-byte
     * pieces. Gated matches start inside a gate match. */
    { P_BASIC, false, SAME("BEGIN 4 ENDpin 5678\n") },
    /* flag: the text stays */
    { P_BASIC, false, SAME("x FLAGME123 y") },
    /* placeholder-shaped input is escaped */
    { P_BASIC, false, S("<EMAIL_1>"), S("<\\EMAIL_1>") },
    { P_BASIC, false, S("<\\EMAIL_1>"), S("<\\\\EMAIL_1>") },
    { P_BASIC, false, S("a@x.example <EMAIL_1>"),
      S("<EMAIL_1> <\\EMAIL_1>") },
    { P_BASIC, false, S("<CARD_12> <TOKEN_abc9>"),
      S("<\\CARD_12> <\\TOKEN_abc9>") },
    { P_BASIC, false, SAME("<b> <EMAIL> <email_1> < EMAIL_1>") },
    /* NUL bytes and invalid UTF-8 pass through */
    { P_BASIC, false, SAME("a\0b\0\0c\0") },
    { P_BASIC, false, SAME("\xff\xfe\xc3(\x80\xc0\xaf\xed\xa0\x80 x") },
    { P_BASIC, false, S("a@x.example\0b@x.example"),
      S("<EMAIL_1>\0<EMAIL_2>") },
    { P_BASIC, false, S("\xff\xfe" "a@x.example\xc3"),
      S("\xff\xfe<EMAIL_1>\xc3") },
    { P_BASIC, false, S("\x80" "4111111111111111\xff"),
      S("\x80<CARD_1>\xff") },
    { P_BASIC, false, S("caf\xc3\xa9 a@x.example \xe2\x82"),
      S("caf\xc3\xa9 <EMAIL_1> \xe2\x82") },
    { P_BASIC, false, SAME("trailing lead byte \xf0\x9f\x98") },
    /* lead_class: the start is found back across the name */
    { P_LEAD, false, S("x my_api_key=1234 y"),
      S("x my_api_key=<NAMED_1> y") },
    { P_LEAD, false, S("key=1234 a_key=5678"),
      S("key=<NAMED_1> a_key=<NAMED_2>") },
    { P_LEAD, false, S("9key=1234"), S("9key=<NAMED_1>") },
    { P_LEAD, false, S("a-key=1234"), S("a-key=<NAMED_1>") },
    { P_LEAD, false, S("a_b_c_d_e_f_key=1234"),
      S("a_b_c_d_e_f_key=<NAMED_1>") },
    { P_LEAD, false, SAME("a_b_c_d_e_f_gkey=1234 key_key") },
    /* anchor: capitals then digits, with or without the dash */
    { P_LEAD, false, S("AB1234 CD-5678 ef1234 GH12345"),
      S("<REF_1> <REF_2> ef1234 GH12345") },
    { P_LEAD, false, S("xAB1234"), S("x<REF_1>") },
    { P_LEAD, false, SAME("A B1234 AB-12 AB--1234") },
    /* required context and digits: only numbers near the word */
    { P_LEAD, false, S("pin 123456 and 654321"),
      S("pin <PIN_1> and 654321") },
    { P_LEAD, false, S("pin pin pin 1 2 3 4 5 6 7 pin 222333"),
      S("pin pin pin 1 2 3 4 5 6 7 pin <PIN_1>") },
    { P_LEAD, false, S("111222 pin ... 333444 ........ pin 555666"),
      S("<PIN_1> pin ... <PIN_2> ........ pin <PIN_3>") },
    { P_LEAD, false, SAME("pin ............... 777888") },
    /* overlaps */
    /* Regression: an empty match never advanced the search (a hang) */
    { P_EMPTY, false, S("aa zz bb q zz"), S("aa zz bb <LA_1> zz") },
    { P_OVERLAP, false, S("xABCDEFGHx"), S("x<LONG_1>x") },
    { P_OVERLAP, false, S("ABCD ABCDEFGH"), S("<SHORT_1> <LONG_1>") },
    { P_OVERLAP, false, S("QQ1234"), S("<SEVHI_1>") },
    { P_OVERLAP, false, S("ZZ1234"), S("<ORDA_1>") },
    { P_OVERLAP, false, S("MMM123NNNNN"), S("MMM<OVB_1>") },
    { P_OVERLAP, false, S("MMM123 MMM123NNNNN"), S("<OVA_1> MMM<OVB_1>") },
    /* Regression: findings were written in order of their whole-match
     * start, but a group can lie after a later match, so the text
     * between them got a negative length: the write function was called
     * with len = (size_t)-10 (the CLI exited 2, "write to stdout failed:
     * Bad address"). */
    { P_GROUP, false, S("A tok=abcdef u=secret;"),
      S("A <TOK_1> u=<USER_1>;") },
    { P_GROUP, false, S("A u=secret; tok=abcdef"),
      S("A u=<USER_1>; <TOK_1>") },
};

START_TEST(test_rows)
{
    const struct row *r = &rows[_i];
    struct bb_ruleset *rs = load(r->pack, r->strict);
    size_t k;

    for (k = 0; k < ARRAY_LEN(splits); k++) {
        struct out o = { NULL, 0, 0, false };
        int rc = scrub(&o, rs, NULL, r->in, r->in_len, &splits[k]);

        ck_assert_msg(rc == 0, "row %d (\"%s\") split %zu: rc %d", _i,
                      r->in, k, rc);
        ck_assert_msg(o.n == r->want_len &&
                      (o.n == 0 || memcmp(o.p, r->want, o.n) == 0),
                      "row %d split %zu: got \"%.*s\" (%zu), want \"%s\"",
                      _i, k, (int)o.n, o.p ? o.p : "", o.n, r->want);
        out_free(&o);
    }
    bb_ruleset_free(rs);
}
END_TEST

/* --------------------------------------------------- findings, flags */

struct seen {
    struct out *o;
    size_t n;
    enum bb_action action[8];
    uint64_t offset[8];
    size_t length[8];
    size_t rule[8];
    size_t out_at[8]; /* output length when the observer ran */
    char value[8][32];
    int fail_with;
};

static int observe(const struct bb_finding *f, void *ud)
{
    struct seen *s = ud;

    if (s->n < 8) {
        s->action[s->n] = f->action;
        s->offset[s->n] = f->offset;
        s->length[s->n] = f->length;
        s->rule[s->n] = f->rule;
        s->out_at[s->n] = s->o->n;
        snprintf(s->value[s->n], sizeof(s->value[0]), "%.*s",
                 (int)f->length, f->value);
    }
    s->n++;
    return s->fail_with;
}

/* Segments: one scrubber, separate texts. A value split over two
 * segments is not found; each segment's findings come at release, with
 * offsets in the whole stream; the output is every segment's, in order. */
START_TEST(test_segments)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };
    struct seen s;
    const char *parts[] = { "mail a@x.exa", "mple.org then ",
                            "x secret:abcdef", "4111111111111111" };
    size_t i;

    memset(&s, 0, sizeof(s));
    s.o = &o;
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    bb_scrubber_on_finding(sc, observe, &s);
    for (i = 0; i < ARRAY_LEN(parts); i++) {
        ck_assert_int_eq(bb_scrubber_append(sc, parts[i], strlen(parts[i]),
                                            &err), 0);
        ck_assert_int_eq(bb_scrubber_end_segment(sc, &err), 0);
        ck_assert_int_eq(bb_scrubber_release(sc, &err), 0);
    }
    /* "a@x.exa" alone is an address: the first segment's end cut it */
    ck_assert_uint_eq(s.n, 3);
    ck_assert_str_eq(s.value[0], "a@x.exa");
    ck_assert_uint_eq(s.offset[0], 5);
    ck_assert_str_eq(s.value[1], "secret:abcdef");
    ck_assert_uint_eq(s.offset[1], 12 + 14 + 2);
    ck_assert_str_eq(s.value[2], "4111111111111111");
    ck_assert_uint_eq(s.offset[2], 12 + 14 + 15);
    ck_assert_uint_eq(bb_scrubber_bytes_in(sc), 12 + 14 + 15 + 16);
    ck_assert_str_eq(o.p, "mail <EMAIL_1>mple.org then x <SECRET_1>"
                          "<CARD_1>");
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    out_free(&o);
}
END_TEST

START_TEST(test_flag_observer)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };
    struct seen s;
    const char in[] = "x FLAGME123 y a@x.example BEGIN pin 1234 END";
    const uint64_t *counts;

    memset(&s, 0, sizeof(s));
    s.o = &o;
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    bb_scrubber_on_finding(sc, observe, &s);
    ck_assert_int_eq(bb_scrubber_feed(sc, in, sizeof(in) - 1, &err), 0);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    ck_assert_str_eq(o.p, "x FLAGME123 y <EMAIL_1> BEGIN <PIN_1> END");
    /* gate matches are never reported */
    ck_assert_uint_eq(s.n, 3);
    ck_assert_int_eq(s.action[0], BB_ACTION_FLAG);
    ck_assert_uint_eq(s.offset[0], 2);
    ck_assert_uint_eq(s.length[0], 9);
    ck_assert_str_eq(s.value[0], "FLAGME123");
    ck_assert_int_eq(s.rule[0], bb_ruleset_find(rs, "note"));
    ck_assert_uint_eq(s.out_at[0], 2); /* called before its text */
    ck_assert_int_eq(s.action[1], BB_ACTION_REDACT);
    ck_assert_uint_eq(s.offset[1], 14);
    ck_assert_str_eq(s.value[1], "a@x.example");
    ck_assert_uint_eq(s.out_at[1], 14);
    ck_assert_str_eq(s.value[2], "pin 1234");
    counts = bb_scrubber_counts(sc);
    ck_assert_uint_eq(counts[bb_ruleset_find(rs, "note")], 1);
    ck_assert_uint_eq(counts[bb_ruleset_find(rs, "email")], 1);
    ck_assert_uint_eq(counts[bb_ruleset_find(rs, "pin")], 1);
    ck_assert_uint_eq(counts[bb_ruleset_find(rs, "block")], 0);
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    out_free(&o);
}
END_TEST

/* One redactor is one numbering scope, across scrubbers. */
START_TEST(test_scope_across_scrubbers)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };
    const char a[] = "a@x.example\n";
    const char b[] = "b@x.example a@x.example\n";

    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    ck_assert_int_eq(bb_scrubber_feed(sc, a, sizeof(a) - 1, &err), 0);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    bb_scrubber_free(sc);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    ck_assert_int_eq(bb_scrubber_feed(sc, b, sizeof(b) - 1, &err), 0);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    bb_scrubber_free(sc);
    ck_assert_str_eq(o.p, "<EMAIL_1>\n<EMAIL_2> <EMAIL_1>\n");
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    out_free(&o);
}
END_TEST

/* ------------------------------------------------ generated big text */

static const char *const words[] = {
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing",
    "elit", "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore",
    "et", "dolore", "magna", "aliqua", "enim", "ad", "minim", "veniam",
    "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi",
    "aliquip", "ex", "ea", "commodo", "consequat", "duis", "aute", "irure",
    "in", "reprehenderit", "voluptate", "velit", "esse", "cillum",
    "fugiat", "nulla", "pariatur", "caf\xc3\xa9", "na\xc3\xafve",
    "\xe2\x82\xac\x35", ",", ".", "\n", "(x)", "a-b", "\"q\""
};

struct gen {
    char *p;
    size_t n;
    size_t cap;
    size_t emails;
    size_t cards;
    size_t tokens;
    size_t ssns;
    size_t pins;
    size_t keys;
};

static void gen_put(struct gen *g, const char *s, size_t n)
{
    if (g->n + n + 1 > g->cap) {
        g->cap = (g->n + n + 1) * 2;
        g->p = realloc(g->p, g->cap);
        ck_assert_ptr_nonnull(g->p);
    }
    memcpy(g->p + g->n, s, n);
    g->n += n;
}

static void gen_str(struct gen *g, const char *s)
{
    gen_put(g, s, strlen(s));
}

/* Lorem-ipsum text of about size bytes with a value inserted every few
 * words; the struct counts what was inserted. Deterministic. */
static void gen_text(struct gen *g, size_t size, uint64_t seed)
{
    static const char *const cards[] = {
        "4111111111111111", "5555555555554444", "4012888888881881",
        "6011111111111117"
    };
    uint64_t st = seed;
    size_t n = 0;
    char v[96];

    memset(g, 0, sizeof(*g));
    while (g->n < size) {
        size_t i;
        size_t k;

        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        k = (size_t)(st >> 33);
        for (i = 0; i < 6 + k % 7; i++) {
            gen_str(g, words[(k >> (i % 16)) % ARRAY_LEN(words)]);
            gen_str(g, " ");
        }
        n++;
        switch (k % 12) {
        case 0:
        case 1:
            snprintf(v, sizeof(v), "user%zu.name@host%zu.example",
                     n % 500, n % 7);
            g->emails++;
            break;
        case 2:
            snprintf(v, sizeof(v), "%s", cards[n % ARRAY_LEN(cards)]);
            g->cards++;
            break;
        case 3:
            snprintf(v, sizeof(v), "token=Tok%zuabcdefgh", n % 50);
            g->tokens++;
            break;
        case 4:
            snprintf(v, sizeof(v), "ssn 5123467%02zu", n % 100);
            g->ssns++;
            break;
        case 5:
            snprintf(v, sizeof(v), "BEGIN pin %04zu END", n % 10000);
            g->pins++;
            break;
        case 6:
            snprintf(v, sizeof(v), "KEY-ZX%06zu", n % 1000000);
            g->keys++;
            break;
        case 7:
            snprintf(v, sizeof(v), "<EMAIL_%zu> FLAGME%03zu", n % 9,
                     n % 1000);
            break;
        case 8:
            snprintf(v, sizeof(v), "KEY-EXAMPLE0 hidden:abc%03zu",
                     n % 1000);
            break;
        case 9:
            gen_put(g, "nul\0bytes\0\xff\xfe\x80 ",
                    sizeof("nul\0bytes\0\xff\xfe\x80 ") - 1);
            v[0] = '\0';
            break;
        default:
            v[0] = '\0';
            break;
        }
        gen_str(g, v);
        gen_str(g, " ");
    }
}

/* Whole == 1-byte == random feeds, on 200 KB of generated text. */
START_TEST(test_generated_invariance)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct out first = { NULL, 0, 0, false };
    struct gen g;
    size_t k;
    char v[96];

    gen_text(&g, 200 * 1024, 42);
    ck_assert_uint_gt(g.emails, 100);
    ck_assert_int_eq(scrub(&first, rs, NULL, g.p, g.n, &splits[0]), 0);
    for (k = 1; k < ARRAY_LEN(splits); k++) {
        struct out o = { NULL, 0, 0, false };

        ck_assert_int_eq(scrub(&o, rs, NULL, g.p, g.n, &splits[k]), 0);
        ck_assert_msg(o.n == first.n && memcmp(o.p, first.p, o.n) == 0,
                      "split %zu differs from the whole feed", k);
        out_free(&o);
    }
    /* no inserted email survives; the numbering is shared */
    for (k = 0; k < 500; k++) {
        snprintf(v, sizeof(v), " user%zu.name@host%zu.example", k, k % 7);
        ck_assert_ptr_null(memmem(first.p, first.n, v, strlen(v)));
    }
    ck_assert_ptr_nonnull(memmem(first.p, first.n, "<EMAIL_1> ", 10));
    ck_assert_ptr_null(memmem(first.p, first.n, "4111111111111111", 16));
    ck_assert_ptr_nonnull(memmem(first.p, first.n, "<\\EMAIL_", 8));
    ck_assert_ptr_nonnull(memmem(first.p, first.n, "KEY-EXAMPLE0", 12));
    out_free(&first);
    free(g.p);
    bb_ruleset_free(rs);
}
END_TEST

/* Finding counts equal what was inserted, and every split agrees. */
START_TEST(test_generated_counts)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };
    const uint64_t *c;
    struct gen g;

    gen_text(&g, 200 * 1024, 7);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    ck_assert_int_eq(bb_scrubber_feed(sc, g.p, g.n, &err), 0);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    c = bb_scrubber_counts(sc);
    ck_assert_uint_eq(c[bb_ruleset_find(rs, "email")], g.emails);
    ck_assert_uint_eq(c[bb_ruleset_find(rs, "card")], g.cards);
    ck_assert_uint_eq(c[bb_ruleset_find(rs, "token")], g.tokens);
    ck_assert_uint_eq(c[bb_ruleset_find(rs, "ssn")], g.ssns);
    ck_assert_uint_eq(c[bb_ruleset_find(rs, "pin")], g.pins);
    ck_assert_uint_eq(c[bb_ruleset_find(rs, "key")], g.keys);
    ck_assert_uint_eq(bb_scrubber_bytes_in(sc), g.n);
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    out_free(&o);
    free(g.p);
    bb_ruleset_free(rs);
}
END_TEST

/* Several threads give the output of one, on the built-in packs and on
 * 2 MB of generated text (windows large enough for the threads). */
START_TEST(test_threads_same_output)
{
    struct bb_ruleset *rs = NULL;
    struct bb_err err = { 0, "" };
    struct out one = { NULL, 0, 0, false };
    struct gen g;
    unsigned n;

    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_int_eq(bb_ruleset_add_builtin(rs, &err), 0);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    gen_text(&g, 2 * 1024 * 1024, 99);
    for (n = 1; n <= 4; n++) {
        struct bb_redactor *rd = NULL;
        struct bb_scrubber *sc = NULL;
        struct out o = { NULL, 0, 0, false };

        ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
        ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
        ck_assert_int_eq(bb_scrubber_set_threads(sc, 0, &err), BB_EINVAL);
        ck_assert_int_eq(bb_scrubber_set_threads(sc, 17, &err), BB_EINVAL);
        ck_assert_int_eq(bb_scrubber_set_threads(sc, n, &err), 0);
        ck_assert_int_eq(bb_scrubber_feed(sc, g.p, g.n, &err), 0);
        ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
        ck_assert_int_eq(bb_scrubber_set_threads(sc, 2, &err), BB_ESTATE);
        bb_scrubber_free(sc);
        bb_redactor_free(rd);
        if (n == 1) {
            one = o;
            continue;
        }
        ck_assert_msg(o.n == one.n && memcmp(o.p, one.p, o.n) == 0,
                      "%u threads differ from one", n);
        out_free(&o);
    }
    out_free(&one);
    free(g.p);
    bb_ruleset_free(rs);
}
END_TEST

/* ------------------------------------------------ the chunk boundary */

#define CHUNK (64 * 1024)

/* Start offsets that put a 20-byte key across the internal 64 KiB chunk
 * boundaries (and one just before and after). */
static const size_t key_offsets[] = {
    CHUNK - 30, CHUNK - 20, CHUNK - 19, CHUNK - 15, CHUNK - 10, CHUNK - 6,
    CHUNK - 2, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 11,
    3 * CHUNK - 7, 65530
};

static char *filler(size_t n)
{
    static const char text[] = "lorem ipsum dolor sit amet ";
    char *p = malloc(n + 1);
    size_t i;

    ck_assert_ptr_nonnull(p);
    for (i = 0; i < n; i++) {
        p[i] = text[i % (sizeof(text) - 1)];
    }
    if (n > 0) {
        p[n - 1] = ' ';
    }
    p[n] = '\0';
    return p;
}

static void check_straddle(const char *value, const char *placeholder,
                           size_t at)
{
    struct bb_ruleset *rs = load(P_AWS, false);
    const char tail[] = " and more text after it\n";
    size_t vl = strlen(value);
    size_t pl = strlen(placeholder);
    char *pre = filler(at);
    char *in = malloc(at + vl + sizeof(tail));
    char *want = malloc(at + pl + sizeof(tail));
    size_t k;

    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(want);
    memcpy(in, pre, at);
    memcpy(in + at, value, vl);
    memcpy(in + at + vl, tail, sizeof(tail));
    memcpy(want, pre, at);
    memcpy(want + at, placeholder, pl);
    memcpy(want + at + pl, tail, sizeof(tail));
    for (k = 0; k < ARRAY_LEN(splits); k++) {
        struct out o = { NULL, 0, 0, false };

        if (splits[k].mode == 1) {
            continue; /* 1-byte feeds are covered by the rows */
        }
        ck_assert_int_eq(scrub(&o, rs, NULL, in, at + vl + sizeof(tail) - 1,
                               &splits[k]), 0);
        ck_assert_msg(o.n == at + pl + sizeof(tail) - 1 &&
                      memcmp(o.p, want, o.n) == 0,
                      "%s at %zu, split %zu: not redacted", placeholder, at,
                      k);
        out_free(&o);
    }
    free(pre);
    free(in);
    free(want);
    bb_ruleset_free(rs);
}

START_TEST(test_boundary_key)
{
    check_straddle("AKIAZ3MHALXPQ5TBGR2N", "<AWS_KEY_1>", key_offsets[_i]);
}
END_TEST

START_TEST(test_boundary_email)
{
    check_straddle("jane.doe@corp-mail.example", "<EMAIL_1>",
                   key_offsets[_i]);
}
END_TEST

/* ------------------------------------------------------------- limits */

/* A rule whose pattern is unbounded fails the stream with BB_ELIMIT as
 * soon as a (partial) match outgrows max_len; then every call returns
 * BB_ESTATE and nothing more is written. */
static const size_t limit_pieces[] = { 0, 1, 7, 4096, 100000 };

START_TEST(test_limit_unbounded)
{
    struct bb_ruleset *rs = load(P_LIMIT, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };
    size_t len = 1024 * 1024;
    size_t piece = limit_pieces[_i] ? limit_pieces[_i] : len;
    char *in = malloc(len);
    size_t off = 0;
    size_t written;
    size_t i;
    int rc = 0;

    ck_assert_ptr_nonnull(in);
    memcpy(in, "clean text then ", 16);
    in[16] = 'x';
    for (i = 17; i < len; i++) {
        in[i] = (char)('a' + i % 24); /* letters, never 'y' or 'z' */
    }
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    while (rc == 0 && off < len) {
        size_t k = piece > len - off ? len - off : piece;

        rc = bb_scrubber_feed(sc, in + off, k, &err);
        off += k;
    }
    if (rc == 0) {
        rc = bb_scrubber_finish(sc, &err);
    }
    ck_assert_int_eq(rc, BB_ELIMIT);
    ck_assert_int_eq(err.code, BB_ELIMIT);
    ck_assert_msg(strstr(err.msg, "xy") != NULL, "msg: %s", err.msg);
    /* nothing of the held match was released */
    written = o.n;
    ck_assert_uint_le(written, 16);
    ck_assert_int_eq(bb_scrubber_feed(sc, "more", 4, &err), BB_ESTATE);
    ck_assert_int_eq(err.code, BB_ESTATE);
    ck_assert_int_eq(bb_scrubber_feed(sc, "", 0, &err), BB_ESTATE);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), BB_ESTATE);
    ck_assert_uint_eq(o.n, written);
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    out_free(&o);
    free(in);
}
END_TEST

/* A complete match longer than max_len is an error too. */
START_TEST(test_limit_full_match)
{
    struct bb_ruleset *rs = load(P_LIMIT, false);
    struct out o = { NULL, 0, 0, false };
    const char ok[] = "xaby xabcdefgy";
    const char bad[] = "text xabcdefghijklmnopy more";

    ck_assert_int_eq(scrub(&o, rs, NULL, ok, sizeof(ok) - 1, &splits[0]),
                     0);
    ck_assert_str_eq(o.p, "<XY_1> <XY_2>");
    out_free(&o);
    ck_assert_int_eq(scrub(&o, rs, NULL, bad, sizeof(bad) - 1, &splits[0]),
                     BB_ELIMIT);
    ck_assert(o.n <= 5);
    out_free(&o);
    ck_assert_int_eq(scrub(&o, rs, NULL, bad, sizeof(bad) - 1, &splits[1]),
                     BB_ELIMIT);
    ck_assert(o.n <= 5);
    out_free(&o);
    bb_ruleset_free(rs);
}
END_TEST

/* Hitting the PCRE2 match limit is an error (BB_EMATCH), never a miss. */
START_TEST(test_match_limit)
{
    struct bb_ruleset_opts opts = BB_RULESET_OPTS_INIT;
    struct bb_ruleset *rs;
    struct out o = { NULL, 0, 0, false };
    char in[200];

    opts.match_limit = 1000;
    rs = load_opts(P_BACKTRACK, &opts);
    memset(in, 'a', sizeof(in));
    in[0] = ' ';
    ck_assert_int_eq(scrub(&o, rs, NULL, in, sizeof(in), &splits[0]),
                     BB_EMATCH);
    out_free(&o);
    bb_ruleset_free(rs);
}
END_TEST

/* A failing write fails the stream (BB_EIO), then BB_ESTATE. */
START_TEST(test_write_failure)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, true };
    const char in[] = "plain text a@x.example";
    int rc;

    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    rc = bb_scrubber_feed(sc, in, sizeof(in) - 1, &err);
    if (rc == 0) {
        rc = bb_scrubber_finish(sc, &err);
    }
    ck_assert_int_eq(rc, BB_EIO);
    o.fail_writes = false;
    ck_assert_int_eq(bb_scrubber_feed(sc, "x", 1, &err), BB_ESTATE);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), BB_ESTATE);
    ck_assert_uint_eq(o.n, 0);
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
}
END_TEST

/* An observer's negative return fails the stream with that code, and
 * the finding's replacement is not written. */
START_TEST(test_observer_failure)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };
    struct seen s;
    const char in[] = "before a@x.example after";
    int rc;

    memset(&s, 0, sizeof(s));
    s.o = &o;
    s.fail_with = BB_EINPUT;
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    bb_scrubber_on_finding(sc, observe, &s);
    rc = bb_scrubber_feed(sc, in, sizeof(in) - 1, &err);
    if (rc == 0) {
        rc = bb_scrubber_finish(sc, &err);
    }
    ck_assert_int_eq(rc, BB_EINPUT);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_ptr_null(o.p == NULL ? NULL : strstr(o.p, "EMAIL"));
    ck_assert_ptr_null(o.p == NULL ? NULL : strstr(o.p, "after"));
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), BB_ESTATE);
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    out_free(&o);
}
END_TEST

START_TEST(test_state_after_finish)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };

    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    ck_assert_int_eq(bb_scrubber_feed(sc, "abc", 3, &err), 0);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), BB_ESTATE);
    ck_assert_int_eq(bb_scrubber_feed(sc, "d", 1, &err), BB_ESTATE);
    ck_assert_uint_eq(o.n, 3);
    ck_assert_uint_eq(bb_scrubber_bytes_in(sc), 3);
    bb_scrubber_free(sc);
    bb_scrubber_free(NULL);
    /* bad arguments */
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, NULL, NULL, &err),
                     BB_EINVAL);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, NULL, put, &o, &err),
                     BB_EINVAL);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    out_free(&o);
}
END_TEST

START_TEST(test_uncompiled_ruleset)
{
    struct bb_ruleset *rs = NULL;
    struct bb_redactor *rd = NULL;
    struct bb_err err = { 0, "" };

    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), BB_EINVAL);
    ck_assert_ptr_null(rd);
    bb_ruleset_free(rs);
}
END_TEST

/* Memory: the hold stays small however much text goes through. */
START_TEST(test_max_hold)
{
    struct bb_ruleset *rs = load(P_BASIC, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };
    struct gen g;
    size_t total = 0;
    size_t off;

    gen_text(&g, 1024 * 1024, 99);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    while (total < 10 * 1024 * 1024) {
        for (off = 0; off < g.n; off += 8192) {
            size_t k = g.n - off < 8192 ? g.n - off : 8192;

            ck_assert_int_eq(bb_scrubber_feed(sc, g.p + off, k, &err), 0);
        }
        total += g.n;
        o.n = 0; /* keep the output buffer small */
    }
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    ck_assert_uint_eq(bb_scrubber_bytes_in(sc), total);
    ck_assert_msg(bb_scrubber_max_hold(sc) < 4096, "max hold %zu",
                  bb_scrubber_max_hold(sc));
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    out_free(&o);
    free(g.p);
    bb_ruleset_free(rs);
}
END_TEST

/* The same with the built-in packs, on less text. */
START_TEST(test_max_hold_builtin)
{
    struct bb_ruleset *rs = load(P_BUILTIN, false);
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    struct out o = { NULL, 0, 0, false };
    struct gen g;

    gen_text(&g, 2 * 1024 * 1024, 5);
    ck_assert_int_eq(bb_redactor_new(&rd, rs, &err), 0);
    ck_assert_int_eq(bb_scrubber_new(&sc, rs, rd, put, &o, &err), 0);
    ck_assert_int_eq(bb_scrubber_feed(sc, g.p, g.n, &err), 0);
    ck_assert_int_eq(bb_scrubber_finish(sc, &err), 0);
    ck_assert_msg(bb_scrubber_max_hold(sc) < 8192, "max hold %zu",
                  bb_scrubber_max_hold(sc));
    ck_assert_ptr_null(memmem(o.p, o.n, "4111111111111111", 16));
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    out_free(&o);
    free(g.p);
    bb_ruleset_free(rs);
}
END_TEST

/* Bytes that no built-in rule can match (no letters or digits, and no
 * '<', which starts placeholder escaping) pass through the built-in
 * packs byte for byte, in any split. */
START_TEST(test_binary_passthrough)
{
    struct bb_ruleset *rs = load(P_BUILTIN, false);
    size_t len = 128 * 1024;
    char *in = malloc(len);
    uint64_t st = 1;
    size_t i;
    size_t k;

    ck_assert_ptr_nonnull(in);
    for (i = 0; i < len; i++) {
        unsigned char c;

        do {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            c = (unsigned char)(st >> 56);
        } while ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                 (c >= 'a' && c <= 'z') || c == '<');
        in[i] = (char)c;
    }
    for (k = 0; k < ARRAY_LEN(splits); k++) {
        struct out o = { NULL, 0, 0, false };

        if (splits[k].mode == 1) {
            continue;
        }
        ck_assert_int_eq(scrub(&o, rs, NULL, in, len, &splits[k]), 0);
        ck_assert_msg(o.n == len && memcmp(o.p, in, len) == 0,
                      "split %zu changed the bytes", k);
        out_free(&o);
    }
    free(in);
    bb_ruleset_free(rs);
}
END_TEST

Suite *stream_suite(void);

Suite *stream_suite(void)
{
    Suite *s = suite_create("stream");
    TCase *core = tcase_create("core");
    TCase *chunking = tcase_create("chunking");
    TCase *limits = tcase_create("limits");
    TCase *errors = tcase_create("errors");

    tcase_add_loop_test(core, test_rows, 0, (int)ARRAY_LEN(rows));
    tcase_add_test(core, test_flag_observer);
    tcase_add_test(core, test_segments);
    tcase_add_test(core, test_scope_across_scrubbers);
    tcase_set_timeout(core, 60);
    suite_add_tcase(s, core);
    tcase_add_test(chunking, test_generated_invariance);
    tcase_add_test(chunking, test_generated_counts);
    tcase_add_test(chunking, test_threads_same_output);
    tcase_add_loop_test(chunking, test_boundary_key, 0,
                        (int)ARRAY_LEN(key_offsets));
    tcase_add_loop_test(chunking, test_boundary_email, 0,
                        (int)ARRAY_LEN(key_offsets));
    tcase_add_test(chunking, test_binary_passthrough);
    tcase_set_timeout(chunking, 120);
    suite_add_tcase(s, chunking);
    tcase_add_loop_test(limits, test_limit_unbounded, 0,
                        (int)ARRAY_LEN(limit_pieces));
    tcase_add_test(limits, test_limit_full_match);
    tcase_add_test(limits, test_max_hold);
    tcase_add_test(limits, test_max_hold_builtin);
    tcase_set_timeout(limits, 120);
    suite_add_tcase(s, limits);
    tcase_add_test(errors, test_match_limit);
    tcase_add_test(errors, test_write_failure);
    tcase_add_test(errors, test_observer_failure);
    tcase_add_test(errors, test_state_after_finish);
    tcase_add_test(errors, test_uncompiled_ruleset);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(stream_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
