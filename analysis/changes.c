/*
 * analysis/changes.c — Welch's t-test and Benjamini–Hochberg adjustment
 * (see changes.h).  Owns nothing beyond a sort buffer inside changes_bh().
 */
#include "changes.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

changes_welch_t changes_welch(size_t n_previous, double mean_previous, double sd_previous, size_t n,
                              double mean, double sd)
{
    changes_welch_t w = {mean - mean_previous, NAN, NAN, NAN};
    if (!isfinite(w.delta))
        w.delta = NAN;
    if (n_previous < 2 || n < 2 || !isfinite(w.delta) || !isfinite(sd_previous) || !isfinite(sd))
        return w;
    double v_previous = sd_previous * sd_previous / (double)n_previous;
    double v = sd * sd / (double)n;
    double se2 = v_previous + v;
    if (!(se2 > 0))
        return w; /* no variance in either wave: R refuses ("essentially constant") */
    double se = sqrt(se2);
    double df = se2 * se2 / (v_previous * v_previous / (double)(n_previous - 1) + v * v / (double)(n - 1));
    double t = w.delta / se;
    double p = 2 * gsl_cdf_tdist_Q(fabs(t), df);
    double half = gsl_cdf_tdist_Pinv(0.975, df) * se;
    w.p_value = p > 1 ? 1 : p;
    w.ci_low = w.delta - half;
    w.ci_high = w.delta + half;
    return w;
}

typedef struct {
    double p;
    size_t index;
} ranked_t;

static int by_p(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

bool changes_bh(const double *p, const bool *include, size_t n, double *q)
{
    ranked_t *ranked = malloc((n ? n : 1) * sizeof *ranked);
    if (!ranked)
        return false;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        q[i] = NAN;
        if (include[i] && isfinite(p[i]))
            ranked[m++] = (ranked_t){p[i], i};
    }
    qsort(ranked, m, sizeof *ranked, by_p);
    /* q_(k) = min over j >= k of m / j * p_(j), at most 1 */
    double running = 1;
    for (size_t k = m; k-- > 0;) {
        double candidate = (double)m / (double)(k + 1) * ranked[k].p;
        if (candidate < running)
            running = candidate;
        q[ranked[k].index] = running;
    }
    free(ranked);
    return true;
}

static changes_wave_t manager_wave(const analysis_scale_t *sc, size_t j)
{
    const analysis_manager_t *m = &sc->managers[j];
    changes_wave_t w = { m->n, m->n ? m->mean : NAN, m->n > 1 ? m->sd : NAN };
    return w;
}

/* The whole scale: N, the grand mean, and sd = sqrt(SS_total / (N - 1)). */
static changes_wave_t scale_wave(const analysis_variance_t *v)
{
    changes_wave_t w = { v->respondents, NAN, NAN };
    if (v->respondents > 0)
        w.mean = v->grand_mean;
    if (v->respondents > 1) {
        double ss = v->ss_between + v->ss_within;
        if (isfinite(ss) && ss >= 0)
            w.sd = sqrt(ss / (double)(v->respondents - 1));
    }
    return w;
}

engage_status_t changes_run(const dataset_t *previous_ds, const results_t *previous,
                            const dataset_t *ds, const results_t *current, changes_t **out,
                            engage_error_t *err)
{
    *out = NULL;
    if (previous->n_scales != current->n_scales)
        return engage_fail(err, ENGAGE_EDATA, NULL, 0,
                           "the previous wave has %zu scales, this one %zu", previous->n_scales,
                           current->n_scales);
    changes_t *c = calloc(1, sizeof *c);
    if (!c)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    c->n_scales = current->n_scales;
    c->scales = calloc(c->n_scales ? c->n_scales : 1, sizeof *c->scales);
    if (!c->scales) {
        free(c);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    for (size_t s = 0; s < c->n_scales; s++) {
        const analysis_scale_t *ps = &previous->scales[s], *cs = &current->scales[s];
        changes_scale_t *out_s = &c->scales[s];
        out_s->scale = cs->scale;
        out_s->previous_scale = ps;
        out_s->current_scale = cs;
        out_s->variance_previous = &ps->variance;
        out_s->variance = &cs->variance;
        out_s->previous = scale_wave(&ps->variance);
        out_s->current = scale_wave(&cs->variance);
        out_s->welch = changes_welch(out_s->previous.n, out_s->previous.mean, out_s->previous.sd,
                                     out_s->current.n, out_s->current.mean, out_s->current.sd);
        size_t cap = ps->n_managers + cs->n_managers;
        out_s->rows = malloc((cap ? cap : 1) * sizeof *out_s->rows);
        if (!out_s->rows) {
            changes_free(c);
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
        /* Both manager lists are in byte order of id: merge them. */
        size_t i = 0, j = 0, r = 0;
        const changes_wave_t none = { 0, NAN, NAN };
        while (i < ps->n_managers || j < cs->n_managers) {
            const char *pid = i < ps->n_managers
                                  ? dataset_manager_id(previous_ds, ps->managers[i].manager) : NULL;
            const char *cid = j < cs->n_managers
                                  ? dataset_manager_id(ds, cs->managers[j].manager) : NULL;
            int order = !pid ? 1 : !cid ? -1 : strcmp(pid, cid);
            changes_row_t *row = &out_s->rows[r++];
            row->manager_id = order <= 0 ? pid : cid;
            row->previous_manager = order <= 0 ? i : CHANGES_ABSENT;
            row->current_manager = order >= 0 ? j : CHANGES_ABSENT;
            row->previous = order <= 0 ? manager_wave(ps, i++) : none;
            row->current = order >= 0 ? manager_wave(cs, j++) : none;
            row->welch = changes_welch(row->previous.n, row->previous.mean, row->previous.sd,
                                       row->current.n, row->current.mean, row->current.sd);
        }
        out_s->n_rows = r;
    }
    *out = c;
    return ENGAGE_OK;
}

void changes_free(changes_t *changes)
{
    if (!changes)
        return;
    for (size_t s = 0; s < changes->n_scales; s++)
        free(changes->scales[s].rows);
    free(changes->scales);
    free(changes);
}
