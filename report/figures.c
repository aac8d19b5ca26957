/*
 * report/figures.c — rounding for the readable reports and the changes
 * they name (see figures.h).  Owns nothing.
 */
#include "figures.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

figure_t figure_fixed(double v, int decimals)
{
    figure_t n;
    if (!isfinite(v)) {
        snprintf(n.s, sizeof n.s, "n/a");
        return n;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    if (fabs(v) < 1e15)
        snprintf(n.s, sizeof n.s, "%.*f", decimals, v);
    else
        snprintf(n.s, sizeof n.s, "%.4g", v);
    /* '.' whatever LC_NUMERIC says */
    const struct lconv *lc = localeconv();
    const char *dp = lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point : ".";
    char *at = strcmp(dp, ".") != 0 ? strstr(n.s, dp) : NULL;
    if (at) {
        size_t dl = strlen(dp);
        *at = '.';
        memmove(at + 1, at + dl, strlen(at + dl) + 1);
    }
    if (n.s[0] == '-' && strspn(n.s + 1, "0.") == strlen(n.s + 1))
        memmove(n.s, n.s + 1, strlen(n.s));
    return n;
}

figure_t figure_count(size_t v)
{
    figure_t n;
    snprintf(n.s, sizeof n.s, "%zu", v);
    return n;
}

figure_t figure_signed(double v, int decimals)
{
    figure_t n = figure_fixed(v, decimals);
    if (isfinite(v) && n.s[0] != '-' && strspn(n.s, "0.") != strlen(n.s)) {
        memmove(n.s + 1, n.s, strlen(n.s) + 1);
        n.s[0] = '+';
    }
    return n;
}

/* Larger |delta| first, then row order. */
static int compare_change(const void *a, const void *b, void *rows)
{
    const changes_row_t *r = rows;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double x = fabs(r[i].welch.delta), y = fabs(r[j].welch.delta);
    if (x != y)
        return x > y ? -1 : 1;
    return i < j ? -1 : i > j;
}

size_t figures_notable_changes(const changes_scale_t *cs, const privacy_change_scale_t *pc, size_t *order,
                               size_t *tested)
{
    size_t m = 0;
    *tested = 0;
    for (size_t i = 0; i < cs->n_rows; i++) {
        if (pc->reason[i] != PRIVACY_SHOWN || !isfinite(pc->q[i]))
            continue;
        ++*tested;
        if (pc->q[i] < 0.05 && isfinite(cs->rows[i].welch.delta))
            order[m++] = i;
    }
    qsort_r(order, m, sizeof *order, compare_change, (void *)cs->rows);
    return m;
}

figures_sentence_t figures_left_out(size_t rejected, size_t excluded, bool capped)
{
    figures_sentence_t t;
    char where[160];
    if (capped)
        snprintf(where, sizeof where, "rejects.csv lists the first %d of each reason with their file, "
                                      "line and reason, then how many more there are",
                 (int)INGEST_REJECTS_LISTED);
    else
        snprintf(where, sizeof where, "rejects.csv lists each with its file, line and reason");
    snprintf(t.s, sizeof t.s, "%zu %s rejected and %zu excluded (superseded by a later answer from the "
                              "same respondent, or marked by the survey tool as a preview, a test, spam or "
                              "never submitted); %s.", rejected, rejected == 1 ? "row was" : "rows were",
             excluded, where);
    return t;
}

figures_sentence_t figures_split_caution(const analysis_variance_t *v, bool few_managers, bool wide_interval)
{
    figures_sentence_t t;
    char interval[160];
    snprintf(interval, sizeof interval, "the 95%% interval of ICC(1) runs from %s to %s",
             figure_fixed(v->icc1_ci_low, 3).s, figure_fixed(v->icc1_ci_high, 3).s);
    if (few_managers)
        snprintf(t.s, sizeof t.s, "Caution: this share rests on only %zu managers%s%s. The split of the variance "
                                  "between managers and individuals cannot be estimated reliably from so few "
                                  "teams: treat the share as a rough indication.",
                 v->managers, wide_interval ? ", and " : "", wide_interval ? interval : "");
    else
        snprintf(t.s, sizeof t.s, "Caution: %s, a wide range. The split of the variance between managers and "
                                  "individuals cannot be estimated reliably from these teams: treat the share "
                                  "as a rough indication.", interval);
    return t;
}

bool figures_nested_split(const nested_fit_t *fit, figures_sentence_t *t)
{
    t->s[0] = '\0';
    if (!isfinite(fit->share_unit) || !isfinite(fit->share_manager))
        return false;
    snprintf(t->s, sizeof t->s, "Of the variance, %s%% lies between units and %s%% between managers within "
                                "them (nested REML: unit, manager within unit).",
             figure_fixed(100.0 * fit->share_unit, 1).s, figure_fixed(100.0 * fit->share_manager, 1).s);
    return true;
}

bool figures_log_capped(const ingest_log_t *log)
{
    for (size_t k = 0; log && k < INGEST_N_REASONS; k++)
        if (log->unlisted[k] > 0)
            return true;
    return false;
}

const char *figures_leader_name(const org_t *org, size_t node)
{
    const char *name = org_name(org, node);
    if (name && name[0])
        return name;
    const char *id = org_id(org, node);
    return id ? id : "";
}

figures_sentence_t figures_company_line(const leaders_t *l, size_t s, bool rate_shown, long k)
{
    figures_sentence_t t;
    const leaders_figures_t *f = &l->scales[s].orgs[0];
    size_t len = 0;
    if (rate_shown)
        len += (size_t)snprintf(t.s, sizeof t.s, "The whole company: %zu of %zu invited responded (%s%%)",
                                l->responded[0], l->invited[0],
                                figure_fixed(participation_rate(&(participation_count_t){ l->invited[0], l->responded[0] }), 1).s);
    else
        len += (size_t)snprintf(t.s, sizeof t.s, "The whole company: %zu invited (no response rate is shown "
                                "for fewer than %ld)", l->invited[0], k);
    if (len < sizeof t.s)
        len += (size_t)snprintf(t.s + len, sizeof t.s - len, "; the %zu scored respondents' mean is %s "
                                "(95%% CI %s to %s), with %s%% of answers favourable", f->n,
                                figure_fixed(f->mean, 2).s, figure_fixed(f->ci_low, 2).s,
                                figure_fixed(f->ci_high, 2).s, figure_fixed(f->favourable_pct, 1).s);
    if (len < sizeof t.s && isfinite(f->neutral_pct))
        len += (size_t)snprintf(t.s + len, sizeof t.s - len, ", %s%% neutral", figure_fixed(f->neutral_pct, 1).s);
    if (len < sizeof t.s)
        len += (size_t)snprintf(t.s + len, sizeof t.s - len, " and %s%% unfavourable.",
                                figure_fixed(f->unfavourable_pct, 1).s);
    return t;
}
