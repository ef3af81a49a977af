/*
 * check_rules.c - unit tests for rule packs: every kind of bad pack is
 * refused whole with BB_ERULE and a message naming the source and the
 * rule, good packs load with every field readable, and the built-in
 * packs load and pass their own examples.
 *
 * Packs are written with single quotes for readability; json() turns
 * them into double quotes (no test pack needs a literal single quote).
 */
#include "blackbar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Returns a static copy of s with ' replaced by ". */
static const char *json(const char *s)
{
    static char buf[8192];
    size_t i;

    ck_assert_uint_lt(strlen(s), sizeof(buf));
    for (i = 0; s[i] != '\0'; i++) {
        buf[i] = s[i] == '\'' ? '"' : s[i];
    }
    buf[i] = '\0';
    return buf;
}

static struct bb_ruleset *new_rs(void)
{
    struct bb_ruleset *rs = NULL;
    struct bb_err err = { 0, "" };

    ck_assert_int_eq(bb_ruleset_new(&rs, NULL, &err), 0);
    ck_assert_ptr_nonnull(rs);
    return rs;
}

static void add_ok(struct bb_ruleset *rs, const char *source,
                   const char *pack)
{
    struct bb_err err = { 0, "" };
    const char *j = json(pack);
    int rc = bb_ruleset_add_pack(rs, source, j, strlen(j), &err);

    ck_assert_msg(rc == 0, "%s: %s", source, err.msg);
}

/* The pieces of a good rule; bad rules swap one of them. */
#define ID "'id':'r1'"
#define TYPE "'type':'SECRET'"
#define DESC "'description':'a test rule'"
#define PAT "'pattern':'ab[0-9]{2}'"
#define MAXLEN "'max_len':4"
#define EX "'examples':{'match':['x ab12 y'],'nomatch':['ab']}"
#define GOOD_BODY TYPE "," DESC "," PAT "," MAXLEN "," EX
#define RULE(...) "{" __VA_ARGS__ "}"
#define PACK_HEAD "{'pack':'p','version':1,'description':'test pack'," \
                  "'rules':["
#define PACK_TAIL "]}"
#define PACK(rules) PACK_HEAD rules PACK_TAIL
#define GOOD_G0 "{'id':'g0'," GOOD_BODY "}"

struct bad {
    const char *what;
    const char *pack; /* a whole pack, or NULL */
    const char *rule; /* one rule put into a pack, or NULL */
    bool names_rule;  /* message must contain "rule r1" */
    const char *want; /* message must contain this */
};

static const struct bad bads[] = {
    /* pack level */
    { "invalid JSON", "{'pack':", NULL, false, "invalid JSON" },
    /* Regression: text after the JSON value was ignored, so "{...}x"
     * or two concatenated packs loaded as the first one. */
    { "trailing garbage", PACK(GOOD_G0) "x", NULL, false, "invalid JSON" },
    { "empty input", "", NULL, false, "invalid JSON" },
    { "not an object", "[1,2]", NULL, false, "must be a JSON object" },
    { "missing pack", "{'version':1,'description':'d','rules':["
      GOOD_G0 "]}", NULL, false, "missing field \"pack\"" },
    { "pack not a string", "{'pack':5,'version':1,'description':'d',"
      "'rules':[" GOOD_G0 "]}", NULL, false, "\"pack\" must be a string" },
    { "bad pack name", "{'pack':'My Pack','version':1,'description':'d',"
      "'rules':[" GOOD_G0 "]}", NULL, false, "pack name" },
    { "missing version", "{'pack':'p','description':'d','rules':["
      GOOD_G0 "]}", NULL, false, "missing field \"version\"" },
    { "version 2", "{'pack':'p','version':2,'description':'d','rules':["
      GOOD_G0 "]}", NULL, false, "\"version\"" },
    { "version string", "{'pack':'p','version':'1','description':'d',"
      "'rules':[" GOOD_G0 "]}", NULL, false, "\"version\"" },
    { "missing description", "{'pack':'p','version':1,'rules':["
      GOOD_G0 "]}", NULL, false, "missing field \"description\"" },
    { "missing rules", "{'pack':'p','version':1,'description':'d'}", NULL,
      false, "\"rules\" must be a non-empty array" },
    { "empty rules", "{'pack':'p','version':1,'description':'d',"
      "'rules':[]}", NULL, false, "\"rules\" must be a non-empty array" },
    { "rules not an array", "{'pack':'p','version':1,'description':'d',"
      "'rules':{'a':" GOOD_G0 "}}", NULL, false, "\"rules\"" },
    { "unknown pack field", "{'pack':'p','version':1,'description':'d',"
      "'rule':[],'rules':[" GOOD_G0 "]}", NULL, false,
      "unknown field \"rule\"" },
    { "rule not an object", PACK("5"), NULL, false, "must be an object" },
    { "lead_class without lead", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['ab'],'lead_class':'a-z'"), true, "\"lead_class\"" },
    { "lead_class empty", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['ab'],'lead':4,'lead_class':''"), true,
      "\"lead_class\"" },
    { "lead_class reversed range", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['ab'],'lead':4,'lead_class':'z-a'"), true,
      "bad range" },
    { "lead_class control byte", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['ab'],'lead':4,'lead_class':'a\\n'"), true,
      "not printable" },
    { "anchor not an array", NULL, RULE(ID "," GOOD_BODY
      ",'anchor':'A-Z'"), true, "\"anchor\" must be an array" },
    { "anchor empty", NULL, RULE(ID "," GOOD_BODY ",'anchor':[]"), true,
      "\"anchor\" must be an array" },
    { "anchor too long", NULL, RULE(ID "," GOOD_BODY
      ",'anchor':['a','b','c','d','e','f','g','h','i']"), true,
      "1 to 8 byte classes" },
    { "anchor bad class", NULL, RULE(ID "," GOOD_BODY
      ",'anchor':['z-a']"), true, "not a string of printable" },
    { "anchor class not a string", NULL, RULE(ID "," GOOD_BODY
      ",'anchor':[5]"), true, "not a string of printable" },
    { "anchor of 9 ranges", NULL, RULE(ID "," GOOD_BODY
      ",'anchor':['acegikmoq']"), true, "more than 8 ranges" },
    { "anchor with keywords", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['ab'],'anchor':['a-z']"), true,
      "cannot go with keywords" },
    { "lead_class not a string", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['ab'],'lead':4,'lead_class':5"), true,
      "\"lead_class\" must be a string" },
    { "duplicate id in pack", PACK(RULE(ID "," GOOD_BODY) ","
      RULE(ID "," GOOD_BODY)), NULL, true, "duplicate rule id" },

    /* rule level: id, type, description, unknown fields */
    { "missing id", NULL, RULE(GOOD_BODY), false, "missing field \"id\"" },
    { "id uppercase", NULL, RULE("'id':'R1'," GOOD_BODY), false,
      "rule id must be" },
    { "id with underscore", NULL, RULE("'id':'r_1'," GOOD_BODY), false,
      "rule id must be" },
    { "id empty", NULL, RULE("'id':''," GOOD_BODY), false,
      "rule id must be" },
    { "id starts with digit", NULL, RULE("'id':'1r'," GOOD_BODY), false,
      "rule id must be" },
    { "id not a string", NULL, RULE("'id':7," GOOD_BODY), false,
      "\"id\" must be a string" },
    { "unknown rule field", NULL, RULE(ID "," GOOD_BODY ",'keyword':['ab']"),
      true, "unknown field \"keyword\"" },
    { "missing type", NULL, RULE(ID "," DESC "," PAT "," MAXLEN "," EX),
      true, "missing field \"type\"" },
    { "type lowercase", NULL, RULE(ID ",'type':'secret'," DESC "," PAT ","
      MAXLEN "," EX), true, "type must match" },
    { "type with dash", NULL, RULE(ID ",'type':'API-KEY'," DESC "," PAT ","
      MAXLEN "," EX), true, "type must match" },
    { "missing description", NULL, RULE(ID "," TYPE "," PAT "," MAXLEN ","
      EX), true, "missing field \"description\"" },

    /* pattern and group */
    { "missing pattern", NULL, RULE(ID "," TYPE "," DESC "," MAXLEN "," EX),
      true, "missing field \"pattern\"" },
    { "pattern not a string", NULL, RULE(ID "," TYPE "," DESC
      ",'pattern':['ab']," MAXLEN "," EX), true,
      "\"pattern\" must be a string" },
    { "bad regex", NULL, RULE(ID "," TYPE "," DESC ",'pattern':'ab(c',"
      MAXLEN "," EX), true, ": pattern: " },
    { "bad regex class", NULL, RULE(ID "," TYPE "," DESC
      ",'pattern':'[z-a]b'," MAXLEN "," EX), true, ": pattern: " },
    { "group beyond captures", NULL, RULE(ID "," GOOD_BODY ",'group':1"),
      true, "group 1 but the pattern has 0 groups" },
    { "group 2 of 1", NULL, RULE(ID "," TYPE "," DESC
      ",'pattern':'a(b)[0-9]'," MAXLEN "," EX ",'group':2"), true,
      "group 2" },
    { "group negative", NULL, RULE(ID "," GOOD_BODY ",'group':-1"), true,
      "\"group\"" },
    { "group not integer", NULL, RULE(ID "," GOOD_BODY ",'group':0.5"),
      true, "\"group\"" },
    { "empty-matching pattern", NULL, RULE(ID "," TYPE "," DESC
      ",'pattern':'a*'," MAXLEN "," EX), true, "empty string" },
    { "empty-matching alternation", NULL, RULE(ID "," TYPE "," DESC
      ",'pattern':'ab|'," MAXLEN "," EX), true, "empty string" },
    /* Regression: "(?=ab)" has PCRE2 MINLENGTH 2 but every match is
     * empty; it loaded, and then the stream looped forever at the first
     * "ab" of the input. */
    { "lookahead only", NULL, RULE(ID "," TYPE "," DESC
      ",'pattern':'(?=ab)'," MAXLEN "," EX), true, "empty string" },

    /* max_len */
    { "max_len missing", NULL, RULE(ID "," TYPE "," DESC "," PAT "," EX),
      true, "missing field \"max_len\"" },
    { "max_len 0", NULL, RULE(ID "," TYPE "," DESC "," PAT ",'max_len':0,"
      EX), true, "\"max_len\"" },
    { "max_len too large", NULL, RULE(ID "," TYPE "," DESC "," PAT
      ",'max_len':65537," EX), true, "\"max_len\"" },
    { "max_len negative", NULL, RULE(ID "," TYPE "," DESC "," PAT
      ",'max_len':-4," EX), true, "\"max_len\"" },
    { "max_len fraction", NULL, RULE(ID "," TYPE "," DESC "," PAT
      ",'max_len':4.5," EX), true, "\"max_len\"" },
    { "max_len string", NULL, RULE(ID "," TYPE "," DESC "," PAT
      ",'max_len':'4'," EX), true, "\"max_len\"" },
    { "max_len below shortest match", NULL, RULE(ID "," TYPE "," DESC
      "," PAT ",'max_len':3," EX), true, "shortest match" },

    /* enums and validators */
    { "unknown validator", NULL, RULE(ID "," GOOD_BODY
      ",'validate':'luhnn'"), true, "unknown validator \"luhnn\"" },
    { "validator not a string", NULL, RULE(ID "," GOOD_BODY
      ",'validate':true"), true, "\"validate\" must be a string" },
    { "bad action", NULL, RULE(ID "," GOOD_BODY ",'action':'delete'"), true,
      "unknown value for \"action\"" },
    { "action uppercase", NULL, RULE(ID "," GOOD_BODY ",'action':'REDACT'"),
      true, "unknown value for \"action\"" },
    { "bad severity", NULL, RULE(ID "," GOOD_BODY ",'severity':'urgent'"),
      true, "unknown value for \"severity\"" },
    { "bad category", NULL, RULE(ID "," GOOD_BODY ",'category':'spam'"),
      true, "unknown value for \"category\"" },
    { "entropy too high", NULL, RULE(ID "," GOOD_BODY ",'entropy':9"), true,
      "\"entropy\"" },
    { "entropy negative", NULL, RULE(ID "," GOOD_BODY ",'entropy':-1"),
      true, "\"entropy\"" },

    /* keywords */
    { "keywords uppercase", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['AB']"), true, "lowercase" },
    { "keywords mixed case", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['ab','Ab']"), true, "lowercase" },
    { "keywords non-ASCII", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['\xc3\xa9']"), true, "lowercase" },
    { "keywords empty string", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['']"), true, "\"keywords\"" },
    { "keywords not an array", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':'ab'"), true, "\"keywords\"" },
    { "keywords not strings", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':[1]"), true, "\"keywords\"" },
    { "keyword too long", NULL, RULE(ID "," GOOD_BODY
      ",'keywords':['abcdefghijklmnopqrstuvwxyzabcdefg']"), true,
      "32" },

    /* context and allow */
    { "context without words", NULL, RULE(ID "," GOOD_BODY
      ",'context':{'window':10}"), true, "missing field \"words\"" },
    { "context empty words", NULL, RULE(ID "," GOOD_BODY
      ",'context':{'words':[]}"), true, "context.words" },
    { "context unknown field", NULL, RULE(ID "," GOOD_BODY
      ",'context':{'words':['x'],'windw':10}"), true,
      "unknown field \"windw\"" },
    { "context window 0", NULL, RULE(ID "," GOOD_BODY
      ",'context':{'words':['x'],'window':0}"), true, "\"window\"" },
    { "context window too large", NULL, RULE(ID "," GOOD_BODY
      ",'context':{'words':['x'],'window':1025}"), true, "\"window\"" },
    { "context required not bool", NULL, RULE(ID "," GOOD_BODY
      ",'context':{'words':['x'],'required':'yes'}"), true,
      "\"required\"" },
    { "context not an object", NULL, RULE(ID "," GOOD_BODY
      ",'context':['x']"), true, "\"context\"" },
    { "allow bad regex", NULL, RULE(ID "," GOOD_BODY ",'allow':['(x']"),
      true, ": allow: " },
    { "allow not strings", NULL, RULE(ID "," GOOD_BODY ",'allow':[3]"),
      true, "\"allow\"" },

    /* examples */
    { "examples missing", NULL, RULE(ID "," TYPE "," DESC "," PAT ","
      MAXLEN), true, "\"examples\"" },
    { "examples not an object", NULL, RULE(ID "," TYPE "," DESC "," PAT ","
      MAXLEN ",'examples':['ab12']"), true, "\"examples\"" },
    { "examples match empty", NULL, RULE(ID "," TYPE "," DESC "," PAT ","
      MAXLEN ",'examples':{'match':[],'nomatch':['ab']}"), true,
      "examples" },
    { "examples nomatch empty", NULL, RULE(ID "," TYPE "," DESC "," PAT ","
      MAXLEN ",'examples':{'match':['ab12'],'nomatch':[]}"), true,
      "examples" },
    { "examples nomatch missing", NULL, RULE(ID "," TYPE "," DESC "," PAT
      "," MAXLEN ",'examples':{'match':['ab12']}"), true,
      "missing field \"nomatch\"" },
    { "examples match missing", NULL, RULE(ID "," TYPE "," DESC "," PAT
      "," MAXLEN ",'examples':{'nomatch':['ab']}"), true,
      "missing field \"match\"" },
    { "examples unknown field", NULL, RULE(ID "," TYPE "," DESC "," PAT
      "," MAXLEN ",'examples':{'match':['ab12'],'nomatch':['ab'],"
      "'maybe':['x']}"), true, "unknown field \"maybe\"" },
    { "examples empty string", NULL, RULE(ID "," TYPE "," DESC "," PAT
      "," MAXLEN ",'examples':{'match':[''],'nomatch':['ab']}"), true,
      "\"match\"" },
};

static const char source[] = "tests/bad-pack.json";

/* Load a base pack, try the bad one, and check that nothing of it
 * stayed: same count, no rule g0, and its pack name still free. */
static void expect_bad(const struct bad *b, const char *pack)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    const char *j;
    size_t before;
    int rc;

    add_ok(rs, "base.json", "{'pack':'base','version':1,'description':'d',"
           "'rules':[{'id':'base-rule'," GOOD_BODY "}]}");
    before = bb_ruleset_count(rs);
    j = json(pack);
    rc = bb_ruleset_add_pack(rs, source, j, strlen(j), &err);
    ck_assert_msg(rc == BB_ERULE, "%s: rc %d (%s)", b->what, rc, err.msg);
    ck_assert_int_eq(err.code, BB_ERULE);
    ck_assert_msg(strncmp(err.msg, source, strlen(source)) == 0,
                  "%s: message does not start with the source: %s",
                  b->what, err.msg);
    ck_assert_msg(strstr(err.msg, b->want) != NULL,
                  "%s: message lacks '%s': %s", b->what, b->want, err.msg);
    if (b->names_rule) {
        ck_assert_msg(strstr(err.msg, ": rule r1: ") != NULL,
                      "%s: message does not name rule r1: %s", b->what,
                      err.msg);
    }
    ck_assert_msg(strchr(err.msg, '\n') == NULL, "%s: multi-line message",
                  b->what);
    ck_assert_uint_eq(bb_ruleset_count(rs), before);
    ck_assert_int_eq(bb_ruleset_find(rs, "r1"), -1);
    ck_assert_int_eq(bb_ruleset_find(rs, "g0"), -1);
    /* the pack name was not taken by the failed pack */
    add_ok(rs, "again.json", PACK(GOOD_G0));
    ck_assert_uint_eq(bb_ruleset_count(rs), before + 1);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    bb_ruleset_free(rs);
}

START_TEST(test_bad_pack)
{
    const struct bad *b = &bads[_i];
    char pack[4096];

    if (b->pack != NULL) {
        expect_bad(b, b->pack);
        return;
    }
    /* the bad rule alone, then after a good rule of the same pack */
    snprintf(pack, sizeof(pack), "%s%s%s", PACK_HEAD, b->rule, PACK_TAIL);
    expect_bad(b, pack);
    snprintf(pack, sizeof(pack), "%s%s,%s%s", PACK_HEAD, GOOD_G0, b->rule,
             PACK_TAIL);
    expect_bad(b, pack);
}
END_TEST

/* A NUL inside the buffer ends the JSON text: the pack is refused, it
 * is not read past its length either. */
START_TEST(test_bad_pack_length)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    const char *j = json(PACK(GOOD_G0));

    /* cut short by len: invalid JSON */
    ck_assert_int_eq(bb_ruleset_add_pack(rs, "cut.json", j, strlen(j) - 2,
                                         &err), BB_ERULE);
    ck_assert_ptr_nonnull(strstr(err.msg, "cut.json"));
    ck_assert_uint_eq(bb_ruleset_count(rs), 0);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_duplicate_across_packs)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    const char *j;

    add_ok(rs, "a.json", "{'pack':'a','version':1,'description':'d',"
           "'rules':[" RULE(ID "," GOOD_BODY) "]}");
    ck_assert_uint_eq(bb_ruleset_count(rs), 1);
    j = json("{'pack':'b','version':1,'description':'d','rules':["
             GOOD_G0 "," RULE(ID "," GOOD_BODY) "]}");
    ck_assert_int_eq(bb_ruleset_add_pack(rs, "b.json", j, strlen(j), &err),
                     BB_ERULE);
    ck_assert_ptr_nonnull(strstr(err.msg, "b.json: rule r1: "));
    ck_assert_ptr_nonnull(strstr(err.msg, "pack a"));
    ck_assert_uint_eq(bb_ruleset_count(rs), 1);
    ck_assert_int_eq(bb_ruleset_find(rs, "g0"), -1);
    /* the same pack name twice */
    j = json("{'pack':'a','version':1,'description':'d','rules':["
             GOOD_G0 "]}");
    ck_assert_int_eq(bb_ruleset_add_pack(rs, "a2.json", j, strlen(j), &err),
                     BB_ERULE);
    ck_assert_ptr_nonnull(strstr(err.msg, "a2.json: "));
    ck_assert_ptr_nonnull(strstr(err.msg, "already loaded"));
    ck_assert_uint_eq(bb_ruleset_count(rs), 1);
    bb_ruleset_free(rs);
}
END_TEST

/* Gate problems are found when the ruleset is compiled. */
struct bad_gate {
    const char *what;
    const char *rules;
    const char *want;
};

#define GATE_RULE(id, extra) "{'id':'" id "','type':'GATE','description':" \
    "'d','pattern':'BEGIN[a-z ]{1,20}END','max_len':30," \
    "'examples':{'match':['BEGIN a END'],'nomatch':['END']}" extra "}"
#define INNER(gate) "{'id':'inner','type':'PIN','description':'d'," \
    "'pattern':'pin [0-9]{4}','max_len':8,'gate':'" gate "'," \
    "'examples':{'match':['BEGIN pin 1234 END'],'nomatch':['pin 12']}}"

static const struct bad_gate bad_gates[] = {
    { "gate is not a gate rule", GATE_RULE("g", "") "," INNER("g"),
      "rule inner: gate \"g\"" },
    { "gate is unknown", GATE_RULE("g", ",'action':'gate'") ","
      INNER("nope"), "rule inner: gate \"nope\"" },
    { "gate is a flag rule", GATE_RULE("g", ",'action':'flag'") ","
      INNER("g"), "rule inner: gate \"g\"" },
    { "gate chained", GATE_RULE("g", ",'action':'gate'") ","
      GATE_RULE("g2", ",'action':'gate','gate':'g'"), "rule g2: gates" },
    { "gate behind a gated rule", GATE_RULE("g", ",'action':'gate'") ","
      GATE_RULE("g2", ",'action':'gate'") ","
      "{'id':'mid','type':'PIN','description':'d','pattern':'pin',"
      "'max_len':3,'action':'gate','gate':'g','examples':{'match':['pin'],"
      "'nomatch':['pi']}}", "rule mid: gates" },
};

START_TEST(test_bad_gate)
{
    const struct bad_gate *b = &bad_gates[_i];
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    char pack[4096];

    snprintf(pack, sizeof(pack), "%s%s%s", PACK_HEAD, b->rules, PACK_TAIL);
    add_ok(rs, "gates.json", pack);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), BB_ERULE);
    ck_assert_int_eq(err.code, BB_ERULE);
    ck_assert_msg(strstr(err.msg, b->want) != NULL, "%s: %s", b->what,
                  err.msg);
    /* Regression (src/ruleset.c link_gates): gate errors found at
     * compile name the pack's source like every other pack error
     * ("FILE: rule ID: what is wrong", blackbar-rules(5)). */
    ck_assert_msg(strncmp(err.msg, "gates.json: ", 12) == 0,
                  "%s: message does not name the source: %s", b->what,
                  err.msg);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_good_gate)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    struct bb_rule_info ri;

    add_ok(rs, "gates.json", PACK(GATE_RULE("g", ",'action':'gate'") ","
                                  INNER("g")));
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    ck_assert_int_eq(bb_ruleset_rule(&ri, rs, 0, &err), 0);
    ck_assert_int_eq(ri.action, BB_ACTION_GATE);
    bb_ruleset_free(rs);
}
END_TEST

/* ------------------------------------------------------------ good */

static const char good_pack[] =
    "{'pack':'good-1','version':1,'description':'good rules',"
    "'rules':["
    "{'id':'aws-key','type':'AWS_ACCESS_KEY','description':'AWS key id',"
    "'pattern':'(?<![A-Z0-9])(AKIA[0-9A-Z]{16})(?![A-Z0-9])','group':1,"
    "'keywords':['akia'],'max_len':20,'severity':'high',"
    "'allow':['^AKIAIOSFODNN7EXAMPLE$'],"
    "'context':{'words':['aws'],'window':32},"
    "'examples':{'match':['id=AKIAZ3MHALXPQ5TBGR2N'],"
    "'nomatch':['AKIAIOSFODNN7EXAMPLE','AKIA-not-a-key']}},"
    "{'id':'card','type':'CARD','description':'card number',"
    "'pattern':'(?<![0-9])[0-9]{16}(?![0-9])','validate':'luhn',"
    "'max_len':16,'action':'flag','severity':'low',"
    "'entropy':null,"
    "'examples':{'match':['pay 4111111111111111 now'],"
    "'nomatch':['pay 4111111111111112 now']}},"
    "{'id':'threat','type':'THREAT','description':'a threat',"
    "'pattern':'(?i)i will hurt you','max_len':20,'action':'block',"
    "'severity':'critical','category':'harassment/threatening',"
    "'keywords':['hurt'],"
    "'examples':{'match':['I will hurt you'],'nomatch':['it will not "
    "hurt']}}"
    "]}";

START_TEST(test_good_pack_fields)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    struct bb_rule_info ri;

    add_ok(rs, "good.json", good_pack);
    ck_assert_uint_eq(bb_ruleset_count(rs), 3);
    ck_assert_int_eq(bb_ruleset_rule(&ri, rs, 0, &err), 0);
    ck_assert_str_eq(ri.id, "aws-key");
    ck_assert_str_eq(ri.type, "AWS_ACCESS_KEY");
    ck_assert_str_eq(ri.description, "AWS key id");
    ck_assert_str_eq(ri.pack, "good-1");
    ck_assert_ptr_null(ri.category);
    ck_assert_int_eq(ri.action, BB_ACTION_REDACT);
    ck_assert_int_eq(ri.severity, BB_SEV_HIGH);
    ck_assert_uint_eq(ri.max_len, 20);
    ck_assert_uint_eq(ri.n_keywords, 1);
    ck_assert(!ri.has_validator);
    ck_assert_int_eq(bb_ruleset_rule(&ri, rs, 1, &err), 0);
    ck_assert_str_eq(ri.id, "card");
    ck_assert_int_eq(ri.action, BB_ACTION_FLAG);
    ck_assert_int_eq(ri.severity, BB_SEV_LOW);
    ck_assert_uint_eq(ri.n_keywords, 0);
    ck_assert(ri.has_validator);
    ck_assert_int_eq(bb_ruleset_rule(&ri, rs, 2, &err), 0);
    ck_assert_str_eq(ri.id, "threat");
    ck_assert_int_eq(ri.action, BB_ACTION_BLOCK);
    ck_assert_int_eq(ri.severity, BB_SEV_CRITICAL);
    ck_assert_str_eq(ri.category, "harassment/threatening");
    /* defaults: redact, medium */
    bb_ruleset_free(rs);
    rs = new_rs();
    add_ok(rs, "p.json", PACK(RULE(ID "," GOOD_BODY)));
    ck_assert_int_eq(bb_ruleset_rule(&ri, rs, 0, &err), 0);
    ck_assert_int_eq(ri.action, BB_ACTION_REDACT);
    ck_assert_int_eq(ri.severity, BB_SEV_MEDIUM);
    ck_assert_str_eq(ri.pack, "p");
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_find_and_compile)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    struct bb_rule_info ri;
    const char *j;

    add_ok(rs, "good.json", good_pack);
    add_ok(rs, "p.json", PACK(GOOD_G0));
    ck_assert_int_eq(bb_ruleset_find(rs, "aws-key"), 0);
    ck_assert_int_eq(bb_ruleset_find(rs, "threat"), 2);
    ck_assert_int_eq(bb_ruleset_find(rs, "g0"), 3);
    ck_assert_int_eq(bb_ruleset_find(rs, "nope"), -1);
    ck_assert_int_eq(bb_ruleset_find(rs, ""), -1);
    ck_assert_int_eq(bb_ruleset_find(rs, "AWS-KEY"), -1);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    /* the internal escape rule comes last */
    ck_assert_uint_eq(bb_ruleset_count(rs), 5);
    ck_assert_int_eq(bb_ruleset_find(rs, "placeholder-escape"), 4);
    ck_assert_int_eq(bb_ruleset_rule(&ri, rs, 4, &err), 0);
    ck_assert_str_eq(ri.id, "placeholder-escape");
    /* immutable after compile */
    j = json(PACK(RULE(ID "," GOOD_BODY)));
    ck_assert_int_eq(bb_ruleset_add_pack(rs, "late.json", j, strlen(j),
                                         &err), BB_EINVAL);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), BB_EINVAL);
    ck_assert_uint_eq(bb_ruleset_count(rs), 5);
    ck_assert_int_eq(bb_ruleset_rule(&ri, rs, 5, &err), BB_EINVAL);
    ck_assert_int_eq(err.code, BB_EINVAL);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_empty_ruleset)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };

    ck_assert_uint_eq(bb_ruleset_count(rs), 0);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    ck_assert_uint_eq(bb_ruleset_count(rs), 1);
    bb_ruleset_free(rs);
    bb_ruleset_free(NULL);
}
END_TEST

/* A user rule cannot take the internal rule's id or pack name. */
START_TEST(test_internal_names_taken)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };

    add_ok(rs, "p.json", PACK(RULE("'id':'placeholder-escape',"
                                   GOOD_BODY)));
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), BB_ERULE);
    bb_ruleset_free(rs);
    rs = new_rs();
    add_ok(rs, "p.json", "{'pack':'blackbar-internal','version':1,"
           "'description':'d','rules':[" GOOD_G0 "]}");
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), BB_ERULE);
    bb_ruleset_free(rs);
}
END_TEST

/* ------------------------------------------------------- self-tests */

START_TEST(test_rule_test_results)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    struct bb_rule_test t;

    add_ok(rs, "good.json", good_pack);
    add_ok(rs, "p.json", PACK(
        "{'id':'wrong-match','type':'T','description':'d',"
        "'pattern':'ab[0-9]{2}','max_len':4,'examples':{"
        "'match':['ab12','xyz','ab99'],'nomatch':['ab']}},"
        "{'id':'wrong-nomatch','type':'T','description':'d',"
        "'pattern':'ab[0-9]{2}','max_len':4,'examples':{"
        "'match':['ab12'],'nomatch':['ab','ab34']}}"));
    ck_assert_int_eq(bb_ruleset_test_rule(&t, rs, 0, &err), BB_EINVAL);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    ck_assert_int_eq(bb_ruleset_test_rule(&t, rs, 0, &err), 0);
    ck_assert_uint_eq(t.rule, 0);
    ck_assert_uint_eq(t.n_examples, 3);
    ck_assert_uint_eq(t.n_failed, 0);
    ck_assert_int_eq(bb_ruleset_test_rule(&t, rs, 3, &err), 0);
    ck_assert_uint_eq(t.n_examples, 4);
    ck_assert_uint_eq(t.n_failed, 1);
    ck_assert_uint_eq(t.first_failed, 1);
    ck_assert(t.failed_is_match);
    ck_assert_int_eq(bb_ruleset_test_rule(&t, rs, 4, &err), 0);
    ck_assert_uint_eq(t.n_failed, 1);
    ck_assert_uint_eq(t.first_failed, 1); /* index among the nomatch */
    ck_assert(!t.failed_is_match);
    ck_assert_int_eq(bb_ruleset_test_rule(&t, rs, 99, &err), BB_EINVAL);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_lint)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    char buf[1024];
    size_t n = 0;

    add_ok(rs, "good.json", good_pack);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    /* card has no keywords */
    ck_assert_int_eq(bb_ruleset_lint_rule(&n, buf, sizeof(buf), rs, 1,
                                          &err), 0);
    ck_assert_uint_ge(n, 1);
    ck_assert_ptr_nonnull(strstr(buf, "no keywords"));
    ck_assert_int_eq(bb_ruleset_lint_rule(&n, buf, sizeof(buf), rs, 99,
                                          &err), BB_EINVAL);
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_builtin_names)
{
    const char *const *names = bb_builtin_pack_names();
    bool pii = false;
    bool secrets = false;
    size_t i;

    for (i = 0; names[i] != NULL; i++) {
        pii = pii || strcmp(names[i], "pii") == 0;
        secrets = secrets || strcmp(names[i], "secrets") == 0;
    }
    ck_assert(pii);
    ck_assert(secrets);
}
END_TEST

START_TEST(test_builtin_loads)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    struct bb_rule_info ri;
    size_t i;

    ck_assert_int_eq(bb_ruleset_add_builtin(rs, &err), 0);
    ck_assert_uint_gt(bb_ruleset_count(rs), 20);
    ck_assert_int_ge(bb_ruleset_find(rs, "email"), 0);
    ck_assert_int_ge(bb_ruleset_find(rs, "aws-access-key-id"), 0);
    /* twice: the pack names are taken */
    ck_assert_int_eq(bb_ruleset_add_builtin(rs, &err), BB_ERULE);
    ck_assert_ptr_nonnull(strstr(err.msg, "builtin:"));
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    for (i = 0; i < bb_ruleset_count(rs); i++) {
        ck_assert_int_eq(bb_ruleset_rule(&ri, rs, i, &err), 0);
        ck_assert_uint_ge(ri.max_len, 1);
        ck_assert_uint_le(ri.max_len, 65536);
    }
    bb_ruleset_free(rs);
}
END_TEST

START_TEST(test_builtin_examples)
{
    struct bb_ruleset *rs = new_rs();
    struct bb_err err = { 0, "" };
    struct bb_rule_test t;
    struct bb_rule_info ri;
    size_t i;

    ck_assert_int_eq(bb_ruleset_add_builtin(rs, &err), 0);
    ck_assert_int_eq(bb_ruleset_compile(rs, &err), 0);
    for (i = 0; i < bb_ruleset_count(rs); i++) {
        ck_assert_int_eq(bb_ruleset_rule(&ri, rs, i, &err), 0);
        ck_assert_msg(bb_ruleset_test_rule(&t, rs, i, &err) == 0, "%s: %s",
                      ri.id, err.msg);
        ck_assert_msg(t.n_examples >= 2, "%s: %zu examples", ri.id,
                      t.n_examples);
        ck_assert_msg(t.n_failed == 0, "%s: %zu of %zu examples wrong "
                      "(first: %s example %zu)", ri.id, t.n_failed,
                      t.n_examples, t.failed_is_match ? "match" : "nomatch",
                      t.first_failed + 1);
    }
    bb_ruleset_free(rs);
}
END_TEST

Suite *rules_suite(void);

Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *core = tcase_create("core");
    TCase *errors = tcase_create("errors");
    TCase *builtin = tcase_create("builtin");

    tcase_add_test(core, test_good_pack_fields);
    tcase_add_test(core, test_find_and_compile);
    tcase_add_test(core, test_empty_ruleset);
    tcase_add_test(core, test_good_gate);
    tcase_add_test(core, test_rule_test_results);
    tcase_add_test(core, test_lint);
    suite_add_tcase(s, core);
    tcase_add_loop_test(errors, test_bad_pack, 0, (int)ARRAY_LEN(bads));
    tcase_add_test(errors, test_bad_pack_length);
    tcase_add_test(errors, test_duplicate_across_packs);
    tcase_add_loop_test(errors, test_bad_gate, 0,
                        (int)ARRAY_LEN(bad_gates));
    tcase_add_test(errors, test_internal_names_taken);
    suite_add_tcase(s, errors);
    tcase_add_test(builtin, test_builtin_names);
    tcase_add_test(builtin, test_builtin_loads);
    tcase_add_test(builtin, test_builtin_examples);
    suite_add_tcase(s, builtin);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rules_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
