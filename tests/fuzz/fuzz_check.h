/*
 * tests/fuzz/fuzz_check.h — what the ingest fuzz targets demand of every
 * input: read it from memory with the given config and options; a success
 * accounts for every row (and lists or counts each one left out under its
 * reason), accepts someone, lists no unknown answer and
 * analyses without error; a failure always says what is wrong.  Anything
 * else aborts, which libFuzzer reports as a finding.
 */
#ifndef ENGAGE_FUZZ_CHECK_H
#define ENGAGE_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../analysis/analysis.h"
#include "../../core/config.h"
#include "../../core/dataset.h"
#include "../../ingest/ingest.h"

static inline void fuzz_read_and_check(config_t *cfg, const uint8_t *data, size_t size,
                                       const ingest_options_t *options)
{
    engage_error_t err = {0};
    dataset_t *ds = dataset_new();
    ingest_log_t log;
    ingest_log_init(&log);
    if (ingest_read_memory(cfg, "fuzz.csv", data, size, options, ds, &log, &err) == ENGAGE_OK) {
        size_t rows = 0, accounted = 0, left_out = 0, listed = 0, counted = 0;
        for (size_t i = 0; i < log.n_files; i++) {
            rows += log.files[i].rows;
            accounted += log.files[i].accepted + log.files[i].rejected + log.files[i].excluded;
            left_out += log.files[i].rejected + log.files[i].excluded;
        }
        for (int k = 0; k < INGEST_N_REASONS; k++) {
            listed += log.listed[k];
            counted += log.listed[k] + log.unlisted[k];
        }
        /* every row left out is listed or counted under its reason */
        if (rows != accounted || dataset_n_respondents(ds) == 0 || log.n_unknowns || listed != log.n_rejects ||
            counted != left_out)
            abort();
        results_t *results = NULL;
        if (analysis_run(ds, &results, &err) != ENGAGE_OK)
            abort();
        results_free(results);
    } else if (!err.message[0]) {
        abort();
    }
    ingest_log_fini(&log);
    dataset_free(ds);
}

#endif
