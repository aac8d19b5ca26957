/*
 * engage.c — the command line: parses arguments, wires the stages
 * (config → ingest → analysis → report) and is the only place that prints
 * errors or chooses the exit status.  During run and rerun a thread of its
 * own takes SIGINT, SIGTERM and SIGHUP and removes the temporary output
 * folder before the process ends.
 *
 *   engage run    [-c CONFIG] [-o OUTDIR] [--previous FILE]... [options] INPUT...
 *   engage run    -c CONFIG [-o OUTDIR] [options]        (CONFIG's [waves])
 *   engage ingest [-c CONFIG] [-o FILE] [options] INPUT...
 *   engage check  [-c CONFIG] [options] INPUT...
 *   engage check  --columns [--format F] INPUT...
 *   engage init   [-o FILE] [--format F] [--force] INPUT...
 *   engage rerun  [--inputs DIR] MANIFEST [-o DIR]
 *   engage verify [--inputs DIR] OUTDIR
 */
#include <fcntl.h>
#include <getopt.h>
#include <glib.h>
#include <gsl/gsl_errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "analysis/changes.h"
#include "analysis/trend.h"
#include "analysis/drivers.h"
#include "analysis/units.h"
#include "core/config.h"
#include "core/dataset.h"
#include "core/error.h"
#include "core/folders.h"
#include "core/heap.h"
#include "core/hugepages.h"
#include "core/progress.h"
#include "ingest/ingest.h"
#include "ingest/init.h"
#include "ingest/inspect.h"
#include "report/outdir.h"
#include "report/report.h"
#include "report/verify.h"

#ifndef ENGAGE_VERSION
#define ENGAGE_VERSION "0.0.0"
#endif

static const char USAGE[] =
    "usage: engage run    [-c CONFIG] [-o OUTDIR] [--previous FILE]... [options] INPUT...\n"
    "       engage run    -c CONFIG [-o OUTDIR] [options]     (CONFIG's [waves])\n"
    "       engage ingest [-c CONFIG] [-o FILE] [options] INPUT...\n"
    "       engage check  [-c CONFIG] [options] INPUT...\n"
    "       engage check  --columns [--format F] INPUT...\n"
    "       engage init   [-o FILE] [--format F] [--force] INPUT...\n"
    "       engage rerun  [--inputs DIR] MANIFEST [-o DIR]\n"
    "       engage verify [--inputs DIR] OUTDIR\n"
    "       engage --help | --version\n";

static const char HELP[] =
    "\n"
    "Employee-engagement survey analytics: how engagement varies between managers.\n"
    "\n"
    "commands:\n"
    "  run      read the survey, analyse it and write the reports into OUTDIR\n"
    "           (managers.csv, variance.csv, items.csv, quality.csv, report.txt,\n"
    "           report.html, engage.xlsx, manifest.json; changes.csv with\n"
    "           --previous, and trend.csv, the whole history, with it or with\n"
    "           the waves a config names in [waves] (then no INPUT is given);\n"
    "           units.csv when a roster gives units; for the\n"
    "           analyst only: rejects.csv, variance_all_teams.csv); an\n"
    "           existing OUTDIR is replaced only when it holds nothing but an\n"
    "           earlier run's outputs, and never when it holds an input\n"
    "  ingest   write the normalised canonical CSV (gzip if FILE ends in .gz;\n"
    "           stdout without -o)\n"
    "  check    show what would be read, scored and rejected; write nothing;\n"
    "           with --columns, list each column (letter, name, answers seen)\n"
    "           without any config\n"
    "  init     propose a config for the export: the tool, every column in a\n"
    "           comment, scales from matrix questions, [labels] from known\n"
    "           answer words, the manager column (or a [roster] to join) and\n"
    "           items that look reverse-keyed (flagged, not reversed); to\n"
    "           FILE (never replacing one, unless --force) or stdout\n"
    "  rerun    repeat the run a manifest.json records into DIR (default\n"
    "           engage-rerun) and say, file by file, whether each output is\n"
    "           byte-identical (exit 1 if not); its inputs must be unchanged,\n"
    "           and each is found by its SHA-256: at the path recorded\n"
    "           (relative to the folder the run was made in), else by its\n"
    "           name beside manifest.json, else under --inputs DIR\n"
    "  verify   say whether OUTDIR's outputs and the inputs its manifest.json\n"
    "           names (found as rerun finds them) are unchanged since the run\n"
    "           (exit 1 for changed outputs, 65 for changed inputs, 66 for\n"
    "           missing ones)\n"
    "\n"
    "INPUT is a survey tool's CSV export as the tool wrote it (any of the\n"
    "formats above; UTF-8, UTF-16 or Windows-1252; comma, semicolon or tab),\n"
    "plain, gzip-compressed or a .zip holding one CSV, or - for stdin; several\n"
    "INPUTs of one wave are read as one dataset.\n"
    "\n"
    "options:\n"
    "  -c, --config FILE   INI config (scales, labels, ids; see engage.ini(5))\n"
    "  -o, --output PATH   OUTDIR for run (default engage-out), FILE for ingest\n"
    "                      and init, DIR for rerun; missing folders above it\n"
    "                      are made\n"
    "      --previous FILE an earlier wave's export or archive (run only;\n"
    "                      repeatable), for changes.csv\n"
    "      --format F      input format: auto (detect), canonical, qualtrics,\n"
    "                      surveymonkey, googleforms, msforms or limesurvey\n"
    "      --min-group N   smallest group whose figures are shown (3 at least)\n"
    "      --seed N        seed of drivers.csv's bootstrap intervals ([report]\n"
    "                      seed; recorded in manifest.json)\n"
    "      --strict        any rejected row is an error\n"
    "      --all-rejects   (run, check) list every rejected or excluded row;\n"
    "                      by default at most 100,000 of each reason are\n"
    "                      listed, then a line counting the rest\n"
    "      --excel         (run) write the CSVs with a UTF-8 byte order mark, so\n"
    "                      that Excel opens them with the right characters\n"
    "      --no-workbook   (run) leave out engage.xlsx (most of a very large\n"
    "                      run's time goes into compressing it)\n"
    "      --packs         (run) with a reporting tree, write OUTDIR/packs/: a\n"
    "                      page per leader whose org is shown, and index.html\n"
    "      --inputs DIR    (rerun, verify) look for inputs that are not where\n"
    "                      the manifest says by their names under DIR (then in\n"
    "                      its subfolders), e.g. after the archive was moved\n"
    "      --force         (run) replace OUTDIR even when it holds files no run\n"
    "                      wrote (they are deleted); never when it holds an input;\n"
    "                      (init) replace FILE\n"
    "      --columns       (check) list the columns without a config\n"
    "  -q, --quiet         no notes and no progress on stderr\n"
    "      --progress      show progress on stderr (bytes read of each file,\n"
    "                      then each stage) even when stderr is not a\n"
    "                      terminal, a line each; on a terminal it is shown\n"
    "                      anyway, as one line, once a run takes a second\n"
    "  -h, --help          this help\n"
    "      --version       print the version\n"
    "\n"
    "exit status: 0 done, 64 usage, 65 input data unusable, 66 input missing,\n"
    "73 output not creatable, 74 I/O error, 78 config error.\n";

typedef enum { CMD_RUN, CMD_INGEST, CMD_CHECK, CMD_RERUN, CMD_VERIFY, CMD_INIT } command_t;

typedef struct {
    command_t command;
    const char *config_path;
    const char *output;
    const char *format;
    const char *min_group;
    const char *seed;
    bool strict;
    bool all_rejects;          /* list every rejected row, not 100,000 per reason */
    bool quiet;
    bool progress;             /* progress on stderr even when it is not a terminal */
    bool excel;                /* CSVs with a UTF-8 byte order mark */
    bool no_workbook;          /* no engage.xlsx */
    bool packs;                /* packs/: a page per shown leader */
    bool force;                /* replace an OUTDIR of other files; init: replace FILE */
    bool columns;              /* check --columns */
    char **inputs;
    size_t n_inputs;
    const char **previous;     /* --previous FILE..., in order given */
    size_t n_previous;
    const char *inputs_dir;    /* rerun, verify: where else to look for the inputs */
    /* A rerun's inputs found away from their recorded place: the files read
     * under the recorded names (NULL entries: as recorded). */
    const char *const *inputs_from;
    const char *const *previous_from;
    const char *roster_from;
    /* [rosters] files found away from their recorded place: the file read
     * for each recorded path (n_wave_rosters_from of each). */
    const char *const *wave_rosters_recorded;
    const char *const *wave_rosters_from;
    size_t n_wave_rosters_from;
} options_t;

/* Every line on stdout and stderr goes through engage_print_line, which
 * escapes control characters in the text it prints (file names, ids,
 * answers, column names and config values all come from the input). */
static int fail_with(const engage_error_t *err)
{
    progress_end();
    char line[ENGAGE_ERROR_LINE];
    engage_error_format(err, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    if (err->hint[0])
        engage_print_line(stderr, "engage: hint: %s", err->hint);
    return engage_exit_code(err->status);
}

/* One line of the block to paste: the answer as a [labels] key, or a
 * comment when no key reads back as it (a character in it the config cannot
 * hold, or one the terminal shows escaped). */
static void print_label_line(const ingest_log_t *log, const ingest_unknown_t *u)
{
    size_t len = strlen(u->answer);
    char *escaped = malloc(4 * len + 1);
    bool as_shown = escaped && strcmp(engage_escape(u->answer, escaped, 4 * len + 1), u->answer) == 0;
    free(escaped);
    char *key = as_shown && config_label_writable(u->answer) ? config_label_key(u->answer) : NULL;
    if (key) {
        engage_print_line(stderr, "%s = ", key);
        free(key);
        return;
    }
    const char *cut = len > 60 ? g_utf8_find_prev_char(u->answer, u->answer + 61) : u->answer + len;
    engage_print_line(stderr, "; '%.*s%s' (%s:%ld) cannot be written as a label: recode it in the export",
                      (int)(cut - u->answer), u->answer, *cut ? "..." : "", log->files[u->file].path, u->line);
}

/* Each answer that matched no label once, then the hint and the [labels]
 * lines to paste, grouped by label set; returns the exit status. */
static int fail_with_unknowns(const engage_error_t *err, const ingest_log_t *log)
{
    progress_end();
    char line[ENGAGE_ERROR_LINE];
    engage_error_format(err, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    for (size_t i = 0; i < log->n_unknowns; i++) {
        engage_error_t one = {0};
        ingest_unknown_describe(log, i, &one);
        engage_error_format(&one, line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    if (log->unlisted_unknowns)
        fprintf(stderr, "engage: ... and %zu more cells whose answers match no label (run again after adding "
                        "these)\n", log->unlisted_unknowns);
    if (err->hint[0])
        engage_print_line(stderr, "engage: hint: %s", err->hint);
    for (size_t i = 0; i < log->n_unknowns; i++) {
        const char *set = log->unknowns[i].label_set;
        bool first_of_set = true;
        for (size_t j = 0; j < i && first_of_set; j++)
            first_of_set = strcmp(log->unknowns[j].label_set, set) != 0;
        if (!first_of_set)
            continue;
        engage_print_line(stderr, set[0] ? "[labels %s]" : "[labels]", set);
        for (size_t j = i; j < log->n_unknowns; j++)
            if (strcmp(log->unknowns[j].label_set, set) == 0)
                print_label_line(log, &log->unknowns[j]);
    }
    return engage_exit_code(err->status);
}

static int usage_error(const char *message, const char *detail)
{
    engage_print_line(stderr, "engage: %s%s", message, detail ? detail : "");
    fprintf(stderr, "%s", USAGE);
    return engage_exit_code(ENGAGE_EUSAGE);
}

/* Parse argv into opts; returns -1 to go on, else an exit status. */
static int parse_arguments(int argc, char **argv, options_t *opts)
{
    enum { OPT_FORMAT = 256, OPT_MIN_GROUP, OPT_SEED, OPT_STRICT, OPT_VERSION, OPT_PREVIOUS, OPT_EXCEL,
           OPT_NO_WORKBOOK, OPT_PACKS, OPT_FORCE, OPT_ALL_REJECTS, OPT_INPUTS, OPT_PROGRESS, OPT_COLUMNS };
    static const struct option long_options[] = {
        {"config", required_argument, NULL, 'c'},    {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, OPT_FORMAT}, {"min-group", required_argument, NULL, OPT_MIN_GROUP},
        {"seed", required_argument, NULL, OPT_SEED}, {"strict", no_argument, NULL, OPT_STRICT},
        {"quiet", no_argument, NULL, 'q'},           {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION}, {"previous", required_argument, NULL, OPT_PREVIOUS},
        {"excel", no_argument, NULL, OPT_EXCEL},     {"no-workbook", no_argument, NULL, OPT_NO_WORKBOOK},
        {"packs", no_argument, NULL, OPT_PACKS},
        {"force", no_argument, NULL, OPT_FORCE},     {"all-rejects", no_argument, NULL, OPT_ALL_REJECTS},
        {"inputs", required_argument, NULL, OPT_INPUTS}, {"progress", no_argument, NULL, OPT_PROGRESS},
        {"columns", no_argument, NULL, OPT_COLUMNS},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2)
        return usage_error("no command given", NULL);
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
        printf("%s%s", USAGE, HELP);
        return 0;
    }
    if (strcmp(command, "--version") == 0) {
        printf("engage %s\n", ENGAGE_VERSION);
        return 0;
    }
    if (strcmp(command, "run") == 0)
        opts->command = CMD_RUN;
    else if (strcmp(command, "ingest") == 0)
        opts->command = CMD_INGEST;
    else if (strcmp(command, "check") == 0)
        opts->command = CMD_CHECK;
    else if (strcmp(command, "rerun") == 0)
        opts->command = CMD_RERUN;
    else if (strcmp(command, "verify") == 0)
        opts->command = CMD_VERIFY;
    else if (strcmp(command, "init") == 0)
        opts->command = CMD_INIT;
    else
        return usage_error("unknown command: ", command);

    opterr = 0;
    optind = 0; /* a full restart: `engage rerun` parses a recorded command line too */
    int c;
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    while ((c = getopt_long(sub_argc, sub_argv, ":c:o:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'c': opts->config_path = optarg; break;
        case 'o': opts->output = optarg; break;
        case 'q': opts->quiet = true; break;
        case OPT_PROGRESS: opts->progress = true; break;
        case OPT_FORMAT: opts->format = optarg; break;
        case OPT_MIN_GROUP: opts->min_group = optarg; break;
        case OPT_SEED: opts->seed = optarg; break;
        case OPT_STRICT: opts->strict = true; break;
        case OPT_EXCEL: opts->excel = true; break;
        case OPT_NO_WORKBOOK: opts->no_workbook = true; break;
        case OPT_PACKS: opts->packs = true; break;
        case OPT_FORCE:
            if (opts->command != CMD_RUN && opts->command != CMD_RERUN && opts->command != CMD_INIT)
                return usage_error("--force is for engage run and init only", NULL);
            opts->force = true;
            break;
        case OPT_ALL_REJECTS:
            if (opts->command == CMD_INGEST)
                return usage_error("--all-rejects is for engage run and check: ingest lists no rows", NULL);
            opts->all_rejects = true;
            break;
        case OPT_INPUTS:
            if (opts->command != CMD_RERUN && opts->command != CMD_VERIFY)
                return usage_error("--inputs is for engage rerun and verify only", NULL);
            opts->inputs_dir = optarg;
            break;
        case OPT_COLUMNS:
            if (opts->command != CMD_CHECK)
                return usage_error("--columns is for engage check only", NULL);
            opts->columns = true;
            break;
        case OPT_PREVIOUS:
            if (opts->command != CMD_RUN)
                return usage_error("--previous is for engage run only", NULL);
            if (!opts->previous && !(opts->previous = calloc((size_t)argc, sizeof *opts->previous))) {
                fprintf(stderr, "engage: out of memory\n");
                return engage_exit_code(ENGAGE_ENOMEM);
            }
            opts->previous[opts->n_previous++] = optarg;
            break;
        case 'h': printf("%s%s", USAGE, HELP); return 0;
        case OPT_VERSION: printf("engage %s\n", ENGAGE_VERSION); return 0;
        case ':': return usage_error("option needs a value: ", sub_argv[optind - 1]);
        default: return usage_error("unknown option: ", sub_argv[optind - 1]);
        }
    }
    if ((opts->command == CMD_CHECK || opts->command == CMD_VERIFY) && opts->output)
        return usage_error(command, " writes nothing; -o is not allowed");
    opts->inputs = sub_argv + optind;
    opts->n_inputs = (size_t)(sub_argc - optind);
    if (opts->command == CMD_RERUN || opts->command == CMD_VERIFY) {
        if (opts->config_path || opts->format || opts->min_group || opts->seed || opts->strict || opts->previous ||
            opts->excel || opts->no_workbook || opts->packs || opts->force || opts->all_rejects)
            return usage_error(command, " repeats a recorded run: it takes no config or run options");
        if (opts->n_inputs != 1)
            return usage_error(command, opts->command == CMD_RERUN ? " takes one manifest.json (or its OUTDIR)"
                                                                    : " takes one OUTDIR (or its manifest.json)");
        return -1;
    }
    if (opts->n_inputs == 0 && opts->command != CMD_RUN)   /* run: unless the config has [waves] */
        return usage_error("no INPUT given", NULL);
    /* init and check --columns read exports without a config */
    if ((opts->command == CMD_INIT || opts->columns) &&
        (opts->config_path || opts->min_group || opts->seed || opts->strict || opts->previous || opts->excel ||
         opts->no_workbook || opts->packs || opts->all_rejects))
        return usage_error(opts->columns ? "check --columns" : command,
                           " reads the export without a config: only --format (and for init -o, --force)");
    return -1;
}

/* The config of opts, or with config_text, that text read as the file
 * opts->config_path (engage rerun). */
static engage_status_t load_config(const options_t *opts, const char *config_text, config_t *cfg,
                                   engage_error_t *err)
{
    engage_status_t st = config_init_default(cfg, err);
    if (st == ENGAGE_OK && opts->config_path && config_text)
        st = config_load_text(cfg, opts->config_path, config_text, err);
    else if (st == ENGAGE_OK && opts->config_path)
        st = config_load(cfg, opts->config_path, err);
    if (st == ENGAGE_OK && opts->format)
        st = config_override(cfg, "format", opts->format, err);
    if (st == ENGAGE_OK && opts->min_group)
        st = config_override(cfg, "min_group", opts->min_group, err);
    if (st == ENGAGE_OK && opts->seed)
        st = config_override(cfg, "seed", opts->seed, err);
    return st;
}

/* Notes on stderr about how files were read, unless --quiet: text that was
 * not UTF-8 and so was read as Windows-1252. */
static void note_encodings(const options_t *opts, const ingest_log_t *log)
{
    for (size_t i = 0; !opts->quiet && i < log->n_files; i++)
        if (strcmp(log->files[i].encoding, "windows-1252") == 0)
            engage_print_line(stderr,
                              "engage: %s: not UTF-8; read as Windows-1252 (set encoding in [input] to choose)",
                              log->files[i].path);
}

/* The roster's note on managers it does not list, unless --quiet. */
static void note_roster(const options_t *opts, const ingest_log_t *log)
{
    if (!opts->quiet && log->roster_note)
        engage_print_line(stderr, "engage: note: %s", log->roster_note);
}

/* Notes on stderr about rows left out, unless --quiet. */
static void note_rejects(const options_t *opts, const ingest_log_t *log,
                         const ingest_log_t *previous_log, const char *where)
{
    if (opts->quiet)
        return;
    size_t rejected = 0, excluded = 0;
    for (size_t i = 0; i < log->n_files; i++) {
        rejected += log->files[i].rejected;
        excluded += log->files[i].excluded;
    }
    for (size_t i = 0; previous_log && i < previous_log->n_files; i++) {
        rejected += previous_log->files[i].rejected;
        excluded += previous_log->files[i].excluded;
    }
    if (rejected || excluded)
        engage_print_line(stderr, "engage: %zu rows rejected, %zu excluded%s%s", rejected, excluded,
                          where ? "; see " : "", where ? where : "");
}

/* engage check's listing on stdout, a line at a time (engage_print_line). */
static void print_check(const config_t *cfg, const dataset_t *ds, const results_t *results,
                        const ingest_log_t *log)
{
    GString *line = g_string_new(NULL);
    for (size_t i = 0; i < log->n_files; i++) {
        const ingest_file_t *f = &log->files[i];
        char letters[16];
        engage_print_line(stdout, "%s: %s (%s), %s, delimiter '%s'%s%s%s, %zu header row%s, %llu bytes", f->path,
                          f->format, f->layout ? f->layout : "", f->encoding, f->delimiter, f->gzip ? ", gzip" : "",
                          f->member ? ", zip member " : "", f->member ? f->member : "", f->header_rows,
                          f->header_rows == 1 ? "" : "s", (unsigned long long)f->bytes);
        engage_print_line(stdout, "  respondent id: %s; manager: %s%s",
                          f->respondent_column ? f->respondent_column : "the row number",
                          cfg->roster.file ? "roster via " : "", f->manager_column ? f->manager_column : "");
        for (size_t s = 0; s < dataset_n_scales(ds); s++) {
            const dataset_scale_t *scale = dataset_scale(ds, s);
            g_string_printf(line, "  scale %s:", scale->name);
            for (size_t j = 0; j < scale->n_items && scale->items[j] < f->n_item_fields; j++) {
                ingest_column_letters(f->item_field[scale->items[j]], letters);
                g_string_append_printf(line, "%s column %s = %s", j ? "," : "", letters,
                                       dataset_column_name(ds, scale->items[j]));
            }
            engage_print_line(stdout, "%s", line->str);
        }
        engage_print_line(stdout, "  rows %zu: accepted %zu, rejected %zu, excluded %zu", f->rows, f->accepted,
                          f->rejected, f->excluded);
    }
    for (size_t s = 0; s < results->n_scales; s++) {
        const dataset_scale_t *scale = results->scales[s].scale;
        g_string_printf(line, "scale %s (%g..%g): items", scale->name, scale->min, scale->max);
        for (size_t i = 0; i < scale->n_items; i++)
            g_string_append_printf(line, "%s %s%s", i ? "," : "", dataset_column_name(ds, scale->items[i]),
                                   scale->reverse[i] ? " (reversed)" : "");
        engage_print_line(stdout, "%s", line->str);
        engage_print_line(stdout, "  scored %zu of %zu respondents, %zu managers with a scored respondent",
                          results->scales[s].variance.respondents, dataset_n_respondents(ds),
                          results->scales[s].variance.managers);
    }
    engage_print_line(stdout, "managers: %zu; smallest group shown: %ld", dataset_n_managers(ds), cfg->min_group);
    for (size_t i = 0; i < log->n_rejects; i++) {
        const ingest_reject_t *r = &log->rejects[i];
        engage_print_line(stdout, "%s %s:%ld: %s%s%s", r->excluded ? "excluded" : "rejected",
                          log->files[r->file].path, r->line, r->respondent_id, r->respondent_id[0] ? ": " : "",
                          r->reason);
    }
    for (int kind = 0; kind < INGEST_N_REASONS; kind++)
        if (log->unlisted[kind])
            engage_print_line(stdout, "%s: %zu more rows not listed: %s (--all-rejects lists them)",
                              ingest_reason_excluded((ingest_reason_t)kind) ? "excluded" : "rejected",
                              log->unlisted[kind], ingest_reason_name((ingest_reason_t)kind));
    g_string_free(line, TRUE);
}

/* report_input_t's answers_done: the dataset's answers are read no more. */
static void forget_answers(void *dataset)
{
    dataset_forget_answers(dataset);
}

/* The history of waves of a run: [waves] of the config, or --previous and
 * INPUT as two waves.  Wave n - 1 is the current one (ds, log of
 * run_pipeline), wave n - 2 the previous one; the others are owned here. */
typedef struct {
    size_t n;
    const char **labels;
    dataset_t **ds;
    results_t **results;
    ingest_log_t *logs;            /* [wave] for the waves owned here */
    const ingest_log_t **log_of;   /* [wave] every wave's log */
    const char **rosters;          /* [wave] its [rosters] file, NULL: read with [roster]'s */
    participation_t **participation; /* [wave] its invited and responded counts, owned */
} history_t;

static void history_fini(history_t *h)
{
    for (size_t w = 0; h->ds && w + 2 < h->n; w++) {
        results_free(h->results[w]);
        dataset_free(h->ds[w]);
        ingest_log_fini(&h->logs[w]);
    }
    for (size_t w = 0; h->participation && w < h->n; w++)
        participation_free(h->participation[w]);
    free(h->participation);
    free(h->rosters);
    free(h->labels);
    free(h->ds);
    free(h->results);
    free(h->logs);
    free(h->log_of);
    memset(h, 0, sizeof *h);
}

static engage_status_t history_init(history_t *h, size_t n, engage_error_t *err)
{
    h->n = n;
    h->labels = calloc(n, sizeof *h->labels);
    h->ds = calloc(n, sizeof *h->ds);
    h->results = calloc(n, sizeof *h->results);
    h->logs = calloc(n, sizeof *h->logs);
    h->log_of = calloc(n, sizeof *h->log_of);
    h->rosters = calloc(n, sizeof *h->rosters);
    h->participation = calloc(n, sizeof *h->participation);
    if (!h->labels || !h->ds || !h->results || !h->logs || !h->log_of || !h->rosters || !h->participation)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    for (size_t w = 0; w < n; w++)
        ingest_log_init(&h->logs[w]);
    return ENGAGE_OK;
}

/* [waves] against the command line: no INPUT or --previous beside it (64),
 * and every wave's file and [rosters] file readable (66, naming the config's
 * line). */
static engage_status_t check_waves(const options_t *opts, const config_t *cfg, engage_error_t *err)
{
    if (!cfg->n_waves) {
        if (opts->command == CMD_RUN && opts->n_inputs == 0)
            return engage_fail(err, ENGAGE_EUSAGE, NULL, 0, "no INPUT given (or name the waves in [waves] of "
                                                             "the config)");
        return ENGAGE_OK;
    }
    if (opts->command == CMD_RUN && (opts->n_inputs || opts->n_previous))
        return engage_fail(err, ENGAGE_EUSAGE, cfg->path, cfg->waves_line,
                           "[waves] names every wave of the run: give no %s on the command line",
                           opts->n_inputs ? "INPUT" : "--previous");
    for (size_t w = 0; opts->command == CMD_RUN && w < cfg->n_waves; w++)
        for (size_t i = 0; i < cfg->waves[w].n_files; i++) {
            const char *file = cfg->waves[w].files[i];
            if (strcmp(file, "-") == 0)
                return engage_fail(err, ENGAGE_EUSAGE, cfg->path, cfg->waves[w].line,
                                   "wave '%s': a wave is read from files, not standard input", cfg->waves[w].label);
            if (access(file, R_OK) != 0)
                return engage_fail(err, ENGAGE_ENOINPUT, cfg->path, cfg->waves[w].line,
                                   "wave '%s': cannot read %s", cfg->waves[w].label, file);
        }
    for (size_t i = 0; opts->command == CMD_RUN && i < cfg->n_rosters; i++)
        if (access(cfg->rosters[i].file, R_OK) != 0)
            return engage_fail(err, ENGAGE_ENOINPUT, cfg->path, cfg->rosters[i].line,
                               "wave '%s': cannot read roster %s", cfg->rosters[i].label, cfg->rosters[i].file);
    return ENGAGE_OK;
}

/* ingest_read of wave w of [waves] (SIZE_MAX: a run without [waves]), with
 * its [rosters] file in place of [roster]'s when it has one. */
static engage_status_t read_wave(config_t *cfg, size_t w, const char *const *files, size_t n_files,
                                 const ingest_options_t *options, dataset_t *ds, ingest_log_t *log,
                                 engage_error_t *err)
{
    const config_wave_roster_t *own = w < cfg->n_waves ? config_wave_roster(cfg, w) : NULL;
    char *roster = cfg->roster.file;
    if (own)
        cfg->roster.file = own->file;
    engage_status_t st = ingest_read(cfg, files, n_files, options, ds, log, err);
    cfg->roster.file = roster;
    return st;
}

/* run, ingest or check: read, analyse, write; returns the exit status.
 * argc/argv go into manifest.json; config_text (engage rerun) replaces the
 * config file's text. */
static int run_pipeline(const options_t *opts_in, int argc, char **argv, const char *config_text)
{
    options_t opts = *opts_in;
    engage_error_t err = {0};
    config_t cfg;
    dataset_t *ds = NULL;
    results_t *results = NULL;
    ingest_log_t log, previous_log;
    ingest_log_init(&log);
    ingest_log_init(&previous_log);
    dataset_t *previous_ds = NULL;
    results_t *previous_results = NULL;
    changes_t *changes = NULL;
    trend_t *trend = NULL;
    units_t *units = NULL;
    drivers_t *drivers = NULL;
    ingest_options_t ingest_options = {.strict = opts.strict,
                                       .rejects_listed = opts.all_rejects ? SIZE_MAX : 0,
                                       .forget_respondents = opts.command != CMD_INGEST};

    history_t history = {0};
    engage_status_t st = load_config(&opts, config_text, &cfg, &err);
    /* a rerun's [rosters] files found away from where the config names them */
    for (size_t i = 0; st == ENGAGE_OK && i < cfg.n_rosters; i++)
        for (size_t k = 0; k < opts.n_wave_rosters_from; k++) {
            if (strcmp(cfg.rosters[i].file, opts.wave_rosters_recorded[k]) != 0)
                continue;
            char *moved = strdup(opts.wave_rosters_from[k]);
            if (!moved) {
                st = engage_fail(&err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
                break;
            }
            free(cfg.rosters[i].file);
            cfg.rosters[i].file = moved;
            break;
        }
    if (st == ENGAGE_OK)
        st = check_waves(&opts, &cfg, &err);
    /* With [waves], the last wave is read as INPUT and the one before as
     * --previous would be; the earlier ones after them. */
    const config_wave_t *last_wave = opts.command == CMD_RUN && cfg.n_waves ? &cfg.waves[cfg.n_waves - 1] : NULL;
    if (last_wave) {
        opts.inputs = last_wave->files;
        opts.n_inputs = last_wave->n_files;
        opts.previous = cfg.n_waves > 1 ? (const char **)cfg.waves[cfg.n_waves - 2].files : NULL;
        opts.n_previous = cfg.n_waves > 1 ? cfg.waves[cfg.n_waves - 2].n_files : 0;
    }
    if (st == ENGAGE_OK && opts.roster_from && cfg.roster.file) {
        /* a rerun's roster found away from where the config names it */
        char *moved = strdup(opts.roster_from);
        if (!moved) {
            st = engage_fail(&err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        } else {
            free(cfg.roster.file);
            cfg.roster.file = moved;
        }
    }
    if (st == ENGAGE_OK) {
        ds = dataset_new();
        if (!ds)
            st = engage_fail(&err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    ingest_options.read_from = opts.inputs_from;
    /* the drivers' bootstrap keys its subsample by respondent id (drivers.c) */
    bool keep_ids = st == ENGAGE_OK && opts.command == CMD_RUN && cfg.drivers.n_outcomes && cfg.drivers.bootstrap;
    if (keep_ids)
        ingest_options.forget_respondents = false;
    if (st == ENGAGE_OK)
        st = read_wave(&cfg, last_wave ? cfg.n_waves - 1 : SIZE_MAX, (const char *const *)opts.inputs,
                       opts.n_inputs, &ingest_options, ds, &log, &err);
    ingest_options.forget_respondents = opts.command != CMD_INGEST;
    /* The previous wave: read after this one with the same config, so the
     * scales derived from this wave's header apply to it too. */
    if (st == ENGAGE_OK) {
        note_encodings(&opts, &log);
        note_roster(&opts, &log);
    }
    if (st == ENGAGE_OK && opts.n_previous > 0) {
        previous_ds = dataset_new();
        if (!previous_ds)
            st = engage_fail(&err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        ingest_options.read_from = opts.previous_from;
        if (previous_ds)
            st = read_wave(&cfg, last_wave ? cfg.n_waves - 2 : SIZE_MAX, opts.previous, opts.n_previous,
                           &ingest_options, previous_ds, &previous_log, &err);
        if (st == ENGAGE_OK)
            note_encodings(&opts, &previous_log);
    }
    /* The history: every wave, earliest first. */
    if (st == ENGAGE_OK && opts.command == CMD_RUN && previous_ds)
        st = history_init(&history, last_wave ? cfg.n_waves : 2, &err);
    for (size_t w = 0; st == ENGAGE_OK && w < history.n; w++) {
        history.labels[w] = last_wave ? cfg.waves[w].label : w == 0 ? "previous" : "current";
        const config_wave_roster_t *own = last_wave ? config_wave_roster(&cfg, w) : NULL;
        history.rosters[w] = own ? own->file : NULL;
        if (w + 1 == history.n) {
            history.ds[w] = ds;
            history.log_of[w] = &log;
        } else if (w + 2 == history.n) {
            history.ds[w] = previous_ds;
            history.log_of[w] = &previous_log;
        } else {
            const config_wave_t *wave = &cfg.waves[w];
            ingest_options.read_from = NULL;
            if (!(history.ds[w] = dataset_new()))
                st = engage_fail(&err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            else
                st = read_wave(&cfg, w, (const char *const *)wave->files, wave->n_files, &ingest_options,
                               history.ds[w], &history.logs[w], &err);
            history.log_of[w] = &history.logs[w];
            if (st == ENGAGE_OK)
                note_encodings(&opts, &history.logs[w]);
            if (st == ENGAGE_OK)
                st = analysis_run(history.ds[w], &history.results[w], &err);
        }
    }

    if (st == ENGAGE_OK && opts.command == CMD_INGEST) {
        /* -o a/b/x.csv: the missing folders are made, and removed again
         * when the file cannot be written. */
        progress_stage("writing %s", opts.output ? opts.output : "standard output");
        folders_made_t made = {0};
        if (opts.output)
            st = folders_make_parents(&made, opts.output, &err);
        if (st == ENGAGE_OK)
            st = ingest_write_canonical(ds, opts.output, &err);
        if (st != ENGAGE_OK)
            folders_remove_made(&made);
        folders_fini(&made);
        if (st == ENGAGE_OK)
            note_rejects(&opts, &log, NULL, NULL);
    } else if (st == ENGAGE_OK) {
        st = analysis_run(ds, &results, &err);
        if (st == ENGAGE_OK && opts.command == CMD_CHECK) {
            progress_end();   /* the listing may go to the same terminal */
            print_check(&cfg, ds, results, &log);
            if (fflush(stdout) != 0)
                st = engage_fail(&err, ENGAGE_EIO, NULL, 0, "cannot write to standard output");
        } else if (st == ENGAGE_OK) {
            if (previous_ds) {
                st = analysis_run(previous_ds, &previous_results, &err);
                progress_stage("comparing with the previous wave");
                if (st == ENGAGE_OK)
                    st = changes_run(previous_ds, previous_results, ds, results, &changes, &err);
            }
            if (st == ENGAGE_OK && history.n) {
                progress_stage("following the history of %zu waves", history.n);
                history.results[history.n - 2] = previous_results;
                history.results[history.n - 1] = results;
                st = trend_run(history.n, (const dataset_t *const *)history.ds,
                               (const results_t *const *)history.results, &trend, &err);
                /* each wave's invited and responded, with the units its trend rows have */
                for (size_t w = 0; st == ENGAGE_OK && w < history.n; w++)
                    st = participation_run(history.ds[w], trend->units[w], &history.participation[w], &err);
            }
            if (st == ENGAGE_OK && dataset_has_units(ds)) {
                progress_stage("analysing units");
                st = units_run(ds, results, &units, &err);
            }
            if (st == ENGAGE_OK && cfg.drivers.n_outcomes) {
                progress_stage("weighing the key drivers");
                st = drivers_run(ds, &cfg.drivers, cfg.seed, units, &drivers, &err);
            }
            const char *outdir = opts.output ? opts.output : "engage-out";
            report_input_t in = {.config = &cfg, .dataset = ds, .results = results, .log = &log,
                                 .changes = changes, .previous_log = previous_ds ? &previous_log : NULL,
                                 .argc = argc, .argv = argv, .version = ENGAGE_VERSION,
                                 .excel = opts.excel, .no_workbook = opts.no_workbook, .packs = opts.packs, .units = units, .drivers = drivers,
                                 .force = opts.force, .answers_done = forget_answers, .answers_done_arg = ds,
                                 .trend = trend, .n_waves = trend ? history.n : 0, .wave_labels = history.labels,
                                 .wave_logs = history.log_of,
                                 .wave_rosters = cfg.n_rosters ? history.rosters : NULL,
                                 .wave_participation = trend ? (const participation_t *const *)history.participation
                                                             : NULL};
            if (st == ENGAGE_OK)
                st = report_write(&in, outdir, &err);
            if (st == ENGAGE_OK) {
                char where[ENGAGE_ERROR_FILE + 16];
                snprintf(where, sizeof where, "%s/rejects.csv", outdir);
                note_rejects(&opts, &log, previous_ds ? &previous_log : NULL, where);
            }
        }
    }

    progress_end();
    int status = 0;
    if (st != ENGAGE_OK && log.n_unknowns)
        status = fail_with_unknowns(&err, &log);
    else if (st != ENGAGE_OK && previous_log.n_unknowns)
        status = fail_with_unknowns(&err, &previous_log);
    else if (st != ENGAGE_OK)
        status = fail_with(&err);
    changes_free(changes);
    trend_free(trend);
    if (history.n) {   /* the last two waves are freed below */
        history.results[history.n - 2] = history.results[history.n - 1] = NULL;
        history.ds[history.n - 2] = history.ds[history.n - 1] = NULL;
    }
    history_fini(&history);
    drivers_free(drivers);
    units_free(units);
    results_free(previous_results);
    results_free(results);
    dataset_free(previous_ds);
    dataset_free(ds);
    ingest_log_fini(&previous_log);
    ingest_log_fini(&log);
    config_fini(&cfg);
    return status;
}

/* engage init and engage check --columns: the exports' columns, as a
 * proposed config (to -o FILE or stdout) or a listing on stdout. */
static int inspect_command(const options_t *opts)
{
    engage_error_t err = {0};
    inspect_t *insp = NULL;
    engage_status_t st = ENGAGE_OK;
    if (opts->format && !config_format_known(opts->format))
        st = engage_fail(&err, ENGAGE_EUSAGE, NULL, 0, "unknown --format '%s' (expected " CONFIG_FORMATS ")",
                         opts->format);
    if (st == ENGAGE_OK)
        st = inspect_read((const char *const *)opts->inputs, opts->n_inputs, opts->format ? opts->format : "auto",
                          &insp, &err);
    if (st != ENGAGE_OK)
        return fail_with(&err);
    GString *text = g_string_new(NULL);
    if (opts->command == CMD_INIT)
        st = init_propose(insp, text, &err);
    else
        inspect_describe(insp, "", INIT_COMMENT_WIDTH, text);
    inspect_free(insp);
    if (st == ENGAGE_OK && opts->command == CMD_INIT && opts->output && strcmp(opts->output, "-") != 0) {
        folders_made_t made = {0};
        st = folders_make_parents(&made, opts->output, &err);
        if (st == ENGAGE_OK)
            st = init_write_file(opts->output, text->str, text->len, opts->force, &err);
        if (st != ENGAGE_OK)
            folders_remove_made(&made);
        folders_fini(&made);
    } else if (st == ENGAGE_OK) {
        /* line by line through the escaping every printed line gets */
        char *line = text->str;
        for (char *end; st == ENGAGE_OK && (end = strchr(line, '\n')); line = end + 1) {
            *end = '\0';
            if (engage_print_line(stdout, "%s", line) == EOF)
                st = engage_fail(&err, ENGAGE_EIO, NULL, 0, "cannot write to standard output");
        }
        if (st == ENGAGE_OK && fflush(stdout) != 0)
            st = engage_fail(&err, ENGAGE_EIO, NULL, 0, "cannot write to standard output");
    }
    g_string_free(text, TRUE);
    return st == ENGAGE_OK ? 0 : fail_with(&err);
}

/* ------------------------------------------------- archived runs */

static const char *state_word(verify_state_t state)
{
    return state == VERIFY_SAME ? "unchanged" : state == VERIFY_CHANGED ? "CHANGED" : "MISSING";
}

/* One error line per input that is not as recorded (and a hint saying
 * where missing ones were looked for); the exit status for them (65
 * changed, 66 missing), or 0 when every input is unchanged.  Without
 * with_config the config file is left out (a rerun reads the text archived
 * in the manifest, not the file). */
static int report_inputs(const verify_manifest_t *m, bool with_config, const char *search_dir)
{
    int status = 0;
    bool missing = false;
    for (size_t i = 0; i < m->n_inputs; i++) {
        const verify_file_t *f = &m->inputs[i];
        if (!with_config && strcmp(f->role, "config") == 0)
            continue;
        if (f->state == VERIFY_CHANGED) {
            engage_print_line(stderr, "engage: %s: %s changed since the run: sha256 %s expected, %s found%s%s",
                              f->path, f->role, f->expected, f->actual, f->found ? " in " : "",
                              f->found ? f->found : "");
            status = engage_exit_code(ENGAGE_EDATA);
        } else if (f->state == VERIFY_MISSING) {
            engage_print_line(stderr, "engage: %s: %s missing or unreadable: sha256 %s expected", f->path, f->role,
                              f->expected);
            missing = true;
            if (!status)
                status = engage_exit_code(ENGAGE_ENOINPUT);
        }
    }
    if (missing && search_dir)
        engage_print_line(stderr, "engage: hint: each input is looked for by its SHA-256 at its recorded path, "
                                  "by its name beside manifest.json, and by its name under %s", search_dir);
    else if (missing)
        engage_print_line(stderr, "engage: hint: each input is looked for by its SHA-256 at its recorded path "
                                  "and by its name beside manifest.json; --inputs DIR looks under DIR too");
    return status;
}

/* Outputs one line each on stdout; true when every one is identical. */
static bool report_outputs(const verify_manifest_t *m, const char *same_word)
{
    bool all_same = true;
    for (size_t i = 0; i < m->n_outputs; i++) {
        const verify_file_t *f = &m->outputs[i];
        if (f->state == VERIFY_SAME) {
            engage_print_line(stdout, "%-10s %s", same_word, f->path);
        } else if (f->state == VERIFY_CHANGED) {
            engage_print_line(stdout, "%-10s %s (sha256 %s expected, %s found)", "DIFFERS", f->path, f->expected,
                              f->actual);
            all_same = false;
        } else {
            engage_print_line(stdout, "%-10s %s", "MISSING", f->path);
            all_same = false;
        }
    }
    return all_same;
}

/* The manifest opts names; -1 when it was read, else the exit status
 * (its error printed). */
static int load_manifest(const options_t *opts, verify_manifest_t *m)
{
    engage_error_t err = {0};
    if (verify_load(opts->inputs[0], m, &err) == ENGAGE_OK) {
        if (m->directory_gone && !opts->quiet)
            engage_print_line(stderr, "engage: note: the run was made in %s, which is gone; its relative "
                                      "paths are read from the current folder", m->directory_gone);
        return -1;
    }
    verify_fini(m);
    return fail_with(&err);
}

/* engage verify OUTDIR: the outputs and the inputs they name, unchanged? */
static int verify_command(const options_t *opts)
{
    verify_manifest_t m;
    int status = load_manifest(opts, &m);
    if (status >= 0)
        return status;
    verify_outputs(&m, m.dir);
    verify_inputs(&m, opts->inputs_dir);
    progress_end();   /* the listing may go to the same terminal */
    bool outputs_same = report_outputs(&m, "unchanged");
    for (size_t i = 0; i < m.n_analyst_only; i++) {
        char *path = verify_join(m.dir, m.analyst_only[i]);
        bool present = path && access(path, R_OK) == 0;
        engage_print_line(stdout, "%-10s %s (the analyst's: no hash is recorded)",
                          present ? "present" : "MISSING", m.analyst_only[i]);
        free(path);
    }
    for (size_t i = 0; i < m.n_inputs; i++)
        engage_print_line(stdout, "%-10s %s (%s%s%s)", state_word(m.inputs[i].state), m.inputs[i].path,
                          m.inputs[i].role, m.inputs[i].found ? ", found as " : "",
                          m.inputs[i].found ? m.inputs[i].found : "");
    status = report_inputs(&m, true, opts->inputs_dir);
    if (status == 0 && !outputs_same) {
        engage_print_line(stderr, "engage: %s: outputs differ from the run's record", m.path);
        status = 1;
    }
    verify_fini(&m);
    return status;
}

/* path made absolute against the current folder (malloc'd; NULL when out
 * of memory). */
static char *absolute_path(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return strdup(path);   /* no current folder to name: as given */
    char *joined = verify_join(cwd, path);
    free(cwd);
    return joined;
}

/* A rerun's inputs found away from their recorded place (verify_inputs):
 * per INPUT and --previous file of the recorded command line, and for the
 * roster, the file found, as an absolute path (the rerun runs from the
 * folder the run was made in), or NULL when it is where it was recorded. */
typedef struct {
    char **inputs;
    char **previous;
    char *roster;
    char **wave_rosters_recorded;   /* [rosters] files found elsewhere: the recorded path */
    char **wave_rosters_from;       /* and where, made absolute */
    size_t n_wave_rosters;
} moved_t;

/* Where the manifest found the file recorded as path in role, made
 * absolute; NULL when it is at its recorded place.  Sets *nomem. */
static char *moved_to(const verify_manifest_t *m, const char *role, const char *path, bool quiet, bool *nomem)
{
    for (size_t i = 0; i < m->n_inputs; i++) {
        const verify_file_t *f = &m->inputs[i];
        if (strcmp(f->role, role) != 0 || strcmp(f->path, path) != 0 || !f->found)
            continue;
        char *absolute = absolute_path(f->found);
        *nomem = *nomem || !absolute;
        if (absolute && !quiet)
            engage_print_line(stderr, "engage: note: %s %s is read from %s, which has its recorded SHA-256", role,
                              path, absolute);
        return absolute;
    }
    return NULL;
}

/* False when out of memory. */
static bool find_moved(const verify_manifest_t *m, const options_t *recorded, bool quiet, moved_t *moved)
{
    bool nomem = false;
    moved->inputs = calloc(recorded->n_inputs + 1, sizeof *moved->inputs);
    moved->previous = calloc(recorded->n_previous + 1, sizeof *moved->previous);
    if (!moved->inputs || !moved->previous)
        return false;
    for (size_t i = 0; i < recorded->n_inputs; i++)
        moved->inputs[i] = moved_to(m, "input", recorded->inputs[i], quiet, &nomem);
    for (size_t i = 0; i < recorded->n_previous; i++)
        moved->previous[i] = moved_to(m, "previous", recorded->previous[i], quiet, &nomem);
    for (size_t i = 0; i < m->n_inputs && !moved->roster; i++)
        if (strcmp(m->inputs[i].role, "roster") == 0)
            moved->roster = moved_to(m, "roster", m->inputs[i].path, quiet, &nomem);
    moved->wave_rosters_recorded = calloc(m->n_inputs + 1, sizeof *moved->wave_rosters_recorded);
    moved->wave_rosters_from = calloc(m->n_inputs + 1, sizeof *moved->wave_rosters_from);
    if (!moved->wave_rosters_recorded || !moved->wave_rosters_from)
        return false;
    for (size_t i = 0; i < m->n_inputs; i++) {
        if (strcmp(m->inputs[i].role, "wave roster") != 0 || !m->inputs[i].found)
            continue;
        char *from = moved_to(m, "wave roster", m->inputs[i].path, quiet, &nomem);
        if (!from)
            continue;
        moved->wave_rosters_from[moved->n_wave_rosters] = from;
        moved->wave_rosters_recorded[moved->n_wave_rosters++] = m->inputs[i].path;   /* m's own */
    }
    return !nomem;
}

static void moved_fini(moved_t *moved, const options_t *recorded)
{
    for (size_t i = 0; moved->inputs && i < recorded->n_inputs; i++)
        free(moved->inputs[i]);
    for (size_t i = 0; moved->previous && i < recorded->n_previous; i++)
        free(moved->previous[i]);
    free(moved->inputs);
    free(moved->previous);
    free(moved->roster);
    for (size_t i = 0; i < moved->n_wave_rosters; i++)
        free(moved->wave_rosters_from[i]);
    free(moved->wave_rosters_from);
    free(moved->wave_rosters_recorded);
}

/* engage rerun MANIFEST -o DIR: the recorded run again, from the inputs it
 * names (checked first, and found by their hashes where they were moved)
 * and the config text it archived, then each output compared with the
 * recorded one. */
static int rerun_command(const options_t *opts)
{
    verify_manifest_t m;
    int status = load_manifest(opts, &m);
    if (status >= 0)
        return status;
    status = 0;
    engage_error_t err = {0};
    if (m.n_arguments < 3 || strcmp(m.arguments[1], "run") != 0) {
        engage_fail(&err, ENGAGE_EDATA, m.path, 0, "the manifest does not record an `engage run`");
        status = fail_with(&err);
    }
    if (status == 0 && strcmp(m.version, ENGAGE_VERSION) != 0 && !opts->quiet)
        engage_print_line(stderr, "engage: note: the run was made with engage %s, this is %s: outputs may differ",
                          m.version, ENGAGE_VERSION);
    if (status == 0) {
        verify_inputs(&m, opts->inputs_dir);
        status = report_inputs(&m, false, opts->inputs_dir);
    }
    options_t recorded = {0};
    if (status == 0) {
        int parsed = parse_arguments((int)m.n_arguments, m.arguments, &recorded);
        if (parsed >= 0) {
            engage_print_line(stderr, "engage: %s: the recorded command line cannot be read again", m.path);
            status = parsed ? parsed : engage_exit_code(ENGAGE_EDATA);
        }
    }
    /* DIR as given here; the recorded command line runs from the folder the
     * run was made in, so that its relative paths read the same files. */
    char *outdir = absolute_path(opts->output ? opts->output : "engage-rerun");
    char *archived = absolute_path(m.dir);   /* the run's own OUTDIR, before any chdir */
    moved_t moved = {0};
    if (!outdir || !archived || (status == 0 && !find_moved(&m, &recorded, opts->quiet, &moved))) {
        fprintf(stderr, "engage: out of memory\n");
        status = engage_exit_code(ENGAGE_ENOMEM);
    }
    if (status == 0 && m.directory && chdir(m.directory) != 0) {
        engage_fail(&err, ENGAGE_ENOINPUT, m.directory, 0, "cannot enter the folder the run was made in");
        status = fail_with(&err);
    }
    if (status == 0) {
        recorded.output = outdir;
        recorded.quiet = recorded.quiet || opts->quiet;
        recorded.force = false;   /* the recorded run's OUTDIR was another folder */
        recorded.inputs_from = (const char *const *)moved.inputs;
        recorded.previous_from = (const char *const *)moved.previous;
        recorded.roster_from = moved.roster;
        recorded.wave_rosters_recorded = (const char *const *)moved.wave_rosters_recorded;
        recorded.wave_rosters_from = (const char *const *)moved.wave_rosters_from;
        recorded.n_wave_rosters_from = moved.n_wave_rosters;
        status = run_pipeline(&recorded, (int)m.n_arguments, m.arguments, m.config_text);
    }
    if (status == 0) {
        verify_outputs(&m, outdir);
        bool same = report_outputs(&m, "identical");
        /* the analyst's files have no recorded hash: the archived copy decides */
        for (size_t i = 0; i < m.n_analyst_only; i++) {
            char *now = verify_join(outdir, m.analyst_only[i]), *then = verify_join(archived, m.analyst_only[i]);
            verify_state_t state = now && then ? verify_same_bytes(now, then) : VERIFY_MISSING;
            engage_print_line(stdout, "%-10s %s (against %s)",
                              state == VERIFY_SAME ? "identical" : state == VERIFY_CHANGED ? "DIFFERS" : "MISSING",
                              m.analyst_only[i], then ? then : m.analyst_only[i]);
            same = same && state == VERIFY_SAME;
            free(now);
            free(then);
        }
        if (!same) {
            engage_print_line(stderr, "engage: %s: the rerun's outputs differ from the recorded ones", outdir);
            status = 1;
        }
    }
    free(outdir);
    free(archived);
    moved_fini(&moved, &recorded);
    free(recorded.previous);
    verify_fini(&m);
    return status;
}

/* ------------------------------------------------- signals */

static sigset_t stop_signals;
static int signal_stderr = -1;   /* stderr as it was, for the last line */

/* The thread that takes SIGINT, SIGTERM and SIGHUP (blocked in every other
 * thread): it removes the run's temporary folder, says so, and ends the
 * process by the same signal, as the shell expects (exit status 130, 143,
 * 129).  Being an ordinary thread, it may remove files as any code does. */
static void *stop_on_signal(void *unused)
{
    (void)unused;
    int sig;
    if (sigwait(&stop_signals, &sig) != 0)
        return NULL;
    progress_stop_for_signal();
    bool removed = outdir_remove_on_signal();
    char line[160];
    int n = snprintf(line, sizeof line, "engage: stopped by %s%s\n",
                     sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP",
                     removed ? "; the output folder is left as it was" : "");
    if (signal_stderr >= 0 && n > 0 && write(signal_stderr, line, (size_t)n) < 0)
        n = 0;
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig);
}

/* Before any other thread starts.  A signal that was ignored when engage
 * started (nohup, a background job) stays ignored. */
static void catch_stop_signals(void)
{
    static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    sigemptyset(&stop_signals);
    bool any = false;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old;
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN) {
            sigaddset(&stop_signals, signals[i]);
            any = true;
        }
    }
    if (!any)
        return;
    signal_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (pthread_sigmask(SIG_BLOCK, &stop_signals, NULL) != 0)
        return;
    pthread_attr_t attr;
    pthread_t thread;
    bool started = pthread_attr_init(&attr) == 0 &&
                   pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                   pthread_create(&thread, &attr, stop_on_signal, NULL) == 0;
    pthread_attr_destroy(&attr);
    if (!started)
        pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL);
}

/* Progress on stderr: on a terminal once a run takes a second, anywhere
 * with --progress, never with -q.  After catch_stop_signals, so that the
 * reporter's thread leaves the signals to their own thread. */
static void start_progress(const options_t *opts)
{
    if (opts->quiet)
        return;
    bool terminal = isatty(STDERR_FILENO) == 1;
    if (opts->progress)
        progress_start(terminal ? PROGRESS_TERMINAL : PROGRESS_LINES, stderr, false);
    else if (terminal)
        progress_start(PROGRESS_TERMINAL, stderr, true);
}

int main(int argc, char **argv)
{
    hugepages_request(argv);
    heap_configure();
    options_t opts = {0};
    int status = parse_arguments(argc, argv, &opts);
    if (status < 0) {
        gsl_set_error_handler_off();
        if (opts.command == CMD_RUN || opts.command == CMD_RERUN)
            catch_stop_signals();
        start_progress(&opts);
        if (opts.command == CMD_VERIFY)
            status = verify_command(&opts);
        else if (opts.command == CMD_RERUN)
            status = rerun_command(&opts);
        else if (opts.command == CMD_INIT || opts.columns)
            status = inspect_command(&opts);
        else
            status = run_pipeline(&opts, argc, argv, NULL);
        progress_end();
    }
    free(opts.previous);
    return status;
}
