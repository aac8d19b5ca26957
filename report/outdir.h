/*
 * report/outdir.h — the output folder, replaced all at once.
 *
 * outdir_begin() makes `<OUTDIR>.tmp-XXXXXX` beside OUTDIR; the writers put
 * every file there; outdir_commit() swaps it into place (renameat2
 * RENAME_EXCHANGE, or rename-aside where the file system lacks it) and
 * deletes the previous contents; outdir_abort() deletes the temporary folder
 * and leaves OUTDIR as it was.
 *
 * An existing OUTDIR is replaced only when it is a folder that is empty or
 * holds a manifest.json (an earlier engage output), so that `-o` pointed at
 * a folder of other files by mistake never deletes them.
 */
#ifndef ENGAGE_OUTDIR_H
#define ENGAGE_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"

typedef struct {
    char *outdir;          /* as given, trailing slashes removed */
    char *target;          /* the entry that is replaced (symlinks resolved) */
    char *tmpdir;          /* NULL until created, and after commit/abort */
} outdir_t;

/* Check OUTDIR and create the temporary folder beside it.
 * ENGAGE_ECANTCREAT when OUTDIR exists and is not a folder (or is a folder
 * of other files), or when the parent folder is missing or not writable;
 * ENGAGE_EIO when the disk is full.  On failure nothing is left behind and
 * outdir_fini() is still to be called. */
engage_status_t outdir_begin(outdir_t *od, const char *outdir, engage_error_t *err);

/* Path of `name` inside the temporary folder (malloc'd; NULL when out of
 * memory). */
char *outdir_path(const outdir_t *od, const char *name);

/* Write `size` bytes as file `name` in the temporary folder, closing it with
 * every error checked; sha256_hex (may be NULL) receives the digest. */
engage_status_t outdir_write_file(const outdir_t *od, const char *name, const void *data,
                                  size_t size, char sha256_hex[65], engage_error_t *err);

/* Errors from writers name the temporary path; make them name OUTDIR. */
void outdir_fix_error(const outdir_t *od, engage_error_t *err);

/* Put the temporary folder in place of OUTDIR and delete what was there.
 * On failure the temporary folder is removed and OUTDIR is unchanged. */
engage_status_t outdir_commit(outdir_t *od, engage_error_t *err);

/* The commit used where the file system cannot exchange two names: OUTDIR
 * is moved aside, the new folder moved in, and OUTDIR moved back if that
 * fails.  Not atomic, but OUTDIR is never lost.  (outdir_commit() falls
 * back to it; public so that it can be tested.) */
engage_status_t outdir_commit_aside(outdir_t *od, engage_error_t *err);

/* Remove the temporary folder (after a failure). */
void outdir_abort(outdir_t *od);

void outdir_fini(outdir_t *od);

/* Lowercase hex SHA-256 of a buffer. */
void outdir_sha256_hex(const void *data, size_t size, char hex[65]);

#endif
