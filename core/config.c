/*
 * core/config.c — the INI config of README.md, read with inih.
 *
 * inih does not pass line numbers to its handler, so the file is fed to
 * ini_parse_stream() through a reader that counts the lines it hands over;
 * the handler then knows the physical line of every key.  A value that
 * continues on indented lines (inih's multi-line values) arrives as several
 * calls for the same key: list keys (items, reverse, missing, short_names) all read their
 * lists through read_list().  Lists are split with libcsv, so
 * "Q3, with a comma" keeps its comma.
 *
 * Lines of any length.  The packaged inih reads a line into a 200-byte
 * buffer and keeps section names and the key a continuation line belongs to
 * in 50-byte ones.  A line that would not fit them (a list of long question
 * texts, a long answer text in [labels], a long scale name) is handed to
 * inih with its parts replaced by one-byte stand-ins (CARRIED_*); the text
 * they stand for is kept here and put back before the handler reads the
 * key.  inih still decides what every line is; carry_line() splits only the
 * lines it carries, the way inih splits a line.
 *
 * Owns every string of the config_t it fills.
 */
#include "config.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* inih's buffers in the packaged build: a line (INI_MAX_LINE) and the
 * section and key names it keeps (MAX_SECTION, MAX_NAME), each with its NUL. */
enum { INIH_LINE = 200, INIH_NAME = 50 };

/* The largest config read: room for lists of thousands of long question texts. */
enum { CONFIG_MAX_BYTES = 16 << 20 };

/* Stand-ins for the parts of a carried line: its key, its value, the whole
 * text of a continuation line, its section name.  A stand-in is read as one
 * only where inih took it from a carried line (see carried()), so a config
 * may hold these bytes as text too. */
#define CARRIED_KEY "\x01"
#define CARRIED_VALUE "\x02"
#define CARRIED_CONTINUATION "\x03"
#define CARRIED_SECTION "\x04"

static const char *const DEFAULT_MISSING[] = {"N/A", "Prefer not to say", "Don't know", "-99"};

const config_key_t CONFIG_KEYS[] = {
    {"input", "format", "qualtrics"},
    {"input", "respondent", "ResponseId"},
    {"input", "manager", "Manager"},
    {"input", "delimiter", "comma"},
    {"input", "encoding", "utf-8"},
    {"input", "missing", "N/A, -99"},
    {"scale", "items", "Q1, Q2, \"Q3, with a comma\""},
    {"scale", "reverse", "Q2"},
    {"scale", "labels", "frequency"},
    {"scale", "min", "1"},
    {"scale", "max", "5"},
    {"scale", "min_answered", "0.5"},
    {"scale", "favourable", "4"},
    {"scale", "unfavourable", "2"},
    {"scale", "short_names", "Proud, Recommend, \"Recognised, by my manager\""},
    {"scale", "kind", "score"},
    {"roster", "file", "roster.csv"},
    {"roster", "key", "ExternalReference"},
    {"roster", "employee", "employee_id"},
    {"roster", "manager", "manager_id"},
    {"roster", "unit", "department"},
    {"roster", "name", "display_name"},
    {"roster", "invited", "invited"},
    {"drivers", "outcome", "engagement"},
    {"drivers", "items", "Q1, Q2, wellbeing"},
    {"drivers", "bootstrap", "200"},
    {"report", "min_group", "5"},
    {"report", "seed", "1"},
    {"report", "unit_depth", "2"},
    {NULL, NULL, NULL},
};

/* Whether [kind] (input, scale, roster, report) takes `key`; if not, the
 * error names the keys it does take. */
static bool known_key(const char *kind, const char *key, char *expected, size_t size)
{
    size_t used = 0;
    const char *last = NULL;
    expected[0] = '\0';
    for (const config_key_t *k = CONFIG_KEYS; k->section; k++) {
        if (strcmp(k->section, kind) != 0)
            continue;
        if (strcmp(k->key, key) == 0)
            return true;
        if (last && used < size)
            used += (size_t)snprintf(expected + used, size - used, "%s%s", used ? ", " : "", last);
        last = k->key;
    }
    if (last && used < size)
        snprintf(expected + used, size - used, "%s%s", used ? " or " : "", last);
    return false;
}

/* ---------------------------------------------------------------- lists */

typedef struct {
    char **items;
    size_t n;
    bool failed;
} list_t;

static void list_field(void *data, size_t len, void *user)
{
    list_t *list = user;
    if (list->failed)
        return;
    char **grown = realloc(list->items, (list->n + 1) * sizeof *grown);
    char *copy = malloc(len + 1);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            list->items = grown;
        list->failed = true;
        return;
    }
    memcpy(copy, data ? data : "", len);
    copy[len] = '\0';
    list->items = grown;
    list->items[list->n++] = copy;
}

static void free_strings(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

/* Split "a, b, \"c, d\"" into its items; false on bad quoting or memory. */
static bool split_list(const char *value, char ***items, size_t *n)
{
    struct csv_parser parser;
    list_t list = {0};
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
        return false;
    size_t len = strlen(value);
    bool ok = csv_parse(&parser, value, len, list_field, NULL, &list) == len &&
              csv_fini(&parser, list_field, NULL, &list) == 0 && !list.failed;
    csv_free(&parser);
    if (!ok) {
        free_strings(list.items, list.n);
        return false;
    }
    *items = list.items;
    *n = list.n;
    return true;
}

static bool append_strings(char ***dst, size_t *n_dst, char **src, size_t n_src)
{
    char **grown = realloc(*dst, (*n_dst + n_src + 1) * sizeof *grown);
    if (!grown)
        return false;
    if (n_src)
        memcpy(grown + *n_dst, src, n_src * sizeof *src);
    *dst = grown;
    *n_dst += n_src;
    return true;
}

/* --------------------------------------------------------------- numbers */

static bool parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == text || *end || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_unsigned(const char *text, unsigned long *out)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*text))
        return false;
    unsigned long v = strtoul(text, &end, 10);
    if (*end || errno == ERANGE)
        return false;
    *out = v;
    return true;
}

/* ----------------------------------------------------------------- setup */

static char *xstrdup_or(const char *s, bool *failed)
{
    char *copy = strdup(s);
    if (!copy)
        *failed = true;
    return copy;
}

engage_status_t config_init_default(config_t *cfg, engage_error_t *err)
{
    memset(cfg, 0, sizeof *cfg);
    bool failed = false;
    cfg->format = xstrdup_or("auto", &failed);
    cfg->delimiter = xstrdup_or("auto", &failed);
    cfg->encoding = xstrdup_or("auto", &failed);
    size_t n_missing = sizeof DEFAULT_MISSING / sizeof *DEFAULT_MISSING;
    cfg->missing = calloc(n_missing, sizeof *cfg->missing);
    if (!cfg->missing)
        failed = true;
    else
        for (size_t i = 0; i < n_missing; i++)
            cfg->missing[cfg->n_missing++] = xstrdup_or(DEFAULT_MISSING[i], &failed);
    cfg->label_sets = calloc(1, sizeof *cfg->label_sets);
    if (cfg->label_sets) {
        cfg->label_sets[0].name = xstrdup_or("", &failed);
        cfg->n_label_sets = 1;
    } else {
        failed = true;
    }
    cfg->min_group = 5;
    cfg->seed = 1;
    cfg->drivers.bootstrap = 200;
    if (failed) {
        config_fini(cfg);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    return ENGAGE_OK;
}

void config_fini(config_t *cfg)
{
    free(cfg->path);
    free(cfg->text);
    free(cfg->format);
    free(cfg->respondent);
    free(cfg->manager);
    free(cfg->delimiter);
    free(cfg->encoding);
    free(cfg->roster.file);
    free(cfg->roster.key);
    free(cfg->roster.employee);
    free(cfg->roster.manager);
    free(cfg->roster.unit);
    free(cfg->roster.name);
    free(cfg->roster.invited);
    free_strings(cfg->missing, cfg->n_missing);
    for (size_t i = 0; i < cfg->n_waves; i++) {
        free(cfg->waves[i].label);
        free_strings(cfg->waves[i].files, cfg->waves[i].n_files);
    }
    free(cfg->waves);
    for (size_t i = 0; i < cfg->n_rosters; i++) {
        free(cfg->rosters[i].label);
        free(cfg->rosters[i].file);
    }
    free(cfg->rosters);
    free_strings(cfg->drivers.outcomes, cfg->drivers.n_outcomes);
    free_strings(cfg->drivers.items, cfg->drivers.n_items);
    for (size_t i = 0; i < cfg->n_label_sets; i++) {
        for (size_t j = 0; j < cfg->label_sets[i].n_labels; j++)
            free(cfg->label_sets[i].labels[j].text);
        free(cfg->label_sets[i].labels);
        free(cfg->label_sets[i].name);
    }
    free(cfg->label_sets);
    for (size_t i = 0; i < cfg->n_scales; i++) {
        free(cfg->scales[i].name);
        free_strings(cfg->scales[i].items, cfg->scales[i].n_items);
        free(cfg->scales[i].reverse);
        free(cfg->scales[i].labels);
        free_strings(cfg->scales[i].short_names, cfg->scales[i].n_short_names);
    }
    free(cfg->scales);
    memset(cfg, 0, sizeof *cfg);
}

/* The bottom two options (min + 1) when they lie below favourable; on a
 * scale too short for that, the bottom one; below min (nothing) when
 * favourable is min itself. */
static double default_unfavourable(const config_scale_t *s)
{
    if (s->min + 1 < s->favourable)
        return s->min + 1;
    return s->min < s->favourable ? s->min : s->favourable - 1;
}

static config_scale_t *new_scale(config_t *cfg, const char *name)
{
    config_scale_t *grown = realloc(cfg->scales, (cfg->n_scales + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    cfg->scales = grown;
    config_scale_t *s = &cfg->scales[cfg->n_scales];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    if (!s->name)
        return NULL;
    s->min = 1;
    s->max = 5;
    s->min_answered = 0.5;
    cfg->n_scales++;
    return s;
}

static config_label_set_t *find_label_set(const config_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_label_sets; i++)
        if (strcmp(cfg->label_sets[i].name, name) == 0)
            return &cfg->label_sets[i];
    return NULL;
}

engage_status_t config_add_scale(config_t *cfg, const char *name, const char *const *items,
                                 size_t n_items, double min, double max, engage_error_t *err)
{
    config_scale_t *s = new_scale(cfg, name);
    if (!s)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    s->min = min;
    s->max = max;
    s->items = calloc(n_items + 1, sizeof *s->items);
    s->reverse = calloc(n_items + 1, sizeof *s->reverse);
    if (!s->items || !s->reverse)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < n_items; i++) {
        s->items[i] = strdup(items[i]);
        if (!s->items[i])
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        s->n_items++;
    }
    if (!s->favourable_set)
        s->favourable = max - 1;
    if (!s->unfavourable_set)
        s->unfavourable = default_unfavourable(s);
    return ENGAGE_OK;
}

/* ---------------------------------------------------------------- parsing */

typedef struct {
    config_t *cfg;
    const char *path;
    FILE *file;
    long line;                 /* physical line last handed to inih */
    long section_line;         /* line of the last [section] header */
    long started_line;         /* section_line of the section being read */
    char *buffer;
    size_t buffer_size;
    engage_error_t *err;
    engage_status_t status;
    /* the text behind the stand-ins (see carry_line) */
    long carried_line;         /* the line carried_value/_continuation belong to */
    char *carried_key, *carried_value, *carried_continuation, *carried_section;
    bool key_carried;          /* inih's key for continuation lines is carried_key */
    bool section_carried;      /* inih's section is carried_section */
    /* where the handler is */
    char *section;
    char *last_key;
    long last_key_line;
    config_scale_t *scale;     /* current [scale NAME] */
    long scale_index;
    config_label_set_t *labels;/* current [labels] / [labels NAME] */
    bool in_waves;             /* current section is [waves] */
    bool in_rosters;           /* current section is [rosters] */
    /* per-scale bookkeeping for checks at the end */
    long *min_line, *max_line, *favourable_line, *unfavourable_line, *min_answered_line, *labels_line;
} reader_t;

static char *skip_space(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

static void strip_space_end(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

/* The first of `chars` in s, or the start of an inline comment (a ';' after
 * white space), or the end: where inih ends a name or a value. */
static char *find_chars_or_comment(char *s, const char *chars)
{
    bool after_space = false;
    for (; *s; s++) {
        if ((chars && strchr(chars, *s)) || (after_space && *s == ';'))
            break;
        after_space = isspace((unsigned char)*s);
    }
    return s;
}

static bool keep_copy(char **slot, const char *text)
{
    char *copy = strdup(text);
    if (!copy)
        return false;
    free(*slot);
    *slot = copy;
    return true;
}

/* Whether inih could not carry `line` (len bytes, its newline included)
 * whole: too long for its buffer, or a section or key name it would cut. */
static bool needs_carrying(const char *line, size_t len)
{
    if (len >= INIH_LINE)
        return true;
    if (isspace((unsigned char)line[0]))
        return false;
    if (line[0] == '[') {
        const char *end = strchr(line, ']');
        return end && end - line - 1 >= INIH_NAME - 1;
    }
    return strcspn(line, "=:") >= INIH_NAME - 1;
}

/* Rewrite the physical line in r->buffer into str (num bytes) with its
 * parts as stand-ins, keeping their text.  A carried line that starts with
 * white space continues the key above it (as an indented line does in inih
 * once a key has been read); any other carried line is a [section] header, a
 * key = value line, a comment or a line inih refuses. */
static bool carry_line(reader_t *r, char *str, int num)
{
    char *text = r->buffer;
    if (r->line == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    strip_space_end(text);
    char *start = skip_space(text);
    const char *handed;
    bool kept = true;
    r->carried_line = r->line;
    if (!*start || *start == ';' || *start == '#') {
        handed = "";
    } else if (start > text) {
        kept = keep_copy(&r->carried_continuation, start);
        handed = " " CARRIED_CONTINUATION;
    } else if (*start == '[') {
        char *end = find_chars_or_comment(start + 1, "]");
        if (*end == ']') {
            *end = '\0';
            kept = keep_copy(&r->carried_section, start + 1);
            r->section_carried = true;
            handed = "[" CARRIED_SECTION "]";
        } else {
            handed = "["; /* inih's error: no closing ] */
        }
    } else {
        char *end = find_chars_or_comment(start, "=:");
        if (*end == '=' || *end == ':') {
            *end = '\0';
            strip_space_end(start);
            char *value = end + 1;
            *find_chars_or_comment(value, NULL) = '\0';
            value = skip_space(value);
            strip_space_end(value);
            kept = keep_copy(&r->carried_key, start) && keep_copy(&r->carried_value, value);
            r->key_carried = true;
            handed = CARRIED_KEY "=" CARRIED_VALUE;
        } else {
            handed = "?"; /* inih's error: neither a key nor a section */
        }
    }
    snprintf(str, (size_t)num, "%s\n", handed);
    return kept;
}

/* inih's reader: like fgets, counting lines; lines inih could not carry
 * whole go through carry_line(). */
static char *read_line(char *str, int num, void *stream)
{
    reader_t *r = stream;
    ssize_t len = getline(&r->buffer, &r->buffer_size, r->file);
    if (len < 0)
        return NULL;
    r->line++;
    const char *p = r->buffer;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '[')
        r->section_line = r->line;
    /* What inih keeps from this line: a [section] header replaces the
     * section and forgets the key; a key = value line sets the key. */
    bool header = *p == '[', key_line = !header && p == r->buffer && *p && !strchr(";#\r\n", *p);
    if (header || key_line)
        r->key_carried = false;
    if (header)
        r->section_carried = false;
    if (needs_carrying(r->buffer, (size_t)len)) {
        if (!carry_line(r, str, num)) {
            r->status = engage_fail(r->err, ENGAGE_ENOMEM, r->path, r->line, "out of memory");
            return NULL;
        }
        return str;
    }
    memcpy(str, r->buffer, (size_t)len + 1);
    return str;
}

/* Record the first error at the current line; returns 0 for inih. */
static int fail(reader_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(reader_t *r, const char *fmt, ...)
{
    if (r->status == ENGAGE_OK) {
        char message[ENGAGE_ERROR_TEXT];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(message, sizeof message, fmt, ap);
        va_end(ap);
        r->status = engage_fail(r->err, ENGAGE_ECONFIG, r->path, r->line, "%s", message);
    }
    return 0;
}

static bool starts_with_word(const char *section, const char *word, const char **rest)
{
    size_t n = strlen(word);
    if (strncasecmp(section, word, n) != 0)
        return false;
    if (section[n] == '\0') {
        *rest = section + n;
        return true;
    }
    if (!isspace((unsigned char)section[n]))
        return false;
    const char *p = section + n;
    while (isspace((unsigned char)*p))
        p++;
    *rest = p;
    return true;
}

/* Track per-scale line numbers in arrays parallel to cfg->scales. */
static bool grow_scale_lines(reader_t *r)
{
    long **arrays[] = {&r->min_line, &r->max_line, &r->favourable_line, &r->unfavourable_line, &r->min_answered_line,
                       &r->labels_line};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        long *grown = realloc(*arrays[i], r->cfg->n_scales * sizeof *grown);
        if (!grown)
            return false;
        grown[r->cfg->n_scales - 1] = 0;
        *arrays[i] = grown;
    }
    return true;
}

static int start_section(reader_t *r, const char *section)
{
    if (!keep_copy(&r->section, section))
        return fail(r, "out of memory");
    r->scale = NULL;
    r->labels = NULL;
    r->in_waves = false;
    r->in_rosters = false;
    free(r->last_key);
    r->last_key = NULL;
    const char *name;
    if (strcasecmp(section, "input") == 0 || strcasecmp(section, "report") == 0)
        return 1;
    if (starts_with_word(section, "labels", &name)) {
        /* A label set's section given again adds to it (as when the
         * lines printed for unknown answers are pasted at the end). */
        config_label_set_t *set = find_label_set(r->cfg, name);
        if (set && set->line) {
            r->labels = set;
            return 1;
        }
        if (!set) {
            config_label_set_t *grown =
                realloc(r->cfg->label_sets, (r->cfg->n_label_sets + 1) * sizeof *grown);
            if (!grown)
                return fail(r, "out of memory");
            r->cfg->label_sets = grown;
            set = &grown[r->cfg->n_label_sets];
            memset(set, 0, sizeof *set);
            set->name = strdup(name);
            if (!set->name)
                return fail(r, "out of memory");
            r->cfg->n_label_sets++;
        }
        set->line = r->section_line;
        r->labels = set;
        return 1;
    }
    if (starts_with_word(section, "scale", &name)) {
        if (!*name)
            return fail(r, "[scale] needs a name, as in [scale engagement]");
        for (size_t i = 0; i < r->cfg->n_scales; i++)
            if (strcmp(r->cfg->scales[i].name, name) == 0)
                return fail(r, "scale '%s' is defined twice", name);
        r->scale = new_scale(r->cfg, name);
        if (!r->scale || !grow_scale_lines(r))
            return fail(r, "out of memory");
        r->scale->line = r->section_line;
        r->scale_index = (long)r->cfg->n_scales - 1;
        return 1;
    }
    if (strcasecmp(section, "roster") == 0) {
        r->cfg->roster.line = r->section_line;
        return 1;
    }
    if (strcasecmp(section, "waves") == 0) {
        r->in_waves = true;
        if (!r->cfg->waves_line)
            r->cfg->waves_line = r->section_line;
        return 1;
    }
    if (strcasecmp(section, "rosters") == 0) {
        r->in_rosters = true;
        if (!r->cfg->rosters_line)
            r->cfg->rosters_line = r->section_line;
        return 1;
    }
    if (strcasecmp(section, "drivers") == 0) {
        r->cfg->drivers.line = r->section_line;
        return 1;
    }
    return fail(r, "unknown section [%s] (expected input, labels, labels NAME, scale NAME, roster, waves, rosters, drivers or report)",
                section);
}

/* The names of one line of a list key: split with libcsv; a trailing comma
 * (a list continued on the next line) adds nothing; an empty name is an
 * error.  Every list key reads its lines through here. */
static int read_list(reader_t *r, const char *key, const char *value, char ***names, size_t *n_names)
{
    char **parts;
    size_t n_parts;
    if (!split_list(value, &parts, &n_parts))
        return fail(r, "cannot read the list of %s (check the double quotes)", key);
    if (n_parts > 1 && !parts[n_parts - 1][0])
        free(parts[--n_parts]);
    for (size_t i = 0; i < n_parts; i++) {
        if (!parts[i][0]) {
            free_strings(parts, n_parts);
            return fail(r, "empty name in the list of %s", key);
        }
    }
    *names = parts;
    *n_names = n_parts;
    return 1;
}

/* A list value, appended when it continues the previous key's lines. */
static int list_value(reader_t *r, const char *key, const char *value, char ***items, size_t *n,
                      bool continuation)
{
    char **parts;
    size_t n_parts;
    if (!read_list(r, key, value, &parts, &n_parts))
        return 0;
    if (!continuation) {
        free_strings(*items, *n);
        *items = NULL;
        *n = 0;
    }
    if (!append_strings(items, n, parts, n_parts)) {
        free_strings(parts, n_parts);
        return fail(r, "out of memory");
    }
    free(parts);
    return 1;
}

static int replace_string(reader_t *r, char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return fail(r, "out of memory");
    free(*field);
    *field = copy;
    return 1;
}

static bool one_of(const char *value, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcasecmp(value, *allowed) == 0)
            return true;
    return false;
}

static int input_key(reader_t *r, const char *key, const char *value, bool continuation)
{
    config_t *cfg = r->cfg;
    if (strcmp(key, "format") == 0) {
        if (!config_format_known(value))
            return fail(r, "unknown format '%s' (expected " CONFIG_FORMATS ")", value);
        return replace_string(r, &cfg->format, value);
    }
    if (strcmp(key, "respondent") == 0)
        return replace_string(r, &cfg->respondent, value);
    if (strcmp(key, "manager") == 0)
        return replace_string(r, &cfg->manager, value);
    if (strcmp(key, "delimiter") == 0) {
        /* A bare ; starts a comment in INI files, so ";" quoted and the
         * words comma and semicolon are accepted too. */
        static const char *const ok[] = {"auto", ",", ";", "tab", NULL};
        static const char *const comma[] = {"comma", "\",\"", NULL};
        static const char *const semicolon[] = {"semicolon", "\";\"", NULL};
        if (one_of(value, comma))
            value = ",";
        else if (one_of(value, semicolon))
            value = ";";
        else if (strcasecmp(value, "\t") == 0 || strcasecmp(value, "\"\t\"") == 0)
            value = "tab";
        if (!one_of(value, ok))
            return fail(r, "unknown delimiter '%s' (expected auto, comma, semicolon or tab; a bare ; starts a "
                           "comment, so write semicolon or \";\")", value);
        return replace_string(r, &cfg->delimiter, value);
    }
    if (strcmp(key, "encoding") == 0) {
        static const char *const ok[] = {"auto", "utf-8", "utf-16", "windows-1252", NULL};
        static const char *const also[] = {"utf8", "utf16", "cp1252", "windows1252", NULL};
        if (!one_of(value, ok) && !one_of(value, also))
            return fail(r, "unknown encoding '%s' (expected auto, utf-8, utf-16 or windows-1252)", value);
        /* Stored in the spelling of README.md. */
        const char *name = one_of(value, ok) ? value
                           : strncasecmp(value, "utf8", 4) == 0 ? "utf-8"
                           : strncasecmp(value, "utf16", 5) == 0 ? "utf-16"
                                                                  : "windows-1252";
        if (!replace_string(r, &cfg->encoding, name))
            return 0;
        for (char *p = cfg->encoding; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        return 1;
    }
    if (strcmp(key, "missing") == 0)
        return list_value(r, key, value, &cfg->missing, &cfg->n_missing, continuation);
    return fail(r, "key '%s' of [input] is not read", key);
}

static int add_label(reader_t *r, config_label_set_t *set, const char *key, const char *value)
{
    double v;
    if (!parse_number(value, &v))
        return fail(r, "the value of label '%s' must be a number, not '%s'", key, value);
    for (size_t i = 0; i < set->n_labels; i++)
        if (strcasecmp(set->labels[i].text, key) == 0)
            return fail(r, "label '%s' is given twice", key);
    config_label_t *grown = realloc(set->labels, (set->n_labels + 1) * sizeof *grown);
    if (!grown)
        return fail(r, "out of memory");
    set->labels = grown;
    grown[set->n_labels].text = strdup(key);
    if (!grown[set->n_labels].text)
        return fail(r, "out of memory");
    grown[set->n_labels].value = v;
    set->n_labels++;
    return 1;
}

/* A [labels] key in double quotes is the text inside, "" standing for one
 * quote: how config_label_key writes a label that starts with ; # [ or ".
 * The text (malloc'd), or NULL on bad quoting or out of memory. */
static char *unquote_label(const char *key)
{
    size_t len = strlen(key);
    if (len < 2 || key[0] != '"' || key[len - 1] != '"')
        return NULL;
    char *text = malloc(len);
    if (!text)
        return NULL;
    size_t n = 0;
    for (size_t i = 1; i < len - 1; i++) {
        if (key[i] == '"' && (i + 1 == len - 1 || key[++i] != '"')) {
            free(text);   /* a lone quote inside */
            return NULL;
        }
        text[n++] = key[i];
    }
    text[n] = '\0';
    return text;
}

static int label_key(reader_t *r, const char *key, const char *value)
{
    if (key[0] != '"')
        return add_label(r, r->labels, key, value);
    char *text = unquote_label(key);
    if (!text)
        return fail(r, "cannot read label %s: a label in double quotes doubles each quote inside it, "
                       "as in \"\"\"Yes\"\"\" = 5", key);
    int result = add_label(r, r->labels, text, value);
    free(text);
    return result;
}

bool config_label_writable(const char *text)
{
    for (const char *p = text; *p; p++) {
        bool after_space = p > text && isspace((unsigned char)p[-1]);
        if (*p == '=' || *p == ':' || *p == '\n' || *p == '\r' || (*p == ';' && after_space))
            return false;
    }
    return text[0] != '\0';
}

char *config_label_key(const char *text)
{
    if (!strchr(";#[\"", text[0]))
        return strdup(text);
    size_t len = strlen(text), quotes = 0;
    for (const char *p = text; *p; p++)
        quotes += *p == '"';
    char *key = malloc(len + quotes + 3);
    if (!key)
        return NULL;
    size_t n = 0;
    key[n++] = '"';
    for (const char *p = text; *p; p++) {
        key[n++] = *p;
        if (*p == '"')
            key[n++] = '"';
    }
    key[n++] = '"';
    key[n] = '\0';
    return key;
}

static int scale_key(reader_t *r, const char *key, const char *value, bool continuation)
{
    config_scale_t *s = r->scale;
    long i = r->scale_index;
    double v;
    if (strcmp(key, "items") == 0) {
        if (!continuation)
            s->items_line = r->line;
        size_t kept = continuation ? s->n_items : 0;
        int ok = list_value(r, key, value, &s->items, &s->n_items, continuation);
        if (ok) {
            /* keep reverse flags sized with the items, new ones false */
            bool *grown = realloc(s->reverse, (s->n_items + 1) * sizeof *grown);
            if (!grown)
                return fail(r, "out of memory");
            memset(grown + kept, 0, (s->n_items + 1 - kept) * sizeof *grown);
            s->reverse = grown;
        }
        return ok;
    }
    if (strcmp(key, "reverse") == 0) {
        if (!continuation)
            s->reverse_line = r->line;
        char **names;
        size_t n_names;
        if (!read_list(r, key, value, &names, &n_names))
            return 0;
        for (size_t k = 0; k < n_names; k++) {
            size_t j = 0;
            while (j < s->n_items && strcmp(s->items[j], names[k]) != 0)
                j++;
            if (j == s->n_items) {
                fail(r, "reverse item '%s' is not among the items of scale '%s' (give items before reverse)",
                     names[k], s->name);
                free_strings(names, n_names);
                return 0;
            }
            s->reverse[j] = true;
        }
        free_strings(names, n_names);
        return 1;
    }
    if (strcmp(key, "short_names") == 0) {
        if (!continuation)
            s->short_names_line = r->line;
        return list_value(r, key, value, &s->short_names, &s->n_short_names, continuation);
    }
    if (strcmp(key, "kind") == 0) {
        static const char *const kinds[] = {"score", "nps", NULL};
        if (!one_of(value, kinds))
            return fail(r, "unknown kind '%s' (expected score or nps)", value);
        s->nps = strcasecmp(value, "nps") == 0;
        s->kind_line = r->line;
        return 1;
    }
    if (strcmp(key, "labels") == 0) {
        r->labels_line[i] = r->line;
        return replace_string(r, &s->labels, value);
    }
    if (strcmp(key, "min") == 0 || strcmp(key, "max") == 0 || strcmp(key, "min_answered") == 0 ||
        strcmp(key, "favourable") == 0 || strcmp(key, "unfavourable") == 0) {
        if (!parse_number(value, &v))
            return fail(r, "%s must be a number, not '%s'", key, value);
        if (strcmp(key, "min") == 0) {
            s->min = v;
            r->min_line[i] = r->line;
        } else if (strcmp(key, "max") == 0) {
            s->max = v;
            r->max_line[i] = r->line;
        } else if (strcmp(key, "min_answered") == 0) {
            if (v < 0 || v > 1)
                return fail(r, "min_answered must be a share between 0 and 1, not '%s'", value);
            s->min_answered = v;
            r->min_answered_line[i] = r->line;
        } else if (strcmp(key, "favourable") == 0) {
            s->favourable = v;
            s->favourable_set = true;
            r->favourable_line[i] = r->line;
        } else {
            s->unfavourable = v;
            s->unfavourable_set = true;
            r->unfavourable_line[i] = r->line;
        }
        return 1;
    }
    return fail(r, "key '%s' of [scale %s] is not read", key, s->name);
}

/* value relative to the config's folder (malloc'd; NULL when out of
 * memory): a roster or a wave's file, as an analyst keeps them beside the
 * config. */
static char *beside_config(const reader_t *r, const char *value)
{
    const char *slash = strrchr(r->path, '/');
    if (value[0] == '/' || !slash || strcmp(value, "-") == 0)
        return strdup(value);
    size_t dir = (size_t)(slash - r->path) + 1;
    char *joined = malloc(dir + strlen(value) + 1);
    if (!joined)
        return NULL;
    memcpy(joined, r->path, dir);
    strcpy(joined + dir, value);
    return joined;
}

static int roster_file(reader_t *r, const char *value)
{
    char *joined = beside_config(r, value);
    if (!joined)
        return fail(r, "out of memory");
    free(r->cfg->roster.file);
    r->cfg->roster.file = joined;
    return 1;
}

/* A line of [waves]: LABEL = FILE, FILE...  A line continuing the previous
 * one's key (a list ending in a comma) adds files to the same wave. */
static int wave_key(reader_t *r, const char *label, const char *value, bool continuation)
{
    config_t *cfg = r->cfg;
    char **parts;
    size_t n_parts;
    if (!value[0])
        return fail(r, "wave '%s' names no file (write: %s = FILE, FILE...)", label, label);
    if (!read_list(r, "files", value, &parts, &n_parts))
        return 0;
    config_wave_t *wave = NULL;
    if (continuation && cfg->n_waves && strcmp(cfg->waves[cfg->n_waves - 1].label, label) == 0) {
        wave = &cfg->waves[cfg->n_waves - 1];
    } else {
        for (size_t i = 0; i < cfg->n_waves; i++)
            if (strcmp(cfg->waves[i].label, label) == 0) {
                free_strings(parts, n_parts);
                return fail(r, "wave '%s' is named twice (line %ld too)", label, cfg->waves[i].line);
            }
        config_wave_t *grown = realloc(cfg->waves, (cfg->n_waves + 1) * sizeof *grown);
        if (!grown) {
            free_strings(parts, n_parts);
            return fail(r, "out of memory");
        }
        cfg->waves = grown;
        wave = &grown[cfg->n_waves];
        memset(wave, 0, sizeof *wave);
        wave->line = r->line;
        if (!(wave->label = strdup(label))) {
            free_strings(parts, n_parts);
            return fail(r, "out of memory");
        }
        cfg->n_waves++;
    }
    for (size_t i = 0; i < n_parts; i++) {
        char *joined = beside_config(r, parts[i]);
        free(parts[i]);
        parts[i] = joined;
        if (!joined) {
            free_strings(parts, n_parts);
            return fail(r, "out of memory");
        }
    }
    if (!append_strings(&wave->files, &wave->n_files, parts, n_parts)) {
        free_strings(parts, n_parts);
        return fail(r, "out of memory");
    }
    free(parts);
    return 1;
}

/* A line of [rosters]: LABEL = FILE, one file as [roster] file is given.
 * Whether LABEL is a wave of [waves] is checked once the whole file is read
 * (check_rosters), as [rosters] may come first. */
static int wave_roster_key(reader_t *r, const char *label, const char *value)
{
    config_t *cfg = r->cfg;
    if (!value[0])
        return fail(r, "wave '%s' is given no roster file in [rosters] (write: %s = FILE)", label, label);
    for (size_t i = 0; i < cfg->n_rosters; i++)
        if (strcmp(cfg->rosters[i].label, label) == 0)
            return fail(r, "wave '%s' is given a roster twice in [rosters] (line %ld too)", label,
                        cfg->rosters[i].line);
    config_wave_roster_t *grown = realloc(cfg->rosters, (cfg->n_rosters + 1) * sizeof *grown);
    if (!grown)
        return fail(r, "out of memory");
    cfg->rosters = grown;
    config_wave_roster_t *entry = &grown[cfg->n_rosters];
    entry->line = r->line;
    entry->label = strdup(label);
    entry->file = beside_config(r, value);
    if (!entry->label || !entry->file) {
        free(entry->label);
        free(entry->file);
        return fail(r, "out of memory");
    }
    cfg->n_rosters++;
    return 1;
}

static int roster_key(reader_t *r, const char *key, const char *value)
{
    config_roster_t *roster = &r->cfg->roster;
    if (!value[0])
        return fail(r, "[roster] %s needs a value", key);
    if (strcmp(key, "file") == 0) {
        roster->file_line = r->line;
        return roster_file(r, value);
    }
    if (strcmp(key, "key") == 0) {
        roster->key_line = r->line;
        return replace_string(r, &roster->key, value);
    }
    if (strcmp(key, "employee") == 0)
        return replace_string(r, &roster->employee, value);
    if (strcmp(key, "manager") == 0)
        return replace_string(r, &roster->manager, value);
    if (strcmp(key, "unit") == 0)
        return replace_string(r, &roster->unit, value);
    if (strcmp(key, "name") == 0)
        return replace_string(r, &roster->name, value);
    if (strcmp(key, "invited") == 0)
        return replace_string(r, &roster->invited, value);
    return fail(r, "key '%s' of [roster] is not read", key);
}

static int drivers_key(reader_t *r, const char *key, const char *value, bool continuation)
{
    config_drivers_t *d = &r->cfg->drivers;
    if (strcmp(key, "outcome") == 0) {
        if (!continuation)
            d->outcome_line = r->line;
        return list_value(r, key, value, &d->outcomes, &d->n_outcomes, continuation);
    }
    if (strcmp(key, "items") == 0) {
        if (!continuation)
            d->items_line = r->line;
        return list_value(r, key, value, &d->items, &d->n_items, continuation);
    }
    if (strcmp(key, "bootstrap") == 0) {
        unsigned long v;
        if (!parse_unsigned(value, &v) || v > 100000)
            return fail(r, "bootstrap must be a whole number of resamples from 0 to 100000, not '%s'", value);
        d->bootstrap = v;
        return 1;
    }
    return fail(r, "key '%s' of [drivers] is not read", key);
}

static int report_key(reader_t *r, const char *key, const char *value)
{
    unsigned long v;
    if (strcmp(key, "min_group") == 0) {
        if (!parse_unsigned(value, &v) || v < 3 || v > 1000000)
            return fail(r, "min_group must be a whole number of at least 3, not '%s'", value);
        r->cfg->min_group = (long)v;
        return 1;
    }
    if (strcmp(key, "seed") == 0) {
        if (!parse_unsigned(value, &v))
            return fail(r, "seed must be a whole number, not '%s'", value);
        r->cfg->seed = v;
        return 1;
    }
    if (strcmp(key, "unit_depth") == 0) {
        if (!parse_unsigned(value, &v) || v < 1 || v > 1000000)
            return fail(r, "unit_depth must be a whole number of at least 1, not '%s'", value);
        r->cfg->unit_depth = (long)v;
        return 1;
    }
    return fail(r, "key '%s' of [report] is not read", key);
}

/* The text a stand-in of carry_line() stands for; other text as it is. */
static const char *carried(const reader_t *r, const char *text)
{
    if (r->section_carried && strcmp(text, CARRIED_SECTION) == 0)
        return r->carried_section;
    if (r->key_carried && strcmp(text, CARRIED_KEY) == 0)
        return r->carried_key; /* also the key a later continuation line continues */
    if (r->carried_line == r->line && strcmp(text, CARRIED_VALUE) == 0)
        return r->carried_value;
    if (r->carried_line == r->line && strcmp(text, CARRIED_CONTINUATION) == 0)
        return r->carried_continuation;
    return text;
}

static int handle(void *user, const char *section, const char *name, const char *value)
{
    reader_t *r = user;
    if (r->status != ENGAGE_OK)
        return 0;
    if (!name) /* section start (INI_CALL_HANDLER_ON_NEW_SECTION builds only) */
        return 1;
    section = carried(r, section);
    name = carried(r, name);
    value = carried(r, value);
    if (!r->section || strcmp(section, r->section) != 0 || r->section[0] == '\0' ||
        r->section_line != r->started_line) {
        r->started_line = r->section_line;
        if (!section[0])
            return fail(r, "'%s' is outside any section; put it under [input], [scale NAME], ...", name);
        if (!start_section(r, section))
            return 0;
    }
    bool continuation = r->last_key && strcmp(name, r->last_key) == 0 && r->last_key_line == r->line - 1;
    if (!keep_copy(&r->last_key, name))
        return fail(r, "out of memory");
    r->last_key_line = r->line;
    if (r->labels)
        return label_key(r, name, value);
    if (r->in_waves)
        return wave_key(r, name, value, continuation);
    if (r->in_rosters)
        return wave_roster_key(r, name, value);
    const char *kind = r->scale                             ? "scale"
                       : strcasecmp(section, "input") == 0  ? "input"
                       : strcasecmp(section, "roster") == 0 ? "roster"
                       : strcasecmp(section, "drivers") == 0 ? "drivers"
                                                            : "report";
    char expected[256];
    if (!known_key(kind, name, expected, sizeof expected))
        return fail(r, "unknown key '%s' in [%s] (expected %s)", name, section, expected);
    if (r->scale)
        return scale_key(r, name, value, continuation);
    if (strcasecmp(section, "input") == 0)
        return input_key(r, name, value, continuation);
    if (strcasecmp(section, "roster") == 0)
        return roster_key(r, name, value);
    if (strcasecmp(section, "drivers") == 0)
        return drivers_key(r, name, value, continuation);
    return report_key(r, name, value);
}

/* A scale of kind nps: exactly one item on 0..10 (the defaults), not
 * reverse-coded, whose thresholds are the Net Promoter ones: promoters
 * answer 9 or 10 (favourable), detractors 0 to 6 (unfavourable).  Sets
 * min, max and both thresholds; anything else is an error at its line. */
static engage_status_t check_nps(reader_t *r, size_t i)
{
    config_scale_t *s = &r->cfg->scales[i];
    if (s->n_items != 1)
        return engage_fail(r->err, ENGAGE_ECONFIG, r->path, s->items_line ? s->items_line : s->kind_line,
                           "scale '%s' of kind nps must have exactly one item (the 0-10 recommend "
                           "question), not %zu", s->name, s->n_items);
    if ((r->min_line[i] && s->min != 0) || (r->max_line[i] && s->max != 10))
        return engage_fail(r->err, ENGAGE_ECONFIG, r->path,
                           r->min_line[i] && s->min != 0 ? r->min_line[i] : r->max_line[i],
                           "scale '%s' of kind nps is on 0..10 (min = 0, max = 10), not %g..%g", s->name,
                           r->min_line[i] ? s->min : 0.0, r->max_line[i] ? s->max : 10.0);
    if (s->favourable_set || s->unfavourable_set)
        return engage_fail(r->err, ENGAGE_ECONFIG, r->path,
                           s->favourable_set ? r->favourable_line[i] : r->unfavourable_line[i],
                           "scale '%s' of kind nps has fixed thresholds (promoters 9-10, detractors 0-6): "
                           "remove favourable and unfavourable", s->name);
    if (s->reverse[0])
        return engage_fail(r->err, ENGAGE_ECONFIG, r->path, s->reverse_line,
                           "scale '%s' of kind nps cannot reverse its item", s->name);
    s->min = 0;
    s->max = 10;
    s->favourable = 9;
    s->favourable_set = true;
    s->unfavourable = 6;
    s->unfavourable_set = true;
    return ENGAGE_OK;
}

/* Checks per scale once its section is complete (i.e. at the end). */
static engage_status_t check_scales(reader_t *r)
{
    config_t *cfg = r->cfg;
    for (size_t i = 0; i < cfg->n_scales; i++) {
        config_scale_t *s = &cfg->scales[i];
        long at = r->max_line[i] > r->min_line[i] ? r->max_line[i] : r->min_line[i];
        if (!at)
            at = s->line;
        if (s->nps) {
            engage_status_t st = check_nps(r, i);
            if (st != ENGAGE_OK)
                return st;
        }
        if (!s->n_items)
            return engage_fail(r->err, ENGAGE_ECONFIG, r->path, s->line,
                               "scale '%s' has no items (add: items = Q1, Q2, ...)", s->name);
        if (!(s->min < s->max))
            return engage_fail(r->err, ENGAGE_ECONFIG, r->path, at,
                               "scale '%s': min (%g) must be less than max (%g)", s->name, s->min, s->max);
        if (!s->favourable_set)
            s->favourable = s->max - 1;
        else if (s->favourable < s->min || s->favourable > s->max)
            return engage_fail(r->err, ENGAGE_ECONFIG, r->path, r->favourable_line[i],
                               "scale '%s': favourable (%g) must lie between min and max", s->name,
                               s->favourable);
        if (!s->unfavourable_set)
            s->unfavourable = default_unfavourable(s);
        else if (s->unfavourable < s->min || s->unfavourable > s->max)
            return engage_fail(r->err, ENGAGE_ECONFIG, r->path, r->unfavourable_line[i],
                               "scale '%s': unfavourable (%g) must lie between min and max", s->name,
                               s->unfavourable);
        if (!(s->unfavourable < s->favourable))
            return engage_fail(r->err, ENGAGE_ECONFIG, r->path, r->unfavourable_line[i],
                               "scale '%s': unfavourable (%g) must be below favourable (%g)", s->name,
                               s->unfavourable, s->favourable);
        for (size_t a = 0; a < s->n_items; a++)
            for (size_t b = a + 1; b < s->n_items; b++)
                if (strcmp(s->items[a], s->items[b]) == 0)
                    return engage_fail(r->err, ENGAGE_ECONFIG, r->path, s->items_line,
                                       "scale '%s' lists item '%s' twice", s->name, s->items[a]);
        if (s->n_short_names && s->n_short_names != s->n_items)
            return engage_fail(r->err, ENGAGE_ECONFIG, r->path, s->short_names_line,
                               "scale '%s' has %zu %s but %zu short_names: give one per item, in "
                               "the order of items", s->name, s->n_items,
                               s->n_items == 1 ? "item" : "items", s->n_short_names);
        for (size_t a = 0; a < s->n_short_names; a++)
            for (size_t b = a + 1; b < s->n_short_names; b++)
                if (strcmp(s->short_names[a], s->short_names[b]) == 0)
                    return engage_fail(r->err, ENGAGE_ECONFIG, r->path, s->short_names_line,
                                       "scale '%s' gives the short name '%s' twice", s->name,
                                       s->short_names[a]);
        if (s->labels && !find_label_set(cfg, s->labels))
            return engage_fail(r->err, ENGAGE_ECONFIG, r->path, r->labels_line[i],
                               "scale '%s' uses labels '%s', but there is no [labels %s] section",
                               s->name, s->labels, s->labels);
    }
    return ENGAGE_OK;
}

static engage_status_t check_roster(const config_t *cfg, engage_error_t *err)
{
    const config_roster_t *roster = &cfg->roster;
    if (!roster->line)
        return ENGAGE_OK;
    const char *missing = !roster->file       ? "file"
                          : !roster->key      ? "key"
                          : !roster->employee ? "employee"
                          : !roster->manager  ? "manager"
                                              : NULL;
    if (missing) {
        engage_fail(err, ENGAGE_ECONFIG, cfg->path, roster->line, "[roster] needs '%s ='", missing);
        engage_hint(err, "a roster names file, key (the survey column), employee and manager (roster columns)");
        return ENGAGE_ECONFIG;
    }
    return ENGAGE_OK;
}

/* [rosters]: every label a wave of [waves], and [roster] there to give the
 * columns its files are read with. */
static engage_status_t check_rosters(const config_t *cfg, engage_error_t *err)
{
    if (!cfg->rosters_line)
        return ENGAGE_OK;
    if (!cfg->roster.line) {
        engage_fail(err, ENGAGE_ECONFIG, cfg->path, cfg->rosters_line,
                    "[rosters] needs a [roster] section: its files are read with [roster]'s columns");
        engage_hint(err, "add [roster] with file (the last wave's roster), key, employee and manager");
        return ENGAGE_ECONFIG;
    }
    for (size_t i = 0; i < cfg->n_rosters; i++) {
        bool known = false;
        for (size_t w = 0; !known && w < cfg->n_waves; w++)
            known = strcmp(cfg->waves[w].label, cfg->rosters[i].label) == 0;
        if (!known)
            return engage_fail(err, ENGAGE_ECONFIG, cfg->path, cfg->rosters[i].line,
                               "[rosters] names wave '%s', which [waves] does not list", cfg->rosters[i].label);
    }
    return ENGAGE_OK;
}

const config_wave_roster_t *config_wave_roster(const config_t *cfg, size_t w)
{
    for (size_t i = 0; w < cfg->n_waves && i < cfg->n_rosters; i++)
        if (strcmp(cfg->rosters[i].label, cfg->waves[w].label) == 0)
            return &cfg->rosters[i];
    return NULL;
}

static const config_scale_t *find_scale(const config_t *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_scales; i++)
        if (strcmp(cfg->scales[i].name, name) == 0)
            return &cfg->scales[i];
    return NULL;
}

static bool scale_has_item(const config_scale_t *s, const char *item)
{
    for (size_t i = 0; i < s->n_items; i++)
        if (strcmp(s->items[i], item) == 0)
            return true;
    return false;
}

/* [drivers]: each outcome a scale, each driver a scale or an item of one,
 * nothing named twice, and every outcome left with a driver once its own
 * scale and items are set aside (config_drivers_excluded). */
static engage_status_t check_drivers(const config_t *cfg, engage_error_t *err)
{
    const config_drivers_t *d = &cfg->drivers;
    if (!d->line)
        return ENGAGE_OK;
    if (!d->n_outcomes)
        return engage_fail(err, ENGAGE_ECONFIG, cfg->path, d->line,
                           "[drivers] needs 'outcome =' (the scale whose drivers are wanted)");
    for (size_t o = 0; o < d->n_outcomes; o++) {
        if (!find_scale(cfg, d->outcomes[o]))
            return engage_fail(err, ENGAGE_ECONFIG, cfg->path, d->outcome_line,
                               "[drivers] outcome '%s' is not a scale (add a [scale %s] section)",
                               d->outcomes[o], d->outcomes[o]);
        for (size_t b = o + 1; b < d->n_outcomes; b++)
            if (strcmp(d->outcomes[o], d->outcomes[b]) == 0)
                return engage_fail(err, ENGAGE_ECONFIG, cfg->path, d->outcome_line,
                                   "[drivers] names outcome '%s' twice", d->outcomes[o]);
    }
    for (size_t i = 0; i < d->n_items; i++) {
        bool known = find_scale(cfg, d->items[i]) != NULL;
        for (size_t s = 0; !known && s < cfg->n_scales; s++)
            known = scale_has_item(&cfg->scales[s], d->items[i]);
        if (!known)
            return engage_fail(err, ENGAGE_ECONFIG, cfg->path, d->items_line,
                               "[drivers] item '%s' is neither a scale nor an item of one", d->items[i]);
        for (size_t b = i + 1; b < d->n_items; b++)
            if (strcmp(d->items[i], d->items[b]) == 0)
                return engage_fail(err, ENGAGE_ECONFIG, cfg->path, d->items_line,
                                   "[drivers] names item '%s' twice", d->items[i]);
    }
    for (size_t o = 0; o < d->n_outcomes; o++) {
        const config_scale_t *outcome = find_scale(cfg, d->outcomes[o]);
        size_t left = 0;
        if (d->n_items) {
            for (size_t i = 0; i < d->n_items; i++)
                left += !config_drivers_excluded(outcome, d->items[i]);
        } else {
            for (size_t s = 0; s < cfg->n_scales; s++)
                for (size_t i = 0; &cfg->scales[s] != outcome && i < cfg->scales[s].n_items; i++)
                    left += !config_drivers_excluded(outcome, cfg->scales[s].items[i]);
        }
        if (!left)
            return engage_fail(err, ENGAGE_ECONFIG, cfg->path, d->n_items ? d->items_line : d->outcome_line,
                               "[drivers] leaves outcome '%s' no driver: its own scale and items do not drive it",
                               d->outcomes[o]);
    }
    return ENGAGE_OK;
}

bool config_drivers_excluded(const config_scale_t *outcome, const char *name)
{
    return strcmp(outcome->name, name) == 0 || scale_has_item(outcome, name);
}

bool config_format_known(const char *format)
{
    static const char *const known[] = {"auto", "canonical", "qualtrics", "surveymonkey", "googleforms",
                                        "msforms", "limesurvey", NULL};
    return one_of(format, known);
}

/* Parse text (size bytes) as the config file `path` (for messages and for
 * resolving the roster's path). */
static engage_status_t parse_text(config_t *cfg, const char *path, const char *text, size_t size,
                                  engage_error_t *err)
{
    reader_t r = {.cfg = cfg, .path = path, .err = err, .status = ENGAGE_OK};
    /* "r" with a size of 0 is refused by fmemopen; an empty config is a
     * valid one. */
    r.file = size ? fmemopen((void *)text, size, "r") : fopen("/dev/null", "r");
    if (!r.file)
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    free(cfg->path);
    cfg->path = strdup(path);
    free(cfg->text);
    cfg->text = strndup(text, size);
    if (!cfg->text) {
        fclose(r.file);
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    }
    int result = ini_parse_stream(read_line, &r, handle, &r);
    bool read_error = ferror(r.file);
    fclose(r.file);
    free(r.buffer);
    free(r.carried_key);
    free(r.carried_value);
    free(r.carried_continuation);
    free(r.carried_section);
    free(r.section);
    free(r.last_key);
    engage_status_t status = r.status;
    if (status == ENGAGE_OK && read_error) {
        status = engage_fail(err, ENGAGE_ENOINPUT, path, 0, "cannot read config");
    } else if (result != 0 && (status == ENGAGE_OK || (status == ENGAGE_ECONFIG && result > 0 && result < err->line))) {
        /* inih goes on after a line it cannot read; the first mistake is the one to fix */
        status = engage_fail(err, ENGAGE_ECONFIG, path, result > 0 ? result : 0,
                             "not a 'key = value' line or a [section] header");
    }
    if (status == ENGAGE_OK && !cfg->path)
        status = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    if (status == ENGAGE_OK)
        status = check_scales(&r);
    if (status == ENGAGE_OK)
        status = check_roster(cfg, err);
    if (status == ENGAGE_OK)
        status = check_rosters(cfg, err);
    if (status == ENGAGE_OK)
        status = check_drivers(cfg, err);
    free(r.min_line);
    free(r.max_line);
    free(r.favourable_line);
    free(r.unfavourable_line);
    free(r.min_answered_line);
    free(r.labels_line);
    if (status == ENGAGE_OK)
        status = config_validate(cfg, err);
    return status;
}

engage_status_t config_load(config_t *cfg, const char *path, engage_error_t *err)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return engage_fail(err, ENGAGE_ENOINPUT, path, 0, "cannot open config: %s", strerror(errno));
    /* The whole text is kept: manifest.json archives it for `engage rerun`. */
    char *text = NULL;
    size_t size = 0, capacity = 0;
    bool out_of_memory = false;
    while (size <= CONFIG_MAX_BYTES) {
        if (size == capacity) {
            size_t grown_capacity = capacity ? 2 * capacity : 1 << 16;
            if (grown_capacity > CONFIG_MAX_BYTES + 1)
                grown_capacity = CONFIG_MAX_BYTES + 1;
            char *grown = realloc(text, grown_capacity + 1);
            if (!grown) {
                out_of_memory = true;
                break;
            }
            text = grown;
            capacity = grown_capacity;
        }
        size_t got = fread(text + size, 1, capacity - size, file);
        size += got;
        if (got == 0)
            break;
    }
    bool read_error = ferror(file) != 0;
    fclose(file);
    engage_status_t st = ENGAGE_OK;
    if (out_of_memory)
        st = engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    else if (read_error)
        st = engage_fail(err, ENGAGE_ENOINPUT, path, 0, "cannot read config: %s", strerror(errno));
    else if (size > CONFIG_MAX_BYTES)
        st = engage_fail(err, ENGAGE_ECONFIG, path, 0, "config larger than %d MiB", CONFIG_MAX_BYTES >> 20);
    else if (memchr(text, '\0', size))
        st = engage_fail(err, ENGAGE_ECONFIG, path, 0, "binary data (a NUL byte): this is not a config file");
    else
        st = parse_text(cfg, path, text, size, err);
    free(text);
    return st;
}

engage_status_t config_load_text(config_t *cfg, const char *path, const char *text, engage_error_t *err)
{
    return parse_text(cfg, path, text, strlen(text), err);
}

engage_status_t config_override(config_t *cfg, const char *key, const char *value, engage_error_t *err)
{
    unsigned long v;
    if (strcmp(key, "min_group") == 0) {
        if (!parse_unsigned(value, &v) || v < 3 || v > 1000000)
            return engage_fail(err, ENGAGE_EUSAGE, NULL, 0,
                               "--min-group must be a whole number of at least 3, not '%s'", value);
        cfg->min_group = (long)v;
        return ENGAGE_OK;
    }
    if (strcmp(key, "seed") == 0) {
        if (!parse_unsigned(value, &v))
            return engage_fail(err, ENGAGE_EUSAGE, NULL, 0, "--seed must be a whole number, not '%s'", value);
        cfg->seed = v;
        return ENGAGE_OK;
    }
    if (strcmp(key, "format") == 0) {
        if (!config_format_known(value))
            return engage_fail(err, ENGAGE_EUSAGE, NULL, 0, "unknown --format '%s' (expected " CONFIG_FORMATS ")",
                               value);
        char *copy = strdup(value);
        if (!copy)
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        free(cfg->format);
        cfg->format = copy;
        return ENGAGE_OK;
    }
    return engage_fail(err, ENGAGE_EUSAGE, NULL, 0, "unknown setting '%s'", key);
}

const config_label_set_t *config_scale_labels(const config_t *cfg, const config_scale_t *scale)
{
    const config_label_set_t *set = find_label_set(cfg, scale->labels ? scale->labels : "");
    return set ? set : find_label_set(cfg, "");
}

engage_status_t config_validate(const config_t *cfg, engage_error_t *err)
{
    /* An item shared by two scales must read its answers the same way. */
    for (size_t a = 0; a < cfg->n_scales; a++) {
        const config_scale_t *sa = &cfg->scales[a];
        for (size_t b = a + 1; b < cfg->n_scales; b++) {
            const config_scale_t *sb = &cfg->scales[b];
            if (config_scale_labels(cfg, sa) == config_scale_labels(cfg, sb))
                continue;
            for (size_t i = 0; i < sa->n_items; i++)
                for (size_t j = 0; j < sb->n_items; j++)
                    if (strcmp(sa->items[i], sb->items[j]) == 0)
                        return engage_fail(err, ENGAGE_ECONFIG, cfg->path, sb->items_line,
                                           "item '%s' is in scales '%s' and '%s' with different label sets",
                                           sa->items[i], sa->name, sb->name);
        }
    }
    return ENGAGE_OK;
}
