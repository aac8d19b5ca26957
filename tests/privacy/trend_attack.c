/*
 * tests/privacy/trend_attack.c — an algebraic attack on the figures a run
 * publishes about a history of waves.
 *
 *   trend_attack OUTDIR --min-group K [--scale NAME] [--units FILE] [--orgs FILE]
 *
 * The attacker holds OUTDIR's trend.csv (every wave: each team's n, a shown
 * row's mean, a shown change's delta_previous), managers.csv (the last
 * wave's shown means) and changes.csv (the last two waves' shown means and
 * deltas).  The unknowns are the teams' totals Σy, one per team and wave (a
 * manager's team in one wave is another unknown than in the next: other
 * answers, even from the same people).  Every shown figure is one equation:
 * a team's mean gives its total, the company's mean the sum of its wave's
 * totals, a unit's (trend.csv, and units.csv for the last wave) the sum of
 * its teams' in that wave, a delta_previous (team, unit or company) the
 * difference of two waves' totals each over its n — the only equations
 * that cross waves.  With units the insider knows each team's unit in each
 * wave: FILE has lines `wave,manager_id,unit` (no header).  With leaders
 * (a reporting tree) the insider knows the tree too: the --orgs FILE has a
 * line `wave,manager_id,leader_id` for each team and each leader above it
 * in that wave (no header); a leader's row (trend.csv, leaders.csv for the
 * last wave, and the eNPS files) is then the sum over those teams.
 *
 * With enps_trend.csv (a scale of kind = nps) the attacker also holds the
 * eNPS of every wave: each team and wave then has two more unknowns, its
 * promoters P and its detractors D (counts).  A shown row's promoters_pct
 * and detractors_pct give the sums of P and of D over its group (company,
 * unit, team), a shown delta_previous the difference 100 (P − D)/n of two
 * waves; passives, eNPS and the intervals follow from those and n, so they
 * add nothing.  enps.csv gives the same two sums for the last wave's shown
 * company, units and teams.  A team's three unknowns fall together: a set
 * of teams is revealed when some combination involves only their Σy, P or
 * D.
 *
 * The system is brought to reduced row-echelon form (doubles, partial
 * pivoting, relative tolerance 1e-9).  A set T of teams is revealed when
 * some nonzero combination of the equations involves only teams of T, i.e.
 * when dropping T's columns lowers the rank.  Every set of teams whose
 * people number 1 to K−1 is tried (the teams in such a set have fewer than K
 * people each, so the sets are few), across waves as within them: each one
 * revealed is printed as `leak wave=... teams=... people=...`.  Shares no
 * code with engage (libcsv only, through table.c).
 *
 * Output: `system unknowns=U equations=E rank=R small=S sets=N`, then the
 * leaks.  Exit status: 0 nothing below K revealed; 1 something was; 2 usage
 * or unreadable files.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define MAX_WAVES 64

typedef struct {
    char wave[128], group[256], unit[256];
    size_t w;          /* wave index */
    size_t n;
} team_t;

static team_t *teams;
static size_t n_teams;
static char waves[MAX_WAVES][128];
static size_t n_waves;
static double **rows;
static size_t n_rows, cap_rows;
/* unknowns per team and wave: Σy; with enps_trend.csv also P and D */
enum { BLOCK_Y = 0, BLOCK_P = 1, BLOCK_D = 2 };
static size_t n_blocks = 1;

/* the teams of each leader's org: team index and leader id */
typedef struct {
    size_t team;
    char leader[256];
} member_t;
static member_t *members;
static size_t n_members;

static size_t wave_index(const char *label)
{
    for (size_t w = 0; w < n_waves; w++)
        if (strcmp(waves[w], label) == 0)
            return w;
    if (n_waves == MAX_WAVES) {
        fprintf(stderr, "trend_attack: more than %d waves\n", MAX_WAVES);
        exit(2);
    }
    snprintf(waves[n_waves], sizeof waves[n_waves], "%s", label);
    return n_waves++;
}

static long team_index(size_t w, const char *group)
{
    for (size_t t = 0; t < n_teams; t++)
        if (teams[t].w == w && strcmp(teams[t].group, group) == 0)
            return (long)t;
    return -1;
}

static double *new_row(void)
{
    if (n_rows == cap_rows) {
        cap_rows = cap_rows ? 2 * cap_rows : 64;
        rows = table_realloc(rows, cap_rows * sizeof *rows);
    }
    double *r = table_realloc(NULL, (n_teams ? n_blocks * n_teams : 1) * sizeof *r);
    for (size_t t = 0; t < n_blocks * n_teams; t++)
        r[t] = 0;
    return rows[n_rows++] = r;
}

static size_t wave_n(size_t w)
{
    size_t n = 0;
    for (size_t t = 0; t < n_teams; t++)
        if (teams[t].w == w)
            n += teams[t].n;
    return n;
}

/* Σ over the teams of wave w, unit `unit` of it, or team g alone, with weight c. */
static void add_unit(double *r, size_t w, const char *unit, double c)
{
    for (size_t t = 0; t < n_teams; t++)
        if (teams[t].w == w && strcmp(teams[t].unit, unit) == 0)
            r[t] += c;
}

static double unit_n(size_t w, const char *unit)
{
    size_t n = 0;
    for (size_t t = 0; t < n_teams; t++)
        if (teams[t].w == w && strcmp(teams[t].unit, unit) == 0)
            n += teams[t].n;
    return (double)n;
}

/* Σ over the teams of leader's org in wave w, with weight c. */
static void add_org(double *r, size_t w, const char *leader, double c)
{
    for (size_t i = 0; i < n_members; i++)
        if (teams[members[i].team].w == w && strcmp(members[i].leader, leader) == 0)
            r[members[i].team] += c;
}

static double org_n(size_t w, const char *leader)
{
    size_t n = 0;
    for (size_t i = 0; i < n_members; i++)
        if (teams[members[i].team].w == w && strcmp(members[i].leader, leader) == 0)
            n += teams[members[i].team].n;
    return (double)n;
}

static void org_equations(size_t w, const char *leader, bool mean, bool delta)
{
    if (mean)
        add_org(new_row(), w, leader, 1);
    if (delta && w > 0 && org_n(w, leader) > 0 && org_n(w - 1, leader) > 0) {
        double *r = new_row();
        add_org(r, w, leader, 1 / org_n(w, leader));
        add_org(r, w - 1, leader, -1 / org_n(w - 1, leader));
    }
}

static void unit_equations(size_t w, const char *unit, bool mean, bool delta)
{
    if (mean)
        add_unit(new_row(), w, unit, 1);
    if (delta && w > 0 && unit_n(w, unit) > 0 && unit_n(w - 1, unit) > 0) {
        double *r = new_row();
        add_unit(r, w, unit, 1 / unit_n(w, unit));
        add_unit(r, w - 1, unit, -1 / unit_n(w - 1, unit));
    }
}

static void add_group(double *r, size_t w, const char *group, double c)
{
    if (!group[0]) {
        for (size_t t = 0; t < n_teams; t++)
            if (teams[t].w == w)
                r[t] += c;
        return;
    }
    long t = team_index(w, group);
    if (t >= 0)
        r[t] += c;
}

static double group_n(size_t w, const char *group)
{
    if (!group[0])
        return (double)wave_n(w);
    long t = team_index(w, group);
    return t >= 0 ? (double)teams[t].n : 0;
}

static void mean_equation(size_t w, const char *group)
{
    add_group(new_row(), w, group, 1);
}

static void delta_equation(size_t w, size_t before, const char *group)
{
    double n = group_n(w, group), nb = group_n(before, group);
    if (n <= 0 || nb <= 0)
        return;
    double *r = new_row();
    add_group(r, w, group, 1 / n);
    add_group(r, before, group, -1 / nb);
}

/* The eNPS equations of a shown row of group `group` (a team, or the
 * company when empty), unit `unit` or leader `leader` in wave w: Σ P and
 * Σ D over it; with delta, the difference of 100 (P − D)/n against wave
 * w − 1. */
static void add_counts(double *r, size_t block, size_t w, const char *group, const char *unit, const char *leader,
                       double c)
{
    double *b = r + block * n_teams;
    if (leader)
        add_org(b, w, leader, c);
    else if (unit)
        add_unit(b, w, unit, c);
    else
        add_group(b, w, group, c);
}

static double counts_n(size_t w, const char *group, const char *unit, const char *leader)
{
    return leader ? org_n(w, leader) : unit ? unit_n(w, unit) : group_n(w, group);
}

static void enps_equations(size_t w, const char *group, const char *unit, const char *leader, bool shown, bool delta)
{
    if (shown) {
        add_counts(new_row(), BLOCK_P, w, group, unit, leader, 1);
        add_counts(new_row(), BLOCK_D, w, group, unit, leader, 1);
    }
    if (delta && w > 0) {
        double n = counts_n(w, group, unit, leader), nb = counts_n(w - 1, group, unit, leader);
        if (n <= 0 || nb <= 0)
            return;
        double *r = new_row();
        add_counts(r, BLOCK_P, w, group, unit, leader, 100 / n);
        add_counts(r, BLOCK_D, w, group, unit, leader, -100 / n);
        add_counts(r, BLOCK_P, w - 1, group, unit, leader, -100 / nb);
        add_counts(r, BLOCK_D, w - 1, group, unit, leader, 100 / nb);
    }
}

/* rank of rows restricted to the columns of the teams with keep[team] */
static size_t rank_of(const bool *keep)
{
    size_t R = n_rows, C = n_blocks * n_teams;
    double *m = table_realloc(NULL, (R ? R : 1) * (C ? C : 1) * sizeof *m);
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++)
            m[i * C + j] = keep[j % n_teams] ? rows[i][j] : 0;
    size_t rank = 0;
    for (size_t j = 0; j < C && rank < R; j++) {
        size_t best = rank;
        for (size_t i = rank; i < R; i++)
            if (fabs(m[i * C + j]) > fabs(m[best * C + j]))
                best = i;
        if (fabs(m[best * C + j]) < 1e-9)
            continue;
        for (size_t k = 0; k < C; k++) {
            double t = m[rank * C + k];
            m[rank * C + k] = m[best * C + k];
            m[best * C + k] = t;
        }
        double p = m[rank * C + j];
        for (size_t k = 0; k < C; k++)
            m[rank * C + k] /= p;
        for (size_t i = 0; i < R; i++) {
            if (i == rank || m[i * C + j] == 0)
                continue;
            double f = m[i * C + j];
            for (size_t k = 0; k < C; k++)
                m[i * C + k] -= f * m[rank * C + k];
        }
        rank++;
    }
    free(m);
    return rank;
}

static bool *keep;
static size_t full_rank, min_group, n_sets, n_leaks;
static size_t *small;
static size_t n_small;

/* every set of small teams (from index `from` on) with people < K */
static void try_sets(size_t from, size_t people, size_t *chosen, size_t depth)
{
    for (size_t i = from; i < n_small; i++) {
        size_t t = small[i];
        if (people + teams[t].n >= min_group)
            continue;
        chosen[depth] = t;
        keep[t] = false;
        n_sets++;
        if (rank_of(keep) < full_rank) {
            n_leaks++;
            printf("leak people=%zu teams=", people + teams[t].n);
            for (size_t d = 0; d <= depth; d++)
                printf("%s%s@%s", d ? "," : "", teams[chosen[d]].group, waves[teams[chosen[d]].w]);
            printf("\n");
        } else {
            try_sets(i + 1, people + teams[t].n, chosen, depth + 1);
        }
        keep[t] = true;
    }
}

static table_t must_read(const char *dir, const char *name, bool needed)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    table_t t = {0};
    if (!table_read("trend_attack", path, &t) && needed) {
        fprintf(stderr, "trend_attack: cannot read %s\n", path);
        exit(2);
    }
    return t;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *scale = NULL, *units_file = NULL, *orgs_file = NULL;
    long k = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--min-group") == 0 && i + 1 < argc)
            k = atol(argv[++i]);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
            scale = argv[++i];
        else if (strcmp(argv[i], "--units") == 0 && i + 1 < argc)
            units_file = argv[++i];
        else if (strcmp(argv[i], "--orgs") == 0 && i + 1 < argc)
            orgs_file = argv[++i];
        else if (!dir)
            dir = argv[i];
        else
            dir = NULL, i = argc;
    }
    if (!dir || k < 1) {
        fprintf(stderr, "usage: trend_attack OUTDIR --min-group K [--scale NAME] [--units FILE] [--orgs FILE]\n");
        return 2;
    }
    min_group = (size_t)k;
    table_t trend = must_read(dir, "trend.csv", true);
    table_t managers = must_read(dir, "managers.csv", true);
    table_t changes = must_read(dir, "changes.csv", false);
    long c_scale = table_column(&trend, "scale"), c_level = table_column(&trend, "level"),
         c_group = table_column(&trend, "group"), c_wave = table_column(&trend, "wave"),
         c_n = table_column(&trend, "n"), c_mean = table_column(&trend, "mean"),
         c_delta = table_column(&trend, "delta_previous");
    if (c_scale < 0 || c_level < 0 || c_group < 0 || c_wave < 0 || c_n < 0 || c_mean < 0 || c_delta < 0) {
        fprintf(stderr, "trend_attack: %s/trend.csv lacks a column\n", dir);
        return 2;
    }
    if (!scale && trend.n_rows > 1)
        scale = table_cell(&trend, 1, c_scale);
    /* the waves in order, and the teams with their n */
    for (size_t r = 1; r < trend.n_rows; r++) {
        if (strcmp(table_cell(&trend, r, c_scale), scale) != 0)
            continue;
        size_t w = wave_index(table_cell(&trend, r, c_wave));
        if (strcmp(table_cell(&trend, r, c_level), "manager") != 0)
            continue;
        size_t n = (size_t)atol(table_cell(&trend, r, c_n));
        if (n == 0)
            continue;
        teams = table_realloc(teams, (n_teams + 1) * sizeof *teams);
        team_t *t = &teams[n_teams++];
        snprintf(t->wave, sizeof t->wave, "%s", table_cell(&trend, r, c_wave));
        snprintf(t->group, sizeof t->group, "%s", table_cell(&trend, r, c_group));
        t->w = w;
        t->n = n;
    }
    /* each team's unit in its wave */
    if (units_file) {
        table_t u = {0};
        if (!table_read("trend_attack", units_file, &u)) {
            fprintf(stderr, "trend_attack: cannot read %s\n", units_file);
            return 2;
        }
        for (size_t r = 0; r < u.n_rows; r++)
            for (size_t t = 0; t < n_teams; t++)
                if (strcmp(teams[t].wave, table_cell(&u, r, 0)) == 0 && strcmp(teams[t].group, table_cell(&u, r, 1)) == 0)
                    snprintf(teams[t].unit, sizeof teams[t].unit, "%s", table_cell(&u, r, 2));
    }
    /* each leader's teams in each wave */
    if (orgs_file) {
        table_t o = {0};
        if (!table_read("trend_attack", orgs_file, &o)) {
            fprintf(stderr, "trend_attack: cannot read %s\n", orgs_file);
            return 2;
        }
        for (size_t r = 0; r < o.n_rows; r++)
            for (size_t t = 0; t < n_teams; t++)
                if (strcmp(teams[t].wave, table_cell(&o, r, 0)) == 0 &&
                    strcmp(teams[t].group, table_cell(&o, r, 1)) == 0) {
                    members = table_realloc(members, (n_members + 1) * sizeof *members);
                    members[n_members].team = t;
                    snprintf(members[n_members++].leader, sizeof members->leader, "%s", table_cell(&o, r, 2));
                }
    }
    /* enps_trend.csv (and enps.csv): the promoters and detractors too */
    table_t et = must_read(dir, "enps_trend.csv", false), ecsv = must_read(dir, "enps.csv", false);
    long e_scale = table_column(&et, "scale"), e_level = table_column(&et, "level"),
         e_group = table_column(&et, "group"), e_wave = table_column(&et, "wave"),
         e_pro = table_column(&et, "promoters_pct"), e_det = table_column(&et, "detractors_pct"),
         e_delta = table_column(&et, "delta_previous");
    for (size_t r = 1; r < et.n_rows; r++)
        if (strcmp(table_cell(&et, r, e_scale), scale) == 0)
            n_blocks = 3;
    for (size_t r = 1; n_blocks == 3 && r < et.n_rows; r++) {
        if (strcmp(table_cell(&et, r, e_scale), scale) != 0)
            continue;
        size_t w = wave_index(table_cell(&et, r, e_wave));
        const char *level = table_cell(&et, r, e_level), *group = table_cell(&et, r, e_group);
        bool unit = strcmp(level, "unit") == 0, leader = strcmp(level, "leader") == 0;
        if ((unit && !units_file) || (leader && !orgs_file)) {
            fprintf(stderr, "trend_attack: enps_trend.csv has %s: give --%s FILE\n", level, unit ? "units" : "orgs");
            return 2;
        }
        bool shown = table_cell(&et, r, e_pro)[0] && table_cell(&et, r, e_det)[0];
        enps_equations(w, unit || leader ? NULL : group, unit ? group : NULL, leader ? group : NULL, shown,
                       table_cell(&et, r, e_delta)[0]);
    }
    long c_s = table_column(&ecsv, "scale"), c_l = table_column(&ecsv, "level"), c_g = table_column(&ecsv, "group"),
         c_p = table_column(&ecsv, "promoters_pct"), c_d = table_column(&ecsv, "detractors_pct");
    for (size_t r = 1; n_blocks == 3 && n_waves > 0 && r < ecsv.n_rows; r++) {
        const char *level = table_cell(&ecsv, r, c_l);
        if (strcmp(table_cell(&ecsv, r, c_s), scale) != 0 || !table_cell(&ecsv, r, c_p)[0] ||
            !table_cell(&ecsv, r, c_d)[0] || (strcmp(level, "leader") == 0 && !orgs_file) ||
            (strcmp(level, "unit") == 0 && !units_file))
            continue;
        bool unit = strcmp(level, "unit") == 0, leader = strcmp(level, "leader") == 0;
        const char *g = table_cell(&ecsv, r, c_g);
        enps_equations(n_waves - 1, unit || leader ? NULL : g, unit ? g : NULL, leader ? g : NULL, true, false);
    }
    /* trend.csv's equations */
    for (size_t r = 1; r < trend.n_rows; r++) {
        if (strcmp(table_cell(&trend, r, c_scale), scale) != 0)
            continue;
        size_t w = wave_index(table_cell(&trend, r, c_wave));
        const char *group = table_cell(&trend, r, c_group);
        if (strcmp(table_cell(&trend, r, c_level), "unit") == 0) {
            if (!units_file) {
                fprintf(stderr, "trend_attack: trend.csv has units: give --units FILE\n");
                return 2;
            }
            unit_equations(w, group, table_cell(&trend, r, c_mean)[0], table_cell(&trend, r, c_delta)[0] && w > 0);
            continue;
        }
        if (strcmp(table_cell(&trend, r, c_level), "leader") == 0) {
            if (!orgs_file) {
                fprintf(stderr, "trend_attack: trend.csv has leaders: give --orgs FILE\n");
                return 2;
            }
            org_equations(w, group, table_cell(&trend, r, c_mean)[0], table_cell(&trend, r, c_delta)[0] && w > 0);
            continue;
        }
        if (table_cell(&trend, r, c_mean)[0])
            mean_equation(w, group);
        if (table_cell(&trend, r, c_delta)[0] && w > 0)
            delta_equation(w, w - 1, group);
    }
    /* managers.csv: the last wave; changes.csv: the last two */
    size_t last = n_waves ? n_waves - 1 : 0;
    long m_scale = table_column(&managers, "scale"), m_id = table_column(&managers, "manager_id"),
         m_mean = table_column(&managers, "mean");
    for (size_t r = 1; r < managers.n_rows; r++)
        if (strcmp(table_cell(&managers, r, m_scale), scale) == 0 && table_cell(&managers, r, m_mean)[0])
            mean_equation(last, table_cell(&managers, r, m_id));
    long h_scale = table_column(&changes, "scale"), h_id = table_column(&changes, "manager_id"),
         h_prev = table_column(&changes, "mean_previous"), h_mean = table_column(&changes, "mean"),
         h_delta = table_column(&changes, "delta");
    for (size_t r = 1; last > 0 && r < changes.n_rows; r++) {
        if (strcmp(table_cell(&changes, r, h_scale), scale) != 0)
            continue;
        const char *id = table_cell(&changes, r, h_id);
        if (table_cell(&changes, r, h_prev)[0])
            mean_equation(last - 1, id);
        if (table_cell(&changes, r, h_mean)[0])
            mean_equation(last, id);
        if (table_cell(&changes, r, h_delta)[0])
            delta_equation(last, last - 1, id);
    }
    /* units.csv: the last wave's units */
    table_t unitcsv = must_read(dir, "units.csv", false);
    long u_scale = table_column(&unitcsv, "scale"), u_unit = table_column(&unitcsv, "unit"),
         u_mean = table_column(&unitcsv, "mean");
    for (size_t r = 1; units_file && r < unitcsv.n_rows; r++)
        if (strcmp(table_cell(&unitcsv, r, u_scale), scale) == 0 && table_cell(&unitcsv, r, u_mean)[0])
            unit_equations(last, table_cell(&unitcsv, r, u_unit), true, false);
    /* leaders.csv: the last wave's orgs (the company's row has no leader_id) */
    table_t leadcsv = must_read(dir, "leaders.csv", false);
    long l_scale = table_column(&leadcsv, "scale"), l_id = table_column(&leadcsv, "leader_id"),
         l_mean = table_column(&leadcsv, "mean");
    for (size_t r = 1; orgs_file && r < leadcsv.n_rows; r++)
        if (strcmp(table_cell(&leadcsv, r, l_scale), scale) == 0 && table_cell(&leadcsv, r, l_mean)[0] &&
            table_cell(&leadcsv, r, l_id)[0])
            org_equations(last, table_cell(&leadcsv, r, l_id), true, false);
    keep = table_realloc(NULL, (n_teams ? n_teams : 1) * sizeof *keep);
    small = table_realloc(NULL, (n_teams ? n_teams : 1) * sizeof *small);
    for (size_t t = 0; t < n_teams; t++) {
        keep[t] = true;
        if (teams[t].n < min_group)
            small[n_small++] = t;
    }
    full_rank = rank_of(keep);
    size_t *chosen = table_realloc(NULL, (min_group + 1) * sizeof *chosen);
    try_sets(0, 0, chosen, 0);
    printf("system scale=%s waves=%zu unknowns=%zu equations=%zu rank=%zu small=%zu sets=%zu leaks=%zu\n", scale,
           n_waves, n_blocks * n_teams, n_rows, full_rank, n_small, n_sets, n_leaks);
    return n_leaks ? 1 : 0;
}
