/*
 * core/config.h — the run's settings: the INI file of README.md read with
 * inih, the defaults used without -c, and command-line overrides.
 *
 * config_t owns every string in it; config_fini() frees them.  Item names of
 * a scale are only checked against the input header later, by ingest, which
 * reports a missing column at the config line stored in items_line.
 */
#ifndef ENGAGE_CONFIG_H
#define ENGAGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct {
    char *text;            /* answer text as written in the config */
    double value;
} config_label_t;

typedef struct {
    char *name;            /* "" for the default [labels] section */
    config_label_t *labels;
    size_t n_labels;
    long line;             /* line of the section header */
} config_label_set_t;

typedef struct {
    char *name;
    char **items;          /* column names, in config order */
    size_t n_items;
    bool *reverse;         /* per item */
    char *labels;          /* named label set, NULL for [labels] */
    double min, max;
    double min_answered;   /* share of items that must be answered */
    double favourable;     /* answers >= this are favourable */
    bool favourable_set;
    double unfavourable;   /* answers <= this are unfavourable (default min + 1) */
    bool unfavourable_set;
    long line;             /* line of the [scale NAME] header */
    long items_line;       /* line of `items =` (0 when derived from the header) */
    long reverse_line;
    char **short_names;    /* `short_names =`: the items' names in report.txt and report.html,
                              one per item in items order; NULL: derived from the names
                              (report/item_labels.c) */
    size_t n_short_names;
    long short_names_line;
    bool nps;              /* `kind = nps`: one 0..10 item read as a Net Promoter question
                              (promoters 9-10, detractors 0-6; README.md, enps.csv) */
    long kind_line;
} config_scale_t;

/* [roster]: an HRIS export joined to the survey through `key`. */
typedef struct {
    char *file;            /* NULL without a [roster] section; a relative
                              path is resolved against the config's folder */
    char *key;             /* survey column holding the employee id */
    char *employee;        /* roster columns */
    char *manager;
    char *unit;            /* NULL: no units */
    char *name;            /* NULL: no display names */
    char *invited;         /* NULL: every employee is invited */
    long line;             /* line of the [roster] header */
    long file_line, key_line;
} config_roster_t;

/* One line of [waves]: LABEL = FILE, FILE...; the files resolved against
 * the config's folder as the roster is. */
typedef struct {
    char *label;
    char **files;
    size_t n_files;
    long line;             /* the config line naming the wave */
} config_wave_t;

/* One line of [rosters]: LABEL = FILE, the roster export of wave LABEL of
 * [waves], read with [roster]'s columns in place of its file, so that the
 * wave has its own managers, units, tree and invited people. */
typedef struct {
    char *label;
    char *file;            /* resolved against the config's folder as [roster] file is */
    long line;
} config_wave_roster_t;
/* [drivers]: which items drive an outcome scale (analysis/drivers.h). */
typedef struct {
    char **outcomes;       /* scale names; none: no drivers.csv */
    size_t n_outcomes;
    char **items;          /* item columns or scale names (a scale's score); none: every
                              item of every scale but the outcome */
    size_t n_items;
    unsigned long bootstrap; /* B, resamples of the 95% interval (default 200; 0: none) */
    long line;             /* line of the [drivers] header */
    long outcome_line, items_line;
} config_drivers_t;

/* The input formats of README.md, in the order of its list. */
#define CONFIG_FORMATS "auto, canonical, qualtrics, surveymonkey, googleforms, msforms or limesurvey"

typedef struct {
    char *path;            /* NULL without -c */
    char *text;            /* the config file's text as read, NULL without -c */
    /* [input] */
    char *format;          /* "auto" */
    char *respondent;      /* column name; NULL = format default */
    char *manager;         /* column name; NULL = format default */
    char *delimiter;       /* "auto" */
    char *encoding;        /* "auto" */
    char **missing;        /* answers that count as not answered */
    size_t n_missing;
    /* [labels] and [labels NAME] */
    config_label_set_t *label_sets;
    size_t n_label_sets;
    /* [scale NAME], in config order; empty until ingest derives the default
     * scale from the header when no scale is configured */
    config_scale_t *scales;
    size_t n_scales;
    config_roster_t roster;
    /* [waves], in config order (chronological; the last is the current
     * wave); n_waves 0 without the section. */
    config_wave_t *waves;
    size_t n_waves;
    long waves_line;       /* line of the [waves] header */
    /* [rosters], in config order; n_rosters 0 without the section.  Each
     * label is one of [waves] (config_wave_roster). */
    config_wave_roster_t *rosters;
    size_t n_rosters;
    long rosters_line;     /* line of the [rosters] header */
    config_drivers_t drivers;
    /* [report] */
    long min_group;
    long unit_depth;       /* 0: units from [roster] unit; D: each manager's ancestor at depth D */
    unsigned long seed;
} config_t;

/* Every key the parser takes: section kind ("input", "scale" for every
 * [scale NAME], "roster", "drivers", "report") and an example value that reads.  [labels]
 * and [labels NAME] take any answer text as a key.  Ends with {NULL}. */
typedef struct {
    const char *section;
    const char *key;
    const char *example;
} config_key_t;
extern const config_key_t CONFIG_KEYS[];

/* Defaults of README.md: canonical input, one scale `engagement` on 1..5
 * whose items are every non-id column (filled in by ingest). */
engage_status_t config_init_default(config_t *cfg, engage_error_t *err);

/* Read an INI file over the defaults.  Unknown sections or keys, bad numbers,
 * min >= max, min_group < 3 and similar give ENGAGE_ECONFIG naming the line;
 * an unreadable file gives ENGAGE_ENOINPUT. */
engage_status_t config_load(config_t *cfg, const char *path, engage_error_t *err);

/* Read config text as if it were the file `path` (whose folder a relative
 * roster path is resolved against): how `engage rerun` reads the config
 * text archived in manifest.json. */
engage_status_t config_load_text(config_t *cfg, const char *path, const char *text, engage_error_t *err);

/* Command-line overrides (value as typed), e.g. key "min_group", "seed",
 * "format".  Bad values give ENGAGE_EUSAGE. */
engage_status_t config_override(config_t *cfg, const char *key, const char *value,
                                engage_error_t *err);

/* Checks that need the whole file: label sets named by scales exist, an
 * item is not given two different label sets, ... */
engage_status_t config_validate(const config_t *cfg, engage_error_t *err);

void config_fini(config_t *cfg);

/* Whether `format` names one of CONFIG_FORMATS (ignoring case). */
bool config_format_known(const char *format);

/* Whether an answer text (without surrounding spaces) can be written as a
 * key of [labels]: not when it holds '=' or ':' (they end an INI key), a
 * ';' after a space (a comment) or a line break. */
bool config_label_writable(const char *text);

/* A writable text as a [labels] key that reads back as that text: as it is,
 * or in double quotes (each quote inside doubled) when it starts with ';',
 * '#', '[' or '"'.  malloc'd; NULL when out of memory. */
char *config_label_key(const char *text);

/* The label set a scale uses (never NULL after config_validate). */
const config_label_set_t *config_scale_labels(const config_t *cfg, const config_scale_t *scale);

/* The [rosters] entry of wave w of [waves], or NULL when the wave is read
 * with [roster]'s file. */
const config_wave_roster_t *config_wave_roster(const config_t *cfg, size_t w);

/* Whether a driver name (a scale or an item column) is set aside for this
 * outcome: the outcome scale itself or one of its own items. */
bool config_drivers_excluded(const config_scale_t *outcome, const char *name);

/* Add a scale named `name` with the given items on min..max and defaults for
 * the rest (used for the default `engagement` scale). */
engage_status_t config_add_scale(config_t *cfg, const char *name, const char *const *items,
                                 size_t n_items, double min, double max, engage_error_t *err);

#endif
