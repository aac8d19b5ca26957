/*
 * analysis/participation.c — invited and responded counts per team and
 * unit (participation.h): one pass over the tree's nodes adds each invited
 * person to their manager's node, then each dataset manager reads its node
 * (org_find) and each unit sums its managers and its silent teams (found by
 * name: units are in byte order).
 *
 * Owns: the participation_t it returns, and per call one count per tree
 * node.  Cost: O(tree nodes + managers); memory O(tree nodes).
 */
#include "participation.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *participation_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size);
}

static int unit_name_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

engage_status_t participation_run(const dataset_t *ds, const units_t *units, participation_t **out,
                                  engage_error_t *err)
{
    *out = NULL;
    const org_t *org = dataset_org(ds);
    if (!org || !org_responses_complete(org))
        return ENGAGE_OK;
    size_t nodes = org_size(org), M = dataset_n_managers(ds);
    size_t U = units && units->n_managers == M ? units->n_units : 0;
    participation_t *p = participation_calloc(1, sizeof *p);
    participation_count_t *team = participation_calloc(nodes, sizeof *team);
    if (p) {
        p->managers = participation_calloc(M, sizeof *p->managers);
        p->units = U ? participation_calloc(U, sizeof *p->units) : NULL;
    }
    if (!p || !team || !p->managers || (U && !p->units)) {
        free(team);
        participation_free(p);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory while counting participation");
    }
    for (size_t v = 0; v < nodes; v++) {
        size_t manager = org_parent(org, v);
        if (manager == ORG_NONE || !org_invited(org, v))
            continue;
        team[manager].invited++;
        team[manager].responded += org_responded(org, v);
    }
    p->n_managers = M;
    for (size_t m = 0; m < M; m++) {
        size_t node = org_find(org, dataset_manager_id(ds, m));
        if (node != ORG_NONE)
            p->managers[m] = team[node];
    }
    p->n_units = U;
    for (size_t m = 0; U && m < M; m++) {
        participation_count_t *unit = &p->units[units->unit_of[m]];
        unit->invited += p->managers[m].invited;
        unit->responded += p->managers[m].responded;
    }
    /* a silent team counts in its unit when the unit has a team of the run */
    for (size_t t = 0; U && t < dataset_n_silent_teams(ds); t++) {
        const char *name = dataset_silent_team_unit(ds, t);
        const char **found = bsearch(&name, units->names, U, sizeof *units->names, unit_name_order);
        if (found)
            p->units[found - units->names].invited += dataset_silent_team_invited(ds, t);
    }
    free(team);
    *out = p;
    return ENGAGE_OK;
}

double participation_rate(const participation_count_t *count)
{
    return count->invited ? 100.0 * (double)count->responded / (double)count->invited : NAN;
}

void participation_free(participation_t *p)
{
    if (!p)
        return;
    free(p->managers);
    free(p->units);
    free(p);
}
