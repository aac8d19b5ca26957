/*
 * report/enps_table.c — enps.csv and the lookup of a group's published eNPS
 * (enps_table.h).
 *
 * Owns nothing beyond each call (the leaders' rows sorted by id, for the
 * length of enps_table_write).  Assumes the view was built from `in`: its
 * results, units and leaders are the ones whose shares are read here.
 */
#include "enps_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/csv_out.h"
#include "../core/org.h"
#include "tables.h"

bool enps_table_scale(const report_input_t *in, const view_t *view, size_t s)
{
    if (!in->config || s >= view->n_scales || !view->scales[s].results)
        return false;
    const char *name = view->scales[s].results->scale->name;
    for (size_t i = 0; i < in->config->n_scales; i++)
        if (strcmp(in->config->scales[i].name, name) == 0)
            return in->config->scales[i].nps;
    return false;
}

bool enps_table_wanted(const report_input_t *in, const view_t *view)
{
    for (size_t s = 0; s < view->n_scales; s++)
        if (enps_table_scale(in, view, s))
            return true;
    return false;
}

bool enps_table_group(const report_input_t *in, const view_t *view, size_t s, heatmap_level_t level, size_t g,
                      enps_t *out)
{
    size_t n = 0;
    double favourable = NAN, unfavourable = NAN;
    bool shown = false;
    if (level == HEATMAP_COMPANY || level == HEATMAP_LEADER) {
        const leaders_figures_t *f = &view->leaders->scales[s].orgs[level == HEATMAP_COMPANY ? 0 : g];
        n = f->n;
        favourable = f->favourable_pct;
        unfavourable = f->unfavourable_pct;
        shown = view_leader_shown(view, s, level == HEATMAP_COMPANY ? 0 : g);
    } else if (level == HEATMAP_UNIT) {
        const units_figures_t *f = &in->units->scales[s].units[g];
        n = f->n;
        favourable = f->favourable_pct;
        unfavourable = f->unfavourable_pct;
        shown = view_unit_shown(view, s, g);
    } else {
        const analysis_manager_t *m = &view->scales[s].results->managers[g];
        n = m->n;
        favourable = m->favourable_pct;
        unfavourable = m->unfavourable_pct;
        shown = view_manager_shown(view, s, g);
    }
    *out = enps_from_shares(shown ? n : 0, favourable, unfavourable);
    out->n = n;
    return shown;
}

static void row(csv_out_t *out, const report_input_t *in, const view_t *view, size_t s, heatmap_level_t level,
                size_t g, const char *level_name, const char *group)
{
    enps_t e;
    bool shown = enps_table_group(in, view, s, level, g, &e);
    csv_out_text(out, view->scales[s].results->scale->name, true);
    csv_out_text(out, level_name, false);
    csv_out_text(out, group, true);
    csv_out_integer(out, (long long)e.n);
    const double figures[] = {e.promoters_pct, e.passives_pct, e.detractors_pct, e.enps, e.ci_low, e.ci_high};
    for (size_t k = 0; k < sizeof figures / sizeof *figures; k++) {
        if (shown)
            csv_out_number(out, figures[k], TABLES_DIGITS);
        else
            csv_out_empty(out);
    }
    csv_out_integer(out, shown ? 0 : 1);
    csv_out_end_row(out);
}

typedef struct {
    const char *id;
    size_t row;
} leader_row_t;

static int by_id(const void *a, const void *b)
{
    const leader_row_t *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

engage_status_t enps_table_write(const report_input_t *in, const view_t *view, const char *path,
                                 char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "level", "group", "n", "promoters_pct", "passives_pct", "detractors_pct",
        "enps", "ci_low", "ci_high", "suppressed",
    };
    const leaders_t *l = view->leaders;
    const org_t *org = in->dataset ? dataset_org(in->dataset) : NULL;
    size_t n_leaders = view->with_tree && l && org && l->n_rows > 1 ? l->n_rows - 1 : 0;
    leader_row_t *leaders = malloc((n_leaders ? n_leaders : 1) * sizeof *leaders);
    if (!leaders)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    for (size_t r = 0; r < n_leaders; r++) {
        const char *id = org_id(org, l->node[r + 1]);
        leaders[r] = (leader_row_t){id ? id : "", r + 1};
    }
    qsort(leaders, n_leaders, sizeof *leaders, by_id);

    csv_out_t *out;
    engage_status_t rc = tables_open(in, path, names, sizeof names / sizeof *names, &out, err);
    if (rc != ENGAGE_OK) {
        free(leaders);
        return rc;
    }
    for (size_t s = 0; s < view->n_scales && l && s < l->n_scales; s++) {
        const analysis_scale_t *sc = view->scales[s].results;
        if (!enps_table_scale(in, view, s))
            continue;
        row(out, in, view, s, HEATMAP_COMPANY, 0, "company", "");
        for (size_t u = 0; in->units && s < in->units->n_scales && u < in->units->n_units; u++)
            row(out, in, view, s, HEATMAP_UNIT, u, "unit", in->units->names[u]);
        for (size_t r = 0; r < n_leaders; r++)
            row(out, in, view, s, HEATMAP_LEADER, leaders[r].row, "leader", leaders[r].id);
        for (size_t j = 0; j < sc->n_managers; j++)
            row(out, in, view, s, HEATMAP_MANAGER, j, "manager", dataset_manager_id(in->dataset, sc->managers[j].manager));
    }
    free(leaders);
    return csv_out_close(out, sha256_hex, err);
}
