/*
 * validate.c - the checks a rule's "validate" field names, and entropy.
 * Pure functions over (bytes, length): no allocation, I/O or mutable state;
 * a value too long for a check's fixed bounds fails. Over 1000 lines on
 * purpose (sixteen small validators); split by family before adding more.
 */
#include "validate.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

typedef bool (*validate_fn)(const char *s, size_t n);

struct validator {
    const char *name;
    validate_fn check;
};

/* Cursor over an input, for the few grammars read left to right. */
struct cursor {
    const char *s;
    size_t n;
    size_t pos;
};

/* ASCII only on purpose: the result must not depend on the C locale. */
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static char to_upper(char c)
{
    return is_lower(c) ? (char)(c - 'a' + 'A') : c;
}

static char to_lower(char c)
{
    return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

static int hex_value(char c)
{
    if (is_digit(c)) {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Whether c is one of the characters of set (never matches NUL). */
static bool is_one_of(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* Whether the n bytes at s equal the lowercase word, ignoring ASCII case. */
static bool equals_ci(const char *s, const char *word, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (to_lower(s[i]) != word[i]) {
            return false;
        }
    }
    return true;
}

/* Luhn (ISO/IEC 7812-1) over count digit values; the last is the check. */
static bool luhn_ok(const unsigned char *digits, size_t count)
{
    unsigned sum = 0;
    size_t i;

    for (i = 0; i < count; i++) {
        unsigned v = digits[count - 1 - i];

        if (i % 2 == 1) {
            v *= 2;
            if (v > 9) {
                v -= 9;
            }
        }
        sum += v;
    }
    return sum % 10 == 0;
}

/* Payment card numbers: 12 to 19 digits (ISO/IEC 7812-1). */
static bool check_luhn(const char *s, size_t n)
{
    unsigned char digits[19];
    size_t count = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '-') {
            continue;
        }
        if (!is_digit(s[i]) || count == sizeof(digits)) {
            return false;
        }
        digits[count++] = (unsigned char)(s[i] - '0');
    }
    return count >= 12 && luhn_ok(digits, count);
}

/* IBAN lengths by country, from the SWIFT IBAN registry (ISO 13616). */
static const struct {
    char code[3];
    unsigned char len;
} iban_countries[] = {
    { "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 },
    { "BA", 20 }, { "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BI", 27 },
    { "BR", 29 }, { "BY", 28 }, { "CH", 21 }, { "CR", 22 }, { "CY", 28 },
    { "CZ", 24 }, { "DE", 22 }, { "DJ", 27 }, { "DK", 18 }, { "DO", 28 },
    { "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 }, { "FK", 18 },
    { "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GI", 23 },
    { "GL", 18 }, { "GR", 27 }, { "GT", 28 }, { "HN", 28 }, { "HR", 21 },
    { "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IQ", 23 }, { "IS", 26 },
    { "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 },
    { "LC", 32 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 },
    { "LY", 25 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 },
    { "MN", 20 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NI", 28 },
    { "NL", 18 }, { "NO", 15 }, { "OM", 23 }, { "PK", 24 }, { "PL", 28 },
    { "PS", 29 }, { "PT", 25 }, { "QA", 29 }, { "RO", 24 }, { "RS", 22 },
    { "RU", 33 }, { "SA", 24 }, { "SC", 31 }, { "SD", 18 }, { "SE", 24 },
    { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "SO", 23 }, { "ST", 25 },
    { "SV", 28 }, { "TL", 23 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 },
    { "VA", 22 }, { "VG", 24 }, { "XK", 20 }, { "YE", 30 },
};

/* Registered IBAN length for an uppercase country code, or 0. */
static size_t iban_length(char c0, char c1)
{
    size_t count = sizeof(iban_countries) / sizeof(iban_countries[0]);
    size_t i;

    for (i = 0; i < count; i++) {
        if (iban_countries[i].code[0] == c0 &&
            iban_countries[i].code[1] == c1) {
            return iban_countries[i].len;
        }
    }
    return 0;
}

/*
 * ISO 13616 with ISO 7064 MOD 97-10: move the first four characters to the
 * end, read letters as 10..35, and the number mod 97 must be 1. Check
 * digits 00, 01 and 99 are never issued.
 */
static bool check_iban(const char *s, size_t n)
{
    char buf[34];
    size_t len = 0;
    size_t i;
    unsigned rem = 0;

    for (i = 0; i < n; i++) {
        char c = to_upper(s[i]);

        if (c == ' ') {
            continue;
        }
        if ((!is_digit(c) && !is_upper(c)) || len == sizeof(buf)) {
            return false;
        }
        buf[len++] = c;
    }
    if (len < 5 || !is_upper(buf[0]) || !is_upper(buf[1]) ||
        !is_digit(buf[2]) || !is_digit(buf[3]) ||
        iban_length(buf[0], buf[1]) != len) {
        return false;
    }
    if (memcmp(buf + 2, "00", 2) == 0 || memcmp(buf + 2, "01", 2) == 0 ||
        memcmp(buf + 2, "99", 2) == 0) {
        return false;
    }
    for (i = 0; i < len; i++) {
        char c = buf[(i + 4) % len];

        if (is_digit(c)) {
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
        } else {
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
        }
    }
    return rem == 1;
}

/* Decimal value of n digits already known to be digits. */
static unsigned digits_value(const char *s, size_t n)
{
    unsigned v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v;
}

/*
 * AAA-GG-SSSS, AAA GG SSSS or AAAGGSSSS (one separator, used twice). SSA
 * never issues area 000, 666 or 9xx, group 00 or serial 0000; the others
 * are well-known advertising and wallet-card numbers.
 */
static bool check_us_ssn(const char *s, size_t n)
{
    static const char *const fakes[] = {
        "078051120", "219099999", "123456789",
    };
    char d[9];
    size_t i;
    unsigned area;

    if (n == 11 && (s[3] == '-' || s[3] == ' ') && s[6] == s[3]) {
        memcpy(d, s, 3);
        memcpy(d + 3, s + 4, 2);
        memcpy(d + 5, s + 7, 4);
    } else if (n == 9) {
        memcpy(d, s, 9);
    } else {
        return false;
    }
    for (i = 0; i < sizeof(d); i++) {
        if (!is_digit(d[i])) {
            return false;
        }
    }
    for (i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++) {
        if (memcmp(d, fakes[i], sizeof(d)) == 0) {
            return false;
        }
    }
    area = digits_value(d, 3);
    return area != 0 && area != 666 && area < 900 &&
           digits_value(d + 3, 2) != 0 && digits_value(d + 5, 4) != 0;
}

/* Dotted quad, decimal octets 0-255 without leading zeros (RFC 3986). */
static bool parse_ipv4(unsigned char out[4], const char *s, size_t n)
{
    size_t i = 0;
    size_t part;

    for (part = 0; part < 4; part++) {
        size_t start;
        unsigned v = 0;

        if (part > 0) {
            if (i == n || s[i] != '.') {
                return false;
            }
            i++;
        }
        start = i;
        while (i < n && i - start < 3 && is_digit(s[i])) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1)) {
            return false;
        }
        out[part] = (unsigned char)v;
    }
    return i == n;
}

static bool check_ipv4(const char *s, size_t n)
{
    static const unsigned char zero[4] = { 0, 0, 0, 0 };
    static const unsigned char ones[4] = { 255, 255, 255, 255 };
    unsigned char a[4];

    return parse_ipv4(a, s, n) && memcmp(a, zero, sizeof(a)) != 0 &&
           memcmp(a, ones, sizeof(a)) != 0;
}

/* One to four hex digits. */
static bool is_hex_group(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > 4) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (hex_value(s[i]) < 0) {
            return false;
        }
    }
    return true;
}

/*
 * RFC 4291 section 2.2 text forms: eight groups, or fewer around one "::"
 * (which stands for at least one group), optionally ending in a dotted
 * quad worth two groups. No zone ids. "::" alone is rejected on purpose.
 */
static bool check_ipv6(const char *s, size_t n)
{
    unsigned char v4[4];
    size_t i = 0;
    size_t groups = 0;
    bool has_gap = false;

    if (n < 3 || n > 45) {
        return false;
    }
    if (s[0] == ':') {
        if (s[1] != ':') {
            return false;
        }
        has_gap = true;
        i = 2;
    }
    while (i < n) {
        size_t end = i;

        while (end < n && s[end] != ':') {
            end++;
        }
        if (end == n && memchr(s + i, '.', n - i) != NULL) {
            if (!parse_ipv4(v4, s + i, n - i)) {
                return false;
            }
            groups += 2;
            break;
        }
        if (!is_hex_group(s + i, end - i)) {
            return false;
        }
        groups++;
        if (end == n) {
            break;
        }
        i = end + 1;
        if (i == n) {
            return false;
        }
        if (s[i] == ':') {
            if (has_gap) {
                return false;
            }
            has_gap = true;
            i++;
        }
    }
    return has_gap ? groups <= 7 : groups == 8;
}

static bool hex_byte(unsigned char *out, const char *s)
{
    int hi = hex_value(s[0]);
    int lo = hex_value(s[1]);

    if (hi < 0 || lo < 0) {
        return false;
    }
    *out = (unsigned char)(hi * 16 + lo);
    return true;
}

/* 00:1a:2b:3c:4d:5e or 00-1a-2b-3c-4d-5e (one separator throughout). */
static bool parse_mac_pairs(unsigned char out[6], const char *s)
{
    size_t i;

    if (s[2] != ':' && s[2] != '-') {
        return false;
    }
    for (i = 0; i < 6; i++) {
        if (i > 0 && s[i * 3 - 1] != s[2]) {
            return false;
        }
        if (!hex_byte(&out[i], s + i * 3)) {
            return false;
        }
    }
    return true;
}

/* 001a.2b3c.4d5e: bytes start at 0, 2, 5, 7, 10 and 12. */
static bool parse_mac_dotted(unsigned char out[6], const char *s)
{
    size_t i;

    if (s[4] != '.' || s[9] != '.') {
        return false;
    }
    for (i = 0; i < 6; i++) {
        if (!hex_byte(&out[i], s + i * 2 + i / 2)) {
            return false;
        }
    }
    return true;
}

static bool check_mac(const char *s, size_t n)
{
    static const unsigned char zero[6] = { 0, 0, 0, 0, 0, 0 };
    static const unsigned char ones[6] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    };
    unsigned char mac[6];
    bool ok;

    if (n == 17) {
        ok = parse_mac_pairs(mac, s);
    } else if (n == 14) {
        ok = parse_mac_dotted(mac, s);
    } else {
        ok = false;
    }
    return ok && memcmp(mac, zero, sizeof(mac)) != 0 &&
           memcmp(mac, ones, sizeof(mac)) != 0;
}

static int b64url_value(char c)
{
    if (is_upper(c)) {
        return c - 'A';
    }
    if (is_lower(c)) {
        return c - 'a' + 26;
    }
    if (is_digit(c)) {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    return c == '_' ? 63 : -1;
}

/*
 * Length of a base64url segment (RFC 4648 section 5) without its optional
 * '=' padding, or 0 when the segment is empty or malformed.
 */
static size_t b64url_body(const char *s, size_t n)
{
    size_t len = n;
    size_t i;

    while (len > 0 && s[len - 1] == '=' && n - len < 2) {
        len--;
    }
    if ((len < n && n % 4 != 0) || len % 4 == 1) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (b64url_value(s[i]) < 0) {
            return 0;
        }
    }
    return len;
}

/* Decode one quantum of 2 to 4 checked characters; returns bytes out. */
static size_t b64url_quantum(unsigned char out[3], const char *s, size_t len)
{
    uint32_t acc = 0;
    size_t i;

    for (i = 0; i < 4; i++) {
        acc <<= 6;
        if (i < len) {
            acc |= (uint32_t)b64url_value(s[i]);
        }
    }
    out[0] = (unsigned char)(acc >> 16);
    out[1] = (unsigned char)((acc >> 8) & 0xff);
    out[2] = (unsigned char)(acc & 0xff);
    return len - 1;
}

/*
 * The header must decode to "{...}" holding the key "alg"; decoded one
 * quantum at a time, searched through a window of the last few bytes.
 */
static bool jwt_header_ok(const char *s, size_t len)
{
    static const char key[] = "\"alg\"";
    unsigned char window[sizeof(key) - 1] = { 0 };
    unsigned char buf[3];
    bool found = false;
    size_t i;
    size_t j;

    for (i = 0; i < len; i += 4) {
        size_t got = b64url_quantum(buf, s + i, len - i < 4 ? len - i : 4);

        if (i == 0 && buf[0] != '{') {
            return false;
        }
        for (j = 0; j < got; j++) {
            memmove(window, window + 1, sizeof(window) - 1);
            window[sizeof(window) - 1] = buf[j];
            found = found || memcmp(window, key, sizeof(window)) == 0;
        }
    }
    return found && window[sizeof(window) - 1] == '}';
}

/* RFC 7519 compact JWS: header.payload.signature, all base64url. */
static bool check_jwt(const char *s, size_t n)
{
    const char *dot1 = memchr(s, '.', n);
    const char *dot2;
    const char *payload;
    const char *sig;
    size_t header_len;
    size_t payload_len;
    unsigned char buf[3];

    if (dot1 == NULL) {
        return false;
    }
    payload = dot1 + 1;
    dot2 = memchr(payload, '.', (size_t)(s + n - payload));
    if (dot2 == NULL) {
        return false;
    }
    sig = dot2 + 1;
    if (b64url_body(sig, (size_t)(s + n - sig)) == 0) {
        return false;
    }
    header_len = b64url_body(s, (size_t)(dot1 - s));
    payload_len = b64url_body(payload, (size_t)(dot2 - payload));
    if (header_len == 0 || payload_len == 0) {
        return false;
    }
    b64url_quantum(buf, payload, payload_len < 4 ? payload_len : 4);
    return buf[0] == '{' && jwt_header_ok(s, header_len);
}

static int base58_value(char c)
{
    static const char alphabet[] =
        "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const char *p = memchr(alphabet, c, sizeof(alphabet) - 1);

    return p != NULL ? (int)(p - alphabet) : -1;
}

/*
 * Decode base58 into exactly 25 bytes, each leading '1' standing for one
 * leading zero byte, as Bitcoin's Base58Check encodes them.
 */
static bool base58_decode25(unsigned char out[25], const char *s, size_t n)
{
    size_t ones = 0;
    size_t zeros = 0;
    size_t i;
    size_t j;

    memset(out, 0, 25);
    if (n > 35) {
        return false;
    }
    while (ones < n && s[ones] == '1') {
        ones++;
    }
    for (i = 0; i < n; i++) {
        int v = base58_value(s[i]);
        unsigned carry;

        if (v < 0) {
            return false;
        }
        carry = (unsigned)v;
        for (j = 25; j > 0; j--) {
            carry += 58u * out[j - 1];
            out[j - 1] = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
        if (carry != 0) {
            return false;
        }
    }
    while (zeros < 25 && out[zeros] == 0) {
        zeros++;
    }
    return zeros == ones;
}

/* Whether check equals the first 4 bytes of SHA-256(SHA-256(data)). */
static bool sha256d_check_ok(const unsigned char *data, size_t n,
                             const unsigned char check[4])
{
    unsigned char once[EVP_MAX_MD_SIZE];
    unsigned char twice[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (EVP_Digest(data, n, once, &len, EVP_sha256(), NULL) != 1 ||
        len != 32) {
        return false;
    }
    if (EVP_Digest(once, len, twice, &len, EVP_sha256(), NULL) != 1 ||
        len != 32) {
        return false;
    }
    return memcmp(twice, check, 4) == 0;
}

/* P2PKH/P2SH Base58Check addresses: mainnet 0x00/0x05, testnet 0x6f/0xc4. */
static bool check_btc_base58(const char *s, size_t n)
{
    unsigned char raw[25];

    if (!base58_decode25(raw, s, n)) {
        return false;
    }
    if (raw[0] != 0x00 && raw[0] != 0x05 && raw[0] != 0x6f &&
        raw[0] != 0xc4) {
        return false;
    }
    return sha256d_check_ok(raw, 21, raw + 21);
}

/* BIP-173 checksum step over GF(32) with the generator polynomial. */
static uint32_t bech32_step(uint32_t chk, unsigned v)
{
    static const uint32_t gen[5] = {
        0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3,
    };
    uint32_t top = chk >> 25;
    size_t i;

    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (i = 0; i < 5; i++) {
        if ((top >> i) & 1) {
            chk ^= gen[i];
        }
    }
    return chk;
}

/* The 5-bit value of a data character (either case), or -1. */
static int bech32_value(char c)
{
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const char *p = memchr(charset, to_lower(c), sizeof(charset) - 1);

    return p != NULL ? (int)(p - charset) : -1;
}

/*
 * Checksum state after the expanded HRP of "bc1..." or "tb1..." (BIP-173);
 * false when the HRP is neither or the letter case is mixed.
 */
static bool bech32_hrp_state(uint32_t *out, const char *s, size_t n)
{
    bool has_lower = false;
    bool has_upper = false;
    uint32_t chk = 1;
    size_t i;

    for (i = 0; i < n; i++) {
        has_lower = has_lower || is_lower(s[i]);
        has_upper = has_upper || is_upper(s[i]);
    }
    if ((has_lower && has_upper) || s[2] != '1' ||
        (!equals_ci(s, "bc", 2) && !equals_ci(s, "tb", 2))) {
        return false;
    }
    for (i = 0; i < 2; i++) {
        chk = bech32_step(chk, (unsigned)to_lower(s[i]) >> 5);
    }
    chk = bech32_step(chk, 0);
    for (i = 0; i < 2; i++) {
        chk = bech32_step(chk, (unsigned)to_lower(s[i]) & 31);
    }
    *out = chk;
    return true;
}

/*
 * Segwit addresses (BIP-173, BIP-350): witness version 0-16, then a
 * program of 2 to 40 bytes (20 or 32 for v0) in 5-bit groups with at most
 * 4 zero padding bits; v0 uses the bech32 constant 1, later versions the
 * bech32m constant 0x2bc830a3.
 */
static bool check_btc_bech32(const char *s, size_t n)
{
    uint32_t chk;
    uint32_t acc = 0;
    size_t bits = 0;
    size_t bytes = 0;
    size_t i;
    int version = -1;

    if (n < 14 || n > 90 || !bech32_hrp_state(&chk, s, n)) {
        return false;
    }
    for (i = 3; i < n; i++) {
        int v = bech32_value(s[i]);

        if (v < 0) {
            return false;
        }
        chk = bech32_step(chk, (unsigned)v);
        if (i == 3) {
            version = v;
        } else if (i < n - 6) {
            acc = ((acc << 5) | (uint32_t)v) & 0xfff;
            bits += 5;
            bytes += bits >= 8 ? 1 : 0;
            bits = bits >= 8 ? bits - 8 : bits;
        }
    }
    if (version > 16 || bits > 4 || (acc & ((1u << bits) - 1)) != 0 ||
        bytes < 2 || bytes > 40) {
        return false;
    }
    if (version == 0) {
        return chk == 1 && (bytes == 20 || bytes == 32);
    }
    return chk == 0x2bc830a3;
}

/*
 * 0x and 40 hex digits. Mixed case is accepted unchecked: EIP-55 needs
 * Keccak-256, which libcrypto 3.0 does not offer.
 */
static bool check_eth_address(const char *s, size_t n)
{
    bool nonzero = false;
    size_t i;

    if (n != 42 || s[0] != '0' || s[1] != 'x') {
        return false;
    }
    for (i = 2; i < n; i++) {
        if (hex_value(s[i]) < 0) {
            return false;
        }
        nonzero = nonzero || s[i] != '0';
    }
    return nonzero;
}

/*
 * HMRC NIM39110: prefix letters (first not D F I Q U V, second not
 * D F I O Q U V, not BG GB KN NK NT TN ZZ), six digits, suffix A-D. One
 * space may separate the pairs: "AB 12 34 56 C". Either letter case.
 */
static bool check_uk_nino(const char *s, size_t n)
{
    static const char *const banned[] = {
        "BG", "GB", "KN", "NK", "NT", "TN", "ZZ",
    };
    char v[9];
    size_t len = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == ' ') {
            if (len % 2 != 0 || len == 0 || s[i - 1] == ' ') {
                return false;
            }
            continue;
        }
        if (len == sizeof(v)) {
            return false;
        }
        v[len++] = to_upper(s[i]);
    }
    if (len != sizeof(v) || !is_upper(v[0]) || !is_upper(v[1]) ||
        is_one_of(v[0], "DFIQUV") || is_one_of(v[1], "DFIOQUV") ||
        v[8] < 'A' || v[8] > 'D') {
        return false;
    }
    for (i = 2; i < 8; i++) {
        if (!is_digit(v[i])) {
            return false;
        }
    }
    for (i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
        if (memcmp(v, banned[i], 2) == 0) {
            return false;
        }
    }
    return true;
}

/* Gregorian calendar, years 1900-2099 only. */
static bool is_real_date(unsigned y, unsigned m, unsigned d)
{
    static const unsigned char days[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    };
    unsigned max;

    if (y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1) {
        return false;
    }
    max = days[m - 1];
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) {
        max = 29;
    }
    return d <= max;
}

/* Read min_digits to max_digits decimal digits (greedy). */
static bool read_number(unsigned *out, struct cursor *c, size_t min_digits,
                        size_t max_digits)
{
    size_t start = c->pos;

    *out = 0;
    while (c->pos < c->n && c->pos - start < max_digits &&
           is_digit(c->s[c->pos])) {
        *out = *out * 10 + (unsigned)(c->s[c->pos] - '0');
        c->pos++;
    }
    return c->pos - start >= min_digits;
}

static bool read_char(struct cursor *c, char ch)
{
    if (c->pos == c->n || c->s[c->pos] != ch) {
        return false;
    }
    c->pos++;
    return true;
}

/* An English month name or its 3-letter abbreviation, either case. */
static bool read_month(unsigned *out, struct cursor *c)
{
    static const char *const names[12] = {
        "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december",
    };
    size_t len = 0;
    size_t m;

    while (c->pos + len < c->n &&
           (is_lower(c->s[c->pos + len]) || is_upper(c->s[c->pos + len]))) {
        len++;
    }
    for (m = 0; m < 12; m++) {
        size_t full = strlen(names[m]);

        if ((len == 3 || len == full) && len <= full &&
            equals_ci(c->s + c->pos, names[m], len)) {
            *out = (unsigned)m + 1;
            c->pos += len;
            return true;
        }
    }
    return false;
}

/*
 * YYYY-MM-DD, YYYY/MM/DD, then DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY,
 * DD-MM-YYYY and MM-DD-YYYY; day and month may have one digit.
 */
static bool check_date_numeric(const char *s, size_t n)
{
    struct cursor c = { s, n, 0 };
    unsigned a;
    unsigned b;
    unsigned z;
    size_t a_len;
    char sep;

    if (!read_number(&a, &c, 1, 4) || c.pos == n) {
        return false;
    }
    a_len = c.pos;
    sep = s[c.pos];
    c.pos++;
    if (a_len == 3 || !read_number(&b, &c, 1, 2) || !read_char(&c, sep) ||
        !read_number(&z, &c, a_len == 4 ? 1 : 4, a_len == 4 ? 2 : 4) ||
        c.pos != n) {
        return false;
    }
    if (a_len == 4) {
        return (sep == '-' || sep == '/') && is_real_date(a, b, z);
    }
    if (sep == '.') {
        return is_real_date(z, b, a);
    }
    if (sep == '/' || sep == '-') {
        return is_real_date(z, b, a) || is_real_date(z, a, b);
    }
    return false;
}

/* "D Month YYYY" and "Month D, YYYY" (the comma may be left out). */
static bool check_date_words(const char *s, size_t n)
{
    struct cursor c = { s, n, 0 };
    unsigned d;
    unsigned m;
    unsigned y;

    if (read_number(&d, &c, 1, 2)) {
        if (!read_char(&c, ' ') || !read_month(&m, &c) ||
            !read_char(&c, ' ')) {
            return false;
        }
    } else {
        if (!read_month(&m, &c) || !read_char(&c, ' ') ||
            !read_number(&d, &c, 1, 2)) {
            return false;
        }
        (void)read_char(&c, ',');
        if (!read_char(&c, ' ')) {
            return false;
        }
    }
    return read_number(&y, &c, 4, 4) && c.pos == n && is_real_date(y, m, d);
}

static bool check_date(const char *s, size_t n)
{
    return check_date_numeric(s, n) || check_date_words(s, n);
}

/*
 * 7 to 15 digits (E.164 allows 15) among common punctuation; one digit
 * repeated, or a rising run such as 1234567890, is a dummy number.
 */
static bool check_phone(const char *s, size_t n)
{
    unsigned char d[15];
    size_t count = 0;
    size_t i;
    bool same = true;
    bool rising = true;

    for (i = 0; i < n; i++) {
        if (is_digit(s[i])) {
            if (count == sizeof(d)) {
                return false;
            }
            d[count++] = (unsigned char)(s[i] - '0');
        } else if (!is_one_of(s[i], " -.()+/")) {
            return false;
        }
    }
    if (count < 7) {
        return false;
    }
    for (i = 1; i < count; i++) {
        same = same && d[i] == d[0];
        rising = rising && d[i] == (d[i - 1] + 1) % 10;
    }
    return !same && !rising;
}

/* ABA routing number: weights 3, 7, 1 repeated, sum divisible by 10. */
static bool check_aba_routing(const char *s, size_t n)
{
    static const unsigned weight[3] = { 3, 7, 1 };
    unsigned sum = 0;
    bool nonzero = false;
    size_t i;

    if (n != 9) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
        sum += weight[i % 3] * (unsigned)(s[i] - '0');
        nonzero = nonzero || s[i] != '0';
    }
    return nonzero && sum % 10 == 0;
}

/* US NPI: Luhn over the card issuer prefix 80840 and the ten digits. */
static bool check_npi(const char *s, size_t n)
{
    unsigned char d[15] = { 8, 0, 8, 4, 0 };
    size_t i;

    if (n != 10) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i])) {
            return false;
        }
        d[5 + i] = (unsigned char)(s[i] - '0');
    }
    return luhn_ok(d, sizeof(d));
}

/* Whether the value contains the lowercase word, ignoring ASCII case. */
static bool contains_ci(const char *s, size_t n, const char *word)
{
    size_t len = strlen(word);
    size_t i;

    for (i = 0; len <= n && i <= n - len; i++) {
        if (equals_ci(s + i, word, len)) {
            return true;
        }
    }
    return false;
}

/* One unit of 1 to 4 characters repeated: "aaaa", "abcabc", "12341234". */
static bool is_repeated_unit(const char *s, size_t n)
{
    size_t unit;

    for (unit = 1; unit <= 4 && unit * 2 <= n; unit++) {
        size_t i = unit;

        while (i < n && to_lower(s[i]) == to_lower(s[i - unit])) {
            i++;
        }
        if (i == n) {
            return true;
        }
    }
    return false;
}

/* Whether b follows a in "abc...z" (either case) or "0123456789" (wraps). */
static bool is_successor(char a, char b)
{
    a = to_lower(a);
    b = to_lower(b);
    if (is_digit(a)) {
        return b == (a == '9' ? '0' : a + 1);
    }
    return is_lower(a) && a != 'z' && b == a + 1;
}

/* A run of 8 or more: "abcdefgh", "123456789". */
static bool has_rising_run(const char *s, size_t n)
{
    size_t run = 1;
    size_t i;

    for (i = 1; i < n; i++) {
        run = is_successor(s[i - 1], s[i]) ? run + 1 : 1;
        if (run >= 8) {
            return true;
        }
    }
    return false;
}

/* False for empty values and documentation-style stand-ins. */
static bool check_not_placeholder(const char *s, size_t n)
{
    static const char *const words[] = {
        "example", "xxxx", "****", "placeholder", "your_", "your-", "<",
        ">", "${", "{{", "changeme", "dummy", "redacted", "sample",
    };
    size_t i;

    if (n < 2 || is_repeated_unit(s, n) || has_rising_run(s, n)) {
        return false;
    }
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (contains_ci(s, n, words[i])) {
            return false;
        }
    }
    return true;
}

/* Ids are indexes: append only, never reorder (rules refer by name). */
static const struct validator validators[] = {
    { "luhn", check_luhn },
    { "iban", check_iban },
    { "us_ssn", check_us_ssn },
    { "ipv4", check_ipv4 },
    { "ipv6", check_ipv6 },
    { "mac", check_mac },
    { "jwt", check_jwt },
    { "btc_base58", check_btc_base58 },
    { "btc_bech32", check_btc_bech32 },
    { "eth_address", check_eth_address },
    { "uk_nino", check_uk_nino },
    { "date", check_date },
    { "phone", check_phone },
    { "aba_routing", check_aba_routing },
    { "npi", check_npi },
    { "not_placeholder", check_not_placeholder },
};

#define VALIDATOR_COUNT (sizeof(validators) / sizeof(validators[0]))

int validate_lookup(const char *name)
{
    size_t i;

    if (name == NULL) {
        return -1;
    }
    for (i = 0; i < VALIDATOR_COUNT; i++) {
        if (strcmp(validators[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *validate_name(int id)
{
    if (id < 0 || (size_t)id >= VALIDATOR_COUNT) {
        return NULL;
    }
    return validators[id].name;
}

int validate_count(void)
{
    return (int)VALIDATOR_COUNT;
}

bool validate_check(int id, const char *s, size_t n)
{
    if (id < 0 || (size_t)id >= VALIDATOR_COUNT) {
        return false;
    }
    if (s == NULL) {
        if (n > 0) {
            return false;
        }
        s = "";
    }
    return validators[id].check(s, n);
}

double validate_entropy(const char *s, size_t n)
{
    size_t counts[256] = { 0 };
    double h = 0.0;
    size_t i;

    if (s == NULL || n == 0) {
        return 0.0;
    }
    for (i = 0; i < n; i++) {
        counts[(unsigned char)s[i]]++;
    }
    for (i = 0; i < 256; i++) {
        if (counts[i] > 0) {
            double p = (double)counts[i] / (double)n;

            h -= p * log2(p);
        }
    }
    return h;
}
