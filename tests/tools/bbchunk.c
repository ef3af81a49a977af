/*
 * bbchunk.c - test driver: scrub stdin to stdout through the library,
 * feeding the input whole, in pieces of N bytes, or in random pieces, so
 * tests can check that the output does not depend on the chunking.
 *
 *   bbchunk whole|N|random:SEED [-o OP]... [--no-default-rules]
 *           [--rules FILE]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blackbar.h"

static int put(const void *p, size_t n, void *ud)
{
    (void)ud;
    return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static char *slurp(size_t *len)
{
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    size_t n = 0;
    size_t got;

    while (buf != NULL && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    *len = n;
    return buf;
}

static int add_rules(struct bb_ruleset *rs, const char *path,
                     struct bb_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    int rc;

    if (f == NULL) {
        fprintf(stderr, "bbchunk: cannot open %s\n", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    rc = bb_ruleset_add_pack(rs, path, buf, (size_t)n, err);
    free(buf);
    return rc;
}

static size_t next_len(const char *mode, unsigned long long *state)
{
    if (strcmp(mode, "whole") == 0) {
        return (size_t)-1;
    }
    if (strncmp(mode, "random:", 7) == 0) {
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (size_t)((*state >> 33) % 300) + 1;
    }
    return (size_t)strtoul(mode, NULL, 10);
}

int main(int argc, char **argv)
{
    struct bb_ruleset *rs = NULL;
    struct bb_redactor *rd = NULL;
    struct bb_scrubber *sc = NULL;
    struct bb_err err = { 0, "" };
    unsigned long long state;
    bool defaults = true;
    size_t len = 0;
    size_t off = 0;
    char *in;
    int i;
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: bbchunk whole|N|random:SEED [options]\n");
        return 2;
    }
    state = strncmp(argv[1], "random:", 7) == 0
                ? strtoull(argv[1] + 7, NULL, 10)
                : 0;
    rc = bb_ruleset_new(&rs, NULL, &err);
    for (i = 2; rc == 0 && i < argc; i++) {
        if (strcmp(argv[i], "--no-default-rules") == 0) {
            defaults = false;
        }
    }
    if (rc == 0 && defaults) {
        rc = bb_ruleset_add_builtin(rs, &err);
    }
    for (i = 2; rc == 0 && i + 1 < argc; i++) {
        if (strcmp(argv[i], "--rules") == 0) {
            rc = add_rules(rs, argv[++i], &err);
        }
    }
    if (rc == 0) {
        rc = bb_ruleset_compile(rs, &err);
    }
    if (rc == 0) {
        rc = bb_redactor_new(&rd, rs, &err);
    }
    for (i = 2; rc == 0 && i + 1 < argc; i++) {
        if (strcmp(argv[i], "-o") == 0) {
            rc = bb_redactor_set_operator(rd, argv[++i], &err);
        }
    }
    if (rc == 0) {
        rc = bb_redactor_set_key(rd, "test", 4, &err);
    }
    if (rc == 0) {
        rc = bb_scrubber_new(&sc, rs, rd, put, NULL, &err);
    }
    in = rc == 0 ? slurp(&len) : NULL;
    while (rc == 0 && in != NULL && off < len) {
        size_t k = next_len(argv[1], &state);

        k = k > len - off ? len - off : k;
        rc = bb_scrubber_feed(sc, in + off, k, &err);
        off += k;
    }
    if (rc == 0) {
        rc = bb_scrubber_finish(sc, &err);
    }
    if (rc < 0) {
        fprintf(stderr, "bbchunk: %s\n", err.msg);
    }
    free(in);
    bb_scrubber_free(sc);
    bb_redactor_free(rd);
    bb_ruleset_free(rs);
    return rc < 0 ? 2 : 0;
}
