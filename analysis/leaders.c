/*
 * analysis/leaders.c — every leader's whole organisation (leaders.h).
 *
 * Every respondent's scale score is worked out as analysis.c works it out
 * (the same sums in the same item order), then respondents are laid out by
 * the pre-order position of their manager's tree node: a leader's org is
 * then the one contiguous range of positions after the leader's own up to
 * its subtree's end.  People and managers are counted by prefix sums over
 * the tree; a range's answers are summed as its scores are gathered into a
 * copy of the range (the company's, last, into the scores themselves); mean
 * and sd are two-pass over that copy, the median a selection in it.
 * Answers are read from the item columns' codes where they hold codes.
 * From LEADERS_PARALLEL_RESPONDENTS on, the scores are worked out in two
 * halves on two threads and the leaders' rows are shared between two
 * threads; every figure is the same as one thread's.
 *
 * Owns: the leaders_t it returns, and per call a workspace of 8 bytes per
 * respondent (with a tree, 12 more per respondent and 8 more per respondent
 * of the largest org, twice with two threads) and O(nodes).
 */
#include "leaders.h"

#include "../core/pair.h"

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

/* Respondents read per block: their item columns stay in the caches. */
enum { LEADERS_READ_ROWS = 256 };
/* From this many respondents on, scores are worked out on two threads. */
enum { LEADERS_PARALLEL_RESPONDENTS = 65536 };
/* Leaders' rows a thread takes at a time. */
enum { LEADERS_ROWS_STEP = 64 };
/* Scales of up to this many items are read from their columns' codes. */
enum { LEADERS_CODED_ITEMS = 64 };
/* t quantiles cached for orgs of up to this many scored respondents. */
enum { LEADERS_T_CACHE = 65536 };

static void *leaders_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size);
}

static double leaders_finite(double v)
{
    return isfinite(v) ? v : NAN;
}

void leaders_manager_nodes(const dataset_t *ds, size_t *out)
{
    const org_t *org = dataset_org(ds);
    for (size_t m = 0; m < dataset_n_managers(ds); m++)
        out[m] = org ? org_find(org, dataset_manager_id(ds, m)) : ORG_NONE;
}

/* One slot's answers to the scale's items: answered, favourable and
 * unfavourable (0 when not scored). */
typedef struct {
    uint32_t ans, fav, unf;
} leaders_answers_t;

typedef struct {
    size_t *slot_start;  /* [position + 1] first slot of the respondents whose manager is at
                            that position; slot_start[0] the company-only ones (no tree node) */
    size_t *key;         /* [manager] its position + 1 in slot_start (0: no tree node) */
    size_t *cursor;      /* [position + 1] the next free slot while laying out */
    double *score;       /* [slot] score, NAN when not scored */
    leaders_answers_t *answers;  /* [slot]; NULL without a tree, where the company alone
                                    needs them, as the totals below */
    size_t total_ans, total_fav, total_unf;  /* without a tree: over every scored slot */
    double *copy;        /* a leader's range's scores (the company's are gathered in score) */
    double *cols;        /* [item × LEADERS_READ_ROWS] reverse-coded values */
    double *cols2;       /* the same for a second thread, or NULL: one thread */
    struct leaders_code *code_of; /* [item × 256] (leaders_codes) */
    size_t *cursor2;     /* the second thread's cursors, with cols2 */
    double *copy2, *tq2; /* the second thread's copy and t quantiles, with cols2 and a tree */
    double *tq;          /* [df] t(0.975, df) (analysis_t975) */
} leaders_work_t;

/* Figures of the scores in slots first .. end-1, gathered into copy
 * (which may be w->score itself when first is 0). */
static void org_figures(const dataset_scale_t *sc, const leaders_work_t *w, size_t first, size_t end,
                        double *copy, double *tq, leaders_figures_t *f)
{
    size_t n = 0, ans = 0, fav = 0, unf = 0;
    for (size_t i = first; i < end; i++) {
        if (isnan(w->score[i]))
            continue;
        copy[n++] = w->score[i];
        if (w->answers) {
            ans += w->answers[i].ans;
            fav += w->answers[i].fav;
            unf += w->answers[i].unf;
        }
    }
    if (!w->answers) {   /* the company of a dataset without a tree */
        ans = w->total_ans;
        fav = w->total_fav;
        unf = w->total_unf;
    }
    f->n = n;
    f->mean = f->sd = f->se = f->ci_low = f->ci_high = f->median = NAN;
    f->favourable_pct = f->neutral_pct = f->unfavourable_pct = NAN;
    if (n == 0)
        return;
    /* mean and sum of squares in layout order, two-pass; the median by
     * selection (gsl_stats_median reorders the copy), so no range is sorted */
    double sum = 0.0;
    bool equal = true;
    for (size_t i = 0; i < n; i++) {
        sum += copy[i];
        equal = equal && copy[i] == copy[0];
    }
    double mean = sum / (double)n, resid = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        resid += copy[i] - mean;
    mean = equal ? copy[0] : mean + resid / (double)n;
    for (size_t i = 0; !equal && i < n; i++)
        ss += (copy[i] - mean) * (copy[i] - mean);
    f->mean = leaders_finite(mean);
    f->median = leaders_finite(gsl_stats_median(copy, 1, n));
    analysis_shares(sc, ans, fav, unf, &f->favourable_pct, &f->neutral_pct, &f->unfavourable_pct);
    if (n > 1) {
        f->sd = leaders_finite(sqrt(ss / (double)(n - 1)));
        f->se = leaders_finite(f->sd / sqrt((double)n));
        double t = analysis_t975(tq, LEADERS_T_CACHE, n - 1);
        f->ci_low = leaders_finite(f->mean - t * f->se);
        f->ci_high = leaders_finite(f->mean + t * f->se);
    }
}

/* What one code of one item adds to a respondent's score and counts. */
typedef struct leaders_code {
    double x;                  /* the answer after reverse coding */
    uint8_t answered, favourable, unfavourable;
} leaders_code_t;

/* Respondents first .. end-1 of one scale: each one's score and answer
 * counts into the slot its manager's cursor gives (cursor moves on), and
 * without a tree the counts' totals into *totals (ans, fav, unf).  With
 * codes, the answers are read from the item columns' codes, each code's
 * part worked out once (code_of, item × 256): the same values added in
 * the same order. */
typedef struct {
    const dataset_t *ds;
    const dataset_scale_t *sc;
    leaders_work_t *w;
    size_t first, end;
    size_t *cursor;
    double *cols;              /* [item × LEADERS_READ_ROWS] */
    const uint8_t *const *codes;
    const leaders_code_t *code_of;
    size_t totals[3];
} leaders_pass_t;

/* Respondent r's score slot, score and counts, as leaders_pass finds them. */
static void leaders_place(leaders_pass_t *p, size_t r, double sum, size_t answered, size_t favourable,
                          size_t unfavourable)
{
    leaders_work_t *w = p->w;
    const dataset_scale_t *sc = p->sc;
    size_t slot = p->cursor[w->key[dataset_manager_of(p->ds, r)]]++;
    bool scored = dataset_scale_scored(sc, answered);
    w->score[slot] = scored ? sum / (double)answered : NAN;
    if (w->answers) {
        w->answers[slot] = scored ? (leaders_answers_t){ (uint32_t)answered, (uint32_t)favourable,
                                                         (uint32_t)unfavourable }
                                  : (leaders_answers_t){ 0, 0, 0 };
    } else if (scored) {
        p->totals[0] += answered;
        p->totals[1] += favourable;
        p->totals[2] += unfavourable;
    }
}

static void *leaders_pass(void *arg)
{
    leaders_pass_t *p = arg;
    const dataset_t *ds = p->ds;
    const dataset_scale_t *sc = p->sc;
    size_t k = sc->n_items;
    if (p->codes) {
        for (size_t r = p->first; r < p->end; r++) {
            double sum = 0.0;
            size_t answered = 0, favourable = 0, unfavourable = 0;
            for (size_t i = 0; i < k; i++) {
                const leaders_code_t *e = &p->code_of[i * 256 + p->codes[i][r]];
                if (!e->answered)
                    continue;
                sum += e->x;
                answered++;
                favourable += e->favourable;
                unfavourable += e->unfavourable;
            }
            leaders_place(p, r, sum, answered, favourable, unfavourable);
        }
        return NULL;
    }
    for (size_t first = p->first; first < p->end; first += LEADERS_READ_ROWS) {
        size_t count = p->end - first < LEADERS_READ_ROWS ? p->end - first : LEADERS_READ_ROWS;
        for (size_t i = 0; i < k; i++) {
            double *x = p->cols + i * LEADERS_READ_ROWS;
            dataset_column_read(ds, sc->items[i], first, count, x);
            for (size_t t = 0; t < count; t++)
                x[t] = dataset_scale_answer(sc, i, x[t]);
        }
        for (size_t t = 0; t < count; t++) {
            double sum = 0.0;
            size_t answered = 0, favourable = 0, unfavourable = 0;
            for (size_t i = 0; i < k; i++) {
                double x = p->cols[i * LEADERS_READ_ROWS + t];
                if (isnan(x))
                    continue;
                sum += x;
                answered++;
                favourable += x >= sc->favourable;
                unfavourable += x <= sc->unfavourable;
            }
            leaders_place(p, first + t, sum, answered, favourable, unfavourable);
        }
    }
    return NULL;
}

/* The scale's item codes and each code's part (leaders_pass), when every
 * item's column holds codes and the scale has at most LEADERS_CODED_ITEMS
 * items; false (read the answers as numbers) otherwise. */
static bool leaders_codes(const dataset_t *ds, const dataset_scale_t *sc, const uint8_t **codes,
                          leaders_code_t *code_of)
{
    if (sc->n_items > LEADERS_CODED_ITEMS)
        return false;
    for (size_t i = 0; i < sc->n_items; i++) {
        const double *table;
        if (!(codes[i] = dataset_column_codes(ds, sc->items[i], &table)))
            return false;
        for (size_t c = 0; c < 256; c++) {
            double x = dataset_scale_answer(sc, i, table[c]);
            code_of[i * 256 + c] = (leaders_code_t){ x, !isnan(x), x >= sc->favourable, x <= sc->unfavourable };
        }
    }
    return true;
}

/* Rows of leaders taken LEADERS_ROWS_STEP at a time from *next: each
 * one's figures, gathered in copy. */
typedef struct {
    const dataset_scale_t *sc;
    const leaders_t *l;
    const leaders_work_t *w;
    const org_t *org;
    leaders_scale_t *out;
    double *copy, *tq;         /* the thread's own */
    atomic_size_t *next;
} leaders_rows_job_t;

static void *leaders_rows_job(void *arg)
{
    leaders_rows_job_t *j = arg;
    const leaders_work_t *w = j->w;
    for (;;) {
        size_t r = atomic_fetch_add(j->next, LEADERS_ROWS_STEP), end = r + LEADERS_ROWS_STEP;
        if (r >= j->l->n_rows)
            return NULL;
        for (; r < end && r < j->l->n_rows; r++) {
            size_t v = j->l->node[r];
            size_t first = w->slot_start[org_position(j->org, v) + 1];
            size_t last = w->slot_start[org_subtree_end(j->org, v) + 1];
            org_figures(j->sc, w, first, last, j->copy, j->tq, &j->out->orgs[r]);
        }
    }
}

/* One scale: every slot's score and answer counts, then each row's
 * figures.  With a second thread's workspace (w->cols2, w->cursor2), the
 * respondents' second half is scored there: its cursors start where the
 * first half leaves them, so every respondent gets the slot it gets in
 * one pass, and the totals are sums of whole numbers. */
static void leaders_scale(const dataset_t *ds, const leaders_t *l, leaders_work_t *w, const dataset_scale_t *sc,
                          leaders_scale_t *out)
{
    const org_t *org = dataset_org(ds);
    size_t N = dataset_n_respondents(ds), positions = org ? org_size(org) + 1 : 1;
    out->scale = sc;
    memcpy(w->cursor, w->slot_start, positions * sizeof *w->cursor);
    size_t half = w->cols2 ? N / 2 : N;
    const uint8_t *codes[LEADERS_CODED_ITEMS];
    const uint8_t *const *coded = leaders_codes(ds, sc, codes, w->code_of) ? codes : NULL;
    leaders_pass_t mine = { ds, sc, w, 0, half, w->cursor, w->cols, coded, w->code_of, { 0, 0, 0 } };
    leaders_pass_t other = { ds, sc, w, half, N, w->cursor2, w->cols2, coded, w->code_of, { 0, 0, 0 } };
    if (half < N) {
        memcpy(w->cursor2, w->slot_start, positions * sizeof *w->cursor2);
        for (size_t r = 0; r < half; r++)
            w->cursor2[w->key[dataset_manager_of(ds, r)]]++;
    }
    /* without a second workspace the second part is empty */
    pair_run(leaders_pass, &mine, &other, half < N);
    w->total_ans = mine.totals[0] + other.totals[0];
    w->total_fav = mine.totals[1] + other.totals[1];
    w->total_unf = mine.totals[2] + other.totals[2];
    /* the leaders' rows, each on its own: with copy2, on two threads */
    atomic_size_t next = 1;
    leaders_rows_job_t rows_mine = { sc, l, w, org, out, w->copy, w->tq, &next };
    leaders_rows_job_t rows_other = { sc, l, w, org, out, w->copy2, w->tq2, &next };
    /* on one thread, the first job leaves no row to the second */
    pair_run(leaders_rows_job, &rows_mine, &rows_other, w->copy2 && l->n_rows > LEADERS_ROWS_STEP);
    /* the company last: its scores are gathered in score itself */
    org_figures(sc, w, 0, N, w->score, w->tq, &out->orgs[0]);
}

/* The rows (leaders in pre-order) and their head counts. */
static bool leaders_rows(const org_t *org, leaders_t *l)
{
    size_t V = org ? org_size(org) : 0;
    size_t *row_of = leaders_calloc(V, sizeof *row_of);
    size_t *inv = leaders_calloc(V + 1, sizeof *inv), *resp = leaders_calloc(V + 1, sizeof *resp);
    size_t *mgr = leaders_calloc(V + 1, sizeof *mgr);
    size_t rows = 1;
    for (size_t p = 0; p < V; p++)
        rows += org_n_children(org, org_at(org, p)) > 0;
    l->node = leaders_calloc(rows, sizeof *l->node);
    l->parent_row = leaders_calloc(rows, sizeof *l->parent_row);
    l->team_managers = leaders_calloc(rows, sizeof *l->team_managers);
    l->org_managers = leaders_calloc(rows, sizeof *l->org_managers);
    l->invited = leaders_calloc(rows, sizeof *l->invited);
    l->responded = leaders_calloc(rows, sizeof *l->responded);
    bool ok = row_of && inv && resp && mgr && l->node && l->parent_row && l->team_managers && l->org_managers &&
              l->invited && l->responded;
    if (ok) {
        l->n_rows = rows;
        l->node[0] = ORG_NONE;
        l->parent_row[0] = SIZE_MAX;
        size_t r = 1;
        for (size_t p = 0; p < V; p++) {
            size_t v = org_at(org, p);
            bool invited = org_invited(org, v), manages = org_n_children(org, v) > 0;
            inv[p + 1] = inv[p] + invited;
            resp[p + 1] = resp[p] + (invited && org_responded(org, v));
            mgr[p + 1] = mgr[p] + manages;
            if (!manages)
                continue;
            row_of[v] = r;
            l->node[r] = v;
            size_t parent = org_parent(org, v);
            l->parent_row[r] = parent == ORG_NONE ? 0 : row_of[parent];
            l->team_managers[l->parent_row[r]]++;
            r++;
        }
        l->invited[0] = inv[V];
        l->responded[0] = resp[V];
        l->org_managers[0] = mgr[V];
        for (r = 1; r < rows; r++) {
            size_t first = org_position(org, l->node[r]) + 1, end = org_subtree_end(org, l->node[r]);
            l->invited[r] = inv[end] - inv[first];
            l->responded[r] = resp[end] - resp[first];
            l->org_managers[r] = mgr[end] - mgr[first];
        }
    }
    free(row_of);
    free(inv);
    free(resp);
    free(mgr);
    return ok;
}

/* Respondents laid out by their manager's pre-order position (a counting
 * sort): key and slot_start; leaders_scale places each respondent in turn
 * through cursor.  The longest leader's range, for copy: returned. */
static size_t leaders_layout(const dataset_t *ds, const leaders_t *l, leaders_work_t *w)
{
    const org_t *org = dataset_org(ds);
    size_t V = org ? org_size(org) : 0, N = dataset_n_respondents(ds), M = dataset_n_managers(ds);
    leaders_manager_nodes(ds, w->key);
    for (size_t m = 0; m < M; m++)
        w->key[m] = w->key[m] == ORG_NONE ? 0 : org_position(org, w->key[m]) + 1;   /* org: a node was found */
    for (size_t r = 0; r < N; r++)
        w->slot_start[w->key[dataset_manager_of(ds, r)] + 1]++;
    for (size_t p = 0; p <= V; p++)
        w->slot_start[p + 1] += w->slot_start[p];
    size_t longest = 0;
    for (size_t r = 1; r < l->n_rows; r++) {
        size_t v = l->node[r];
        size_t len = w->slot_start[org_subtree_end(org, v) + 1] - w->slot_start[org_position(org, v) + 1];
        if (len > longest)
            longest = len;
    }
    return longest;
}

engage_status_t leaders_run(const dataset_t *ds, const results_t *results, leaders_t **out,
                            engage_error_t *err)
{
    *out = NULL;
    const org_t *org = dataset_org(ds);
    size_t N = dataset_n_respondents(ds), V = org ? org_size(org) : 0, S = results->n_scales;
    size_t max_items = 1;
    for (size_t s = 0; s < S; s++)
        if (results->scales[s].scale->n_items > max_items)
            max_items = results->scales[s].scale->n_items;
    leaders_t *l = leaders_calloc(1, sizeof *l);
    leaders_work_t w = { 0 };
    bool ok = l != NULL;
    if (ok) {
        w.slot_start = leaders_calloc(V + 2, sizeof *w.slot_start);
        w.key = leaders_calloc(dataset_n_managers(ds), sizeof *w.key);
        w.cursor = leaders_calloc(V + 1, sizeof *w.cursor);
        w.score = leaders_calloc(N, sizeof *w.score);
        w.answers = org ? leaders_calloc(N, sizeof *w.answers) : NULL;
        w.cols = max_items > SIZE_MAX / LEADERS_READ_ROWS
                     ? NULL
                     : leaders_calloc(max_items * LEADERS_READ_ROWS, sizeof *w.cols);
        l->scales = leaders_calloc(S, sizeof *l->scales);
        w.tq = analysis_t975_cache(LEADERS_T_CACHE);
        w.code_of = leaders_calloc(LEADERS_CODED_ITEMS * 256, sizeof *w.code_of);
        ok = w.tq && w.code_of && w.slot_start && w.key && w.cursor && w.score && (w.answers || !org) && w.cols &&
             l->scales && leaders_rows(org, l);
        size_t longest = ok ? leaders_layout(ds, l, &w) : 0;
        ok = ok && (w.copy = leaders_calloc(longest, sizeof *w.copy)) != NULL;
        if (ok && N >= LEADERS_PARALLEL_RESPONDENTS) {   /* else one thread */
            w.cols2 = leaders_calloc(max_items * LEADERS_READ_ROWS, sizeof *w.cols2);
            w.cursor2 = leaders_calloc(V + 1, sizeof *w.cursor2);
            w.copy2 = org ? leaders_calloc(longest, sizeof *w.copy2) : NULL;
            w.tq2 = org ? analysis_t975_cache(LEADERS_T_CACHE) : NULL;
            if (!w.cols2 || !w.cursor2 || (org && (!w.copy2 || !w.tq2))) {
                free(w.cols2);
                free(w.cursor2);
                free(w.copy2);
                free(w.tq2);
                w.cols2 = NULL;
                w.cursor2 = NULL;
                w.copy2 = NULL;
                w.tq2 = NULL;
            }
        }
    }
    for (size_t s = 0; ok && s < S; s++) {
        l->n_scales = s + 1;
        l->scales[s].orgs = leaders_calloc(l->n_rows, sizeof *l->scales[s].orgs);
        ok = l->scales[s].orgs != NULL;
        if (ok)
            leaders_scale(ds, l, &w, results->scales[s].scale, &l->scales[s]);
    }
    free(w.slot_start);
    free(w.key);
    free(w.cursor);
    free(w.score);
    free(w.answers);
    free(w.copy);
    free(w.cols);
    free(w.cols2);
    free(w.cursor2);
    free(w.copy2);
    free(w.tq2);
    free(w.tq);
    free(w.code_of);
    if (!ok) {
        leaders_free(l);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0,
                           "out of memory while summarising the organisations of %zu respondents", N);
    }
    *out = l;
    return ENGAGE_OK;
}

void leaders_free(leaders_t *leaders)
{
    if (!leaders)
        return;
    for (size_t s = 0; s < leaders->n_scales; s++)
        free(leaders->scales[s].orgs);
    free(leaders->scales);
    free(leaders->node);
    free(leaders->parent_row);
    free(leaders->team_managers);
    free(leaders->org_managers);
    free(leaders->invited);
    free(leaders->responded);
    free(leaders);
}

/* The tree rule's nodes: the leaders' rows (row 0 the company), then one
 * more node per manager who leads nobody in the tree (those the tree lacks
 * hang under the company): parent[node] and node_of_manager[j]; returns
 * the number of nodes (at most rows + managers).  manager_node and
 * row_of_node are workspace, of managers and of tree nodes. */
size_t leaders_tree_nodes(const leaders_t *l, const dataset_t *ds, size_t *manager_node, size_t *row_of_node,
                         size_t *parent, size_t *node_of_manager)
{
    const org_t *org = dataset_org(ds);
    size_t M = dataset_n_managers(ds), V = org_size(org), R = l->n_rows;
    leaders_manager_nodes(ds, manager_node);
    for (size_t v = 0; v < V; v++)
        row_of_node[v] = SIZE_MAX;
    for (size_t r = 0; r < R; r++) {
        if (r > 0)
            row_of_node[l->node[r]] = r;
        parent[r] = l->parent_row[r];
    }
    size_t nodes = R;
    for (size_t j = 0; j < M; j++) {
        size_t v = manager_node[j], node = v == ORG_NONE ? SIZE_MAX : row_of_node[v];
        if (node == SIZE_MAX) {
            node = nodes++;
            size_t up = v == ORG_NONE ? ORG_NONE : org_parent(org, v);
            parent[node] = up == ORG_NONE ? 0 : row_of_node[up];
        }
        node_of_manager[j] = node;
    }
    return nodes;
}
