/*
 * analysis/alpha.c — Cronbach's alpha on pairwise-complete covariances,
 * accumulated by blocks (see alpha.h for the life cycle).
 *
 * For items a, b, S_ab is the set of scored respondents answering both; for
 * each pair the state is n_ab = |S_ab|, the means of x_a and x_b over S_ab
 * and the co-moment C_ab = Σ_{S_ab} (x_a - mean)(x_b - mean), so that
 * cov_ab = C_ab / (n_ab - 1) and var_a = C_aa / (n_aa - 1).
 *
 * A block of scored respondents is handled two-pass: first the block's item
 * means c_a, then sums of products of deviations z_a = x_a - c_a (0 when a
 * is not answered, which drops the respondent from every pair with a):
 *   P_ab = Σ_{S_ab} z_a z_b,  E_ab = Σ_{S_ab} z_a,
 * giving the block's pair means c_a + E_ab/n_ab and its co-moment
 * P_ab - E_ab E_ba / n_ab (the second term only corrects for the pair's
 * means differing from the item means, and is small).  E_ab is the sum over
 * everyone answering a minus the sum over those answering a but not b,
 * which touches only the missing answers.  Blocks are merged into the
 * running state with the pairwise update of Chan, Golub & LeVeque:
 *   C += C_block + d_a d_b n n_block / (n + n_block),  d = block mean - mean.
 * Matrices are k × k, row-major, pair (a, b) at a·k + b; co-moments and
 * counts use a <= b, means both (a, b) (mean of x_a) and (b, a) (of x_b).
 *
 * Blocks travel in chunks of ALPHA_CHUNK_BLOCKS from the scoring pass to
 * the folding thread through a ring of ALPHA_CHUNKS buffers: the pass fills
 * chunk `produced` (mod ALPHA_CHUNKS) and waits only when the ring is full;
 * the thread folds chunk `consumed` and waits only when it is empty.  The
 * counters and `finished` are shared under the lock; a chunk's values are
 * written before it is handed over and read after, so they need no lock.
 * Owns: the state arrays, the ring, the thread and its lock.
 */
#include "alpha.h"

#include "vec2.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Item values per block: small enough to stay in cache, large enough that
 * the O(items²) merge per block costs nothing. */
enum { ALPHA_BLOCK_VALUES = 8192, ALPHA_BLOCK_MIN_ROWS = 32 };

/* Respondents whose deviations update the co-moments together; the loop in
 * alpha_fold names them z0 .. z3. */
enum { ALPHA_BATCH = 4 };

/* A figure that came out infinite or NaN is undefined: NAN. */
static double alpha_finite(double v)
{
    return isfinite(v) ? v : NAN;
}

/* a / b, NAN when b is zero or either is undefined. */
static double alpha_ratio(double a, double b)
{
    if (isnan(a) || isnan(b) || b == 0.0)
        return NAN;
    return alpha_finite(a / b);
}

/* calloc that never returns NULL for a zero count and refuses overflow. */
static void *alpha_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size);
}

/* --- the pairwise state ------------------------------------------------- */

static void alpha_state_fini(alpha_state_t *a)
{
    free(a->shift);
    free(a->z);
    free(a->zsum);
    free(a->count);
    free(a->p);
    free(a->miss_z);
    free(a->miss_n);
    free(a->n);
    free(a->mean);
    free(a->comoment);
    memset(a, 0, sizeof *a);
}

static engage_status_t alpha_state_init(alpha_state_t *a, size_t k)
{
    memset(a, 0, sizeof *a);
    if (k > SIZE_MAX / k)
        return ENGAGE_ENOMEM;
    size_t kk = k * k;
    a->k = k;
    a->block_rows = ALPHA_BLOCK_VALUES / k;
    if (a->block_rows < ALPHA_BLOCK_MIN_ROWS)
        a->block_rows = ALPHA_BLOCK_MIN_ROWS;
    a->shift = alpha_calloc(k, sizeof(double));
    a->z = alpha_calloc(ALPHA_BATCH * k, sizeof(double));
    a->zsum = alpha_calloc(k, sizeof(double));
    a->count = alpha_calloc(k, sizeof(size_t));
    a->p = alpha_calloc(kk, sizeof(double));
    a->miss_z = alpha_calloc(kk, sizeof(double));
    a->miss_n = alpha_calloc(kk, sizeof(size_t));
    a->n = alpha_calloc(kk, sizeof(size_t));
    a->mean = alpha_calloc(kk, sizeof(double));
    a->comoment = alpha_calloc(kk, sizeof(double));
    if (!a->shift || !a->z || !a->zsum || !a->count || !a->p || !a->miss_z || !a->miss_n ||
        !a->n || !a->mean || !a->comoment)
        return ENGAGE_ENOMEM;
    return ENGAGE_OK;
}

/* Fold one block of rows × k values (1 <= rows <= block_rows) into the
 * running state.  Hot: local restrict pointers keep the loops free of
 * reloads, and the item means and the products go two items at a time
 * (vec2.h: the same arithmetic, value by value). */
static void alpha_fold(alpha_state_t *a, const double *restrict block, size_t rows)
{
    const size_t k = a->k, kk = k * k;
    double *restrict shift = a->shift, *restrict z = a->z, *restrict zsum = a->zsum;
    double *restrict p = a->p, *restrict miss_z = a->miss_z;
    size_t *restrict count = a->count, *restrict miss_n = a->miss_n;

    /* first pass: the block's item means, two items at a time (a missing
     * answer adds +0.0, which leaves a sum as it is) */
    memset(shift, 0, k * sizeof *shift);
    memset(count, 0, k * sizeof *count);
    const size_t k_pairs = k & ~(size_t)1;
    for (size_t i = 0; i < k_pairs; i += 2) {
        vec2_t sum = vec2_splat(0.0);
        mask2_t answered = { 0, 0 };
        for (size_t r = 0; r < rows; r++) {
            vec2_t x = vec2_load(block + r * k + i);
            mask2_t ok = x == x;
            sum += vec2_and(x, ok);
            answered -= ok;
        }
        vec2_store(shift + i, sum);
        count[i] = (size_t)answered[0];
        count[i + 1] = (size_t)answered[1];
    }
    for (size_t i = k_pairs; i < k; i++) {
        for (size_t r = 0; r < rows; r++) {
            double x = block[r * k + i];
            if (!isnan(x)) {
                shift[i] += x;
                count[i]++;
            }
        }
    }
    for (size_t i = 0; i < k; i++)
        shift[i] = count[i] ? shift[i] / (double)count[i] : 0.0;

    /* second pass: products of deviations, four respondents at a time so
     * that each p[i,j] is loaded and stored once per four (a last, short
     * batch is padded with zero deviations, which add nothing) */
    memset(zsum, 0, k * sizeof *zsum);
    memset(p, 0, kk * sizeof *p);
    memset(miss_z, 0, kk * sizeof *miss_z);
    memset(miss_n, 0, kk * sizeof *miss_n);
    for (size_t r0 = 0; r0 < rows; r0 += ALPHA_BATCH) {
        for (size_t q = 0; q < ALPHA_BATCH; q++) {
            double *restrict zq = z + q * k;
            if (r0 + q >= rows) {
                memset(zq, 0, k * sizeof *zq);
                continue;
            }
            const double *x = block + (r0 + q) * k;
            bool complete = true;
            for (size_t i = 0; i < k; i++) {
                if (isnan(x[i])) {
                    zq[i] = 0.0;
                    complete = false;
                } else {
                    zq[i] = x[i] - shift[i];
                    zsum[i] += zq[i];
                }
            }
            if (complete)
                continue;
            for (size_t j = 0; j < k; j++) {
                if (!isnan(x[j]))
                    continue;
                for (size_t i = 0; i < k; i++) {
                    if (!isnan(x[i])) {
                        miss_z[i * k + j] += zq[i];
                        miss_n[i * k + j]++;
                    }
                }
            }
        }
        const double *z0 = z, *z1 = z + k, *z2 = z + 2 * k, *z3 = z + 3 * k;
        for (size_t i = 0; i < k; i++) {
            double a0 = z0[i], a1 = z1[i], a2 = z2[i], a3 = z3[i];
            double *restrict pi = p + i * k;
            size_t j = i;
            for (; j + 2 <= k; j += 2) {
                vec2_t sum = (a0 * vec2_load(z0 + j) + a1 * vec2_load(z1 + j)) +
                             (a2 * vec2_load(z2 + j) + a3 * vec2_load(z3 + j));
                vec2_store(pi + j, vec2_load(pi + j) + sum);
            }
            for (; j < k; j++)
                pi[j] += (a0 * z0[j] + a1 * z1[j]) + (a2 * z2[j] + a3 * z3[j]);
        }
    }

    /* merge, pair by pair */
    for (size_t i = 0; i < k; i++) {
        for (size_t j = i; j < k; j++) {
            size_t ij = i * k + j, ji = j * k + i;
            size_t nb = count[i] - miss_n[ij];  /* answering i and j */
            if (nb == 0)
                continue;
            double nbd = (double)nb;
            double e_i = zsum[i] - miss_z[ij], e_j = zsum[j] - miss_z[ji];
            double mean_i = shift[i] + e_i / nbd, mean_j = shift[j] + e_j / nbd;
            double c = p[ij] - e_i * e_j / nbd;
            size_t n = a->n[ij];
            if (n == 0) {
                a->mean[ij] = mean_i;
                a->mean[ji] = mean_j;
                a->comoment[ij] = c;
            } else {
                double nd = (double)n, total = nd + nbd;
                double d_i = mean_i - a->mean[ij], d_j = mean_j - a->mean[ji];
                a->comoment[ij] += c + d_i * d_j * (nd * nbd / total);
                a->mean[ij] += d_i * (nbd / total);
                if (j != i)
                    a->mean[ji] += d_j * (nbd / total);
            }
            a->n[ij] = n + nb;
        }
    }
}

/* A chunk's rows, block by block, in order. */
static void alpha_fold_chunk(alpha_state_t *a, const double *chunk, size_t rows)
{
    for (size_t r = 0; r < rows; r += a->block_rows) {
        size_t n = rows - r < a->block_rows ? rows - r : a->block_rows;
        alpha_fold(a, chunk + r * a->k, n);
    }
}

/* --- the folding thread and the ring ------------------------------------ */

static double *alpha_chunk(const alpha_t *a, size_t index)
{
    return a->chunks + (index % ALPHA_CHUNKS) * a->chunk_rows * a->state.k;
}

static void *alpha_thread(void *arg)
{
    alpha_t *a = arg;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (a->consumed == a->produced && !a->finished)
            pthread_cond_wait(&a->changed, &a->lock);
        if (a->consumed == a->produced)
            break;
        size_t index = a->consumed;
        pthread_mutex_unlock(&a->lock);
        alpha_fold_chunk(&a->state, alpha_chunk(a, index), a->rows[index % ALPHA_CHUNKS]);
        pthread_mutex_lock(&a->lock);
        a->consumed++;
        pthread_cond_signal(&a->changed);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

engage_status_t alpha_start(alpha_t *a, size_t k)
{
    memset(a, 0, sizeof *a);
    if (alpha_state_init(&a->state, k) != ENGAGE_OK)
        return ENGAGE_ENOMEM;
    a->chunk_rows = a->state.block_rows * ALPHA_CHUNK_BLOCKS;
    if (a->chunk_rows > SIZE_MAX / ALPHA_CHUNKS / k)
        return ENGAGE_ENOMEM;
    a->chunks = alpha_calloc(ALPHA_CHUNKS * a->chunk_rows * k, sizeof *a->chunks);
    if (!a->chunks)
        return ENGAGE_ENOMEM;
    /* without a thread (or its lock), chunks are folded as they fill */
    if (pthread_mutex_init(&a->lock, NULL) != 0)
        return ENGAGE_OK;
    if (pthread_cond_init(&a->changed, NULL) != 0) {
        pthread_mutex_destroy(&a->lock);
        return ENGAGE_OK;
    }
    a->sync_ready = true;
    a->threaded = pthread_create(&a->thread, NULL, alpha_thread, a) == 0;
    return ENGAGE_OK;
}

double *alpha_row(alpha_t *a)
{
    return alpha_chunk(a, a->produced) + a->filling * a->state.k;
}

/* Hand the chunk being filled to the thread (or fold it here), then wait
 * until the ring has room for the next. */
static void alpha_hand_over(alpha_t *a)
{
    size_t index = a->produced;
    a->rows[index % ALPHA_CHUNKS] = a->filling;
    a->filling = 0;
    if (!a->threaded) {
        alpha_fold_chunk(&a->state, alpha_chunk(a, index), a->rows[index % ALPHA_CHUNKS]);
        a->produced++;
        a->consumed++;
        return;
    }
    pthread_mutex_lock(&a->lock);
    a->produced++;
    pthread_cond_signal(&a->changed);
    while (a->produced - a->consumed == ALPHA_CHUNKS)
        pthread_cond_wait(&a->changed, &a->lock);
    pthread_mutex_unlock(&a->lock);
}

void alpha_push(alpha_t *a)
{
    if (++a->filling == a->chunk_rows)
        alpha_hand_over(a);
}

void alpha_close(alpha_t *a)
{
    if (a->finished)
        return;
    if (a->filling > 0)
        alpha_hand_over(a);
    if (a->threaded) {
        pthread_mutex_lock(&a->lock);
        a->finished = true;
        pthread_cond_signal(&a->changed);
        pthread_mutex_unlock(&a->lock);
    } else {
        a->finished = true;
    }
}

void alpha_finish(alpha_t *a)
{
    alpha_close(a);
    if (a->threaded) {
        pthread_join(a->thread, NULL);
        a->threaded = false;
    }
}

/* Item i's answer count, mean and variance (n - 1) over the scored
 * respondents answering it.  A variance within rounding of zero (every
 * answer equal, up to a few units in the last place of the mean) is exactly
 * 0: the block means of a constant item need not be exact for answers that
 * are not small integers.  NAN when undefined (no answer, one answer). */
void alpha_item(const alpha_t *alpha, size_t i, size_t *n, double *mean, double *var)
{
    const alpha_state_t *a = &alpha->state;
    size_t ii = i * a->k + i, count = a->n[ii];
    *n = count;
    *mean = count ? a->mean[ii] : NAN;
    *var = NAN;
    if (count < 2)
        return;
    double v = a->comoment[ii] / (double)(count - 1);
    double noise = 64.0 * DBL_EPSILON * fabs(*mean);
    *var = v <= noise * noise ? 0.0 : alpha_finite(v);
}

/* cov(i, j) over the pair's respondents; NAN with fewer than two. */
static double alpha_cov(const alpha_state_t *a, size_t i, size_t j)
{
    size_t ij = i < j ? i * a->k + j : j * a->k + i;
    size_t n = a->n[ij];
    return n < 2 ? NAN : a->comoment[ij] / (double)(n - 1);
}

/* psych::alpha keeps the items whose sd is defined and positive (delete =
 * TRUE drops the others before anything is computed); kept[i] says which.
 * A dropped item has zero covariance with every other, so the sums below
 * would not change with it, but the count k would.  Returns how many. */
static size_t alpha_kept(const alpha_t *alpha, bool *kept)
{
    size_t k = alpha->state.k, n_kept = 0;
    for (size_t i = 0; i < k; i++) {
        size_t n;
        double mean, var;
        alpha_item(alpha, i, &n, &mean, &var);
        kept[i] = var > 0.0;
        n_kept += kept[i];
    }
    return n_kept;
}

/* psych::alpha's raw_alpha, k/(k-1) · (1 - Σ_a var_a / Σ_{a,b} cov_ab) over
 * the kept items, from the state after the last block.  NAN when fewer than
 * two items are kept, some kept pair has fewer than two respondents or the
 * total Σ_{a,b} cov_ab is zero. */
double alpha_value(const alpha_t *alpha)
{
    const alpha_state_t *a = &alpha->state;
    size_t k = a->k;
    bool *kept = alpha_calloc(k, sizeof *kept);
    if (!kept)
        return NAN;
    size_t n_kept = alpha_kept(alpha, kept);
    double diagonal = 0.0, total = 0.0;
    for (size_t i = 0; i < k && n_kept >= 2; i++) {
        for (size_t j = i; j < k && kept[i]; j++) {
            if (!kept[j])
                continue;
            double cov = alpha_cov(a, i, j);
            if (i == j) {
                diagonal += cov;
                total += cov;
            } else {
                total += 2.0 * cov;
            }
        }
    }
    free(kept);
    if (n_kept < 2 || isnan(total))
        return NAN;
    /* With complete data Σ cov is the variance of the respondents' totals:
     * zero when everyone's answers add up the same, and then what is
     * computed is rounding noise that the ratio would blow up.  A total
     * within 1e-12 of Σ var counts as zero. */
    if (fabs(total) <= 1e-12 * diagonal)
        return NAN;
    double kd = (double)n_kept;
    return alpha_finite(kd / (kd - 1.0) * (1.0 - alpha_ratio(diagonal, total)));
}

/* psych::alpha's item.stats$r.drop for item i: the correlation of the item
 * with the sum of the other kept items, from the covariance matrix C of the
 * kept items, (Σ_{j != i} C_ij) / sqrt(C_ii · Σ_{j,l != i} C_jl).  NAN when
 * item i is not kept (psych leaves it out), when fewer than two items are
 * kept, or when a needed covariance or the ratio is undefined. */
double alpha_rest_r(const alpha_t *alpha, size_t i)
{
    const alpha_state_t *a = &alpha->state;
    size_t k = a->k;
    bool *kept = alpha_calloc(k, sizeof *kept);
    if (!kept)
        return NAN;
    size_t n_kept = alpha_kept(alpha, kept);
    double cross = 0.0, rest = 0.0, own = NAN;
    bool ok = n_kept >= 2 && kept[i];
    for (size_t j = 0; j < k && ok; j++) {
        if (!kept[j])
            continue;
        for (size_t l = j; l < k; l++) {
            if (!kept[l])
                continue;
            double cov = alpha_cov(a, j, l);
            if (j == i && l == i)
                own = cov;
            else if (j == i || l == i)
                cross += cov;
            else
                rest += j == l ? cov : 2.0 * cov;
        }
    }
    free(kept);
    if (!ok || isnan(own) || isnan(cross) || isnan(rest))
        return NAN;
    return alpha_ratio(cross, sqrt(own * rest));
}

void alpha_fini(alpha_t *a)
{
    alpha_finish(a);
    if (a->sync_ready) {
        pthread_cond_destroy(&a->changed);
        pthread_mutex_destroy(&a->lock);
    }
    alpha_state_fini(&a->state);
    free(a->chunks);
    memset(a, 0, sizeof *a);
}
