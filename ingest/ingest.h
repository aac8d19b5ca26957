/*
 * ingest/ingest.h — from export files to the canonical dataset.
 *
 * ingest_read() streams each INPUT (plain or gzip, BOM, any line ending)
 * through libcsv, maps its columns to the config's scales, turns answers
 * into numbers (labels, missing words), rejects bad rows with a reason, and
 * adds the accepted rows to the dataset.  Its log records what happened to
 * every row of every file, for quality.csv, rejects.csv and the manifest.
 *
 * The log counts every row, and lists at most INGEST_REJECTS_LISTED rows of
 * each reason (the first found; options can lift the cap): memory follows
 * the rows kept, not the rows thrown away.  The log owns its strings;
 * ingest_log_fini() frees them.
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
    char *read_from;           /* the file read when it is not path (a rerun reads a
                                  moved input under its recorded name), else NULL */
    char *format;              /* detected format: "canonical", "qualtrics", ... */
    char *layout;              /* the tool and layout in words: "Qualtrics (legacy export)" */
    char *encoding;            /* "utf-8", "utf-16le", "utf-16be", "windows-1252" */
    char *delimiter;           /* ",", ";" or "tab" */
    size_t header_rows;
    char *respondent_column;   /* NULL: the row number is the id */
    char *manager_column;      /* the survey column giving the manager (the roster key with a roster) */
    size_t *item_field;        /* per dataset column: its field (0-based) in this file */
    size_t n_item_fields;
    char *member;              /* the CSV inside a zip, else NULL */
    bool gzip;
    uint64_t bytes;            /* bytes read from the file as stored */
    char sha256[65];           /* hex SHA-256 of those bytes */
    size_t rows;               /* data rows read */
    size_t accepted;           /* rows in the dataset */
    size_t rejected;           /* rows refused (see rejects) */
    size_t excluded;           /* rows left out on purpose (superseded, ...) */
} ingest_file_t;

/* The kind of problem a rejected or excluded row has; its text in the log
 * adds the details (the column, the value, the line that replaced it). */
typedef enum {
    INGEST_REASON_FIELD_COUNT,   /* rejected: a field count other than the header's */
    INGEST_REASON_NO_RESPONDENT, /* rejected: empty respondent id */
    INGEST_REASON_NO_MANAGER,    /* rejected: empty manager */
    INGEST_REASON_NO_ROSTER_KEY, /* rejected: empty roster key */
    INGEST_REASON_NOT_IN_ROSTER, /* rejected: roster key not in the roster */
    INGEST_REASON_UNIT_CONFLICT, /* rejected: an archive's manager in a second unit */
    INGEST_REASON_OUT_OF_RANGE,  /* rejected: an answer outside the scale's range */
    INGEST_REASON_SUPERSEDED,    /* excluded: a later response has the same id */
    INGEST_REASON_PREVIEW,       /* excluded: a Qualtrics survey preview */
    INGEST_REASON_TEST,          /* excluded: a Qualtrics survey test */
    INGEST_REASON_SPAM,          /* excluded: marked as spam */
    INGEST_REASON_NOT_SUBMITTED, /* excluded: a LimeSurvey response never submitted */
    INGEST_N_REASONS
} ingest_reason_t;

/* Rows of one reason a log lists, unless options say otherwise. */
enum { INGEST_REJECTS_LISTED = 100000 };

typedef struct {
    size_t file;               /* index into files */
    long line;                 /* physical line where the row starts */
    char *respondent_id;       /* may be "" */
    char *reason;
    bool excluded;             /* excluded (e.g. superseded) rather than rejected */
    ingest_reason_t kind;
} ingest_reject_t;

/* An answer that matches no label: a config problem.  Answers a label would
 * match alike (the same label set, the same text ignoring case and
 * surrounding spaces) are one unknown answer, kept with where it first
 * appears, how often, and the columns it appears in. */
enum { INGEST_UNKNOWN_COLUMNS_NAMED = 3 };   /* columns named per unknown answer */

typedef struct {
    char *answer;              /* as it first appears, without surrounding spaces */
    char *label_set;           /* "" for [labels] */
    size_t file;
    long line;                 /* first appearance */
    size_t count;              /* cells holding it */
    size_t n_columns;          /* columns it appears in */
    char *columns[INGEST_UNKNOWN_COLUMNS_NAMED]; /* the first of them in column order
                                                    (NULL past n_columns) */
} ingest_unknown_t;

enum { INGEST_MAX_UNKNOWN = 100 };  /* distinct unknown answers kept */

typedef struct {
    ingest_file_t *files;
    size_t n_files;
    ingest_reject_t *rejects;  /* in file, line order */
    size_t n_rejects;
    size_t listed[INGEST_N_REASONS];   /* rows of each reason in rejects */
    size_t unlisted[INGEST_N_REASONS]; /* further rows of each reason, counted only */
    char *roster_path;         /* the [roster] file read, or NULL */
    uint64_t roster_bytes;
    char roster_sha256[65];
    char *roster_note;         /* managers the roster does not list, or NULL */
    ingest_unknown_t *unknowns; /* in order of first appearance */
    size_t n_unknowns;
    size_t unlisted_unknowns;  /* cells holding further unknown answers, not kept */
} ingest_log_t;

typedef struct {
    bool strict;               /* any rejected row is an error (ENGAGE_EDATA) */
    size_t chunk;              /* largest read, for tests; 0 = default */
    size_t rejects_listed;     /* rows of each reason listed in the log: 0 =
                                  INGEST_REJECTS_LISTED, SIZE_MAX = every one */
    const char *const *read_from; /* per path, the file to read under that name
                                  (NULL, or a NULL entry: the path itself) */
    bool forget_respondents;   /* no respondent id or line is needed after
                                  reading: dataset_forget_respondents */
} ingest_options_t;

void ingest_log_init(ingest_log_t *log);
void ingest_log_fini(ingest_log_t *log);

/* The kind of problem in a few fixed words ("no manager"), the same for
 * every row of that kind. */
const char *ingest_reason_name(ingest_reason_t kind);

/* Whether rows of this kind are excluded (left out on purpose) rather than
 * rejected. */
bool ingest_reason_excluded(ingest_reason_t kind);

/* Read every path into ds (new, empty) with the config (whose default scale
 * is derived from the first header when it has no scales; hence not const).
 * On return ds is finished (dataset_finish).  File-level problems give
 * ENGAGE_EDATA (65), unreadable inputs ENGAGE_ENOINPUT (66), a scale naming
 * an absent column ENGAGE_ECONFIG (78), each with file and line in err.
 * Answers that match no label are collected over every file; when there are
 * any (and no other error stopped the reading), the result is ENGAGE_EDATA
 * with a summary in err and each of them in log->unknowns.  With a [roster], the roster is read first and each
 * manager's unit is set in the dataset. */
engage_status_t ingest_read(config_t *cfg, const char *const *paths, size_t n_paths,
                            const ingest_options_t *options, dataset_t *ds,
                            ingest_log_t *log, engage_error_t *err);

/* The line for log->unknowns[i] (status, file, line and text): where it
 * first appears, the answer, how often and in which columns. */
void ingest_unknown_describe(const ingest_log_t *log, size_t i, engage_error_t *out);

/* A 0-based field index as a spreadsheet column: 0 -> "A", 27 -> "AB". */
void ingest_column_letters(size_t field, char out[16]);

/* Read from memory (for tests and fuzzing); `name` is used in messages. */
engage_status_t ingest_read_memory(config_t *cfg, const char *name, const void *bytes,
                                   size_t size, const ingest_options_t *options,
                                   dataset_t *ds, ingest_log_t *log, engage_error_t *err);

/* Write the dataset as canonical CSV: respondent_id, manager_id, then every
 * item column; numbers with 17 significant digits so that they read back
 * exactly.  gzip when path ends in ".gz"; stdout when path is NULL. */
engage_status_t ingest_write_canonical(const dataset_t *ds, const char *path, engage_error_t *err);

#endif
