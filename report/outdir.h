/*
 * report/outdir.h — the output folder, replaced all at once, and never
 * with anything of the user's in it.
 *
 * outdir_begin() makes `<OUTDIR>.tmp-XXXXXX` beside OUTDIR (with a marker
 * file, OUTDIR_MARKER, saying which process made it); the writers put every
 * file there; outdir_commit() swaps it into place (renameat2
 * RENAME_EXCHANGE, or rename-aside where the file system lacks it) and
 * deletes the previous contents; outdir_abort() deletes the temporary
 * folder and leaves OUTDIR as it was.
 *
 * What may be replaced: a folder that is empty, or that holds nothing but
 * what an earlier run wrote into it according to its manifest.json (an
 * engage manifest, as verify_load() reads one: its listed outputs, as
 * regular files, and the manifest itself).  Anything else in it — a
 * subfolder, a symbolic link, a hidden file, another program's
 * manifest.json — is the user's, and the folder is refused unless the
 * run says force.  A folder that holds one of the run's own inputs (the
 * survey files, the previous wave's, the config, the roster; found through
 * symbolic links and `..`) is refused even with force.
 *
 * A signal (see outdir_remove_on_signal) removes the temporary folder of
 * the run under way; a later outdir_begin() removes stale temporary folders
 * beside OUTDIR whose marker proves them engage's own, made on this host by
 * a process that no longer runs.  Nothing it cannot prove is touched.
 */
#ifndef ENGAGE_OUTDIR_H
#define ENGAGE_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"
#include "../core/folders.h"

/* The marker file in a temporary folder; never in a finished OUTDIR. */
#define OUTDIR_MARKER ".engage-tmp"

typedef struct {
    char *outdir;          /* as given, trailing slashes removed */
    char *target;          /* the entry that is replaced (symlinks resolved) */
    char *tmpdir;          /* NULL until created, and after commit/abort */
    folders_made_t parents; /* missing folders above OUTDIR made for it:
                               kept by the commit, removed by abort */
} outdir_t;

/* A file the run reads, which OUTDIR must not hold. */
typedef struct {
    const char *path;      /* as given ("-", stdin, is skipped) */
    const char *role;      /* "input", "previous", "config", "roster" */
} outdir_input_t;

typedef struct {
    const outdir_input_t *inputs;
    size_t n_inputs;
    bool force;            /* replace a folder of other files (never of inputs) */
} outdir_options_t;

/* Check OUTDIR and create the temporary folder beside it.  options may be
 * NULL (no inputs, no force).  ENGAGE_ECANTCREAT when OUTDIR exists and is
 * not a folder, holds files no run wrote (without force) or holds an input,
 * or when a missing folder above it cannot be made or the one holding it is
 * not writable; ENGAGE_EIO when the disk is full.  Missing folders above
 * OUTDIR are made (`-o reports/2026Q3`); a commit keeps them, an abort
 * removes those that are still empty.  On failure nothing is left behind
 * and outdir_fini() is still to be called. */
engage_status_t outdir_begin(outdir_t *od, const char *outdir, const outdir_options_t *options,
                             engage_error_t *err);

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

/* Remove the temporary folder and the folders made above OUTDIR (after a
 * failure). */
void outdir_abort(outdir_t *od);

void outdir_fini(outdir_t *od);

/* For the thread that receives SIGINT, SIGTERM or SIGHUP: remove the
 * temporary folder of the run under way, if any (and the folders made
 * above its OUTDIR while they are empty), and keep every other
 * outdir call of the process waiting from then on (the caller is about to
 * end the process), so that no commit or new folder follows.  An ordinary
 * thread, not a signal handler: it may take locks and call anything.  True
 * when a folder was removed. */
bool outdir_remove_on_signal(void);

/* Lowercase hex SHA-256 of a buffer. */
void outdir_sha256_hex(const void *data, size_t size, char hex[65]);

#endif
