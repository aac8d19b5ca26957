/*
 * ingest/init.c — the config `engage init` proposes (see init.h).
 *
 * Scales: columns of one matrix question (formats_question) whose answers
 * read as one rating scale, and, for columns of no matrix, runs of two or
 * more side-by-side columns read the same way.  A scale's answers are read
 * as numbers (whole numbers spanning 3 to 11 points), as the words of a
 * vocabulary (vocab.h), or as answer codes with a number (LimeSurvey's A1,
 * A2, ...).  A column of a matrix read otherwise (free text, an "Other"
 * box) is left out of the scale with a comment.  Reverse-keyed items are
 * found greedily: the item with the most negative item-rest correlation is
 * flagged and counted as reversed, and so on while one is negative.
 */
#include "init.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answers.h"
#include "vocab.h"

enum { MIN_CORRELATION_ROWS = 10, NAME_MAX_BYTES = 40 };

/* The default missing words of README.md (config.c), which need no line. */
static const char *const DEFAULT_MISSING[] = {"N/A", "Prefer not to say", "Don't know", "-99", NULL};

/* Column names that give the manager, in order of preference (compared
 * ignoring case). */
static const char *const MANAGER_NAMES[] = {
    "Manager", "Manager ID", "ManagerID", "Manager_ID", "Manager Name", "Manager Email", "Line manager",
    "Supervisor", "Supervisor ID", "Supervisor Name", "Team leader", "Team lead", "Vorgesetzte", "Vorgesetzter",
    "Führungskraft", "Responsable", "Jefe", "Gerente", "Leidinggevende", "Team", "Team ID", "Team_ID",
    "Team Name", "Équipe", "Equipo", NULL,
};

typedef enum { READ_NONE, READ_NUMBERS, READ_WORDS, READ_CODES } read_kind_t;

/* How a scale's answers become numbers. */
typedef struct {
    read_kind_t kind;
    vocab_scale_t vocab;       /* READ_WORDS */
    char prefix[16];           /* READ_CODES: "A" of A1..A5 */
    double min, max;
} reading_t;

typedef struct {
    char *name;
    char *question;            /* NULL for a run of side-by-side columns */
    size_t *columns;
    size_t n_columns;
    reading_t reading;
    GHashTable *values;        /* answer text -> index into value_of + 1 (READ_WORDS, READ_CODES) */
    double *value_of;          /* per distinct text: its value, NAN for a "no answer" word */
    size_t n_values;
    char **texts;              /* the texts of value_of, in order of first appearance */
    size_t label_set;          /* index into the label sets */
    bool *reverse;             /* per column: looks reverse-keyed */
    double *reverse_r;         /* the item-rest correlation that flagged it */
} scale_t;

typedef struct {
    const inspect_t *insp;
    scale_t *scales;
    size_t n_scales;
    bool *in_scale;            /* per column */
    GString *notes;            /* comments about columns left out */
    GPtrArray *missing;        /* "no answer" words found beyond the defaults (borrowed) */
} proposal_t;

/* ------------------------------------------------------------ names */

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* An inline comment for inih: ';' after a space or tab. */
static bool has_inline_comment(const char *s)
{
    for (const char *p = strchr(s, ';'); p; p = strchr(p + 1, ';'))
        if (p > s && (p[-1] == ' ' || p[-1] == '\t'))
            return true;
    return false;
}

bool init_list_name(const char *name, GString *out)
{
    size_t n = strlen(name);
    if (n == 0 || has_control(name) || has_inline_comment(name))
        return false;
    bool quote = strchr(name, ',') || strchr(name, '"') || name[0] == ' ' || name[n - 1] == ' ' ||
                 name[0] == ';' || name[0] == '#' || name[0] == '[';
    if (!quote) {
        g_string_append(out, name);
        return true;
    }
    g_string_append_c(out, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
    return true;
}

bool init_label_key(const char *text)
{
    size_t n = strlen(text);
    double ignored;
    return n > 0 && n < 150 && !has_control(text) && !has_inline_comment(text) && !strchr(text, '=') &&
           !strchr(text, ':') && text[0] != ';' && text[0] != '#' && text[0] != '[' && text[0] != ' ' &&
           text[n - 1] != ' ' && !answers_parse_number(text, n, &ignored);
}

/* A section name from free text: letters, digits and '_', at most
 * NAME_MAX_BYTES, cut at a word; unique among the scales so far. */
static char *section_name(const proposal_t *p, const char *text, const char *fallback)
{
    GString *name = g_string_new(NULL);
    size_t word_end = 0;       /* name->len after the last whole word */
    bool gap = false;
    const char *s = text && g_utf8_validate(text, -1, NULL) ? text : "";
    for (; *s; s = g_utf8_next_char(s)) {
        gunichar c = g_utf8_get_char(s);
        if (!g_unichar_isalnum(c)) {
            gap = true;
            word_end = name->len;
            continue;
        }
        if (name->len >= NAME_MAX_BYTES)
            break;
        if (gap && name->len)
            g_string_append_c(name, '_');
        g_string_append_unichar(name, g_unichar_tolower(c));
        gap = false;
    }
    if (name->len >= NAME_MAX_BYTES && word_end > 0)
        g_string_truncate(name, word_end);
    if (name->len == 0)
        g_string_assign(name, fallback);
    size_t base = name->len;
    for (unsigned k = 2;; k++) {
        bool taken = false;
        for (size_t i = 0; i < p->n_scales && !taken; i++)
            taken = strcmp(p->scales[i].name, name->str) == 0;
        if (!taken)
            break;
        g_string_truncate(name, base);
        g_string_append_printf(name, "_%u", k);
    }
    return g_string_free(name, FALSE);
}

/* ------------------------------------------------------- readings */

static bool is_default_missing(const char *text)
{
    const char *s = text;
    while (*s == ' ')
        s++;
    for (size_t i = 0; DEFAULT_MISSING[i]; i++)
        if (strcasecmp(s, DEFAULT_MISSING[i]) == 0)
            return true;
    return false;
}

static bool is_no_answer(const char *text)
{
    return is_default_missing(text) || vocab_is_no_answer(text);
}

/* A whole number of at most 3 digits. */
static bool small_integer(const char *text, double *value)
{
    double v;
    if (!answers_parse_number(text, strlen(text), &v) || v != floor(v) || fabs(v) > 100)
        return false;
    *value = v;
    return true;
}

/* "A3" with prefix letters and a number. */
static bool answer_code(const char *text, char *prefix, size_t size, double *number)
{
    size_t k = 0;
    while (isalpha((unsigned char)text[k]))
        k++;
    if (k == 0 || k >= size || !text[k])
        return false;
    for (size_t i = k; text[i]; i++)
        if (!isdigit((unsigned char)text[i]) || i - k > 3)
            return false;
    memcpy(prefix, text, k);
    prefix[k] = '\0';
    *number = strtod(text + k, NULL);
    return true;
}

/* The distinct answers of the given columns, each once, in order. */
static GPtrArray *union_of_answers(const inspect_t *insp, const size_t *columns, size_t n)
{
    GPtrArray *all = g_ptr_array_new();
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < n; i++) {
        const inspect_column_t *c = &insp->columns[columns[i]];
        for (size_t k = 0; k < c->n_answers; k++) {
            if (!g_hash_table_contains(seen, c->answers[k].text)) {
                g_hash_table_add(seen, c->answers[k].text);
                g_ptr_array_add(all, c->answers[k].text);
            }
        }
    }
    g_hash_table_destroy(seen);
    return all;
}

/* How the answers (distinct texts) read as one rating scale; values[i]
 * receives each one's value (NAN for a "no answer" word). */
static reading_t read_answers(const GPtrArray *answers, double *values)
{
    reading_t r = {.kind = READ_NONE};
    size_t n = answers->len;
    if (n == 0)
        return r;
    /* numbers */
    double lo = INFINITY, hi = -INFINITY;
    bool numbers = true;
    size_t n_numbers = 0;
    for (size_t i = 0; i < n && numbers; i++) {
        const char *text = g_ptr_array_index(answers, i);
        double v;
        if (is_no_answer(text)) {
            values[i] = NAN;
        } else if (small_integer(text, &v) && v >= 0) {
            values[i] = v;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
            n_numbers++;
        } else {
            numbers = false;
        }
    }
    if (numbers && n_numbers >= 2) {
        double min = lo <= 0 ? lo : 1;
        if (hi - min >= 2 && hi - min <= 10) {
            r.kind = READ_NUMBERS;
            r.min = min;
            r.max = hi;
            return r;
        }
    }
    /* words of a vocabulary */
    vocab_answer_t *read = calloc(n, sizeof *read);
    if (read && vocab_match((const char *const *)answers->pdata, n, &r.vocab, read)) {
        /* the numbers the answers carry, when every one has its own and
         * they follow the positions */
        bool numbered = true;
        double offset = NAN;
        for (size_t i = 0; i < n && numbered; i++) {
            if (read[i].position == 0)
                continue;
            double d = read[i].number - read[i].position;
            numbered = read[i].numbered && (isnan(offset) || d == offset);
            offset = d;
        }
        if (!numbered || isnan(offset))
            offset = 0;
        for (size_t i = 0; i < n; i++)
            values[i] = read[i].position ? read[i].position + offset : NAN;
        r.kind = READ_WORDS;
        r.min = 1 + offset;
        r.max = r.vocab.points + offset;
        free(read);
        return r;
    }
    free(read);
    /* answer codes A1, A2, ... */
    char prefix[16] = "", one[16];
    lo = INFINITY;
    hi = -INFINITY;
    n_numbers = 0;
    for (size_t i = 0; i < n; i++) {
        const char *text = g_ptr_array_index(answers, i);
        double v;
        if (is_no_answer(text)) {
            values[i] = NAN;
            continue;
        }
        if (!answer_code(text, one, sizeof one, &v) || (prefix[0] && strcmp(prefix, one) != 0))
            return r;
        memcpy(prefix, one, sizeof prefix);
        values[i] = v;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        n_numbers++;
    }
    double min = lo <= 0 ? lo : 1;
    if (n_numbers >= 2 && hi - min >= 2 && hi - min <= 10) {
        r.kind = READ_CODES;
        memcpy(r.prefix, prefix, sizeof r.prefix);
        r.min = min;
        r.max = hi;
    }
    return r;
}

/* Whether a column can be an item: answers kept, a name the config can
 * hold, not an id. */
static bool may_be_item(const inspect_t *insp, size_t c)
{
    const inspect_column_t *column = &insp->columns[c];
    GString *ignored = g_string_new(NULL);
    bool ok = !column->more && column->n_answers > 0 && init_list_name(column->name, ignored) &&
              strcmp(column->name, "respondent_id") != 0 && strcmp(column->name, "manager_id") != 0;
    g_string_free(ignored, TRUE);
    return ok;
}

static void free_scale(scale_t *s)
{
    free(s->name);
    free(s->question);
    free(s->columns);
    if (s->values)
        g_hash_table_destroy(s->values);
    free(s->value_of);
    free(s->texts);
    free(s->reverse);
    free(s->reverse_r);
}

/* Make columns (taken over) a scale when their answers read as one. */
static bool add_scale(proposal_t *p, const char *question, size_t *columns, size_t n)
{
    if (n < 2) {
        free(columns);
        return false;
    }
    GPtrArray *answers = union_of_answers(p->insp, columns, n);
    double *values = calloc(answers->len + 1, sizeof *values);
    reading_t reading = values ? read_answers(answers, values) : (reading_t){.kind = READ_NONE};
    if (reading.kind == READ_NONE) {
        g_ptr_array_free(answers, TRUE);
        free(values);
        free(columns);
        return false;
    }
    p->scales = g_renew(scale_t, p->scales, p->n_scales + 1);
    scale_t *s = &p->scales[p->n_scales];
    memset(s, 0, sizeof *s);
    s->question = question ? strdup(question) : NULL;
    s->columns = columns;
    s->n_columns = n;
    s->reading = reading;
    s->value_of = values;
    s->n_values = answers->len;
    s->texts = (char **)g_ptr_array_free(answers, FALSE);
    s->values = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < s->n_values; i++)
        g_hash_table_insert(s->values, s->texts[i], GSIZE_TO_POINTER(i + 1));
    s->reverse = calloc(n, sizeof *s->reverse);
    s->reverse_r = calloc(n, sizeof *s->reverse_r);
    const char *fallback = reading.kind == READ_WORDS ? reading.vocab.kind : "engagement";
    s->name = section_name(p, question, fallback);
    p->n_scales++;
    for (size_t i = 0; i < n; i++)
        p->in_scale[columns[i]] = true;
    return true;
}

/* The reading of one column alone, for runs of side-by-side columns. */
static reading_t column_reading(const inspect_t *insp, size_t c)
{
    size_t one[1] = {c};
    GPtrArray *answers = union_of_answers(insp, one, 1);
    double *values = calloc(answers->len + 1, sizeof *values);
    reading_t r = values ? read_answers(answers, values) : (reading_t){.kind = READ_NONE};
    free(values);
    g_ptr_array_free(answers, TRUE);
    return r;
}

static bool same_family(const reading_t *a, const reading_t *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == READ_WORDS)
        return strcmp(a->vocab.language, b->vocab.language) == 0 && strcmp(a->vocab.kind, b->vocab.kind) == 0;
    if (a->kind == READ_CODES)
        return strcmp(a->prefix, b->prefix) == 0;
    return a->kind == READ_NUMBERS;
}

static void letters_range(const inspect_t *insp, const size_t *columns, size_t n, GString *out)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j + 1 < n && columns[j + 1] == columns[j] + 1)
            j++;
        g_string_append_printf(out, "%s%s", i ? "," : "", insp->columns[columns[i]].letters);
        if (j > i)
            g_string_append_printf(out, "-%s", insp->columns[columns[j]].letters);
        i = j + 1;
    }
}

/* Matrix questions first, in order of their first column; then runs of
 * side-by-side columns of no matrix. */
static void find_scales(proposal_t *p)
{
    const inspect_t *insp = p->insp;
    size_t n = insp->n_columns;
    bool *done = calloc(n + 1, sizeof *done);
    for (size_t c = 0; c < n; c++) {
        const char *question = insp->columns[c].question;
        if (!question || done[c])
            continue;
        size_t *members = calloc(n, sizeof *members), n_members = 0;
        GString *left_out = g_string_new(NULL);
        for (size_t k = c; k < n; k++) {
            if (!insp->columns[k].question || strcmp(insp->columns[k].question, question) != 0)
                continue;
            done[k] = true;
            if (may_be_item(insp, k))
                members[n_members++] = k;
            else
                g_string_append_printf(left_out, "%s%s", left_out->len ? ", " : "", insp->columns[k].letters);
        }
        size_t before = p->n_scales;
        /* the columns read the same way as the question's first */
        if (n_members >= 2) {
            reading_t first = column_reading(insp, members[0]);
            size_t kept = 0;
            for (size_t i = 0; i < n_members; i++) {
                reading_t r = column_reading(insp, members[i]);
                if (first.kind == READ_NONE || same_family(&first, &r) || r.kind == READ_NONE) {
                    if (r.kind == READ_NONE && first.kind != READ_NONE && insp->columns[members[i]].n_answers > 3) {
                        g_string_append_printf(left_out, "%s%s", left_out->len ? ", " : "",
                                               insp->columns[members[i]].letters);
                        continue;
                    }
                    members[kept++] = members[i];
                } else {
                    g_string_append_printf(left_out, "%s%s", left_out->len ? ", " : "",
                                           insp->columns[members[i]].letters);
                }
            }
            n_members = kept;
        }
        GString *where = g_string_new(NULL);
        letters_range(insp, members, n_members, where);
        if (!add_scale(p, question, members, n_members)) {
            g_string_append(p->notes, "; not proposed as a scale: ");
            inspect_quote(question, 60, p->notes);
            g_string_append_printf(p->notes, " (columns %s): its answers are not one rating scale\n",
                                   where->len ? where->str : insp->columns[c].letters);
        } else if (left_out->len) {
            g_string_append_printf(p->notes, "; left out of [scale %s]: column%s %s (answers of another kind)\n",
                                   p->scales[before].name, strchr(left_out->str, ',') ? "s" : "", left_out->str);
        }
        g_string_free(where, TRUE);
        g_string_free(left_out, TRUE);
    }
    /* runs of side-by-side rating columns */
    for (size_t c = 0; c < n;) {
        if (done[c] || !may_be_item(insp, c)) {
            c++;
            continue;
        }
        reading_t first = column_reading(insp, c);
        if (first.kind == READ_NONE) {
            c++;
            continue;
        }
        size_t end = c + 1;
        while (end < n && !done[end] && may_be_item(insp, end)) {
            reading_t r = column_reading(insp, end);
            if (!same_family(&first, &r))
                break;
            end++;
        }
        if (end - c >= 2) {
            size_t *members = calloc(end - c, sizeof *members);
            for (size_t k = c; k < end; k++)
                members[k - c] = k;
            add_scale(p, NULL, members, end - c);
        }
        c = end;
    }
    free(done);
}

/* ----------------------------------------------------- reverse keying */

/* The value of row r's answer in the scale's column i, or NAN. */
static double cell_value(const scale_t *s, const inspect_t *insp, size_t r, size_t i)
{
    int k = inspect_cell(insp, r, s->columns[i]);
    if (k < 0)
        return NAN;
    const char *text = insp->columns[s->columns[i]].answers[k].text;
    gpointer found = g_hash_table_lookup(s->values, text);
    return found ? s->value_of[GPOINTER_TO_SIZE(found) - 1] : NAN;
}

static void find_reversed(scale_t *s, const inspect_t *insp)
{
    size_t n = s->n_columns, rows = insp->kept_rows;
    if (n < 3 || rows < MIN_CORRELATION_ROWS)
        return;
    double *v = malloc(rows * n * sizeof *v);
    double *x = malloc(rows * sizeof *x), *y = malloc(rows * sizeof *y);
    if (!v || !x || !y)
        goto done;
    for (size_t r = 0; r < rows; r++)
        for (size_t i = 0; i < n; i++)
            v[r * n + i] = cell_value(s, insp, r, i);
    double flip = s->reading.min + s->reading.max;
    for (size_t round = 0; round < n; round++) {
        size_t worst = SIZE_MAX;
        double worst_r = 0;
        for (size_t i = 0; i < n; i++) {
            if (s->reverse[i])
                continue;
            size_t m = 0;
            for (size_t r = 0; r < rows; r++) {
                double own = v[r * n + i], sum = 0;
                size_t others = 0;
                if (isnan(own))
                    continue;
                for (size_t j = 0; j < n; j++) {
                    double w = v[r * n + j];
                    if (j == i || isnan(w))
                        continue;
                    sum += s->reverse[j] ? flip - w : w;
                    others++;
                }
                if (others) {
                    x[m] = own;
                    y[m] = sum / (double)others;
                    m++;
                }
            }
            if (m < MIN_CORRELATION_ROWS)
                continue;
            double corr = gsl_stats_correlation(x, 1, y, 1, m);
            if (isfinite(corr) && corr < worst_r) {
                worst_r = corr;
                worst = i;
            }
        }
        if (worst == SIZE_MAX)
            break;
        s->reverse[worst] = true;
        s->reverse_r[worst] = worst_r;
    }
done:
    free(v);
    free(x);
    free(y);
}

/* -------------------------------------------------------- the manager */

static bool name_is(const char *name, const char *word)
{
    while (*name == ' ')
        name++;
    size_t n = strlen(word);
    if (strncasecmp(name, word, n) != 0)
        return false;
    for (name += n; *name; name++)
        if (*name != ' ')
            return false;
    return true;
}

/* Values repeat as a team's do: the answers kept average two rows or more. */
static bool looks_grouped(const inspect_column_t *c)
{
    size_t total = 0;
    for (size_t k = 0; k < c->n_answers; k++)
        total += c->answers[k].count;
    return c->n_answers >= 2 && total >= 2 * c->n_answers;
}

/* The manager column, or SIZE_MAX: a column named as a manager, a
 * supervisor or a team, else embedded data (SurveyMonkey's Custom Data N)
 * whose values repeat as teams do. */
static size_t find_manager(const proposal_t *p)
{
    const inspect_t *insp = p->insp;
    GString *ignored = g_string_new(NULL);
    size_t found = SIZE_MAX;
    for (size_t w = 0; MANAGER_NAMES[w] && found == SIZE_MAX; w++)
        for (size_t c = 0; c < insp->n_columns && found == SIZE_MAX; c++)
            if (!p->in_scale[c] && insp->columns[c].answered && name_is(insp->columns[c].name, MANAGER_NAMES[w]) &&
                init_list_name(insp->columns[c].name, ignored))
                found = c;
    for (size_t c = 0; c < insp->n_columns && found == SIZE_MAX; c++) {
        const inspect_column_t *column = &insp->columns[c];
        if (!p->in_scale[c] && strncasecmp(column->name, "Custom Data", 11) == 0 && looks_grouped(column) &&
            column->answered * 10 >= insp->rows * 9 && init_list_name(column->name, ignored))
            found = c;
    }
    g_string_free(ignored, TRUE);
    return found;
}

/* A column holding an employee's e-mail or id, to suggest as roster key. */
static size_t find_roster_key(const inspect_t *insp)
{
    static const char *const words[] = {"email", "e-mail", "mail", "employee", "personnel", NULL};
    for (size_t w = 0; words[w]; w++)
        for (size_t c = 0; c < insp->n_columns; c++)
            if (strcasestr(insp->columns[c].name, words[w]) && insp->columns[c].answered)
                return c;
    return SIZE_MAX;
}

/* ----------------------------------------------------------- writing */

/* key = a list of names, continued on indented lines (a long name on a
 * line of its own). */
static void write_list(GString *out, const char *key, char *const *names, size_t n)
{
    enum { LIST_WIDTH = 100 };
    size_t line_start = out->len;
    g_string_append_printf(out, "%s = ", key);
    for (size_t i = 0; i < n; i++) {
        GString *name = g_string_new(NULL);
        init_list_name(names[i], name);
        size_t width = out->len - line_start;
        if (i > 0 && width + name->len + 2 > LIST_WIDTH) {
            g_string_append(out, ",\n    ");
            line_start = out->len - 4;
        } else if (i > 0) {
            g_string_append(out, ", ");
        }
        g_string_append_len(out, name->str, (gssize)name->len);
        g_string_free(name, TRUE);
    }
    g_string_append_c(out, '\n');
}

static void describe_reading(const reading_t *r, GString *out)
{
    switch (r->kind) {
    case READ_WORDS:
        g_string_append_printf(out, "%s %s words, %d points", r->vocab.language, r->vocab.kind, r->vocab.points);
        break;
    case READ_CODES:
        g_string_append_printf(out, "answer codes %s%g..%s%g, read as their numbers (check them against the "
                                    "survey's answer options)", r->prefix, r->min, r->prefix, r->max);
        break;
    case READ_NUMBERS:
        g_string_append_printf(out, "numbers %g..%g as seen (check the question's own range)", r->min, r->max);
        break;
    case READ_NONE: break;
    }
}

/* Label sets: scales read through the same words share one. */
typedef struct {
    char *name;                /* "" for [labels] */
    size_t first_scale;
} label_set_t;

static bool same_labels(const scale_t *a, const scale_t *b)
{
    if (a->reading.kind != b->reading.kind || a->reading.min != b->reading.min || a->reading.max != b->reading.max)
        return false;
    if (a->reading.kind == READ_CODES)
        return strcmp(a->reading.prefix, b->reading.prefix) == 0;
    return strcmp(a->reading.vocab.language, b->reading.vocab.language) == 0 &&
           strcmp(a->reading.vocab.kind, b->reading.vocab.kind) == 0 &&
           a->reading.vocab.points == b->reading.vocab.points;
}

/* answers.c's reading of text through a label set of one label. */
static bool reads_as(const char *label, const char *text, double value)
{
    config_label_t one = {.text = (char *)label, .value = value};
    config_label_set_t set = {.name = (char *)"", .labels = &one, .n_labels = 1};
    config_t none = {0};
    double read;
    return answers_read(&none, &set, text, strlen(text), &read) == ANSWER_VALUE && read == value;
}

/* The words of a numbered answer as its label key ("5 - Agree" -> "Agree"),
 * when they can be a key and the config reads the answer through them. */
static char *words_key(const char *text, double value)
{
    const char *words;
    size_t len;
    double number;
    if (!vocab_words(text, &words, &len, &number))
        return NULL;
    char *key = g_strstrip(g_strndup(words, len));
    if (init_label_key(key) && reads_as(key, text, value))
        return key;
    g_free(key);
    return NULL;
}

typedef struct {
    const char *text;
    double value;
    size_t order;
    bool unseen;               /* a point of the scale no answer used */
} label_t;

static int by_value(const void *a, const void *b)
{
    const label_t *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* A label set: every answer its scales read through words or codes, from
 * the lowest value to the highest. */
static void write_labels(const proposal_t *p, const label_set_t *set, size_t index, GString *out)
{
    const scale_t *first = &p->scales[set->first_scale];
    g_string_append(out, "; answers as ");
    describe_reading(&first->reading, out);
    g_string_append(out, set->name[0] ? "\n[labels " : "\n[labels");
    g_string_append_printf(out, "%s]\n", set->name);
    GArray *labels = g_array_new(FALSE, FALSE, sizeof(label_t));
    for (size_t s = 0; s < p->n_scales; s++) {
        const scale_t *scale = &p->scales[s];
        for (size_t i = 0; scale->label_set == index && i < scale->n_values; i++) {
            if (!isnan(scale->value_of[i])) {
                label_t one = {scale->texts[i], scale->value_of[i], labels->len, false};
                g_array_append_val(labels, one);
            }
        }
    }
    /* The points of the scale no answer of this export used, in the
     * vocabulary's own words, so that a later wave reads them too. */
    GPtrArray *unseen_words = g_ptr_array_new_with_free_func(g_free);
    if (first->reading.kind == READ_WORDS) {
        for (int position = 1; position <= first->reading.vocab.points; position++) {
            double value = first->reading.min + position - 1;
            bool used = false;
            for (size_t i = 0; i < labels->len && !used; i++)
                used = g_array_index(labels, label_t, i).value == value;
            if (used)
                continue;
            const char *words;
            size_t len;
            vocab_point_words(&first->reading.vocab, position, &words, &len);
            char *text = g_strndup(words, len);
            g_ptr_array_add(unseen_words, text);
            label_t one = {text, value, labels->len, true};
            g_array_append_val(labels, one);
        }
    }
    g_array_sort(labels, by_value);
    GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < labels->len; i++) {
        const label_t *label = &g_array_index(labels, label_t, i);
        /* the answer as written, else its words without the number when
         * the config reads the answer through them */
        char *key = g_strstrip(g_strdup(label->text));
        if (!init_label_key(key)) {
            g_free(key);
            key = words_key(label->text, label->value);
        }
        bool duplicate = false;
        for (size_t k = 0; key && k < keys->len && !duplicate; k++)
            duplicate = strcasecmp(g_ptr_array_index(keys, k), key) == 0;
        if (!key) {
            g_string_append(out, "; cannot be a label (it holds '=', ':' or ' ;'): ");
            inspect_quote(label->text, 80, out);
            g_string_append_printf(out, " = %g\n", label->value);
        } else if (!duplicate) {
            g_string_append_printf(out, "%s = %g%s\n", key, label->value,
                                   label->unseen ? "   ; no answer of this export, a point of the scale" : "");
            g_ptr_array_add(keys, key);
            key = NULL;
        }
        g_free(key);
    }
    g_ptr_array_free(keys, TRUE);
    g_ptr_array_free(unseen_words, TRUE);
    g_array_free(labels, TRUE);
    g_string_append_c(out, '\n');
}

static void write_scale(const proposal_t *p, const scale_t *s, const char *label_set_name, GString *out)
{
    const inspect_t *insp = p->insp;
    g_string_append(out, "; ");
    if (s->question) {
        inspect_quote(s->question, 100, out);
        g_string_append(out, ": ");
    }
    g_string_append_printf(out, "%zu items, columns ", s->n_columns);
    letters_range(insp, s->columns, s->n_columns, out);
    g_string_append(out, "; answers as ");
    describe_reading(&s->reading, out);
    g_string_append_printf(out, "\n[scale %s]\n", s->name);
    char **names = calloc(s->n_columns + 1, sizeof *names);
    for (size_t i = 0; i < s->n_columns; i++)
        names[i] = insp->columns[s->columns[i]].name;
    write_list(out, "items", names, s->n_columns);
    size_t n_reversed = 0;
    for (size_t i = 0; i < s->n_columns; i++) {
        if (!s->reverse[i])
            continue;
        g_string_append_printf(out, "; column %s looks reverse-keyed: item-rest correlation %.2f\n",
                               insp->columns[s->columns[i]].letters, s->reverse_r[i]);
        names[n_reversed++] = insp->columns[s->columns[i]].name;
    }
    if (n_reversed) {
        g_string_append(out, "; if it is worded negatively, remove the ';' of the next line to reverse it\n; ");
        GString *line = g_string_new("reverse = ");
        for (size_t i = 0; i < n_reversed; i++) {
            if (i)
                g_string_append(line, ", ");
            init_list_name(names[i], line);
        }
        g_string_append_printf(out, "%s\n", line->str);
        g_string_free(line, TRUE);
    }
    free(names);
    if (label_set_name)
        g_string_append_printf(out, "labels = %s\n", label_set_name);
    g_string_append_printf(out, "min = %g\nmax = %g\n\n", s->reading.min, s->reading.max);
}

/* The "no answer" words of the scales' answers beyond the defaults. */
static void write_missing(const proposal_t *p, GString *out)
{
    GPtrArray *words = g_ptr_array_new();
    for (size_t s = 0; s < p->n_scales; s++) {
        const scale_t *scale = &p->scales[s];
        for (size_t i = 0; i < scale->n_values; i++) {
            const char *text = scale->texts[i];
            if (!isnan(scale->value_of[i]) || is_default_missing(text))
                continue;
            bool known = false;
            for (size_t k = 0; k < words->len && !known; k++)
                known = strcasecmp(g_ptr_array_index(words, k), text) == 0;
            GString *ignored = g_string_new(NULL);
            if (!known && init_list_name(text, ignored))
                g_ptr_array_add(words, (gpointer)text);
            g_string_free(ignored, TRUE);
        }
    }
    if (words->len) {
        g_string_append(out, "; answers that mean no answer: the defaults and those found\nmissing = ");
        for (size_t i = 0; DEFAULT_MISSING[i]; i++)
            g_string_append_printf(out, "%s%s", i ? ", " : "", DEFAULT_MISSING[i]);
        for (size_t k = 0; k < words->len; k++) {
            g_string_append(out, ", ");
            init_list_name(g_ptr_array_index(words, k), out);
        }
        g_string_append_c(out, '\n');
    }
    g_ptr_array_free(words, TRUE);
}

static void write_roster_template(const inspect_t *insp, GString *out)
{
    size_t key = find_roster_key(insp);
    g_string_append(out, "\n; No column names the manager (Manager, Supervisor, Team or embedded data such as\n"
                         "; Custom Data 1), so `engage run` needs the HRIS roster: remove the ';' of the lines\n"
                         "; below, set file to the roster's CSV (relative to this config) and employee, manager\n"
                         "; (and unit) to its columns, and key to the column of this export that holds each\n"
                         "; respondent's employee id or e-mail");
    GString *name = g_string_new(NULL);
    if (key != SIZE_MAX && init_list_name(insp->columns[key].name, name)) {
        g_string_append_printf(out, " (here perhaps column %s).\n", insp->columns[key].letters);
    } else {
        g_string_append(out, ".\n");
        g_string_assign(name, "EMPLOYEE_COLUMN");
    }
    g_string_append_printf(out, ";[roster]\n;file = roster.csv\n;key = %s\n;employee = employee_email\n"
                                ";manager = manager_id\n;unit = department\n",
                           name->str);
    g_string_free(name, TRUE);
}

engage_status_t init_propose(const inspect_t *insp, GString *out, engage_error_t *err)
{
    (void)err;
    proposal_t p = {.insp = insp, .in_scale = calloc(insp->n_columns + 1, sizeof *p.in_scale),
                    .notes = g_string_new(NULL)};
    if (!p.in_scale) {
        g_string_free(p.notes, TRUE);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    find_scales(&p);
    for (size_t s = 0; s < p.n_scales; s++)
        find_reversed(&p.scales[s], insp);

    /* label sets */
    label_set_t *sets = calloc(p.n_scales + 1, sizeof *sets);
    size_t n_sets = 0;
    for (size_t s = 0; s < p.n_scales; s++) {
        scale_t *scale = &p.scales[s];
        if (scale->reading.kind != READ_WORDS && scale->reading.kind != READ_CODES)
            continue;
        size_t k = 0;
        while (k < n_sets && !same_labels(&p.scales[sets[k].first_scale], scale))
            k++;
        if (k == n_sets) {
            sets[k].first_scale = s;
            if (n_sets == 0) {
                sets[k].name = g_strdup("");
            } else {
                char *base = scale->reading.kind == READ_CODES
                                 ? g_strdup_printf("codes_%s", scale->reading.prefix)
                                 : g_strdup_printf("%s_%d", scale->reading.vocab.kind, scale->reading.vocab.points);
                sets[k].name = g_ascii_strdown(base, -1);
                g_free(base);
                for (size_t j = 0; j < k; j++)
                    if (strcmp(sets[j].name, sets[k].name) == 0) {
                        char *unique = g_strdup_printf("%s_%zu", sets[k].name, k + 1);
                        g_free(sets[k].name);
                        sets[k].name = unique;
                    }
            }
            n_sets++;
        }
        scale->label_set = k;
    }

    const inspect_file_t *first = &insp->files[0];
    g_string_append(out, "; engage config proposed by `engage init` for ");
    inspect_quote(first->path, 80, out);
    g_string_append_printf(out, "%s (%s, %zu data rows).\n", insp->n_files == 1 ? "" : " and more",
                           formats_layout(first->kind), insp->rows);
    g_string_append(out, "; Check each proposal (scales, labels, min and max, the manager) before trusting the\n"
                         "; figures; `engage check -c THIS_FILE EXPORT` shows how the export is then read.\n;\n"
                         "; Columns (letter, name as items = spells it, answers seen):\n");
    inspect_describe(insp, ";   ", INIT_COMMENT_WIDTH, out);
    if (p.notes->len) {
        g_string_append(out, ";\n");
        g_string_append_len(out, p.notes->str, (gssize)p.notes->len);
    }
    GString *input = g_string_new(NULL);
    if (first->kind != FORMAT_CANONICAL)
        g_string_append_printf(input, "format = %s\n", formats_name(first->kind));
    size_t manager = find_manager(&p);
    bool canonical_manager = manager != SIZE_MAX && first->kind == FORMAT_CANONICAL &&
                             strcmp(insp->columns[manager].name, "manager_id") == 0;
    if (manager != SIZE_MAX && !canonical_manager) {
        g_string_append_printf(input, "; the manager: column %s\nmanager = ", insp->columns[manager].letters);
        init_list_name(insp->columns[manager].name, input);
        g_string_append_c(input, '\n');
    }
    write_missing(&p, input);
    g_string_append(out, "\n");
    if (input->len)
        g_string_append_printf(out, "[input]\n%s\n", input->str);
    g_string_free(input, TRUE);

    for (size_t k = 0; k < n_sets; k++)
        write_labels(&p, &sets[k], k, out);
    if (p.n_scales == 0)
        g_string_append(out, "; No matrix question or side-by-side rating columns found: write a [scale NAME]\n"
                             "; with items = the columns listed above.\n");
    for (size_t s = 0; s < p.n_scales; s++) {
        const scale_t *scale = &p.scales[s];
        bool labelled = scale->reading.kind == READ_WORDS || scale->reading.kind == READ_CODES;
        const char *set_name = labelled && sets[scale->label_set].name[0] ? sets[scale->label_set].name : NULL;
        write_scale(&p, scale, set_name, out);
    }
    if (manager == SIZE_MAX && !(first->kind == FORMAT_CANONICAL))
        write_roster_template(insp, out);

    for (size_t k = 0; k < n_sets; k++)
        g_free(sets[k].name);
    free(sets);
    for (size_t s = 0; s < p.n_scales; s++)
        free_scale(&p.scales[s]);
    g_free(p.scales);
    free(p.in_scale);
    g_string_free(p.notes, TRUE);
    return ENGAGE_OK;
}

engage_status_t init_write_file(const char *path, const char *text, size_t len, bool replace,
                                engage_error_t *err)
{
    char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(errno));
        g_free(tmp);
        return ENGAGE_ECANTCREAT;
    }
    mode_t mask = umask(0);
    umask(mask);
    engage_status_t st = ENGAGE_OK;
    if (fchmod(fd, 0666 & ~mask) != 0)
        st = engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(errno));
    for (size_t done = 0; st == ENGAGE_OK && done < len;) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            st = engage_fail(err, ENGAGE_EIO, path, 0, "cannot write: %s", strerror(errno));
        else
            done += (size_t)n;
    }
    if (close(fd) != 0 && st == ENGAGE_OK)
        st = engage_fail(err, ENGAGE_EIO, path, 0, "cannot write: %s", strerror(errno));
    if (st == ENGAGE_OK && replace) {
        if (rename(tmp, path) != 0)
            st = engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(errno));
    } else if (st == ENGAGE_OK) {
        /* link() never replaces: the check and the write are one step.
         * A file system without hard links checks first, then renames. */
        bool exists = false;
        if (link(tmp, path) != 0) {
            int why = errno;
            if (why == EEXIST || access(path, F_OK) == 0)
                exists = true;
            else if ((why != EPERM && why != ENOTSUP && why != EOPNOTSUPP) || rename(tmp, path) != 0)
                st = engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(why));
        }
        if (exists) {
            st = engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "already exists; nothing was written");
            engage_hint(err, "--force replaces it, or name another file with -o");
        }
    }
    unlink(tmp);
    g_free(tmp);
    return st;
}
