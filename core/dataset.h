/*
 * core/dataset.h — the canonical dataset: the contract between ingest and
 * analysis.
 *
 * A dataset is respondents × item columns plus a manager per respondent and
 * the scales defined over the columns.  Values are stored before reverse
 * coding (reverse coding belongs to the scale), compactly: a column holds a
 * one-byte code per respondent into a small table of distinct values and
 * switches to doubles only when it meets more than 254 distinct values.
 * Respondent ids live in one string arena; manager ids are interned once.
 *
 * Life cycle: dataset_new → dataset_add_column/dataset_add_scale →
 * dataset_add_row ... → dataset_finish (drops superseded rows and sorts
 * managers in byte order of their ids) → read-only use → dataset_free.
 * The dataset owns every string and array in it.
 */
#ifndef ENGAGE_DATASET_H
#define ENGAGE_DATASET_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "org.h"

typedef struct {
    char *name;
    size_t n_items;
    size_t *items;         /* dataset column index of each item */
    bool *reverse;         /* per item: value -> min + max - value */
    double min, max;
    double min_answered;   /* share of the items that must be answered */
    double favourable;     /* an answer (after reverse coding) >= this is favourable */
    double unfavourable;   /* ... <= this is unfavourable; between the two, neutral */
} dataset_scale_t;

/* Item i's raw answer v as the scale counts it: reverse coded when the
 * item is (min + max - v); NAN when there is none (v not finite). */
static inline double dataset_scale_answer(const dataset_scale_t *scale, size_t i, double v)
{
    return !isfinite(v) ? NAN : scale->reverse[i] ? scale->min + scale->max - v : v;
}

/* Whether a respondent who answered `answered` of the scale's items is
 * scored on it: the share as a division, so that 7 of 10 meets 0.7
 * exactly. */
static inline bool dataset_scale_scored(const dataset_scale_t *scale, size_t answered)
{
    return answered > 0 && (double)answered / (double)scale->n_items >= scale->min_answered;
}

typedef struct dataset dataset_t;

dataset_t *dataset_new(void);
void dataset_free(dataset_t *ds);

/* --- building (ingest) ------------------------------------------------- */

/* Add an item column; returns its index in *index.  Names are unique:
 * adding an existing name returns the existing index. */
engage_status_t dataset_add_column(dataset_t *ds, const char *name, size_t *index);

/* Add a scale; the dataset copies `scale` and its arrays. */
engage_status_t dataset_add_scale(dataset_t *ds, const dataset_scale_t *scale);

/* Room for n rows in all, and a respondent set that holds n ids without
 * growing: what a reader expects a file to hold, said once it can tell, so
 * that the arrays and the set are not built again and again as they grow.
 * A guess that is off costs only room or time, never a different result.
 * ENGAGE_ENOMEM when the room cannot be had. */
engage_status_t dataset_expect_rows(dataset_t *ds, size_t n);

/* Add one accepted respondent.  values[c] is the value of column c, NAN when
 * not answered.  file/line say where the row came from.  When the id was
 * seen before, the earlier row is superseded (it gives its storage back as
 * rows are added, at the latest in dataset_finish) and *superseded_file /
 * *superseded_line (may be NULL) receive where it came from, else they get
 * SIZE_MAX / 0. */
engage_status_t dataset_add_row(dataset_t *ds, const char *respondent_id, const char *manager_id,
                                const double *values, size_t file, long line,
                                size_t *superseded_file, long *superseded_line);

/* Drop superseded rows and renumber managers so that manager index order
 * is the byte order of manager ids.  Call once, after the last row. */
engage_status_t dataset_finish(dataset_t *ds);

/* After dataset_finish, for a caller that needs no respondent id or line
 * any more: their memory is given back; dataset_respondent_id then returns
 * NULL and dataset_respondent_line 0. */
void dataset_forget_respondents(dataset_t *ds);

/* For an owner whose every reader of answers is done: the item values and
 * the manager of each respondent are given back; after it only
 * dataset_value, dataset_column_read and dataset_manager_of may no longer
 * be called. */
void dataset_forget_answers(dataset_t *ds);

/* --- reading (analysis, report) ---------------------------------------- */

size_t dataset_n_columns(const dataset_t *ds);
const char *dataset_column_name(const dataset_t *ds, size_t column);

size_t dataset_n_scales(const dataset_t *ds);
const dataset_scale_t *dataset_scale(const dataset_t *ds, size_t scale);

size_t dataset_n_respondents(const dataset_t *ds);
const char *dataset_respondent_id(const dataset_t *ds, size_t respondent);
size_t dataset_respondent_file(const dataset_t *ds, size_t respondent);
long dataset_respondent_line(const dataset_t *ds, size_t respondent);

size_t dataset_n_managers(const dataset_t *ds);
const char *dataset_manager_id(const dataset_t *ds, size_t manager);
/* Manager index of a respondent (after dataset_finish: in byte order). */
size_t dataset_manager_of(const dataset_t *ds, size_t respondent);

/* Units (from a roster): set after dataset_finish, once per manager.  A
 * manager without one reads as NULL, as does every manager of a dataset
 * without units. */
engage_status_t dataset_set_manager_unit(dataset_t *ds, size_t manager, const char *unit);
bool dataset_has_units(const dataset_t *ds);
const char *dataset_manager_unit(const dataset_t *ds, size_t manager);

/* Teams of the reporting tree with no accepted row, recorded with units:
 * each one's unit and invited people, so that a unit's participation counts
 * its silent teams too.  Any order; the unit is copied. */
engage_status_t dataset_add_silent_team(dataset_t *ds, const char *unit, size_t invited);
size_t dataset_n_silent_teams(const dataset_t *ds);
const char *dataset_silent_team_unit(const dataset_t *ds, size_t team);
size_t dataset_silent_team_invited(const dataset_t *ds, size_t team);

/* The reporting tree (from a roster): the dataset takes it over and frees
 * it; NULL without one. */
void dataset_set_org(dataset_t *ds, org_t *org);
const org_t *dataset_org(const dataset_t *ds);

/* Raw value (before reverse coding), NAN when not answered. */
double dataset_value(const dataset_t *ds, size_t respondent, size_t column);

/* The raw values of respondents first .. first+count-1 in one column, into
 * out (NAN when not answered): the fast way to read many values. */
void dataset_column_read(const dataset_t *ds, size_t column, size_t first, size_t count, double *out);

/* A column's one-byte codes, one per respondent, when it holds them: code
 * c stands for (*table)[c], a table of 256 raw values (NAN: not answered).
 * NULL when the column holds doubles (more than 254 distinct values). */
const uint8_t *dataset_column_codes(const dataset_t *ds, size_t column, const double **table);

/* Whether every answer stored in the column is a whole multiple of 1/2
 * (as Likert answers are); *largest gets the largest |answer| (0 for none).
 * O(distinct answers) for a coded column, O(respondents) otherwise. */
bool dataset_column_in_halves(const dataset_t *ds, size_t column, double *largest);

#endif
