/*
 * analysis/alpha.h — Cronbach's alpha on pairwise-complete covariances,
 * accumulated block by block while the scoring pass runs (internal to
 * analysis/).
 *
 * The scoring pass appends each scored respondent's item values (after
 * reverse coding, NAN when not answered) with alpha_row()/alpha_push();
 * every ALPHA_BLOCK_VALUES or so values form a block that is folded into a
 * running pairwise state.  Folding runs on a second thread when one can be
 * started, so that it overlaps the scoring pass; blocks are folded in the
 * order they were filled and with the same boundaries either way, so alpha
 * does not depend on the thread (nor on timing).
 *
 * Life cycle: alpha_start → (alpha_row, alpha_push)... → alpha_close →
 * (other work while the last blocks fold) → alpha_finish → alpha_value →
 * alpha_fini.  The caller owns the alpha_t; everything in it
 * is owned by it.  Only the thread calling these functions may use them.
 */
#ifndef ENGAGE_ALPHA_H
#define ENGAGE_ALPHA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"

/* Scored respondents handed to the folding thread at once, in blocks;
 * chunks in flight at most (filled, being folded, waiting). */
enum { ALPHA_CHUNK_BLOCKS = 8, ALPHA_CHUNKS = 4 };

/* The running pairwise state (see alpha.c). */
typedef struct {
    size_t k;
    size_t block_rows;      /* respondents per block */
    double *shift;          /* [a] block mean of x_a */
    double *z;              /* ALPHA_BATCH respondents' deviations, k each */
    double *zsum;           /* [a] Σ z_a over the block's answers to a */
    size_t *count;          /* [a] block answers to a */
    double *p;              /* [a,b] Σ z_a z_b, a <= b */
    double *miss_z;         /* [a,b] Σ z_a over those answering a but not b */
    size_t *miss_n;         /* [a,b] how many answer a but not b */
    size_t *n;              /* [a,b] n_ab so far, a <= b */
    double *mean;           /* [a,b] mean of x_a over S_ab so far */
    double *comoment;       /* [a,b] C_ab so far, a <= b */
} alpha_state_t;

typedef struct {
    alpha_state_t state;    /* written only by the folding thread until alpha_finish */
    size_t chunk_rows;      /* ALPHA_CHUNK_BLOCKS blocks */
    double *chunks;         /* ALPHA_CHUNKS × chunk_rows × k values */
    size_t rows[ALPHA_CHUNKS];  /* respondents in each chunk handed over */
    size_t filling;         /* respondents in the chunk being filled */
    size_t produced;        /* chunks handed over, ... */
    size_t consumed;        /* ... and folded */
    bool finished;          /* closed: no more chunks */
    bool threaded;          /* a folding thread runs; else chunks fold inline */
    bool sync_ready;        /* lock and cond initialised */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
} alpha_t;

/* Ready for a scale of k >= 2 items, with a folding thread if one can be
 * started.  Fails only with ENGAGE_ENOMEM (then call alpha_fini). */
engage_status_t alpha_start(alpha_t *a, size_t k);

/* Where the next respondent's k values go; alpha_push() counts them in. */
double *alpha_row(alpha_t *a);
void alpha_push(alpha_t *a);

/* No more respondents: the last, partial chunk is handed over. */
void alpha_close(alpha_t *a);

/* Wait until every block is folded (closes first if need be). */
void alpha_finish(alpha_t *a);

/* psych::alpha's raw_alpha after alpha_finish, over the items with a
 * positive variance (psych drops the others); NAN when undefined. */
double alpha_value(const alpha_t *a);

/* After alpha_finish: item i's answer count, mean and variance (n - 1) over
 * the respondents answering it (NAN when undefined; within rounding of zero
 * is 0). */
void alpha_item(const alpha_t *a, size_t i, size_t *n, double *mean, double *var);

/* After alpha_finish: psych::alpha's r.drop of item i, its correlation with
 * the sum of the other items (pairwise covariances); NAN when undefined. */
double alpha_rest_r(const alpha_t *a, size_t i);

/* Free everything (finishes first if need be); a zeroed alpha_t is fine. */
void alpha_fini(alpha_t *a);

#endif
