/*
 * report/privacy.c — primary and secondary suppression of small groups.
 *
 * One sort of the managers by (n, index) serves the whole secondary pass:
 * the next group to hide is always the next shown one in that order, so the
 * pass is a single forward walk.  O(J log J) for J managers.  Change rows
 * (two waves) use the same walk for each wave in turn.
 * Owns: the per-scale reason arrays of a privacy_t.
 */
#include "privacy.h"

#include <stdlib.h>

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
    qsort(order, m, sizeof *order, compare_keys);
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
    size_t k = min_group < 1 ? 1 : (size_t)min_group;
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

engage_status_t privacy_suppress_changes(const size_t *n_previous, const size_t *n, size_t count,
                                         long min_group, unsigned char *reason,
                                         privacy_change_summary_t *summary, engage_error_t *err)
{
    size_t k = min_group < 1 ? 1 : (size_t)min_group;
    privacy_change_summary_t s = { 0 };
    size_t total_previous = 0, total = 0;
    for (size_t i = 0; i < count; i++) {
        total_previous += n_previous[i];
        total += n[i];
        bool small = n_previous[i] < k || n[i] < k;
        reason[i] = small ? PRIVACY_PRIMARY : PRIVACY_SHOWN;
        s.n_primary += small;
    }
    /* Hiding a row for one wave hides its respondents of the other wave
     * too, so the two waves take turns until neither needs another row. */
    for (;;) {
        size_t added_previous, added;
        s.hidden_previous = hidden_in(n_previous, reason, count);
        if (!hide_smallest(n_previous, count, k, reason, &s.hidden_previous, &added_previous))
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        s.hidden = hidden_in(n, reason, count);
        if (!hide_smallest(n, count, k, reason, &s.hidden, &added))
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        s.n_secondary += added_previous + added;
        if (added == 0)
            break; /* the previous wave settled in this round and nothing changed since */
    }
    s.hidden_previous = hidden_in(n_previous, reason, count);
    s.hidden = hidden_in(n, reason, count);
    s.n_shown = count - s.n_primary - s.n_secondary;
    s.scale_suppressed = total_previous < k || total < k;
    if (summary)
        *summary = s;
    return ENGAGE_OK;
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
        double *p = malloc(c1 * sizeof *p);
        bool *include = malloc(c1 * sizeof *include);
        pc->reason = malloc(c1);
        pc->q = malloc(c1 * sizeof *pc->q);
        if (!n_previous || !n || !p || !include || !pc->reason || !pc->q) {
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        } else {
            for (size_t i = 0; i < count; i++) {
                n_previous[i] = cs->rows[i].previous.n;
                n[i] = cs->rows[i].current.n;
                p[i] = cs->rows[i].welch.p_value;
            }
            st = privacy_suppress_changes(n_previous, n, count, min_group, pc->reason,
                                          &pc->summary, err);
            for (size_t i = 0; st == ENGAGE_OK && i < count; i++)
                include[i] = pc->reason[i] == PRIVACY_SHOWN;
            if (st == ENGAGE_OK && !changes_bh(p, include, count, pc->q))
                st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
        free(n_previous);
        free(n);
        free(p);
        free(include);
    }
    return st;
}

bool privacy_change_hidden(const privacy_t *privacy, size_t s, size_t i)
{
    return privacy->changes[s].reason[i] != PRIVACY_SHOWN;
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
    for (size_t s = 0; s < privacy->n_scales; s++)
        free(privacy->scales[s].reason);
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
