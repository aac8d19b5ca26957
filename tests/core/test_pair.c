/*
 * tests/core/test_pair.c — a job in two parts (core/pair.h): both parts
 * run, each once, the second on another thread when two are asked for and
 * on the calling thread otherwise, and both are done when pair_run returns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>

#include "../../core/pair.h"

typedef struct {
    int runs;
    pthread_t thread;          /* the thread that ran the part */
    long sum;                  /* of 1 .. 1,000,000: work that takes a while */
} part_t;

static void *count(void *arg)
{
    part_t *p = arg;
    p->runs++;
    p->thread = pthread_self();
    for (long i = 1; i <= 1000000; i++)
        p->sum += i;
    return NULL;
}

static void check(bool two_threads)
{
    part_t first = { 0 }, second = { 0 };
    pair_run(count, &first, &second, two_threads);
    assert_int_equal(first.runs, 1);
    assert_int_equal(second.runs, 1);
    assert_true(first.sum == 500000500000L);
    assert_true(second.sum == 500000500000L);
    assert_true(pthread_equal(first.thread, pthread_self()) != 0);
    assert_true((pthread_equal(second.thread, pthread_self()) != 0) == !two_threads);
}

static void test_on_two_threads(void **state)
{
    (void)state;
    check(true);
}

static void test_on_this_thread(void **state)
{
    (void)state;
    check(false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_on_two_threads),
        cmocka_unit_test(test_on_this_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
