/*
 * report/privacy.c — primary and secondary suppression of small groups.
 *
 * One sort of the managers by (n, index) serves the whole secondary pass:
 * the next group to hide is always the next shown one in that order, so the
 * pass is a single forward walk.  O(J log J) for J managers.
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

    if (s.hidden > 0 && s.hidden < k && s.n_primary < count) {
        privacy_key_t *order = malloc(count * sizeof *order);
        if (!order)
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        size_t m = 0;
        for (size_t j = 0; j < count; j++)
            if (reason[j] == PRIVACY_SHOWN)
                order[m++] = (privacy_key_t){ n[j], j };
        qsort(order, m, sizeof *order, compare_keys);
        for (size_t i = 0; i < m && s.hidden > 0 && s.hidden < k; i++) {
            reason[order[i].index] = PRIVACY_SECONDARY;
            s.n_secondary++;
            s.hidden += order[i].n;
        }
        free(order);
    }

    s.n_shown = count - s.n_primary - s.n_secondary;
    s.scale_suppressed = s.respondents < k;
    if (summary)
        *summary = s;
    return ENGAGE_OK;
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
    free(privacy);
}

bool privacy_hidden(const privacy_t *privacy, size_t s, size_t m)
{
    return privacy->scales[s].reason[m] != PRIVACY_SHOWN;
}
