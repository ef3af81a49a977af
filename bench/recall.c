/*
 * recall.c - per-type recall of a redactor against a truth file written by
 * gencorpus or shared/bench/gen_corpus.py: an item is detected when its
 * value no longer occurs in the redacted output as a whole word. Reads
 * only; its figures match check_recall.py --redacted byte for byte.
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define NONE SIZE_MAX
#define BITS_LOG2 24 /* prefix filter: 2^24 bits, 2 MiB */
#define MAXLEN_LOG2 16
#define FNV_OFFSET 0xcbf29ce484222325u
#define FNV_PRIME 0x100000001b3u

struct needle {
    char *p;
    size_t len;
    uint64_t hash;
    size_t left; /* whole-word occurrences not yet matched to an item */
};

struct group {
    char *key;
    size_t items;
    size_t detected;
};

struct item {
    size_t needle; /* NONE for an empty value */
    size_t group;
    bool is_decoy;
};

struct recall {
    struct needle *needles;
    size_t nneedles;
    size_t capneedles;
    size_t *slots; /* open addressing: needle index + 1, 0 empty */
    size_t mask;
    unsigned char *bits; /* needle prefixes (k bytes), hashed */
    uint32_t *maxlen;    /* per prefix bucket: longest needle */
    unsigned char *has_len;
    size_t longest;
    size_t k; /* prefix length: min(4, shortest needle) */
    struct item *items;
    size_t nitems;
    size_t capitems;
    struct group *groups[2]; /* [0] real items, [1] decoys */
    size_t ngroups[2];
    size_t capgroups[2];
};

struct opts {
    const char *truth;
    const char *redacted;
    const char *json;
    const char *by;
    const char *label;
};

static _Noreturn void die(const char *what, const char *why)
{
    fprintf(stderr, "recall: %s: %s\n", what, why);
    exit(2);
}

static void *xrealloc(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        die("memory", "size overflow");
    }
    p = realloc(p, n * size);
    if (p == NULL) {
        die("memory", "out of memory");
    }
    return p;
}

static char *xstrdup(const char *s, size_t n)
{
    char *p = xrealloc(NULL, n + 1, 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = FNV_OFFSET;
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    }
    return h;
}

static size_t slot_of(uint64_t h, size_t mask)
{
    return (size_t)(h ^ (h >> 29)) & mask;
}

static size_t lookup(const struct recall *r, uint64_t h, const char *s,
                     size_t n)
{
    size_t i = slot_of(h, r->mask);

    while (r->slots[i] != 0) {
        const struct needle *nd = &r->needles[r->slots[i] - 1];
        if (nd->hash == h && nd->len == n && memcmp(nd->p, s, n) == 0) {
            return r->slots[i] - 1;
        }
        i = (i + 1) & r->mask;
    }
    return NONE;
}

/* Grow the table to size slots and re-insert every needle, or with size
 * 0 insert just the newest one. */
static void rehash(struct recall *r, size_t size)
{
    size_t i = 0;

    if (size == 0) {
        i = r->nneedles - 1;
    } else {
        free(r->slots);
        r->slots = xrealloc(NULL, size, sizeof(*r->slots));
        memset(r->slots, 0, size * sizeof(*r->slots));
        r->mask = size - 1;
    }
    for (; i < r->nneedles; i++) {
        size_t j = slot_of(r->needles[i].hash, r->mask);
        while (r->slots[j] != 0) {
            j = (j + 1) & r->mask;
        }
        r->slots[j] = i + 1;
    }
}

/* The needle of a value: itself, or its longest line (the first of equal
 * ones) when it spans lines, as check_recall.py does. */
static size_t add_needle(struct recall *r, const char *v)
{
    const char *best = v;
    size_t blen = strcspn(v, "\n");
    const char *s = v + blen;
    uint64_t h;
    size_t id;

    while (*s == '\n') {
        size_t n = strcspn(++s, "\n");
        if (n > blen) {
            best = s;
            blen = n;
        }
        s += n;
    }
    if (blen == 0) {
        return NONE;
    }
    h = fnv(best, blen);
    id = lookup(r, h, best, blen);
    if (id != NONE) {
        return id;
    }
    if (r->nneedles == r->capneedles) {
        r->capneedles = r->capneedles ? 2 * r->capneedles : 1024;
        r->needles = xrealloc(r->needles, r->capneedles, sizeof(*r->needles));
    }
    r->needles[r->nneedles].p = xstrdup(best, blen);
    r->needles[r->nneedles].len = blen;
    r->needles[r->nneedles].hash = h;
    r->needles[r->nneedles].left = 0;
    r->nneedles++;
    rehash(r, 2 * r->nneedles > r->mask ? 4 * (r->mask + 1) : 0);
    return r->nneedles - 1;
}

static size_t add_group(struct recall *r, bool is_decoy, const char *key)
{
    size_t d = is_decoy;
    size_t i;

    for (i = 0; i < r->ngroups[d]; i++) {
        if (strcmp(r->groups[d][i].key, key) == 0) {
            return i;
        }
    }
    if (r->ngroups[d] == r->capgroups[d]) {
        r->capgroups[d] = r->capgroups[d] ? 2 * r->capgroups[d] : 32;
        r->groups[d] = xrealloc(r->groups[d], r->capgroups[d],
                                sizeof(*r->groups[d]));
    }
    r->groups[d][i].key = xstrdup(key, strlen(key));
    r->groups[d][i].items = 0;
    r->groups[d][i].detected = 0;
    r->ngroups[d]++;
    return i;
}

static const char *field(const cJSON *o, const char *name)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(f) ? f->valuestring : NULL;
}

/* One truth line: {"type", "fmt", "ctx", "value"[, "decoy": true]}. */
static int add_item(struct recall *r, const char *line, size_t len,
                    const char *by)
{
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, false);
    const char *type = field(o, "type");
    const char *fmt = field(o, "fmt");
    const char *ctx = field(o, "ctx");
    const char *value = field(o, "value");
    struct item *it;
    char key[256];
    int rc = 0;

    if (o == NULL || strspn(end, " \t\r\n") != len - (size_t)(end - line) ||
        type == NULL || value == NULL ||
        (strcmp(by, "ctx") == 0 && ctx == NULL) ||
        (strcmp(by, "fmt") == 0 && fmt == NULL)) {
        rc = -1;
        goto out;
    }
    if (strcmp(by, "type") == 0) {
        snprintf(key, sizeof(key), "%s", type);
    } else if (strcmp(by, "ctx") == 0) {
        snprintf(key, sizeof(key), "%s", ctx);
    } else {
        snprintf(key, sizeof(key), "%s:%s", type, fmt);
    }
    if (r->nitems == r->capitems) {
        r->capitems = r->capitems ? 2 * r->capitems : 1024;
        r->items = xrealloc(r->items, r->capitems, sizeof(*r->items));
    }
    it = &r->items[r->nitems++];
    it->is_decoy = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "decoy"));
    it->group = add_group(r, it->is_decoy, key);
    it->needle = add_needle(r, value);
out:
    cJSON_Delete(o);
    return rc;
}

static void load_truth(struct recall *r, const char *path, const char *by)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t lineno = 0;
    char where[64];

    if (f == NULL) {
        die(path, "cannot open");
    }
    for (;;) {
        n = getline(&line, &cap, f);
        if (n < 0) {
            break;
        }
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n) {
            continue;
        }
        if (add_item(r, line, (size_t)n, by) < 0) {
            snprintf(where, sizeof(where), "truth line %zu", lineno);
            die(where, "not a truth object (type, value, fmt, ctx)");
        }
    }
    if (ferror(f)) {
        die(path, "read error");
    }
    free(line);
    fclose(f);
}

static uint32_t prefix_hash(const unsigned char *s, size_t k)
{
    uint32_t v = 0;

    if (k == 4) {
        v = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 |
            (uint32_t)s[3] << 24;
    } else {
        memcpy(&v, s, k);
    }
    return v * 0x9e3779b1u;
}

/* Bit filter and per-bucket longest length over the needles' first k
 * bytes: most corpus positions are rejected by one bit test. */
static void build_filter(struct recall *r)
{
    size_t i;

    r->k = 4;
    r->longest = 0;
    for (i = 0; i < r->nneedles; i++) {
        if (r->needles[i].len < r->k) {
            r->k = r->needles[i].len;
        }
        if (r->needles[i].len > r->longest) {
            r->longest = r->needles[i].len;
        }
    }
    r->bits = xrealloc(NULL, (size_t)1 << (BITS_LOG2 - 3), 1);
    memset(r->bits, 0, (size_t)1 << (BITS_LOG2 - 3));
    r->maxlen = xrealloc(NULL, (size_t)1 << MAXLEN_LOG2, sizeof(*r->maxlen));
    memset(r->maxlen, 0, sizeof(*r->maxlen) << MAXLEN_LOG2);
    r->has_len = xrealloc(NULL, r->longest + 1, 1);
    memset(r->has_len, 0, r->longest + 1);
    for (i = 0; i < r->nneedles; i++) {
        const struct needle *nd = &r->needles[i];
        uint32_t h = prefix_hash((const unsigned char *)nd->p, r->k);
        uint32_t b = h >> (32 - BITS_LOG2);
        uint32_t m = h >> (32 - MAXLEN_LOG2);

        r->bits[b >> 3] |= (unsigned char)(1u << (b & 7));
        if (nd->len > r->maxlen[m]) {
            r->maxlen[m] = (uint32_t)nd->len;
        }
        r->has_len[nd->len] = 1;
    }
}

static bool is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* The bytes around are not [A-Za-z0-9_]; a backslash escape such as \n
 * right before counts as a boundary. */
static bool is_whole(const unsigned char *d, size_t n, size_t off, size_t len)
{
    if (off > 0 && is_word(d[off - 1]) && !(off > 1 && d[off - 2] == '\\')) {
        return false;
    }
    return off + len >= n || !is_word(d[off + len]);
}

/* The longest needle starting at d[p], or NONE. */
static size_t longest_at(const struct recall *r, const unsigned char *d,
                         size_t n, size_t p, uint32_t h)
{
    size_t lim = r->maxlen[h >> (32 - MAXLEN_LOG2)];
    uint64_t fh = FNV_OFFSET;
    size_t best = NONE;
    size_t len;

    if (lim > n - p) {
        lim = n - p;
    }
    for (len = 1; len <= lim; len++) {
        fh = (fh ^ d[p + len - 1]) * FNV_PRIME;
        if (r->has_len[len]) {
            size_t id = lookup(r, fh, (const char *)d + p, len);
            best = id != NONE ? id : best;
        }
    }
    return best;
}

/* grep -F -o semantics: leftmost-longest, non-overlapping matches; then
 * each match that is a whole word counts one occurrence of its needle. */
static void scan(struct recall *r, const unsigned char *d, size_t n)
{
    size_t p = 0;

    while (r->nneedles > 0 && n >= r->k && p <= n - r->k) {
        uint32_t h = prefix_hash(d + p, r->k);
        uint32_t b = h >> (32 - BITS_LOG2);
        size_t id;

        if (!(r->bits[b >> 3] & (1u << (b & 7)))) {
            p++;
            continue;
        }
        id = longest_at(r, d, n, p, h);
        if (id == NONE) {
            p++;
            continue;
        }
        if (is_whole(d, n, p, r->needles[id].len)) {
            r->needles[id].left++;
        }
        p += r->needles[id].len;
    }
}

static void scan_file(struct recall *r, const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    void *map;

    if (fd < 0 || fstat(fd, &st) != 0) {
        die(path, "cannot open");
    }
    if (st.st_size > 0) {
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            die(path, "cannot map");
        }
        posix_madvise(map, (size_t)st.st_size, POSIX_MADV_SEQUENTIAL);
        scan(r, map, (size_t)st.st_size);
        munmap(map, (size_t)st.st_size);
    }
    close(fd);
}

/* Items in truth order take the leaks: a value inserted twice and found
 * once is one leak and one detection. */
static void tally(struct recall *r)
{
    size_t i;

    for (i = 0; i < r->nitems; i++) {
        struct item *it = &r->items[i];
        bool found = it->needle == NONE || r->needles[it->needle].left == 0;

        if (!found) {
            r->needles[it->needle].left--;
        }
        r->groups[it->is_decoy][it->group].items++;
        r->groups[it->is_decoy][it->group].detected += found;
    }
}

/* Group indexes by descending item count, ties in first-seen order. */
static size_t *by_size(const struct group *g, size_t n)
{
    size_t *ix = xrealloc(NULL, n + 1, sizeof(*ix));
    size_t i;
    size_t j;

    for (i = 0; i < n; i++) {
        size_t v = i;
        for (j = i; j > 0 && g[ix[j - 1]].items < g[v].items; j--) {
            ix[j] = ix[j - 1];
        }
        ix[j] = v;
    }
    return ix;
}

static void print_rows(const struct group *g, size_t n)
{
    size_t *ix = by_size(g, n);
    size_t i;

    for (i = 0; i < n; i++) {
        const struct group *x = &g[ix[i]];
        printf("%-28s %7zu %8zu %6.1f%%\n", x->key, x->items, x->detected,
               100.0 * (double)x->detected / (double)x->items);
    }
    free(ix);
}

static void print_table(const struct recall *r, const char *by)
{
    char head[64];
    size_t items = 0;
    size_t detected = 0;
    size_t i;

    snprintf(head, sizeof(head), "item %s", by);
    printf("%-28s %7s %8s %7s\n", head, "items", "detected", "recall");
    print_rows(r->groups[0], r->ngroups[0]);
    for (i = 0; i < r->ngroups[0]; i++) {
        items += r->groups[0][i].items;
        detected += r->groups[0][i].detected;
    }
    printf("%-28s %7zu %8zu %6.1f%%\n", "ALL (non-decoy)", items, detected,
           100.0 * (double)detected / (double)(items > 0 ? items : 1));
    if (r->ngroups[1] > 0) {
        snprintf(head, sizeof(head), "decoy %s", by);
        printf("%-28s %7s %8s %7s\n", head, "items", "flagged", "rate");
        print_rows(r->groups[1], r->ngroups[1]);
    }
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

static void json_groups(FILE *f, const struct group *g, size_t n,
                        const char *count)
{
    size_t i;

    if (n == 0) {
        fputs("{}", f);
        return;
    }
    fputs("{\n", f);
    for (i = 0; i < n; i++) {
        fputs("  ", f);
        json_str(f, g[i].key);
        fprintf(f, ": {\n   \"items\": %zu,\n   \"%s\": %zu\n  }%s\n",
                g[i].items, count, g[i].detected, i + 1 < n ? "," : "");
    }
    fputs(" }", f);
}

/* The layout of check_recall.py --json (Python json.dump, indent=1). */
static void write_json(const struct recall *r, const struct opts *o)
{
    FILE *f = fopen(o->json, "w");
    const char *base = strrchr(o->truth, '/');
    size_t items = 0;
    size_t detected = 0;
    size_t i;

    if (f == NULL) {
        die(o->json, "cannot create");
    }
    for (i = 0; i < r->ngroups[0]; i++) {
        items += r->groups[0][i].items;
        detected += r->groups[0][i].detected;
    }
    fputs("{\n \"label\": ", f);
    json_str(f, o->label);
    fputs(",\n \"truth\": ", f);
    json_str(f, base != NULL ? base + 1 : o->truth);
    fputs(",\n \"by\": ", f);
    json_str(f, o->by);
    fputs(",\n \"mode\": \"redacted\",\n \"recall\": ", f);
    json_groups(f, r->groups[0], r->ngroups[0], "detected");
    fprintf(f, ",\n \"all\": {\n  \"items\": %zu,\n  \"detected\": %zu\n }",
            items, detected);
    fputs(",\n \"decoys\": ", f);
    json_groups(f, r->groups[1], r->ngroups[1], "flagged");
    fputs("\n}", f);
    if (fclose(f) != 0) {
        die(o->json, "write error");
    }
}

static void dispose(struct recall *r)
{
    size_t i;
    size_t d;

    for (i = 0; i < r->nneedles; i++) {
        free(r->needles[i].p);
    }
    for (d = 0; d < 2; d++) {
        for (i = 0; i < r->ngroups[d]; i++) {
            free(r->groups[d][i].key);
        }
        free(r->groups[d]);
    }
    free(r->needles);
    free(r->slots);
    free(r->bits);
    free(r->maxlen);
    free(r->has_len);
    free(r->items);
}

static int usage(void)
{
    fputs("usage: recall --truth TRUTH.jsonl --redacted OUT.txt "
          "[--json FILE] [--by type|ctx|fmt] [--label TEXT]\n",
          stderr);
    return 2;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
    int i;

    for (i = 1; i + 1 < argc; i += 2) {
        const char *v = argv[i + 1];
        if (strcmp(argv[i], "--truth") == 0) {
            o->truth = v;
        } else if (strcmp(argv[i], "--redacted") == 0) {
            o->redacted = v;
        } else if (strcmp(argv[i], "--json") == 0) {
            o->json = v;
        } else if (strcmp(argv[i], "--label") == 0) {
            o->label = v;
        } else if (strcmp(argv[i], "--by") == 0 &&
                   (strcmp(v, "type") == 0 || strcmp(v, "ctx") == 0 ||
                    strcmp(v, "fmt") == 0)) {
            o->by = v;
        } else {
            return -1;
        }
    }
    return i == argc && o->truth != NULL && o->redacted != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct opts o = {NULL, NULL, NULL, "type", ""};
    struct recall r;

    if (parse_opts(&o, argc, argv) < 0) {
        return usage();
    }
    memset(&r, 0, sizeof(r));
    rehash(&r, 1024);
    load_truth(&r, o.truth, o.by);
    build_filter(&r);
    scan_file(&r, o.redacted);
    tally(&r);
    print_table(&r, o.by);
    if (o.json != NULL) {
        write_json(&r, &o);
    }
    dispose(&r);
    return fflush(stdout) == 0 ? 0 : 2;
}
