/*
 * engage-gen: writes a synthetic survey quarter in engage's canonical format.
 *
 * Output: a header `respondent_id,manager_id,Q1,...,Qk` and one row per
 * respondent, `\n` line ends, item answers as integers 1..5 or empty cells.
 * Written to stdout, or to -o FILE (gzip when FILE ends in `.gz`).
 *
 * Model (every draw from one gsl_rng_mt19937 seeded with --seed, in a fixed
 * order, so the same options always give the same bytes):
 *   - Managers are created one after another until the respondents number N;
 *     the last team is trimmed to fit. A team's size is 1 + NegBin(r = 3,
 *     p = 0.3), drawn again while above 30 (0.1% of draws): sizes 1..30, most
 *     often 5, mean 7.97, sd 4.75, 2.7% of teams of one. A shifted geometric
 *     of the same mean was the other candidate; it makes a team of one the
 *     most common size (13% of teams), which real org charts do not show.
 *   - Manager j has an effect u_j ~ N(0, sigma_b^2); respondent i in team j a
 *     latent score mu + u_j + e_i with e_i ~ N(0, sigma_e^2).
 *   - Item answer = round(latent + d), d ~ N(0, sigma_item^2), clamped to 1..5.
 *     The reverse-coded item (--reverse, the last one by default) is written as
 *     6 - answer, so an analysis has to reverse it back.
 *   - Each item cell is left empty with probability --missing, independently.
 *
 * Ids are zero-padded (R0000001, M000001) so that byte order is numeric order;
 * that fixed width is why --respondents stops at 9,999,999.
 *
 * --truth FILE writes the model's parameters and each manager's true effect,
 * --config FILE the engage INI config that reads the quarter.
 *
 * Exit status: 0 done, 64 bad usage, 73 an output cannot be created, 74 an
 * output cannot be written completely (its partial file is removed).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -O2 -o engage-gen gen.c -lgsl -lgslcblas -lz -lm
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <sys/stat.h>
#include <zlib.h>

#define EX_OK 0
#define EX_USAGE 64
#define EX_CANTCREAT 73
#define EX_IOERR 74

#define MAX_RESPONDENTS 9999999L  /* R + 7 digits */
#define MAX_MANAGERS 999999L      /* M + 6 digits */
#define MAX_ITEMS 999
#define TEAM_MAX 30
#define TEAM_NB_R 3.0
#define TEAM_NB_P 0.3             /* 1 + r(1-p)/p = 8 before truncation */
#define OUT_BUFFER (1 << 20)

typedef struct {
    long respondents;
    int items;
    double sigma_b, sigma_e, sigma_item, mu, missing;
    int reverse;                  /* 1-based item index, 0 = none */
    unsigned long seed;
    int level;
    int verbose;
    const char *out, *truth, *config;
} options_t;

/* Where rows go: a plain stream or a gzip file, behind one write call. */
typedef struct {
    FILE *fp;
    gzFile gz;
    const char *path;             /* NULL for stdout */
    char *buf;
    size_t len;
    int failed;                   /* errno of the first failed write, or -1 */
} sink_t;

static void fail(const char *fmt, ...)
{
    va_list ap;
    fputs("engage-gen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void usage(FILE *to)
{
    fputs("usage: engage-gen [options]\n"
          "Writes a synthetic survey quarter as canonical engage CSV.\n"
          "  --respondents N   respondents (default 2000, at most 9999999)\n"
          "  --items K         items Q1..QK (default 6)\n"
          "  --mu X            mean latent score (default 3.6)\n"
          "  --sigma-b X       sd of the manager effect (default 0.35)\n"
          "  --sigma-e X       sd of the respondent effect (default 0.8)\n"
          "  --sigma-item X    sd of the per-answer noise (default 0.6)\n"
          "  --missing P       share of item cells left empty (default 0.03)\n"
          "  --reverse K       reverse-coded item, 1-based (default K; 0 = none)\n"
          "  --seed S          random seed (default 1)\n"
          "  --level L         gzip level 1..9 (default 6)\n"
          "  --truth FILE      also write the true parameters and manager effects (CSV)\n"
          "  --config FILE     also write the matching engage config (INI)\n"
          "  -o, --output FILE output (default stdout; gzip if FILE ends in .gz)\n"
          "  -v, --verbose     print team-size figures on stderr\n"
          "  -h, --help        this text\n", to);
}

static int parse_double(const char *name, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        fail("--%s: '%s' is not a number in [%g, %g]", name, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_long(const char *name, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fail("--%s: '%s' is not a whole number in [%ld, %ld]", name, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* Removes a partly written output, but never a device such as /dev/stdout. */
static void remove_partial(const char *path)
{
    struct stat st;
    if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode)) remove(path);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Returns EX_OK, or EX_USAGE after printing why; exits 0 for --help. */
static int parse_options(int argc, char **argv, options_t *o)
{
    enum { O_RESP = 256, O_ITEMS, O_SB, O_SE, O_SI, O_MU, O_MISS, O_REV, O_SEED, O_LEVEL, O_TRUTH, O_CONFIG };
    static const struct option longopts[] = {
        {"respondents", required_argument, NULL, O_RESP},
        {"items", required_argument, NULL, O_ITEMS},
        {"sigma-b", required_argument, NULL, O_SB},
        {"sigma-e", required_argument, NULL, O_SE},
        {"sigma-item", required_argument, NULL, O_SI},
        {"mu", required_argument, NULL, O_MU},
        {"missing", required_argument, NULL, O_MISS},
        {"reverse", required_argument, NULL, O_REV},
        {"seed", required_argument, NULL, O_SEED},
        {"level", required_argument, NULL, O_LEVEL},
        {"truth", required_argument, NULL, O_TRUTH},
        {"config", required_argument, NULL, O_CONFIG},
        {"output", required_argument, NULL, 'o'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long reverse = -1, v;

    *o = (options_t){.respondents = 2000, .items = 6, .sigma_b = 0.35, .sigma_e = 0.8,
                     .sigma_item = 0.6, .mu = 3.6, .missing = 0.03, .seed = 1, .level = 6};
    opterr = 0;                   /* our own messages, with our own prefix */
    int c;
    while ((c = getopt_long(argc, argv, ":o:vh", longopts, NULL)) != -1) {
        switch (c) {
        case O_RESP:
            if (parse_long("respondents", optarg, 1, MAX_RESPONDENTS, &o->respondents)) return EX_USAGE;
            break;
        case O_ITEMS:
            if (parse_long("items", optarg, 1, MAX_ITEMS, &v)) return EX_USAGE;
            o->items = (int)v;
            break;
        case O_SB: if (parse_double("sigma-b", optarg, 0, 10, &o->sigma_b)) return EX_USAGE; break;
        case O_SE: if (parse_double("sigma-e", optarg, 0, 10, &o->sigma_e)) return EX_USAGE; break;
        case O_SI: if (parse_double("sigma-item", optarg, 0, 10, &o->sigma_item)) return EX_USAGE; break;
        case O_MU: if (parse_double("mu", optarg, -100, 100, &o->mu)) return EX_USAGE; break;
        case O_MISS: if (parse_double("missing", optarg, 0, 1, &o->missing)) return EX_USAGE; break;
        case O_REV:
            if (parse_long("reverse", optarg, 0, MAX_ITEMS, &reverse)) return EX_USAGE;
            break;
        case O_SEED:
            if (parse_long("seed", optarg, 0, 4294967295L, &v)) return EX_USAGE;
            o->seed = (unsigned long)v;
            break;
        case O_LEVEL:
            if (parse_long("level", optarg, 1, 9, &v)) return EX_USAGE;
            o->level = (int)v;
            break;
        case O_TRUTH: o->truth = optarg; break;
        case O_CONFIG: o->config = optarg; break;
        case 'o': o->out = optarg; break;
        case 'v': o->verbose = 1; break;
        case 'h': usage(stdout); exit(EX_OK);
        case ':':
            fail("%s needs a value", argv[optind - 1]);
            return EX_USAGE;
        default:
            fail("unknown option '%s' (try --help)", argv[optind - 1]);
            return EX_USAGE;
        }
    }
    if (optind < argc) {
        fail("unexpected argument '%s' (the output is named with -o)", argv[optind]);
        return EX_USAGE;
    }
    if (reverse > o->items) {
        fail("--reverse: item %ld does not exist (there are %d items)", reverse, o->items);
        return EX_USAGE;
    }
    o->reverse = reverse < 0 ? o->items : (int)reverse;
    if (o->out && strcmp(o->out, "-") == 0) o->out = NULL;
    return EX_OK;
}

/* ---- output ---- */

static int sink_open(sink_t *s, const char *path, int level)
{
    *s = (sink_t){.path = path};
    s->buf = malloc(OUT_BUFFER);
    if (!s->buf) {
        fail("out of memory");
        return EX_IOERR;
    }
    if (!path) {
        s->fp = stdout;
    } else if (ends_with(path, ".gz")) {
        /* gzopen writes a bare gzip header: no name, mtime 0, fixed flags, so
         * the bytes depend on the data, the level and zlib's deflate only. */
        char mode[4] = {'w', 'b', (char)('0' + level), '\0'};
        s->gz = gzopen(path, mode);
        if (!s->gz) {
            fail("%s: cannot create: %s", path, errno ? strerror(errno) : "zlib error");
            return EX_CANTCREAT;
        }
        gzbuffer(s->gz, 256 * 1024);  /* before the first write, so it cannot fail */
    } else {
        s->fp = fopen(path, "wb");
        if (!s->fp) {
            fail("%s: cannot create: %s", path, strerror(errno));
            return EX_CANTCREAT;
        }
    }
    return EX_OK;
}

static void sink_flush(sink_t *s)
{
    if (s->len == 0 || s->failed) {
        s->len = 0;
        return;
    }
    errno = 0;
    if (s->gz ? gzwrite(s->gz, s->buf, (unsigned)s->len) != (int)s->len
              : fwrite(s->buf, 1, s->len, s->fp) != s->len)
        s->failed = errno ? errno : -1;
    s->len = 0;
}

/* Makes room for `need` more bytes and returns where to put them. */
static char *sink_reserve(sink_t *s, size_t need)
{
    if (s->len + need > OUT_BUFFER) sink_flush(s);
    return s->buf + s->len;
}

static int sink_close(sink_t *s)
{
    sink_flush(s);
    errno = 0;
    int err = 0;
    if (s->gz) {
        err = gzclose(s->gz) != Z_OK;
    } else if (s->fp == stdout) {
        err = fflush(stdout) != 0 || ferror(stdout);
    } else if (s->fp) {
        err = ferror(s->fp) | (fclose(s->fp) != 0);
    }
    if (err && !s->failed) s->failed = errno ? errno : -1;
    free(s->buf);
    if (s->failed) {
        fail("%s: write failed: %s", s->path ? s->path : "stdout",
             s->failed > 0 ? strerror(s->failed) : "I/O error");
        remove_partial(s->path);
        return EX_IOERR;
    }
    return EX_OK;
}

/* Writes `prefix` then `value` zero-padded to `width` digits; returns the end. */
static char *put_id(char *p, char prefix, long value, int width)
{
    *p++ = prefix;
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return p + width;
}

/* ---- side files ---- */

static int write_config(const options_t *o)
{
    FILE *f = fopen(o->config, "w");
    if (!f) {
        fail("%s: cannot create: %s", o->config, strerror(errno));
        return EX_CANTCREAT;
    }
    fprintf(f, "; engage config for a quarter from engage-gen (%ld respondents, %d items, seed %lu)\n",
            o->respondents, o->items, o->seed);
    fputs("[scale engagement]\nitems = ", f);
    for (int k = 1; k <= o->items; k++) fprintf(f, "%sQ%d", k > 1 ? ", " : "", k);
    fputc('\n', f);
    if (o->reverse) fprintf(f, "reverse = Q%d\n", o->reverse);
    fputs("min = 1\nmax = 5\nmin_answered = 0.5\n\n[report]\nmin_group = 5\nseed = 1\n", f);
    if (ferror(f) | (fclose(f) != 0)) {
        fail("%s: write failed: %s", o->config, strerror(errno));
        remove_partial(o->config);
        return EX_IOERR;
    }
    return EX_OK;
}

static FILE *open_truth(const options_t *o)
{
    FILE *f = fopen(o->truth, "w");
    if (!f) return NULL;
    double vb = o->sigma_b * o->sigma_b, ve = o->sigma_e * o->sigma_e;
    fputs("what,manager_id,n,value\n", f);
    fprintf(f, "mu,,,%.12g\n", o->mu);
    fprintf(f, "sigma_b2,,,%.12g\n", vb);
    fprintf(f, "sigma_e2,,,%.12g\n", ve);
    fprintf(f, "sigma_item2,,,%.12g\n", o->sigma_item * o->sigma_item);
    fprintf(f, "icc_latent,,,%.12g\n", vb + ve > 0 ? vb / (vb + ve) : 0.0);
    return f;
}

/* ---- the quarter ---- */

static long team_size(gsl_rng *rng)
{
    long n;
    do {
        n = 1 + (long)gsl_ran_negative_binomial(rng, TEAM_NB_P, TEAM_NB_R);
    } while (n > TEAM_MAX);
    return n;
}

static int answer(double latent, double sigma_item, gsl_rng *rng)
{
    double x = floor(latent + gsl_ran_gaussian_ziggurat(rng, sigma_item) + 0.5);
    return x < 1 ? 1 : x > 5 ? 5 : (int)x;
}

static int generate(const options_t *o, sink_t *out, FILE *truth)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
        fail("out of memory");
        return EX_IOERR;
    }
    gsl_rng_set(rng, o->seed);

    /* header */
    char *p = sink_reserve(out, 64);
    p += sprintf(p, "respondent_id,manager_id");
    out->len = (size_t)(p - out->buf);
    for (int k = 1; k <= o->items; k++) {
        p = sink_reserve(out, 16);
        out->len += (size_t)sprintf(p, ",Q%d", k);
    }
    *sink_reserve(out, 1) = '\n';
    out->len++;

    const size_t row_max = 8 + 1 + 7 + 2 * (size_t)o->items + 1;
    long respondent = 0, managers = 0, size_min = TEAM_MAX, size_max = 0;
    while (respondent < o->respondents) {
        long size = team_size(rng);
        double u = gsl_ran_gaussian_ziggurat(rng, o->sigma_b);
        if (size > o->respondents - respondent) size = o->respondents - respondent;
        if (++managers > MAX_MANAGERS) {
            fail("more than %ld managers; use fewer respondents", MAX_MANAGERS);
            gsl_rng_free(rng);
            return EX_USAGE;
        }
        if (size < size_min) size_min = size;
        if (size > size_max) size_max = size;
        if (truth) fprintf(truth, "effect,M%06ld,%ld,%.12g\n", managers, size, u);

        for (long i = 0; i < size; i++) {
            double latent = o->mu + u + gsl_ran_gaussian_ziggurat(rng, o->sigma_e);
            p = sink_reserve(out, row_max);
            char *row = p;
            p = put_id(p, 'R', ++respondent, 7);
            *p++ = ',';
            p = put_id(p, 'M', managers, 6);
            for (int k = 1; k <= o->items; k++) {
                /* both draws are made for every cell, so --missing does not
                 * change the answers that remain */
                int a = answer(latent, o->sigma_item, rng);
                int gone = gsl_rng_uniform(rng) < o->missing;
                *p++ = ',';
                if (!gone) *p++ = (char)('0' + (k == o->reverse ? 6 - a : a));
            }
            *p++ = '\n';
            out->len += (size_t)(p - row);
        }
    }
    gsl_rng_free(rng);
    if (o->verbose)
        fprintf(stderr, "engage-gen: %ld respondents, %ld managers, team size mean %.3f, min %ld, max %ld\n",
                respondent, managers, (double)respondent / (double)managers, size_min, size_max);
    return EX_OK;
}

int main(int argc, char **argv)
{
    options_t o;
    int rc = parse_options(argc, argv, &o);
    if (rc != EX_OK) return rc;

    if (o.config && (rc = write_config(&o)) != EX_OK) return rc;

    FILE *truth = NULL;
    if (o.truth && !(truth = open_truth(&o))) {
        fail("%s: cannot create: %s", o.truth, strerror(errno));
        return EX_CANTCREAT;
    }

    sink_t out;
    rc = sink_open(&out, o.out, o.level);
    if (rc == EX_OK) {
        rc = generate(&o, &out, truth);
        int rc_close = sink_close(&out);
        if (rc == EX_OK) rc = rc_close;
        else remove_partial(o.out);
    } else {
        free(out.buf);
    }
    if (truth && (ferror(truth) | (fclose(truth) != 0)) && rc == EX_OK) {
        fail("%s: write failed: %s", o.truth, strerror(errno));
        rc = EX_IOERR;
    }
    if (rc != EX_OK && truth) remove_partial(o.truth);
    return rc;
}
