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
 *     --team-size A or A-B replaces that draw by the size A, or a size drawn
 *     uniformly from A..B (one draw per team, where the negative binomial
 *     was), for the shapes an organisation's chart seldom has: every team
 *     of one, one team of everybody, teams of 100 or 200.
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
 * --format F writes the same quarter as a survey tool exports it (qualtrics,
 * qualtrics-legacy, surveymonkey, googleforms, msforms, limesurvey,
 * limesurvey-text): the same draws in the same order give the same
 * respondents, managers, answers and missing cells; what only the layout
 * carries (times, response ids, -99 or empty for a missing Qualtrics answer,
 * the preview, spam and incomplete rows a reader must leave out) comes from a
 * second generator seeded from --seed, so the quarter itself never changes.
 * Google Forms and Microsoft Forms exports name no manager: --roster FILE
 * writes the HRIS roster (employee_email,manager_id,department) they need.
 *
 * --hierarchy writes a reporting tree instead of flat teams (see the tree
 * section below): employees E0000001... in D levels (--depth, 4..7), each
 * manager's team being their direct reports (a top is their own manager, or
 * has an empty manager cell with --top empty), every division (a top and
 * everyone below) a unit. --roster lists every employee (employee_id, email,
 * manager_id, manager_email, name, unit, invited); a share --invited of them
 * is invited, each team's invited answer at a rate ~ Beta with mean
 * --response, and only those who answered are in the export, which carries
 * the employee's id (or e-mail, for Google and Microsoft Forms) for the
 * roster in every layout. A respondent's latent score is
 * mu + u_unit + u_manager + e with u_unit ~ N(0, sigma_u^2). --respondents
 * is then the expected number of respondents: the roster has
 * N / (invited x response) employees.
 *
 * --waves K writes K waves of the same flat teams and people (canonical only)
 * to -o's name with -wN before .csv: each team drifts by d_j ~ N(0, --drift²)
 * per wave, gets a new manager (new id, new effect) with chance --turnover
 * before each wave after the first, and every row carries a 0-10 recommend
 * item R = round(6 + sum_k W_k (a_k - 3) + N(0, 1)) with the --weights W_k;
 * the config gets [scale recommend] kind = nps and [waves], the truth file
 * the weights, drifts, each wave's managers and company eNPS
 * (datasets/README.md, "Waves").
 *
 * Exit status: 0 done, 64 bad usage, 73 an output cannot be created, 74 an
 * output cannot be written completely (its partial file is removed).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -O2 -o engage-gen gen.c -lgsl -lgslcblas -lz -lm
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
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

#define MAX_RESPONDENTS 100000000L  /* ids widen past R + 7 digits, M + 6 */
#define MAX_ITEMS 999
#define MAX_WAVES 20
#define WAVES_INTERCEPT 6.0      /* the recommend item's value at answers of 3 */
#define WAVES_SIGMA_R 1.0        /* sd of its own noise */
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
    long team_min, team_max;      /* --team-size; 0 = the negative binomial */
    int verbose;
    int format;                   /* index into layouts[] */
    const char *out, *truth, *config, *roster;
    int hierarchy;                /* --hierarchy: a reporting tree of employees */
    int depth;                    /* levels of the tree, 4..7 */
    double sigma_u;               /* sd of the unit (division) effect */
    double invited, response;     /* share invited; mean response rate of a team */
    int top_empty;                /* --top empty: a top's manager cell is left empty */
    int waves;                    /* --waves K: K waves of the same teams (0: one quarter) */
    double drift;                 /* with --waves: sd of each team's drift per wave */
    double turnover;              /* with --waves: chance a team changes manager before a wave */
    double weights[MAX_ITEMS + 1];/* with --waves: the recommend item's weight of each item, 1-based */
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

/* The survey tools' export layouts (see datasets/README.md for each one).
 * Every layout carries the same quarter: the same respondents, managers,
 * answers and missing cells as the canonical file. */
enum { L_CANONICAL, L_QUALTRICS, L_QUALTRICS_LEGACY, L_SURVEYMONKEY, L_GOOGLEFORMS, L_MSFORMS,
       L_LIMESURVEY, L_LIMESURVEY_TEXT, N_LAYOUTS };

typedef struct {
    const char *name;             /* --format value */
    const char *engage;           /* [input] format = ... in the config */
    const char *tool;             /* for the config's comment */
    char delim;
    int crlf, bom, quote_all;
    int extra;                    /* rows a reader must exclude (previews, spam, incomplete) */
    int roster;                   /* the manager comes from the HRIS roster */
    int text_answers;             /* answers as label texts, not numbers */
} layout_t;

static const layout_t layouts[N_LAYOUTS] = {
    [L_CANONICAL] = {"canonical", "canonical", "canonical engage CSV", ',', 0, 0, 0, 0, 0, 0},
    [L_QUALTRICS] = {"qualtrics", "qualtrics", "a Qualtrics export", ',', 1, 0, 1, 5, 0, 0},
    [L_QUALTRICS_LEGACY] = {"qualtrics-legacy", "qualtrics", "a legacy Qualtrics export", ',', 1, 1, 0, 2, 0, 1},
    [L_SURVEYMONKEY] = {"surveymonkey", "surveymonkey", "a SurveyMonkey export", ',', 1, 0, 0, 0, 0, 1},
    [L_GOOGLEFORMS] = {"googleforms", "googleforms", "a Google Forms export", ',', 0, 0, 1, 0, 1, 1},
    [L_MSFORMS] = {"msforms", "msforms", "a Microsoft Forms export", ',', 0, 0, 0, 0, 1, 1},
    [L_LIMESURVEY] = {"limesurvey", "limesurvey", "a LimeSurvey export (codes)", ';', 1, 1, 1, 4, 0, 0},
    [L_LIMESURVEY_TEXT] = {"limesurvey-text", "limesurvey", "a LimeSurvey export (full text)", ',', 1, 1, 1, 4, 0, 1},
};

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
          "Writes a synthetic survey quarter as canonical engage CSV or as a survey tool's export.\n"
          "  --respondents N   respondents (default 2000, at most 100000000)\n"
          "  --items K         items Q1..QK (default 6)\n"
          "  --mu X            mean latent score (default 3.6)\n"
          "  --sigma-b X       sd of the manager effect (default 0.35)\n"
          "  --sigma-e X       sd of the respondent effect (default 0.8)\n"
          "  --sigma-item X    sd of the per-answer noise (default 0.6)\n"
          "  --missing P       share of item cells left empty (default 0.03)\n"
          "  --reverse K       reverse-coded item, 1-based (default K; 0 = none)\n"
          "  --team-size A[-B] every team of A respondents, or of A..B drawn uniformly\n"
          "                    (default 1 + NegBin(3, 0.3) up to 30)\n"
          "  --seed S          random seed (default 1)\n"
          "  --level L         gzip level 1..9 (default 6)\n"
          "  --truth FILE      also write the true parameters and manager effects (CSV)\n"
          "  --config FILE     also write the matching engage config (INI)\n"
          "  --format F        layout: canonical (default), qualtrics, qualtrics-legacy, surveymonkey,\n"
          "                    googleforms, msforms, limesurvey, limesurvey-text\n"
          "  --roster FILE     also write the HRIS roster (googleforms, msforms: the manager comes from it)\n"
          "  --hierarchy       employees in a reporting tree: the roster (--roster, needed) lists everyone\n"
          "                    with their manager, unit, name and invitation; the export only those who answered\n"
          "  --depth D         with --hierarchy: levels of the tree, 4..7 (default 6)\n"
          "  --sigma-u X       with --hierarchy: sd of the unit (division) effect (default 0.15)\n"
          "  --invited P       with --hierarchy: share of employees invited (default 0.97)\n"
          "  --response P      with --hierarchy: mean response rate of a team's invited (default 0.85)\n"
          "  --top T           with --hierarchy: a top's manager cell: self (default) or empty\n"
          "  --waves K         K waves (2..20) of the same teams, written to FILE-w1.csv ... (-o FILE.csv or\n"
          "                    FILE.csv.gz, needed), each with a 0-10 recommend item R; canonical, flat teams\n"
          "  --drift X         with --waves: sd of each team's drift of its effect per wave (default 0.15);\n"
          "                    team j's effect in wave w is u(manager) + (w - 1) d_j, d_j ~ N(0, X^2)\n"
          "  --turnover P      with --waves: chance that a team gets a new manager (a new id and effect)\n"
          "                    before each wave after the first (default 0.1)\n"
          "  --weights W,...   with --waves: the weights of Q1, Q2, ... in the recommend item (default\n"
          "                    1.5,1,0.5 and 0 for the rest): R = round(6 + sum W_k (a_k - 3) + N(0, 1)) on\n"
          "                    0..10, a_k the answer before reverse coding; the truth file (--truth) gives\n"
          "                    the weights, every team's drift, each wave's managers and company eNPS\n"
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

/* --team-size A or A-B, 1 <= A <= B <= MAX_RESPONDENTS. */
static int parse_team_size(const char *s, options_t *o)
{
    char a[32];
    const char *dash = strchr(s, '-');
    size_t len = dash ? (size_t)(dash - s) : strlen(s);
    if (len >= sizeof a) len = sizeof a - 1;
    memcpy(a, s, len);
    a[len] = '\0';
    if (parse_long("team-size", a, 1, MAX_RESPONDENTS, &o->team_min)) return -1;
    o->team_max = o->team_min;
    if (dash && parse_long("team-size", dash + 1, 1, MAX_RESPONDENTS, &o->team_max)) return -1;
    if (o->team_max < o->team_min) {
        fail("--team-size: '%s' runs backwards (write A-B with A <= B)", s);
        return -1;
    }
    return 0;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Returns EX_OK, or EX_USAGE after printing why; exits 0 for --help. */
static int parse_options(int argc, char **argv, options_t *o)
{
    enum { O_RESP = 256, O_ITEMS, O_SB, O_SE, O_SI, O_MU, O_MISS, O_REV, O_SEED, O_LEVEL, O_TRUTH, O_CONFIG, O_FORMAT, O_ROSTER, O_TEAM,
           O_HIER, O_DEPTH, O_SU, O_INVITED, O_RESPONSE, O_TOP, O_WAVES, O_DRIFT, O_TURNOVER, O_WEIGHTS };
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
        {"format", required_argument, NULL, O_FORMAT},
        {"roster", required_argument, NULL, O_ROSTER},
        {"team-size", required_argument, NULL, O_TEAM},
        {"hierarchy", no_argument, NULL, O_HIER},
        {"depth", required_argument, NULL, O_DEPTH},
        {"sigma-u", required_argument, NULL, O_SU},
        {"invited", required_argument, NULL, O_INVITED},
        {"response", required_argument, NULL, O_RESPONSE},
        {"top", required_argument, NULL, O_TOP},
        {"waves", required_argument, NULL, O_WAVES},
        {"drift", required_argument, NULL, O_DRIFT},
        {"turnover", required_argument, NULL, O_TURNOVER},
        {"weights", required_argument, NULL, O_WEIGHTS},
        {"output", required_argument, NULL, 'o'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long reverse = -1, v;
    const char *tree_only = NULL;  /* an option that needs --hierarchy */
    const char *waves_only = NULL; /* an option that needs --waves */
    const char *weights = NULL;

    *o = (options_t){.respondents = 2000, .items = 6, .sigma_b = 0.35, .sigma_e = 0.8,
                     .sigma_item = 0.6, .mu = 3.6, .missing = 0.03, .seed = 1, .level = 6,
                     .depth = 6, .sigma_u = 0.15, .invited = 0.97, .response = 0.85,
                     .drift = 0.15, .turnover = 0.1};
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
        case O_FORMAT:
            for (o->format = 0; o->format < N_LAYOUTS; o->format++)
                if (strcmp(optarg, layouts[o->format].name) == 0) break;
            if (o->format == N_LAYOUTS) {
                fail("--format: unknown layout '%s' (canonical, qualtrics, qualtrics-legacy, surveymonkey, "
                     "googleforms, msforms, limesurvey, limesurvey-text)", optarg);
                return EX_USAGE;
            }
            break;
        case O_ROSTER: o->roster = optarg; break;
        case O_TEAM:
            if (parse_team_size(optarg, o)) return EX_USAGE;
            break;
        case O_HIER: o->hierarchy = 1; break;
        case O_DEPTH:
            if (parse_long("depth", optarg, 4, 7, &v)) return EX_USAGE;
            o->depth = (int)v;
            tree_only = "--depth";
            break;
        case O_SU:
            if (parse_double("sigma-u", optarg, 0, 10, &o->sigma_u)) return EX_USAGE;
            tree_only = "--sigma-u";
            break;
        case O_INVITED:
            if (parse_double("invited", optarg, 0.01, 1, &o->invited)) return EX_USAGE;
            tree_only = "--invited";
            break;
        case O_RESPONSE:
            if (parse_double("response", optarg, 0.01, 1, &o->response)) return EX_USAGE;
            tree_only = "--response";
            break;
        case O_TOP:
            if (strcmp(optarg, "self") && strcmp(optarg, "empty")) {
                fail("--top: '%s' is neither self nor empty", optarg);
                return EX_USAGE;
            }
            o->top_empty = strcmp(optarg, "empty") == 0;
            tree_only = "--top";
            break;
        case O_WAVES:
            if (parse_long("waves", optarg, 2, MAX_WAVES, &v)) return EX_USAGE;
            o->waves = (int)v;
            break;
        case O_DRIFT:
            if (parse_double("drift", optarg, 0, 10, &o->drift)) return EX_USAGE;
            waves_only = "--drift";
            break;
        case O_TURNOVER:
            if (parse_double("turnover", optarg, 0, 1, &o->turnover)) return EX_USAGE;
            waves_only = "--turnover";
            break;
        case O_WEIGHTS:
            weights = optarg;
            waves_only = "--weights";
            break;
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
    if (tree_only && !o->hierarchy) {
        fail("%s describes the reporting tree: it needs --hierarchy", tree_only);
        return EX_USAGE;
    }
    if (o->hierarchy && o->team_min) {
        fail("--team-size does not go with --hierarchy: the tree's spans make the teams");
        return EX_USAGE;
    }
    if (o->hierarchy && !o->roster) {
        fail("--hierarchy needs --roster FILE: the roster holds the tree and joins every export to it");
        return EX_USAGE;
    }
    if (o->roster && !layouts[o->format].roster && !o->hierarchy) {
        fail("--roster: the %s layout names each manager itself; only googleforms and msforms need a roster "
             "(or any layout with --hierarchy)",
             layouts[o->format].name);
        return EX_USAGE;
    }
    if (o->config && layouts[o->format].roster && !o->roster) {
        fail("--config with --format %s needs --roster FILE: the config names the roster the managers come from",
             layouts[o->format].name);
        return EX_USAGE;
    }
    if (o->out && strcmp(o->out, "-") == 0) o->out = NULL;
    if (waves_only && !o->waves) {
        fail("%s describes the waves: it needs --waves K", waves_only);
        return EX_USAGE;
    }
    if (o->waves) {
        if (o->hierarchy || o->format != L_CANONICAL || o->roster) {
            fail("--waves writes canonical files of flat teams: it goes with neither --hierarchy, --format "
                 "nor --roster");
            return EX_USAGE;
        }
        if (!o->out) {
            fail("--waves needs -o FILE: wave w is written to FILE with -ww before its .csv");
            return EX_USAGE;
        }
        o->weights[1] = 1.5;
        if (o->items >= 2) o->weights[2] = 1.0;
        if (o->items >= 3) o->weights[3] = 0.5;
        if (weights) {
            for (int k = 1; k <= o->items; k++) o->weights[k] = 0;
            const char *w = weights;
            for (int k = 1; *w; k++) {
                char *end;
                errno = 0;
                double x = strtod(w, &end);
                if (end == w || errno || !(x >= -10 && x <= 10) || (*end && *end != ',')) {
                    fail("--weights: '%s' is not a list of numbers in [-10, 10] (as 1.5,1,0.5)", weights);
                    return EX_USAGE;
                }
                if (k > o->items) {
                    fail("--weights: %d or more weights for %d items", k, o->items);
                    return EX_USAGE;
                }
                o->weights[k] = x;
                w = *end ? end + 1 : end;
            }
        }
    }
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
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) digits++;
    if (width < digits) width = digits;   /* past 10^width the id widens, so it stays unique */
    *p++ = prefix;
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return p + width;
}

/* ---- side files ---- */

static void write_vendor_config(const options_t *o, FILE *f);
static void write_roster_section(const options_t *o, FILE *f);
static void write_waves_section(const options_t *o, FILE *f);

static int write_config(const options_t *o)
{
    FILE *f = fopen(o->config, "w");
    if (!f) {
        fail("%s: cannot create: %s", o->config, strerror(errno));
        return EX_CANTCREAT;
    }
    if (o->format != L_CANONICAL) {
        write_vendor_config(o, f);
    } else {
        fprintf(f, "; engage config for a quarter from engage-gen (%ld respondents, %d items, seed %lu)\n",
                o->respondents, o->items, o->seed);
        /* one line while it fits engage's 199-character lines, else
         * continued on indented lines of at most about 150 */
        fputs("[scale engagement]\nitems = ", f);
        int col = 8;
        for (int k = 1; k <= o->items; k++) {
            char name[16];
            int len = snprintf(name, sizeof name, "Q%d", k);
            if (k > 1 && col + 2 + len > 150) {
                fputs(",\n    ", f);
                col = 4;
            } else if (k > 1) {
                fputs(", ", f);
                col += 2;
            }
            fputs(name, f);
            col += len;
        }
        fputc('\n', f);
        if (o->reverse) fprintf(f, "reverse = Q%d\n", o->reverse);
        fputs("min = 1\nmax = 5\nmin_answered = 0.5\n", f);
        if (o->waves) fputs("\n[scale recommend]\nkind = nps\nitems = R\n", f);
        fputs("\n[report]\nmin_group = 5\nseed = 1\n", f);
        if (o->hierarchy) write_roster_section(o, f);
        if (o->waves) write_waves_section(o, f);
    }
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
    double vb = o->sigma_b * o->sigma_b, ve = o->sigma_e * o->sigma_e, vu = o->sigma_u * o->sigma_u;
    fputs("what,manager_id,n,value\n", f);
    fprintf(f, "mu,,,%.12g\n", o->mu);
    if (o->hierarchy) {
        double total = vu + vb + ve;
        fprintf(f, "sigma_u2,,,%.12g\nsigma_b2,,,%.12g\nsigma_e2,,,%.12g\nsigma_item2,,,%.12g\n", vu, vb, ve,
                o->sigma_item * o->sigma_item);
        fprintf(f, "share_unit,,,%.12g\nshare_manager,,,%.12g\n", total > 0 ? vu / total : 0.0,
                total > 0 ? vb / total : 0.0);
        return f;
    }
    fprintf(f, "sigma_b2,,,%.12g\n", vb);
    fprintf(f, "sigma_e2,,,%.12g\n", ve);
    fprintf(f, "sigma_item2,,,%.12g\n", o->sigma_item * o->sigma_item);
    fprintf(f, "icc_latent,,,%.12g\n", vb + ve > 0 ? vb / (vb + ve) : 0.0);
    return f;
}

/* ---- survey-tool layouts ---- */

#define QUESTION "How much do you agree with each statement?"

/* Item k's statement; the 6th and 12th are worded negatively, as the
 * reverse-coded item of the sample (6 items) and the benchmark (12) is.
 * The 3rd and 14th contain a comma, so configs must quote them. */
static const char *const statements[] = {
    "I am proud to work here",
    "I would recommend this company as a great place to work",
    "When I do good work, my manager recognises it",
    "I have the tools and resources I need to do my job well",
    "I see myself still working here in two years",
    "I often think about leaving this company",
    "I know what is expected of me at work",
    "My work gives me a feeling of personal accomplishment",
    "I have opportunities to learn and grow here",
    "My team works well together",
    "I trust the decisions of senior leadership",
    "My workload is often unmanageable",
    "I feel I belong here",
    "I receive regular feedback, formal or informal, on my performance",
    "The company cares about my wellbeing",
    "I am motivated to go beyond what is expected of me",
};
#define N_STATEMENTS (int)(sizeof statements / sizeof statements[0])

static const char *const answer_labels[6] = {
    "", "Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree",
};

static const char *const departments[] = {
    "Sales", "Marketing", "Engineering", "Customer Support", "Finance", "Operations", "People", "Legal",
};

#define N_DEPARTMENTS (int)(sizeof departments / sizeof departments[0])

static const char *const tenures[] = {"Less than 1 year", "1-3 years", "3-5 years", "More than 5 years"};

/* Item k's statement (k = 1..K); past the list, the texts repeat with " (2)", " (3)"... */
static const char *statement(int k, char *buf, size_t size)
{
    const char *s = statements[(k - 1) % N_STATEMENTS];
    int round = (k - 1) / N_STATEMENTS;
    if (round == 0) return s;
    snprintf(buf, size, "%s (%d)", s, round + 1);
    return buf;
}

/* The item column's name as engage derives it for the layout. */
static const char *item_name(int layout, int k, char *buf, size_t size)
{
    char st[160];
    const char *s = statement(k, st, sizeof st);
    switch (layout) {
    case L_CANONICAL: snprintf(buf, size, "Q%d", k); break;
    case L_QUALTRICS:
    case L_QUALTRICS_LEGACY: snprintf(buf, size, "Q1_%d", k); break;
    case L_SURVEYMONKEY: snprintf(buf, size, "%s - %s", QUESTION, s); break;
    case L_GOOGLEFORMS:
    case L_LIMESURVEY_TEXT: snprintf(buf, size, "%s [%s]", QUESTION, s); break;
    case L_MSFORMS: snprintf(buf, size, "%s", s); break;
    case L_LIMESURVEY: snprintf(buf, size, "Q1[SQ%03d]", k); break;
    }
    return buf;
}

/* A bijection on 64 bits (splitmix64's finaliser): distinct inputs give
 * distinct ids, and nothing here touches the quarter's random stream. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* The flat roster's department of manager m: the same for a whole team. */
static int department_of(long manager)
{
    return (int)(mix64((uint64_t)manager) % N_DEPARTMENTS);
}

/* Qualtrics-style "R_" + 15 letters and digits: 11 that spell mix64(index)
 * in base 62 (so distinct indexes never share an id) and 4 more for looks. */
static void response_id(uint64_t index, char out[18])
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t v = mix64(index), w = mix64(index ^ 0x5DEECE66DULL);
    out[0] = 'R';
    out[1] = '_';
    for (int i = 0; i < 11; i++, v /= 62) out[2 + i] = digits[v % 62];
    for (int i = 0; i < 4; i++, w /= 62) out[13 + i] = digits[w % 62];
    out[17] = '\0';
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

enum { T_ISO, T_MONKEY, T_GOOGLE, T_MSFORMS };

/* Seconds since 1970 as the layout writes a time (local time, no zone maths). */
static void format_time(long long t, int style, char *buf, size_t size)
{
    int y, mo, d;
    civil_from_days((long)(t / 86400), &y, &mo, &d);
    int sec = (int)(t % 86400), h = sec / 3600, mi = sec / 60 % 60, s = sec % 60;
    int h12 = h % 12 ? h % 12 : 12;
    const char *ampm = h < 12 ? "AM" : "PM";
    switch (style) {
    case T_ISO: snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s); break;
    case T_MONKEY: snprintf(buf, size, "%02d/%02d/%04d %d:%02d:%02d %s", mo, d, y, h12, mi, s, ampm); break;
    case T_GOOGLE: snprintf(buf, size, "%04d/%02d/%02d %d:%02d:%02d %s GMT+1", y, mo, d, h12, mi, s, ampm); break;
    default: snprintf(buf, size, "%d/%d/%02d %d:%02d:%02d", mo, d, y % 100, h, mi, s); break;
    }
}

/* One output line, built field by field with the layout's quoting. */
typedef struct {
    const layout_t *L;
    char *buf, *p;
    int fields;
} line_t;

static void field(line_t *l, const char *s)
{
    if (l->fields++) *l->p++ = l->L->delim;
    int quote = l->L->quote_all || strchr(s, '"') || strchr(s, '\r') || strchr(s, '\n') ||
                strchr(s, l->L->delim);
    if (!quote) {
        size_t n = strlen(s);
        memcpy(l->p, s, n);
        l->p += n;
        return;
    }
    *l->p++ = '"';
    for (; *s; s++) {
        if (*s == '"') *l->p++ = '"';
        *l->p++ = *s;
    }
    *l->p++ = '"';
}

static void fieldf(line_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fieldf(line_t *l, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    field(l, tmp);
}

/* Copies `len` bytes into the sink, in pieces when they exceed its buffer. */
static void sink_put(sink_t *s, const char *data, size_t len)
{
    while (len) {
        size_t room = OUT_BUFFER - s->len;
        if (room == 0) {
            sink_flush(s);
            room = OUT_BUFFER;
        }
        size_t n = len < room ? len : room;
        memcpy(s->buf + s->len, data, n);
        s->len += n;
        data += n;
        len -= n;
    }
}

static void line_end(line_t *l, sink_t *out)
{
    if (l->L->crlf) *l->p++ = '\r';
    *l->p++ = '\n';
    sink_put(out, l->buf, (size_t)(l->p - l->buf));
    l->p = l->buf;
    l->fields = 0;
}

enum { ROW_REAL, ROW_PREVIEW, ROW_SPAM, ROW_INCOMPLETE };

/* What the layout writer needs besides the rows' answers. */
typedef struct {
    const options_t *o;
    int layout;
    const layout_t *L;
    line_t line;
    gsl_rng *rng;                 /* a second stream: -99 or empty, extra rows, tenure */
    long rows_total, row_no;      /* data rows in the file, the current one (0-based) */
    long next_extra;              /* extra rows written so far */
    long long t0;                 /* the survey window opens (seconds since 1970) */
    sink_t *roster;
} vendor_t;

#define WINDOW_SECONDS (14LL * 86400)

static const char *ip_address(uint64_t h, char *buf, size_t size)
{
    snprintf(buf, size, "%s.%u", (h & 1) ? "203.0.113" : "198.51.100", (unsigned)(1 + (h >> 8) % 254));
    return buf;
}

/* The real respondent before which extra row e (0-based) goes: spread evenly. */
static long extra_position(const vendor_t *v, long e)
{
    return 1 + (long)((e + 1) * (double)v->o->respondents / (v->L->extra + 1));
}

static int extra_kind(const vendor_t *v, long e)
{
    switch (v->layout) {
    case L_QUALTRICS: return (e % 2) ? ROW_SPAM : ROW_PREVIEW;   /* preview, spam, preview, spam, preview */
    case L_QUALTRICS_LEGACY: return ROW_PREVIEW;
    default: return ROW_INCOMPLETE;
    }
}

/* Who a data row is: `index` numbers the row's person (respondent or
 * employee number, or 10,000,000 + e for extra row e); `key` is the employee
 * id the export carries for the roster (NULL without --hierarchy, where those
 * cells stay empty), `email` their address and `manager` the manager id the
 * export names. */
typedef struct {
    long index;
    const char *key, *email, *manager;
    int unit;                     /* flat roster: the team's department */
} person_t;

/* Writes one data row; ans[k] is 1..5 (as written, reverse item included)
 * or 0 when missing. */
static void vendor_row(vendor_t *v, int kind, const person_t *who, const int *ans, sink_t *out)
{
    const options_t *o = v->o;
    line_t *l = &v->line;
    const long index = who->index;
    const char *mgr = who->manager, *email = who->email, *key = who->key ? who->key : "";
    uint64_t h = mix64((uint64_t)index * 2654435761ULL + 17);
    long long end = v->t0 + 900 + (long long)((double)v->row_no * WINDOW_SECONDS / (double)v->rows_total);
    long long duration = 90 + (long long)(h % 840);
    long long start = end - duration;
    char t_start[64], t_end[64], ip[32], id[18];
    int answered = 0;
    for (int k = 1; k <= o->items; k++) answered += ans[k] != 0;
    ip_address(h >> 16, ip, sizeof ip);
    response_id((uint64_t)index, id);

    switch (v->layout) {
    case L_QUALTRICS: {
        static const char *const lat[] = {"39.7392", "51.5072", "53.3498", "52.5200", "41.8781"};
        static const char *const lon[] = {"-104.9847", "-0.1276", "-6.2603", "13.4050", "-87.6298"};
        int city = (int)((h >> 40) % 5);
        format_time(start, T_ISO, t_start, sizeof t_start);
        format_time(end, T_ISO, t_end, sizeof t_end);
        field(l, t_start);
        field(l, t_end);
        field(l, kind == ROW_PREVIEW ? "Survey Preview" : kind == ROW_SPAM ? "Spam" : "IP Address");
        field(l, kind == ROW_PREVIEW ? "" : ip);
        fieldf(l, "%d", answered == o->items ? 100 : answered * 100 / (o->items + 1));
        fieldf(l, "%lld", duration);
        field(l, answered == o->items ? "1" : "0");
        field(l, t_end);
        field(l, id);
        field(l, "");
        field(l, "");
        field(l, who->key ? email : "");
        field(l, key);
        field(l, kind == ROW_PREVIEW ? "" : lat[city]);
        field(l, kind == ROW_PREVIEW ? "" : lon[city]);
        field(l, kind == ROW_PREVIEW ? "preview" : "anonymous");
        field(l, "EN");
        for (int k = 1; k <= o->items; k++) {
            if (ans[k]) fieldf(l, "%d", ans[k]);
            else field(l, gsl_rng_uniform(v->rng) < 0.5 ? "-99" : "");
        }
        field(l, mgr);
        break;
    }
    case L_QUALTRICS_LEGACY:
        format_time(start, T_ISO, t_start, sizeof t_start);
        format_time(end, T_ISO, t_end, sizeof t_end);
        field(l, id);
        field(l, "Default Response Set");
        field(l, "Anonymous");
        field(l, key);
        field(l, who->key ? email : "");
        field(l, ip);
        field(l, kind == ROW_PREVIEW ? "1" : "0");
        field(l, t_start);
        field(l, t_end);
        field(l, answered == o->items ? "1" : "0");
        for (int k = 1; k <= o->items; k++) field(l, answer_labels[ans[k]]);
        field(l, mgr);
        field(l, "");
        break;
    case L_SURVEYMONKEY:
        format_time(start, T_MONKEY, t_start, sizeof t_start);
        format_time(end, T_MONKEY, t_end, sizeof t_end);
        fieldf(l, "%lld", 11400000000LL + 37LL * index + (long long)(h % 37));
        field(l, "234567890");
        field(l, t_start);
        field(l, t_end);
        field(l, ip);
        field(l, who->key ? email : "");
        field(l, "");
        field(l, "");
        field(l, who->key ? key : mgr);
        for (int k = 1; k <= o->items; k++) field(l, answer_labels[ans[k]]);
        field(l, tenures[gsl_rng_uniform_int(v->rng, 4)]);
        break;
    case L_GOOGLEFORMS:
        format_time(end, T_GOOGLE, t_end, sizeof t_end);
        field(l, t_end);
        field(l, email);
        for (int k = 1; k <= o->items; k++) field(l, answer_labels[ans[k]]);
        break;
    case L_MSFORMS:
        format_time(start, T_MSFORMS, t_start, sizeof t_start);
        format_time(end, T_MSFORMS, t_end, sizeof t_end);
        fieldf(l, "%ld", v->row_no + 1);
        field(l, t_start);
        field(l, t_end);
        field(l, email);
        field(l, "");
        field(l, "");
        for (int k = 1; k <= o->items; k++) field(l, answer_labels[ans[k]]);
        break;
    case L_LIMESURVEY:
    case L_LIMESURVEY_TEXT:
        format_time(start, T_ISO, t_start, sizeof t_start);
        format_time(end, T_ISO, t_end, sizeof t_end);
        fieldf(l, "%ld", v->row_no + 1);
        field(l, kind == ROW_INCOMPLETE ? "" : t_end);
        field(l, kind == ROW_INCOMPLETE ? "0" : "1");
        field(l, "en");
        fieldf(l, "%llu", (unsigned long long)(100000000 + (h >> 20) % 1900000000));
        field(l, t_start);
        field(l, t_end);
        for (int k = 1; k <= o->items; k++) {
            if (!ans[k]) field(l, "");
            else if (v->layout == L_LIMESURVEY) fieldf(l, "A%d", ans[k]);
            else field(l, answer_labels[ans[k]]);
        }
        field(l, who->key ? key : mgr);
        break;
    }
    line_end(l, out);
    v->row_no++;

    if (v->roster && kind == ROW_REAL) {
        line_t r = {.L = &layouts[L_CANONICAL], .buf = l->buf, .p = l->buf};
        field(&r, email);
        field(&r, mgr);
        field(&r, departments[who->unit]);
        line_end(&r, v->roster);
    }
}

/* Extra rows (previews, spam, incomplete responses) due before real
 * respondent `before` (or all the rest when before is 0): answers drawn from
 * the second stream, the manager a real one (the next respondent's), and with
 * --hierarchy the next respondent's key, so a reader that kept them would
 * change that respondent's team. */
static void vendor_extras(vendor_t *v, long before, const person_t *next, sink_t *out)
{
    int ans[MAX_ITEMS + 1];
    char email[48];
    while (v->next_extra < v->L->extra && (before == 0 || extra_position(v, v->next_extra) <= before)) {
        int kind = extra_kind(v, v->next_extra);
        for (int k = 1; k <= v->o->items; k++) {
            ans[k] = 2 + (int)gsl_rng_uniform_int(v->rng, 4);
            if (kind == ROW_INCOMPLETE && k > (v->o->items + 1) / 2) ans[k] = 0;
        }
        person_t extra = *next;
        extra.index = 10000000L + v->next_extra;
        if (!extra.key) {
            snprintf(email, sizeof email, "r%07ld@example.com", extra.index);
            extra.email = email;
        }
        vendor_row(v, kind, &extra, ans, out);
        v->next_extra++;
    }
}

static void vendor_header(vendor_t *v, sink_t *out)
{
    static const char *const q_ids[] = {
        "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
        "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
        "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"};
    static const char *const q_words[] = {
        "Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
        "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
        "Recipient Email", "External Data Reference", "Location Latitude", "Location Longitude",
        "Distribution Channel", "User Language"};
    static const char *const q_import[] = {
        "startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished", "recordedDate",
        "_recordId", "recipientLastName", "recipientFirstName", "recipientEmail", "externalDataReference",
        "locationLatitude", "locationLongitude", "distributionChannel", "userLanguage"};
    static const char *const legacy[] = {
        "ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
        "StartDate", "EndDate", "Finished"};
    static const char *const monkey[] = {
        "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
        "First Name", "Last Name", "Custom Data 1"};
    static const char *const lime_codes[] = {
        "id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"};
    static const char *const lime_text[] = {
        "Response ID", "Date submitted", "Last page", "Start language", "Seed", "Date started",
        "Date last action"};
    const int K = v->o->items;
    line_t *l = &v->line;
    char name[256], st[160];

    if (v->L->bom) sink_put(out, "\xEF\xBB\xBF", 3);
    switch (v->layout) {
    case L_QUALTRICS:
        for (int i = 0; i < 17; i++) field(l, q_ids[i]);
        for (int k = 1; k <= K; k++) fieldf(l, "Q1_%d", k);
        field(l, "Manager");
        line_end(l, out);
        for (int i = 0; i < 17; i++) field(l, q_words[i]);
        for (int k = 1; k <= K; k++) fieldf(l, "%s - %s", QUESTION, statement(k, st, sizeof st));
        field(l, "Manager");
        line_end(l, out);
        for (int i = 0; i < 17; i++) {
            if (strstr(q_import[i], "Date"))
                fieldf(l, "{\"ImportId\":\"%s\",\"timeZone\":\"America/Denver\"}", q_import[i]);
            else
                fieldf(l, "{\"ImportId\":\"%s\"}", q_import[i]);
        }
        for (int k = 1; k <= K; k++) fieldf(l, "{\"ImportId\":\"QID1_%d\"}", k);
        field(l, "{\"ImportId\":\"Manager\"}");
        line_end(l, out);
        break;
    case L_QUALTRICS_LEGACY:
        for (int i = 1; i <= 10; i++) fieldf(l, "V%d", i);
        for (int k = 1; k <= K; k++) fieldf(l, "Q1_%d", k);
        field(l, "Manager");
        field(l, "");
        line_end(l, out);
        for (int i = 0; i < 10; i++) field(l, legacy[i]);
        for (int k = 1; k <= K; k++) fieldf(l, "%s - %s", QUESTION, statement(k, st, sizeof st));
        field(l, "Manager");
        field(l, "");
        line_end(l, out);
        break;
    case L_SURVEYMONKEY:
        for (int i = 0; i < 9; i++) field(l, monkey[i]);
        for (int k = 1; k <= K; k++) field(l, k == 1 ? QUESTION : "");
        field(l, "How long have you worked here?");
        line_end(l, out);
        for (int i = 0; i < 9; i++) field(l, "");
        for (int k = 1; k <= K; k++) field(l, statement(k, st, sizeof st));
        field(l, "Response");
        line_end(l, out);
        break;
    case L_GOOGLEFORMS:
        field(l, "Timestamp");
        field(l, "Email address");
        for (int k = 1; k <= K; k++) field(l, item_name(v->layout, k, name, sizeof name));
        line_end(l, out);
        break;
    case L_MSFORMS:
        field(l, "ID");
        field(l, "Start time");
        field(l, "Completion time");
        field(l, "Email");
        field(l, "Name");
        field(l, "Last modified time");
        for (int k = 1; k <= K; k++) field(l, item_name(v->layout, k, name, sizeof name));
        line_end(l, out);
        break;
    case L_LIMESURVEY:
    case L_LIMESURVEY_TEXT:
        for (int i = 0; i < 7; i++) field(l, v->layout == L_LIMESURVEY ? lime_codes[i] : lime_text[i]);
        for (int k = 1; k <= K; k++) field(l, item_name(v->layout, k, name, sizeof name));
        if (v->o->hierarchy) field(l, v->layout == L_LIMESURVEY ? "employee" : "Employee");
        else field(l, v->layout == L_LIMESURVEY ? "manager" : "Manager");
        line_end(l, out);
        break;
    }
}

/* An INI list value, quoted where a name holds a comma or a quote. */
static void ini_name(FILE *f, const char *name)
{
    if (!strpbrk(name, ",\"")) {
        fputs(name, f);
        return;
    }
    fputc('"', f);
    for (; *name; name++) {
        if (*name == '"') fputc('"', f);
        fputc(*name, f);
    }
    fputc('"', f);
}

/* The roster as the config names it: its bare name when it sits in the
 * config's folder (engage resolves it there), else its absolute path. */
static void roster_reference(const char *config, const char *roster, char *buf, size_t size)
{
    char cdir[PATH_MAX], rdir[PATH_MAX], tmp[PATH_MAX];
    const char *rslash = strrchr(roster, '/'), *cslash = strrchr(config, '/');
    const char *base = rslash ? rslash + 1 : roster;
    snprintf(tmp, sizeof tmp, "%.*s", cslash ? (int)(cslash - config) : 1, cslash ? config : ".");
    if (cslash == config) strcpy(tmp, "/");
    char *cd = realpath(tmp, cdir);
    snprintf(tmp, sizeof tmp, "%.*s", rslash ? (int)(rslash - roster) : 1, rslash ? roster : ".");
    if (rslash == roster) strcpy(tmp, "/");
    char *rd = realpath(tmp, rdir);
    if (cd && rd && strcmp(cdir, rdir) == 0)
        snprintf(buf, size, "%s", base);
    else if (rd)
        snprintf(buf, size, "%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
    else
        snprintf(buf, size, "%s", roster);
}

static void write_vendor_config(const options_t *o, FILE *f)
{
    const layout_t *L = &layouts[o->format];
    char name[256];
    fprintf(f, "; engage config for %s from engage-gen (%ld respondents, %d items, seed %lu)\n", L->tool,
            o->respondents, o->items, o->seed);
    fprintf(f, "[input]\nformat = %s\n", L->engage);
    if (o->hierarchy) ;            /* the roster gives every manager */
    else if (o->format == L_SURVEYMONKEY) fputs("manager = Custom Data 1\n", f);
    else if (o->format == L_LIMESURVEY) fputs("manager = manager\n", f);
    else if (!L->roster) fputs("manager = Manager\n", f);
    if (o->format == L_LIMESURVEY) {
        fputs("\n[labels]\n", f);
        for (int a = 1; a <= 5; a++) fprintf(f, "A%d = %d\n", a, a);
    } else if (L->text_answers) {
        fputs("\n[labels]\n", f);
        for (int a = 1; a <= 5; a++) fprintf(f, "%s = %d\n", answer_labels[a], a);
    }
    if (o->hierarchy) {
        write_roster_section(o, f);
    } else if (L->roster) {
        char ref[PATH_MAX + 64];
        roster_reference(o->config, o->roster, ref, sizeof ref);
        fprintf(f, "\n[roster]\nfile = %s\nkey = %s\nemployee = employee_email\nmanager = manager_id\n"
                   "unit = department\n", ref, o->format == L_MSFORMS ? "Email" : "Email address");
    }
    /* short names on one line; long ones one per line, to be read easily */
    size_t total = 0;
    for (int k = 1; k <= o->items; k++) total += strlen(item_name(o->format, k, name, sizeof name)) + 4;
    fputs("\n[scale engagement]\nitems =", f);
    for (int k = 1; k <= o->items; k++) {
        fputs(k == 1 ? " " : total <= 150 ? ", " : ",\n    ", f);
        ini_name(f, item_name(o->format, k, name, sizeof name));
    }
    fputc('\n', f);
    if (o->reverse) {
        fputs("reverse = ", f);
        ini_name(f, item_name(o->format, o->reverse, name, sizeof name));
        fputc('\n', f);
    }
    fputs("min = 1\nmax = 5\nmin_answered = 0.5\n\n[report]\nmin_group = 5\nseed = 1\n", f);
}

/* ---- the quarter ---- */

static long team_size(const options_t *o, gsl_rng *rng)
{
    if (o->team_min)
        return o->team_min + (long)gsl_rng_uniform_int(rng, (unsigned long)(o->team_max - o->team_min + 1));
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

/* Sets up the second stream and the line buffer of a survey-tool layout. */
static int vendor_open(vendor_t *v, const options_t *o, sink_t *roster)
{
    *v = (vendor_t){.o = o, .layout = o->format, .L = &layouts[o->format], .roster = roster};
    v->line.L = v->L;
    v->line.buf = v->line.p = malloc(1024 + (size_t)o->items * 640);
    v->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!v->line.buf || !v->rng) {
        free(v->line.buf);
        if (v->rng) gsl_rng_free(v->rng);
        fail("out of memory");
        return EX_IOERR;
    }
    gsl_rng_set(v->rng, o->seed ^ 0xA5A5A5A5UL);
    v->rows_total = o->respondents + v->L->extra;
    v->t0 = 20710LL * 86400 + 9 * 3600;    /* Monday 2026-09-14 09:00 */
    if (roster) sink_put(roster, "employee_email,manager_id,department\n", 37);
    return EX_OK;
}

static void vendor_close(vendor_t *v)
{
    free(v->line.buf);
    gsl_rng_free(v->rng);
}

static int generate(const options_t *o, sink_t *out, FILE *truth, sink_t *roster)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
        fail("out of memory");
        return EX_IOERR;
    }
    gsl_rng_set(rng, o->seed);

    /* A survey tool's layout: the same draws, in the same order, written by
     * vendor_row(); everything else it writes comes from a second stream. */
    const int vendor = o->format != L_CANONICAL;
    vendor_t v;
    int ans[MAX_ITEMS + 1];
    if (vendor) {
        int rc = vendor_open(&v, o, roster);
        if (rc != EX_OK) {
            gsl_rng_free(rng);
            return rc;
        }
        vendor_header(&v, out);
    }

    /* header */
    char *p;
    if (!vendor) {
        p = sink_reserve(out, 64);
        p += sprintf(p, "respondent_id,manager_id");
        out->len = (size_t)(p - out->buf);
        for (int k = 1; k <= o->items; k++) {
            p = sink_reserve(out, 16);
            out->len += (size_t)sprintf(p, ",Q%d", k);
        }
        *sink_reserve(out, 1) = '\n';
        out->len++;
    }

    const size_t row_max = 10 + 1 + 10 + 2 * (size_t)o->items + 1;   /* ids of up to 9 digits */
    long respondent = 0, managers = 0, size_min = LONG_MAX, size_max = 0;
    while (respondent < o->respondents) {
        long size = team_size(o, rng);
        double u = gsl_ran_gaussian_ziggurat(rng, o->sigma_b);
        if (size > o->respondents - respondent) size = o->respondents - respondent;
        ++managers;   /* at most one per respondent: M + 6 digits, wider past 999999 */
        if (size < size_min) size_min = size;
        if (size > size_max) size_max = size;
        if (truth) fprintf(truth, "effect,M%06ld,%ld,%.12g\n", managers, size, u);

        for (long i = 0; i < size; i++) {
            double latent = o->mu + u + gsl_ran_gaussian_ziggurat(rng, o->sigma_e);
            if (vendor) {
                for (int k = 1; k <= o->items; k++) {
                    int a = answer(latent, o->sigma_item, rng);
                    int gone = gsl_rng_uniform(rng) < o->missing;
                    ans[k] = gone ? 0 : k == o->reverse ? 6 - a : a;
                }
                respondent++;
                char mgr[24], email[48];
                snprintf(mgr, sizeof mgr, "M%06ld", managers);
                snprintf(email, sizeof email, "r%07ld@example.com", respondent);
                person_t who = {respondent, NULL, email, mgr, department_of(managers)};
                vendor_extras(&v, respondent, &who, out);
                vendor_row(&v, ROW_REAL, &who, ans, out);
                continue;
            }
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
    if (vendor) {
        char mgr[24];
        snprintf(mgr, sizeof mgr, "M%06ld", managers);
        person_t last = {0, NULL, NULL, mgr, 0};
        vendor_extras(&v, 0, &last, out);
        vendor_close(&v);
    }
    if (o->verbose)
        fprintf(stderr, "engage-gen: %ld respondents, %ld managers, team size mean %.3f, min %ld, max %ld\n",
                respondent, managers, (double)respondent / (double)managers, size_min, size_max);
    return EX_OK;
}

/* ---- the reporting tree (--hierarchy) ----
 *
 * Employees 1..E are numbered breadth first: the tops (level 1) first, then
 * level 2, ... down to level D (--depth). Level sizes are fixed first: T tops
 * and T r^(l-1) people at level l, with r solved (by bisection) so that the
 * levels add up to E, and T = E / (1 + r0 + ... + r0^(D-1)) rounded, r0 the
 * mean span times (1 - SHARE_IC). Then, level by level, each person draws a
 * span (a top always leads; anyone else leads nobody with probability
 * SHARE_IC, else leads 1 + NegBin(5, 0.3) drawn again above 15); the spans
 * are moved by one, at people picked uniformly, until they add up to the
 * next level's size, and the next level's people are handed out in order.
 * Every array is indexed by employee, so memory is O(E) whatever the depth,
 * and nothing recurses. */

#define SPAN_MAX 15
#define SPAN_NB_R 5.0
#define SPAN_NB_P 0.3
#define SHARE_IC 0.1              /* someone below the tops who leads nobody */
#define RATE_CONCENTRATION 20.0   /* a team's response rate ~ Beta(20 m, 20 (1 - m)) */

static long span_draw(gsl_rng *rng)
{
    long n;
    do {
        n = 1 + (long)gsl_ran_negative_binomial(rng, SPAN_NB_P, SPAN_NB_R);
    } while (n > SPAN_MAX);
    return n;
}

static double span_mean(void)
{
    double w = 0, s = 0;
    for (unsigned k = 0; k < SPAN_MAX; k++) {
        double p = gsl_ran_negative_binomial_pdf(k, SPAN_NB_P, SPAN_NB_R);
        w += p;
        s += p * (k + 1);
    }
    return s / w;
}

/* People in a tree of `depth` levels whose level l holds r^(l-1). */
static double levels_total(double r, int depth)
{
    double total = 0, level = 1;
    for (int l = 0; l < depth; l++, level *= r) total += level;
    return total;
}

/* The sizes of the levels, n[0] the tops; -1 when no tree of that depth
 * with spans of 1..SPAN_MAX holds `employees` people. */
static int level_sizes(long employees, int depth, long *n)
{
    double r0 = span_mean() * (1 - SHARE_IC);
    long tops = lround((double)employees / levels_total(r0, depth));
    if (tops < 1) tops = 1;
    double lo = 1, hi = SPAN_MAX;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if ((double)tops * levels_total(mid, depth) < (double)employees) lo = mid;
        else hi = mid;
    }
    long sum = 0;
    for (int l = 0; l < depth - 1; l++) {
        n[l] = llround((double)tops * pow(lo, l));
        sum += n[l];
    }
    n[depth - 1] = employees - sum;
    for (int l = 0; l < depth - 1; l++)
        if (n[l + 1] < (l == 0 ? n[0] : 1) || n[l + 1] > SPAN_MAX * n[l]) return -1;
    return 0;
}

/* Spans of the `count` people from `first` on, adding up to `target`. */
static void draw_spans(uint8_t *span, long first, long count, long target, int tops, gsl_rng *rng)
{
    long total = 0;
    for (long i = first; i < first + count; i++) {
        span[i] = (!tops && gsl_rng_uniform(rng) < SHARE_IC) ? 0 : (uint8_t)span_draw(rng);
        total += span[i];
    }
    while (total < target) {
        long i = first + (long)gsl_rng_uniform_int(rng, (unsigned long)count);
        if (span[i] < SPAN_MAX) span[i]++, total++;
    }
    while (total > target) {
        long i = first + (long)gsl_rng_uniform_int(rng, (unsigned long)count);
        if (span[i] > (tops ? 1 : 0)) span[i]--, total--;
    }
}

static const char *const first_names[] = {
    "Ana", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi", "Lena",
    "Mateo", "Nora", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wei", "Zoë",
};
static const char *const last_names[] = {
    "Adeyemi", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova",
    "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "O'Neill", "Patel", "Rossi", "Schmidt",
    "Tanaka", "Novak", "Walsh", "Yilmaz",
};
#define N_FIRST (sizeof first_names / sizeof first_names[0])
#define N_LAST (sizeof last_names / sizeof last_names[0])

/* Unit t (0-based): the departments' names, then "Sales 2", "Marketing 2"... */
static const char *unit_name(long t, char *buf, size_t size)
{
    if (t < N_DEPARTMENTS) return departments[t];
    snprintf(buf, size, "%s %ld", departments[t % N_DEPARTMENTS], t / N_DEPARTMENTS + 1);
    return buf;
}

/* The roster's key columns: the employee id, or the e-mail for the layouts
 * that carry only an address. */
static int keyed_by_email(int layout)
{
    return layout == L_GOOGLEFORMS || layout == L_MSFORMS;
}

/* The export column that holds the roster key. */
static const char *tree_key_column(int layout)
{
    switch (layout) {
    case L_QUALTRICS: return "ExternalReference";
    case L_QUALTRICS_LEGACY: return "ExternalDataReference";
    case L_SURVEYMONKEY: return "Custom Data 1";
    case L_GOOGLEFORMS: return "Email address";
    case L_MSFORMS: return "Email";
    case L_LIMESURVEY: return "employee";
    case L_LIMESURVEY_TEXT: return "Employee";
    default: return "respondent_id";
    }
}

/* [roster] for a tree's roster: joined on the layout's key column. */
static void write_roster_section(const options_t *o, FILE *f)
{
    char ref[PATH_MAX + 64];
    int by_email = keyed_by_email(o->format);
    roster_reference(o->config, o->roster, ref, sizeof ref);
    fprintf(f, "\n[roster]\nfile = %s\nkey = %s\nemployee = %s\nmanager = %s\nunit = unit\nname = name\n"
               "invited = invited\n", ref,
            tree_key_column(o->format), by_email ? "email" : "employee_id", by_email ? "manager_email" : "manager_id");
}

typedef struct {
    long employees, tops, managers, invited, respondents;
    long span_min, span_max;
} tree_counts_t;

static void draw_answers(const options_t *o, double latent, gsl_rng *rng, int *ans)
{
    for (int k = 1; k <= o->items; k++) {
        int a = answer(latent, o->sigma_item, rng);
        int gone = gsl_rng_uniform(rng) < o->missing;
        ans[k] = gone ? 0 : k == o->reverse ? 6 - a : a;
    }
}

static int generate_tree(const options_t *o, sink_t *out, FILE *truth, sink_t *roster)
{
    const long E = lround((double)o->respondents / (o->invited * o->response));
    const int D = o->depth;
    long n[8];
    if (E > MAX_RESPONDENTS) {
        fail("--respondents %ld needs %ld employees at --invited %g --response %g; at most %ld can be numbered",
             o->respondents, E, o->invited, o->response, MAX_RESPONDENTS);
        return EX_USAGE;
    }
    if (E < D || level_sizes(E, D, n)) {
        fail("no tree of depth %d with spans of 1 to %d holds %ld employees; ask for more respondents",
             D, SPAN_MAX, E);
        return EX_USAGE;
    }
    const long T = n[0];
    uint32_t *parent = malloc((size_t)E * sizeof *parent), *unit = malloc((size_t)E * sizeof *unit);
    uint32_t *team_n = calloc((size_t)E, sizeof *team_n);
    uint8_t *span = malloc((size_t)E);
    double *effect = malloc((size_t)E * sizeof *effect), *unit_effect = malloc((size_t)T * sizeof *unit_effect);
    float *rate = malloc((size_t)E * sizeof *rate);
    long *unit_n = calloc((size_t)T, sizeof *unit_n);
    char *line = malloc(1024 + (size_t)o->items * 2);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = EX_OK;
    vendor_t v;
    const int vendor = o->format != L_CANONICAL;
    if (!parent || !unit || !team_n || !span || !effect || !unit_effect || !rate || !unit_n || !line || !rng) {
        fail("out of memory");
        rc = EX_IOERR;
        goto done;
    }
    gsl_rng_set(rng, o->seed);

    /* the tree, level by level */
    tree_counts_t c = {.employees = E, .tops = T, .span_min = SPAN_MAX};
    long first = 0;
    for (int l = 0; l < D; l++) {
        long next = first + n[l];
        if (l < D - 1) draw_spans(span, first, n[l], n[l + 1], l == 0, rng);
        else memset(span + first, 0, (size_t)n[l]);
        long child = next;
        for (long i = first; i < next; i++) {
            if (l == 0) parent[i] = (uint32_t)i, unit[i] = (uint32_t)i;
            for (int k = 0; k < span[i]; k++, child++) parent[child] = (uint32_t)i, unit[child] = unit[i];
            if (span[i]) {
                c.managers++;
                if (span[i] < c.span_min) c.span_min = span[i];
                if (span[i] > c.span_max) c.span_max = span[i];
            }
        }
        first = next;
    }

    /* the effects: units, then each manager's team in id order */
    for (long t = 0; t < T; t++) unit_effect[t] = gsl_ran_gaussian_ziggurat(rng, o->sigma_u);
    for (long i = 0; i < E; i++) {
        if (!span[i]) continue;
        effect[i] = gsl_ran_gaussian_ziggurat(rng, o->sigma_b);
        rate[i] = o->response >= 1 ? 1.0f
                                   : (float)gsl_ran_beta(rng, RATE_CONCENTRATION * o->response,
                                                         RATE_CONCENTRATION * (1 - o->response));
    }

    /* the people: roster rows for all, export rows for those who answered */
    if (vendor) {
        if ((rc = vendor_open(&v, o, NULL)) != EX_OK) goto done;
        vendor_header(&v, out);
    } else {
        sink_put(out, "respondent_id", 13);
        for (int k = 1; k <= o->items; k++) {
            int len = snprintf(line, 16, ",Q%d", k);
            sink_put(out, line, (size_t)len);
        }
        sink_put(out, "\n", 1);
    }
    sink_put(roster, "employee_id,email,manager_id,manager_email,name,unit,invited\n", 61);
    const layout_t *plain = &layouts[L_CANONICAL];
    int ans[MAX_ITEMS + 1];
    char key[24], email[48], mkey[24], memail[48], uname[64], name[64];
    person_t who = {0};
    for (long i = 0; i < E; i++) {
        long team = parent[i];
        int is_top = i < T;
        snprintf(key, sizeof key, "E%07ld", i + 1);
        snprintf(email, sizeof email, "e%07ld@example.com", i + 1);
        snprintf(mkey, sizeof mkey, "E%07ld", team + 1);
        snprintf(memail, sizeof memail, "e%07ld@example.com", team + 1);
        if (is_top && o->top_empty) mkey[0] = memail[0] = '\0';
        uint64_t h = mix64((uint64_t)i * 0x9E3779B1ULL + 3);
        snprintf(name, sizeof name, "%s %s", first_names[h % N_FIRST], last_names[(h >> 24) % N_LAST]);
        /* both draws for everyone, so --invited does not change who of the invited answers */
        int invited = gsl_rng_uniform(rng) < o->invited;
        /* a top has no manager whose team they would answer in: engage
         * rejects such a row, so tops are invited but do not answer */
        int responded = gsl_rng_uniform(rng) < rate[team] && invited && !is_top;
        line_t r = {.L = plain, .buf = line, .p = line};
        field(&r, key);
        field(&r, email);
        field(&r, mkey);
        field(&r, memail);
        field(&r, name);
        field(&r, unit_name(unit[i], uname, sizeof uname));
        field(&r, invited ? "yes" : "no");
        line_end(&r, roster);
        c.invited += invited;
        if (!responded) continue;

        c.respondents++;
        team_n[team]++;
        unit_n[unit[i]]++;
        double latent = o->mu + unit_effect[unit[i]] + effect[team] + gsl_ran_gaussian_ziggurat(rng, o->sigma_e);
        draw_answers(o, latent, rng, ans);
        who = (person_t){i + 1, key, email, mkey, 0};
        if (vendor) {
            vendor_extras(&v, c.respondents, &who, out);
            vendor_row(&v, ROW_REAL, &who, ans, out);
            continue;
        }
        r = (line_t){.L = plain, .buf = line, .p = line};
        field(&r, key);
        for (int k = 1; k <= o->items; k++) {
            if (ans[k]) fieldf(&r, "%d", ans[k]);
            else field(&r, "");
        }
        line_end(&r, out);
    }
    if (vendor) {
        if (c.respondents) vendor_extras(&v, 0, &who, out);
        vendor_close(&v);
    }

    if (truth) {
        fprintf(truth, "employees,,%ld,\ninvited,,%ld,\nrespondents,,%ld,\nmanagers,,%ld,\nunits,,%ld,\n",
                E, c.invited, c.respondents, c.managers, T);
        for (long t = 0; t < T; t++)
            fprintf(truth, "unit,%s,%ld,%.12g\n", unit_name(t, uname, sizeof uname), unit_n[t], unit_effect[t]);
        for (long i = 0; i < E; i++)
            if (span[i]) fprintf(truth, "effect,E%07ld,%u,%.12g\n", i + 1, team_n[i], effect[i]);
    }
    if (o->verbose)
        fprintf(stderr, "engage-gen: %ld employees in %d levels (%ld tops), %ld managers (span mean %.3f, "
                        "min %ld, max %ld), %ld invited, %ld respondents\n",
                E, D, T, c.managers, (double)(E - T) / (double)c.managers, c.span_min, c.span_max, c.invited,
                c.respondents);
done:
    free(parent);
    free(unit);
    free(team_n);
    free(span);
    free(effect);
    free(unit_effect);
    free(rate);
    free(unit_n);
    free(line);
    if (rng) gsl_rng_free(rng);
    return rc;
}

/* ---- waves ---- */

/* Wave w's file: -o's name with -ww before its .csv (or at its end). */
static void wave_path(const char *out, int w, char *buf, size_t size)
{
    const char *dot = strstr(out, ".csv");
    if (!dot) dot = out + strlen(out);
    snprintf(buf, size, "%.*s-w%d%s", (int)(dot - out), out, w, dot);
}

/* [waves]: wave1 = FILE ... in chronological order, each file named as the
 * config reaches it (as the roster is). */
static void write_waves_section(const options_t *o, FILE *f)
{
    fputs("\n[waves]\n", f);
    for (int w = 1; w <= o->waves; w++) {
        char path[PATH_MAX], ref[PATH_MAX + 16];
        wave_path(o->out, w, path, sizeof path);
        roster_reference(o->config, path, ref, sizeof ref);
        fprintf(f, "wave%d = ", w);
        ini_name(f, ref);
        fputc('\n', f);
    }
}

/* The 0..10 recommend answer driven by the item answers a[1..items]
 * (before reverse coding). */
static int recommend(const options_t *o, const int *a, gsl_rng *rng)
{
    double x = WAVES_INTERCEPT + gsl_ran_gaussian_ziggurat(rng, WAVES_SIGMA_R);
    for (int k = 1; k <= o->items; k++) x += o->weights[k] * (a[k] - 3);
    x = floor(x + 0.5);
    return x < 0 ? 0 : x > 10 ? 10 : (int)x;
}

/* K waves of the same teams and people (--waves).  Draws, in this order:
 * per team its size, its first manager's effect, its drift per wave, then
 * its people's own effects; then per wave, from the second on, per team
 * whether its manager changes (a new manager, with a new effect, drawn
 * then); then per wave, team and person the item answers, their missing
 * cells, the recommend answer and whether it is missing. */
static int generate_waves(const options_t *o, FILE *truth)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    long cap = 64, teams = 0, people = 0;
    long *size = malloc((size_t)cap * sizeof *size), *mgr = malloc((size_t)cap * sizeof *mgr);
    double *u = malloc((size_t)cap * sizeof *u), *drift = malloc((size_t)cap * sizeof *drift);
    double *e = malloc((size_t)o->respondents * sizeof *e);
    int rc = EX_OK;
    if (!rng || !size || !mgr || !u || !drift || !e) {
        fail("out of memory");
        rc = EX_IOERR;
        goto done;
    }
    gsl_rng_set(rng, o->seed);
    while (people < o->respondents) {
        if (teams == cap) {
            cap *= 2;
            long *s2 = realloc(size, (size_t)cap * sizeof *s2);
            if (s2) size = s2;
            long *m2 = realloc(mgr, (size_t)cap * sizeof *m2);
            if (m2) mgr = m2;
            double *u2 = realloc(u, (size_t)cap * sizeof *u2);
            if (u2) u = u2;
            double *d2 = realloc(drift, (size_t)cap * sizeof *d2);
            if (d2) drift = d2;
            if (!s2 || !m2 || !u2 || !d2) {
                fail("out of memory");
                rc = EX_IOERR;
                goto done;
            }
        }
        long n = team_size(o, rng);
        if (n > o->respondents - people) n = o->respondents - people;
        size[teams] = n;
        mgr[teams] = teams + 1;
        u[teams] = gsl_ran_gaussian_ziggurat(rng, o->sigma_b);
        drift[teams] = gsl_ran_gaussian_ziggurat(rng, o->drift);
        for (long i = 0; i < n; i++) e[people + i] = gsl_ran_gaussian_ziggurat(rng, o->sigma_e);
        people += n;
        teams++;
    }
    long managers = teams;
    if (truth) {
        fputs("what,wave,team,manager_id,item,n,value\n", truth);
        fprintf(truth, "mu,,,,,,%.12g\nsigma_b2,,,,,,%.12g\nsigma_e2,,,,,,%.12g\nsigma_item2,,,,,,%.12g\n", o->mu,
                o->sigma_b * o->sigma_b, o->sigma_e * o->sigma_e, o->sigma_item * o->sigma_item);
        fprintf(truth, "drift_sd,,,,,,%.12g\nturnover,,,,,,%.12g\nintercept,,,,R,,%.12g\nsigma_r,,,,R,,%.12g\n",
                o->drift, o->turnover, WAVES_INTERCEPT, WAVES_SIGMA_R);
        for (int k = 1; k <= o->items; k++) fprintf(truth, "weight,,,,Q%d,,%.12g\n", k, o->weights[k]);
        for (long t = 0; t < teams; t++) fprintf(truth, "drift,,T%05ld,,,%ld,%.12g\n", t + 1, size[t], drift[t]);
    }
    int a[MAX_ITEMS + 1];
    for (int w = 1; w <= o->waves && rc == EX_OK; w++) {
        if (w > 1)
            for (long t = 0; t < teams; t++)
                if (gsl_rng_uniform(rng) < o->turnover) {
                    mgr[t] = ++managers;
                    u[t] = gsl_ran_gaussian_ziggurat(rng, o->sigma_b);
                }
        char path[PATH_MAX];
        wave_path(o->out, w, path, sizeof path);
        sink_t out;
        rc = sink_open(&out, path, o->level);
        if (rc != EX_OK) {
            free(out.buf);
            break;
        }
        char *p = sink_reserve(&out, 64);
        out.len += (size_t)sprintf(p, "respondent_id,manager_id");
        for (int k = 1; k <= o->items; k++) {
            p = sink_reserve(&out, 16);
            out.len += (size_t)sprintf(p, ",Q%d", k);
        }
        p = sink_reserve(&out, 4);
        out.len += (size_t)sprintf(p, ",R\n");
        const size_t row_max = 10 + 1 + 10 + 2 * (size_t)o->items + 4;
        long respondent = 0, answered = 0, promoters = 0, detractors = 0;
        for (long t = 0; t < teams; t++) {
            double effect = u[t] + (w - 1) * drift[t];
            if (truth)
                fprintf(truth, "manager,%d,T%05ld,M%06ld,,%ld,%.12g\n", w, t + 1, mgr[t], size[t], u[t]);
            for (long i = 0; i < size[t]; i++) {
                double latent = o->mu + effect + e[respondent];
                p = sink_reserve(&out, row_max);
                char *row = p;
                p = put_id(p, 'R', ++respondent, 7);
                *p++ = ',';
                p = put_id(p, 'M', mgr[t], 6);
                for (int k = 1; k <= o->items; k++) {
                    a[k] = answer(latent, o->sigma_item, rng);
                    int gone = gsl_rng_uniform(rng) < o->missing;
                    *p++ = ',';
                    if (!gone) *p++ = (char)('0' + (k == o->reverse ? 6 - a[k] : a[k]));
                }
                int r = recommend(o, a, rng);
                int gone = gsl_rng_uniform(rng) < o->missing;
                *p++ = ',';
                if (!gone) {
                    p += sprintf(p, "%d", r);
                    answered++;
                    promoters += r >= 9;
                    detractors += r <= 6;
                }
                *p++ = '\n';
                out.len += (size_t)(p - row);
            }
        }
        if (truth)
            fprintf(truth, "enps,%d,,,R,%ld,%.12g\n", w, answered,
                    answered ? 100.0 * (double)(promoters - detractors) / (double)answered : 0.0);
        rc = sink_close(&out);
        if (o->verbose)
            fprintf(stderr, "engage-gen: %s: %ld respondents, %ld teams, %ld managers so far\n", path, respondent,
                    teams, managers);
    }
    if (rc != EX_OK)   /* no half a set of waves */
        for (int w = 1; w <= o->waves; w++) {
            char path[PATH_MAX];
            wave_path(o->out, w, path, sizeof path);
            remove_partial(path);
        }
done:
    gsl_rng_free(rng);
    free(size);
    free(mgr);
    free(u);
    free(drift);
    free(e);
    return rc;
}

int main(int argc, char **argv)
{
    options_t o;
    int rc = parse_options(argc, argv, &o);
    if (rc != EX_OK) return rc;

    if (o.config && (rc = write_config(&o)) != EX_OK) return rc;

    FILE *truth = NULL;
    if (o.truth && !(truth = o.waves ? fopen(o.truth, "w") : open_truth(&o))) {
        fail("%s: cannot create: %s", o.truth, strerror(errno));
        return EX_CANTCREAT;
    }

    if (o.waves) {
        rc = generate_waves(&o, truth);
        if (truth && (ferror(truth) | (fclose(truth) != 0)) && rc == EX_OK) {
            fail("%s: write failed: %s", o.truth, strerror(errno));
            rc = EX_IOERR;
        }
        if (rc != EX_OK && truth) remove_partial(o.truth);
        if (rc != EX_OK && o.config) remove_partial(o.config);
        return rc;
    }

    sink_t out, roster;
    int have_roster = 0;
    if (o.roster) {
        rc = sink_open(&roster, o.roster, o.level);
        if (rc != EX_OK) {
            free(roster.buf);
            if (truth) {
                fclose(truth);
                remove_partial(o.truth);
            }
            return rc;
        }
        have_roster = 1;
    }
    rc = sink_open(&out, o.out, o.level);
    if (rc == EX_OK) {
        rc = o.hierarchy ? generate_tree(&o, &out, truth, &roster)
                         : generate(&o, &out, truth, have_roster ? &roster : NULL);
        int rc_close = sink_close(&out);
        if (rc == EX_OK) rc = rc_close;
        else remove_partial(o.out);
    } else {
        free(out.buf);
    }
    if (have_roster) {
        int rc_close = sink_close(&roster);
        if (rc == EX_OK) rc = rc_close;
        else remove_partial(o.roster);
    }
    if (truth && (ferror(truth) | (fclose(truth) != 0)) && rc == EX_OK) {
        fail("%s: write failed: %s", o.truth, strerror(errno));
        rc = EX_IOERR;
    }
    if (rc != EX_OK && truth) remove_partial(o.truth);
    return rc;
}
