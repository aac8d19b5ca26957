/*
 * tests/report/test_tree_privacy.c — privacy across the reporting tree
 * (privacy_tree): hand-made trees whose answer is worked out in the
 * comments (one with the teams fixed, only orgs hidden); a 100,000-deep chain; a 125,000-team tree of six levels; bad
 * parent arrays; and hundreds of random small trees (chains, stars,
 * caterpillars, forests, random shapes; tiny teams; min_group 3..10) where
 * an exhaustive subtraction attack finds nothing of 1..min_group-1 people
 * and brute force finds no smaller suppression.  Then units across the
 * tree (privacy_split_cells): hand-made cells and random ones checked cell
 * by cell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../report/privacy.h"

#define NONE SIZE_MAX

/* --- hand-made trees --------------------------------------------------- */

typedef struct {
    size_t n;
    size_t parent[8], team_n[8];
    unsigned char team_reason[8], org_reason[8];
    size_t org_n[8], added;
} small_tree_t;

static engage_status_t decide_tree(small_tree_t *t, long k, bool teams_fixed)
{
    privacy_tree_t tree = { .n_nodes = t->n, .parent = t->parent, .team_n = t->team_n,
                            .team_reason = t->team_reason, .org_reason = t->org_reason,
                            .org_n = t->org_n, .teams_fixed = teams_fixed };
    return privacy_tree(&tree, k, &t->added, NULL);
}

static engage_status_t decide_small(small_tree_t *t, long k)
{
    return decide_tree(t, k, false);
}

/* k = 5.  The company (0, nobody of its own) over A (1: team 8) over B (2:
 * team 2) and C (3: team 6).  B is hidden (2); A's org (16) minus its team
 * and C's org leaves B's 2.  One group fixes it: A's team (A's cell is
 * then 10).  Hiding A's org instead would leave the company minus nothing
 * shown inside = 2; hiding C (team or org) leaves C's team or org
 * covering the same 6. */
static void test_team_hidden_to_cover_a_child(void **state)
{
    (void)state;
    small_tree_t t = { .n = 4, .parent = { NONE, 0, 1, 1 }, .team_n = { 0, 8, 2, 6 },
                       .team_reason = { PRIVACY_PRIMARY, 0, 0, 0 } };
    assert_int_equal(decide_small(&t, 5), ENGAGE_OK);
    const unsigned char teams[] = { PRIVACY_PRIMARY, PRIVACY_SECONDARY, PRIVACY_PRIMARY,
                                    PRIVACY_SHOWN };
    const unsigned char orgs[] = { PRIVACY_SHOWN, PRIVACY_SHOWN, PRIVACY_PRIMARY, PRIVACY_SHOWN };
    assert_memory_equal(t.team_reason, teams, sizeof teams);
    assert_memory_equal(t.org_reason, orgs, sizeof orgs);
    const size_t org_n[] = { 16, 16, 2, 6 };
    assert_memory_equal(t.org_n, org_n, sizeof org_n);
    assert_int_equal(t.added, 1);
}

/* Teams fixed (an earlier wave's managers as decided), k = 5.  The company
 * (0) over A (1: team 8) and D (4: team 3); A over B (2: team 2) and C (3:
 * team 6).  B and D are hidden (below 5): 5 people in all.  A's cell is
 * B's 2, and A's team may not be hidden, so A's org is (one group); the
 * company's cell is then B's 2 and D's 3 = 5.  B's and D's orgs are
 * primary, C's shows (its cell is empty).  With B's team alone hidden (2
 * in all) no decision of the orgs can meet the rule: ENGAGE_EDATA. */
static void test_teams_fixed_hides_orgs_only(void **state)
{
    (void)state;
    small_tree_t t = { .n = 5, .parent = { NONE, 0, 1, 1, 0 }, .team_n = { 0, 8, 2, 6, 3 },
                       .team_reason = { PRIVACY_PRIMARY, 0, 0, 0, 0 } };
    assert_int_equal(decide_tree(&t, 5, true), ENGAGE_OK);
    const unsigned char teams[] = { PRIVACY_PRIMARY, PRIVACY_SHOWN, PRIVACY_PRIMARY, PRIVACY_SHOWN,
                                    PRIVACY_PRIMARY };
    const unsigned char orgs[] = { PRIVACY_SHOWN, PRIVACY_SECONDARY, PRIVACY_PRIMARY, PRIVACY_SHOWN,
                                   PRIVACY_PRIMARY };
    assert_memory_equal(t.team_reason, teams, sizeof teams);
    assert_memory_equal(t.org_reason, orgs, sizeof orgs);
    assert_int_equal(t.added, 1);
    small_tree_t short_of = { .n = 4, .parent = { NONE, 0, 1, 1 }, .team_n = { 0, 8, 2, 6 },
                              .team_reason = { PRIVACY_PRIMARY, 0, 0, 0 } };
    assert_int_equal(decide_tree(&short_of, 5, true), ENGAGE_EDATA);
}

/* k = 5.  The company (0) over A (1: team 1, org 8) and C (3: team 4, org
 * 4); A over D (2: team 7).  A's cell is its own 1, and the company's is
 * C's 4.  A's org hidden: the company then leaves A's 1 and C's 4 = 5.
 * Hiding D's team (A's cell 8) leaves the company's 4; nothing else of
 * one group works. */
static void test_org_hidden_to_merge_into_the_company(void **state)
{
    (void)state;
    small_tree_t t = { .n = 4, .parent = { NONE, 0, 1, 0 }, .team_n = { 0, 1, 7, 4 } };
    assert_int_equal(decide_small(&t, 5), ENGAGE_OK);
    const unsigned char teams[] = { PRIVACY_PRIMARY, PRIVACY_PRIMARY, PRIVACY_SHOWN,
                                    PRIVACY_PRIMARY };
    const unsigned char orgs[] = { PRIVACY_SHOWN, PRIVACY_SECONDARY, PRIVACY_SHOWN,
                                   PRIVACY_PRIMARY };
    assert_memory_equal(t.team_reason, teams, sizeof teams);
    assert_memory_equal(t.org_reason, orgs, sizeof orgs);
    assert_int_equal(t.added, 1);
}

/* k = 5.  The company has 2 people of its own (unpublished) and one leader
 * A whose org is its team of 7.  The company minus A is those 2: A's org
 * and A's team are the same 7 people, so both must go. */
static void test_org_and_team_are_one_group(void **state)
{
    (void)state;
    small_tree_t t = { .n = 2, .parent = { NONE, 0 }, .team_n = { 2, 7 },
                       .team_reason = { PRIVACY_SECONDARY, PRIVACY_SHOWN } };
    assert_int_equal(decide_small(&t, 5), ENGAGE_OK);
    assert_int_equal(t.team_reason[1], PRIVACY_SECONDARY);
    assert_int_equal(t.org_reason[1], PRIVACY_SECONDARY);
    assert_int_equal(t.org_reason[0], PRIVACY_SHOWN);
    assert_int_equal(t.team_reason[0], PRIVACY_SECONDARY); /* kept as given */
    assert_int_equal(t.added, 2);
}

/* k = 5.  A star: leaders of 6, 5, 7 and 3 under the company.  The 3 is
 * hidden and the company minus the rest would show it: one more leader
 * (team and org, 2 groups) must go, and the fewest respondents is the 5
 * (node 2), not the first in node order. */
static void test_star_hides_the_smallest(void **state)
{
    (void)state;
    small_tree_t t = { .n = 5, .parent = { NONE, 0, 0, 0, 0 }, .team_n = { 0, 6, 5, 7, 3 } };
    assert_int_equal(decide_small(&t, 5), ENGAGE_OK);
    const unsigned char hidden[] = { PRIVACY_SHOWN, PRIVACY_SHOWN, PRIVACY_SECONDARY,
                                     PRIVACY_SHOWN, PRIVACY_PRIMARY };
    assert_memory_equal(t.org_reason, hidden, sizeof hidden);
    assert_memory_equal(t.team_reason + 1, hidden + 1, 4);
    assert_int_equal(t.added, 2);
}

/* min_group above everyone: all primary, nothing added; and a forest of
 * two companies, each settled on its own. */
static void test_small_company_and_forest(void **state)
{
    (void)state;
    small_tree_t t = { .n = 2, .parent = { NONE, 0 }, .team_n = { 3, 2 } };
    assert_int_equal(decide_small(&t, 10), ENGAGE_OK);
    for (size_t v = 0; v < 2; v++) {
        assert_int_equal(t.team_reason[v], PRIVACY_PRIMARY);
        assert_int_equal(t.org_reason[v], PRIVACY_PRIMARY);
    }
    assert_int_equal(t.added, 0);

    /* roots 0 and 2: 0 over 1 (team 9; 0's own 1 shows after 9 is taken
     * away: hide 1's org and team); 2 over 3 (team 6; 2's own 5 shown) */
    small_tree_t f = { .n = 4, .parent = { NONE, 0, NONE, 2 }, .team_n = { 1, 9, 5, 6 } };
    assert_int_equal(decide_small(&f, 5), ENGAGE_OK);
    const unsigned char teams[] = { PRIVACY_PRIMARY, PRIVACY_SECONDARY, PRIVACY_SHOWN,
                                    PRIVACY_SHOWN };
    const unsigned char orgs[] = { PRIVACY_SHOWN, PRIVACY_SECONDARY, PRIVACY_SHOWN,
                                   PRIVACY_SHOWN };
    assert_memory_equal(f.team_reason, teams, sizeof teams);
    assert_memory_equal(f.org_reason, orgs, sizeof orgs);
    assert_int_equal(f.added, 2);
}

static void test_not_a_tree(void **state)
{
    (void)state;
    engage_error_t err;
    small_tree_t loop = { .n = 4, .parent = { NONE, 2, 3, 1 }, .team_n = { 5, 5, 5, 5 } };
    privacy_tree_t tree = { .n_nodes = loop.n, .parent = loop.parent, .team_n = loop.team_n,
                            .team_reason = loop.team_reason, .org_reason = loop.org_reason };
    assert_int_equal(privacy_tree(&tree, 5, NULL, &err), ENGAGE_EDATA);
    small_tree_t self = { .n = 1, .parent = { 0 }, .team_n = { 5 } };
    tree.n_nodes = 1;
    tree.parent = self.parent;
    assert_int_equal(privacy_tree(&tree, 5, NULL, &err), ENGAGE_EDATA);
    small_tree_t out = { .n = 2, .parent = { NONE, 7 }, .team_n = { 5, 5 } };
    tree.n_nodes = 2;
    tree.parent = out.parent;
    assert_int_equal(privacy_tree(&tree, 5, NULL, &err), ENGAGE_EDATA);
}

/* --- large trees --------------------------------------------------------- */

typedef struct {
    size_t n;
    size_t *parent, *team_n, *org_n;
    unsigned char *team_reason, *org_reason;
} big_tree_t;

static big_tree_t big_new(size_t n)
{
    big_tree_t t = { .n = n };
    t.parent = malloc(n * sizeof *t.parent);
    t.team_n = malloc(n * sizeof *t.team_n);
    t.org_n = malloc(n * sizeof *t.org_n);
    t.team_reason = calloc(n, 1);
    t.org_reason = calloc(n, 1);
    assert_non_null(t.parent);
    assert_non_null(t.team_n);
    assert_non_null(t.org_n);
    assert_non_null(t.team_reason);
    assert_non_null(t.org_reason);
    return t;
}

static void big_free(big_tree_t *t)
{
    free(t->parent);
    free(t->team_n);
    free(t->org_n);
    free(t->team_reason);
    free(t->org_reason);
}

static size_t big_decide(big_tree_t *t, long k)
{
    privacy_tree_t tree = { .n_nodes = t->n, .parent = t->parent, .team_n = t->team_n,
                            .team_reason = t->team_reason, .org_reason = t->org_reason,
                            .org_n = t->org_n };
    size_t added = SIZE_MAX;
    assert_int_equal(privacy_tree(&tree, k, &added, NULL), ENGAGE_OK);
    return added;
}

/* Every shown org's cell (what no shown group inside it covers) is 0 or at
 * least k, for a tree whose parents come before their children. */
static void assert_cells(const big_tree_t *t, size_t k)
{
    size_t *uncovered = calloc(t->n, sizeof *uncovered), *org = calloc(t->n, sizeof *org);
    assert_non_null(uncovered);
    assert_non_null(org);
    for (size_t v = t->n; v-- > 0;) {
        org[v] += t->team_n[v];
        if (t->team_reason[v] != PRIVACY_SHOWN)
            uncovered[v] += t->team_n[v];
        else
            assert_true(t->team_n[v] >= k);
        assert_int_equal(org[v], t->org_n[v]);
        if (t->org_reason[v] == PRIVACY_SHOWN) {
            assert_true(org[v] >= k);
            if (uncovered[v] != 0 && uncovered[v] < k)
                fail_msg("org %zu: %zu people isolated", v, uncovered[v]);
        } else if (t->parent[v] == NONE) {
            assert_int_equal(t->org_reason[v], PRIVACY_PRIMARY);
        }
        if (t->parent[v] != NONE) {
            org[t->parent[v]] += org[v];
            if (t->org_reason[v] != PRIVACY_SHOWN)
                uncovered[t->parent[v]] += uncovered[v];
        }
    }
    free(uncovered);
    free(org);
}

/* A chain of 100,000 leaders, one respondent each, k = 5: every team is
 * hidden, org i holds 100,000 - i people, and two shown orgs one inside
 * the other must differ by 5 or more.  The company (100,000) shows, so at
 * most 20,000 orgs can: exactly those of 5, 10, ..., 100,000 people (the
 * only 20,000 that fit); the other 79,996 of at least 5 are secondary. */
static void test_deep_chain(void **state)
{
    (void)state;
    size_t n = 100000;
    big_tree_t t = big_new(n);
    for (size_t v = 0; v < n; v++) {
        t.parent[v] = v ? v - 1 : NONE;
        t.team_n[v] = 1;
    }
    assert_int_equal(big_decide(&t, 5), 79996);
    for (size_t v = 0; v < n; v++) {
        size_t size = n - v;
        unsigned char want = size < 5 ? PRIVACY_PRIMARY
                             : size % 5 == 0 ? PRIVACY_SHOWN : PRIVACY_SECONDARY;
        if (t.org_reason[v] != want)
            fail_msg("org of %zu people: reason %d, want %d", size, t.org_reason[v], want);
        assert_int_equal(t.team_reason[v], PRIVACY_PRIMARY);
    }
    assert_cells(&t, 5);
    big_free(&t);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

/* 125,000 teams in six levels under the company (spans of about 5, then
 * 10), teams of 1 to 15: the cells hold for k = 5 and 10, and the same
 * counts give the same decision twice. */
static void test_six_levels(void **state)
{
    (void)state;
    const size_t level[] = { 1, 4, 20, 200, 2000, 20000, 102775 };
    size_t n = 0;
    for (size_t l = 0; l < sizeof level / sizeof *level; l++)
        n += level[l];
    assert_int_equal(n, 125000);
    big_tree_t t = big_new(n);
    uint64_t seed = 12;
    size_t start = 0, previous = 0;
    for (size_t l = 0; l < sizeof level / sizeof *level; l++) {
        for (size_t i = 0; i < level[l]; i++) {
            size_t v = start + i;
            t.parent[v] = l == 0 ? NONE : previous + lcg(&seed) % level[l - 1];
            t.team_n[v] = 1 + lcg(&seed) % 15;
        }
        previous = start;
        start += level[l];
    }
    for (long k = 5; k <= 10; k += 5) {
        memset(t.team_reason, PRIVACY_SHOWN, n);
        size_t added = big_decide(&t, k);
        assert_true(added > 0);
        assert_cells(&t, (size_t)k);
        unsigned char *first = malloc(n);
        assert_non_null(first);
        memcpy(first, t.org_reason, n);
        memset(t.team_reason, PRIVACY_SHOWN, n);
        assert_int_equal(big_decide(&t, k), added);
        assert_memory_equal(first, t.org_reason, n);
        free(first);
    }
    big_free(&t);
}

/* --- random small trees against brute force ------------------------------ */

enum { MAX_NODES = 8, MAX_GROUPS = 2 * MAX_NODES };

typedef struct {
    size_t n, k;
    size_t parent[MAX_NODES], team_n[MAX_NODES];
    unsigned char team_in[MAX_NODES];
    unsigned mask[MAX_GROUPS];    /* group 2v: v's team, 2v + 1: v's org; the nodes
                                     whose (non-empty) teams it holds */
    size_t size[MAX_GROUPS];
} shape_t;

static size_t weight(const shape_t *s, unsigned mask)
{
    size_t w = 0;
    for (size_t v = 0; v < s->n; v++)
        if (mask >> v & 1)
            w += s->team_n[v];
    return w;
}

static void shape_groups(shape_t *s)
{
    for (size_t v = 0; v < s->n; v++) {
        unsigned self = s->team_n[v] ? 1u << v : 0;
        s->mask[2 * v] = self;
        s->mask[2 * v + 1] = 0;
    }
    for (size_t v = 0; v < s->n; v++)
        for (size_t u = v; u != NONE; u = s->parent[u])
            s->mask[2 * u + 1] |= s->mask[2 * v];
    for (size_t g = 0; g < 2 * s->n; g++)
        s->size[g] = weight(s, s->mask[g]);
}

static bool inside(unsigned a, unsigned b)
{
    return (a & ~b) == 0;
}

/* The attack: from every shown group, take away every collection of
 * disjoint shown groups inside it (depth-first over the candidates). */
static bool attack_from(const shape_t *s, const bool *shown, size_t x, size_t from,
                        unsigned taken, size_t left)
{
    if (left != 0 && left < s->k)
        return false;
    for (size_t g = from; g < 2 * s->n; g++) {
        if (g == x || !shown[g] || !inside(s->mask[g], s->mask[x]) || (s->mask[g] & taken))
            continue;
        if (!attack_from(s, shown, x, g + 1, taken | s->mask[g], left - s->size[g]))
            return false;
    }
    return true;
}

static bool attack_finds_nothing(const shape_t *s, const bool *shown)
{
    for (size_t x = 0; x < 2 * s->n; x++)
        if (shown[x] && !attack_from(s, shown, x, 0, 0, s->size[x]))
            return false;
    return true;
}

/* The cells: each shown group less the union of the shown groups strictly
 * inside it (a group of the same people, such as a leaf's org and team, or
 * an org and its one child's when it has nobody of its own, is the same
 * figure and covers nothing). */
static bool cells_hold(const shape_t *s, const bool *shown)
{
    for (size_t x = 0; x < 2 * s->n; x++) {
        if (!shown[x])
            continue;
        unsigned covered = 0;
        for (size_t g = 0; g < 2 * s->n; g++)
            if (shown[g] && s->mask[g] != s->mask[x] && inside(s->mask[g], s->mask[x]))
                covered |= s->mask[g];
        size_t cell = s->size[x] - weight(s, covered);
        if (cell != 0 && cell < s->k)
            return false;
    }
    return true;
}

static void random_shape(shape_t *s, uint64_t *seed)
{
    s->n = 1 + lcg(seed) % MAX_NODES;
    s->k = 3 + lcg(seed) % 8;
    unsigned kind = lcg(seed) % 5;
    for (size_t v = 0; v < s->n; v++) {
        switch (kind) {
        case 0: s->parent[v] = v ? v - 1 : NONE; break;                    /* chain */
        case 1: s->parent[v] = v ? 0 : NONE; break;                        /* star */
        case 2: s->parent[v] = v < 2 ? (v ? 0 : NONE) : v - 1 - v % 2; break; /* caterpillar */
        case 3: s->parent[v] = v == 0 || lcg(seed) % 4 == 0 ? NONE         /* forest */
                                             : lcg(seed) % v; break;
        default: s->parent[v] = v ? lcg(seed) % v : NONE; break;          /* any shape */
        }
        unsigned r = lcg(seed) % 10;
        s->team_n[v] = r < 6 ? lcg(seed) % s->k                 /* tiny, 0 included */
                       : s->k + lcg(seed) % 9;
        bool root = s->parent[v] == NONE;
        s->team_in[v] = (root ? lcg(seed) % 2 : lcg(seed) % 7 == 0) ? PRIVACY_SECONDARY
                                                                    : PRIVACY_SHOWN;
    }
    shape_groups(s);
}

static void test_random_against_brute_force(void **state)
{
    (void)state;
    uint64_t seed = 2024;
    size_t trees = 600, with_secondary = 0, checked_minimal = 0;
    for (size_t trial = 0; trial < trees; trial++) {
        shape_t s;
        random_shape(&s, &seed);
        unsigned char team_reason[MAX_NODES], org_reason[MAX_NODES];
        size_t org_n[MAX_NODES], added;
        memcpy(team_reason, s.team_in, s.n);
        privacy_tree_t tree = { .n_nodes = s.n, .parent = s.parent, .team_n = s.team_n,
                                .team_reason = team_reason, .org_reason = org_reason,
                                .org_n = org_n };
        assert_int_equal(privacy_tree(&tree, (long)s.k, &added, NULL), ENGAGE_OK);

        /* primary as stated; groups that could show */
        bool shown[MAX_GROUPS], may_show[MAX_GROUPS];
        size_t counted = 0, hidden_people = 0;
        for (size_t v = 0; v < s.n; v++) {
            assert_int_equal(org_n[v], s.size[2 * v + 1]);
            bool team_small = s.team_n[v] < s.k && s.team_in[v] == PRIVACY_SHOWN;
            assert_int_equal(team_reason[v] == PRIVACY_PRIMARY, team_small);
            if (s.team_in[v] != PRIVACY_SHOWN)
                assert_int_equal(team_reason[v], s.team_in[v]);
            assert_int_equal(org_reason[v] == PRIVACY_PRIMARY, org_n[v] < s.k);
            if (s.parent[v] == NONE)
                assert_int_not_equal(org_reason[v], PRIVACY_SECONDARY);
            may_show[2 * v] = s.team_in[v] == PRIVACY_SHOWN && !team_small;
            may_show[2 * v + 1] = org_n[v] >= s.k && s.parent[v] != NONE;
            shown[2 * v] = team_reason[v] == PRIVACY_SHOWN;
            shown[2 * v + 1] = org_reason[v] == PRIVACY_SHOWN;
            for (size_t g = 2 * v; g <= 2 * v + 1; g++)
                if (may_show[g] && !shown[g]) {
                    counted++;
                    hidden_people += s.size[g];
                }
        }
        assert_int_equal(counted, added);
        with_secondary += added > 0;
        if (!attack_finds_nothing(&s, shown))
            fail_msg("tree %zu: a subtraction isolates fewer than %zu", trial, s.k);
        assert_true(cells_hold(&s, shown));

        /* brute force: no smaller set of secondary groups works, and none
         * as small holds fewer people */
        size_t groups[MAX_GROUPS], m = 0;
        for (size_t g = 0; g < 2 * s.n; g++)
            if (may_show[g])
                groups[m++] = g;
        for (uint32_t pick = 0; pick < (1u << m); pick++) {
            if ((size_t)__builtin_popcount(pick) > added)
                continue;
            bool trial_shown[MAX_GROUPS];
            size_t people = 0;
            for (size_t g = 0; g < 2 * s.n; g++)
                trial_shown[g] = shown[g] || may_show[g];
            for (size_t i = 0; i < m; i++)
                if (pick >> i & 1) {
                    trial_shown[groups[i]] = false;
                    people += s.size[groups[i]];
                }
            /* the cells and the attack agree on every set tried */
            bool ok = cells_hold(&s, trial_shown);
            assert_int_equal(ok, attack_finds_nothing(&s, trial_shown));
            if (ok) {
                assert_int_equal((size_t)__builtin_popcount(pick), added);
                assert_true(people >= hidden_people);
            }
            checked_minimal++;
        }

        /* the same counts, the same decision */
        unsigned char again_team[MAX_NODES], again_org[MAX_NODES];
        memcpy(again_team, s.team_in, s.n);
        tree.team_reason = again_team;
        tree.org_reason = again_org;
        assert_int_equal(privacy_tree(&tree, (long)s.k, NULL, NULL), ENGAGE_OK);
        assert_memory_equal(again_team, team_reason, s.n);
        assert_memory_equal(again_org, org_reason, s.n);
    }
    /* the random trees do exercise the secondary rule */
    assert_true(with_secondary > trees / 4);
    assert_true(checked_minimal > trees);
}

/* --- units across the tree (privacy_split_cells) ----------------------- */

#define SHOWN PRIVACY_SHOWN
#define SECONDARY PRIVACY_SECONDARY

static size_t split(size_t teams, const size_t *n, const bool *hidden, const size_t *org_cell,
                    const size_t *unit_of, size_t units, unsigned char *unit_reason, long k)
{
    privacy_cells_t c = { .n_teams = teams, .n = n, .hidden = hidden, .org_cell = org_cell,
                          .unit_of = unit_of, .n_units = units, .unit_reason = unit_reason };
    size_t added = 99;
    assert_int_equal(privacy_split_cells(&c, k, &added, NULL), ENGAGE_OK);
    return added;
}

/* Org 0 hides teams of 3 (unit 0) and 3 (unit 1), k = 5: the org's cell of
 * 6 is fine for the tree, but each unit would isolate 3: both units go. */
static void test_units_split_a_cell(void **state)
{
    (void)state;
    size_t n[] = { 3, 3, 20 }, org[] = { 0, 0, 0 }, unit[] = { 0, 1, 1 };
    bool hidden[] = { true, true, false };
    unsigned char reason[] = { SHOWN, SHOWN };
    assert_int_equal(split(3, n, hidden, org, unit, 2, reason, 5), 2);
    assert_int_equal(reason[0], SECONDARY);
    assert_int_equal(reason[1], SECONDARY);
}

/* Hidden 6 (unit 0) and 2 (unit 1) in org 0, k = 5: unit 1 goes first;
 * then its 2 are a cell of no shown unit, so unit 0 goes too (6 + 2). */
static void test_no_unit_cell_takes_the_org_units(void **state)
{
    (void)state;
    size_t n[] = { 6, 2, 9 }, org[] = { 0, 0, 1 }, unit[] = { 0, 1, 2 };
    bool hidden[] = { true, true, true };
    unsigned char reason[] = { SHOWN, SHOWN, SHOWN };
    assert_int_equal(split(3, n, hidden, org, unit, 3, reason, 5), 2);
    assert_int_equal(reason[0], SECONDARY);
    assert_int_equal(reason[1], SECONDARY);
    assert_int_equal(reason[2], SHOWN);   /* org 1's cell: 9 in unit 2 */
}

/* Cells of 0 or at least k change nothing; an empty team is no one. */
static void test_fine_cells_stay(void **state)
{
    (void)state;
    size_t n[] = { 6, 5, 0, 1 }, org[] = { 0, 0, 0, 0 }, unit[] = { 0, 1, 2, 2 };
    bool hidden[] = { true, true, true, false };
    unsigned char reason[] = { SHOWN, SHOWN, SHOWN };
    assert_int_equal(split(4, n, hidden, org, unit, 3, reason, 5), 0);
    for (size_t u = 0; u < 3; u++)
        assert_int_equal(reason[u], SHOWN);
}

/* Random teams, orgs and units whose org cells are each 0 or at least k (as
 * privacy_tree() leaves them): afterwards every cell split by shown unit is
 * too, and a unit kept hidden stays hidden. */
static void test_split_random(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed1175ULL;
    for (int round = 0; round < 500; round++) {
        size_t k = 2 + lcg(&seed) % 9, teams = 1 + lcg(&seed) % 40;
        size_t orgs = 1 + lcg(&seed) % 6, units = 1 + lcg(&seed) % 6;
        size_t n[40], org[40], unit[40], org_hidden[6] = { 0 };
        bool hidden[40];
        unsigned char reason[6], before[6];
        for (size_t t = 0; t < teams; t++) {
            n[t] = lcg(&seed) % 8;
            org[t] = lcg(&seed) % orgs;
            unit[t] = lcg(&seed) % units;
            hidden[t] = lcg(&seed) % 2;
            if (hidden[t])
                org_hidden[org[t]] += n[t];
        }
        /* a small org cell merges into org 0's, as a hidden org would */
        for (size_t t = 0; t < teams; t++)
            if (org_hidden[org[t]] > 0 && org_hidden[org[t]] < k)
                org[t] = 0;
        size_t cell0 = 0;
        for (size_t t = 0; t < teams; t++)
            cell0 += hidden[t] && org[t] == 0 ? n[t] : 0;
        if (cell0 > 0 && cell0 < k)
            continue;
        for (size_t u = 0; u < units; u++)
            before[u] = reason[u] = lcg(&seed) % 4 ? SHOWN : SECONDARY;
        split(teams, n, hidden, org, unit, units, reason, (long)k);
        for (size_t u = 0; u < units; u++)
            if (before[u] != SHOWN)
                assert_int_equal(reason[u], before[u]);
        for (size_t o = 0; o < orgs; o++)
            for (size_t u = 0; u <= units; u++) {   /* u == units: no shown unit */
                size_t people = 0;
                for (size_t t = 0; t < teams; t++) {
                    bool shown_unit = reason[unit[t]] == SHOWN;
                    if (hidden[t] && org[t] == o && (shown_unit ? unit[t] == u : u == units))
                        people += n[t];
                }
                assert_true(people == 0 || people >= k);
            }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_team_hidden_to_cover_a_child),
        cmocka_unit_test(test_org_hidden_to_merge_into_the_company),
        cmocka_unit_test(test_teams_fixed_hides_orgs_only),
        cmocka_unit_test(test_org_and_team_are_one_group),
        cmocka_unit_test(test_star_hides_the_smallest),
        cmocka_unit_test(test_small_company_and_forest),
        cmocka_unit_test(test_not_a_tree),
        cmocka_unit_test(test_deep_chain),
        cmocka_unit_test(test_six_levels),
        cmocka_unit_test(test_random_against_brute_force),
        cmocka_unit_test(test_units_split_a_cell),
        cmocka_unit_test(test_no_unit_cell_takes_the_org_units),
        cmocka_unit_test(test_fine_cells_stay),
        cmocka_unit_test(test_split_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
