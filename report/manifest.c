/*
 * report/manifest.c — manifest.json built with jansson.
 *
 * Objects keep insertion order (JSON_PRESERVE_ORDER), so the file reads top
 * down in the order of manifest.h.  Reals are written with 15 significant
 * digits, which gives back exactly the decimal numbers a config holds
 * (0.5, not 0.50000000000000000).  A figure that is not finite is null.
 * Owns nothing beyond each call.
 */
#include "manifest.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/source_date.h"

/* Every json_* constructor may return NULL when out of memory; these keep
 * building and remember the failure, so the code reads as the document. */
typedef struct {
    bool failed;
} jctx_t;

static json_t *chk(jctx_t *c, json_t *v)
{
    if (!v)
        c->failed = true;
    return v;
}

static void put(jctx_t *c, json_t *obj, const char *key, json_t *value)
{
    if (!obj || !value || json_object_set_new(obj, key, value) != 0) {
        c->failed = true;
        json_decref(value);
    }
}

static void push(jctx_t *c, json_t *arr, json_t *value)
{
    if (!arr || !value || json_array_append_new(arr, value) != 0) {
        c->failed = true;
        json_decref(value);
    }
}

static json_t *str_or_null(jctx_t *c, const char *s)
{
    return chk(c, s ? json_string(s) : json_null());
}

static json_t *real(jctx_t *c, double v)
{
    return chk(c, isfinite(v) ? json_real(v) : json_null());
}

static json_t *uinteger(jctx_t *c, uint64_t v)
{
    if (v > (sizeof(json_int_t) >= 8 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
        return chk(c, json_string(buf));
    }
    return chk(c, json_integer((json_int_t)v));
}

static json_t *strings(jctx_t *c, char *const *items, size_t n)
{
    json_t *a = chk(c, json_array());
    for (size_t i = 0; i < n; i++)
        push(c, a, str_or_null(c, items[i]));
    return a;
}

bool manifest_source_date(char *buf, size_t size)
{
    time_t t;
    struct tm tm;
    return source_date_epoch(&t) && gmtime_r(&t, &tm) && strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

static json_t *config_json(jctx_t *c, const config_t *cfg)
{
    json_t *o = chk(c, json_object());
    put(c, o, "path", str_or_null(c, cfg->path));

    json_t *input = chk(c, json_object());
    put(c, input, "format", str_or_null(c, cfg->format));
    put(c, input, "respondent", str_or_null(c, cfg->respondent));
    put(c, input, "manager", str_or_null(c, cfg->manager));
    put(c, input, "delimiter", str_or_null(c, cfg->delimiter));
    put(c, input, "encoding", str_or_null(c, cfg->encoding));
    put(c, input, "missing", strings(c, cfg->missing, cfg->n_missing));
    put(c, o, "input", input);

    json_t *sets = chk(c, json_array());
    for (size_t i = 0; i < cfg->n_label_sets; i++) {
        const config_label_set_t *ls = &cfg->label_sets[i];
        json_t *set = chk(c, json_object());
        put(c, set, "name", str_or_null(c, ls->name && ls->name[0] ? ls->name : NULL));
        json_t *values = chk(c, json_array());
        for (size_t j = 0; j < ls->n_labels; j++) {
            json_t *pair = chk(c, json_object());
            put(c, pair, "text", str_or_null(c, ls->labels[j].text));
            put(c, pair, "value", real(c, ls->labels[j].value));
            push(c, values, pair);
        }
        put(c, set, "labels", values);
        push(c, sets, set);
    }
    put(c, o, "labels", sets);

    json_t *scales = chk(c, json_array());
    for (size_t i = 0; i < cfg->n_scales; i++) {
        const config_scale_t *sc = &cfg->scales[i];
        json_t *js = chk(c, json_object());
        put(c, js, "name", str_or_null(c, sc->name));
        put(c, js, "items", strings(c, sc->items, sc->n_items));
        json_t *rev = chk(c, json_array());
        for (size_t j = 0; j < sc->n_items; j++)
            if (sc->reverse && sc->reverse[j])
                push(c, rev, str_or_null(c, sc->items[j]));
        put(c, js, "reverse", rev);
        put(c, js, "labels", str_or_null(c, sc->labels));
        put(c, js, "min", real(c, sc->min));
        put(c, js, "max", real(c, sc->max));
        put(c, js, "min_answered", real(c, sc->min_answered));
        put(c, js, "favourable", real(c, sc->favourable_set ? sc->favourable : sc->max - 1));
        put(c, js, "unfavourable", real(c, sc->unfavourable));
        if (sc->n_short_names)
            put(c, js, "short_names", strings(c, sc->short_names, sc->n_short_names));
        push(c, scales, js);
    }
    put(c, o, "scales", scales);

    json_t *report = chk(c, json_object());
    put(c, report, "min_group", chk(c, json_integer((json_int_t)cfg->min_group)));
    put(c, report, "seed", uinteger(c, cfg->seed));
    put(c, o, "report", report);
    return o;
}

static json_t *inputs_json(jctx_t *c, const ingest_log_t *log)
{
    json_t *a = chk(c, json_array());
    for (size_t i = 0; log && i < log->n_files; i++) {
        const ingest_file_t *f = &log->files[i];
        json_t *o = chk(c, json_object());
        put(c, o, "path", str_or_null(c, f->path));
        put(c, o, "bytes", uinteger(c, f->bytes));
        put(c, o, "sha256", str_or_null(c, f->sha256));
        put(c, o, "gzip", chk(c, json_boolean(f->gzip)));
        put(c, o, "format", str_or_null(c, f->format));
        put(c, o, "encoding", str_or_null(c, f->encoding));
        put(c, o, "delimiter", str_or_null(c, f->delimiter));
        put(c, o, "rows", uinteger(c, f->rows));
        put(c, o, "accepted", uinteger(c, f->accepted));
        put(c, o, "rejected", uinteger(c, f->rejected));
        put(c, o, "excluded", uinteger(c, f->excluded));
        push(c, a, o);
    }
    return a;
}

/* The roster a wave was read with: path, bytes, SHA-256. */
static json_t *roster_json(jctx_t *c, const ingest_log_t *log)
{
    json_t *roster = chk(c, json_object());
    put(c, roster, "path", str_or_null(c, log->roster_path));
    put(c, roster, "bytes", uinteger(c, log->roster_bytes));
    put(c, roster, "sha256", str_or_null(c, log->roster_sha256));
    return roster;
}

engage_status_t manifest_build(const report_input_t *in, const manifest_output_t *outputs,
                               size_t n_outputs, char **text, size_t *size,
                               engage_error_t *err)
{
    jctx_t c = { false };
    json_t *root = chk(&c, json_object());
    put(&c, root, "version", str_or_null(&c, in->version));
    char when[64];
    if (manifest_source_date(when, sizeof when))
        put(&c, root, "generated", str_or_null(&c, when));
    json_t *args = chk(&c, json_array());
    for (int i = 0; in->argv && i < in->argc; i++)
        push(&c, args, str_or_null(&c, in->argv[i]));
    put(&c, root, "arguments", args);
    /* The folder the run was made in: relative paths above and below are
     * relative to it, so that rerun and verify find the inputs from anywhere. */
    char *cwd = getcwd(NULL, 0);
    json_t *directory = cwd ? json_string(cwd) : NULL;   /* NULL too when not UTF-8: left out */
    if (directory)
        put(&c, root, "directory", directory);
    free(cwd);
    if (in->config) {
        put(&c, root, "seed", uinteger(&c, in->config->seed));
        put(&c, root, "config", config_json(&c, in->config));
        /* The text itself, so that `engage rerun` needs no other copy. */
        put(&c, root, "config_text", str_or_null(&c, in->config->text));
    }
    put(&c, root, "inputs", inputs_json(&c, in->log));
    /* [roster]'s file, as the last wave read with it read it (none when
     * every wave has its [rosters] file) */
    const ingest_log_t *roster_log = in->log;
    for (size_t w = in->n_waves; in->wave_rosters && w-- > 0;) {
        roster_log = in->wave_rosters[w] ? NULL : in->wave_logs[w];
        if (roster_log)
            break;
    }
    if (roster_log && roster_log->roster_path)
        put(&c, root, "roster", roster_json(&c, roster_log));
    if (in->previous_log)
        put(&c, root, "previous", inputs_json(&c, in->previous_log));
    if (in->n_waves) {
        /* The whole history, earliest first: its last two are inputs and previous again. */
        json_t *waves = chk(&c, json_array());
        for (size_t w = 0; w < in->n_waves; w++) {
            json_t *wave = chk(&c, json_object());
            put(&c, wave, "label", str_or_null(&c, in->wave_labels[w]));
            put(&c, wave, "inputs", inputs_json(&c, in->wave_logs[w]));
            if (in->wave_rosters && in->wave_rosters[w] && in->wave_logs[w]->roster_path)
                put(&c, wave, "roster", roster_json(&c, in->wave_logs[w]));   /* its [rosters] file */
            push(&c, waves, wave);
        }
        put(&c, root, "waves", waves);
    }
    json_t *outs = chk(&c, json_object());
    json_t *analyst = chk(&c, json_array());
    for (size_t i = 0; i < n_outputs; i++) {
        if (outputs[i].analyst_only)
            push(&c, analyst, str_or_null(&c, outputs[i].name));
        else
            put(&c, outs, outputs[i].name, str_or_null(&c, outputs[i].sha256));
    }
    put(&c, root, "outputs", outs);
    put(&c, root, "analyst_only", analyst);

    char *dumped = NULL;
    if (!c.failed)
        dumped = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (!dumped)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    size_t len = strlen(dumped);
    char *withnl = realloc(dumped, len + 2);
    if (!withnl) {
        free(dumped);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    withnl[len] = '\n';
    withnl[len + 1] = '\0';
    *text = withnl;
    *size = len + 1;
    return ENGAGE_OK;
}
