/*
 * analysis/enps.c — eNPS and its interval from a group's counts, and the
 * normal test of a change between two waves (enps.h).
 *
 * Owns nothing; assumes counts that fit a double exactly (below 2^53).  The
 * normal tail comes from GSL.
 */
#include "enps.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

enps_t enps_from_counts(size_t promoters, size_t passives, size_t detractors)
{
    enps_t e = {.promoters = promoters, .passives = passives, .detractors = detractors};
    e.n = promoters + passives + detractors;
    if (!e.n) {
        e.promoters_pct = e.passives_pct = e.detractors_pct = NAN;
        e.enps = e.se = e.ci_low = e.ci_high = NAN;
        return e;
    }
    double n = (double)e.n;
    double p = (double)promoters / n, d = (double)detractors / n;
    e.promoters_pct = 100.0 * (double)promoters / n;
    e.passives_pct = 100.0 * (double)passives / n;
    e.detractors_pct = 100.0 * (double)detractors / n;
    e.enps = 100.0 * (double)((long double)promoters - (long double)detractors) / n;
    double var = (p + d - (p - d) * (p - d)) / n;
    e.se = 100.0 * sqrt(var > 0 ? var : 0);
    e.ci_low = e.enps - ENPS_Z * e.se;
    e.ci_high = e.enps + ENPS_Z * e.se;
    return e;
}

enps_t enps_from_shares(size_t n, double favourable_pct, double unfavourable_pct)
{
    if (!n || !isfinite(favourable_pct) || !isfinite(unfavourable_pct))
        return enps_from_counts(0, 0, 0);
    double promoters = round(favourable_pct * (double)n / 100.0);
    double detractors = round(unfavourable_pct * (double)n / 100.0);
    if (promoters < 0)
        promoters = 0;
    if (detractors < 0)
        detractors = 0;
    if (promoters + detractors > (double)n)
        detractors = (double)n - promoters;
    size_t p = (size_t)promoters, d = (size_t)detractors;
    return enps_from_counts(p, n - p - d, d);
}

enps_change_t enps_change(const enps_t *previous, const enps_t *current)
{
    enps_change_t c = {NAN, NAN, NAN, NAN, NAN, NAN};
    if (!previous || !current || !isfinite(previous->enps) || !isfinite(current->enps))
        return c;
    c.delta = current->enps - previous->enps;
    c.se = sqrt(previous->se * previous->se + current->se * current->se);
    c.ci_low = c.delta - ENPS_Z * c.se;
    c.ci_high = c.delta + ENPS_Z * c.se;
    if (c.se > 0) {
        c.z = c.delta / c.se;
        c.p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(c.z));
    }
    return c;
}
