/*
 * check_validate.c - unit tests for the validate module: published and
 * synthetic vectors for every validator, name/id round trips, bounds and
 * entropy. Values are test vectors or invented; none belongs to a person.
 */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

struct vector {
    const char *validator;
    const char *value;
    bool expect;
};

static const struct vector vectors[] = {
    /* luhn: published test card numbers, then broken ones */
    { "luhn", "4111111111111111", true },
    { "luhn", "378282246310005", true },
    { "luhn", "5555555555554444", true },
    { "luhn", "6011111111111117", true },
    { "luhn", "30569309025904", true },
    { "luhn", "4111 1111 1111 1111", true },
    { "luhn", "4111-1111-1111-1111", true },
    { "luhn", "411111111117", true },
    { "luhn", "4111111111111111110", true },
    { "luhn", "4111111111111112", false },
    { "luhn", "378282246310006", false },
    { "luhn", "41111111112", false },
    { "luhn", "41111111111111111115", false },
    { "luhn", "4111.1111.1111.1111", false },
    { "luhn", "4111111111111111a", false },
    { "luhn", "", false },
    { "luhn", "- - -", false },

    /* iban: registry examples, one digit changed, bad shapes */
    { "iban", "GB82WEST12345698765432", true },
    { "iban", "DE89370400440532013000", true },
    { "iban", "GB82 WEST 1234 5698 7654 32", true },
    { "iban", "gb82west12345698765432", true },
    { "iban", "FR1420041010050500013M02606", true },
    { "iban", "NO9386011117947", true },
    { "iban", "MT84MALT011000012345MTLCAST001S", true },
    { "iban", "LC55HEMM000100010012001200023015", true },
    { "iban", "GB02WEST12345698765029", true },
    { "iban", "GB98WEST12345698765047", true },
    { "iban", "GB82WEST12345698765433", false },
    { "iban", "DE89370400440532013001", false },
    { "iban", "GB81WEST12345698765432", false },
    { "iban", "GB99WEST12345698765029", false },
    { "iban", "GB01WEST12345698765047", false },
    { "iban", "DE89370400440532013000 0", false },
    { "iban", "GB82WEST1234569876543", false },
    { "iban", "XX82WEST12345698765432", false },
    { "iban", "GB82-WEST-1234-5698-7654-32", false },
    { "iban", "GBX2WEST12345698765432", false },
    { "iban", "", false },

    /* us_ssn: synthetic numbers, then never-issued and advertising ones */
    { "us_ssn", "536-22-1234", true },
    { "us_ssn", "536 22 1234", true },
    { "us_ssn", "536221234", true },
    { "us_ssn", "001-01-0001", true },
    { "us_ssn", "899-99-9999", true },
    { "us_ssn", "000-12-3456", false },
    { "us_ssn", "666-12-3456", false },
    { "us_ssn", "900-12-3456", false },
    { "us_ssn", "536-00-1234", false },
    { "us_ssn", "536-22-0000", false },
    { "us_ssn", "078-05-1120", false },
    { "us_ssn", "219-09-9999", false },
    { "us_ssn", "123-45-6789", false },
    { "us_ssn", "536-22 1234", false },
    { "us_ssn", "53-622-1234", false },
    { "us_ssn", "5362212345", false },
    { "us_ssn", "536-2a-1234", false },

    /* ipv4: RFC 5737 documentation addresses and malformed quads */
    { "ipv4", "192.0.2.1", true },
    { "ipv4", "198.51.100.7", true },
    { "ipv4", "203.0.113.255", true },
    { "ipv4", "10.0.0.0", true },
    { "ipv4", "255.255.255.254", true },
    { "ipv4", "0.0.0.0", false },
    { "ipv4", "255.255.255.255", false },
    { "ipv4", "256.1.1.1", false },
    { "ipv4", "192.0.2.01", false },
    { "ipv4", "192.0.2", false },
    { "ipv4", "192.0.2.1.5", false },
    { "ipv4", "192.0.2.", false },
    { "ipv4", "192..0.2", false },
    { "ipv4", "1921.0.2.1", false },
    { "ipv4", "192.0.2.1 ", false },

    /* ipv6: RFC 4291 / RFC 3849 forms */
    { "ipv6", "2001:db8::1", true },
    { "ipv6", "::1", true },
    { "ipv6", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", true },
    { "ipv6", "fe80::", true },
    { "ipv6", "::ffff:192.0.2.128", true },
    { "ipv6", "1:2:3:4:5:6:7::", true },
    { "ipv6", "1:2:3:4:5:6:192.0.2.1", true },
    { "ipv6", "2001:DB8:0:0:8:800:200C:417A", true },
    { "ipv6", "::", false },
    { "ipv6", "1:2:3:4:5:6:7:8:9", false },
    { "ipv6", "2001:db8:::1", false },
    { "ipv6", "2001::db8::1", false },
    { "ipv6", "12345::1", false },
    { "ipv6", ":1:2:3:4:5:6:7", false },
    { "ipv6", ":fe80:1:2:3:4:5:6", false },
    { "ipv6", "1:2:3:4:5:6:7:", false },
    { "ipv6", "1:2:3:4:5:6:7:8::", false },
    { "ipv6", "1::2:3:4:5:6:7:8", false },
    { "ipv6", "g::1", false },
    { "ipv6", "192.0.2.1", false },
    { "ipv6", "::ffff:256.0.2.1", false },
    { "ipv6", "1:2:3:4:5:6:7:192.0.2.1", false },
    { "ipv6", "fe80::1%eth0", false },

    /* mac */
    { "mac", "00:1a:2b:3c:4d:5e", true },
    { "mac", "00-1A-2B-3C-4D-5E", true },
    { "mac", "001a.2b3c.4d5e", true },
    { "mac", "02:00:5e:10:00:00", true },
    { "mac", "00:00:00:00:00:00", false },
    { "mac", "ff:ff:ff:ff:ff:ff", false },
    { "mac", "FF-FF-FF-FF-FF-FF", false },
    { "mac", "0000.0000.0000", false },
    { "mac", "00:1a-2b:3c:4d:5e", false },
    { "mac", "00:1a:2b:3c:4d", false },
    { "mac", "00:1g:2b:3c:4d:5e", false },
    { "mac", "001a.2b3c:4d5e", false },
    { "mac", "00:1a:2b:3c:4d:5e:6f", false },

    /* jwt: the jwt.io example and synthetic tokens */
    { "jwt",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZ"
      "SI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36PO"
      "k6yJV_adQssw5c",
      true },
    { "jwt",
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzeW50aGV0aWMtdXNlciIsI"
      "mlhdCI6MTcwMDAwMDAwMH0.pUOZfYTxJ5g1DAm97yzbFxv0HtPkpfgIry_rDFYmMAk",
      true },
    { "jwt",
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJibGFja2JhciJ9.pUOZfYTxJ"
      "5g1DAm97yzbFxv0HtPkpfgIry_rDFYmMAk",
      true },
    { "jwt",
      "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ==.pUOZfYTxJ5g1DAm97yzbFxv0HtPkpfgIry_r"
      "DFYmMAk",
      true },
    { "jwt",
      "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.pUOZfYTxJ5g1DAm97yzbFxv0HtPkpfgIry_"
      "rDFYmMAk",
      false },
    { "jwt",
      "WyJhbGciXQ.eyJzdWIiOiJ4In0.pUOZfYTxJ5g1DAm97yzbFxv0HtPkpfgIry_rDFYmMAk",
      false },
    { "jwt",
      "eyJhbGciOiJIUzI1NiJ9.InN0ciI.pUOZfYTxJ5g1DAm97yzbFxv0HtPkpfgIry_rDFYmM"
      "Ak",
      false },
    { "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.", false },
    { "jwt", "eyJhbGciOiJIUzI1NiI.eyJhIjoxfQ.c2ln", false },
    { "jwt", "eyJhbGciOiJIUzI1NiJ9IA.eyJhIjoxfQ.c2ln", false },
    { "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ", false },
    { "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln.c2ln", false },
    { "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2l+", false },
    { "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ=.c2ln", false },
    { "jwt", "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxf.c2ln", false },
    { "jwt", "..", false },

    /* btc_base58: published addresses, synthetic testnet ones */
    { "btc_base58", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", true },
    { "btc_base58", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", true },
    { "btc_base58", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", true },
    { "btc_base58", "mmkj3i2RotSCnPG5YTEr5FGc9PKfbB4igv", true },
    { "btc_base58", "2MyUzjwMvADpgJE7Sd7YwHuQUeGDqyuc97h", true },
    { "btc_base58", "1111111111111111111114oLvT2", true },
    { "btc_base58", "1BoatSLRHtKNngkdXEeobR76b53LETtpyU", false },
    { "btc_base58", "1BoatSLRHtKNngkdXEeobR76b53LETtpy", false },
    { "btc_base58", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT1", false },
    { "btc_base58", "1BoatSLRHtKNngkdXEeobR76b53LETtpy0", false },
    { "btc_base58", "1BoatSLRHtKNngkdXEeobR76b53LETtpyI", false },
    { "btc_base58", "11BoatSLRHtKNngkdXEeobR76b53LETtpyT", false },
    { "btc_base58", "BoatSLRHtKNngkdXEeobR76b53LETtpyT", false },
    { "btc_base58", "LRTj1sFH5XF1G5Ud12FmXM83Vc6Eok3D5L", false },
    { "btc_base58", "", false },

    /* btc_bech32: BIP-173 and BIP-350 test vectors */
    { "btc_bech32", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", true },
    { "btc_bech32",
      "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
      true },
    { "btc_bech32",
      "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k"
      "t5nd6y",
      true },
    { "btc_bech32", "BC1SW50QGDZ25J", true },
    { "btc_bech32", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", true },
    { "btc_bech32",
      "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
      true },
    { "btc_bech32",
      "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
      true },
    { "btc_bech32",
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
      true },
    { "btc_bech32",
      "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
      false },
    { "btc_bech32",
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
      false },
    { "btc_bech32",
      "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
      false },
    { "btc_bech32",
      "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
      false },
    { "btc_bech32", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", false },
    { "btc_bech32",
      "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
      false },
    { "btc_bech32",
      "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
      false },
    { "btc_bech32",
      "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
      false },
    { "btc_bech32", "bc1pw5dgrnzv", false },
    { "btc_bech32",
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav"
      "253zgeav",
      false },
    { "btc_bech32", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", false },
    { "btc_bech32",
      "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
      false },
    { "btc_bech32",
      "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
      false },
    { "btc_bech32",
      "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
      false },
    { "btc_bech32", "bc1gmk9yu", false },
    { "btc_bech32", "bc1prrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrgqg68h", true },
    { "btc_bech32", "bc1prrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrqsdufg9", false },
    { "btc_bech32", "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", false },
    { "btc_bech32", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", false },
    { "btc_bech32", "bc1rw5uspcuh", false },

    /* eth_address: EIP-55 examples and malformed ones */
    { "eth_address", "0x52908400098527886E0F7030069857D2E4169EE7", true },
    { "eth_address", "0xde709f2102306220921060314715629080e2fb77", true },
    { "eth_address", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", true },
    { "eth_address", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", true },
    { "eth_address", "0x0000000000000000000000000000000000000000", false },
    { "eth_address", "0x52908400098527886E0F7030069857D2E4169EE", false },
    { "eth_address", "0x52908400098527886E0F7030069857D2E4169EE70", false },
    { "eth_address", "0X52908400098527886E0F7030069857D2E4169EE7", false },
    { "eth_address", "0052908400098527886E0F7030069857D2E4169EE7", false },
    { "eth_address", "0xg2908400098527886E0F7030069857D2E4169EE7", false },

    /* uk_nino: synthetic numbers; QQ is HMRC's own dummy prefix */
    { "uk_nino", "AB123456C", true },
    { "uk_nino", "AB 12 34 56 C", true },
    { "uk_nino", "ab123456c", true },
    { "uk_nino", "CE123456D", true },
    { "uk_nino", "AB123456 A", true },
    { "uk_nino", "QQ123456C", false },
    { "uk_nino", "DA123456A", false },
    { "uk_nino", "AO123456A", false },
    { "uk_nino", "BG123456A", false },
    { "uk_nino", "GB123456A", false },
    { "uk_nino", "NK123456A", false },
    { "uk_nino", "TN123456A", false },
    { "uk_nino", "ZZ123456A", false },
    { "uk_nino", "AB123456E", false },
    { "uk_nino", "AB12345C", false },
    { "uk_nino", "AB123456", false },
    { "uk_nino", "AB  123456C", false },
    { "uk_nino", "AB123456C ", false },
    { "uk_nino", "A B123456C", false },

    /* date */
    { "date", "2024-02-29", true },
    { "date", "2000/02/29", true },
    { "date", "31/12/1999", true },
    { "date", "12/31/1999", true },
    { "date", "29.02.2024", true },
    { "date", "31-12-2020", true },
    { "date", "12-31-2020", true },
    { "date", "5 March 2021", true },
    { "date", "Mar 5, 2021", true },
    { "date", "December 25 1999", true },
    { "date", "1 jan 1900", true },
    { "date", "2099-12-31", true },
    { "date", "2023-02-29", false },
    { "date", "1900-02-29", false },
    { "date", "2024-13-01", false },
    { "date", "2024-00-10", false },
    { "date", "32/01/2020", false },
    { "date", "12.31.2020", false },
    { "date", "1899-12-31", false },
    { "date", "2100-01-01", false },
    { "date", "31 Feb 2020", false },
    { "date", "Febtember 3, 2020", false },
    { "date", "2024/02-10", false },
    { "date", "2024.02.10", false },
    { "date", "20240210", false },
    { "date", "5 Marc 2021", false },
    { "date", "", false },

    /* phone: fictional 555-01xx and Ofcom drama numbers */
    { "phone", "+1 (202) 555-0143", true },
    { "phone", "020 7946 0018", true },
    { "phone", "+44 20 7946 0958", true },
    { "phone", "202.555.0173", true },
    { "phone", "555/0199", true },
    { "phone", "12345", false },
    { "phone", "1234567890", false },
    { "phone", "0123-456-789", false },
    { "phone", "555 555 5555", false },
    { "phone", "+1 202 555 01x3", false },
    { "phone", "+1 202 555 0143 12345", false },
    { "phone", "+1 202 555 0143 1234", true },
    { "phone", "202_555_0143", false },
    { "phone", "(+)-./", false },

    /* aba_routing: Federal Reserve and published bank numbers */
    { "aba_routing", "011000015", true },
    { "aba_routing", "021000021", true },
    { "aba_routing", "111000025", true },
    { "aba_routing", "122105278", true },
    { "aba_routing", "011000016", false },
    { "aba_routing", "000000000", false },
    { "aba_routing", "02100002", false },
    { "aba_routing", "0210000210", false },
    { "aba_routing", "02100002a", false },
    { "aba_routing", "021-000-021", false },

    /* npi: the CMS example and synthetic numbers */
    { "npi", "1234567893", true },
    { "npi", "1234567802", true },
    { "npi", "1245319599", true },
    { "npi", "1003000126", true },
    { "npi", "1234567890", false },
    { "npi", "123456789", false },
    { "npi", "12345678931", false },
    { "npi", "123456789a", false },
    { "npi", "1234 567893", false },

    /* not_placeholder: true keeps the value, false drops it */
    { "not_placeholder", "Zq7vR2mXk9LpT4wB", true },
    { "not_placeholder", "hunter2-Q8sd!fj3", true },
    { "not_placeholder", "tR8#pL2@vN6q", true },
    { "not_placeholder", "correct-horse-battery-staple", true },
    { "not_placeholder", "abcdefg1", true },
    { "not_placeholder", "xxxxxxxx", false },
    { "not_placeholder", "AAAaaaAA", false },
    { "not_placeholder", "abcabcab", false },
    { "not_placeholder", "12341234", false },
    { "not_placeholder", "123456789", false },
    { "not_placeholder", "sk_ABCDEFGH_42", false },
    { "not_placeholder", "your-api-key", false },
    { "not_placeholder", "YOUR_TOKEN", false },
    { "not_placeholder", "api_key_Example_123", false },
    { "not_placeholder", "tok_xxxx_9f8e", false },
    { "not_placeholder", "********", false },
    { "not_placeholder", "<TOKEN>", false },
    { "not_placeholder", "${SECRET}", false },
    { "not_placeholder", "{{ api_key }}", false },
    { "not_placeholder", "ChangeMe!2024", false },
    { "not_placeholder", "dummy-password", false },
    { "not_placeholder", "[REDACTED]", false },
    { "not_placeholder", "sample_token_q9", false },
    { "not_placeholder", "placeholder", false },
    { "not_placeholder", "a", false },
    { "not_placeholder", "", false },
};

#define VECTOR_COUNT ((int)(sizeof(vectors) / sizeof(vectors[0])))

/* The published order: ids are indexes and must never move. */
static const char *const names[] = {
    "luhn", "iban", "us_ssn", "ipv4", "ipv6", "mac", "jwt", "btc_base58",
    "btc_bech32", "eth_address", "uk_nino", "date", "phone", "aba_routing",
    "npi", "not_placeholder",
};

#define NAME_COUNT ((int)(sizeof(names) / sizeof(names[0])))

/*
 * Run a validator on a copy placed at the very end of a stack buffer, so
 * that AddressSanitizer reports any read past n.
 */
static bool check_at_end(int id, const char *value, size_t n)
{
    char buf[512];

    ck_assert_uint_le(n, sizeof(buf));
    memcpy(buf + sizeof(buf) - n, value, n);
    return validate_check(id, buf + sizeof(buf) - n, n);
}

START_TEST(test_vector)
{
    const struct vector *v = &vectors[_i];
    int id = validate_lookup(v->validator);
    bool got;

    ck_assert_int_ge(id, 0);
    got = check_at_end(id, v->value, strlen(v->value));
    ck_assert_msg(got == v->expect, "%s(\"%s\") returned %s", v->validator,
                  v->value, got ? "true" : "false");
}
END_TEST

/* Every validator has at least 4 passing and 4 failing vectors. */
START_TEST(test_vector_coverage)
{
    int pass = 0;
    int fail = 0;
    int i;

    for (i = 0; i < VECTOR_COUNT; i++) {
        if (strcmp(vectors[i].validator, names[_i]) != 0) {
            continue;
        }
        if (vectors[i].expect) {
            pass++;
        } else {
            fail++;
        }
    }
    ck_assert_msg(pass >= 4 && fail >= 4, "%s: %d valid, %d invalid vectors",
                  names[_i], pass, fail);
}
END_TEST

START_TEST(test_name_round_trip)
{
    ck_assert_int_eq(validate_count(), NAME_COUNT);
    ck_assert_ptr_nonnull(validate_name(_i));
    ck_assert_str_eq(validate_name(_i), names[_i]);
    ck_assert_int_eq(validate_lookup(names[_i]), _i);
    ck_assert_int_eq(validate_lookup(validate_name(_i)), _i);
}
END_TEST

START_TEST(test_name_unknown)
{
    ck_assert_int_eq(validate_lookup("nope"), -1);
    ck_assert_int_eq(validate_lookup(""), -1);
    ck_assert_int_eq(validate_lookup("LUHN"), -1);
    ck_assert_int_eq(validate_lookup("luhn "), -1);
    ck_assert_int_eq(validate_lookup(NULL), -1);
    ck_assert_ptr_null(validate_name(-1));
    ck_assert_ptr_null(validate_name(validate_count()));
    ck_assert(!validate_check(-1, "4111111111111111", 16));
    ck_assert(!validate_check(validate_count(), "4111111111111111", 16));
}
END_TEST

/* Empty, NULL and oversized inputs fail every validator. */
START_TEST(test_limits)
{
    char big[4096];

    memset(big, '1', sizeof(big));
    ck_assert(!validate_check(_i, NULL, 0));
    ck_assert(!validate_check(_i, NULL, 5));
    ck_assert(!check_at_end(_i, "", 0));
    ck_assert(!validate_check(_i, big, sizeof(big)));
    memset(big, 'a', sizeof(big));
    ck_assert(!validate_check(_i, big, sizeof(big)));
}
END_TEST

/*
 * A valid value followed by a NUL byte fails: input is bytes, not a C
 * string. Not for not_placeholder, where any byte may be part of a secret.
 */
START_TEST(test_embedded_nul)
{
    char buf[512];
    size_t n;
    int i;

    if (strcmp(names[_i], "not_placeholder") == 0) {
        return;
    }
    for (i = 0; i < VECTOR_COUNT; i++) {
        if (strcmp(vectors[i].validator, names[_i]) != 0 ||
            !vectors[i].expect) {
            continue;
        }
        n = strlen(vectors[i].value);
        ck_assert_uint_lt(n, sizeof(buf));
        memcpy(buf, vectors[i].value, n);
        buf[n] = '\0';
        ck_assert_msg(!check_at_end(_i, buf, n + 1), "%s(\"%s\\0\")",
                      names[_i], vectors[i].value);
    }
}
END_TEST

/* Only the n bytes count: what follows them is never read. */
START_TEST(test_length_bound)
{
    static const char card[] = "41111111111111119";
    static const char addr[] = "192.0.2.1.5";

    ck_assert(validate_check(validate_lookup("luhn"), card, 16));
    ck_assert(!validate_check(validate_lookup("luhn"), card, 17));
    ck_assert(validate_check(validate_lookup("ipv4"), addr, 9));
    ck_assert(!validate_check(validate_lookup("ipv4"), addr, 11));
}
END_TEST

struct entropy_case {
    const char *value;
    size_t n;
    double bits;
};

static const struct entropy_case entropy_cases[] = {
    { "", 0, 0.0 },
    { "aaaaaaaa", 8, 0.0 },
    { "ab", 2, 1.0 },
    { "abcd", 4, 2.0 },
    { "aabb", 4, 1.0 },
    { "0123456789abcdef", 16, 4.0 },
    { "aaab", 4, 0.8112781244591328 },
    { "a\0b\0", 4, 1.5 },
};

START_TEST(test_entropy)
{
    const struct entropy_case *c = &entropy_cases[_i];

    ck_assert_double_eq_tol(validate_entropy(c->value, c->n), c->bits, 1e-9);
}
END_TEST

START_TEST(test_entropy_all_bytes)
{
    char all[512];
    size_t i;

    for (i = 0; i < sizeof(all); i++) {
        all[i] = (char)(unsigned char)(i % 256);
    }
    ck_assert_double_eq_tol(validate_entropy(all, sizeof(all)), 8.0, 1e-9);
    ck_assert_double_eq_tol(validate_entropy(NULL, 0), 0.0, 1e-12);
}
END_TEST

Suite *validate_suite(void);

Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *core = tcase_create("core");
    TCase *name = tcase_create("names");
    TCase *limits = tcase_create("limits");
    TCase *entropy = tcase_create("entropy");
    int entropy_count =
        (int)(sizeof(entropy_cases) / sizeof(entropy_cases[0]));

    tcase_add_loop_test(core, test_vector, 0, VECTOR_COUNT);
    tcase_add_loop_test(core, test_vector_coverage, 0, NAME_COUNT);
    suite_add_tcase(s, core);
    tcase_add_loop_test(name, test_name_round_trip, 0, NAME_COUNT);
    tcase_add_test(name, test_name_unknown);
    suite_add_tcase(s, name);
    tcase_add_loop_test(limits, test_limits, 0, NAME_COUNT);
    tcase_add_loop_test(limits, test_embedded_nul, 0, NAME_COUNT);
    tcase_add_test(limits, test_length_bound);
    suite_add_tcase(s, limits);
    tcase_add_loop_test(entropy, test_entropy, 0, entropy_count);
    tcase_add_test(entropy, test_entropy_all_bytes);
    suite_add_tcase(s, entropy);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(validate_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
