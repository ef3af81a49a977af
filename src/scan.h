/*
 * scan.h - what the modules of `blackbar scan` share: the options, the
 * unit of work (a file, a staged blob, the added lines of one file in a
 * diff), its findings, and the pipeline that scans units on all cores
 * and hands them back in order.
 */
#ifndef BB_SCAN_H
#define BB_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blackbar.h"
#include "cli_pipe.h"

enum scan_mode {
    MODE_TREE,    /* files: git ls-files, or a walk */
    MODE_STAGED,  /* the index's blobs of added and modified files */
    MODE_DIFF,    /* lines added since a revision */
    MODE_HISTORY  /* lines added by every commit */
};

enum scan_format { FMT_TEXT, FMT_JSON, FMT_SARIF };

struct scan_ignore;
struct scan_baseline;

struct scan_opts {
    enum scan_mode mode;
    enum scan_format format;
    bool no_git;
    bool show_values;
    bool color;
    bool quiet;
    const char *diff_rev;
    const char *output;
    const char *baseline;
    const char *write_baseline;
    const char *ignore_file;
    uint64_t max_size;
    unsigned jobs;
    char **paths;
    size_t n_paths;
    /* set up by cmd_scan from the above */
    const struct bb_ruleset *rs;
    unsigned char key[1024];
    size_t key_len;
    const bool *report_rule; /* per rule: reported (not internal) */
    const struct scan_ignore *ignore;
    const struct scan_baseline *base;
};

enum unit_skip {
    SKIP_NONE,
    SKIP_BINARY,
    SKIP_LARGE,
    SKIP_SYMLINK,
    SKIP_IGNORED,    /* a .blackbarignore glob */
    SKIP_UNREADABLE, /* reported with its message */
    SKIP_GONE        /* vanished between listing and reading: not counted */
};

/* One finding, resolved to a line. */
struct scan_hit {
    uint64_t line;
    uint64_t column;   /* 1-based, bytes */
    uint64_t end_line;
    size_t rule;
    bool allowed;      /* blackbar:allow on its line */
    bool baselined;    /* fingerprint in the baseline or ignore file */
    char fp[BB_FINGERPRINT_HEX + 1];
    char masked[64];
    char *value;       /* the whole value: only with --show-values */
};

struct scan_unit {
    struct cli_job job; /* first: the pipe's view (done, len) */
    char *path;        /* as shown: relative to the working directory */
    char *key_path;    /* in fingerprints: relative to the scan root */
    char *open_path;   /* what to open, when data is NULL */
    char *commit;      /* --history: the commit that added the lines */
    char *blob;        /* --staged: the blob to read from git */
    char *data;        /* content held in memory, or NULL */
    size_t len;
    uint64_t *line_map; /* diff: line i + 1 of data is file line map[i] */
    size_t n_lines;
    enum unit_skip skip;
    char *error;       /* why it could not be read */
    struct scan_hit *hits;
    size_t n_hits;
};

void scan_unit_free(struct scan_unit *u);

/* ---- scan_find.c: read one unit and find what is in it (thread-safe:
 * one worker per thread with its own redactor). */
struct scan_worker;
int scan_worker_new(struct scan_worker **out, const struct scan_opts *o);
/* The pipe's view of the above (cli_pipe_ops). */
int scan_job_worker_new(void **out, void *ctx);
int scan_job_run(void *worker, struct cli_job *job);
void scan_job_worker_free(void *worker);
void scan_job_free(struct cli_job *job);
/* Fill u->hits (or u->skip / u->error); -1 only on an internal error
 * (out of memory, a library failure: message printed), which stops the
 * scan. */
int scan_worker_run(struct scan_worker *w, struct scan_unit *u);
void scan_worker_free(struct scan_worker *w);

/* ---- scan_src.c: the producers. Each pushes its units and returns 0,
 * or -1 on a failure that makes the scan incomplete (message printed). */
int scan_src_tree(struct cli_pipe *p, void *opts);
int scan_src_staged(struct cli_pipe *p, void *opts);
/* scan_diff.c */
int scan_src_diff(struct cli_pipe *p, void *opts);
/* Push a unit (its len counted): scan_unit_free on failure. */
int scan_push(struct cli_pipe *p, struct scan_unit *u);

/* ---- scan_git.c: run git with argv (no shell). */
struct git_proc {
    int pid;
    FILE *out; /* its standard output */
    FILE *in;  /* its standard input (git_batch_start), else NULL */
};
int git_start(struct git_proc *g, const char *const *argv, bool quiet);
/* Wait for it; its exit status (0 ok), or -1. */
int git_finish(struct git_proc *g);
/* Run and collect stdout (NUL-terminated, at most max bytes); 0, or -1
 * when git failed (with its stderr shown unless quiet) or the output was
 * larger than max (*len_out = max + 1). */
int git_output(char **out, size_t *len_out, const char *const *argv,
               size_t max, bool quiet);
/* git cat-file --batch: many blobs through one process, which
 * git_finish ends. */
int git_batch_start(struct git_proc *g);
/* Blob oid: 0 with *out (malloc'd, NUL-terminated) and *len; 1 when it
 * is larger than max (skipped; *len its size); -2 out of memory; -1
 * when git failed or the object is not a blob (the process is then of
 * no more use). */
int git_batch_blob(struct git_proc *g, const char *oid, size_t max,
                   char **out, size_t *len);
/* The work tree's top level (malloc'd), or NULL outside one. */
char *git_toplevel(const char *dir);
/* 0 inside a work tree, else -1 with a message. */
int git_require(const char *dir);
/* --install-hook: write the pre-commit hook; an exit code. */
int scan_install_hook(bool force);

/* ---- scan_ignore.c: .blackbarignore and baselines. */
int scan_ignore_load(struct scan_ignore **out, const char *path,
                     bool must_exist);
bool scan_ignore_path(const struct scan_ignore *ig, const char *path);
bool scan_ignore_fp(const struct scan_ignore *ig, const char *fp);
void scan_ignore_free(struct scan_ignore *ig);

int scan_baseline_load(struct scan_baseline **out, const char *path,
                       const char *key_id);
bool scan_baseline_has(const struct scan_baseline *b, const char *fp);
void scan_baseline_free(struct scan_baseline *b);
/* Writing: collect entries, then write the sorted file (merged with
 * the entries of paths that were not scanned). */
struct scan_bwriter;
int scan_bwriter_new(struct scan_bwriter **out);
int scan_bwriter_path(struct scan_bwriter *bw, const char *path);
int scan_bwriter_add(struct scan_bwriter *bw, const char *path,
                     const char *rule, const struct scan_hit *h);
int scan_bwriter_write(struct scan_bwriter *bw, const char *file,
                       const char *key_id, size_t *n_out);
void scan_bwriter_free(struct scan_bwriter *bw);

/* ---- scan_out.c: the report. */
struct scan_summary {
    uint64_t files;
    uint64_t findings;
    uint64_t baselined;
    uint64_t allowed;
    uint64_t skipped_binary;
    uint64_t skipped_large;
    uint64_t skipped_symlink;
    uint64_t ignored;
    uint64_t unreadable;
};
struct scan_out;
int scan_out_new(struct scan_out **out, const struct scan_opts *o,
                 FILE *f);
int scan_out_hit(struct scan_out *so, const struct scan_unit *u,
                 const struct scan_hit *h);
int scan_out_end(struct scan_out *so, const struct scan_summary *sum);
void scan_out_free(struct scan_out *so);

#endif
