/*
 * analysis/enps.h — the employee Net Promoter Score of a group's answers to
 * a 0..10 recommend item (a scale of kind = nps), and the test of its change
 * between two waves.
 *
 * Promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6.  With p and
 * d the promoters' and detractors' shares of the n who answered, eNPS =
 * 100 (p - d) and its variance 100² (p + d - (p - d)²) / n (the multinomial
 * variance of the difference of two shares), so the 95% interval is
 * eNPS ± 1.96 · 100 · √((p + d - (p - d)²) / n), not clipped to -100..100.
 * On a kind = nps scale the favourable share of analysis_shares() is the
 * promoters', the unfavourable the detractors', the neutral the passives':
 * enps_from_shares() turns any level's shares (managers, units, leaders, the
 * company) into the score, so every grouping counts the answers once.
 *
 * Pure functions on values: no allocation, no I/O.  Undefined figures (no
 * answer; a test of two groups of zero variance) are NAN.
 */
#ifndef ENGAGE_ENPS_H
#define ENGAGE_ENPS_H

#include <stddef.h>

/* The thresholds of the Net Promoter question. */
#define ENPS_PROMOTER 9.0   /* answers >= this are promoters */
#define ENPS_DETRACTOR 6.0  /* answers <= this are detractors */
/* The interval's normal quantile, as the definition states it. */
#define ENPS_Z 1.96

typedef struct {
    size_t n;                  /* answers */
    size_t promoters, passives, detractors;
    double promoters_pct, passives_pct, detractors_pct;
    double enps;               /* promoters_pct - detractors_pct, in points */
    double se;                 /* its standard error, in points */
    double ci_low, ci_high;    /* enps ± ENPS_Z · se */
} enps_t;

/* The score of a group from its counts; every figure NAN when there is no
 * answer. */
enps_t enps_from_counts(size_t promoters, size_t passives, size_t detractors);

/* The score of a group of n answers from its favourable (promoters') and
 * unfavourable (detractors') shares in percent, as analysis_shares() gives
 * them on a kind = nps scale: the counts are those shares of n, rounded to
 * the whole answers they were made from. */
enps_t enps_from_shares(size_t n, double favourable_pct, double unfavourable_pct);

/* The change of eNPS from `previous` to `current` (independent samples):
 * delta = current - previous, se = √(se_previous² + se_current²), the 95%
 * interval delta ± ENPS_Z · se, z = delta / se and its two-sided normal
 * p-value.  NAN where either score is undefined; p NAN when se is 0. */
typedef struct {
    double delta, se, ci_low, ci_high, z, p_value;
} enps_change_t;

enps_change_t enps_change(const enps_t *previous, const enps_t *current);

#endif
