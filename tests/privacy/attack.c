/*
 * tests/privacy/attack.c — an attacker's solver: from the tables an engage
 * run published, how much can be worked out about each hidden team's mean?
 *
 *   attack OUTDIR [--variance FILE] [--units FILE] [--truth FILE]
 *                 [--truth-previous FILE] [--min A] [--max B]
 *
 * It reads what anyone holding the outputs holds (managers.csv, changes.csv,
 * units.csv, items.csv and a variance table: OUTDIR/variance.csv, or with
 * --variance another file in its format, e.g. the analyst's
 * variance_all_teams.csv, to see what publishing it would give away), plus
 * what an insider knows: each manager's unit (--units: a CSV with a header
 * row, then manager_id,unit) and
 * that answers are whole numbers on min..max (so that a team's mean is a
 * multiple of 1 / (items · n)).  It shares no code with engage: every
 * equation below is written out here.
 *
 * Per scale and wave, the hidden teams are those whose figures no table
 * shows (suppressed in managers.csv and, with a previous wave, in
 * changes.csv; in the previous wave, the suppressed change rows).  Their
 * means are the unknowns.  The equations:
 *   - pooled totals: a shown unit's n · mean less its published teams; the
 *     company's total (variance.csv's company_mean, or the item means when
 *     every respondent answered every item) less every published team, less
 *     the shown units; and, from a unit's sd, the inequality that its
 *     hidden teams' Σ n m² is at most their pooled Σ y²;
 *   - the variance decomposition, when it counts more respondents than the
 *     published teams hold: grand_mean gives Σ n m over the hidden teams,
 *     ss_between Σ n (m - G)², and the REML components are the optimum of
 *     the restricted likelihood of all the teams' n and means with the
 *     published SS_within (current wave) or with the SS_within that F
 *     implies (previous wave, whose columns are grand mean, F and the REML
 *     share).
 * When the decomposition involves hidden teams, every lattice point of the
 * hidden means that satisfies the pooled totals is tried against it
 * (REML re-fitted for each candidate that passes the sums of squares), and
 * the solutions found bound each team.  When it counts exactly the
 * published teams, its figures are recomputed from them (grand mean and
 * SS_between from their n and means): they must agree, and then carry no
 * equation about a hidden team; each team's range is then what the pooled
 * totals and the box allow (exact per pool, the pools being disjoint).  In
 * the previous wave the shown teams' sds are not published, but each shown
 * change row's Welch interval and p-value give them (with the team's
 * current sd from managers.csv): then F is recomputed too.
 *
 * Output, one line per hidden team:
 *   team WAVE SCALE ID n=N range=LO..HI [truth=T] [pool=P]
 * and per scale and wave a line `decomposition WAVE SCALE ...` saying which
 * it was.  --truth / --truth-previous (canonical CSVs: respondent_id,
 * manager_id[, unit], items, complete answers) add each team's true mean.
 * Exit 0 unless a file cannot be read or a published decomposition of the
 * shown teams does not reproduce from them (exit 3).
 */
#include <csv.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* ------------------------------------------------------------------ tables */

static void *xrealloc(void *p, size_t size)
{
    return table_realloc(p, size);
}

/* The CSV at path, or false when it does not exist (or is empty). */
static bool read_table(const char *path, table_t *t)
{
    return table_read("attack", path, t) && t->n_rows > 0;
}

static long col(const table_t *t, const char *name)
{
    return table_column(t, name);
}

static const char *cell(const table_t *t, size_t r, long c)
{
    return table_cell(t, r, c);
}

/* A cell as a number; NAN when empty.  A leading "'" (formula guard) is
 * not a number's. */
static double num(const table_t *t, size_t r, long c)
{
    const char *s = cell(t, r, c);
    return *s ? strtod(s, NULL) : NAN;
}

/* The text a guarded cell stands for. */
static const char *text(const table_t *t, size_t r, long c)
{
    const char *s = cell(t, r, c);
    return s[0] == '\'' ? s + 1 : s;
}

/* ------------------------------------------------------------------- teams */

typedef struct {
    const char *id;
    const char *unit;     /* NULL: not known */
    double n;             /* scored respondents */
    double mean, sd;      /* published; NAN when not */
    bool published;       /* some table shows its mean */
    bool in_table;        /* managers.csv shows it (the current decomposition's set) */
    double truth;
    double lo, hi;        /* the feasible range found */
    const char *pool;
} team_t;

typedef struct {
    team_t *t;
    size_t n, cap;
} teams_t;

static team_t *team_add(teams_t *ts, const char *id)
{
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? 2 * ts->cap : 64;
        ts->t = xrealloc(ts->t, ts->cap * sizeof *ts->t);
    }
    team_t *t = &ts->t[ts->n++];
    memset(t, 0, sizeof *t);
    t->id = id;
    t->mean = t->sd = t->truth = NAN;
    return t;
}

static team_t *team_find(teams_t *ts, const char *id)
{
    for (size_t i = 0; i < ts->n; i++)
        if (strcmp(ts->t[i].id, id) == 0)
            return &ts->t[i];
    return NULL;
}

/* ------------------------------------------------------------ the equations */

/* The exact REML optimum of y = mu + u_team + e from team sizes, means and
 * the within sum of squares: the profiled restricted likelihood's
 * derivative in gamma = between/within (w = n / (1 + n gamma), mu the GLS
 * mean, Q = SSW + Σ w (m - mu)²):
 *   D'(gamma) = (N-1) Σ dw (m - mu)² / Q + Σ w + Σ dw / Σ w,
 *   dw = -n² / (1 + n gamma)²;  gamma = 0 when D'(0) >= 0, else the root
 * (bisection, at most 200 halvings after at most 200 doublings); the within
 * variance is Q / (N - 1).  reml_fit is false when undefined. */
static double reml_slope(const double *n, const double *m, size_t J, double ssw, double gam,
                         double *q_out)
{
    double sw = 0, swm = 0, N = 0;
    for (size_t j = 0; j < J; j++) {
        double w = n[j] / (1 + n[j] * gam);
        sw += w;
        swm += w * m[j];
        N += n[j];
    }
    double mu = swm / sw, q = ssw, a = 0, sdw = 0;
    for (size_t j = 0; j < J; j++) {
        double w = n[j] / (1 + n[j] * gam), dw = -n[j] * n[j] / ((1 + n[j] * gam) * (1 + n[j] * gam));
        q += w * (m[j] - mu) * (m[j] - mu);
        a += dw * (m[j] - mu) * (m[j] - mu);
        sdw += dw;
    }
    if (q_out)
        *q_out = q;
    return (N - 1) * a / q + sw + sdw / sw;
}

static bool reml_fit(const double *n, const double *m, size_t J, double ssw, double *between,
                     double *within)
{
    double N = 0;
    for (size_t j = 0; j < J; j++)
        N += n[j];
    if (J < 2 || N < 3 || !(ssw > 0))
        return false;
    double q, gam = 0;
    if (reml_slope(n, m, J, ssw, 0, &q) < 0) {
        double lo = 0, hi = 1;
        for (int i = 0; i < 200 && reml_slope(n, m, J, ssw, hi, NULL) < 0; i++)
            hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
            double mid = (lo + hi) / 2;
            if (reml_slope(n, m, J, ssw, mid, NULL) < 0)
                lo = mid;
            else
                hi = mid;
        }
        gam = (lo + hi) / 2;
        reml_slope(n, m, J, ssw, gam, &q);
    }
    *within = q / (N - 1);
    *between = gam * *within;
    return true;
}

static bool close_to(double got, double want, double rel)
{
    if (isnan(want))
        return true;
    return fabs(got - want) <= rel * fmax(fabs(want), 1e-9);
}

/* A shown change row's previous-wave sd from its Welch test.  With b =
 * sd_now² / n2 known (managers.csv) and a = sd_previous² / n1 unknown, se² =
 * a + b, Welch's df = se⁴ / (a²/(n1-1) + b²/(n2-1)), and the interval's half
 * width is t(0.975, df) · se: one equation in a, whose roots on (0, half²]
 * are bracketed on a grid and bisected; the one whose p-value (2 P(T_df >
 * |delta| / se)) matches is taken.  NAN when the row does not allow it. */
static double welch_half(double a, double b, double n1, double n2, double *df_out)
{
    double se2 = a + b, df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1));
    if (df_out)
        *df_out = df;
    return gsl_cdf_tdist_Pinv(0.975, df) * sqrt(se2);
}

static double welch_previous_sd(double n1, double n2, double delta, double low, double high, double p,
                                double sd_now)
{
    if (!(n1 > 1 && n2 > 1 && high > low && !isnan(sd_now) && !isnan(p)))
        return NAN;
    double half = (high - low) / 2, b = sd_now * sd_now / n2, top = half * half;
    enum { GRID = 4000 };
    double best = NAN, best_gap = INFINITY;
    double prev_a = top * 1e-12, prev_h = welch_half(prev_a, b, n1, n2, NULL) - half;
    for (int i = 1; i <= GRID; i++) {
        double a = top * (double)i / GRID, h = welch_half(a, b, n1, n2, NULL) - half;
        if ((prev_h < 0) != (h < 0)) {
            double lo = prev_a, hi = a;
            for (int k = 0; k < 200; k++) {
                double mid = (lo + hi) / 2;
                if ((welch_half(mid, b, n1, n2, NULL) - half < 0) == (prev_h < 0))
                    lo = mid;
                else
                    hi = mid;
            }
            double root = (lo + hi) / 2, df;
            welch_half(root, b, n1, n2, &df);
            double got = 2 * gsl_cdf_tdist_Q(fabs(delta) / sqrt(root + b), df);
            if (fabs(got - p) < best_gap) {
                best_gap = fabs(got - p);
                best = root;
            }
        }
        prev_a = a;
        prev_h = h;
    }
    return best_gap < 1e-6 * fmax(p, 1e-12) + 1e-12 ? sqrt(best * n1) : NAN;
}

/* What one wave's decomposition publishes. */
typedef struct {
    bool present;
    double N, J, grand_mean, ss_between, ss_within, f, between, within, icc_reml;
    bool previous;        /* the previous wave's columns: G, F and the REML share only */
} decomposition_t;

/* One wave's problem. */
typedef struct {
    const char *wave, *scale;
    teams_t *teams;
    double items, lo, hi;              /* the answer lattice and box */
    decomposition_t dec;
    double company_n, company_mean;    /* everyone scored; NAN mean when not known */
    const table_t *units;              /* units.csv, or NULL */
    /* the enumeration */
    size_t *hidden, n_hidden;
    double *n_all, *m_all;             /* every team in the decomposition */
    size_t n_dec;
    size_t *slot;                      /* hidden team -> its place in m_all */
    double s1, s2, ssw;
    long long leaves, solutions;
    double *best_lo, *best_hi;
    bool enumerated;
} wave_t;

/* A pool of hidden teams with a known total (and maybe a bound on Σ n m²). */
typedef struct {
    const char *name;
    size_t *members;
    size_t n;
    double sum;              /* Σ n m over the members */
    double square;           /* Σ y² over the members' respondents; NAN when not known */
} pool_t;

/* The candidate's decomposition against the published one: SS_between, and
 * the REML optimum with the published (or F's) SS_within. */
static bool candidate_fits(wave_t *w)
{
    const decomposition_t *d = &w->dec;
    double G = d->grand_mean, ssb = 0;
    for (size_t j = 0; j < w->n_dec; j++)
        ssb += w->n_all[j] * (w->m_all[j] - G) * (w->m_all[j] - G);
    double ssw = w->ssw;
    if (d->previous) {
        /* F = (SSB/(J-1)) / (SSW/(N-J)) */
        if (!(d->f > 0))
            return false;
        ssw = ssb / (d->J - 1) * (d->N - d->J) / d->f;
    } else if (!close_to(ssb, d->ss_between, 1e-8)) {
        return false;
    }
    double b, wi;
    if (!reml_fit(w->n_all, w->m_all, w->n_dec, ssw, &b, &wi))
        return false;
    if (d->previous)
        return close_to(b / (b + wi), d->icc_reml, 1e-7);
    return close_to(b, d->between, 1e-7) && close_to(wi, d->within, 1e-7);
}

enum { MAX_LEAVES = 40000000 };

/* Depth-first over the hidden teams' lattice means; the last one follows
 * from the grand mean's total. */
static void enumerate(wave_t *w, size_t i, double partial)
{
    if (w->leaves > MAX_LEAVES)
        return;
    size_t h = w->hidden[i];
    team_t *t = &w->teams->t[h];
    double step = 1.0 / (w->items * t->n);
    if (i + 1 == w->n_hidden) {
        w->leaves++;
        double m = (w->s1 - partial) / t->n;
        double k = (m - w->lo) / step;
        if (fabs(k - round(k)) > 1e-6 || m < w->lo - 1e-9 || m > w->hi + 1e-9)
            return;
        w->m_all[w->slot[i]] = m;
        if (!candidate_fits(w))
            return;
        w->solutions++;
        for (size_t x = 0; x < w->n_hidden; x++) {
            double v = w->m_all[w->slot[x]];
            if (v < w->best_lo[x])
                w->best_lo[x] = v;
            if (v > w->best_hi[x])
                w->best_hi[x] = v;
        }
        return;
    }
    long steps = lround((w->hi - w->lo) / step);
    for (long k = 0; k <= steps; k++) {
        double m = w->lo + (double)k * step;
        w->m_all[w->slot[i]] = m;
        enumerate(w, i + 1, partial + t->n * m);
    }
}

/* Each hidden team's range from its pool (exact: linear total and box,
 * then the bound on Σ n m²). */
static void pool_ranges(wave_t *w, const pool_t *p)
{
    for (size_t a = 0; a < p->n; a++) {
        team_t *t = &w->teams->t[p->members[a]];
        double rest_max = 0, rest_min = 0, rest_n = 0;
        for (size_t b = 0; b < p->n; b++)
            if (b != a) {
                double nb = w->teams->t[p->members[b]].n;
                rest_max += nb * w->hi;
                rest_min += nb * w->lo;
                rest_n += nb;
            }
        double lo = fmax(w->lo, (p->sum - rest_max) / t->n);
        double hi = fmin(w->hi, (p->sum - rest_min) / t->n);
        if (!isnan(p->square) && rest_n > 0) {
            /* n m² + (S - n m)² / n_rest <= square: a quadratic in m */
            double A = t->n + t->n * t->n / rest_n, B = -2 * p->sum * t->n / rest_n;
            double C = p->sum * p->sum / rest_n - p->square;
            double disc = B * B - 4 * A * C;
            if (disc >= 0) {
                lo = fmax(lo, (-B - sqrt(disc)) / (2 * A));
                hi = fmin(hi, (-B + sqrt(disc)) / (2 * A));
            }
        }
        t->lo = fmax(t->lo, lo);
        t->hi = fmin(t->hi, hi);
        t->pool = p->name;
    }
}

/* --------------------------------------------------------------- one wave */

static int solve_wave(wave_t *w)
{
    teams_t *ts = w->teams;
    for (size_t i = 0; i < ts->n; i++) {
        ts->t[i].lo = w->lo;
        ts->t[i].hi = w->hi;
        ts->t[i].pool = "none";
    }
    /* published totals */
    double pub_n = 0, pub_sum = 0, table_n = 0, table_J = 0, table_sum = 0;
    size_t n_hidden = 0;
    for (size_t i = 0; i < ts->n; i++) {
        const team_t *t = &ts->t[i];
        if (t->n <= 0)
            continue;
        if (t->published) {
            pub_n += t->n;
            pub_sum += t->n * t->mean;
        } else {
            n_hidden++;
        }
        if (t->in_table) {
            table_n += t->n;
            table_J++;
            table_sum += t->n * t->mean;
        }
    }

    const decomposition_t *d = &w->dec;
    int status = 0;
    bool involves_hidden = d->present && d->N > table_n + 0.5;
    if (!d->present) {
        printf("decomposition %s %s: not published\n", w->wave, w->scale);
    } else if (!involves_hidden) {
        /* over the published teams: it must follow from them alone */
        double G = table_n > 0 ? table_sum / table_n : NAN, ssb = 0;
        for (size_t i = 0; i < ts->n; i++)
            if (ts->t[i].in_table && ts->t[i].n > 0)
                ssb += ts->t[i].n * (ts->t[i].mean - G) * (ts->t[i].mean - G);
        bool ok = d->J == table_J && (isnan(d->grand_mean) || close_to(G, d->grand_mean, 1e-9)) &&
                  (d->previous || isnan(d->ss_between) || close_to(ssb, d->ss_between, 1e-7));
        /* F from the teams' sds (the previous wave's from the Welch tests) */
        double ssw = 0;
        bool sds = true;
        for (size_t i = 0; i < ts->n; i++)
            if (ts->t[i].in_table && ts->t[i].n > 1) {
                sds = sds && !isnan(ts->t[i].sd);
                ssw += (ts->t[i].n - 1) * ts->t[i].sd * ts->t[i].sd;
            }
        const char *f_check = "F not checked";
        if (sds && table_J > 1 && d->N > table_J && !isnan(d->f)) {
            double f = ssb / (table_J - 1) / (ssw / (d->N - table_J));
            bool f_ok = close_to(f, d->f, 1e-5);
            f_check = f_ok ? "F from their sds agrees" : "F from their sds DISAGREES";
            ok = ok && f_ok;
        }
        printf("decomposition %s %s: over the %.0f respondents of the %.0f published teams only "
               "(grand mean and SS_between recomputed from them: %s; %s); no equation about a hidden team\n",
               w->wave, w->scale, d->N, d->J, ok ? "agree" : "DISAGREE", f_check);
        if (!ok)
            status = 3;
    }

    /* pools: shown units, then the rest of the company */
    pool_t pools[2048];
    size_t n_pools = 0;
    size_t *in_pool = calloc(ts->n + 1, sizeof *in_pool);
    for (size_t u = 1; w->units && u < w->units->n_rows && n_pools + 1 < 2048; u++) {
        const table_t *U = w->units;
        if (strcmp(text(U, u, col(U, "scale")), w->scale) != 0 || num(U, u, col(U, "suppressed")) != 0)
            continue;
        const char *name = text(U, u, col(U, "unit"));
        double un = num(U, u, col(U, "n")), um = num(U, u, col(U, "mean")), usd = num(U, u, col(U, "sd"));
        pool_t p = { name, calloc(ts->n + 1, sizeof(size_t)), 0, un * um, NAN };
        double square = (un - 1) * usd * usd + un * um * um;
        bool square_known = !isnan(usd);
        for (size_t i = 0; i < ts->n; i++) {
            team_t *t = &ts->t[i];
            if (!t->unit || strcmp(t->unit, name) != 0 || t->n <= 0)
                continue;
            if (t->published) {
                p.sum -= t->n * t->mean;
                if (t->in_table && !isnan(t->sd))
                    square -= (t->n - 1) * t->sd * t->sd + t->n * t->mean * t->mean;
                else if (t->n > 1)
                    square_known = false;
            } else {
                p.members[p.n++] = i;
                in_pool[i] = 1;
            }
        }
        p.square = square_known ? square : NAN;
        if (p.n)
            pools[n_pools++] = p;
        else
            free(p.members);
    }
    if (!isnan(w->company_mean)) {
        /* the company less its published teams, less the shown units'
         * hidden totals (known already): the rest of the hidden teams */
        pool_t p = { "company", calloc(ts->n + 1, sizeof(size_t)), 0,
                     w->company_n * w->company_mean - pub_sum, NAN };
        for (size_t q = 0; q < n_pools; q++)
            p.sum -= pools[q].sum;
        for (size_t i = 0; i < ts->n; i++)
            if (!ts->t[i].published && ts->t[i].n > 0 && !in_pool[i])
                p.members[p.n++] = i;
        if (p.n)
            pools[n_pools++] = p;
        else
            free(p.members);
    }
    for (size_t q = 0; q < n_pools; q++)
        pool_ranges(w, &pools[q]);

    if (involves_hidden) {
        /* the decomposition holds hidden teams: solve for them */
        w->hidden = calloc(n_hidden + 1, sizeof *w->hidden);
        w->slot = calloc(n_hidden + 1, sizeof *w->slot);
        w->n_all = calloc(ts->n + 1, sizeof *w->n_all);
        w->m_all = calloc(ts->n + 1, sizeof *w->m_all);
        w->best_lo = calloc(n_hidden + 1, sizeof *w->best_lo);
        w->best_hi = calloc(n_hidden + 1, sizeof *w->best_hi);
        w->n_dec = 0;
        w->n_hidden = 0;
        for (size_t i = 0; i < ts->n; i++) {
            team_t *t = &ts->t[i];
            if (t->n <= 0)
                continue;
            w->n_all[w->n_dec] = t->n;
            if (t->published) {
                w->m_all[w->n_dec] = t->mean;
            } else {
                w->slot[w->n_hidden] = w->n_dec;
                w->best_lo[w->n_hidden] = INFINITY;
                w->best_hi[w->n_hidden] = -INFINITY;
                w->hidden[w->n_hidden++] = i;
            }
            w->n_dec++;
        }
        w->s1 = d->N * d->grand_mean - pub_sum;
        w->ssw = d->ss_within;
        w->leaves = w->solutions = 0;
        double space = 1;
        for (size_t x = 0; x + 1 < w->n_hidden; x++)
            space *= w->items * ts->t[w->hidden[x]].n * (w->hi - w->lo) + 1;
        w->enumerated = w->n_hidden > 0 && space <= MAX_LEAVES;
        if (w->enumerated)
            enumerate(w, 0, 0);
        printf("decomposition %s %s: counts %.0f respondents, the published teams %.0f: it holds "
               "%zu hidden teams; %s\n", w->wave, w->scale, d->N, pub_n, w->n_hidden,
               w->n_hidden == 0 ? "nothing to solve"
               : !w->enumerated ? "too many to enumerate"
               : w->solutions   ? "solved"
                                : "no lattice solution");
        if (w->enumerated && w->solutions) {
            printf("  %lld lattice points tried, %lld fit every published figure\n", w->leaves,
                   w->solutions);
            for (size_t x = 0; x < w->n_hidden; x++) {
                team_t *t = &ts->t[w->hidden[x]];
                t->lo = fmax(t->lo, w->best_lo[x]);
                t->hi = fmin(t->hi, w->best_hi[x]);
                t->pool = "decomposition";
            }
        }
        free(w->hidden);
        free(w->slot);
        free(w->n_all);
        free(w->m_all);
        free(w->best_lo);
        free(w->best_hi);
    }

    for (size_t i = 0; i < ts->n; i++) {
        const team_t *t = &ts->t[i];
        if (t->published || t->n <= 0)
            continue;
        printf("team %s %s %s n=%.0f range=%.10g..%.10g", w->wave, w->scale, t->id, t->n, t->lo, t->hi);
        if (!isnan(t->truth))
            printf(" truth=%.10g", t->truth);
        printf(" pool=%s\n", t->pool);
    }
    for (size_t q = 0; q < n_pools; q++)
        free(pools[q].members);
    free(in_pool);
    return status;
}

/* ------------------------------------------------------------------- truth */

/* Each team's true mean from a canonical CSV (complete answers): the mean
 * of its respondents' item means. */
static void add_truth(teams_t *ts, const char *path)
{
    table_t t;
    if (!read_table(path, &t)) {
        fprintf(stderr, "attack: cannot read %s\n", path);
        exit(2);
    }
    long first = col(&t, "unit") >= 0 ? 3 : 2;
    for (size_t i = 0; i < ts->n; i++) {
        double sum = 0, n = 0;
        for (size_t r = 1; r < t.n_rows; r++) {
            if (strcmp(cell(&t, r, 1), ts->t[i].id) != 0)
                continue;
            double s = 0, k = 0;
            for (size_t c = (size_t)first; c < t.width[r]; c++)
                if (*cell(&t, r, (long)c)) {
                    s += num(&t, r, (long)c);
                    k++;
                }
            if (k) {
                sum += s / k;
                n++;
            }
        }
        if (n)
            ts->t[i].truth = sum / n;
    }
}

/* -------------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    const char *dir = NULL, *variance = NULL, *units_path = NULL, *truth = NULL, *truth_previous = NULL;
    double lo = 1, hi = 5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--variance") == 0 && i + 1 < argc)
            variance = argv[++i];
        else if (strcmp(argv[i], "--units") == 0 && i + 1 < argc)
            units_path = argv[++i];
        else if (strcmp(argv[i], "--truth") == 0 && i + 1 < argc)
            truth = argv[++i];
        else if (strcmp(argv[i], "--truth-previous") == 0 && i + 1 < argc)
            truth_previous = argv[++i];
        else if (strcmp(argv[i], "--min") == 0 && i + 1 < argc)
            lo = atof(argv[++i]);
        else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc)
            hi = atof(argv[++i]);
        else if (!dir)
            dir = argv[i];
        else {
            fprintf(stderr, "usage: attack OUTDIR [--variance FILE] [--units FILE] [--truth FILE] "
                            "[--truth-previous FILE] [--min A] [--max B]\n");
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "attack: no OUTDIR\n");
        return 2;
    }
    char path[4096];
    table_t M, V, I, C, U, R;
    snprintf(path, sizeof path, "%s/managers.csv", dir);
    if (!read_table(path, &M)) {
        fprintf(stderr, "attack: cannot read %s\n", path);
        return 2;
    }
    if (!variance) {
        snprintf(path, sizeof path, "%s/variance.csv", dir);
        variance = strdup(path);
    }
    if (!read_table(variance, &V)) {
        fprintf(stderr, "attack: cannot read %s\n", variance);
        return 2;
    }
    snprintf(path, sizeof path, "%s/items.csv", dir);
    if (!read_table(path, &I)) {
        fprintf(stderr, "attack: cannot read %s\n", path);
        return 2;
    }
    snprintf(path, sizeof path, "%s/changes.csv", dir);
    bool with_changes = read_table(path, &C);
    snprintf(path, sizeof path, "%s/units.csv", dir);
    bool with_units = read_table(path, &U);
    bool with_roster = units_path && read_table(units_path, &R);

    int status = 0;
    for (size_t v = 1; v < V.n_rows; v++) {
        const char *scale = text(&V, v, col(&V, "scale"));
        /* the items: how many, and whether everyone answered each */
        double items = 0, item_sum = 0, item_n_min = INFINITY;
        for (size_t r = 1; r < I.n_rows; r++)
            if (strcmp(text(&I, r, col(&I, "scale")), scale) == 0) {
                items++;
                item_sum += num(&I, r, col(&I, "mean"));
                item_n_min = fmin(item_n_min, num(&I, r, col(&I, "n")));
            }

        teams_t now = { 0 }, before = { 0 };
        double company_n = 0;
        double item_n_max = 0;
        for (size_t r = 1; r < I.n_rows; r++)
            if (strcmp(text(&I, r, col(&I, "scale")), scale) == 0)
                item_n_max = fmax(item_n_max, num(&I, r, col(&I, "n")));
        for (size_t r = 1; r < M.n_rows; r++) {
            if (strcmp(text(&M, r, col(&M, "scale")), scale) != 0)
                continue;
            team_t *t = team_add(&now, text(&M, r, col(&M, "manager_id")));
            t->n = num(&M, r, col(&M, "n"));
            company_n += t->n;
            if (num(&M, r, col(&M, "suppressed")) == 0) {
                t->mean = num(&M, r, col(&M, "mean"));
                t->sd = num(&M, r, col(&M, "sd"));
                t->published = t->in_table = true;
            }
        }
        decomposition_t cur = { .present = !isnan(num(&V, v, col(&V, "grand_mean"))),
                                .N = num(&V, v, col(&V, "respondents")), .J = num(&V, v, col(&V, "managers")),
                                .grand_mean = num(&V, v, col(&V, "grand_mean")),
                                .ss_between = num(&V, v, col(&V, "ss_between")),
                                .ss_within = num(&V, v, col(&V, "ss_within")), .f = num(&V, v, col(&V, "f")),
                                .between = num(&V, v, col(&V, "var_between_reml")),
                                .within = num(&V, v, col(&V, "var_within_reml")),
                                .icc_reml = num(&V, v, col(&V, "icc_reml")) };
        decomposition_t prev = { .present = col(&V, "grand_mean_previous") >= 0 &&
                                            !isnan(num(&V, v, col(&V, "grand_mean_previous"))),
                                 .N = num(&V, v, col(&V, "respondents_previous")),
                                 .J = num(&V, v, col(&V, "managers_previous")),
                                 .grand_mean = num(&V, v, col(&V, "grand_mean_previous")),
                                 .ss_between = NAN, .ss_within = NAN,
                                 .f = num(&V, v, col(&V, "f_previous")),
                                 .between = NAN, .within = NAN,
                                 .icc_reml = num(&V, v, col(&V, "icc_reml_previous")), .previous = true };
        double previous_n = 0;
        if (with_changes) {
            for (size_t r = 1; r < C.n_rows; r++) {
                if (strcmp(text(&C, r, col(&C, "scale")), scale) != 0)
                    continue;
                const char *id = text(&C, r, col(&C, "manager_id"));
                bool shown = num(&C, r, col(&C, "suppressed")) == 0;
                team_t *t = team_find(&now, id);
                if (t && shown && !t->published) {
                    t->mean = num(&C, r, col(&C, "mean"));
                    t->published = true;
                }
                team_t *p = team_add(&before, id);
                p->n = num(&C, r, col(&C, "n_previous"));
                previous_n += p->n;
                if (shown) {
                    p->mean = num(&C, r, col(&C, "mean_previous"));
                    p->published = p->in_table = true;
                    p->sd = welch_previous_sd(p->n, num(&C, r, col(&C, "n")), num(&C, r, col(&C, "delta")),
                                              num(&C, r, col(&C, "ci_low")), num(&C, r, col(&C, "ci_high")),
                                              num(&C, r, col(&C, "p_value")), t ? t->sd : NAN);
                }
            }
        }
        if (with_roster)
            for (size_t r = 1; r < R.n_rows; r++) {
                team_t *t = team_find(&now, cell(&R, r, 0));
                if (t)
                    t->unit = cell(&R, r, 1);
            }
        if (truth)
            add_truth(&now, truth);
        if (truth_previous)
            add_truth(&before, truth_previous);

        double company_mean = col(&V, "company_mean") >= 0 ? num(&V, v, col(&V, "company_mean")) : NAN;
        if (isnan(company_mean) && items > 0 && item_n_min == company_n && item_n_max == company_n)
            company_mean = item_sum / items;  /* every respondent answered every item */
        wave_t w = { .wave = "current", .scale = scale, .teams = &now, .items = items, .lo = lo,
                     .hi = hi, .dec = cur, .company_n = company_n, .company_mean = company_mean,
                     .units = with_units ? &U : NULL };
        int st = solve_wave(&w);
        if (st)
            status = st;
        if (with_changes) {
            double previous_mean = col(&V, "company_mean_previous") >= 0
                                       ? num(&V, v, col(&V, "company_mean_previous")) : NAN;
            wave_t wp = { .wave = "previous", .scale = scale, .teams = &before, .items = items,
                          .lo = lo, .hi = hi, .dec = prev, .company_n = previous_n,
                          .company_mean = previous_mean };
            st = solve_wave(&wp);
            if (st)
                status = st;
        }
        free(now.t);
        free(before.t);
    }
    return status;
}
