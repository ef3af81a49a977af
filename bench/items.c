/*
 * items.c - value generators for every item and decoy type of the
 * benchmark corpus (Luhn, mod-97, CRC32 and base64 where real values carry
 * them) and the templates that place them in prose and logs. Values only:
 * offsets, escaping and the truth file belong to gencorpus.c.
 */
#include "items.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

static const char *const FIRST[] = {
    "james", "mary", "john", "patricia", "robert", "jennifer", "michael",
    "linda", "david", "susan", "joseph", "sarah", "thomas", "karen", "daniel",
    "nancy", "ana", "lucas", "sofia", "mateo", "emma", "noah", "mia", "liam",
    "hugo", "lea", "jonas", "marie", "lena", "paul", "priya", "kenji"};
static const char *const LAST[] = {
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
    "davis", "martinez", "lopez", "wilson", "anderson", "taylor", "moore",
    "martin", "lee", "thompson", "white", "harris", "clark", "walker",
    "king", "wright", "green", "baker", "muller", "schmidt", "fischer",
    "weber", "dubois", "moreau", "laurent", "rossi", "novak", "tanaka"};
static const char *const MAILDOMS[] = {
    "gmail.com", "yahoo.com", "outlook.com", "proton.me", "icloud.com",
    "gmx.de", "web.de", "orange.fr", "hotmail.co.uk", "fastmail.com",
    "acme.com", "globex.io", "initech.net", "mail.hooli.com", "umbrella.de",
    "corp.vandelay.fr", "stark.co.uk", "eu.cyberdyne.org"};

const char *items_first_name(struct gen_rng *r)
{
    return GEN_PICK(r, FIRST);
}

const char *items_last_name(struct gen_rng *r)
{
    return GEN_PICK(r, LAST);
}

static char luhn_digit(const char *d, size_t n)
{
    unsigned sum = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned x = (unsigned)(d[n - 1 - i] - '0');
        if (i % 2 == 0) {
            x = x * 2 > 9 ? x * 2 - 9 : x * 2;
        }
        sum += x;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

/* Card number. Brand 0 Visa, 1 Mastercard (51-55 or 2221-2720), 2 Amex;
 * style 0 compact, 1 spaced, 2 dashed. Invalid ones are 16 digits. */
static void card(struct gen_buf *v, size_t *brand, size_t *style,
                 struct gen_rng *r, bool valid)
{
    char d[16];
    size_t n = 16;
    size_t i = 1;

    *brand = gen_below(r, valid ? 3 : 2);
    *style = gen_below(r, 3);
    d[0] = *brand == 0 ? '4' : *brand == 1 ? '5' : '3';
    if (*brand == 1 && gen_below(r, 4) == 0) {
        memcpy(d, gen_below(r, 2) ? "2221" : "2720", 4);
        i = 4;
    } else if (*brand == 1) {
        d[i++] = (char)('1' + gen_below(r, 5));
    } else if (*brand == 2) {
        d[i++] = gen_below(r, 2) ? '4' : '7';
        n = 15;
    }
    for (; i < n - 1; i++) {
        d[i] = (char)('0' + gen_below(r, 10));
    }
    d[n - 1] = luhn_digit(d, n - 1);
    if (!valid) {
        d[n - 1] = (char)('0' + (d[n - 1] - '0' + 1 + gen_below(r, 9)) % 10);
    }
    for (i = 0; i < n; i++) {
        bool group = n == 15 ? (i == 4 || i == 10) : (i > 0 && i % 4 == 0);
        if (group && *style > 0) {
            gen_put_c(v, *style == 1 ? ' ' : '-');
        }
        gen_put_c(v, d[i]);
    }
}

static const char *mk_card(struct gen_buf *v, struct gen_rng *r)
{
    static const char *const fmts[3][3] = {
        {"visa_compact", "visa_spaced", "visa_dashed"},
        {"mastercard_compact", "mastercard_spaced", "mastercard_dashed"},
        {"amex_compact", "amex_spaced", "amex_dashed"}};
    size_t brand;
    size_t style;

    card(v, &brand, &style, r, true);
    return fmts[brand][style];
}

static const struct iban_spec {
    const char *cc;
    const char *bban; /* n digit, a upper-case letter, c upper-case alnum */
    const char *fmt[2];
} IBANS[] = {
    {"DE", "nnnnnnnnnnnnnnnnnn", {"DE_compact", "DE_grouped"}},
    {"GB", "aaaannnnnnnnnnnnnn", {"GB_compact", "GB_grouped"}},
    {"FR", "nnnnnnnnnncccccccccccnn", {"FR_compact", "FR_grouped"}},
    {"NL", "aaaannnnnnnnnn", {"NL_compact", "NL_grouped"}},
    {"ES", "nnnnnnnnnnnnnnnnnnnn", {"ES_compact", "ES_grouped"}},
    {"IT", "annnnnnnnnncccccccccccc", {"IT_compact", "IT_grouped"}},
    {"BE", "nnnnnnnnnnnn", {"BE_compact", "BE_grouped"}}};

/* ISO 13616 check digits: 98 - (BBAN, country, "00") mod 97. */
static unsigned iban_check(const char *cc, const char *bban, size_t n)
{
    unsigned rem = 0;
    size_t i;

    for (i = 0; i < n + 4; i++) {
        char c = i < n ? bban[i] : i < n + 2 ? cc[i - n] : '0';
        rem = c <= '9' ? (rem * 10 + (unsigned)(c - '0')) % 97
                       : (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return 98 - rem;
}

/* Compact or grouped by four; invalid ones get other check digits in the
 * legal range 02..98. */
static const char *iban(struct gen_buf *v, struct gen_rng *r, bool valid)
{
    const struct iban_spec *sp = &GEN_PICK(r, IBANS);
    const char *an = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char s[40];
    size_t n = strlen(sp->bban);
    size_t i;
    unsigned chk;
    bool grouped = gen_below(r, 2) == 1;

    for (i = 0; i < n; i++) {
        char t = sp->bban[i];
        s[4 + i] = t == 'a'   ? an[10 + gen_below(r, 26)]
                   : t == 'c' ? an[gen_below(r, 36)]
                              : an[gen_below(r, 10)];
    }
    chk = iban_check(sp->cc, s + 4, n);
    if (!valid) {
        chk = 2 + (chk - 2 + 1 + (unsigned)gen_below(r, 96)) % 97;
    }
    memcpy(s, sp->cc, 2);
    s[2] = (char)('0' + chk / 10);
    s[3] = (char)('0' + chk % 10);
    for (i = 0; i < n + 4; i++) {
        if (grouped && i > 0 && i % 4 == 0) {
            gen_put_c(v, ' ');
        }
        gen_put_c(v, s[i]);
    }
    return sp->fmt[grouped];
}

static const char *mk_iban(struct gen_buf *v, struct gen_rng *r)
{
    return iban(v, r, true);
}

static const char *mk_email(struct gen_buf *v, struct gen_rng *r)
{
    static const char *const fmts[] = {"first.last", "firstlast", "f.last",
                                       "first_last", "first.last+tag",
                                       "first99"};
    static const char *const sep[] = {".", "", ".", "_", ".", ""};
    const char *f = GEN_PICK(r, FIRST);
    const char *l = GEN_PICK(r, LAST);
    size_t style = gen_below(r, GEN_NELEM(fmts));

    gen_put(v, f, style == 2 ? 1 : strlen(f));
    gen_put_s(v, sep[style]);
    if (style == 5) {
        gen_put_uint(v, 1 + gen_below(r, 99), 0);
    } else {
        gen_put_s(v, l);
    }
    if (style == 4) {
        gen_put_s(v, gen_below(r, 2) ? "+news" : "+work");
    }
    gen_put_c(v, '@');
    gen_put_s(v, GEN_PICK(r, MAILDOMS));
    return fmts[style];
}

static const char *mk_phone(struct gen_buf *v, struct gen_rng *r)
{
    static const char *const fmts[] = {
        "us_paren", "us_dash", "us_dot", "us_intl", "uk_mobile",
        "uk_mobile_intl", "uk_london", "de_intl", "de", "fr_intl", "fr"};
    static const char *const pre[] = {"(", "", "", "+1 ", "07", "+44 7",
                                      "020 ", "+49 ", "0", "+33 ", "0"};
    static const char *const area[] = {"212", "415", "312", "617", "206",
                                       "303", "512", "646", "718", "917"};
    static const char *const de[] = {"30", "89", "40", "69", "221"};
    size_t k = gen_below(r, GEN_NELEM(fmts));
    size_t i;

    gen_put_s(v, pre[k]);
    if (k <= 3) {
        gen_put_s(v, GEN_PICK(r, area));
        gen_put_s(v, k == 0 ? ") " : k == 1 ? "-" : k == 2 ? "." : " ");
        gen_put_uint(v, 200 + gen_below(r, 790), 0);
        gen_put_c(v, k <= 1 ? '-' : k == 2 ? '.' : ' ');
        gen_put_rand(v, r, "0123456789", 4);
    } else if (k <= 6) {
        gen_put_rand(v, r, "0123456789", k == 6 ? 4 : 3);
        gen_put_c(v, ' ');
        gen_put_rand(v, r, "0123456789", k == 6 ? 4 : 6);
    } else if (k <= 8) {
        gen_put_s(v, GEN_PICK(r, de));
        gen_put_c(v, ' ');
        gen_put_rand(v, r, "0123456789", 6 + gen_below(r, 3));
    } else {
        gen_put_uint(v, 1 + gen_below(r, 7), 0);
        for (i = 0; i < 4; i++) {
            gen_put_c(v, ' ');
            gen_put_rand(v, r, "0123456789", 2);
        }
    }
    return fmts[k];
}

static void ssn(struct gen_buf *v, struct gen_rng *r, unsigned area)
{
    gen_put_uint(v, area, 3);
    gen_put_c(v, '-');
    gen_put_uint(v, 1 + gen_below(r, 99), 2);
    gen_put_c(v, '-');
    gen_put_uint(v, 1 + gen_below(r, 9999), 4);
}

/* Areas 001-899 except 666: the ranges the SSA has issued. */
static const char *mk_ssn(struct gen_buf *v, struct gen_rng *r)
{
    unsigned area = 1 + (unsigned)gen_below(r, 899);

    ssn(v, r, area == 666 ? 667 : area);
    return "dashed";
}

static const char *mk_ipv4(struct gen_buf *v, struct gen_rng *r)
{
    unsigned a;
    unsigned b;

    do {
        a = 1 + (unsigned)gen_below(r, 223);
        b = (unsigned)gen_below(r, 256);
    } while (a == 10 || a == 127 || (a == 100 && b >= 64 && b < 128) ||
             (a == 169 && b == 254) || (a == 172 && b >= 16 && b < 32) ||
             (a == 192 && b == 168));
    gen_put_uint(v, a, 0);
    gen_put_c(v, '.');
    gen_put_uint(v, b, 0);
    gen_put_c(v, '.');
    gen_put_uint(v, gen_below(r, 256), 0);
    gen_put_c(v, '.');
    gen_put_uint(v, 1 + gen_below(r, 254), 0);
    return "public";
}

/* Global unicast; "compressed" replaces groups gap..end with "::". */
static const char *mk_ipv6(struct gen_buf *v, struct gen_rng *r)
{
    static const char *const pfx[] = {"2001", "2a00", "2a01", "2600",
                                      "2604", "2406", "2a02", "2c0f"};
    bool full = gen_below(r, 3) == 0;
    size_t gap = 2 + gen_below(r, 3);
    size_t end = gap + gen_below(r, 6 - gap);
    size_t i;

    gen_put_s(v, GEN_PICK(r, pfx));
    for (i = 1; i < 8; i++) {
        if (!full && i >= gap && i <= end) {
            gen_put_s(v, i == gap ? ":" : "");
            continue;
        }
        gen_put_c(v, ':');
        gen_put_hex(v, (unsigned)gen_below(r, 65536), 0, false);
    }
    return full ? "full" : "compressed";
}

/* First octet unicast and globally administered, like a real NIC. */
static const char *mk_mac(struct gen_buf *v, struct gen_rng *r)
{
    bool dash = gen_below(r, 3) == 0;
    bool upper = gen_below(r, 2) == 0;
    size_t i;

    for (i = 0; i < 6; i++) {
        unsigned octet = (unsigned)gen_below(r, 256);
        if (i > 0) {
            gen_put_c(v, dash ? '-' : ':');
        }
        gen_put_hex(v, i == 0 ? octet & 0xfcu : octet, 2, upper);
    }
    return dash ? "dash" : "colon";
}

static const char *mk_aws_key(struct gen_buf *v, struct gen_rng *r)
{
    gen_put_s(v, "AKIA");
    gen_put_rand(v, r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    return "akia";
}

/* Like real tokens: 30 random characters, then a base62 CRC32 of them. */
static const char *mk_github_token(struct gen_buf *v, struct gen_rng *r)
{
    const char *b62 = "0123456789" ALNUM;
    uint32_t c = 0xffffffffu;
    char d[6];
    size_t i;
    int k;

    gen_put_s(v, "ghp_");
    gen_put_rand(v, r, ALNUM, 30);
    for (i = v->len - 30; i < v->len; i++) {
        c ^= (unsigned char)v->p[i];
        for (k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        }
    }
    c = ~c;
    for (i = 0; i < 6; i++) {
        d[5 - i] = b62[c % 62];
        c /= 62;
    }
    gen_put(v, d, 6);
    return "ghp";
}

/* Project keys and the legacy form both embed "T3BlbkFJ" ("OpenAI"). */
static const char *mk_openai_key(struct gen_buf *v, struct gen_rng *r)
{
    size_t n = gen_below(r, 10) < 7 ? 74 : 58;

    if (gen_below(r, 5) == 0) {
        gen_put_s(v, "sk-");
        gen_put_rand(v, r, ALNUM, 20);
        gen_put_s(v, "T3BlbkFJ");
        gen_put_rand(v, r, ALNUM, 20);
        return "sk-legacy";
    }
    gen_put_s(v, "sk-proj-");
    gen_put_rand(v, r, ALNUM "-_", n);
    gen_put_s(v, "T3BlbkFJ");
    gen_put_rand(v, r, ALNUM "-_", n);
    return "sk-proj";
}

static const char *mk_slack_token(struct gen_buf *v, struct gen_rng *r)
{
    gen_put_s(v, "xoxb-");
    gen_put_rand(v, r, "0123456789", 11);
    gen_put_c(v, '-');
    gen_put_rand(v, r, "0123456789", 13);
    gen_put_c(v, '-');
    gen_put_rand(v, r, ALNUM, 24);
    return "xoxb";
}

static const char *mk_stripe_key(struct gen_buf *v, struct gen_rng *r)
{
    gen_put_s(v, "sk_live_");
    gen_put_rand(v, r, ALNUM, 24);
    return "sk_live";
}

/* base64url(JSON header).base64url(JSON payload).base64url(32 bytes). */
static const char *mk_jwt(struct gen_buf *v, struct gen_rng *r)
{
    static const char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    struct gen_buf pl = {NULL, 0, 0};
    unsigned char sig[32];
    uint64_t iat = 1709800000u + gen_below(r, 30000000);
    size_t i;

    gen_put_s(&pl, "{\"sub\":\"");
    gen_put_uint(&pl, 100000 + gen_below(r, 9900000), 0);
    gen_put_s(&pl, "\",\"name\":\"");
    gen_put_cap(&pl, GEN_PICK(r, FIRST));
    gen_put_c(&pl, ' ');
    gen_put_cap(&pl, GEN_PICK(r, LAST));
    gen_put_s(&pl, "\",\"iat\":");
    gen_put_uint(&pl, iat, 0);
    gen_put_s(&pl, ",\"exp\":");
    gen_put_uint(&pl, iat + 3600, 0);
    gen_put_c(&pl, '}');
    for (i = 0; i < sizeof(sig); i++) {
        sig[i] = (unsigned char)gen_rnd(r);
    }
    gen_put_b64(v, (const unsigned char *)hdr, sizeof(hdr) - 1, true);
    gen_put_c(v, '.');
    gen_put_b64(v, (const unsigned char *)pl.p, pl.len, true);
    gen_put_c(v, '.');
    gen_put_b64(v, sig, sizeof(sig), true);
    free(pl.p);
    return "hs256";
}

/* A short PEM block: DER-looking start, random body, 64-column lines. */
static const char *mk_private_key(struct gen_buf *v, struct gen_rng *r)
{
    static const struct {
        const char *label;
        const char *fmt;
        unsigned char der[9];
    } kinds[] = {
        {"RSA PRIVATE KEY", "rsa", {0x30, 0x82, 4, 0xa4, 2, 1, 0, 2, 0x82}},
        {"RSA PRIVATE KEY", "rsa", {0x30, 0x82, 4, 0xa3, 2, 1, 0, 2, 0x82}},
        {"PRIVATE KEY", "pkcs8", {0x30, 0x82, 4, 0xbe, 2, 1, 0, 0x30, 13}},
        {"EC PRIVATE KEY", "ec", {0x30, 0x77, 2, 1, 1, 4, 0x20, 0, 0}}};
    struct gen_buf b64 = {NULL, 0, 0};
    unsigned char raw[9 + 48 * 6 + 40];
    size_t k = gen_below(r, GEN_NELEM(kinds));
    size_t n = 9 + 48 * (3 + gen_below(r, 4)) + gen_below(r, 40);
    size_t i;

    memcpy(raw, kinds[k].der, 9);
    for (i = 9; i < n; i++) {
        raw[i] = (unsigned char)gen_rnd(r);
    }
    gen_put_b64(&b64, raw, n, false);
    gen_put_s(v, "-----BEGIN ");
    gen_put_s(v, kinds[k].label);
    gen_put_s(v, "-----\n");
    for (i = 0; i < b64.len; i += 64) {
        gen_put(v, b64.p + i, b64.len - i < 64 ? b64.len - i : 64);
        gen_put_c(v, '\n');
    }
    gen_put_s(v, "-----END ");
    gen_put_s(v, kinds[k].label);
    gen_put_s(v, "-----");
    free(b64.p);
    return kinds[k].fmt;
}

/* 10 to 20 characters; no quote, backslash or space. */
static const char *mk_password(struct gen_buf *v, struct gen_rng *r)
{
    static const char *const words[] = {"Summer", "Dragon", "Monkey",
                                        "Sunshine", "Football", "Shadow",
                                        "Winter", "Pepper"};
    size_t k = gen_below(r, 3);

    if (k == 0) {
        gen_put_s(v, GEN_PICK(r, words));
        gen_put_uint(v, 1000 + gen_below(r, 1025), 0);
        gen_put_c(v, "!#$*?@"[gen_below(r, 6)]);
        return "word_digits";
    }
    if (k == 1) {
        gen_put_rand(v, r, ALNUM "!#$%*+-.@_~", 10 + gen_below(r, 11));
        return "random";
    }
    gen_put_rand(v, r, ALNUM, 8 + gen_below(r, 9));
    gen_put_c(v, "!$%*"[gen_below(r, 4)]);
    gen_put_uint(v, 10 + gen_below(r, 90), 0);
    return "mixed";
}

static const char *dk_card(struct gen_buf *v, struct gen_rng *r)
{
    size_t brand;
    size_t style;

    card(v, &brand, &style, r, false);
    return "luhn_invalid";
}

/* Never-issued areas: 000, 666 and 900-999. */
static const char *dk_ssn(struct gen_buf *v, struct gen_rng *r)
{
    size_t k = gen_below(r, 3);

    ssn(v, r, k == 0 ? 0 : k == 1 ? 666 : 900 + (unsigned)gen_below(r, 100));
    return "invalid_area";
}

static const char *dk_iban(struct gen_buf *v, struct gen_rng *r)
{
    iban(v, r, false);
    return "bad_check";
}

static const char *dk_aws_example(struct gen_buf *v, struct gen_rng *r)
{
    (void)r;
    gen_put_s(v, "AKIAIOSFODNN7EXAMPLE");
    return "aws_docs_example";
}

static const char *dk_sha(struct gen_buf *v, struct gen_rng *r)
{
    gen_put_rand(v, r, "0123456789abcdef", 40);
    return "hex_digest";
}

/* The last part is above 255, so it cannot be read as an IPv4 address. */
static const char *dk_version(struct gen_buf *v, struct gen_rng *r)
{
    gen_put_uint(v, 1 + gen_below(r, 30), 0);
    gen_put_c(v, '.');
    gen_put_uint(v, gen_below(r, 40), 0);
    gen_put_c(v, '.');
    gen_put_uint(v, gen_below(r, 400), 0);
    gen_put_c(v, '.');
    gen_put_uint(v, 256 + gen_below(r, 9744), 0);
    return "version_4part";
}

static const struct items_kind REAL[] = {
    {"email", 14, false, mk_email,
     {"You can reach me at %X if anything changes.",
      "Please send the %n to %X before %m %d.", "Contact: <%X>"},
     {"user login ok email=%X mfa=true", "sent invoice %I to %X status=ok"}},
    {"phone", 14, false, mk_phone,
     {"Call me at %X after lunch.", "My number is %X, text is fine too.",
      "Phone: %X"},
     {"sms sent to=%X template=otp", "call forwarded to %X duration=%is"}},
    {"card", 8, false, mk_card,
     {"My card number is %X, expiry 09/27.",
      "Please charge the %n to %X.", "Card: %X exp 11/26"},
     {"payment failed card=%X reason=\"declined\"",
      "charge attempt pan=%X amount=%I"}},
    {"ssn", 6, false, mk_ssn,
     {"My SSN is %X in case you need it.", "SSN: %X",
      "The applicant's social security number is %X."},
     {"kyc check ssn=%X result=pending", "tax form submitted tin=%X"}},
    {"iban", 6, false, mk_iban,
     {"Please wire the money to IBAN %X.", "IBAN: %X",
      "Our new account is %X (holder %F %L)."},
     {"sepa payout iban=%X status=sent", "refund to iban=%X order=%I"}},
    {"ipv4", 10, false, mk_ipv4,
     {"The server at %X keeps timing out.",
      "Whitelist %X on the firewall please.", "The login came from %X."},
     {"accepted connection from %X:%k", "blocked request client=%X"}},
    {"ipv6", 5, false, mk_ipv6,
     {"The host resolves to %X now.",
      "Please allow %X in the security group.",
      "Our edge node listens on [%X]:443."},
     {"accepted connection from [%X]:%k", "client_ip=%X path=%p"}},
    {"mac", 4, false, mk_mac,
     {"The printer's MAC address is %X.",
      "Register device %X on the guest network.", "MAC: %X"},
     {"dhcp lease granted mac=%X ip=10.0.%i.%i", "unknown device %X"}},
    {"aws_key", 5, false, mk_aws_key,
     {"I think I leaked my key %X in the %n.",
      "Here is the access key id: %X", "Rotate %X before %m %d."},
     {"S3 upload failed access_key_id=%X",
      "credentials loaded AWS_ACCESS_KEY_ID=%X"}},
    {"github_token", 5, false, mk_github_token,
     {"Use this token for the %n: %X", "I pasted %X into a public issue.",
      "Does %X still have repo scope?"},
     {"git clone failed token=%X status=401", "using GITHUB_TOKEN=%X"}},
    {"openai_key", 5, false, mk_openai_key,
     {"My API key is %X, why does it return 401?",
      "Here's the staging key: %X", "Is it safe to put %X in the app?"},
     {"upstream 401 for api_key=%X", "OPENAI_API_KEY=%X loaded"}},
    {"slack_token", 3, false, mk_slack_token,
     {"The bot token is %X, please rotate it.", "Slack token: %X",
      "Our %n bot uses %X."},
     {"slack post failed token=%X", "SLACK_BOT_TOKEN=%X loaded"}},
    {"stripe_key", 3, false, mk_stripe_key,
     {"Our live Stripe key is %X, keep it safe.", "Stripe: %X",
      "Why does %X fail in test mode?"},
     {"stripe charge failed key=%X", "STRIPE_SECRET_KEY=%X loaded"}},
    {"jwt", 5, false, mk_jwt,
     {"Authorization: Bearer %X", "Can you decode this token? %X",
      "This JWT expired early: %X"},
     {"request headers: Authorization: Bearer %X",
      "jwt verify failed token=%X reason=expired"}},
    {"private_key", 3, false, mk_private_key,
     {"Here is the key file, don't share it:\n%X\nThanks.",
      "The deploy key looks like this:\n%X\n", "Key:\n%X"},
     {"loaded tls key: %X", "config dump private_key=\"%X\""}},
    {"password", 10, false, mk_password,
     {"Log in with password=%X on the staging box.",
      "The config says passwd: %X for the mail user.",
      "My password is %X and it does not work."},
     {"db connect failed user=%u password=%X host=%h",
      "smtp auth user=%u passwd: %X ok"}},
};

static const struct items_kind DECOY[] = {
    {"decoy_card", 0, true, dk_card,
     {"Order reference %X is on the slip.", "Tracking number: %X", NULL},
     {"shipment tracking=%X carrier=ups", NULL}},
    {"decoy_ssn", 0, true, dk_ssn,
     {"Case number %X was closed.", "Form ID %X (internal).", NULL},
     {"ticket ref=%X queue=billing", NULL}},
    {"decoy_iban", 0, true, dk_iban,
     {"The sample account in the docs is %X.", NULL, NULL},
     {"test fixture iban=%X (invalid on purpose)", NULL}},
    {"decoy_aws_example", 0, true, dk_aws_example,
     {"The docs use %X as the example access key.", NULL, NULL},
     {"example config uses AWS_ACCESS_KEY_ID=%X", NULL}},
    {"decoy_sha", 0, true, dk_sha,
     {"Fixed in commit %X.", "Checksum: %X", NULL},
     {"deployed commit=%X", NULL}},
    {"decoy_version", 0, true, dk_version,
     {"Upgrade to build %X first.", "Running firmware %X on all nodes.",
      NULL},
     {"agent version=%X starting", NULL}},
};

const struct items_kind *items_pick(struct gen_rng *r)
{
    unsigned total = 0;
    unsigned x;
    size_t i;

    for (i = 0; i < GEN_NELEM(REAL); i++) {
        total += REAL[i].weight;
    }
    x = (unsigned)gen_below(r, total);
    for (i = 0; x >= REAL[i].weight; i++) {
        x -= REAL[i].weight;
    }
    return &REAL[i];
}

const struct items_kind *items_pick_decoy(struct gen_rng *r)
{
    return &GEN_PICK(r, DECOY);
}
