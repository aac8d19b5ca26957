/*
 * report/tables.c — managers.csv, variance.csv, quality.csv, rejects.csv.
 *
 * Pure formatting over csv_out: figures come from the results, counts from
 * the ingest log, and the privacy decision says which figures are left
 * empty.  Text cells are formula-guarded.  Owns nothing beyond each call.
 */
#include "tables.h"

#include <string.h>

#include "../core/csv_out.h"

static void header(csv_out_t *out, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        csv_out_text(out, names[i], true);
    csv_out_end_row(out);
}

#define HEADER(out, names) header((out), (names), sizeof(names) / sizeof((names)[0]))

static void figure(csv_out_t *out, double value)
{
    csv_out_number(out, value, TABLES_DIGITS);
}

engage_status_t tables_write_managers(const report_input_t *in, const privacy_t *privacy,
                                      const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "manager_id", "n", "mean", "sd", "se", "ci_low", "ci_high",
        "median", "favourable_pct", "suppressed",
    };
    csv_out_t *out;
    engage_status_t rc = csv_out_open(&out, path, false, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    const results_t *res = in->results;
    for (size_t s = 0; s < res->n_scales; s++) {
        const analysis_scale_t *sc = &res->scales[s];
        for (size_t j = 0; j < sc->n_managers; j++) {
            const analysis_manager_t *m = &sc->managers[j];
            csv_out_text(out, sc->scale->name, true);
            csv_out_text(out, dataset_manager_id(in->dataset, m->manager), true);
            csv_out_integer(out, (long long)m->n);
            if (privacy_hidden(privacy, s, j)) {
                for (int k = 0; k < 7; k++)
                    csv_out_empty(out);
                csv_out_integer(out, 1);
            } else {
                figure(out, m->mean);
                figure(out, m->sd);
                figure(out, m->se);
                figure(out, m->ci_low);
                figure(out, m->ci_high);
                figure(out, m->median);
                figure(out, m->favourable_pct);
                csv_out_integer(out, 0);
            }
            csv_out_end_row(out);
        }
    }
    return csv_out_close(out, sha256_hex, err);
}

engage_status_t tables_write_variance(const report_input_t *in, const privacy_t *privacy,
                                      const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "respondents", "managers", "grand_mean", "ss_between", "ss_within",
        "df_between", "df_within", "ms_between", "ms_within", "f", "p_value", "k0",
        "icc1", "icc2", "eta_squared", "alpha",
    };
    csv_out_t *out;
    engage_status_t rc = csv_out_open(&out, path, false, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    const results_t *res = in->results;
    for (size_t s = 0; s < res->n_scales; s++) {
        const analysis_scale_t *sc = &res->scales[s];
        const analysis_variance_t *v = &sc->variance;
        csv_out_text(out, sc->scale->name, true);
        csv_out_integer(out, (long long)v->respondents);
        csv_out_integer(out, (long long)v->managers);
        if (privacy->scales[s].summary.scale_suppressed) {
            for (size_t k = 3; k < sizeof names / sizeof names[0]; k++)
                csv_out_empty(out);
        } else {
            const double figures[] = {
                v->grand_mean, v->ss_between, v->ss_within, v->df_between, v->df_within,
                v->ms_between, v->ms_within, v->f, v->p_value, v->k0, v->icc1, v->icc2,
                v->eta_squared, v->alpha,
            };
            for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
                figure(out, figures[k]);
        }
        csv_out_end_row(out);
    }
    return csv_out_close(out, sha256_hex, err);
}

const char *tables_delimiter_name(const char *delimiter)
{
    if (!delimiter)
        return "";
    return strcmp(delimiter, "\t") == 0 ? "tab" : delimiter;
}

engage_status_t tables_write_quality(const report_input_t *in, const char *path,
                                     char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "file", "format", "encoding", "delimiter", "rows", "accepted", "rejected", "excluded",
    };
    csv_out_t *out;
    engage_status_t rc = csv_out_open(&out, path, false, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    for (size_t i = 0; in->log && i < in->log->n_files; i++) {
        const ingest_file_t *f = &in->log->files[i];
        csv_out_text(out, f->path, true);
        csv_out_text(out, f->format, true);
        csv_out_text(out, f->encoding, true);
        csv_out_text(out, tables_delimiter_name(f->delimiter), true);
        csv_out_integer(out, (long long)f->rows);
        csv_out_integer(out, (long long)f->accepted);
        csv_out_integer(out, (long long)f->rejected);
        csv_out_integer(out, (long long)f->excluded);
        csv_out_end_row(out);
    }
    return csv_out_close(out, sha256_hex, err);
}

engage_status_t tables_write_rejects(const report_input_t *in, const char *path,
                                     char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = { "file", "line", "respondent_id", "reason" };
    csv_out_t *out;
    engage_status_t rc = csv_out_open(&out, path, false, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    for (size_t i = 0; in->log && i < in->log->n_rejects; i++) {
        const ingest_reject_t *r = &in->log->rejects[i];
        const char *file = r->file < in->log->n_files ? in->log->files[r->file].path : "";
        csv_out_text(out, file, true);
        csv_out_integer(out, r->line);
        csv_out_text(out, r->respondent_id, true);
        csv_out_text(out, r->reason, true);
        csv_out_end_row(out);
    }
    return csv_out_close(out, sha256_hex, err);
}
