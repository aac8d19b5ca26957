/*
 * report/report.c — report_write(): decides privacy once, has every output
 * written into a temporary folder, and puts the folder in place.
 *
 * The order of work: privacy (privacy.c) → CSV tables (tables.c) →
 * report.txt (summary.c) → manifest.json (manifest.c, which lists the
 * SHA-256 of every file before it) → swap into OUTDIR (outdir.c).  Any
 * failure removes the temporary folder; OUTDIR changes only at the swap.
 * Owns: the privacy decision and the texts, for the length of the call.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "outdir.h"
#include "privacy.h"
#include "summary.h"
#include "tables.h"

typedef engage_status_t (*table_writer_t)(const report_input_t *in, const privacy_t *privacy,
                                          const char *path, char sha256_hex[65],
                                          engage_error_t *err);

static engage_status_t write_quality(const report_input_t *in, const privacy_t *privacy,
                                     const char *path, char sha256_hex[65], engage_error_t *err)
{
    (void)privacy;
    return tables_write_quality(in, path, sha256_hex, err);
}

static engage_status_t write_rejects(const report_input_t *in, const privacy_t *privacy,
                                     const char *path, char sha256_hex[65], engage_error_t *err)
{
    (void)privacy;
    return tables_write_rejects(in, path, sha256_hex, err);
}

static const struct {
    const char *name;
    table_writer_t write;
} tables[] = {
    { "managers.csv", tables_write_managers },
    { "variance.csv", tables_write_variance },
    { "items.csv", tables_write_items },
    { "quality.csv", write_quality },
    { "rejects.csv", write_rejects },
};

enum { N_TABLES = sizeof tables / sizeof tables[0], N_OUTPUTS = N_TABLES + 1 };

engage_status_t report_write(const report_input_t *in, const char *outdir, engage_error_t *err)
{
    privacy_t *privacy = NULL;
    outdir_t od;
    char *text = NULL;
    size_t size = 0;
    manifest_output_t outputs[N_OUTPUTS];
    memset(outputs, 0, sizeof outputs);
    memset(&od, 0, sizeof od);

    long min_group = in->config ? in->config->min_group : 5;
    engage_status_t rc = privacy_new(in->results, min_group, &privacy, err);
    if (rc != ENGAGE_OK)
        return rc;
    rc = outdir_begin(&od, outdir, err);
    if (rc != ENGAGE_OK)
        goto done;

    for (size_t i = 0; i < N_TABLES && rc == ENGAGE_OK; i++) {
        char *path = outdir_path(&od, tables[i].name);
        if (!path) {
            rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            break;
        }
        outputs[i].name = tables[i].name;
        rc = tables[i].write(in, privacy, path, outputs[i].sha256, err);
        free(path);
    }
    if (rc != ENGAGE_OK)
        goto done;

    rc = summary_build(in, privacy, &text, &size, err);
    if (rc != ENGAGE_OK)
        goto done;
    outputs[N_TABLES].name = "report.txt";
    rc = outdir_write_file(&od, "report.txt", text, size, outputs[N_TABLES].sha256, err);
    free(text);
    text = NULL;
    if (rc != ENGAGE_OK)
        goto done;

    rc = manifest_build(in, outputs, N_OUTPUTS, &text, &size, err);
    if (rc != ENGAGE_OK)
        goto done;
    rc = outdir_write_file(&od, "manifest.json", text, size, NULL, err);
    if (rc != ENGAGE_OK)
        goto done;

    rc = outdir_commit(&od, err);

done:
    if (rc != ENGAGE_OK)
        outdir_fix_error(&od, err);
    outdir_fini(&od);
    free(text);
    privacy_free(privacy);
    return rc;
}
