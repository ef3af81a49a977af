/*
 * builtin.h - the rule packs compiled into the library, generated from
 * rules/ *.json at build time by gen-builtin.sh.
 */
#ifndef BB_BUILTIN_H
#define BB_BUILTIN_H

#include <stddef.h>

struct builtin_pack {
    const char *name;
    const unsigned char *data;
    size_t len;
};

extern const struct builtin_pack builtin_packs[];
extern const size_t builtin_packs_n;

#endif
