/*
 * cmd_audit.h - what the modules of `blackbar audit` share: options,
 * the chunk of log lines a worker scans and what it found in it, and
 * the aggregate report that chunks (or merged partial reports) add to.
 */
#ifndef BB_CMD_AUDIT_H
#define BB_CMD_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "blackbar.h"
#include "cli_pipe.h"

struct aud_opts {
    const struct bb_ruleset *rs;
    const bool *report_rule; /* per rule: reported (not internal) */
    unsigned char key[1024];
    size_t key_len;
    const char *const *fields;
    size_t n_fields;
    const char *time_field;   /* NULL: auto */
    uint64_t max_record;
    unsigned jobs;
    char **logs;
    size_t n_logs;
    const char *redact_dir;   /* --redact-to */
    const unsigned char *file_keys; /* 32 bytes an input: placeholders */
    const char *as_name;      /* --as */
    uint64_t first_line;      /* --first-line */
    bool progress;
    bool findings;            /* --findings: chunks carry their lines */
    const size_t *sarif_index; /* --report sarif: rule -> its index */
};

#define AUD_FP_LEN (BB_FINGERPRINT_HEX / 2)

/* One finding as the worker sees it, tied to its record and value. */
struct aud_find {
    uint64_t line;
    size_t rule;
    const char *path;        /* JSON path, "" for a line that is not JSON */
    const char *fp;          /* BB_FINGERPRINT_HEX hex digits */
    const char *masked;
    const char *day;         /* "YYYY-MM-DD", "" without a time */
};

/* One finding as the report keeps it. */
struct aud_hit {
    uint32_t rule;
    unsigned char fp[AUD_FP_LEN];
};

/* A chunk's findings counted by rule, day and JSON path with its
 * indices starred ("input[*].content"): open addressing, path NULL in a
 * free slot. */
struct aud_tent {
    char *path;
    size_t rule;
    char day[11];
    uint64_t n;
};

struct aud_tally {
    struct aud_tent *e;
    size_t cap;              /* a power of two */
    size_t n;
};

/* A record with findings (for the worst-records list). */
struct aud_rec {
    uint64_t line;
    uint64_t findings;
    size_t first_hit;        /* its hits: [first_hit, first_hit + findings) */
};

struct aud_lerr {
    uint64_t line;
    char *msg;
};

/* A job: whole lines of one input, and what the worker found. */
struct aud_chunk {
    struct cli_job job;
    size_t file;             /* index of the input */
    uint64_t first_line;
    char *data;
    size_t len;
    bool last;               /* the input's last chunk */
    bool gz;                 /* the input is gzip */
    uint64_t bytes;          /* input bytes it stands for */
    char *out;               /* --redact-to: the lines scrubbed */
    size_t out_len;
    size_t out_cap;
    bool out_bad;            /* a line could not be scrubbed */
    /* results */
    uint64_t records;
    uint64_t not_json;
    struct aud_hit *hits;    /* in order, for the distinct values */
    size_t n_hits;
    size_t cap_hits;
    struct aud_tally tally;
    char *flines;            /* --findings: the chunk's lines */
    size_t flines_len;
    char *sarif;             /* --report sarif: its results, ",\n" apart */
    size_t sarif_len;
    FILE *fl;                /* open on flines and sarif until sealed */
    FILE *fs;
    struct aud_rec *recs;
    size_t n_recs;
    size_t cap_recs;
    struct aud_lerr *errs;   /* lines skipped or not scannable */
    size_t n_errs;
};

void aud_chunk_free(struct aud_chunk *c);
/* Record an error for a line (message copied); -1 out of memory. */
int aud_chunk_err(struct aud_chunk *c, uint64_t line, const char *msg);

/* cmd_audit_hits.c: a finding of chunk c, for the report and the
 * outputs o asks for; 0, or -1 out of memory. */
int aud_chunk_finding(struct aud_chunk *c, const struct aud_opts *o,
                      const struct aud_find *d);
/* The worker is done with c: its outputs are complete. 0 or -1. */
int aud_chunk_seal(struct aud_chunk *c);
void aud_tally_free(struct aud_tally *t);
/* 32 hex digits into AUD_FP_LEN bytes; -1 when they are not that. */
int aud_fp_bin(unsigned char *out, const char *hex);

/* cmd_audit_src.c: an input's bytes, plain or gzip (by its magic). */
struct aud_src;
/* Takes fd (closed by aud_src_close, also on failure once *out is set):
 * 0, or -1 (aud_src_error says why when *out is not NULL). */
int aud_src_open(struct aud_src **out, int fd);
/* Up to n bytes: their count, 0 at the end, -1 on an error. */
ssize_t aud_src_read(struct aud_src *s, char *buf, size_t n);
bool aud_src_gz(const struct aud_src *s);
const char *aud_src_error(const struct aud_src *s);
void aud_src_close(struct aud_src *s);

/* cmd_audit_read.c: the producer, reading every input in order. */
int aud_produce(struct cli_pipe *p, void *opts);
const char *aud_input_name(const struct aud_opts *o, size_t file);

/* cmd_audit_scan.c: the worker. */
int aud_worker_new(void **out, void *opts);
int aud_worker_run(void *worker, struct cli_job *job);
void aud_worker_free(void *worker);

/* cmd_audit_agg.c: the report being built. */
struct aud_agg;
int aud_agg_new(struct aud_agg **out, const struct bb_ruleset *rs,
                const char *key_id);
/* A scanned chunk of the input named name. */
int aud_agg_chunk(struct aud_agg *a, const char *name,
                  const struct aud_chunk *c);
/* An input error outside a chunk (open, read, truncated gzip). */
int aud_agg_file_error(struct aud_agg *a, const char *name,
                       uint64_t line, const char *msg);
/* Add a report (a partial) read back; -1 with a message. */
int aud_agg_merge(struct aud_agg *a, const cJSON *report, const char *src);
/* A count in a report object: key's number, 0 when absent or not one. */
uint64_t aud_num(const cJSON *o, const char *key);
/* The report as JSON (cmd_audit_json.c), without the fingerprints. */
cJSON *aud_agg_json(const struct aud_agg *a);
/* Write it compact on one line; partial: with the fingerprints, for
 * audit merge. */
int aud_agg_write(const struct aud_agg *a, FILE *f, bool partial);
uint64_t aud_agg_findings(const struct aud_agg *a);
uint64_t aud_agg_errors(const struct aud_agg *a);
void aud_agg_free(struct aud_agg *a);

/* cmd_audit_copy.c: --redact-to, fed the scanned chunks in order. */
struct aud_copy;
int aud_copy_new(struct aud_copy **out, const struct aud_opts *o);
/* 0, or -1 when an input's copy could not be made (message printed). */
int aud_copy_chunk(struct aud_copy *cp, const struct aud_chunk *c,
                   const char *name);
/* Removes a copy left unfinished. */
void aud_copy_free(struct aud_copy *cp);
/* The worker's side: scrub each line of a chunk into c->out. */
struct aud_wcopy;
int aud_wcopy_new(struct aud_wcopy **out, const struct aud_opts *o);
int aud_wcopy_start(struct aud_wcopy *w, struct aud_chunk *c);
void aud_wcopy_json(struct aud_wcopy *w, const char *p, size_t n);
void aud_wcopy_text(struct aud_wcopy *w, const char *p, size_t n, bool nl);
void aud_wcopy_blank(struct aud_wcopy *w, const char *p, size_t n);
int aud_wcopy_end(struct aud_wcopy *w);
void aud_wcopy_free(struct aud_wcopy *w);

/* cmd_audit_out.c: the text report from the JSON form; the progress
 * line (stderr, a terminal only): bytes done of total (0: unknown). */
int aud_report_text(FILE *f, const cJSON *r);
/* --report sarif: close the results (written as found) and add the
 * errors as the run's notifications. */
int aud_report_sarif_end(FILE *f, const cJSON *r);
void aud_progress(uint64_t done, uint64_t total, double started, bool end);

#endif
