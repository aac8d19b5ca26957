/*
 * tests/core/test_org.c — the reporting tree: depths, pre-order and subtree
 * ranges of a forest, a self-loop at the top, a loop named node by node,
 * a 100,000-deep chain (no recursion to overflow), the ancestors at a
 * depth, and the layout by key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "../../core/org.h"

/* Two trees and a lone top:  0 ─ 1 ─ 3      4 (its own manager)     5 ─ 6
 *                              └ 2 ─ 7                                */
static void test_forest(void **state)
{
    (void)state;
    const uint32_t parent[] = {ORG_TOP, 0, 0, 1, 4, ORG_TOP, 5, 2};
    org_t *org;
    uint32_t *loop;
    size_t loop_len;
    assert_int_equal(org_build(parent, 8, &org, &loop, &loop_len), ENGAGE_OK);
    assert_null(loop);
    assert_int_equal(org_size(org), 8);
    assert_int_equal(org_n_tops(org), 3);
    static const size_t depth[] = {1, 2, 2, 3, 1, 1, 2, 3};
    static const size_t children[] = {2, 1, 1, 0, 0, 1, 0, 0};
    for (size_t v = 0; v < 8; v++) {
        assert_int_equal(org_depth(org, v), depth[v]);
        assert_int_equal(org_n_children(org, v), children[v]);
    }
    assert_int_equal(org_parent(org, 4), ORG_NONE);
    assert_int_equal(org_parent(org, 7), 2);
    static const size_t order[] = {0, 1, 3, 2, 7, 4, 5, 6};
    static const size_t end[] = {5, 3, 5, 3, 6, 8, 8, 5};
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(org_at(org, i), order[i]);
        assert_int_equal(org_position(org, order[i]), i);
    }
    for (size_t v = 0; v < 8; v++)
        assert_int_equal(org_subtree_end(org, v), end[v]);
    uint32_t at[8];
    org_ancestors_at(org, 2, at);
    static const uint32_t expect[] = {0, 1, 2, 1, 4, 5, 6, 2};
    for (size_t v = 0; v < 8; v++)
        assert_int_equal(at[v], expect[v]);
    assert_int_equal(org_label(org, 1, "B", "Bea"), ENGAGE_OK);
    assert_int_equal(org_find(org, "B"), 1);
    assert_int_equal(org_find(org, "b"), ORG_NONE);
    assert_string_equal(org_name(org, 1), "Bea");
    assert_null(org_id(org, 0));
    org_set_invited(org, 3, true);
    org_mark_responded(org, 3);
    assert_true(org_invited(org, 3) && org_responded(org, 3));
    assert_false(org_invited(org, 2) || org_responded(org, 2));
    org_free(org);
}

/* The same forest laid out by key: tops "c" (0), "a" (4), "b" (5); 0's
 * children "z" (1) and "y" (2), so 2 comes first; 7 and 3 have no key. */
static void test_order_by_key(void **state)
{
    (void)state;
    const uint32_t parent[] = {ORG_TOP, 0, 0, 1, 4, ORG_TOP, 5, 2};
    const char *key[] = {"c", "z", "y", NULL, "a", "b", NULL, NULL};
    org_t *org;
    uint32_t *loop;
    size_t loop_len;
    assert_int_equal(org_build(parent, 8, &org, &loop, &loop_len), ENGAGE_OK);
    assert_int_equal(org_order_by(org, key), ENGAGE_OK);
    assert_int_equal(org_n_tops(org), 3);
    static const size_t order[] = {4, 5, 6, 0, 2, 7, 1, 3};
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(org_at(org, i), order[i]);
        assert_int_equal(org_position(org, order[i]), i);
    }
    static const size_t end[] = {8, 8, 6, 8, 1, 3, 3, 6};
    for (size_t v = 0; v < 8; v++)
        assert_int_equal(org_subtree_end(org, v), end[v]);
    /* again with no key: node order, as built */
    assert_int_equal(org_order_by(org, NULL), ENGAGE_OK);
    static const size_t built[] = {0, 1, 3, 2, 7, 4, 5, 6};
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(org_at(org, i), built[i]);
    assert_int_equal(org_n_tops(org), 3);
    org_free(org);
}

/* 0 → 1 → 2 → 3 → 1: the loop is 1, 2, 3, each the parent of the one before. */
static void test_loop(void **state)
{
    (void)state;
    const uint32_t parent[] = {1, 2, 3, 1, ORG_TOP};
    org_t *org;
    uint32_t *loop;
    size_t loop_len;
    assert_int_equal(org_build(parent, 5, &org, &loop, &loop_len), ENGAGE_EDATA);
    assert_null(org);
    assert_int_equal(loop_len, 3);
    assert_int_equal(loop[0], 1);
    assert_int_equal(loop[1], 2);
    assert_int_equal(loop[2], 3);
    free(loop);
    const uint32_t pair[] = {1, 0};
    assert_int_equal(org_build(pair, 2, &org, &loop, &loop_len), ENGAGE_EDATA);
    assert_int_equal(loop_len, 2);
    free(loop);
}

/* A chain 100,000 deep, each node the manager of the next, and a loop as long. */
static void test_deep_chain(void **state)
{
    (void)state;
    enum { N = 100000 };
    uint32_t *parent = malloc(N * sizeof *parent);
    assert_non_null(parent);
    parent[0] = 0;   /* their own manager: the top */
    for (uint32_t v = 1; v < N; v++)
        parent[v] = v - 1;
    org_t *org;
    uint32_t *loop;
    size_t loop_len;
    assert_int_equal(org_build(parent, N, &org, &loop, &loop_len), ENGAGE_OK);
    assert_int_equal(org_n_tops(org), 1);
    assert_int_equal(org_depth(org, N - 1), N);
    assert_int_equal(org_at(org, N - 1), N - 1);
    assert_int_equal(org_subtree_end(org, 0), N);
    assert_int_equal(org_subtree_end(org, N / 2), N);
    uint32_t *at = malloc(N * sizeof *at);
    assert_non_null(at);
    org_ancestors_at(org, 50000, at);
    assert_int_equal(at[N - 1], 49999);
    assert_int_equal(at[10], 10);
    free(at);
    org_free(org);
    parent[0] = N - 1;
    assert_int_equal(org_build(parent, N, &org, &loop, &loop_len), ENGAGE_EDATA);
    assert_int_equal(loop_len, N);
    free(loop);
    free(parent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forest),
        cmocka_unit_test(test_order_by_key),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_deep_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
