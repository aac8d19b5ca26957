/*
 * tests/analysis/close.h — comparing figures in the analysis tests: equal
 * to a relative tolerance, NAN matching NAN only.  Include after cmocka.h.
 */
#ifndef ENGAGE_TESTS_CLOSE_H
#define ENGAGE_TESTS_CLOSE_H

#include <math.h>
#include <stdbool.h>

static inline void check_close(double got, double want, double rel, const char *what, const char *file,
                               int line)
{
    bool ok;
    if (isnan(want))
        ok = isnan(got);
    else
        ok = !isnan(got) && fabs(got - want) <= rel * fmax(fabs(got), fabs(want));
    if (!ok) {
        print_error("%s: got %.17g, want %.17g\n", what, got, want);
        _fail(file, line);
    }
}

/* Equal to 1e-12 relative (hand-computed values), NAN matching NAN only. */
#define assert_close(got, want) check_close((got), (want), 1e-12, #got, __FILE__, __LINE__)
#define assert_nan(got) check_close((got), NAN, 0, #got, __FILE__, __LINE__)

#endif
