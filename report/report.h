/*
 * report/report.h — results in, files out.
 *
 * report_write() builds every output of README.md in a temporary folder
 * beside OUTDIR and renames it into place, so a failed run leaves an earlier
 * OUTDIR exactly as it was.  Every published output renders one view
 * (view.c: the privacy decision and the figures over the shown teams); the
 * analyst's rejects.csv and variance_all_teams.csv are written beside them.
 * Numbers are formatted locale-independently with 12 significant
 * digits; NAN becomes an empty cell.
 */
#ifndef ENGAGE_REPORT_H
#define ENGAGE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "../analysis/analysis.h"
#include "../analysis/changes.h"
#include "../analysis/trend.h"
#include "../analysis/drivers.h"
#include "../analysis/participation.h"
#include "../analysis/units.h"
#include "../core/config.h"
#include "../core/dataset.h"
#include "../core/error.h"
#include "../ingest/ingest.h"

typedef struct {
    const config_t *config;
    const dataset_t *dataset;
    const results_t *results;
    const ingest_log_t *log;
    int argc;                  /* the command line, for manifest.json */
    char *const *argv;
    const char *version;
    /* The previous wave (--previous): NULL without one.  changes matches it
     * to this wave (changes_run); previous_log is its ingest log. */
    const changes_t *changes;
    const ingest_log_t *previous_log;
    /* The history of waves (trend.csv), earliest first, the last being this
     * wave: NULL without a previous wave.  wave_labels and wave_logs have
     * n_waves entries (the last two logs are log and previous_log). */
    const trend_t *trend;
    size_t n_waves;
    const char *const *wave_labels;
    const ingest_log_t *const *wave_logs;
    /* [wave] the [rosters] file the wave was read with (its own roster,
     * whose path, bytes and SHA-256 are in its log), NULL when it was read
     * with [roster]'s; NULL itself without [rosters]. */
    const char *const *wave_rosters;
    /* [wave] its invited and responded counts (participation_run on the
     * wave's dataset and trend units), NULL entries without a tree; NULL
     * itself without a history.  trend.csv's response_rate of the earlier
     * waves read with their own roster (view.h). */
    const participation_t *const *wave_participation;
    bool excel;                /* --excel: every CSV begins with a UTF-8 byte order mark */
    bool no_workbook;          /* --no-workbook: no engage.xlsx */
    bool force;                /* --force: replace an OUTDIR of other files (never of inputs) */
    bool packs;                /* --packs: packs/ with a page per shown leader (packs.h) */
    /* Per-unit figures (units_run) when the dataset has units, else NULL:
     * then no units.csv is written. */
    const units_t *units;
    /* Key drivers (drivers_run) when [drivers] names an outcome, else
     * NULL: then no drivers.csv is written. */
    const drivers_t *drivers;
    /* Called (when set) once no stage reads the dataset's answers any more
     * (dataset_value, dataset_column_read, dataset_manager_of): its owner
     * may give them back (dataset_forget_answers). */
    void (*answers_done)(void *arg);
    void *answers_done_arg;
} report_input_t;

/* Write managers.csv, variance.csv, items.csv, changes.csv (with a previous
 * wave), quality.csv, rejects.csv, report.txt and manifest.json into outdir, atomically.  ENGAGE_ECANTCREAT when the folder
 * cannot be created, ENGAGE_EIO when writing fails. */
engage_status_t report_write(const report_input_t *in, const char *outdir, engage_error_t *err);

#endif
