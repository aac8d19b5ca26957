/*
 * report/verify.h — an archived run checked against its manifest.json.
 *
 * A manifest names every input (the survey files, the previous wave's, the
 * roster, each wave's own roster of [rosters]) with its SHA-256, every output with its SHA-256, and the folder
 * the run was made in, against which relative input paths resolve.
 * verify_load reads one (and is also how outdir.c tells an earlier run's
 * folder from any other); verify_inputs finds each input by its hash — where
 * the manifest says it is, else by its file name beside the manifest, else
 * under a folder the user names — and verify_outputs hashes each output in a
 * folder, so that `engage verify` and `engage rerun` can say, file by file,
 * what is unchanged, and a moved archive folder still reruns.
 *
 * verify_manifest_t owns every string in it; verify_fini() frees them.
 */
#ifndef ENGAGE_VERIFY_H
#define ENGAGE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"

typedef enum {
    VERIFY_SAME,               /* the bytes hash as recorded */
    VERIFY_CHANGED,            /* the file is there with another hash */
    VERIFY_MISSING,            /* the file cannot be read */
} verify_state_t;

typedef struct {
    char *path;                /* as recorded (inputs) or the name inside OUTDIR (outputs) */
    char *expected;            /* hex SHA-256 recorded */
    char actual[65];           /* hex SHA-256 found, "" when missing */
    verify_state_t state;
    char *found;               /* inputs: where the file with the recorded hash was
                                  found (or, when changed, the file hashed) when
                                  not at the recorded path; NULL otherwise */
    const char *role;          /* "config", "input", "previous", "wave", "roster",
                                  "wave roster" (a [rosters] file), "output" */
} verify_file_t;

typedef struct {
    char *path;                /* of manifest.json */
    char *dir;                 /* the folder holding it: the run's OUTDIR */
    char *version;
    char **arguments;          /* the command line as recorded (argv[0] first) */
    size_t n_arguments;
    char *directory;           /* the folder the run was made in, which relative
                                  paths resolve against; NULL when the manifest
                                  names none or it is gone (current folder then) */
    char *directory_gone;      /* the recorded folder when it no longer exists */
    char *config_path;         /* NULL: the run had no config */
    char *config_text;
    verify_file_t *inputs;     /* the config file (its archived text), inputs,
                                  previous wave, earlier waves, roster,
                                  the waves' own rosters */
    size_t n_inputs;
    verify_file_t *outputs;
    size_t n_outputs;
    char **analyst_only;       /* the analyst's outputs, named without a hash */
    size_t n_analyst_only;
} verify_manifest_t;

/* Read a manifest.json (a folder means the manifest.json inside it).
 * ENGAGE_ENOINPUT when it cannot be read, ENGAGE_EDATA when it is not an
 * engage manifest (naming the line jansson stopped at): engage's own has
 * version, arguments (text), inputs (each with path and SHA-256) and
 * outputs (plain file names with SHA-256s); analyst_only, when there,
 * lists plain file names.  verify_fini() is to be called
 * either way. */
engage_status_t verify_load(const char *path, verify_manifest_t *m, engage_error_t *err);

/* Find every input by its recorded SHA-256, looking in turn at: the path as
 * recorded (a relative one inside m->directory when it has one, else in the
 * current folder), the file of that name beside the manifest (in m->dir),
 * and, when search_dir is not NULL, search_dir/NAME and then any file NAME
 * below search_dir (in byte order of names, symbolic links to folders not
 * followed).  The first file with the recorded hash is the input (state
 * VERIFY_SAME, found set when it is not the recorded path); when none has
 * it, the first file there was is VERIFY_CHANGED (its hash in actual, found
 * set likewise), and with no file at all the input is VERIFY_MISSING. */
void verify_inputs(verify_manifest_t *m, const char *search_dir);

/* Where a recorded input path is now: inside m->directory when relative
 * (malloc'd; NULL when out of memory). */
char *verify_input_path(const verify_manifest_t *m, const char *path);

/* Hash every output inside dir (a folder, packs/, by digest_folder of
 * core/digest.h); fills actual and state. */
void verify_outputs(verify_manifest_t *m, const char *dir);

/* Whether two files hold the same bytes (an analyst-only output of a rerun
 * against the archived one, which has no recorded hash): VERIFY_SAME,
 * VERIFY_CHANGED, or VERIFY_MISSING when either cannot be read. */
verify_state_t verify_same_bytes(const char *a, const char *b);

/* dir/name (malloc'd; NULL when out of memory). */
char *verify_join(const char *dir, const char *name);

void verify_fini(verify_manifest_t *m);

#endif
