/*
 * report/privacy.c — primary and secondary suppression of small groups.
 *
 * One sort of the managers by (n, index) (a counting sort while the sizes
 * are small beside the managers) serves the whole secondary pass:
 * the next group to hide is always the next shown one in that order, so the
 * pass is a single forward walk.  O(J log J) for J managers.  Change rows
 * (two waves) use the same walk for each wave in turn.  Across levels
 * (privacy_levels) one more sort by (n, index) serves every round: each
 * part of the scale meets its own managers smallest first in one walk.
 * Owns: the per-scale reason arrays of a privacy_t (managers, units).
 */
#include "privacy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t privacy_smallest_group(long min_group)
{
    return min_group < 1 ? 1 : (size_t)min_group;
}

long privacy_min_group(const config_t *cfg)
{
    return cfg ? cfg->min_group : PRIVACY_DEFAULT_MIN_GROUP;
}

privacy_reason_t privacy_hidden_reason(size_t n, long min_group)
{
    return n < privacy_smallest_group(min_group) ? PRIVACY_PRIMARY : PRIVACY_SECONDARY;
}

bool privacy_wave_units(const units_t *u, const analysis_scale_t *sc, size_t s, const unsigned char *managers,
                        long min_group, unsigned char *reason)
{
    size_t k = privacy_smallest_group(min_group), U = u->n_units;
    size_t *uncovered = calloc(U ? U : 1, sizeof *uncovered);
    if (!uncovered)
        return false;
    for (size_t g = 0; g < U; g++)
        uncovered[g] = u->scales[s].units[g].n;
    for (size_t j = 0; j < sc->n_managers && j < u->n_managers; j++)
        if (managers[j] == PRIVACY_SHOWN)
            uncovered[u->unit_of[j]] -= sc->managers[j].n;
    size_t remainder = 0;
    for (size_t g = 0; g < U; g++) {
        size_t n = u->scales[s].units[g].n;
        reason[g] = n < k ? PRIVACY_PRIMARY : uncovered[g] > 0 && uncovered[g] < k ? PRIVACY_SECONDARY : PRIVACY_SHOWN;
        if (reason[g] != PRIVACY_SHOWN)
            remainder += uncovered[g];
    }
    while (remainder > 0 && remainder < k) {
        size_t best = SIZE_MAX;
        for (size_t g = 0; g < U; g++)
            if (reason[g] == PRIVACY_SHOWN && uncovered[g] > 0 && (best == SIZE_MAX || uncovered[g] < uncovered[best]))
                best = g;
        if (best == SIZE_MAX)
            break;   /* cannot happen: then the remainder is the wave's hidden respondents */
        reason[best] = PRIVACY_SECONDARY;
        remainder += uncovered[best];
    }
    free(uncovered);
    return true;
}

typedef struct {
    size_t n;
    size_t index;
} privacy_key_t;

static int compare_keys(const void *a, const void *b)
{
    const privacy_key_t *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    if (x->index != y->index)
        return x->index < y->index ? -1 : 1;
    return 0;
}

/* Counting sort pays while the largest n is at most this many times the
 * keys (plus a constant); past it, qsort. */
enum { PRIVACY_COUNTING_FACTOR = 4, PRIVACY_COUNTING_MIN = 4096 };

/* Sort m keys, given in increasing index order, by (n, index): a stable
 * counting sort on n when the sizes are small beside m (the heatmap sorts
 * every item's teams), else qsort; the same order either way. */
static void sort_keys(privacy_key_t *keys, size_t m)
{
    size_t max_n = 0;
    for (size_t i = 0; i < m; i++)
        if (keys[i].n > max_n)
            max_n = keys[i].n;
    size_t *start = NULL;
    if (max_n <= PRIVACY_COUNTING_MIN || (max_n - PRIVACY_COUNTING_MIN) / PRIVACY_COUNTING_FACTOR <= m)
        start = calloc(max_n + 2, sizeof *start);
    privacy_key_t *sorted = start ? malloc((m ? m : 1) * sizeof *sorted) : NULL;
    if (!sorted) {
        free(start);
        qsort(keys, m, sizeof *keys, compare_keys);
        return;
    }
    for (size_t i = 0; i < m; i++)
        start[keys[i].n + 1]++;
    for (size_t v = 0; v <= max_n; v++)
        start[v + 1] += start[v];
    for (size_t i = 0; i < m; i++)
        sorted[start[keys[i].n]++] = keys[i];
    memcpy(keys, sorted, m * sizeof *keys);
    free(sorted);
    free(start);
}

/* The secondary rule for one count: while 0 < *hidden < k, hide the shown
 * group smallest by n (ties: lowest index) and add its n to *hidden.
 * *added counts the groups hidden.  False when out of memory. */
static bool hide_smallest(const size_t *n, size_t count, size_t k, unsigned char *reason,
                          size_t *hidden, size_t *added)
{
    *added = 0;
    if (*hidden == 0 || *hidden >= k)
        return true;
    privacy_key_t *order = malloc((count ? count : 1) * sizeof *order);
    if (!order)
        return false;
    size_t m = 0;
    for (size_t j = 0; j < count; j++)
        if (reason[j] == PRIVACY_SHOWN)
            order[m++] = (privacy_key_t){ n[j], j };
    sort_keys(order, m);
    for (size_t i = 0; i < m && *hidden > 0 && *hidden < k; i++) {
        reason[order[i].index] = PRIVACY_SECONDARY;
        (*added)++;
        *hidden += order[i].n;
    }
    free(order);
    return true;
}

engage_status_t privacy_suppress(const size_t *n, size_t count, long min_group,
                                 unsigned char *reason, privacy_summary_t *summary,
                                 engage_error_t *err)
{
    size_t k = privacy_smallest_group(min_group);
    privacy_summary_t s = { 0 };

    for (size_t j = 0; j < count; j++) {
        s.respondents += n[j];
        if (n[j] < k) {
            reason[j] = PRIVACY_PRIMARY;
            s.n_primary++;
            s.hidden += n[j];
            if (n[j] == 0)
                s.n_empty++;
        } else {
            reason[j] = PRIVACY_SHOWN;
        }
    }

    if (!hide_smallest(n, count, k, reason, &s.hidden, &s.n_secondary))
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");

    s.n_shown = count - s.n_primary - s.n_secondary;
    s.scale_suppressed = s.respondents < k;
    if (summary)
        *summary = s;
    return ENGAGE_OK;
}

/* Respondents of one wave in the hidden rows. */
static size_t hidden_in(const size_t *n, const unsigned char *reason, size_t count)
{
    size_t h = 0;
    for (size_t i = 0; i < count; i++)
        if (reason[i] != PRIVACY_SHOWN)
            h += n[i];
    return h;
}

/* The secondary rule in each wave of the change rows, from the reasons
 * given.  Hiding a row for one wave hides its respondents of the other wave
 * too, so the two waves take turns until neither needs another row.
 * *added counts the rows hidden.  False when out of memory. */
static bool changes_settle(const size_t *n_previous, const size_t *n, size_t count, size_t k,
                           unsigned char *reason, size_t *added)
{
    *added = 0;
    for (;;) {
        size_t added_previous, added_now;
        size_t hidden_previous = hidden_in(n_previous, reason, count);
        if (!hide_smallest(n_previous, count, k, reason, &hidden_previous, &added_previous))
            return false;
        size_t hidden = hidden_in(n, reason, count);
        if (!hide_smallest(n, count, k, reason, &hidden, &added_now))
            return false;
        *added += added_previous + added_now;
        if (added_now == 0)
            return true; /* the previous wave settled in this round and nothing changed since */
    }
}

engage_status_t privacy_suppress_changes(const size_t *n_previous, const size_t *n, size_t count,
                                         long min_group, unsigned char *reason,
                                         privacy_change_summary_t *summary, engage_error_t *err)
{
    size_t k = privacy_smallest_group(min_group);
    privacy_change_summary_t s = { 0 };
    size_t total_previous = 0, total = 0;
    /* The previous wave's own report hid some of its teams (and published
     * the rest and its totals): a change row showing such a team's
     * previous mean would undo that, so those rows start hidden too. */
    unsigned char *earlier = malloc(count ? count : 1);
    privacy_summary_t earlier_summary;
    if (!earlier || privacy_suppress(n_previous, count, min_group, earlier, &earlier_summary, err) != ENGAGE_OK) {
        free(earlier);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    for (size_t i = 0; i < count; i++) {
        total_previous += n_previous[i];
        total += n[i];
        bool small = n_previous[i] < k || n[i] < k || earlier[i] != PRIVACY_SHOWN;
        reason[i] = small ? PRIVACY_PRIMARY : PRIVACY_SHOWN;
        s.n_primary += small;
    }
    free(earlier);
    if (!changes_settle(n_previous, n, count, k, reason, &s.n_secondary))
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    s.hidden_previous = hidden_in(n_previous, reason, count);
    s.hidden = hidden_in(n, reason, count);
    s.n_shown = count - s.n_primary - s.n_secondary;
    s.scale_suppressed = total_previous < k || total < k;
    if (summary)
        *summary = s;
    return ENGAGE_OK;
}

/* Benjamini-Hochberg q-values over the change rows pc shows (NAN for the
 * others); false when out of memory. */
static bool change_q_values(const changes_scale_t *cs, privacy_change_scale_t *pc)
{
    size_t rows = cs->n_rows, r1 = rows ? rows : 1;
    double *p = malloc(r1 * sizeof *p);
    bool *include = malloc(r1 * sizeof *include);
    bool ok = p && include;
    if (ok) {
        for (size_t i = 0; i < rows; i++) {
            p[i] = cs->rows[i].welch.p_value;
            include[i] = pc->reason[i] == PRIVACY_SHOWN;
        }
        ok = changes_bh(p, include, rows, pc->q);
    }
    free(p);
    free(include);
    return ok;
}

engage_status_t privacy_add_changes(privacy_t *privacy, const changes_t *changes, long min_group,
                                    engage_error_t *err)
{
    privacy->changes = calloc(changes->n_scales ? changes->n_scales : 1,
                              sizeof *privacy->changes);
    if (!privacy->changes)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    privacy->n_change_scales = changes->n_scales;
    engage_status_t st = ENGAGE_OK;
    for (size_t s = 0; s < changes->n_scales && st == ENGAGE_OK; s++) {
        const changes_scale_t *cs = &changes->scales[s];
        privacy_change_scale_t *pc = &privacy->changes[s];
        size_t count = cs->n_rows, c1 = count ? count : 1;
        size_t *n_previous = malloc(c1 * sizeof *n_previous), *n = malloc(c1 * sizeof *n);
        pc->reason = malloc(c1);
        pc->q = malloc(c1 * sizeof *pc->q);
        if (!n_previous || !n || !pc->reason || !pc->q) {
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        } else {
            for (size_t i = 0; i < count; i++) {
                n_previous[i] = cs->rows[i].previous.n;
                n[i] = cs->rows[i].current.n;
            }
            st = privacy_suppress_changes(n_previous, n, count, min_group, pc->reason,
                                          &pc->summary, err);
            if (st == ENGAGE_OK && !change_q_values(cs, pc))
                st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
        free(n_previous);
        free(n);
    }
    return st;
}

bool privacy_change_hidden(const privacy_t *privacy, size_t s, size_t i)
{
    return privacy->changes[s].reason[i] != PRIVACY_SHOWN;
}

/* --- across levels ------------------------------------------------------ */

/* Manager j's change row shows its figures (with a previous wave). */
static bool levels_row_shown(const privacy_levels_t *lv, size_t j)
{
    return lv->n_rows > 0 && lv->row_of[j] < lv->n_rows &&
           lv->row_reason[lv->row_of[j]] == PRIVACY_SHOWN;
}

/* Manager j's figures appear in no table. */
static bool levels_unpublished(const privacy_levels_t *lv, size_t j)
{
    return lv->reason[j] != PRIVACY_SHOWN && !levels_row_shown(lv, j);
}

/* The part of the scale manager j belongs to: its unit while that is
 * shown, else the company part (index n_units). */
static size_t levels_part(const privacy_levels_t *lv, size_t j)
{
    if (lv->n_units == 0)
        return 0;
    size_t u = lv->unit_of[j];
    return lv->unit_reason[u] == PRIVACY_SHOWN ? u : lv->n_units;
}

engage_status_t privacy_levels(privacy_levels_t *lv, long min_group, size_t *rounds,
                               engage_error_t *err)
{
    size_t k = privacy_smallest_group(min_group);
    size_t M = lv->n_managers, U = lv->n_units, parts = U + 1;
    size_t *unit_n = calloc(U ? U : 1, sizeof *unit_n);
    size_t *unpublished = calloc(parts, sizeof *unpublished);
    privacy_key_t *order = malloc((M ? M : 1) * sizeof *order);
    if (!unit_n || !unpublished || !order) {
        free(unit_n);
        free(unpublished);
        free(order);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    for (size_t j = 0; j < M; j++) {
        order[j] = (privacy_key_t){ lv->n[j], j };
        if (U)
            unit_n[lv->unit_of[j]] += lv->n[j];
    }
    sort_keys(order, M);

    /* (a) units: primary, then secondary among them */
    bool ok = true;
    if (U) {
        size_t hidden = 0, added;
        for (size_t u = 0; u < U; u++) {
            lv->unit_reason[u] = unit_n[u] < k ? PRIVACY_PRIMARY : PRIVACY_SHOWN;
            if (unit_n[u] < k)
                hidden += unit_n[u];
        }
        ok = hide_smallest(unit_n, U, k, lv->unit_reason, &hidden, &added);
    }

    size_t round = 0;
    while (ok) {
        round++;
        bool changed = false;
        size_t added;
        /* (c) the change rows' own rule, after (d) may have hidden a row */
        if (lv->n_rows > 0) {
            ok = changes_settle(lv->row_n_previous, lv->row_n, lv->n_rows, k, lv->row_reason,
                                &added);
            changed |= added > 0;
        }
        /* (a) again, after (d) may have hidden a unit */
        if (ok && U) {
            size_t hidden = hidden_in(unit_n, lv->unit_reason, U);
            ok = hide_smallest(unit_n, U, k, lv->unit_reason, &hidden, &added);
            changed |= added > 0;
        }
        if (!ok)
            break;

        memset(unpublished, 0, parts * sizeof *unpublished);
        for (size_t j = 0; j < M; j++)
            if (levels_unpublished(lv, j))
                unpublished[levels_part(lv, j)] += lv->n[j];
        /* (b) one walk in (n, index) order serves every part: each part
         * meets its own managers smallest first */
        for (size_t i = 0; i < M; i++) {
            size_t j = order[i].index, p = levels_part(lv, j);
            if (unpublished[p] == 0 || unpublished[p] >= k)
                continue;
            if (lv->reason[j] == PRIVACY_SHOWN && !levels_row_shown(lv, j)) {
                lv->reason[j] = PRIVACY_SECONDARY;
                unpublished[p] += lv->n[j];
            }
        }
        /* (d) parts that (b) could not settle */
        for (size_t u = 0; u < U; u++)
            if (lv->unit_reason[u] == PRIVACY_SHOWN && unpublished[u] > 0 && unpublished[u] < k) {
                lv->unit_reason[u] = PRIVACY_SECONDARY;
                changed = true;
            }
        size_t company = U ? U : 0;
        for (size_t i = 0; i < M && unpublished[company] > 0 && unpublished[company] < k; i++) {
            size_t j = order[i].index;
            if (lv->n[j] == 0 || levels_unpublished(lv, j) || levels_part(lv, j) != company)
                continue;
            if (lv->reason[j] == PRIVACY_SHOWN)
                lv->reason[j] = PRIVACY_SECONDARY;
            if (levels_row_shown(lv, j))
                lv->row_reason[lv->row_of[j]] = PRIVACY_SECONDARY;
            unpublished[company] += lv->n[j];
            changed = true;
        }
        if (!changed)
            break;
    }
    free(unit_n);
    free(unpublished);
    free(order);
    if (!ok)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    if (rounds)
        *rounds = round;
    return ENGAGE_OK;
}

/* A summary of a decision over groups of sizes n. */
static privacy_summary_t levels_summary(const size_t *n, const unsigned char *reason, size_t count,
                                        size_t k)
{
    privacy_summary_t s = { 0 };
    for (size_t j = 0; j < count; j++) {
        s.respondents += n[j];
        if (reason[j] == PRIVACY_SHOWN) {
            s.n_shown++;
            continue;
        }
        s.hidden += n[j];
        if (reason[j] == PRIVACY_PRIMARY) {
            s.n_primary++;
            s.n_empty += n[j] == 0;
        } else {
            s.n_secondary++;
        }
    }
    s.scale_suppressed = s.respondents < k;
    return s;
}

/* Each current manager's change row: both are in manager_id byte order. */
static void levels_match_rows(const dataset_t *ds, const changes_scale_t *cs, size_t *row_of,
                              size_t count)
{
    size_t i = 0;
    for (size_t j = 0; j < count; j++) {
        const char *id = dataset_manager_id(ds, j);
        while (i < cs->n_rows && strcmp(cs->rows[i].manager_id, id) < 0)
            i++;
        row_of[j] = i < cs->n_rows && strcmp(cs->rows[i].manager_id, id) == 0 ? i : SIZE_MAX;
    }
}

engage_status_t privacy_add_levels(privacy_t *privacy, const dataset_t *ds, const results_t *results,
                                   const units_t *units, const changes_t *changes, long min_group,
                                   engage_error_t *err)
{
    if (!units && !changes)
        return ENGAGE_OK;
    size_t k = privacy_smallest_group(min_group);
    engage_status_t st = ENGAGE_OK;
    for (size_t s = 0; s < results->n_scales && s < privacy->n_scales && st == ENGAGE_OK; s++) {
        const analysis_scale_t *sc = &results->scales[s];
        privacy_scale_t *ps = &privacy->scales[s];
        size_t M = sc->n_managers, c1 = M ? M : 1;
        bool with_units = units && s < units->n_scales && units->n_managers == M;
        bool with_rows = changes && s < changes->n_scales && s < privacy->n_change_scales;
        const changes_scale_t *cs = with_rows ? &changes->scales[s] : NULL;
        size_t rows = with_rows ? cs->n_rows : 0, r1 = rows ? rows : 1;
        size_t *n = malloc(c1 * sizeof *n), *row_of = malloc(c1 * sizeof *row_of);
        size_t *row_n_previous = malloc(r1 * sizeof *row_n_previous);
        size_t *row_n = malloc(r1 * sizeof *row_n);
        if (with_units)
            ps->unit_reason = malloc(units->n_units ? units->n_units : 1);
        if (!n || !row_of || !row_n_previous || !row_n || (with_units && !ps->unit_reason)) {
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        } else {
            for (size_t j = 0; j < M; j++)
                n[j] = sc->managers[j].n;
            for (size_t i = 0; i < rows; i++) {
                row_n_previous[i] = cs->rows[i].previous.n;
                row_n[i] = cs->rows[i].current.n;
            }
            if (with_rows)
                levels_match_rows(ds, cs, row_of, M);
            privacy_levels_t lv = {
                .n_managers = M, .n = n, .reason = ps->reason,
                .n_units = with_units ? units->n_units : 0,
                .unit_of = with_units ? units->unit_of : NULL, .unit_reason = ps->unit_reason,
                .n_rows = rows, .row_n_previous = row_n_previous, .row_n = row_n,
                .row_reason = with_rows ? privacy->changes[s].reason : NULL, .row_of = row_of,
            };
            st = privacy_levels(&lv, min_group, NULL, err);
            if (st == ENGAGE_OK) {
                privacy_summary_t before = ps->summary;
                ps->summary = levels_summary(n, ps->reason, M, k);
                ps->summary.n_primary = before.n_primary;
                ps->summary.n_empty = before.n_empty;
                ps->summary.n_secondary = M - before.n_primary - ps->summary.n_shown;
                if (with_units) {
                    const units_scale_t *us = &units->scales[s];
                    size_t *unit_n = malloc((units->n_units ? units->n_units : 1) * sizeof *unit_n);
                    if (!unit_n) {
                        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
                    } else {
                        for (size_t u = 0; u < units->n_units; u++)
                            unit_n[u] = us->units[u].n;
                        ps->unit_summary = levels_summary(unit_n, ps->unit_reason, units->n_units, k);
                        free(unit_n);
                    }
                }
            }
            if (st == ENGAGE_OK && with_rows) {
                privacy_change_scale_t *pc = &privacy->changes[s];
                if (!change_q_values(cs, pc))
                    st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
                size_t shown = 0;
                for (size_t i = 0; i < rows; i++)
                    shown += pc->reason[i] == PRIVACY_SHOWN;
                pc->summary.n_shown = shown;
                pc->summary.n_secondary = rows - pc->summary.n_primary - shown;
                pc->summary.hidden_previous = hidden_in(row_n_previous, pc->reason, rows);
                pc->summary.hidden = hidden_in(row_n, pc->reason, rows);
            }
        }
        free(n);
        free(row_of);
        free(row_n_previous);
        free(row_n);
    }
    return st;
}

engage_status_t privacy_recount(privacy_t *privacy, size_t s, const analysis_scale_t *sc,
                                const changes_scale_t *cs, const units_t *units, long min_group,
                                engage_error_t *err)
{
    size_t k = privacy_smallest_group(min_group), M = sc->n_managers;
    privacy_scale_t *ps = &privacy->scales[s];
    size_t *n = malloc((M ? M : 1) * sizeof *n);
    if (!n)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    for (size_t j = 0; j < M; j++)
        n[j] = sc->managers[j].n;
    privacy_summary_t before = ps->summary;
    ps->summary = levels_summary(n, ps->reason, M, k);
    ps->summary.n_primary = before.n_primary;
    ps->summary.n_empty = before.n_empty;
    ps->summary.n_secondary = M - before.n_primary - ps->summary.n_shown;
    free(n);
    if (units && s < units->n_scales && ps->unit_reason) {
        const units_scale_t *us = &units->scales[s];
        size_t U = units->n_units, *unit_n = malloc((U ? U : 1) * sizeof *unit_n);
        if (!unit_n)
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        for (size_t u = 0; u < U; u++)
            unit_n[u] = us->units[u].n;
        ps->unit_summary = levels_summary(unit_n, ps->unit_reason, U, k);
        free(unit_n);
    }
    if (!cs || s >= privacy->n_change_scales)
        return ENGAGE_OK;
    privacy_change_scale_t *pc = &privacy->changes[s];
    size_t rows = cs->n_rows, r1 = rows ? rows : 1;
    size_t *row_n_previous = malloc(r1 * sizeof *row_n_previous), *row_n = malloc(r1 * sizeof *row_n);
    bool ok = row_n_previous && row_n && change_q_values(cs, pc);
    if (ok) {
        size_t shown = 0;
        for (size_t i = 0; i < rows; i++) {
            row_n_previous[i] = cs->rows[i].previous.n;
            row_n[i] = cs->rows[i].current.n;
            shown += pc->reason[i] == PRIVACY_SHOWN;
        }
        pc->summary.n_shown = shown;
        pc->summary.n_secondary = rows - pc->summary.n_primary - shown;
        pc->summary.hidden_previous = hidden_in(row_n_previous, pc->reason, rows);
        pc->summary.hidden = hidden_in(row_n, pc->reason, rows);
    }
    free(row_n_previous);
    free(row_n);
    return ok ? ENGAGE_OK : engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
}

bool privacy_unit_hidden(const privacy_t *privacy, size_t s, size_t u)
{
    return !privacy->scales[s].unit_reason || privacy->scales[s].unit_reason[u] != PRIVACY_SHOWN;
}

engage_status_t privacy_new(const results_t *results, long min_group, privacy_t **out,
                            engage_error_t *err)
{
    *out = NULL;
    privacy_t *p = calloc(1, sizeof *p);
    if (!p)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    p->n_scales = results->n_scales;
    p->scales = calloc(p->n_scales ? p->n_scales : 1, sizeof *p->scales);
    if (!p->scales) {
        free(p);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    size_t *n = NULL;
    engage_status_t st = ENGAGE_OK;
    for (size_t s = 0; s < results->n_scales && st == ENGAGE_OK; s++) {
        const analysis_scale_t *sc = &results->scales[s];
        size_t count = sc->n_managers;
        size_t *grown = realloc(n, (count ? count : 1) * sizeof *n);
        p->scales[s].reason = malloc(count ? count : 1);
        if (!grown || !p->scales[s].reason) {
            if (grown)
                n = grown;
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            break;
        }
        n = grown;
        for (size_t j = 0; j < count; j++)
            n[j] = sc->managers[j].n;
        st = privacy_suppress(n, count, min_group, p->scales[s].reason,
                              &p->scales[s].summary, err);
    }
    free(n);
    if (st != ENGAGE_OK) {
        privacy_free(p);
        return st;
    }
    *out = p;
    return ENGAGE_OK;
}

void privacy_free(privacy_t *privacy)
{
    if (!privacy)
        return;
    for (size_t s = 0; s < privacy->n_scales; s++) {
        free(privacy->scales[s].reason);
        free(privacy->scales[s].unit_reason);
    }
    free(privacy->scales);
    for (size_t s = 0; s < privacy->n_change_scales; s++) {
        free(privacy->changes[s].reason);
        free(privacy->changes[s].q);
    }
    free(privacy->changes);
    free(privacy);
}

bool privacy_hidden(const privacy_t *privacy, size_t s, size_t m)
{
    return privacy->scales[s].reason[m] != PRIVACY_SHOWN;
}

/* --- across the reporting tree ------------------------------------------
 *
 * privacy_tree() (privacy.h).  A node's "uncovered" part is what of its org
 * no shown group inside it covers: its team when hidden, plus each child's
 * uncovered part when the child's org is hidden.  A shown org's uncovered
 * part is its cell.  Sizes are capped at k (every size from k on behaves
 * alike), so a cost vector has k + 1 entries:
 * A cost is (groups hidden as secondary, respondents in them), compared in
 * that order and held as one number, groups · (all respondents + 1) +
 * respondents.
 *   g_v[s]  the least cost in v's subtree, v's org aside, for
 *           v's uncovered part to be s (its team and its children merged in
 *           node order: prefix vectors P_0 (the team) .. P_m = g_v, kept for
 *           the way back down);
 *   h_v[s]  the same with v's org decided, s being what v leaves uncovered
 *           to its parent: s = 0 with the org shown (its cell g_v[0] or
 *           g_v[k]), or the org hidden (one more group when it could show).
 * Bottom-up in reverse breadth-first order, then top-down to read the
 * choice back. */

#define TREE_INF UINT64_MAX

typedef struct {
    size_t n, k, width;        /* nodes, min_group, k + 1 */
    size_t *first_child;       /* [n + 1] offsets into child */
    size_t *child;             /* children by parent, in node order */
    size_t *order;             /* breadth-first from the roots */
    size_t *vectors;           /* [node] index of its P_0 in cost */
    uint64_t *cost;            /* the prefix vectors, width entries each */
    uint64_t per_group;        /* a group's weight in a cost: more than all respondents */
    size_t *target;            /* [node] the state of g_v chosen on the way down */
} tree_work_t;

static uint64_t *tree_vector(const tree_work_t *w, size_t v, size_t i)
{
    return w->cost + (w->vectors[v] + i) * w->width;
}

static bool tree_org_may_show(const privacy_tree_t *t, size_t v)
{
    return t->org_reason[v] == PRIVACY_SHOWN;
}

/* h_c from g_c, into h. */
static void tree_h(const privacy_tree_t *t, const tree_work_t *w, size_t c, const size_t *org_n,
                   uint64_t *h)
{
    const uint64_t *g = tree_vector(w, c, w->first_child[c + 1] - w->first_child[c]);
    bool may_show = tree_org_may_show(t, c);
    for (size_t s = 0; s < w->width; s++)
        h[s] = g[s] == TREE_INF ? TREE_INF : g[s] + (may_show ? w->per_group + org_n[c] : 0);
    if (may_show) {
        uint64_t cell_ok = g[0] < g[w->k] ? g[0] : g[w->k];
        if (cell_ok < h[0])
            h[0] = cell_ok;
    }
}

/* Children lists and the breadth-first order; false when parent does not
 * make a forest. */
static bool tree_order(const privacy_tree_t *t, tree_work_t *w)
{
    size_t n = w->n;
    for (size_t v = 0; v < n; v++)
        if (t->parent[v] != SIZE_MAX) {
            if (t->parent[v] >= n)
                return false;
            w->first_child[t->parent[v] + 1]++;
        }
    for (size_t v = 0; v < n; v++)
        w->first_child[v + 1] += w->first_child[v];
    size_t *fill = w->target; /* borrowed as the fill positions */
    memcpy(fill, w->first_child, n * sizeof *fill);
    size_t reached = 0;
    for (size_t v = 0; v < n; v++) {
        if (t->parent[v] != SIZE_MAX)
            w->child[fill[t->parent[v]]++] = v;
        else
            w->order[reached++] = v;
    }
    for (size_t i = 0; i < reached; i++) {
        size_t v = w->order[i];
        for (size_t j = w->first_child[v]; j < w->first_child[v + 1]; j++)
            w->order[reached++] = w->child[j];
    }
    return reached == n; /* nodes on a loop are never reached from a root */
}

/* The way up: every org's size, the primary rule, every prefix vector. */
static void tree_up(privacy_tree_t *t, tree_work_t *w, size_t *org_n, uint64_t *h)
{
    size_t n = w->n, k = w->k, width = w->width;
    for (size_t i = n; i-- > 0;) {
        size_t v = w->order[i];
        org_n[v] = t->team_n[v];
        for (size_t j = w->first_child[v]; j < w->first_child[v + 1]; j++)
            org_n[v] += org_n[w->child[j]];
        if (t->team_reason[v] == PRIVACY_SHOWN && t->team_n[v] < k)
            t->team_reason[v] = PRIVACY_PRIMARY;
        if (t->org_hidden && t->org_hidden[v] != PRIVACY_SHOWN)
            t->org_reason[v] = t->org_hidden[v];
        else
            t->org_reason[v] = org_n[v] < k ? PRIVACY_PRIMARY : PRIVACY_SHOWN;

        uint64_t *p = tree_vector(w, v, 0);
        for (size_t s = 0; s < width; s++)
            p[s] = TREE_INF;
        size_t team = t->team_n[v] < k ? t->team_n[v] : k;
        if (t->team_reason[v] == PRIVACY_SHOWN) {
            p[0] = 0;
            if (!t->teams_fixed)
                p[team] = w->per_group + t->team_n[v];
        } else {
            p[team] = 0;
        }
        for (size_t j = w->first_child[v]; j < w->first_child[v + 1]; j++) {
            tree_h(t, w, w->child[j], org_n, h);
            const uint64_t *prev = p;
            p += width;
            for (size_t s = 0; s < width; s++)
                p[s] = TREE_INF;
            for (size_t a = 0; a < width; a++) {
                if (prev[a] == TREE_INF)
                    continue;
                for (size_t b = 0; b < width; b++) {
                    if (h[b] == TREE_INF)
                        continue;
                    size_t s = a + b < k ? a + b : k;
                    if (prev[a] + h[b] < p[s])
                        p[s] = prev[a] + h[b];
                }
            }
        }
    }
}

/* The way down: each node's chosen state, its org and team decided. */
static size_t tree_down(privacy_tree_t *t, tree_work_t *w, const size_t *org_n, uint64_t *h)
{
    size_t n = w->n, k = w->k, width = w->width, added = 0;
    for (size_t i = 0; i < n; i++) {
        size_t v = w->order[i];
        size_t m = w->first_child[v + 1] - w->first_child[v];
        if (t->parent[v] == SIZE_MAX) {
            /* a root: its org shows when it may; its cell must then be 0 or >= k */
            const uint64_t *g = tree_vector(w, v, m);
            size_t best = SIZE_MAX;
            for (size_t s = 0; s < width; s++) {
                bool allowed = !tree_org_may_show(t, v) || s == 0 || s == k;
                if (allowed && g[s] != TREE_INF && (best == SIZE_MAX || g[s] < g[best]))
                    best = s;
            }
            if (best == SIZE_MAX)
                return SIZE_MAX; /* teams_fixed with no way to meet the rule */
            w->target[v] = best;
        }
        size_t s = w->target[v];
        for (size_t j = m; j-- > 0;) {
            size_t c = w->child[w->first_child[v] + j];
            const uint64_t *prev = tree_vector(w, v, j), *cur = tree_vector(w, v, j + 1);
            tree_h(t, w, c, org_n, h);
            size_t pick_a = SIZE_MAX, pick_b = SIZE_MAX;
            for (size_t b = 0; b < width && pick_b == SIZE_MAX; b++) {
                if (h[b] == TREE_INF)
                    continue;
                for (size_t a = 0; a < width; a++) {
                    size_t sum = a + b < k ? a + b : k;
                    if (sum == s && prev[a] != TREE_INF && prev[a] + h[b] == cur[s]) {
                        pick_a = a;
                        pick_b = b;
                        break;
                    }
                }
            }
            /* the child: at b = 0 its org shows when it may (a hidden org
             * leaving 0 costs one more than its cell would) */
            const uint64_t *gc = tree_vector(w, c, w->first_child[c + 1] - w->first_child[c]);
            if (pick_b == 0 && tree_org_may_show(t, c)) {
                w->target[c] = gc[0] <= gc[k] ? 0 : k;
            } else {
                if (tree_org_may_show(t, c)) {
                    t->org_reason[c] = PRIVACY_SECONDARY;
                    added++;
                }
                w->target[c] = pick_b;
            }
            s = pick_a;
        }
        if (s != 0 && t->team_reason[v] == PRIVACY_SHOWN) {
            t->team_reason[v] = PRIVACY_SECONDARY;
            added++;
        }
    }
    return added;
}

engage_status_t privacy_tree(privacy_tree_t *t, long min_group, size_t *added,
                             engage_error_t *err)
{
    size_t n = t->n_nodes;
    tree_work_t w = { .n = n, .k = privacy_smallest_group(min_group) };
    /* sizes above the largest org behave alike: cap k there */
    size_t total = 0;
    for (size_t v = 0; v < n; v++)
        total += t->team_n[v];
    if (w.k > total + 1)
        w.k = total + 1;
    w.width = w.k + 1;
    /* costs count (groups, respondents in them) as groups · per_group +
     * respondents; at most 2n groups, each of at most total respondents */
    w.per_group = (uint64_t)total + 1;
    bool fits = total < UINT32_MAX && n < UINT32_MAX / 8;
    size_t n1 = n ? n : 1;
    w.first_child = calloc(n + 1, sizeof *w.first_child);
    w.child = malloc(n1 * sizeof *w.child);
    w.order = malloc(n1 * sizeof *w.order);
    w.vectors = malloc(n1 * sizeof *w.vectors);
    w.target = malloc(n1 * sizeof *w.target);
    size_t *org_n = t->org_n ? t->org_n : malloc(n1 * sizeof *org_n);
    uint64_t *h = malloc(w.width * sizeof *h);
    engage_status_t st = ENGAGE_OK;
    if (!fits || !w.first_child || !w.child || !w.order || !w.vectors || !w.target || !org_n || !h) {
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    } else if (!tree_order(t, &w)) {
        st = engage_fail(err, ENGAGE_EDATA, NULL, 0, "the reporting lines do not make a tree");
    } else {
        /* one vector per node and one per child: at most 2n */
        size_t count = 0;
        for (size_t v = 0; v < n; v++) {
            w.vectors[v] = count;
            count += 1 + w.first_child[v + 1] - w.first_child[v];
        }
        if (count > SIZE_MAX / w.width / sizeof *w.cost ||
            !(w.cost = malloc((count ? count : 1) * w.width * sizeof *w.cost))) {
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        } else {
            tree_up(t, &w, org_n, h);
            size_t secondary = tree_down(t, &w, org_n, h);
            if (secondary == SIZE_MAX)
                st = engage_fail(err, ENGAGE_EDATA, NULL, 0, "the hidden teams leave no tree decision");
            else if (added)
                *added = secondary;
            for (size_t v = 1; st == ENGAGE_OK && v < t->published_orgs && v < n; v++)
                if (t->org_reason[v] == PRIVACY_SHOWN && org_n[v] == t->team_n[v] &&
                    t->team_reason[v] != PRIVACY_SHOWN)
                    t->org_reason[v] = PRIVACY_SECONDARY;
        }
    }
    free(w.first_child);
    free(w.child);
    free(w.order);
    free(w.vectors);
    free(w.target);
    free(w.cost);
    free(h);
    if (org_n != t->org_n)
        free(org_n);
    return st;
}

/* One hidden team's cell: its deepest shown org, then its shown unit
 * (SIZE_MAX: none). */
typedef struct {
    size_t org, unit, n;
} cell_team_t;

static int cell_team_order(const void *a, const void *b)
{
    const cell_team_t *x = a, *y = b;
    if (x->org != y->org)
        return x->org < y->org ? -1 : 1;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    return 0;
}

engage_status_t privacy_split_cells(privacy_cells_t *c, long min_group, size_t *added,
                                    engage_error_t *err)
{
    size_t k = privacy_smallest_group(min_group), hidden = 0;
    for (size_t t = 0; t < c->n_teams; t++)
        hidden += c->hidden[t] && c->n[t] > 0;
    cell_team_t *team = malloc((hidden ? hidden : 1) * sizeof *team);
    if (!team)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    size_t hid = 0;
    for (bool changed = true; changed;) {
        changed = false;
        size_t count = 0;
        for (size_t t = 0; t < c->n_teams; t++)
            if (c->hidden[t] && c->n[t] > 0) {
                size_t u = c->unit_of[t];
                bool shown = u < c->n_units && c->unit_reason[u] == PRIVACY_SHOWN;
                team[count++] = (cell_team_t){ c->org_cell[t], shown ? u : SIZE_MAX, c->n[t] };
            }
        qsort(team, count, sizeof *team, cell_team_order);
        for (size_t org_first = 0, i = 0; i < count;) {
            if (team[i].org != team[org_first].org)
                org_first = i;
            size_t end = i, people = 0;
            while (end < count && team[end].org == team[i].org && team[end].unit == team[i].unit)
                people += team[end++].n;
            if (people < k) {
                size_t org_end = end;
                while (org_end < count && team[org_end].org == team[i].org)
                    org_end++;
                /* a unit's cell: that unit; the cell of no shown unit (sorted
                 * last in its org): every shown unit of the org */
                for (size_t j = team[i].unit == SIZE_MAX ? org_first : i; j < org_end; j++) {
                    size_t u = team[j].unit;
                    if (u != SIZE_MAX && c->unit_reason[u] == PRIVACY_SHOWN) {
                        c->unit_reason[u] = PRIVACY_SECONDARY;
                        hid++;
                        changed = true;
                    }
                    if (team[i].unit != SIZE_MAX)
                        break;
                }
            }
            i = end;
        }
    }
    free(team);
    if (added)
        *added = hid;
    return ENGAGE_OK;
}

/* See privacy.h: each hidden team's cell is its deepest shown org, found
 * top-down (a node's parent comes before it). */
engage_status_t privacy_tree_units(const units_t *units, size_t M, const size_t *node_team_n,
                                   unsigned char *unit_reason, size_t rows, size_t nodes, const size_t *parent,
                                   const unsigned char *org_reason, const unsigned char *team_reason,
                                   const size_t *node_of_manager, long smallest_shown, engage_error_t *err)
{
    size_t *shown_up = malloc((nodes ? nodes : 1) * sizeof *shown_up);
    size_t *team_n = malloc((M ? M : 1) * sizeof *team_n), *org_cell = malloc((M ? M : 1) * sizeof *org_cell);
    bool *hidden = malloc((M ? M : 1) * sizeof *hidden);
    engage_status_t st = ENGAGE_OK;
    if (!shown_up || !team_n || !org_cell || !hidden) {
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    } else {
        for (size_t v = 0; v < nodes; v++)
            shown_up[v] = v < rows && org_reason[v] == PRIVACY_SHOWN ? v
                          : parent[v] == SIZE_MAX                   ? SIZE_MAX
                                                                    : shown_up[parent[v]];
        for (size_t j = 0; j < M; j++) {
            size_t v = node_of_manager[j];
            team_n[j] = node_team_n[v];
            hidden[j] = team_reason[v] != PRIVACY_SHOWN;
            org_cell[j] = shown_up[v];
        }
        privacy_cells_t cells = { .n_teams = M, .n = team_n, .hidden = hidden, .org_cell = org_cell,
                                  .unit_of = units->unit_of, .n_units = units->n_units,
                                  .unit_reason = unit_reason };
        st = privacy_split_cells(&cells, smallest_shown, NULL, err);
    }
    free(shown_up);
    free(team_n);
    free(org_cell);
    free(hidden);
    return st;
}
