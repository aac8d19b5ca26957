/*
 * tests/privacy/tree_attack.c — an insider's algebraic attack on the figures
 * an engage run publishes about a reporting tree.
 *
 *   tree_attack OUTDIR --roster FILE --min-group K [--unit-depth D]
 *               [--truth FILE] [--truth-previous FILE] [--explain]
 *               [--reverse ITEMS] [--min A] [--max B] [--min-answered P]
 *
 * The insider knows the roster (FILE: a CSV with the columns employee_id,
 * manager_id and, optionally, unit; a top's manager is empty or itself):
 * so each team's manager, the tree above it and each team's unit (the unit
 * of its manager's own row, or with --unit-depth D the manager's ancestor at
 * depth D, tops being 1, a manager above D being their own unit).  And every
 * published table: managers.csv (every team's n; a shown team's mean and
 * sd), changes.csv (a shown row's current and previous means),
 * leaders.csv (every org's n; a shown org's mean and sd; the company row),
 * units.csv (the same per unit), scales.csv (the company) and variance.csv
 * (the previous wave's company).  It shares no code with engage: the tree,
 * the units and every equation are worked out here from those files.
 *
 * Per scale and wave, and per quantity — Σy (from the means) and Σy² (from
 * the sds; current wave) — the unknowns are the hidden teams' totals (a team
 * is known when some table shows its figure), and every shown aggregate S
 * gives one equation: Σ over the hidden teams inside S = S's total − the
 * known teams inside S.  Any combination of them is constant on each *cell*:
 * the hidden teams grouped by which shown aggregates contain them.  Then:
 *   (a) the cells are formed by signature, and every cell of 1 to K−1
 *       respondents is printed, saying whether the equations determine it;
 *   (b) independently, the system is brought to reduced row-echelon form in
 *       exact rational arithmetic over the teams (coefficients are 0 and 1;
 *       an entry that would not fit 64 bits stops the run), the hidden teams
 *       with fewer than K respondents put last: the rows whose pivot is
 *       among them span every determined combination of small teams alone.
 *       A determined sum over a group of fewer than K is a 0/1 vector in
 *       that span, fixed by its values at the pivots; these are enumerated
 *       per connected part of the span (two 0/1 vectors with disjoint
 *       supports add to one, so a smallest such group lies within one part),
 *       dropping a branch as soon as a column no later row touches is not 0
 *       or 1 or the final columns hold K or more respondents: exhaustive
 *       ("search complete") within 2,000,000 steps per system, else said to
 *       be partial.  A team whose reduced row is itself alone is determined;
 *       each cell of (a) is tested against the row space, and a determined
 *       cell of fewer than K that the search did not find is an error;
 *   (c) with --truth (and --truth-previous), canonical CSVs of each wave
 *       (respondent_id, manager_id[, unit], items; one scale scored as
 *       engage scores it: reverse-coded ITEMS as min + max − value, the mean
 *       of the answered items when at least P of them are answered), every
 *       equation, every reduced row and every determined total reported is
 *       checked against the true totals.
 * The previous wave's system has the change rows as teams, the shown
 * rows' mean_previous as known and the previous company as its one total.
 * Other figures are sums over the same groups (favourable shares, counts),
 * so they have the same cells; the variance decomposition, the items and
 * the REML optimum are attacked by tests/privacy/attack.c.  A shown group
 * (team, change row, org, unit, company) below K is reported too.  Output lines: `system ...` (one per scale, wave and quantity),
 * `cell ...`, `leak ...` (a determined total of 1 to K−1 respondents; with
 * --explain, `via=` the published totals that give it, each org:ID, unit:NAME
 * or company with its coefficient), `shown ...`.
 *
 * Exit status: 0 nothing below K found; 1 something below K found; 2 usage,
 * unreadable input or arithmetic out of range; 3 the tables disagree with
 * the roster's tree (an org's or unit's n is not its teams' sum), with each
 * other, or with the truth.
 */
#include <csv.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define NONE SIZE_MAX
#define SEARCH_STEPS 2000000L
#define LEAK_LINES 20

static int exit_found = 0;  /* 1 once something below K is found */
static int exit_wrong = 0;  /* 3 once a check against the model or the truth fails */
static bool explain = false; /* --explain: say which published totals give each leak */

static void *xrealloc(void *p, size_t size)
{
    return table_realloc(p, size);
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "tree_attack: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

/* ------------------------------------------------------------------ tables */

/* The CSV at path; false when it does not exist. */
static bool read_table(const char *path, table_t *t)
{
    if (!table_read("tree_attack", path, t))
        return false;
    if (t->n_rows == 0)
        die("empty CSV", path);
    return true;
}

static long column(const table_t *t, const char *name, const char *path, bool needed)
{
    long c = table_column(t, name);
    if (c >= 0)
        return c;
    if (needed) {
        fprintf(stderr, "tree_attack: %s: no column %s\n", path, name);
        exit(2);
    }
    return -1;
}

/* Cell text; a guarded text cell ("'" before = + - @ tab CR) as it stands. */
static const char *text(const table_t *t, size_t r, long c)
{
    const char *s = table_cell(t, r, c);
    if (s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]))
        return s + 1;
    return s;
}

static double number(const table_t *t, size_t r, long c)
{
    const char *s = text(t, r, c);
    return *s ? strtod(s, NULL) : NAN;
}

/* ------------------------------------------------------------- id lookups */

typedef struct {
    const char **id;
    size_t n, cap;
} ids_t;

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void ids_add(ids_t *s, const char *id)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->id = xrealloc(s->id, s->cap * sizeof *s->id);
    }
    s->id[s->n++] = id;
}

static void ids_seal(ids_t *s)
{
    qsort(s->id, s->n, sizeof *s->id, by_text);
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++)
        if (w == 0 || strcmp(s->id[w - 1], s->id[i]) != 0)
            s->id[w++] = s->id[i];
    s->n = w;
}

static size_t ids_find(const ids_t *s, const char *id)
{
    const char **at = bsearch(&id, s->id, s->n, sizeof *s->id, by_text);
    return at ? (size_t)(at - s->id) : NONE;
}

/* ---------------------------------------------------------------- rationals */

typedef struct {
    int64_t p, q;  /* q > 0, gcd(p, q) = 1 */
} rat_t;

static const rat_t ZERO = {0, 1}, ONE = {1, 1};

static __int128 gcd128(__int128 a, __int128 b)
{
    if (a < 0)
        a = -a;
    while (b) {
        __int128 t = a % b;
        a = b;
        b = t < 0 ? -t : t;
    }
    return a ? a : 1;
}

static rat_t rat_make(__int128 p, __int128 q)
{
    if (q < 0) {
        p = -p;
        q = -q;
    }
    __int128 g = gcd128(p, q);
    p /= g;
    q /= g;
    if (p > INT64_MAX || p < -INT64_MAX || q > INT64_MAX)
        die("rational arithmetic out of range", NULL);
    return (rat_t){(int64_t)p, (int64_t)q};
}

static rat_t rat_add(rat_t a, rat_t b)
{
    return rat_make((__int128)a.p * b.q + (__int128)b.p * a.q, (__int128)a.q * b.q);
}

static rat_t rat_sub(rat_t a, rat_t b)
{
    return rat_make((__int128)a.p * b.q - (__int128)b.p * a.q, (__int128)a.q * b.q);
}

static rat_t rat_mul(rat_t a, rat_t b)
{
    return rat_make((__int128)a.p * b.p, (__int128)a.q * b.q);
}

static rat_t rat_div(rat_t a, rat_t b)
{
    return rat_make((__int128)a.p * b.q, (__int128)a.q * b.p);
}

static bool rat_is(rat_t a, int64_t v) { return a.q == 1 && a.p == v; }
static long double rat_ld(rat_t a) { return (long double)a.p / (long double)a.q; }

/* ------------------------------------------------------------ the insider */

typedef struct {
    ids_t nodes;        /* every id named by the roster or a table */
    size_t *parent;     /* [node] NONE for a top */
    size_t *depth;      /* [node] 1 for a top */
    const char **unit;  /* [node] its roster unit ("" when none) */
} roster_t;

static void roster_read(roster_t *r, const char *path, const table_t *extra[], size_t n_extra,
                        const long *extra_col)
{
    table_t t;
    if (!read_table(path, &t))
        die("cannot read the roster", path);
    long ce = column(&t, "employee_id", path, true), cm = column(&t, "manager_id", path, true);
    long cu = column(&t, "unit", path, false);
    memset(r, 0, sizeof *r);
    for (size_t i = 1; i < t.n_rows; i++) {
        ids_add(&r->nodes, text(&t, i, ce));
        if (*text(&t, i, cm))
            ids_add(&r->nodes, text(&t, i, cm));
    }
    for (size_t e = 0; e < n_extra; e++)
        for (size_t i = 1; extra[e] && i < extra[e]->n_rows; i++)
            if (*text(extra[e], i, extra_col[e]))
                ids_add(&r->nodes, text(extra[e], i, extra_col[e]));
    ids_seal(&r->nodes);
    size_t n = r->nodes.n;
    r->parent = xrealloc(NULL, n * sizeof *r->parent);
    r->depth = xrealloc(NULL, n * sizeof *r->depth);
    r->unit = xrealloc(NULL, n * sizeof *r->unit);
    for (size_t v = 0; v < n; v++) {
        r->parent[v] = NONE;
        r->depth[v] = 0;
        r->unit[v] = "";
    }
    for (size_t i = 1; i < t.n_rows; i++) {
        size_t v = ids_find(&r->nodes, text(&t, i, ce));
        const char *m = text(&t, i, cm);
        size_t p = *m ? ids_find(&r->nodes, m) : NONE;
        r->parent[v] = p == v ? NONE : p;
        r->unit[v] = cu >= 0 ? text(&t, i, cu) : "";
    }
    /* depths, iteratively: walk up to a node whose depth is known */
    size_t *chain = xrealloc(NULL, (n + 1) * sizeof *chain);
    for (size_t v = 0; v < n; v++) {
        size_t len = 0, u = v;
        while (u != NONE && r->depth[u] == 0) {
            if (len > n)
                die("the roster's tree has a loop", path);
            chain[len++] = u;
            u = r->parent[u];
        }
        size_t d = u == NONE ? 0 : r->depth[u];
        while (len)
            r->depth[chain[--len]] = ++d;
    }
    free(chain);
}

/* -------------------------------------------------------- the truth (a wave) */

typedef struct {
    ids_t managers;
    double *n, *sum, *sumsq;  /* [manager] */
} truth_t;

typedef struct {
    const char *reverse;  /* comma-separated item names */
    double min, max, min_answered;
} scoring_t;

static bool listed(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *s = list; s && *s;) {
        const char *e = strchr(s, ',');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        while (l && *s == ' ')
            s++, l--;
        if (l == len && strncmp(s, name, l) == 0)
            return true;
        s = e ? e + 1 : NULL;
    }
    return false;
}

static void truth_read(truth_t *tr, const char *path, const scoring_t *sc)
{
    table_t t;
    if (!read_table(path, &t))
        die("cannot read the truth", path);
    long cm = column(&t, "manager_id", path, true);
    long cu = column(&t, "unit", path, false);
    long first = (cu >= 0 ? cu : cm) + 1;
    memset(tr, 0, sizeof *tr);
    for (size_t i = 1; i < t.n_rows; i++)
        ids_add(&tr->managers, text(&t, i, cm));
    ids_seal(&tr->managers);
    size_t n = tr->managers.n;
    tr->n = calloc(n, sizeof *tr->n);
    tr->sum = calloc(n, sizeof *tr->sum);
    tr->sumsq = calloc(n, sizeof *tr->sumsq);
    if (!tr->n || !tr->sum || !tr->sumsq)
        die("out of memory", NULL);
    size_t items = t.width[0] - (size_t)first;
    for (size_t i = 1; i < t.n_rows; i++) {
        double total = 0;
        size_t answered = 0;
        for (size_t c = (size_t)first; c < t.width[0]; c++) {
            const char *s = text(&t, i, (long)c);
            if (!*s)
                continue;
            double v = strtod(s, NULL);
            total += listed(sc->reverse, t.rows[0][c]) ? sc->min + sc->max - v : v;
            answered++;
        }
        if (answered == 0 || (double)answered < sc->min_answered * (double)items - 1e-9)
            continue;
        double y = total / (double)answered;
        size_t m = ids_find(&tr->managers, text(&t, i, cm));
        tr->n[m] += 1;
        tr->sum[m] += y;
        tr->sumsq[m] += y * y;
    }
}

/* ----------------------------------------------------------------- systems */

/* One scale, one wave, one quantity: the teams and the shown aggregates. */
typedef struct {
    const char *wave, *scale, *quantity;
    size_t n_teams;
    const char **team_id;
    double *team_n;
    bool *known;          /* its total is published */
    double *value;        /* its published total, when known */
    double *truth;        /* its true total; NAN without a truth */
    size_t n_aggs;
    const char **agg_name;
    double *agg_total;    /* published total */
    size_t **members;     /* [team] the aggregates holding it, NONE-terminated */
    double magnitude;     /* the largest published total: the scale of rounding */
} system_t;

typedef struct {
    size_t m, n;          /* rows (equations), columns (hidden teams) */
    size_t width;         /* n, or with --explain n + m: the combination of equations each row is */
    rat_t *a;             /* m × width */
    long double *rhs;
    size_t *col_team;     /* [column] team index */
    size_t *pivot;        /* [row] its pivot column, after the reduction */
    size_t rank;
} matrix_t;

#define A(M, i, j) ((M)->a[(i) * (M)->width + (j)])

static void reduce(matrix_t *M)
{
    size_t r = 0;
    M->pivot = xrealloc(NULL, (M->m + 1) * sizeof *M->pivot);
    for (size_t c = 0; c < M->n && r < M->m; c++) {
        size_t p = r;
        while (p < M->m && A(M, p, c).p == 0)
            p++;
        if (p == M->m)
            continue;
        if (p != r) {
            for (size_t j = 0; j < M->width; j++) {
                rat_t t = A(M, p, j);
                A(M, p, j) = A(M, r, j);
                A(M, r, j) = t;
            }
            long double t = M->rhs[p];
            M->rhs[p] = M->rhs[r];
            M->rhs[r] = t;
        }
        rat_t lead = A(M, r, c);
        if (!rat_is(lead, 1)) {
            for (size_t j = c; j < M->width; j++)
                if (A(M, r, j).p)
                    A(M, r, j) = rat_div(A(M, r, j), lead);
            M->rhs[r] /= rat_ld(lead);
        }
        for (size_t i = 0; i < M->m; i++) {
            if (i == r || A(M, i, c).p == 0)
                continue;
            rat_t f = A(M, i, c);
            for (size_t j = c; j < M->width; j++)
                if (A(M, r, j).p)
                    A(M, i, j) = rat_sub(A(M, i, j), rat_mul(f, A(M, r, j)));
            M->rhs[i] -= rat_ld(f) * M->rhs[r];
        }
        M->pivot[r++] = c;
    }
    M->rank = r;
}

/* Is the combination x (over columns) in the row space?  Its value then. */
static bool determined(const matrix_t *M, const rat_t *x, rat_t *scratch, long double *value)
{
    memcpy(scratch, x, M->n * sizeof *scratch);
    long double v = 0;
    for (size_t i = 0; i < M->rank; i++) {
        rat_t f = scratch[M->pivot[i]];
        if (f.p == 0)
            continue;
        for (size_t j = M->pivot[i]; j < M->n; j++)
            if (A(M, i, j).p)
                scratch[j] = rat_sub(scratch[j], rat_mul(f, A(M, i, j)));
        v += rat_ld(f) * M->rhs[i];
    }
    for (size_t j = 0; j < M->n; j++)
        if (scratch[j].p)
            return false;
    *value = v;
    return true;
}

typedef struct {
    const system_t *S;
    const matrix_t *M;
    long k;
    double tolerance;
    bool have_truth;
    size_t leaks, checked, wrong;
} verdict_t;

/* Compare a determined total with the truth of the columns x combines. */
static void check_truth(verdict_t *V, const rat_t *x, long double value, const char *what)
{
    if (!V->have_truth)
        return;
    long double t = 0;
    for (size_t j = 0; j < V->M->n; j++)
        if (x[j].p)
            t += rat_ld(x[j]) * V->S->truth[V->M->col_team[j]];
    V->checked++;
    if (fabsl(t - value) > V->tolerance) {
        V->wrong++;
        exit_wrong = 3;
        printf("wrong %s %s %s %s: determined %.10Lg, truth %.10Lg\n", V->S->wave, V->S->scale,
               V->S->quantity, what, value, t);
    }
}

static void print_teams(const verdict_t *V, const rat_t *x)
{
    size_t shown = 0;
    for (size_t j = 0; j < V->M->n; j++) {
        if (x[j].p == 0)
            continue;
        if (shown++ == 10) {
            printf(",...");
            break;
        }
        printf("%s%s", shown > 1 ? "," : " teams=", V->S->team_id[V->M->col_team[j]]);
    }
}

static void report_leak(verdict_t *V, const rat_t *x, double weight, long double value)
{
    V->leaks++;
    exit_found = 1;
    check_truth(V, x, value, "leak");
    if (V->leaks > LEAK_LINES)
        return;
    printf("leak %s %s %s n=%g value=%.10Lg", V->S->wave, V->S->scale, V->S->quantity, weight, value);
    if (V->have_truth) {
        long double t = 0;
        for (size_t j = 0; j < V->M->n; j++)
            if (x[j].p)
                t += rat_ld(x[j]) * V->S->truth[V->M->col_team[j]];
        printf(" truth=%.10Lg", t);
    }
    print_teams(V, x);
    if (explain) {
        /* the leak is Σ c_i row_i, c_i its value at row i's pivot; each row a combination of equations */
        const matrix_t *M = V->M;
        printf(" via=");
        bool first = true;
        for (size_t e = 0; e < M->m; e++) {
            rat_t l = ZERO;
            for (size_t i = 0; i < M->rank; i++)
                if (x[M->pivot[i]].p)
                    l = rat_add(l, rat_mul(x[M->pivot[i]], A(M, i, M->n + e)));
            if (l.p == 0)
                continue;
            printf("%s%s", first ? "" : ",", l.p > 0 ? "+" : "-");
            if (!rat_is(l, 1) && !rat_is(l, -1))
                printf("%lld/%lld*", (long long)(l.p > 0 ? l.p : -l.p), (long long)l.q);
            printf("%s", V->S->agg_name[e]);
            first = false;
        }
    }
    printf("\n");
}

/* Union-find over columns, for the parts of the small teams' span. */
static size_t find(size_t *up, size_t a)
{
    while (up[a] != a)
        a = up[a] = up[up[a]];
    return a;
}

/* One connected part of the small teams' span: its reduced rows, each as
 * its nonzero entries, and per row the columns no later row of the part
 * touches (their value is final once that row is decided). */
typedef struct {
    verdict_t *V;
    size_t n_rows;
    const size_t *row;                     /* [pos] row of M */
    const size_t *ent_start, *ent_col;     /* entries of pos: ent_start[pos] .. ent_start[pos + 1] */
    const rat_t *ent_val;
    const size_t *fin_start, *fin_col;     /* final columns of pos, likewise */
    rat_t *x;                              /* the running combination, over all columns */
    long steps;
    bool partial;
} search_t;

static void apply(search_t *s, size_t pos, bool add)
{
    for (size_t e = s->ent_start[pos]; e < s->ent_start[pos + 1]; e++)
        s->x[s->ent_col[e]] = add ? rat_add(s->x[s->ent_col[e]], s->ent_val[e])
                                  : rat_sub(s->x[s->ent_col[e]], s->ent_val[e]);
}

/* Every combination of the part's rows with coefficients 0 or 1 (the
 * values a 0/1 vector takes at the pivots) whose columns, as they become
 * final, are 0 or 1 and hold fewer than K respondents: at the end, a
 * determined group of fewer than K. */
static void search(search_t *s, size_t pos, double weight)
{
    if (s->partial)
        return;
    if (++s->steps > SEARCH_STEPS) {
        s->partial = true;
        return;
    }
    const matrix_t *M = s->V->M;
    const system_t *S = s->V->S;
    if (pos == s->n_rows) {
        if (weight > 0) {
            long double value = 0;
            for (size_t i = 0; i < s->n_rows; i++)
                if (s->x[M->pivot[s->row[i]]].p)
                    value += M->rhs[s->row[i]];
            report_leak(s->V, s->x, weight, value);
        }
        return;
    }
    for (int take = 0; take < 2; take++) {
        if (take)
            apply(s, pos, true);
        double w = weight;
        bool fine = true;
        for (size_t f = s->fin_start[pos]; fine && f < s->fin_start[pos + 1]; f++) {
            rat_t v = s->x[s->fin_col[f]];
            if (rat_is(v, 1))
                w += S->team_n[M->col_team[s->fin_col[f]]];
            else if (v.p != 0)
                fine = false;
        }
        if (fine && w < (double)s->V->k)
            search(s, pos + 1, w);
        if (take)
            apply(s, pos, false);
    }
}

/* Signature order of hidden teams (by the aggregates holding them). */
static const system_t *sig_system;
static int by_signature(const void *a, const void *b)
{
    const size_t *p = sig_system->members[*(const size_t *)a], *q = sig_system->members[*(const size_t *)b];
    for (;; p++, q++) {
        if (*p != *q)
            return *p < *q ? -1 : 1;
        if (*p == NONE)
            return strcmp(sig_system->team_id[*(const size_t *)a], sig_system->team_id[*(const size_t *)b]);
    }
}

static bool same_signature(const system_t *S, size_t a, size_t b)
{
    const size_t *p = S->members[a], *q = S->members[b];
    for (; *p == *q; p++, q++)
        if (*p == NONE)
            return true;
    return false;
}

static void attack_system(const system_t *S, long k, bool have_truth)
{
    /* the hidden teams as columns: those of k or more first, then the small ones */
    matrix_t M = {0};
    M.col_team = xrealloc(NULL, (S->n_teams + 1) * sizeof *M.col_team);
    size_t n_small = 0, n_empty = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t t = 0; t < S->n_teams; t++) {
            if (S->known[t] || S->team_n[t] == 0) {
                n_empty += pass == 0 && !S->known[t];
                continue;
            }
            bool small = S->team_n[t] < (double)k;
            if (small == (pass == 1)) {
                M.col_team[M.n++] = t;
                n_small += small;
            }
        }
    size_t *col_of = xrealloc(NULL, (S->n_teams + 1) * sizeof *col_of);
    for (size_t t = 0; t < S->n_teams; t++)
        col_of[t] = NONE;
    for (size_t j = 0; j < M.n; j++)
        col_of[M.col_team[j]] = j;

    /* one equation per shown aggregate */
    M.m = S->n_aggs;
    M.width = M.n + (explain ? M.m : 0);
    M.a = xrealloc(NULL, (M.m * M.width + 1) * sizeof *M.a);
    M.rhs = xrealloc(NULL, (M.m + 1) * sizeof *M.rhs);
    for (size_t i = 0; i < M.m * M.width; i++)
        M.a[i] = ZERO;
    for (size_t e = 0; explain && e < M.m; e++)
        A(&M, e, M.n + e) = ONE;
    for (size_t e = 0; e < M.m; e++)
        M.rhs[e] = S->agg_total[e];
    for (size_t t = 0; t < S->n_teams; t++)
        for (const size_t *e = S->members[t]; *e != NONE; e++) {
            if (S->known[t])
                M.rhs[*e] -= S->value[t];
            else if (col_of[t] != NONE)
                A(&M, *e, col_of[t]) = ONE;
        }

    verdict_t V = {.S = S, .M = &M, .k = k, .have_truth = have_truth,
                   .tolerance = 1e-8 * (S->magnitude > 1 ? S->magnitude : 1)};
    /* each equation against the truth */
    if (have_truth)
        for (size_t e = 0; e < M.m; e++) {
            long double t = 0;
            for (size_t j = 0; j < M.n; j++)
                if (A(&M, e, j).p)
                    t += S->truth[M.col_team[j]];
            V.checked++;
            if (fabsl(t - M.rhs[e]) > V.tolerance) {
                V.wrong++;
                exit_wrong = 3;
                printf("wrong %s %s %s equation %s: %.10Lg, truth %.10Lg\n", S->wave, S->scale, S->quantity,
                       S->agg_name[e], M.rhs[e], t);
            }
        }

    reduce(&M);
    /* a zero row must have a zero right-hand side: the tables agree */
    for (size_t i = M.rank; i < M.m; i++)
        if (fabsl(M.rhs[i]) > V.tolerance) {
            exit_wrong = 3;
            printf("wrong %s %s %s: the published totals disagree by %.10Lg\n", S->wave, S->scale, S->quantity,
                   M.rhs[i]);
        }
    rat_t *x = xrealloc(NULL, (M.n + 1) * sizeof *x), *scratch = xrealloc(NULL, (M.n + 1) * sizeof *scratch);
    /* each reduced row against the truth */
    for (size_t i = 0; i < M.rank; i++)
        check_truth(&V, &A(&M, i, 0), M.rhs[i], "reduced row");

    /* single teams: a team is determined when a reduced row is that team alone */
    size_t teams_determined = 0, small_teams_determined = 0;
    for (size_t i = 0; i < M.rank; i++) {
        size_t nonzero = 0;
        for (size_t j = M.pivot[i]; j < M.n && nonzero < 2; j++)
            nonzero += A(&M, i, j).p != 0;
        if (nonzero == 1) {
            teams_determined++;
            small_teams_determined += S->team_n[M.col_team[M.pivot[i]]] < (double)k;
        }
    }
    /* (a) the cells by signature */
    size_t *order = xrealloc(NULL, (M.n + 1) * sizeof *order);
    for (size_t j = 0; j < M.n; j++)
        order[j] = M.col_team[j];
    sig_system = S;
    qsort(order, M.n, sizeof *order, by_signature);
    size_t n_cells = 0, small_cells = 0, cells_determined = 0, small_determined = 0;
    for (size_t a = 0, b; a < M.n; a = b) {
        double w = 0;
        for (size_t c = 0; c < M.n; c++)
            x[c] = ZERO;
        for (b = a; b < M.n && same_signature(S, order[a], order[b]); b++) {
            w += S->team_n[order[b]];
            x[col_of[order[b]]] = ONE;
        }
        n_cells++;
        long double v = 0;
        bool constrained = S->members[order[a]][0] != NONE;
        bool det = constrained && determined(&M, x, scratch, &v);
        cells_determined += det;
        if (det)
            check_truth(&V, x, v, "cell");
        if (w < (double)k) {
            small_cells++;
            small_determined += det;
            printf("cell %s %s %s n=%g teams=%zu %s", S->wave, S->scale, S->quantity, w, b - a,
                   !constrained ? "in-no-published-total" : det ? "determined" : "undetermined");
            print_teams(&V, x);
            printf("\n");
        }
    }

    /* (b) the span of the small teams: reduced rows whose pivot is small */
    size_t first_small = M.n - n_small;
    size_t *up = xrealloc(NULL, (M.n + 1) * sizeof *up);
    for (size_t j = 0; j < M.n; j++)
        up[j] = j;
    size_t span = 0;
    for (size_t i = 0; i < M.rank; i++) {
        if (M.pivot[i] < first_small)
            continue;
        span++;
        for (size_t j = M.pivot[i] + 1; j < M.n; j++)
            if (A(&M, i, j).p)
                up[find(up, j)] = find(up, M.pivot[i]);
    }
    size_t *rows = xrealloc(NULL, (M.rank + 1) * sizeof *rows);
    size_t *ent_start = xrealloc(NULL, (M.rank + 2) * sizeof *ent_start);
    size_t *fin_start = xrealloc(NULL, (M.rank + 2) * sizeof *fin_start);
    size_t *last = xrealloc(NULL, (M.n + 1) * sizeof *last);
    size_t *fin_col = xrealloc(NULL, (M.n + 1) * sizeof *fin_col);
    size_t cap_ent = 64, *ent_col = xrealloc(NULL, cap_ent * sizeof *ent_col);
    rat_t *ent_val = xrealloc(NULL, cap_ent * sizeof *ent_val);
    bool *done = calloc(M.n + 1, 1);
    size_t parts = 0;
    bool partial = false;
    long steps = 0;
    for (size_t c = 0; c < M.n; c++)
        x[c] = ZERO;
    for (size_t i = 0; i < M.rank; i++) {
        if (M.pivot[i] < first_small || done[find(up, M.pivot[i])])
            continue;
        size_t root = find(up, M.pivot[i]);
        done[root] = true;
        size_t n_rows = 0, n_ent = 0;
        for (size_t r = i; r < M.rank; r++) {
            if (M.pivot[r] < first_small || find(up, M.pivot[r]) != root)
                continue;
            ent_start[n_rows] = n_ent;
            for (size_t j = M.pivot[r]; j < M.n; j++) {
                if (A(&M, r, j).p == 0)
                    continue;
                if (n_ent == cap_ent) {
                    cap_ent *= 2;
                    ent_col = xrealloc(ent_col, cap_ent * sizeof *ent_col);
                    ent_val = xrealloc(ent_val, cap_ent * sizeof *ent_val);
                }
                ent_col[n_ent] = j;
                ent_val[n_ent++] = A(&M, r, j);
                last[j] = n_rows;
            }
            rows[n_rows++] = r;
        }
        ent_start[n_rows] = n_ent;
        /* the part's columns bucketed by the last row touching them */
        size_t n_fin = 0;
        for (size_t pos = 0; pos < n_rows; pos++) {
            fin_start[pos] = n_fin;
            for (size_t j = first_small; j < M.n; j++)
                if (find(up, j) == root && last[j] == pos)
                    fin_col[n_fin++] = j;
        }
        fin_start[n_rows] = n_fin;
        search_t s = {.V = &V, .n_rows = n_rows, .row = rows, .ent_start = ent_start, .ent_col = ent_col,
                      .ent_val = ent_val, .fin_start = fin_start, .fin_col = fin_col, .x = x, .steps = steps};
        search(&s, 0, 0);
        steps = s.steps;
        partial |= s.partial;
        parts++;
    }
    free(ent_start);
    free(fin_start);
    free(last);
    free(fin_col);
    free(ent_col);
    free(ent_val);
    free(done);
    /* (a) and (b) must agree: a determined small cell or team is a group the search finds */
    if (!partial && V.leaks == 0 && (small_determined || small_teams_determined)) {
        exit_wrong = 3;
        printf("wrong %s %s %s: a small cell or team is determined, the search found no group\n", S->wave,
               S->scale, S->quantity);
    }
    printf("system %s %s %s: teams %zu, hidden %zu (%zu below %ld, %zu with n = 0), equations %zu, rank %zu, "
           "teams determined %zu, cells %zu (determined %zu), cells below %ld %zu (determined %zu), "
           "small span %zu in %zu parts, search %s, leaks %zu",
           S->wave, S->scale, S->quantity, S->n_teams, M.n + n_empty, n_small, k, n_empty, M.m, M.rank,
           teams_determined, n_cells, cells_determined, k, small_cells, small_determined, span, parts,
           partial ? "partial" : "complete", V.leaks);
    if (have_truth)
        printf(", truth checks %zu (wrong %zu)", V.checked, V.wrong);
    printf("\n");
    free(up);
    free(rows);
    free(order);
    free(x);
    free(scratch);
    free(col_of);
    free(M.a);
    free(M.rhs);
    free(M.col_team);
    free(M.pivot);
}

/* ----------------------------------------------------------------- assembly */

typedef struct {
    const char *outdir;
    long k;
    long unit_depth;      /* 0: the roster's units */
    roster_t roster;
    table_t managers, leaders, units, scales, changes, variance;
    bool have_leaders, have_units, have_scales, have_changes, have_variance;
    truth_t truth, truth_previous;
    bool have_truth, have_truth_previous;
} attack_t;

static const char *prefixed(const char *kind, const char *name)
{
    char *s = xrealloc(NULL, strlen(kind) + strlen(name) + 1);
    strcpy(s, kind);
    strcat(s, name);
    return s;
}

static void shown_small(const char *what, const char *scale, const char *id, double n, long k)
{
    if (n > 0 && n < (double)k) {
        exit_found = 1;
        printf("shown %s %s %s n=%g below %ld\n", what, scale, id, n, k);
    }
}

/* Σy and Σy² of a group from its published n, mean and sd. */
static double total_of(double n, double mean, double sd, bool squares)
{
    if (!squares)
        return n * mean;
    return (n > 1 ? (n - 1) * sd * sd : 0) + n * mean * mean;
}

static void mismatch(const char *table, const char *scale, const char *id, double got, double want)
{
    exit_wrong = 3;
    printf("wrong %s %s %s: n %g, its teams hold %g\n", table, scale, id, got, want);
}

/* The node a team's unit is named by, with --unit-depth. */
static const char *depth_unit(const attack_t *at, size_t m)
{
    const roster_t *r = &at->roster;
    if (r->depth[m] <= (size_t)at->unit_depth)
        return r->nodes.id[m];
    size_t u = m;
    while (r->depth[u] > (size_t)at->unit_depth)
        u = r->parent[u];
    return r->nodes.id[u];
}

static void attack_current(attack_t *at, const char *scale, bool squares)
{
    const roster_t *r = &at->roster;
    const char *path = "managers.csv";
    table_t *mt = &at->managers;
    long m_scale = column(mt, "scale", path, true), m_id = column(mt, "manager_id", path, true);
    long m_n = column(mt, "n", path, true), m_mean = column(mt, "mean", path, true);
    long m_sd = column(mt, "sd", path, true), m_sup = column(mt, "suppressed", path, true);
    system_t S = {.wave = "current", .scale = scale, .quantity = squares ? "sumsq" : "sum"};
    size_t cap = mt->n_rows;
    S.team_id = xrealloc(NULL, cap * sizeof *S.team_id);
    S.team_n = xrealloc(NULL, cap * sizeof *S.team_n);
    S.known = xrealloc(NULL, cap * sizeof *S.known);
    S.value = xrealloc(NULL, cap * sizeof *S.value);
    S.truth = xrealloc(NULL, cap * sizeof *S.truth);
    S.members = xrealloc(NULL, cap * sizeof *S.members);
    size_t *node = xrealloc(NULL, cap * sizeof *node);
    for (size_t i = 1; i < mt->n_rows; i++) {
        if (strcmp(text(mt, i, m_scale), scale) != 0)
            continue;
        size_t t = S.n_teams++;
        S.team_id[t] = text(mt, i, m_id);
        node[t] = ids_find(&r->nodes, S.team_id[t]);
        S.team_n[t] = number(mt, i, m_n);
        S.known[t] = number(mt, i, m_sup) == 0;
        if (S.known[t]) {
            S.value[t] = total_of(S.team_n[t], number(mt, i, m_mean), number(mt, i, m_sd), squares);
            if (!squares)
                shown_small("team", scale, S.team_id[t], S.team_n[t], at->k);
        }
        S.truth[t] = NAN;
        if (at->have_truth) {
            size_t tm = ids_find(&at->truth.managers, S.team_id[t]);
            double tn = tm == NONE ? 0 : at->truth.n[tm];
            if (tn != S.team_n[t])
                mismatch("truth", scale, S.team_id[t], tn, S.team_n[t]);
            S.truth[t] = tm == NONE ? 0 : squares ? at->truth.sumsq[tm] : at->truth.sum[tm];
        }
    }
    /* a shown change row publishes the team's current mean (not its sd) */
    if (at->have_changes && !squares) {
        table_t *ct = &at->changes;
        long c_scale = column(ct, "scale", "changes.csv", true), c_id = column(ct, "manager_id", "changes.csv", true);
        long c_n = column(ct, "n", "changes.csv", true), c_mean = column(ct, "mean", "changes.csv", true);
        long c_sup = column(ct, "suppressed", "changes.csv", true);
        for (size_t i = 1; i < ct->n_rows; i++) {
            if (strcmp(text(ct, i, c_scale), scale) != 0 || number(ct, i, c_sup) != 0)
                continue;
            for (size_t t = 0; t < S.n_teams; t++)
                if (strcmp(S.team_id[t], text(ct, i, c_id)) == 0 && !S.known[t]) {
                    S.known[t] = true;
                    S.value[t] = number(ct, i, c_n) * number(ct, i, c_mean);
                    shown_small("change", scale, S.team_id[t], S.team_n[t], at->k);
                }
        }
    }

    /* the aggregates: the company, each org, each unit; kept when shown */
    size_t n_nodes = r->nodes.n;
    size_t *org_agg = xrealloc(NULL, (n_nodes + 1) * sizeof *org_agg);
    double *org_n = calloc(n_nodes + 1, sizeof *org_n);
    bool *is_leader = calloc(n_nodes + 1, 1);
    for (size_t v = 0; v < n_nodes; v++)
        org_agg[v] = NONE;
    size_t agg_cap = 2 + (at->have_leaders ? at->leaders.n_rows : 0) + (at->have_units ? at->units.n_rows : 0);
    S.agg_name = xrealloc(NULL, agg_cap * sizeof *S.agg_name);
    S.agg_total = xrealloc(NULL, agg_cap * sizeof *S.agg_total);
    size_t company = NONE;
    double teams_n = 0, company_mean = NAN;
    for (size_t t = 0; t < S.n_teams; t++)
        teams_n += S.team_n[t];
    double company_n = teams_n;
    if (at->have_leaders) {
        table_t *lt = &at->leaders;
        const char *lp = "leaders.csv";
        long l_scale = column(lt, "scale", lp, true), l_id = column(lt, "leader_id", lp, true);
        long l_n = column(lt, "n", lp, true), l_mean = column(lt, "mean", lp, true);
        long l_sd = column(lt, "sd", lp, true), l_sup = column(lt, "suppressed", lp, true);
        for (size_t i = 1; i < lt->n_rows; i++) {
            if (strcmp(text(lt, i, l_scale), scale) != 0)
                continue;
            const char *id = text(lt, i, l_id);
            double n = number(lt, i, l_n);
            bool shown = number(lt, i, l_sup) == 0;
            size_t v = *id ? ids_find(&r->nodes, id) : NONE;
            if (*id && v == NONE)
                die("leaders.csv names a leader the roster does not", id);
            if (*id) {
                is_leader[v] = true;
                org_n[v] = n;
            } else {
                company_n = n;
                company_mean = number(lt, i, l_mean);
                if (n != teams_n)
                    mismatch(lp, scale, "company", n, teams_n);
            }
            if (!shown)
                continue;
            shown_small("org", scale, *id ? id : "company", n, at->k);
            size_t e = S.n_aggs++;
            S.agg_name[e] = *id ? prefixed("org:", id) : "company";
            S.agg_total[e] = total_of(n, number(lt, i, l_mean), number(lt, i, l_sd), squares);
            if (*id)
                org_agg[v] = e;
            else
                company = e;
        }
    }
    if (at->have_scales) {
        table_t *st = &at->scales;
        const char *sp = "scales.csv";
        long s_scale = column(st, "scale", sp, true), s_n = column(st, "respondents", sp, true);
        long s_mean = column(st, "mean", sp, true), s_sd = column(st, "sd", sp, true);
        for (size_t i = 1; i < st->n_rows; i++) {
            if (strcmp(text(st, i, s_scale), scale) != 0 || isnan(number(st, i, s_mean)))
                continue;
            double n = number(st, i, s_n), mean = number(st, i, s_mean);
            if (n != teams_n)
                mismatch(sp, scale, "company", n, teams_n);
            if (company != NONE) {
                if (fabs(mean - company_mean) > 1e-9 * fabs(mean) + 1e-12)
                    mismatch("scales.csv mean", scale, "company", mean, company_mean);
                continue;
            }
            shown_small("company", scale, "scales.csv", n, at->k);
            company = S.n_aggs++;
            S.agg_name[company] = "company";
            S.agg_total[company] = total_of(n, mean, number(st, i, s_sd), squares);
        }
    }
    /* units */
    ids_t unit_names = {0};
    size_t *unit_agg = NULL;
    double *unit_n = NULL, *unit_published_n = NULL;
    if (at->have_units) {
        table_t *ut = &at->units;
        const char *up = "units.csv";
        long u_scale = column(ut, "scale", up, true), u_id = column(ut, "unit", up, true);
        long u_n = column(ut, "n", up, true), u_mean = column(ut, "mean", up, true);
        long u_sd = column(ut, "sd", up, true), u_sup = column(ut, "suppressed", up, true);
        for (size_t i = 1; i < ut->n_rows; i++)
            if (strcmp(text(ut, i, u_scale), scale) == 0)
                ids_add(&unit_names, text(ut, i, u_id));
        ids_seal(&unit_names);
        unit_agg = xrealloc(NULL, (unit_names.n + 1) * sizeof *unit_agg);
        unit_n = calloc(unit_names.n + 1, sizeof *unit_n);
        unit_published_n = calloc(unit_names.n + 1, sizeof *unit_published_n);
        for (size_t i = 1; i < ut->n_rows; i++) {
            if (strcmp(text(ut, i, u_scale), scale) != 0)
                continue;
            size_t u = ids_find(&unit_names, text(ut, i, u_id));
            unit_agg[u] = NONE;
            unit_published_n[u] = number(ut, i, u_n);
            if (number(ut, i, u_sup) != 0)
                continue;
            shown_small("unit", scale, unit_names.id[u], unit_published_n[u], at->k);
            unit_agg[u] = S.n_aggs++;
            S.agg_name[unit_agg[u]] = prefixed("unit:", unit_names.id[u]);
            S.agg_total[unit_agg[u]] = total_of(unit_published_n[u], number(ut, i, u_mean),
                                                number(ut, i, u_sd), squares);
        }
    }
    S.magnitude = 0;
    for (size_t e = 0; e < S.n_aggs; e++)
        if (fabs(S.agg_total[e]) > S.magnitude)
            S.magnitude = fabs(S.agg_total[e]);

    /* each team's aggregates: its unit, every org above (its manager's included), the company */
    double *org_sum = calloc(n_nodes + 1, sizeof *org_sum);
    for (size_t t = 0; t < S.n_teams; t++) {
        size_t len = 0, cap_m = 4;
        size_t *list = xrealloc(NULL, cap_m * sizeof *list);
        if (company != NONE)
            list[len++] = company;
        if (at->have_units) {
            const char *name = node[t] == NONE ? ""
                               : at->unit_depth ? depth_unit(at, node[t]) : r->unit[node[t]];
            size_t u = ids_find(&unit_names, name);
            if (u == NONE) {
                if (S.team_n[t] > 0)
                    die("a team's unit is not in units.csv", name);
            } else {
                unit_n[u] += S.team_n[t];
                if (unit_agg[u] != NONE)
                    list[len++] = unit_agg[u];
            }
        }
        for (size_t v = node[t]; v != NONE; v = r->parent[v]) {
            org_sum[v] += S.team_n[t];
            if (org_agg[v] != NONE) {
                if (len + 2 > cap_m)
                    list = xrealloc(list, (cap_m *= 2) * sizeof *list);
                list[len++] = org_agg[v];
            }
        }
        if (len + 1 > cap_m)
            list = xrealloc(list, (cap_m + 1) * sizeof *list);
        /* sorted, for the signatures */
        for (size_t a = 1; a < len; a++)
            for (size_t b = a; b > 0 && list[b - 1] > list[b]; b--) {
                size_t tmp = list[b];
                list[b] = list[b - 1];
                list[b - 1] = tmp;
            }
        list[len] = NONE;
        S.members[t] = list;
    }
    /* the tree and the units as the tables count them */
    for (size_t v = 0; v < n_nodes; v++)
        if (is_leader[v] && org_n[v] != org_sum[v])
            mismatch("leaders.csv", scale, r->nodes.id[v], org_n[v], org_sum[v]);
    for (size_t u = 0; u < unit_names.n; u++)
        if (unit_published_n[u] != unit_n[u])
            mismatch("units.csv", scale, unit_names.id[u], unit_published_n[u], unit_n[u]);

    if (company_n >= (double)at->k)
        attack_system(&S, at->k, at->have_truth);
    else
        printf("system %s %s %s: fewer than %ld respondents, nothing published\n", S.wave, scale, S.quantity,
               at->k);

    for (size_t t = 0; t < S.n_teams; t++)
        free(S.members[t]);
    free(S.members);
    free(S.team_id);
    free(S.team_n);
    free(S.known);
    free(S.value);
    free(S.truth);
    free(S.agg_name);
    free(S.agg_total);
    free(node);
    free(org_agg);
    free(org_n);
    free(org_sum);
    free(is_leader);
    free(unit_names.id);
    free(unit_agg);
    free(unit_n);
    free(unit_published_n);
}

/* The previous wave: its teams are the change rows; what it publishes is
 * each shown row's mean_previous and variance.csv's company mean. */
static void attack_previous(attack_t *at, const char *scale)
{
    table_t *ct = &at->changes, *vt = &at->variance;
    const char *cp = "changes.csv", *vp = "variance.csv";
    long c_scale = column(ct, "scale", cp, true), c_id = column(ct, "manager_id", cp, true);
    long c_n = column(ct, "n_previous", cp, true), c_mean = column(ct, "mean_previous", cp, true);
    long c_sup = column(ct, "suppressed", cp, true);
    long v_scale = column(vt, "scale", vp, true);
    long v_n = column(vt, "company_respondents_previous", vp, true);
    long v_mean = column(vt, "company_mean_previous", vp, true);
    system_t S = {.wave = "previous", .scale = scale, .quantity = "sum"};
    size_t cap = ct->n_rows;
    S.team_id = xrealloc(NULL, cap * sizeof *S.team_id);
    S.team_n = xrealloc(NULL, cap * sizeof *S.team_n);
    S.known = xrealloc(NULL, cap * sizeof *S.known);
    S.value = xrealloc(NULL, cap * sizeof *S.value);
    S.truth = xrealloc(NULL, cap * sizeof *S.truth);
    S.members = xrealloc(NULL, cap * sizeof *S.members);
    static size_t in_company[2] = {0, NONE}, in_nothing[1] = {NONE};
    double company_n = NAN, company_mean = NAN, teams_n = 0;
    for (size_t i = 1; i < vt->n_rows; i++)
        if (strcmp(text(vt, i, v_scale), scale) == 0) {
            company_n = number(vt, i, v_n);
            company_mean = number(vt, i, v_mean);
        }
    for (size_t i = 1; i < ct->n_rows; i++) {
        if (strcmp(text(ct, i, c_scale), scale) != 0)
            continue;
        size_t t = S.n_teams++;
        S.team_id[t] = text(ct, i, c_id);
        S.team_n[t] = number(ct, i, c_n);
        teams_n += S.team_n[t];
        S.known[t] = number(ct, i, c_sup) == 0;
        if (S.known[t]) {
            S.value[t] = S.team_n[t] * number(ct, i, c_mean);
            shown_small("change-previous", scale, S.team_id[t], S.team_n[t], at->k);
        }
        S.members[t] = isnan(company_mean) ? in_nothing : in_company;
        S.truth[t] = NAN;
        if (at->have_truth_previous) {
            size_t tm = ids_find(&at->truth_previous.managers, S.team_id[t]);
            double tn = tm == NONE ? 0 : at->truth_previous.n[tm];
            if (tn != S.team_n[t])
                mismatch("truth-previous", scale, S.team_id[t], tn, S.team_n[t]);
            S.truth[t] = tm == NONE ? 0 : at->truth_previous.sum[tm];
        }
    }
    const char *names[1] = {"company"};
    double totals[1] = {company_n * company_mean};
    S.agg_name = names;
    S.agg_total = totals;
    S.n_aggs = isnan(company_mean) ? 0 : 1;
    S.magnitude = S.n_aggs ? fabs(totals[0]) : 0;
    if (!isnan(company_n) && company_n != teams_n)
        mismatch("changes.csv", scale, "previous company", company_n, teams_n);
    if (!isnan(company_mean))
        shown_small("company-previous", scale, "variance.csv", company_n, at->k);
    attack_system(&S, at->k, at->have_truth_previous);
    free(S.team_id);
    free(S.team_n);
    free(S.known);
    free(S.value);
    free(S.truth);
    free(S.members);
}

static void usage(void)
{
    fprintf(stderr, "usage: tree_attack OUTDIR --roster FILE --min-group K [--unit-depth D]\n"
                    "                   [--truth FILE] [--truth-previous FILE] [--explain]\n"
                    "                   [--reverse ITEMS] [--min A] [--max B] [--min-answered P]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    attack_t at = {0};
    const char *roster = NULL, *truth = NULL, *truth_previous = NULL;
    scoring_t sc = {.reverse = "", .min = 1, .max = 5, .min_answered = 0.5};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            if (at.outdir)
                usage();
            at.outdir = a;
            continue;
        }
        if (strcmp(a, "--explain") == 0) {
            explain = true;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (strcmp(a, "--roster") == 0)
            roster = v;
        else if (strcmp(a, "--min-group") == 0)
            at.k = strtol(v, NULL, 10);
        else if (strcmp(a, "--unit-depth") == 0)
            at.unit_depth = strtol(v, NULL, 10);
        else if (strcmp(a, "--truth") == 0)
            truth = v;
        else if (strcmp(a, "--truth-previous") == 0)
            truth_previous = v;
        else if (strcmp(a, "--reverse") == 0)
            sc.reverse = v;
        else if (strcmp(a, "--min") == 0)
            sc.min = strtod(v, NULL);
        else if (strcmp(a, "--max") == 0)
            sc.max = strtod(v, NULL);
        else if (strcmp(a, "--min-answered") == 0)
            sc.min_answered = strtod(v, NULL);

        else
            usage();
    }
    if (!at.outdir || !roster || at.k < 1 || at.unit_depth < 0)
        usage();
    char path[4096];
#define TABLE(field, have, name)                                         \
    snprintf(path, sizeof path, "%s/%s", at.outdir, name);              \
    at.have = read_table(path, &at.field);
    bool have_managers;
    snprintf(path, sizeof path, "%s/managers.csv", at.outdir);
    have_managers = read_table(path, &at.managers);
    if (!have_managers)
        die("cannot read managers.csv in", at.outdir);
    TABLE(changes, have_changes, "changes.csv")
    TABLE(leaders, have_leaders, "leaders.csv")
    TABLE(units, have_units, "units.csv")
    TABLE(scales, have_scales, "scales.csv")
    TABLE(variance, have_variance, "variance.csv")
#undef TABLE
    const table_t *extra[2] = {&at.managers, at.have_leaders ? &at.leaders : NULL};
    long extra_col[2] = {column(&at.managers, "manager_id", "managers.csv", true),
                         at.have_leaders ? column(&at.leaders, "leader_id", "leaders.csv", true) : -1};
    roster_read(&at.roster, roster, extra, 2, extra_col);
    if (truth) {
        truth_read(&at.truth, truth, &sc);
        at.have_truth = true;
    }
    if (truth_previous) {
        truth_read(&at.truth_previous, truth_previous, &sc);
        at.have_truth_previous = true;
    }
    /* the scales, in managers.csv's order */
    long m_scale = column(&at.managers, "scale", "managers.csv", true);
    for (size_t i = 1; i < at.managers.n_rows; i++) {
        const char *scale = text(&at.managers, i, m_scale);
        if (i > 1 && strcmp(scale, text(&at.managers, i - 1, m_scale)) == 0)
            continue;
        if (at.have_truth && i > 1)
            die("--truth scores one scale; managers.csv holds several", NULL);
        attack_current(&at, scale, false);
        attack_current(&at, scale, true);
        if (at.have_changes && at.have_variance)
            attack_previous(&at, scale);
    }
    return exit_wrong ? exit_wrong : exit_found;
}
