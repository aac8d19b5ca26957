/*
 * analysis/vec2.h — two doubles at a time, for the hot loops of analysis
 * (internal to analysis/).
 *
 * GCC and Clang vector extensions: SSE2 on x86-64, plain code elsewhere.
 * Every operation is the scalar one applied to each lane, so a loop over
 * pairs gives bit for bit what the loop over single values gives; only the
 * branch on a missing answer (NAN) becomes a mask.  A mask lane is all ones
 * (true) or all zeros (false), as a vector comparison gives it.
 */
#ifndef ENGAGE_VEC2_H
#define ENGAGE_VEC2_H

#include <float.h>
#include <string.h>

typedef double vec2_t __attribute__((vector_size(16)));
typedef long long mask2_t __attribute__((vector_size(16)));

static inline vec2_t vec2_load(const double *p)
{
    vec2_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void vec2_store(double *p, vec2_t v)
{
    memcpy(p, &v, sizeof v);
}

static inline vec2_t vec2_splat(double x)
{
    return (vec2_t){ x, x };
}

/* Lanes where m is false become +0.0. */
static inline vec2_t vec2_and(vec2_t v, mask2_t m)
{
    return (vec2_t)((mask2_t)v & m);
}

/* a where m is true, else b. */
static inline vec2_t vec2_select(mask2_t m, vec2_t a, vec2_t b)
{
    return (vec2_t)(((mask2_t)a & m) | ((mask2_t)b & ~m));
}

/* Lanes that are finite (neither NAN nor infinite). */
static inline mask2_t vec2_finite(vec2_t v)
{
    const mask2_t magnitude = { 0x7fffffffffffffffLL, 0x7fffffffffffffffLL };
    return (vec2_t)((mask2_t)v & magnitude) <= vec2_splat(DBL_MAX);
}

#endif
