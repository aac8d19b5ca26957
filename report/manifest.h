/*
 * report/manifest.h — manifest.json: what was run on what, and what came
 * out.
 *
 * Keys in a fixed, readable order: version, generated (only when
 * SOURCE_DATE_EPOCH is set), arguments, directory (the folder the run was
 * made in, which relative paths are relative to), seed, config (as read),
 * config_text (the file's text, for `engage rerun`), inputs, roster
 * ([roster]'s file, when a wave was read with it), previous (the previous
 * wave's inputs, only with one), waves (a history's: each wave's label,
 * inputs and, when [rosters] gives the wave one, its roster), outputs,
 * analyst_only (the names of the analyst's files that depend on hidden
 * teams' own data, listed without a hash: a hash would let a guess at those
 * data be checked).  No clock, host name or temporary path, so the same run
 * from the same folder gives the same bytes.
 */
#ifndef ENGAGE_MANIFEST_H
#define ENGAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

typedef struct {
    const char *name;      /* file name inside OUTDIR */
    char sha256[65];       /* of the bytes written */
    bool analyst_only;     /* named in analyst_only, never hashed */
} manifest_output_t;

/* Build the JSON text (2-space indent, final newline) into *text
 * (malloc'd).  Fails only with ENGAGE_ENOMEM. */
engage_status_t manifest_build(const report_input_t *in, const manifest_output_t *outputs,
                               size_t n_outputs, char **text, size_t *size,
                               engage_error_t *err);

/* SOURCE_DATE_EPOCH as "YYYY-MM-DDTHH:MM:SSZ" into buf; false when the
 * variable is unset or not a whole number of seconds. */
bool manifest_source_date(char *buf, size_t size);

#endif
