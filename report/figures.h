/*
 * report/figures.h — figures as the readable reports (report.txt,
 * report.html) write them, and the changes they name.
 *
 * The CSVs carry every figure to 12 significant digits (core/csv_out.c);
 * the readable reports round for reading, with '.' as the decimal point
 * whatever the locale, never "-0.00", and "n/a" for an undefined figure.
 * Both reports name the same changed managers, chosen here.
 */
#ifndef ENGAGE_FIGURES_H
#define ENGAGE_FIGURES_H

#include <stddef.h>

#include "../analysis/changes.h"
#include "../analysis/leaders.h"
#include "../analysis/nested.h"
#include "../analysis/participation.h"
#include "../ingest/ingest.h"
#include "privacy.h"

typedef struct {
    char s[40];            /* enough for 1e15 to 6 places, or "%.4g" beyond */
} figure_t;

/* v rounded to `decimals` places (0..6); beyond 1e15 in %.4g form. */
figure_t figure_fixed(double v, int decimals);

/* A count, in full. */
figure_t figure_count(size_t v);

/* A change with its sign: "+0.25", "-0.25", "0.00". */
figure_t figure_signed(double v, int decimals);

/* The change rows a report names: shown in changes.csv, with a q-value
 * below 0.05 and a finite delta, largest |delta| first (ties: row order).
 * order (cs->n_rows entries) receives their row indices; *tested the number
 * of shown rows with a q-value.  Returns how many were chosen. */
/* The sentence both readable reports give about the rows left out:
 * "N rows were rejected and M excluded (why); rejects.csv lists each with
 * its file, line and reason." — or, when a log only counted some rows of a
 * reason (capped), that rejects.csv lists the first of each reason and
 * counts the rest.  Needs rejected + excluded > 0. */
typedef struct {
    char s[512];
} figures_sentence_t;

figures_sentence_t figures_left_out(size_t rejected, size_t excluded, bool capped);

/* The warning both readable reports give under a share between managers
 * that is poorly determined (the view's split_caution): it rests on few
 * managers, its ICC(1) interval is wide, or both; what that means for the
 * reader. */
figures_sentence_t figures_split_caution(const analysis_variance_t *v, bool few_managers, bool wide_interval);

/* The sentence both readable reports give about the nested fit, when its
 * shares are defined: "Of the variance, 3.0% lies between units and 11.0%
 * between managers within them (nested REML: unit, manager within unit)."
 * Returns false (t empty) when they are not. */
bool figures_nested_split(const nested_fit_t *fit, figures_sentence_t *t);

/* Whether a log counted rows it does not list (NULL: no). */
bool figures_log_capped(const ingest_log_t *log);

/* The line both readable reports give the company on scale s of l (its
 * row 0): who was invited and responded (the response rate when
 * rate_shown, else why not: fewer than k invited), the scored respondents'
 * mean with its 95% interval, and the favourable, neutral (when the scale
 * has a middle) and unfavourable shares. */
figures_sentence_t figures_company_line(const leaders_t *l, size_t s, bool rate_shown, long k);

/* The name both readable reports give a leader of the tree: the roster's
 * display name, else the employee id ("" when neither). */
const char *figures_leader_name(const org_t *org, size_t node);

size_t figures_notable_changes(const changes_scale_t *cs, const privacy_change_scale_t *pc, size_t *order,
                               size_t *tested);

#endif
