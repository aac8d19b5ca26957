/*
 * report/view.c — the published view (view.h): the privacy decision, then
 * every figure and list the writers render, computed over what is shown.
 *
 * Cost per scale: the decomposition over the shown managers (O(managers),
 * the REML fit O(distinct team sizes) per step; with units the nested fit,
 * O(managers) per step), one sort of the shown
 * managers by mean and one of each side's stand-outs (with a reporting
 * tree, one of the shown leaders of its top levels); and per item the
 * heatmap's rules (a privacy_levels() sort of the teams, or the tree's
 * dynamic programme) and its decomposition, O(managers log managers) or
 * O(nodes · min_group²).  Owns every array it allocates; see view.h.
 */
#include "view.h"

#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "../core/progress.h"
#include "enps_table.h"
#include "figures.h"

/* The heatmap's items are decided on two threads from this many teams. */
enum { VIEW_PARALLEL_TEAMS = 4096 };

bool view_manager_shown(const view_t *view, size_t s, size_t j)
{
    return !privacy_hidden(view->privacy, s, j);
}

bool view_unit_shown(const view_t *view, size_t s, size_t u)
{
    return !privacy_unit_hidden(view->privacy, s, u);
}

bool view_change_shown(const view_t *view, size_t s, size_t i)
{
    return !privacy_change_hidden(view->privacy, s, i);
}

bool view_leader_shown(const view_t *view, size_t s, size_t r)
{
    return view->leaders && view->scales[s].leader_reason[r] == PRIVACY_SHOWN;
}

unsigned view_split_caution(const analysis_variance_t *v)
{
    if (!isfinite(v->icc_reml))
        return 0;
    unsigned caution = 0;
    if (v->managers < VIEW_FEW_MANAGERS)
        caution |= VIEW_CAUTION_FEW_MANAGERS;
    double width = v->icc1_ci_high - v->icc1_ci_low;   /* NAN without an interval */
    if (isfinite(width) && width > VIEW_WIDE_INTERVAL)
        caution |= VIEW_CAUTION_WIDE_INTERVAL;
    return caution;
}

analysis_funnel_t view_funnel(const view_t *view, size_t s, size_t j)
{
    const view_scale_t *vs = &view->scales[s];
    if (!view_manager_shown(view, s, j)) {
        analysis_funnel_t none = { NAN, NAN, NAN, NAN, ANALYSIS_WITHIN };
        return none;
    }
    const analysis_manager_t *am = &vs->results->managers[j];
    return analysis_funnel(&vs->variance, am->n, am->mean);
}

typedef struct {
    double key;
    size_t j;
} view_key_t;

/* Larger key first, then lower manager index: a total order. */
static int by_key_descending(const void *a, const void *b)
{
    const view_key_t *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->j < y->j ? -1 : x->j > y->j;
}

/* From this many keys on, sorted_indices sorts by the keys' bytes. */
enum { VIEW_RADIX_KEYS = 1024 };

/* A finite key as 64 bits whose unsigned order is by_key_descending's
 * (larger keys first; -0 as 0). */
static uint64_t descending_code(double key)
{
    uint64_t bits;
    key = key == 0.0 ? 0.0 : key;
    memcpy(&bits, &key, sizeof bits);
    bits = bits >> 63 ? ~bits : bits | UINT64_C(1) << 63;   /* ascending */
    return ~bits;
}

typedef struct {
    uint64_t code;
    size_t j;
} view_code_t;

/* The j of keys (given in increasing j) in by_key_descending's order into
 * out: a radix sort on the codes, a byte at a time from the lowest, each
 * pass stable, so equal keys keep their order of j.  False, with nothing
 * written, when a key is not finite or memory runs out. */
static bool radix_indices(const view_key_t *keys, size_t n, size_t *out)
{
    view_code_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    bool ok = a && b;
    for (size_t i = 0; ok && i < n; i++) {
        ok = isfinite(keys[i].key);
        a[i] = (view_code_t){ descending_code(keys[i].key), keys[i].j };
    }
    for (int shift = 0; ok && shift < 64; shift += 8) {
        size_t start[257] = { 0 };
        for (size_t i = 0; i < n; i++)
            start[(a[i].code >> shift & 0xff) + 1]++;
        if (start[(a[0].code >> shift & 0xff) + 1] == n)
            continue;   /* every key has this byte */
        for (size_t v = 0; v < 256; v++)
            start[v + 1] += start[v];
        for (size_t i = 0; i < n; i++)
            b[start[a[i].code >> shift & 0xff]++] = a[i];
        view_code_t *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; ok && i < n; i++)
        out[i] = a[i].j;
    free(a);
    free(b);
    return ok;
}

/* The j of the first n entries of keys (given in increasing j), sorted
 * by by_key_descending, into out (malloc'd, never NULL on success). */
static size_t *sorted_indices(view_key_t *keys, size_t n)
{
    size_t *out = malloc((n ? n : 1) * sizeof *out);
    if (!out || (n >= VIEW_RADIX_KEYS && radix_indices(keys, n, out)))
        return out;
    qsort(keys, n, sizeof *keys, by_key_descending);
    for (size_t i = 0; i < n; i++)
        out[i] = keys[i].j;
    return out;
}

/* The ranking and the stand-out lists of one scale. */
static bool rank_managers(view_t *view, size_t s)
{
    view_scale_t *vs = &view->scales[s];
    const analysis_scale_t *sc = vs->results;
    size_t M = sc->n_managers;
    view_key_t *rank = malloc((M ? M : 1) * sizeof *rank);
    view_key_t *above = malloc((M ? M : 1) * sizeof *above);
    view_key_t *below = malloc((M ? M : 1) * sizeof *below);
    bool ok = rank && above && below;
    size_t n = 0, na = 0, nb = 0;
    for (size_t j = 0; ok && j < M; j++) {
        const analysis_manager_t *am = &sc->managers[j];
        if (!view_manager_shown(view, s, j) || am->n == 0 || !isfinite(am->mean))
            continue;
        rank[n++] = (view_key_t){ am->mean, j };
        analysis_funnel_t f = view_funnel(view, s, j);
        double z = (am->mean - vs->variance.grand_mean) * sqrt((double)am->n);
        if (f.stands_out == ANALYSIS_ABOVE)
            above[na++] = (view_key_t){ z, j };
        else if (f.stands_out == ANALYSIS_BELOW)
            below[nb++] = (view_key_t){ -z, j };
    }
    if (ok) {
        vs->n_ranked = n;
        vs->n_above = na;
        vs->n_below = nb;
        vs->ranked = sorted_indices(rank, n);
        vs->above = sorted_indices(above, na);
        vs->below = sorted_indices(below, nb);
        ok = vs->ranked && vs->above && vs->below;
    }
    free(rank);
    free(above);
    free(below);
    return ok;
}

typedef struct {
    double mean;
    const char *id;
    size_t row;
} view_leader_key_t;

/* Higher mean first, then leader_id in byte order (then row: ids are
 * unique, so this only makes the order total). */
static int by_leader_mean(const void *a, const void *b)
{
    const view_leader_key_t *x = a, *y = b;
    if (x->mean != y->mean)
        return x->mean > y->mean ? -1 : 1;
    int c = strcmp(x->id, y->id);
    if (c != 0)
        return c;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* The shown leaders of the top VIEW_TOP_DEPTH levels of one scale, ranked,
 * and the hidden ones counted (view.h). */
static bool rank_top_leaders(view_t *view, const org_t *org, size_t s)
{
    view_scale_t *vs = &view->scales[s];
    const leaders_t *l = view->leaders;
    size_t R = org && l ? l->n_rows : 0, top = 0;
    for (size_t r = 1; r < R; r++)
        top += org_depth(org, l->node[r]) <= VIEW_TOP_DEPTH;
    vs->top_leaders = malloc((top ? top : 1) * sizeof *vs->top_leaders);
    view_leader_key_t *keys = malloc((top ? top : 1) * sizeof *keys);
    bool ok = vs->top_leaders && keys;
    size_t n = 0;
    for (size_t r = 1; ok && r < R; r++) {
        if (org_depth(org, l->node[r]) > VIEW_TOP_DEPTH)
            continue;
        if (view_leader_shown(view, s, r)) {
            const char *id = org_id(org, l->node[r]);
            keys[n++] = (view_leader_key_t){ l->scales[s].orgs[r].mean, id ? id : "", r };
        } else if (vs->leader_reason[r] == PRIVACY_PRIMARY) {
            vs->top_hidden_primary++;
        } else {
            vs->top_hidden_secondary++;
        }
    }
    if (ok) {
        qsort(keys, n, sizeof *keys, by_leader_mean);
        for (size_t i = 0; i < n; i++)
            vs->top_leaders[i] = keys[i].row;
        vs->n_top_leaders = n;
    }
    free(keys);
    return ok;
}

/* The decomposition of one wave over the managers include marks. */
static bool decompose(const analysis_scale_t *sc, const bool *include, analysis_variance_t *out)
{
    out->alpha = sc->variance.alpha;
    return analysis_decompose(sc->managers, sc->n_managers, include, out) == ENGAGE_OK;
}

/* The previous wave's part of one scale's view. */
static bool view_changes(view_t *view, const report_input_t *in, size_t s, size_t k)
{
    view_scale_t *vs = &view->scales[s];
    const changes_scale_t *cs = &in->changes->scales[s];
    const analysis_scale_t *previous = cs->previous_scale;
    vs->changes = cs;
    vs->change_decision = &view->privacy->changes[s];
    vs->previous_suppressed = cs->previous.n < k;
    vs->change_suppressed = vs->change_decision->summary.scale_suppressed;

    bool *include = calloc(previous->n_managers ? previous->n_managers : 1, sizeof *include);
    vs->notable = malloc((cs->n_rows ? cs->n_rows : 1) * sizeof *vs->notable);
    if (!include || !vs->notable) {
        free(include);
        return false;
    }
    for (size_t i = 0; i < cs->n_rows; i++)
        if (view_change_shown(view, s, i) && cs->rows[i].previous_manager != CHANGES_ABSENT)
            include[cs->rows[i].previous_manager] = true;
    bool ok = decompose(previous, include, &vs->variance_previous);
    free(include);
    vs->n_notable = figures_notable_changes(cs, vs->change_decision, vs->notable, &vs->n_tested);
    return ok;
}

/* The tree rule of one scale (privacy_tree(), README.md "Privacy: what is
 * published"): its nodes are tree_nodes(), each with the team of
 * respondents it manages.  A
 * team goes in shown when managers.csv or its change row publishes it; a
 * team the rule hides is then hidden in both.  The org decision of the
 * leaders' rows (their orgs published: one of the leader's own team alone
 * hidden whenever that team is) is kept for leaders.csv. */
static engage_status_t view_tree(view_t *view, const report_input_t *in, size_t s, engage_error_t *err)
{
    const leaders_t *l = view->leaders;
    const org_t *org = dataset_org(in->dataset);
    const analysis_scale_t *sc = &in->results->scales[s];
    privacy_scale_t *ps = &view->privacy->scales[s];
    bool with_rows = in->changes && s < in->changes->n_scales && s < view->privacy->n_change_scales;
    const changes_scale_t *cs = with_rows ? &in->changes->scales[s] : NULL;
    unsigned char *row_reason = with_rows ? view->privacy->changes[s].reason : NULL;
    size_t M = sc->n_managers, V = org_size(org), R = l->n_rows, cap = R + M;
    size_t *manager_node = malloc((M ? M : 1) * sizeof *manager_node);
    size_t *row_of_node = malloc((V ? V : 1) * sizeof *row_of_node);
    size_t *node_of_manager = malloc((M ? M : 1) * sizeof *node_of_manager);
    size_t *change_row = malloc((M ? M : 1) * sizeof *change_row);
    size_t *parent = malloc(cap * sizeof *parent), *team_n = calloc(cap, sizeof *team_n);
    size_t *org_n = malloc(cap * sizeof *org_n);
    unsigned char *team_reason = malloc(cap), *org_reason = malloc(cap);
    view->scales[s].leader_reason = malloc(R ? R : 1);
    engage_status_t st = ENGAGE_OK;
    if (!manager_node || !row_of_node || !node_of_manager || !change_row || !parent || !team_n || !org_n ||
        !team_reason || !org_reason || !view->scales[s].leader_reason) {
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    size_t nodes = leaders_tree_nodes(l, in->dataset, manager_node, row_of_node, parent, node_of_manager);
    memset(team_reason, PRIVACY_SHOWN, nodes);
    /* the company's own team: nobody (managers the tree lacks are nodes) */
    team_reason[0] = PRIVACY_SECONDARY;
    for (size_t j = 0; j < M; j++)
        change_row[j] = SIZE_MAX;
    for (size_t i = 0; cs && i < cs->n_rows; i++)
        if (cs->rows[i].current_manager != CHANGES_ABSENT)
            change_row[cs->rows[i].current_manager] = i;
    for (size_t j = 0; j < M; j++) {
        size_t node = node_of_manager[j];
        team_n[node] += sc->managers[j].n;
        bool published = ps->reason[j] == PRIVACY_SHOWN ||
                         (change_row[j] != SIZE_MAX && row_reason[change_row[j]] == PRIVACY_SHOWN);
        if (!published)
            team_reason[node] = ps->reason[j] != PRIVACY_SHOWN ? ps->reason[j] : PRIVACY_SECONDARY;
    }
    privacy_tree_t tree = { .n_nodes = nodes, .parent = parent, .team_n = team_n,
                            .team_reason = team_reason, .org_reason = org_reason, .org_n = org_n,
                            .published_orgs = R };
    st = privacy_tree(&tree, view->smallest_shown, NULL, err);
    if (st != ENGAGE_OK)
        goto done;
    memcpy(view->scales[s].leader_reason, org_reason, R);
    for (size_t j = 0; j < M; j++) {
        if (team_reason[node_of_manager[j]] == PRIVACY_SHOWN)
            continue;
        if (ps->reason[j] == PRIVACY_SHOWN)
            ps->reason[j] = PRIVACY_SECONDARY;
        if (change_row[j] != SIZE_MAX && row_reason[change_row[j]] == PRIVACY_SHOWN)
            row_reason[change_row[j]] = PRIVACY_SECONDARY;
    }
    if (in->units && ps->unit_reason)
        st = privacy_tree_units(in->units, M, team_n, ps->unit_reason, R, nodes, parent, org_reason,
                                team_reason, node_of_manager, view->smallest_shown, err);
    if (st == ENGAGE_OK)
        st = privacy_recount(view->privacy, s, sc, cs, in->units, view->smallest_shown, err);
done:
    free(manager_node);
    free(row_of_node);
    free(node_of_manager);
    free(change_row);
    free(parent);
    free(team_n);
    free(org_n);
    free(team_reason);
    free(org_reason);
    return st;
}

/* The units' decision of one item beside the scale's: a unit the scale
 * hides stays hidden. */
static void units_with_scale(const view_t *view, size_t s, size_t U, unsigned char *unit_reason)
{
    for (size_t u = 0; u < U; u++)
        if (unit_reason[u] == PRIVACY_SHOWN && !view_unit_shown(view, s, u))
            unit_reason[u] = PRIVACY_SECONDARY;
}

/* Workspace of view_heatmap(): per manager, unit and tree node.  The
 * tree's nodes (nodes, parent, node_of_manager) are read only by the
 * items, so two workspaces share them; the rest is each item's. */
typedef struct {
    size_t nodes, *parent, *node_of_manager, *node_n, *org_n;
    size_t *manager_n, *unit_n;
    unsigned char *team_reason, *org_reason, *org_hidden, *manager_reason, *unit_reason;
    double *team_ss;
    bool *include;
} heatmap_work_t;

/* Item i's decision with a tree (view_heatmap_shown): units by their own
 * rule, then the tree's rule with the scale's hidden teams and orgs passed
 * in (an org the tree has but leaders.csv does not publish counts as
 * hidden), then units across the tree. */
static engage_status_t heatmap_item_tree(const view_t *view, const report_input_t *in, size_t s, size_t U,
                                         heatmap_work_t *w, engage_error_t *err)
{
    const view_scale_t *vs = &view->scales[s];
    size_t M = dataset_n_managers(in->dataset), R = view->leaders->n_rows;
    long k = view->smallest_shown;
    privacy_summary_t summary;
    engage_status_t st = U ? privacy_suppress(w->unit_n, U, k, w->unit_reason, &summary, err) : ENGAGE_OK;
    if (st != ENGAGE_OK)
        return st;
    units_with_scale(view, s, U, w->unit_reason);
    memset(w->team_reason, PRIVACY_SHOWN, w->nodes);
    memset(w->node_n, 0, w->nodes * sizeof *w->node_n);
    w->team_reason[0] = PRIVACY_SECONDARY;  /* the company's own team: nobody */
    for (size_t j = 0; j < M; j++) {
        size_t node = w->node_of_manager[j];
        w->node_n[node] += w->manager_n[j];
        if (w->manager_reason[j] != PRIVACY_SHOWN)
            w->team_reason[node] = w->manager_reason[j];
    }
    for (size_t v = 0; v < w->nodes; v++)
        w->org_hidden[v] = v < R ? vs->leader_reason[v] : PRIVACY_SECONDARY;
    privacy_tree_t tree = { .n_nodes = w->nodes, .parent = w->parent, .team_n = w->node_n,
                            .team_reason = w->team_reason, .org_reason = w->org_reason,
                            .org_hidden = w->org_hidden, .org_n = w->org_n, .published_orgs = R };
    st = privacy_tree(&tree, k, NULL, err);
    if (st != ENGAGE_OK)
        return st;
    for (size_t j = 0; j < M; j++)
        w->manager_reason[j] = w->team_reason[w->node_of_manager[j]];
    if (U)
        st = privacy_tree_units(in->units, M, w->node_n, w->unit_reason, R, w->nodes, w->parent, w->org_reason,
                                w->team_reason, w->node_of_manager, k, err);
    return st;
}

/* Item i's decision without a tree: a team below min_group answers is
 * hidden, then privacy_levels() decides the units and grows the teams. */
static engage_status_t heatmap_item_flat(const view_t *view, const report_input_t *in, size_t s, size_t U,
                                         heatmap_work_t *w, engage_error_t *err)
{
    size_t M = dataset_n_managers(in->dataset);
    size_t k = privacy_smallest_group(view->smallest_shown);
    for (size_t j = 0; j < M; j++)
        if (w->manager_reason[j] == PRIVACY_SHOWN && w->manager_n[j] < k)
            w->manager_reason[j] = PRIVACY_PRIMARY;
    privacy_levels_t lv = { .n_managers = M, .n = w->manager_n, .reason = w->manager_reason, .n_units = U,
                            .unit_of = U ? in->units->unit_of : NULL, .unit_reason = w->unit_reason };
    engage_status_t st = privacy_levels(&lv, view->smallest_shown, NULL, err);
    units_with_scale(view, s, U, w->unit_reason);
    return st;
}

/* Item i of scale s: its decision, then the stand-outs against the
 * item's decomposition over its shown teams, into the item's cells of
 * heatmap_reason and heatmap_stands_out. */
static engage_status_t view_heatmap_item(view_t *view, const report_input_t *in, size_t s, size_t i,
                                         heatmap_work_t *w, engage_error_t *err)
{
    view_scale_t *vs = &view->scales[s];
    const heatmap_scale_t *hs = &view->heatmap->scales[s];
    size_t k = hs->n_items, M = hs->n_groups[HEATMAP_MANAGER], U = hs->n_groups[HEATMAP_UNIT];
    size_t L = hs->n_groups[HEATMAP_LEADER];
    size_t min_n = privacy_smallest_group(view->smallest_shown);
    engage_status_t st;
    for (size_t j = 0; j < M; j++) {
        w->manager_n[j] = heatmap_n(hs, HEATMAP_MANAGER, j, i);
        w->manager_reason[j] = view_manager_shown(view, s, j) ? PRIVACY_SHOWN : PRIVACY_SECONDARY;
    }
    for (size_t u = 0; u < U; u++)
        w->unit_n[u] = heatmap_n(hs, HEATMAP_UNIT, u, i);
    size_t company_n = heatmap_n(hs, HEATMAP_COMPANY, 0, i);
    unsigned char company_reason = PRIVACY_SHOWN;
    if (view->with_tree) {
        st = heatmap_item_tree(view, in, s, U, w, err);
        company_reason = w->org_reason[0];
        for (size_t g = 0; g < L; g++)
            vs->heatmap_reason[HEATMAP_LEADER][g * k + i] = w->org_reason[g + 1];
    } else {
        st = heatmap_item_flat(view, in, s, U, w, err);
        if (!view_leader_shown(view, s, 0) || company_n < min_n)
            company_reason = PRIVACY_PRIMARY;
    }
    vs->heatmap_reason[HEATMAP_COMPANY][i] = company_reason;
    for (size_t j = 0; j < M; j++)
        vs->heatmap_reason[HEATMAP_MANAGER][j * k + i] = w->manager_reason[j];
    for (size_t u = 0; u < U; u++)
        vs->heatmap_reason[HEATMAP_UNIT][u * k + i] = w->unit_reason[u];

    /* the item's spread over its shown teams, around the company's mean */
    for (size_t j = 0; j < M; j++) {
        w->team_ss[j] = heatmap_within(hs, j, i);
        w->include[j] = w->manager_reason[j] == PRIVACY_SHOWN;
    }
    analysis_variance_t v = { 0 };
    analysis_within_teams(w->manager_n, w->team_ss, M, w->include, &v);
    v.grand_mean = heatmap_mean(hs, HEATMAP_COMPANY, 0, i);
    for (int level = HEATMAP_UNIT; st == ENGAGE_OK && level < HEATMAP_LEVELS; level++)
        for (size_t g = 0; g < hs->n_groups[level]; g++)
            if (vs->heatmap_reason[level][g * k + i] == PRIVACY_SHOWN)
                vs->heatmap_stands_out[level][g * k + i] = (signed char)analysis_funnel(
                    &v, heatmap_n(hs, (heatmap_level_t)level, g, i),
                    heatmap_mean(hs, (heatmap_level_t)level, g, i)).stands_out;
    return st;
}

/* The items first, first + step, ... of one scale, on one workspace. */
typedef struct {
    view_t *view;
    const report_input_t *in;
    size_t s, first, step;
    heatmap_work_t *w;
    engage_status_t st;
    engage_error_t *err;
} heatmap_items_t;

static void *heatmap_items(void *arg)
{
    heatmap_items_t *job = arg;
    size_t k = job->view->heatmap->scales[job->s].n_items;
    for (size_t i = job->first; i < k && job->st == ENGAGE_OK; i += job->step)
        job->st = view_heatmap_item(job->view, job->in, job->s, i, job->w, job->err);
    return NULL;
}

/* A workspace's own arrays (the nodes' taken from shared when given). */
static bool heatmap_work_alloc(heatmap_work_t *w, size_t M, size_t U, size_t cap)
{
    w->node_n = malloc(cap * sizeof *w->node_n);
    w->org_n = malloc(cap * sizeof *w->org_n);
    w->manager_n = malloc((M ? M : 1) * sizeof *w->manager_n);
    w->unit_n = malloc((U ? U : 1) * sizeof *w->unit_n);
    w->team_reason = malloc(cap);
    w->org_reason = malloc(cap);
    w->org_hidden = malloc(cap);
    w->manager_reason = malloc(M ? M : 1);
    w->unit_reason = malloc(U ? U : 1);
    w->team_ss = malloc((M ? M : 1) * sizeof *w->team_ss);
    w->include = malloc((M ? M : 1) * sizeof *w->include);
    return w->node_n && w->org_n && w->manager_n && w->unit_n && w->team_reason && w->org_reason && w->org_hidden &&
           w->manager_reason && w->unit_reason && w->team_ss && w->include;
}

static void heatmap_work_free(heatmap_work_t *w)
{
    free(w->node_n);
    free(w->org_n);
    free(w->manager_n);
    free(w->unit_n);
    free(w->team_reason);
    free(w->org_reason);
    free(w->org_hidden);
    free(w->manager_reason);
    free(w->unit_reason);
    free(w->team_ss);
    free(w->include);
}

/* heatmap.csv's cells of scale s: every item's decision (item by item,
 * independent of each other: with a second workspace, every other item
 * on a second thread; the same cells either way). */
static engage_status_t view_heatmap(view_t *view, const report_input_t *in, size_t s, heatmap_work_t *w,
                                    heatmap_work_t *second, engage_error_t *err)
{
    view_scale_t *vs = &view->scales[s];
    const heatmap_scale_t *hs = &view->heatmap->scales[s];
    size_t k = hs->n_items;
    for (int level = 0; level < HEATMAP_LEVELS; level++) {
        size_t cells = hs->n_groups[level] * k;
        vs->heatmap_reason[level] = malloc(cells ? cells : 1);
        vs->heatmap_stands_out[level] = calloc(cells ? cells : 1, 1);
        if (!vs->heatmap_reason[level] || !vs->heatmap_stands_out[level])
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    engage_error_t second_err = { 0 };
    heatmap_items_t mine = { view, in, s, 0, 1, w, ENGAGE_OK, err };
    heatmap_items_t other = { view, in, s, 1, 2, second, ENGAGE_OK, &second_err };
    pthread_t thread;
    bool threaded = second && k > 1 && pthread_create(&thread, NULL, heatmap_items, &other) == 0;
    if (threaded)
        mine.step = 2;
    heatmap_items(&mine);
    if (threaded)
        pthread_join(thread, NULL);
    if (mine.st == ENGAGE_OK && threaded && other.st != ENGAGE_OK) {
        if (err)
            *err = second_err;
        return other.st;
    }
    return mine.st;
}

/* Every scale's heatmap: the cells (heatmap_run) and their decision. */
static engage_status_t view_heatmaps(view_t *view, const report_input_t *in, engage_error_t *err)
{
    engage_status_t st = heatmap_run(in->dataset, in->results, in->units, view->leaders, &view->heatmap, err);
    if (st != ENGAGE_OK)
        return st;
    if (in->answers_done)   /* the heatmap's sums were the answers' last reader */
        in->answers_done(in->answers_done_arg);
    const org_t *org = dataset_org(in->dataset);
    size_t M = dataset_n_managers(in->dataset), V = org ? org_size(org) : 0;
    size_t U = view->heatmap->n_scales ? view->heatmap->scales[0].n_groups[HEATMAP_UNIT] : 0;
    size_t R = view->leaders ? view->leaders->n_rows : 1, cap = view->with_tree ? R + M : 1;   /* nodes */
    heatmap_work_t w = { 0 }, second = { 0 };
    size_t *manager_node = malloc((M ? M : 1) * sizeof *manager_node);
    size_t *row_of_node = malloc((V ? V : 1) * sizeof *row_of_node);
    w.parent = malloc(cap * sizeof *w.parent);
    w.node_of_manager = malloc((M ? M : 1) * sizeof *w.node_of_manager);
    if (!manager_node || !row_of_node || !w.parent || !w.node_of_manager || !heatmap_work_alloc(&w, M, U, cap)) {
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    } else {
        if (view->with_tree)
            w.nodes = leaders_tree_nodes(view->leaders, in->dataset, manager_node, row_of_node, w.parent,
                                         w.node_of_manager);
        /* a second thread for every other item, when the teams are many */
        bool two = M >= VIEW_PARALLEL_TEAMS && heatmap_work_alloc(&second, M, U, cap);
        second.nodes = w.nodes;
        second.parent = w.parent;
        second.node_of_manager = w.node_of_manager;
        for (size_t s = 0; st == ENGAGE_OK && s < view->heatmap->n_scales && s < view->n_scales; s++) {
            st = view_heatmap(view, in, s, &w, two ? &second : NULL, err);
            heatmap_drop_within(view->heatmap, s);   /* the decomposition's alone */
        }
    }
    heatmap_work_free(&second);
    heatmap_work_free(&w);
    free(manager_node);
    free(row_of_node);
    free(w.parent);
    free(w.node_of_manager);
    return st;
}

/* Freed workspace as large as the respondents or the teams × items goes
 * back to the system (glibc keeps large freed blocks in its heap once
 * reading has raised its threshold for them), so the next stage's memory
 * does not come on top of it. */
static void view_return_memory(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* A group's counts as a rate, by the one rule of response rates; NAN when
 * the counts are not known or not shown. */
static double shown_rate(const view_t *view, bool known, participation_count_t count)
{
    return known && count.invited > 0 && view_response_rate_shown(view, count.invited) ? participation_rate(&count)
                                                                                        : NAN;
}

/* The response rate of one trend row of scale s (view_trend_response_rate):
 * the last wave's as managers.csv, units.csv, leaders.csv and scales.csv
 * count it; an earlier wave's only with its own roster, whose invited are
 * that wave's.  The company and the leaders count as leaders.csv does,
 * over the row's wave's tree. */
static double trend_row_rate(const view_t *view, const report_input_t *in, size_t s, const trend_row_t *row)
{
    const trend_t *trend = in->trend;
    participation_count_t count = { 0, 0 };
    bool known = false, last = row->wave + 1 == trend->n_waves;
    size_t j = row->manager;
    const participation_t *p = in->wave_rosters && in->wave_rosters[row->wave] && in->wave_participation
                                   ? in->wave_participation[row->wave] : NULL;
    if (!last && !p)
        return NAN;
    if (row->level == TREND_COMPANY || row->level == TREND_LEADER) {
        const leaders_t *l = trend->leaders ? trend->leaders[row->wave] : NULL;
        size_t r = row->level == TREND_COMPANY ? 0 : j;
        known = l && r < l->n_rows;
        if (known)
            count = (participation_count_t){ l->invited[r], l->responded[r] };
    } else if (last && row->level == TREND_UNIT) {
        known = view_unit_participation(view, j, &count);
    } else if (last) {
        known = view_manager_participation(view, trend->results[row->wave]->scales[s].managers[j].manager, &count);
    } else if (row->level == TREND_UNIT) {
        known = j < p->n_units;
        if (known)
            count = p->units[j];
    } else {
        size_t m = trend->results[row->wave]->scales[s].managers[j].manager;
        known = m < p->n_managers;
        if (known)
            count = p->managers[m];
    }
    return shown_rate(view, known, count);
}

double view_trend_response_rate(const view_t *view, size_t s, size_t i)
{
    return view->trend_response_rate && s < view->n_scales && view->trend_response_rate[s]
               ? view->trend_response_rate[s][i] : NAN;
}

/* trend.csv's response rates, a row at a time (view_trend_response_rate). */
static bool view_trend_rates(view_t *view, const report_input_t *in)
{
    const trend_t *trend = in->trend;
    if (!(view->trend_response_rate = calloc(view->n_scales ? view->n_scales : 1, sizeof *view->trend_response_rate)))
        return false;
    for (size_t s = 0; s < view->n_scales && s < trend->n_scales; s++) {
        const trend_scale_t *ts = &trend->scales[s];
        if (!(view->trend_response_rate[s] = malloc((ts->n_rows ? ts->n_rows : 1) * sizeof **view->trend_response_rate)))
            return false;
        for (size_t i = 0; i < ts->n_rows; i++)
            view->trend_response_rate[s][i] = trend_row_rate(view, in, s, &ts->rows[i]);
    }
    return true;
}

/* trend.csv's decision (trend_view.h): the last wave's managers are those
 * this run publishes, in managers.csv or through a shown change row, its
 * units those units.csv shows and its leaders those leaders.csv shows. */
static engage_status_t view_trend(view_t *view, const report_input_t *in, engage_error_t *err)
{
    size_t S = in->results->n_scales;
    bool **shown = calloc(S ? S : 1, sizeof *shown);
    bool **units = in->units ? calloc(S ? S : 1, sizeof *units) : NULL;
    bool **leaders = view->with_tree && view->leaders ? calloc(S ? S : 1, sizeof *leaders) : NULL;
    bool ok = shown != NULL && (!in->units || units) && (!(view->with_tree && view->leaders) || leaders);
    for (size_t s = 0; ok && leaders && s < S; s++) {
        size_t R = view->leaders->n_rows;
        ok = (leaders[s] = calloc(R ? R : 1, sizeof **leaders)) != NULL;
        for (size_t r = 0; ok && r < R; r++)
            leaders[s][r] = view_leader_shown(view, s, r);
    }
    for (size_t s = 0; ok && units && s < S; s++) {
        ok = (units[s] = calloc(in->units->n_units ? in->units->n_units : 1, sizeof **units)) != NULL;
        for (size_t u = 0; ok && u < in->units->n_units; u++)
            units[s][u] = view_unit_shown(view, s, u);
    }
    for (size_t s = 0; ok && s < S; s++) {
        size_t J = in->results->scales[s].n_managers;
        ok = (shown[s] = calloc(J ? J : 1, sizeof **shown)) != NULL;
        for (size_t j = 0; ok && j < J; j++)
            shown[s][j] = view_manager_shown(view, s, j);
        for (size_t i = 0; ok && in->changes && s < in->changes->n_scales && i < in->changes->scales[s].n_rows; i++) {
            size_t j = in->changes->scales[s].rows[i].current_manager;
            if (j != CHANGES_ABSENT && j < J && view_change_shown(view, s, i))
                shown[s][j] = true;
        }
    }
    engage_status_t st = ok ? trend_view_build(in->trend, view->smallest_shown, (const bool *const *)shown,
                                               (const bool *const *)units, (const bool *const *)leaders,
                                               &view->trend, err)
                            : engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    /* enps_trend.csv: the scales of kind = nps, decided by trend.csv's rule */
    bool *nps = st == ENGAGE_OK ? calloc(S ? S : 1, sizeof *nps) : NULL;
    if (st == ENGAGE_OK && !nps)
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    for (size_t s = 0; nps && s < S; s++)
        nps[s] = enps_table_scale(in, view, s);
    if (st == ENGAGE_OK)
        st = enps_trend_view_build(in->trend, view->trend, nps, &view->enps_trend, err);
    if (st == ENGAGE_OK && !view_trend_rates(view, in))
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    free(nps);
    for (size_t s = 0; s < S; s++) {
        if (shown)
            free(shown[s]);
        if (units)
            free(units[s]);
        if (leaders)
            free(leaders[s]);
    }
    free(shown);
    free(units);
    free(leaders);
    return st;
}

bool view_drivers_shown(const view_t *view, size_t o)
{
    return view->drivers && o < view->drivers->n_outcomes &&
           view->drivers->outcomes[o].n_complete >= privacy_smallest_group(view->smallest_shown);
}

bool view_drivers_unit_shown(const view_t *view, size_t o, size_t u)
{
    const drivers_t *d = view->drivers;
    if (!d || o >= d->n_outcomes || u >= d->n_units || !d->unit_names[u][0])
        return false;
    size_t k = privacy_smallest_group(view->smallest_shown);
    return d->unit_outcomes[o * d->n_units + u].n_complete >= VIEW_DRIVERS_UNIT_FACTOR * k;
}

engage_status_t view_build(const report_input_t *in, view_t **out, engage_error_t *err)
{
    *out = NULL;
    view_t *view = calloc(1, sizeof *view);
    if (!view)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    /* the one place the rule's k is read */
    view->smallest_shown = privacy_min_group(in->config);
    size_t k = privacy_smallest_group(view->smallest_shown);
    view->with_units = in->units != NULL;
    view->with_changes = in->changes != NULL;
    view->drivers = in->drivers;

    engage_status_t st = privacy_new(in->results, view->smallest_shown, &view->privacy, err);
    if (st == ENGAGE_OK && in->changes)
        st = privacy_add_changes(view->privacy, in->changes, view->smallest_shown, err);
    if (st == ENGAGE_OK) /* a roster's tree gives each team's and unit's participation */
        st = in->dataset ? participation_run(in->dataset, in->units, &view->participation, err) : ENGAGE_OK;
    if (st == ENGAGE_OK)
        st = privacy_add_levels(view->privacy, in->dataset, in->results, in->units, in->changes,
                                view->smallest_shown, err);
    size_t S = in->results->n_scales;
    if (st == ENGAGE_OK) {
        view->scales = calloc(S ? S : 1, sizeof *view->scales);
        if (!view->scales)
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        else
            view->n_scales = S;
    }
    view->with_tree = in->dataset && dataset_org(in->dataset);
    if (st == ENGAGE_OK && view->with_tree)
        progress_stage("following every leader's organisation");
    if (st == ENGAGE_OK && in->dataset) {
        /* the history has worked the last wave's leaders out already */
        const trend_t *t = in->trend;
        size_t last = t ? t->n_waves - 1 : 0;
        if (t && t->leaders && t->leaders[last] && t->datasets[last] == in->dataset &&
            t->results[last] == in->results) {
            view->leaders = t->leaders[last];
        } else {
            st = leaders_run(in->dataset, in->results, &view->leaders, err);
            view->leaders_owned = true;
        }
    }
    for (size_t s = 0; st == ENGAGE_OK && view->leaders && s < S; s++) {
        if (view->with_tree) {
            st = view_tree(view, in, s, err);
        } else if (!(view->scales[s].leader_reason = malloc(1))) {
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        } else {
            /* the company alone: shown as the scale is */
            view->scales[s].leader_reason[0] =
                view->privacy->scales[s].summary.scale_suppressed ? PRIVACY_PRIMARY : PRIVACY_SHOWN;
        }
    }
    if (st == ENGAGE_OK && in->dataset) {
        view_return_memory();   /* the leaders' workspace */
        progress_stage("analysing every item at every level");
        st = view_heatmaps(view, in, err);
        view_return_memory();   /* the items' workspace */
    }
    if (st != ENGAGE_OK) {
        view_free(view);
        return st;
    }

    bool ok = true;
    for (size_t s = 0; ok && s < S; s++) {
        view_scale_t *vs = &view->scales[s];
        const analysis_scale_t *sc = &in->results->scales[s];
        vs->results = sc;
        vs->decision = &view->privacy->scales[s];
        vs->suppressed = vs->decision->summary.scale_suppressed;
        vs->scored = vs->decision->summary.respondents;

        bool *include = calloc(sc->n_managers ? sc->n_managers : 1, sizeof *include);
        ok = include != NULL;
        for (size_t j = 0; ok && j < sc->n_managers; j++)
            include[j] = view_manager_shown(view, s, j);
        ok = ok && decompose(sc, include, &vs->variance);
        vs->nested = (nested_fit_t){ NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0 };
        if (ok && in->units && s < in->units->n_scales && in->units->n_managers == sc->n_managers) {
            progress_stage("%s: the variance between units and between managers within them", sc->scale->name);
            ok = nested_decompose(sc->managers, sc->n_managers, include, in->units->unit_of,
                                  in->units->n_units, &vs->nested) == ENGAGE_OK;
            progress_stage("%s: ranking the managers", sc->scale->name);
        }
        free(include);
        const unsigned decomposition_notes = ANALYSIS_NOTE_ONE_MANAGER | ANALYSIS_NOTE_ALL_SINGLETONS;
        vs->notes = (sc->notes & ~decomposition_notes) | analysis_variance_notes(&vs->variance);
        vs->split_caution = vs->suppressed ? 0 : view_split_caution(&vs->variance);
        ok = ok && rank_managers(view, s);
        ok = ok && rank_top_leaders(view, view->with_tree ? dataset_org(in->dataset) : NULL, s);
        if (ok && in->changes && s < in->changes->n_scales && s < view->privacy->n_change_scales)
            ok = view_changes(view, in, s, k);
    }
    if (!ok) {
        view_free(view);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    if (in->trend && (st = view_trend(view, in, err)) != ENGAGE_OK) {
        view_free(view);
        return st;
    }
    *out = view;
    return ENGAGE_OK;
}

void view_free(view_t *view)
{
    if (!view)
        return;
    for (size_t s = 0; s < view->n_scales; s++) {
        free(view->scales[s].ranked);
        free(view->scales[s].above);
        free(view->scales[s].below);
        free(view->scales[s].notable);
        free(view->scales[s].leader_reason);
        free(view->scales[s].top_leaders);
        for (int level = 0; level < HEATMAP_LEVELS; level++) {
            free(view->scales[s].heatmap_reason[level]);
            free(view->scales[s].heatmap_stands_out[level]);
        }
    }
    if (view->leaders_owned)
        leaders_free(view->leaders);
    heatmap_free(view->heatmap);
    trend_view_free(view->trend);
    for (size_t s = 0; view->trend_response_rate && s < view->n_scales; s++)
        free(view->trend_response_rate[s]);
    free(view->trend_response_rate);
    enps_trend_view_free(view->enps_trend);
    free(view->scales);
    privacy_free(view->privacy);
    participation_free(view->participation);
    free(view);
}

bool view_response_rate_shown(const view_t *view, size_t invited)
{
    return invited >= (size_t)view->smallest_shown;
}

/* A group's counts, shown by the one rule of response rates. */
static bool participation_shown(const view_t *view, const participation_count_t *counts, size_t n, size_t i,
                                participation_count_t *count)
{
    *count = (participation_count_t){ 0, 0 };
    if (!counts || i >= n)
        return false;
    *count = counts[i];
    return view_response_rate_shown(view, count->invited);
}

bool view_manager_participation(const view_t *view, size_t j, participation_count_t *count)
{
    const participation_t *p = view->participation;
    return participation_shown(view, p ? p->managers : NULL, p ? p->n_managers : 0, j, count);
}

bool view_unit_participation(const view_t *view, size_t u, participation_count_t *count)
{
    const participation_t *p = view->participation;
    return participation_shown(view, p ? p->units : NULL, p ? p->n_units : 0, u, count);
}

bool view_heatmap_shown(const view_t *view, size_t s, heatmap_level_t level, size_t g, size_t i)
{
    const unsigned char *reason = view->heatmap ? view->scales[s].heatmap_reason[level] : NULL;
    return reason && reason[g * view->heatmap->scales[s].n_items + i] == PRIVACY_SHOWN;
}

analysis_stands_out_t view_heatmap_stands_out(const view_t *view, size_t s, heatmap_level_t level, size_t g,
                                              size_t i)
{
    if (!view_heatmap_shown(view, s, level, g, i))
        return ANALYSIS_WITHIN;
    return (analysis_stands_out_t)view->scales[s].heatmap_stands_out[level][g * view->heatmap->scales[s].n_items + i];
}

/* Items by favourable share, highest first, undefined last (ties: config
 * order); qsort_r over item indices. */
static int glance_order(const void *a, const void *b, void *items)
{
    const analysis_item_t *it = items;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double fx = it[x].favourable_pct, fy = it[y].favourable_pct;
    if (isnan(fx) != isnan(fy))
        return isnan(fx) ? 1 : -1;
    if (fx != fy && !isnan(fx))
        return fx > fy ? -1 : 1;
    return (x > y) - (x < y);
}

/* 100 × favourable answers / answered items of a wave, from its items. */
static double items_favourable(const analysis_scale_t *sc)
{
    double favourable = 0.0, answered = 0.0;
    for (size_t i = 0; i < sc->n_items; i++)
        if (isfinite(sc->items[i].favourable_pct)) {
            favourable += sc->items[i].favourable_pct * (double)sc->items[i].n;
            answered += (double)sc->items[i].n;
        }
    return answered > 0.0 ? favourable / answered : NAN;
}

void view_glance(const view_t *view, size_t s, view_glance_t *g)
{
    const view_scale_t *vs = &view->scales[s];
    const analysis_scale_t *sc = vs->results;
    *g = (view_glance_t){ .shown = !vs->suppressed };
    if (!g->shown)
        return;
    const leaders_t *l = view->leaders;
    if (l && s < l->n_scales) {
        const leaders_figures_t *f = &l->scales[s].orgs[0];
        g->favourable_pct = f->favourable_pct;
        g->neutral_pct = f->neutral_pct;
        g->unfavourable_pct = f->unfavourable_pct;
        g->with_rate = view->with_tree && view_response_rate_shown(view, l->invited[0]);
        g->invited = l->invited[0];
        g->responded = l->responded[0];
    } else {
        g->favourable_pct = g->neutral_pct = g->unfavourable_pct = NAN;
    }
    if (vs->changes && !vs->change_suppressed) {
        const changes_scale_t *cs = vs->changes;
        g->with_change = true;
        g->favourable_change = items_favourable(cs->current_scale) - items_favourable(cs->previous_scale);
        g->mean_previous = cs->previous.mean;
        g->mean = cs->current.mean;
        g->p_value = cs->welch.p_value;
        g->change_holds = isfinite(g->p_value) && g->p_value < 0.05;
    }
    size_t k = sc->n_items, *order = malloc((k ? k : 1) * sizeof *order);
    if (order) {
        for (size_t i = 0; i < k; i++)
            order[i] = i;
        qsort_r(order, k, sizeof *order, glance_order, (void *)sc->items);
        size_t scored = 0;
        while (scored < k && isfinite(sc->items[order[scored]].favourable_pct))
            scored++;
        size_t each = scored / 2 < VIEW_GLANCE_ITEMS ? scored / 2 : VIEW_GLANCE_ITEMS;
        for (size_t i = 0; i < each; i++) {
            g->strong[i] = order[i];
            g->weak[i] = order[scored - 1 - i];
        }
        g->n_strong = g->n_weak = each;
        free(order);
    }
    g->share_managers = vs->variance.icc_reml;
    g->share_unit = vs->nested.share_unit;
    g->share_manager_within = vs->nested.share_manager;
    g->stand_out = vs->n_above + vs->n_below;
}

size_t view_heatmap_rows(const view_t *view, const org_t *org, size_t s, heatmap_level_t *level, size_t *rows,
                         size_t max, size_t *more)
{
    size_t n = 0;
    *more = 0;
    *level = HEATMAP_MANAGER;
    const heatmap_t *h = view->heatmap;
    if (!h || s >= h->n_scales)
        return 0;
    const heatmap_scale_t *hs = &h->scales[s];
    const view_scale_t *vs = &view->scales[s];
    size_t units_shown = 0;
    for (size_t u = 0; view->with_units && u < hs->n_groups[HEATMAP_UNIT]; u++)
        units_shown += view_unit_shown(view, s, u);
    if (units_shown >= 2) {
        *level = HEATMAP_UNIT;
        for (size_t u = 0; u < hs->n_groups[HEATMAP_UNIT]; u++) {
            if (!view_unit_shown(view, s, u))
                continue;
            if (n < max)
                rows[n++] = u;
            else
                (*more)++;
        }
    } else if (view->with_tree && org && view->leaders && hs->n_groups[HEATMAP_LEADER] > 0) {
        *level = HEATMAP_LEADER;
        for (size_t g = 0; g < hs->n_groups[HEATMAP_LEADER]; g++) {
            size_t r = g + 1;
            if (org_depth(org, view->leaders->node[r]) > VIEW_TOP_DEPTH || !view_leader_shown(view, s, r))
                continue;
            if (n < max)
                rows[n++] = g;
            else
                (*more)++;
        }
    } else {
        /* all, or the max / 2 highest and the max / 2 lowest */
        size_t m = vs->n_ranked, half = max / 2;
        for (size_t i = 0; i < m; i++) {
            if (m > max && i == half) {
                *more = m - 2 * half;
                i = m - half;
            }
            rows[n++] = vs->ranked[i];
        }
    }
    return n;
}

bool view_leaders_listed(const view_t *view, size_t s)
{
    return view->with_tree && view->leaders && s < view->leaders->n_scales && view_leader_shown(view, s, 0);
}
