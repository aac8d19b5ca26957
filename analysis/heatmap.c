/*
 * analysis/heatmap.c — every item at every level (heatmap.h).
 *
 * Per scale, one pass over the item columns in blocks of respondents (as
 * leaders.c reads them): each scored respondent's answers are added to its
 * team's sums per item — the count, the favourable answers, and the sum
 * and sum of squares of each answer's distance from
 * the middle of the scale (exact for whole and half answers, so a team
 * that answers alike has exactly 0 within).  A unit sums its teams; a
 * leader's org sums the teams below it, each team added to the deepest
 * leader at or above its manager and every row then to its parent's, last
 * row first (rows are in pre-order, so a row's children come after it);
 * the company sums every team.  A cell's figures are worked out from its
 * sums when asked for, so only the sums are kept.  The narrow sums read
 * the item columns' one-byte codes where every item's column holds them,
 * each code's part worked out once per scale; from 65,536 respondents on,
 * two threads make them, each for half of the teams.
 *
 * Owns: the heatmap_t it returns.
 */
#include "heatmap.h"

#include "../core/pair.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Respondents read per block: their item columns stay in the caches. */
enum { HEATMAP_READ_ROWS = 256 };
/* Scales of up to this many items are summed from their columns' codes. */
enum { HEATMAP_CODED_ITEMS = 64 };
/* From this many respondents on, the teams' sums are made on two threads. */
enum { HEATMAP_PARALLEL_RESPONDENTS = 65536 };

/* Adds k items' sums of one group into another's. */
static void sums_add(heatmap_sums_t *to, const heatmap_sums_t *from, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        to[i].n += from[i].n;
        to[i].favourable += from[i].favourable;
        to[i].sum += from[i].sum;
    }
}

static void *heatmap_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size);
}

static double heatmap_finite(double v)
{
    return isfinite(v) ? v : NAN;
}

/* Respondents first .. first+count-1's reverse-coded answers into cols
 * ([item × HEATMAP_READ_ROWS], NAN for none). */
static void read_block(const dataset_t *ds, const dataset_scale_t *sc, size_t first, size_t count, double *cols)
{
    for (size_t i = 0; i < sc->n_items; i++) {
        double *x = cols + i * HEATMAP_READ_ROWS;
        dataset_column_read(ds, sc->items[i], first, count, x);
        for (size_t t = 0; t < count; t++)
            x[t] = dataset_scale_answer(sc, i, x[t]);
    }
}

/* Whether row t of a block is scored on the scale. */
static bool block_scored(const dataset_scale_t *sc, const double *cols, size_t t)
{
    size_t answered = 0, k = sc->n_items;
    for (size_t i = 0; i < k; i++)
        answered += !isnan(cols[i * HEATMAP_READ_ROWS + t]);
    return dataset_scale_scored(sc, answered);
}

/* Every team's sums on one scale, wide: one pass over its item columns. */
static void team_sums(const dataset_t *ds, const dataset_scale_t *sc, double *cols, heatmap_sums_t *team,
                      double *team_dd)
{
    size_t k = sc->n_items, N = dataset_n_respondents(ds);
    const double middle = (sc->min + sc->max) / 2.0;
    for (size_t first = 0; first < N; first += HEATMAP_READ_ROWS) {
        size_t count = N - first < HEATMAP_READ_ROWS ? N - first : HEATMAP_READ_ROWS;
        read_block(ds, sc, first, count, cols);
        for (size_t t = 0; t < count; t++) {
            if (!block_scored(sc, cols, t))
                continue;
            size_t m = dataset_manager_of(ds, first + t);
            heatmap_sums_t *a = team + m * k;
            double *dd = team_dd + m * k;
            for (size_t i = 0; i < k; i++) {
                double x = cols[i * HEATMAP_READ_ROWS + t];
                if (isnan(x))
                    continue;
                double d = x - middle;
                a[i].n++;
                a[i].sum += d;
                a[i].favourable += x >= sc->favourable;
                dd[i] += d * d;
            }
        }
    }
}

/* What one answer adds in the narrow form. */
typedef struct {
    uint8_t answered;         /* the answer is there */
    uint8_t narrow;           /* ... and a whole number of halves within ±bound */
    uint8_t favourable;
    int8_t pad;
    int32_t twice;            /* 2 × its distance from the middle, when narrow */
} narrow_code_t;

/* The part of answer x (after reverse coding; NAN for none). */
static narrow_code_t narrow_part(const dataset_scale_t *sc, double x, double middle, double bound)
{
    double twice = 2.0 * (x - middle);
    narrow_code_t e = { 0 };
    e.answered = !isnan(x);
    e.narrow = e.answered && fabs(twice) <= bound && (double)(int32_t)twice == twice;
    e.favourable = x >= sc->favourable;
    e.twice = e.narrow ? (int32_t)twice : 0;
    return e;
}

/* Adds an answer's part to item i of a team's narrow sums (a, dd4 or
 * dd4_16 at the team); false when it does not fit: not narrow, or the
 * item's answers already at cap. */
static inline bool narrow_add(heatmap_team_t *a, uint32_t *dd4, uint16_t *dd4_16, size_t i,
                              const narrow_code_t *e, size_t cap)
{
    if (!e->narrow || a[i].n >= cap)
        return false;
    int32_t d2 = e->twice;
    a[i].n++;
    a[i].twice_sum = (int16_t)(a[i].twice_sum + d2);
    a[i].favourable += e->favourable;
    if (dd4_16)
        dd4_16[i] = (uint16_t)(dd4_16[i] + d2 * d2);
    else
        dd4[i] += (uint32_t)(d2 * d2);
    return true;
}

/* The same in the narrow form, every twice-distance within ±bound and at
 * most cap answers per team and item; false (the sums unusable) at the
 * first answer that is not a whole number of halves within it or past cap.
 * Σ (2 × distance)² goes to team_dd4, or to team_dd4_16 when that is not
 * NULL (cap × bound² then fits 16 bits). */
static bool team_sums_narrow(const dataset_t *ds, const dataset_scale_t *sc, double *cols, double bound, size_t cap,
                             heatmap_team_t *team, uint32_t *team_dd4, uint16_t *team_dd4_16)
{
    size_t k = sc->n_items, N = dataset_n_respondents(ds);
    const double middle = (sc->min + sc->max) / 2.0;
    for (size_t first = 0; first < N; first += HEATMAP_READ_ROWS) {
        size_t count = N - first < HEATMAP_READ_ROWS ? N - first : HEATMAP_READ_ROWS;
        read_block(ds, sc, first, count, cols);
        for (size_t t = 0; t < count; t++) {
            if (!block_scored(sc, cols, t))
                continue;
            size_t m = dataset_manager_of(ds, first + t);
            heatmap_team_t *a = team + m * k;
            uint32_t *dd4 = team_dd4 ? team_dd4 + m * k : NULL;
            uint16_t *dd4_16 = team_dd4_16 ? team_dd4_16 + m * k : NULL;
            for (size_t i = 0; i < k; i++) {
                double x = cols[i * HEATMAP_READ_ROWS + t];
                if (isnan(x))
                    continue;
                narrow_code_t e = narrow_part(sc, x, middle, bound);
                if (!narrow_add(a, dd4, dd4_16, i, &e, cap))
                    return false;
            }
        }
    }
    return true;
}

/* One thread's part of team_sums_narrow_codes: the rows whose manager is
 * in [first_manager, end_manager), so that two threads never add to the
 * same team. */
typedef struct {
    const dataset_t *ds;
    const dataset_scale_t *sc;
    const uint8_t *const *codes;
    const narrow_code_t *code_of;
    size_t cap, first_manager, end_manager;
    heatmap_team_t *team;
    uint32_t *team_dd4;
    uint16_t *team_dd4_16;
    bool narrow;               /* out: every answer of these teams fitted */
} narrow_part_job_t;

static void *narrow_codes_teams(void *arg)
{
    narrow_part_job_t *job = arg;
    const dataset_scale_t *sc = job->sc;
    const narrow_code_t *code_of = job->code_of;
    const uint8_t *const *codes = job->codes;
    size_t k = sc->n_items, N = dataset_n_respondents(job->ds);
    job->narrow = true;
    for (size_t r = 0; r < N; r++) {
        size_t m = dataset_manager_of(job->ds, r);
        if (m < job->first_manager || m >= job->end_manager)
            continue;
        size_t answered = 0;
        for (size_t i = 0; i < k; i++)
            answered += code_of[i * 256 + codes[i][r]].answered;
        if (!dataset_scale_scored(sc, answered))
            continue;
        heatmap_team_t *a = job->team + m * k;
        uint32_t *dd4 = job->team_dd4 ? job->team_dd4 + m * k : NULL;
        uint16_t *dd4_16 = job->team_dd4_16 ? job->team_dd4_16 + m * k : NULL;
        for (size_t i = 0; i < k; i++) {
            const narrow_code_t *e = &code_of[i * 256 + codes[i][r]];
            if (e->answered && !narrow_add(a, dd4, dd4_16, i, e, job->cap)) {
                job->narrow = false;
                return NULL;
            }
        }
    }
    return NULL;
}

/* team_sums_narrow read from the item columns' codes, each code's part
 * worked out once (the same answers, so the same sums and the same
 * verdict); false also when an item's column holds no codes, before any
 * sum is touched.  code_of is k × 256 entries of workspace.  The teams
 * are summed in two halves (each reads every row's manager, and the
 * answers of its own teams' rows only), on two threads from
 * HEATMAP_PARALLEL_RESPONDENTS on. */
static bool team_sums_narrow_codes(const dataset_t *ds, const dataset_scale_t *sc, double bound, size_t cap,
                                   narrow_code_t *code_of, heatmap_team_t *team, uint32_t *team_dd4,
                                   uint16_t *team_dd4_16, bool *coded)
{
    size_t k = sc->n_items, M = dataset_n_managers(ds);
    const double middle = (sc->min + sc->max) / 2.0;
    const uint8_t *codes[HEATMAP_CODED_ITEMS];
    *coded = k <= HEATMAP_CODED_ITEMS;
    for (size_t i = 0; *coded && i < k; i++) {
        const double *table;
        codes[i] = dataset_column_codes(ds, sc->items[i], &table);
        *coded = codes[i] != NULL;
        for (size_t c = 0; *coded && c < 256; c++)
            code_of[i * 256 + c] = narrow_part(sc, dataset_scale_answer(sc, i, table[c]), middle, bound);
    }
    if (!*coded)
        return false;
    narrow_part_job_t mine = { ds, sc, codes, code_of, cap, 0, M / 2, team, team_dd4, team_dd4_16, false };
    narrow_part_job_t other = mine;
    other.first_manager = M / 2;
    other.end_manager = M;
    pair_run(narrow_codes_teams, &mine, &other, dataset_n_respondents(ds) >= HEATMAP_PARALLEL_RESPONDENTS);
    return mine.narrow && other.narrow;
}

/* The most answers a team may give an item in the narrow form, with the
 * bound on twice a distance (answers within min .. max) in *bound; 0 when
 * the scale's teams (an item's answers are at most the team's scored
 * respondents) are too large for it. */
static size_t narrow_cap(const analysis_scale_t *as, size_t managers, double *bound)
{
    const dataset_scale_t *sc = as->scale;
    *bound = sc->max - sc->min;
    if (!isfinite(*bound) || *bound < 0.0 || as->n_managers != managers)
        return 0;
    double b = *bound < 1.0 ? 1.0 : *bound;
    double cap = floor(fmin((double)UINT16_MAX, fmin(INT16_MAX / b, (double)UINT32_MAX / (b * b))));
    for (size_t m = 0; m < managers; m++)
        if ((double)as->managers[m].n > cap)
            return 0;
    return (size_t)cap;
}

/* Whether the narrow form's Σ (2 × distance)² fits 16 bits for every team:
 * at most the largest team's answers times bound². */
static bool narrow_dd4_16(const analysis_scale_t *as, size_t managers, double bound)
{
    size_t largest = 0;
    for (size_t m = 0; m < managers; m++)
        if (as->managers[m].n > largest)
            largest = as->managers[m].n;
    return (double)largest * bound * bound <= (double)UINT16_MAX;
}

/* The leaders' row each team adds to (the deepest leader at or above its
 * manager; SIZE_MAX for none: the company only). */
static bool team_rows(const dataset_t *ds, const leaders_t *l, size_t *row_of_team)
{
    const org_t *org = dataset_org(ds);
    size_t M = dataset_n_managers(ds), V = org ? org_size(org) : 0;
    size_t *row_of_node = heatmap_calloc(V, sizeof *row_of_node);
    if (!row_of_node)
        return false;
    for (size_t v = 0; v < V; v++)
        row_of_node[v] = SIZE_MAX;
    for (size_t r = 1; l && r < l->n_rows; r++)
        row_of_node[l->node[r]] = r;
    leaders_manager_nodes(ds, row_of_team);
    for (size_t m = 0; m < M; m++) {
        size_t v = row_of_team[m], r = SIZE_MAX;
        if (v != ORG_NONE) {
            r = row_of_node[v];
            size_t up = org_parent(org, v);
            if (r == SIZE_MAX && up != ORG_NONE)
                r = row_of_node[up];   /* a parent leads someone: a leader */
        }
        row_of_team[m] = r;
    }
    free(row_of_node);
    return true;
}

/* Group g's sums of k items at a level, wide, into out[0..k-1]. */
static void group_sums(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, heatmap_sums_t *out)
{
    size_t k = hs->n_items;
    if (level != HEATMAP_MANAGER || !hs->teams) {
        memcpy(out, hs->sums[level] + g * k, k * sizeof *out);
        return;
    }
    for (size_t i = 0; i < k; i++) {
        const heatmap_team_t *a = &hs->teams[g * k + i];
        out[i] = (heatmap_sums_t){ a->n, a->favourable, a->twice_sum / 2.0 };
    }
}

/* One scale's sums; team is k sums of workspace, cols a block's and
 * code_of the codes' parts (team_sums_narrow_codes). */
static bool heatmap_scale(const dataset_t *ds, const units_t *units, const leaders_t *l, const size_t *row_of_team,
                          double *cols, narrow_code_t *code_of, heatmap_sums_t *team, const analysis_scale_t *as,
                          heatmap_scale_t *hs)
{
    const dataset_scale_t *sc = as->scale;
    size_t k = sc->n_items, M = dataset_n_managers(ds);
    size_t U = units ? units->n_units : 0, R = l && l->n_rows > 1 ? l->n_rows : 1;
    hs->scale = sc;
    hs->n_items = k;
    hs->n_groups[HEATMAP_COMPANY] = 1;
    hs->n_groups[HEATMAP_UNIT] = U;
    hs->n_groups[HEATMAP_LEADER] = R - 1;
    hs->n_groups[HEATMAP_MANAGER] = M;
    for (int level = 0; level < HEATMAP_MANAGER; level++)
        if (!(hs->sums[level] = heatmap_calloc(hs->n_groups[level] * k, sizeof *hs->sums[level])))
            return false;
    double bound;
    size_t cap = narrow_cap(as, M, &bound);
    if (cap > 0) {
        hs->teams = heatmap_calloc(M * k, sizeof *hs->teams);
        if (narrow_dd4_16(as, M, bound))
            hs->team_dd4_16 = heatmap_calloc(M * k, sizeof *hs->team_dd4_16);
        else
            hs->team_dd4 = heatmap_calloc(M * k, sizeof *hs->team_dd4);
        if (!hs->teams || !(hs->team_dd4 || hs->team_dd4_16))
            return false;
        bool coded, narrow = team_sums_narrow_codes(ds, sc, bound, cap, code_of, hs->teams, hs->team_dd4,
                                                    hs->team_dd4_16, &coded);
        if (!coded)   /* a column of doubles: the answers read as numbers */
            narrow = team_sums_narrow(ds, sc, cols, bound, cap, hs->teams, hs->team_dd4, hs->team_dd4_16);
        if (!narrow) {
            free(hs->teams);
            free(hs->team_dd4);
            free(hs->team_dd4_16);
            hs->teams = NULL;
            hs->team_dd4 = NULL;
            hs->team_dd4_16 = NULL;
        }
    }
    if (!hs->teams) {
        hs->sums[HEATMAP_MANAGER] = heatmap_calloc(M * k, sizeof *hs->sums[HEATMAP_MANAGER]);
        hs->manager_ss = heatmap_calloc(M * k, sizeof *hs->manager_ss);
        if (!hs->sums[HEATMAP_MANAGER] || !hs->manager_ss)
            return false;
        team_sums(ds, sc, cols, hs->sums[HEATMAP_MANAGER], hs->manager_ss);
        for (size_t c = 0; c < M * k; c++) {
            const heatmap_sums_t *a = &hs->sums[HEATMAP_MANAGER][c];
            double *ss = &hs->manager_ss[c];
            *ss = a->n == 0 ? NAN : a->n == 1 ? 0.0 : *ss - a->sum * a->sum / (double)a->n;
            if (*ss < 0.0)
                *ss = 0.0;
        }
    }
    heatmap_sums_t *company = hs->sums[HEATMAP_COMPANY], *unit = hs->sums[HEATMAP_UNIT];
    heatmap_sums_t *org = hs->sums[HEATMAP_LEADER];
    for (size_t m = 0; m < M; m++) {
        group_sums(hs, HEATMAP_MANAGER, m, team);
        sums_add(company, team, k);
        if (U)
            sums_add(unit + units->unit_of[m] * k, team, k);
        if (row_of_team[m] != SIZE_MAX)
            sums_add(org + (row_of_team[m] - 1) * k, team, k);
    }
    /* each org into its parent's, deepest first (rows in pre-order) */
    for (size_t r = R; r-- > 1;)
        if (l->parent_row[r] >= 1)
            sums_add(org + (l->parent_row[r] - 1) * k, org + (r - 1) * k, k);
    return true;
}

engage_status_t heatmap_run(const dataset_t *ds, const results_t *results, const units_t *units,
                            const leaders_t *leaders, heatmap_t **out, engage_error_t *err)
{
    *out = NULL;
    size_t S = results->n_scales, M = dataset_n_managers(ds), max_items = 1;
    for (size_t s = 0; s < S; s++)
        if (results->scales[s].scale->n_items > max_items)
            max_items = results->scales[s].scale->n_items;
    if (dataset_n_respondents(ds) > UINT32_MAX)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "more than %lu respondents to summarise every item of",
                           (unsigned long)UINT32_MAX);
    heatmap_t *h = heatmap_calloc(1, sizeof *h);
    size_t *row_of_team = heatmap_calloc(M, sizeof *row_of_team);
    double *cols = max_items > SIZE_MAX / HEATMAP_READ_ROWS
                       ? NULL
                       : heatmap_calloc(max_items * HEATMAP_READ_ROWS, sizeof *cols);
    heatmap_sums_t *team = heatmap_calloc(max_items, sizeof *team);
    narrow_code_t *code_of = heatmap_calloc(HEATMAP_CODED_ITEMS * 256, sizeof *code_of);
    bool ok = h && row_of_team && cols && team && code_of && (h->scales = heatmap_calloc(S, sizeof *h->scales)) &&
              team_rows(ds, leaders, row_of_team);
    if (units && units->n_managers != M)
        units = NULL;
    for (size_t s = 0; ok && s < S; s++) {
        h->n_scales = s + 1;
        ok = heatmap_scale(ds, units, leaders, row_of_team, cols, code_of, team, &results->scales[s],
                           &h->scales[s]);
    }
    free(code_of);
    free(team);
    free(row_of_team);
    free(cols);
    if (!ok) {
        heatmap_free(h);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0,
                           "out of memory while summarising every item of %zu managers", M);
    }
    *out = h;
    return ENGAGE_OK;
}

/* Group g's sums of item i, wide. */
static heatmap_sums_t cell_sums(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i)
{
    size_t c = g * hs->n_items + i;
    if (level == HEATMAP_MANAGER && hs->teams)
        return (heatmap_sums_t){ hs->teams[c].n, hs->teams[c].favourable, hs->teams[c].twice_sum / 2.0 };
    return hs->sums[level][c];
}

size_t heatmap_n(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i)
{
    return cell_sums(hs, level, g, i).n;
}

/* The mean of a group's sums. */
static double sums_mean(const dataset_scale_t *sc, const heatmap_sums_t *a)
{
    const double middle = (sc->min + sc->max) / 2.0;
    return a->n > 0 ? heatmap_finite(middle + a->sum / (double)a->n) : NAN;
}

double heatmap_mean(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i)
{
    heatmap_sums_t a = cell_sums(hs, level, g, i);
    return sums_mean(hs->scale, &a);
}

double heatmap_within(const heatmap_scale_t *hs, size_t m, size_t i)
{
    size_t c = m * hs->n_items + i;
    if (!hs->teams)
        return hs->manager_ss[c];
    const heatmap_team_t *a = &hs->teams[c];
    double sum = a->twice_sum / 2.0, dd = (hs->team_dd4_16 ? hs->team_dd4_16[c] : hs->team_dd4[c]) / 4.0;
    double ss = a->n == 0 ? NAN : a->n == 1 ? 0.0 : dd - sum * sum / (double)a->n;
    return ss < 0.0 ? 0.0 : ss;
}

/* The favourable share of one group's sums (analysis_shares). */
static double favourable_share(const dataset_scale_t *sc, const heatmap_sums_t *a)
{
    double favourable, neutral, unfavourable;
    analysis_shares(sc, a->n, a->favourable, 0, &favourable, &neutral, &unfavourable);
    return favourable;
}

heatmap_cell_t heatmap_figures(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i)
{
    heatmap_sums_t a = cell_sums(hs, level, g, i);
    double favourable = favourable_share(hs->scale, &a);
    double company = favourable_share(hs->scale, &hs->sums[HEATMAP_COMPANY][i]);
    return (heatmap_cell_t){ .n = a.n,
                             .mean = sums_mean(hs->scale, &a),
                             .favourable_pct = favourable,
                             .delta_favourable = heatmap_finite(favourable - company) };
}

const heatmap_cell_t *heatmap_cell(const heatmap_scale_t *hs, heatmap_level_t level, size_t g, size_t i)
{
    static _Thread_local heatmap_cell_t slot[HEATMAP_CELL_SLOTS];
    static _Thread_local unsigned next;
    heatmap_cell_t *c = &slot[next++ % HEATMAP_CELL_SLOTS];
    *c = heatmap_figures(hs, level, g, i);
    return c;
}

void heatmap_drop_within(heatmap_t *heatmap, size_t s)
{
    free(heatmap->scales[s].manager_ss);
    free(heatmap->scales[s].team_dd4);
    free(heatmap->scales[s].team_dd4_16);
    heatmap->scales[s].manager_ss = NULL;
    heatmap->scales[s].team_dd4 = NULL;
    heatmap->scales[s].team_dd4_16 = NULL;
}

void heatmap_free(heatmap_t *heatmap)
{
    if (!heatmap)
        return;
    for (size_t s = 0; s < heatmap->n_scales; s++) {
        for (int level = 0; level < HEATMAP_LEVELS; level++)
            free(heatmap->scales[s].sums[level]);
        free(heatmap->scales[s].teams);
        free(heatmap->scales[s].team_dd4);
        free(heatmap->scales[s].team_dd4_16);
        free(heatmap->scales[s].manager_ss);
    }
    free(heatmap->scales);
    free(heatmap);
}
