/*
 * items.h - the sensitive items and decoys the corpus generator inserts:
 * how each value is made and the sentence / log templates that carry it.
 * Values are random and synthetic; no module here does any I/O.
 */
#ifndef BB_ITEMS_H
#define BB_ITEMS_H

#include <stdbool.h>

#include "gen.h"

/* Appends one value to out and returns its fmt (a static string). */
typedef const char *(*items_make_fn)(struct gen_buf *out, struct gen_rng *r);

/*
 * One item type. Templates are text with %X where the value goes and the
 * filler codes expanded by gencorpus.c (%n noun, %a adjective, %v past
 * verb, %b verb, %F/%L first/last name, %C city, %m month, %d day,
 * %i small number, %I id, %k milliseconds, %h host, %s service, %p path,
 * %t HTTP status, %u user name, %x 8 hex digits). A template never puts a
 * word character right next to %X, so every value is a whole word.
 */
struct items_kind {
    const char *name;
    unsigned weight; /* relative frequency among real items; 0 for decoys */
    bool is_decoy;
    items_make_fn make;
    const char *prose[3]; /* unused slots are NULL */
    const char *log[2];
};

/* A real item type, drawn with the table's weights. */
const struct items_kind *items_pick(struct gen_rng *r);

/* A decoy type, drawn uniformly. */
const struct items_kind *items_pick_decoy(struct gen_rng *r);

/* Lower-case ASCII first and last names (shared with e-mail addresses). */
const char *items_first_name(struct gen_rng *r);
const char *items_last_name(struct gen_rng *r);

#endif
