/*
 * validate.h - named checksum and format validators for rule matches, and
 * Shannon entropy. Pure functions over bytes: no allocation, no I/O.
 */
#ifndef BB_VALIDATE_H
#define BB_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* Return the id (>= 0) of the validator called name, or -1 if unknown. */
int validate_lookup(const char *name);

/* Return the name of validator id (static string), or NULL if out of range. */
const char *validate_name(int id);

/* Number of known validators; ids are 0 .. validate_count() - 1. */
int validate_count(void);

/* Run validator id over the n bytes at s (the matched value, not NUL
 * terminated). Returns true when the value passes. */
bool validate_check(int id, const char *s, size_t n);

/* Shannon entropy of the byte distribution of s, in bits per byte. */
double validate_entropy(const char *s, size_t n);

#endif
