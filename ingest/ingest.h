/*
 * ingest/ingest.h — from export files to the canonical dataset.
 *
 * ingest_read() streams each INPUT (plain or gzip, BOM, any line ending)
 * through libcsv, maps its columns to the config's scales, turns answers
 * into numbers (labels, missing words), rejects bad rows with a reason, and
 * adds the accepted rows to the dataset.  Its log records what happened to
 * every row of every file, for quality.csv, rejects.csv and the manifest.
 *
 * The log owns its strings; ingest_log_fini() frees them.
 */
#ifndef ENGAGE_INGEST_H
#define ENGAGE_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/dataset.h"
#include "../core/error.h"

typedef struct {
    char *path;                /* as given on the command line ("-" = stdin) */
    char *format;              /* detected format, e.g. "canonical" */
    char *encoding;            /* "utf-8" */
    char *delimiter;           /* "," */
    bool gzip;
    uint64_t bytes;            /* bytes read from the file as stored */
    char sha256[65];           /* hex SHA-256 of those bytes */
    size_t rows;               /* data rows read */
    size_t accepted;           /* rows in the dataset */
    size_t rejected;           /* rows refused (see rejects) */
    size_t excluded;           /* rows left out on purpose (superseded, ...) */
} ingest_file_t;

typedef struct {
    size_t file;               /* index into files */
    long line;                 /* physical line where the row starts */
    char *respondent_id;       /* may be "" */
    char *reason;
    bool excluded;             /* excluded (e.g. superseded) rather than rejected */
} ingest_reject_t;

typedef struct {
    ingest_file_t *files;
    size_t n_files;
    ingest_reject_t *rejects;  /* in file, line order */
    size_t n_rejects;
} ingest_log_t;

typedef struct {
    bool strict;               /* any rejected row is an error (ENGAGE_EDATA) */
    size_t chunk;              /* largest read, for tests; 0 = default */
} ingest_options_t;

void ingest_log_init(ingest_log_t *log);
void ingest_log_fini(ingest_log_t *log);

/* Read every path into ds (new, empty) with the config (whose default scale
 * is derived from the first header when it has no scales; hence not const).
 * On return ds is finished (dataset_finish).  File-level problems give
 * ENGAGE_EDATA (65), unreadable inputs ENGAGE_ENOINPUT (66), a scale naming
 * an absent column ENGAGE_ECONFIG (78), each with file and line in err. */
engage_status_t ingest_read(config_t *cfg, const char *const *paths, size_t n_paths,
                            const ingest_options_t *options, dataset_t *ds,
                            ingest_log_t *log, engage_error_t *err);

/* Read from memory (for tests and fuzzing); `name` is used in messages. */
engage_status_t ingest_read_memory(config_t *cfg, const char *name, const void *bytes,
                                   size_t size, const ingest_options_t *options,
                                   dataset_t *ds, ingest_log_t *log, engage_error_t *err);

/* Write the dataset as canonical CSV: respondent_id, manager_id, then every
 * item column; numbers with 17 significant digits so that they read back
 * exactly.  gzip when path ends in ".gz"; stdout when path is NULL. */
engage_status_t ingest_write_canonical(const dataset_t *ds, const char *path, engage_error_t *err);

#endif
