/*
 * report/item_labels.c — the short label of each item of a scale, the one
 * rule by which report.txt and report.html name items (item_labels.h).
 *
 * A survey tool repeats the question in every column of a matrix:
 * SurveyMonkey `Question - Statement`, Google Forms and LimeSurvey's full
 * text `Question [Row]`.  The part that tells the items apart is what the
 * names do not share: the longest common prefix that ends at a separator
 * and the longest common suffix that starts at one.  Separators only, never
 * any space: "I am proud ..." and "I would recommend ..." share "I ", which
 * is a word of each statement, not a question to drop.  Codes (`Q1_1`,
 * `Q1[SQ001]`) have no separator and stay as they are.
 *
 * Works on bytes: every separator is ASCII, so a prefix or suffix ending or
 * starting at one never splits a UTF-8 character; the length cut counts
 * characters (lead bytes) and cuts only before a lead byte.  Time
 * O(bytes of the names + n log n), so a scale of 100,000 columns costs
 * little.  Owns the labels it returns.
 */
#include "item_labels.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xE2\x80\xA6"   /* … */

/* What a dropped prefix ends with, and what a dropped suffix starts with. */
static const char *const PREFIX_ENDS[] = { " - ", ": ", " [", " (", NULL };
static const char *const SUFFIX_STARTS[] = { " - ", " (", " [", NULL };

static bool is_lead(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

static size_t chars_of(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += is_lead((unsigned char)s[i]);
    return n;
}

/* Byte offset of character number `index` (0-based) of s[0..len), or len. */
static size_t offset_of_char(const char *s, size_t len, size_t index)
{
    size_t c = 0;
    for (size_t i = 0; i < len; i++) {
        if (is_lead((unsigned char)s[i])) {
            if (c == index)
                return i;
            c++;
        }
    }
    return len;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* A span s[0..len) without its surrounding spaces: its start moved in *s. */
static size_t trim(const char **s, size_t len)
{
    while (len > 0 && is_space(**s)) {
        (*s)++;
        len--;
    }
    while (len > 0 && is_space((*s)[len - 1]))
        len--;
    return len;
}

static char *copy_span(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/* The separator of `list` that s[0..len) ends with (as_suffix: starts
 * with), or NULL. */
static const char *separator_at(const char *s, size_t len, const char *const *list, bool as_suffix)
{
    for (const char *const *sep = list; *sep; sep++) {
        size_t l = strlen(*sep);
        if (l <= len && memcmp(as_suffix ? s : s + len - l, *sep, l) == 0)
            return *sep;
    }
    return NULL;
}

/* A name less what the scale's names share: name[start .. start + len). */
typedef struct {
    const char *name;
    size_t start, len;
} part_t;

/* Whether every part, trimmed, keeps at least one character when `drop`
 * bytes more are taken off its start (from_end: its end). */
static bool all_keep_text(const part_t *parts, size_t n, size_t drop, bool from_end)
{
    for (size_t i = 0; i < n; i++) {
        if (parts[i].len <= drop)
            return false;
        const char *s = parts[i].name + parts[i].start + (from_end ? 0 : drop);
        if (trim(&s, parts[i].len - drop) == 0)
            return false;
    }
    return true;
}

/* Drop the longest common prefix that ends with a separator; after an
 * opening bracket, only when every name ends with the closing one. */
static void drop_prefix(part_t *parts, size_t n)
{
    size_t common = parts[0].len;
    for (size_t i = 1; i < n && common > 0; i++) {
        size_t k = 0;
        while (k < common && k < parts[i].len && parts[0].name[k] == parts[i].name[k])
            k++;
        common = k;
    }
    for (size_t p = common; p > 0; p--) {
        const char *sep = separator_at(parts[0].name, p, PREFIX_ENDS, false);
        if (!sep)
            continue;
        char close = strcmp(sep, " [") == 0 ? ']' : strcmp(sep, " (") == 0 ? ')' : '\0';
        bool closed = true;
        for (size_t i = 0; i < n && close && closed; i++)
            closed = parts[i].len > p && parts[i].name[parts[i].len - 1] == close;
        if (!closed)
            continue;
        size_t tail = close ? 1 : 0;
        bool kept = true;
        for (size_t i = 0; i < n && kept; i++) {
            const char *s = parts[i].name + p;
            kept = parts[i].len >= p + tail && trim(&s, parts[i].len - p - tail) > 0;
        }
        if (!kept)
            continue;
        for (size_t i = 0; i < n; i++) {
            parts[i].start = p;
            parts[i].len -= p + tail;
        }
        return;
    }
}

/* Drop the longest common suffix that starts with a separator. */
static void drop_suffix(part_t *parts, size_t n)
{
    const char *first = parts[0].name + parts[0].start;
    size_t common = parts[0].len;
    for (size_t i = 1; i < n && common > 0; i++) {
        const char *other = parts[i].name + parts[i].start;
        size_t k = 0;
        while (k < common && k < parts[i].len &&
               first[parts[0].len - 1 - k] == other[parts[i].len - 1 - k])
            k++;
        common = k;
    }
    for (size_t s = common; s > 0; s--) {
        if (!separator_at(first + parts[0].len - s, s, SUFFIX_STARTS, true))
            continue;
        if (!all_keep_text(parts, n, s, true))
            continue;
        for (size_t i = 0; i < n; i++)
            parts[i].len -= s;
        return;
    }
}

/* s[0..len) in at most ITEM_LABEL_MAX_CHARS characters: as it is, or its
 * start cut at the last space of its second half (else at a character)
 * with "…" after it. */
static char *cut_end(const char *s, size_t len)
{
    if (chars_of(s, len) <= ITEM_LABEL_MAX_CHARS)
        return copy_span(s, len);
    size_t keep = offset_of_char(s, len, ITEM_LABEL_MAX_CHARS - 1);
    size_t half = offset_of_char(s, len, ITEM_LABEL_MAX_CHARS / 2);
    size_t end = keep;
    for (size_t i = keep; i > half; i--) {
        if (is_space(s[i])) {
            end = i;
            break;
        }
    }
    size_t kept = end;
    while (end > 0 && (is_space(s[end - 1]) || s[end - 1] == ',' || s[end - 1] == ';' ||
                       s[end - 1] == ':'))
        end--;
    if (end == 0)   /* nothing but spaces and commas: cut at the character */
        end = kept;
    char *d = malloc(end + sizeof ELLIPSIS);
    if (d) {
        memcpy(d, s, end);
        memcpy(d + end, ELLIPSIS, sizeof ELLIPSIS);
    }
    return d;
}

/* s[0..len) in at most ITEM_LABEL_MAX_CHARS characters keeping its start
 * and its end: "start … end", each cut at a space where one lies in its
 * inner half. */
static char *cut_middle(const char *s, size_t len)
{
    size_t chars = chars_of(s, len);
    if (chars <= ITEM_LABEL_MAX_CHARS)
        return copy_span(s, len);
    size_t head_chars = (ITEM_LABEL_MAX_CHARS - 1) / 2;
    size_t tail_chars = ITEM_LABEL_MAX_CHARS - 1 - head_chars;
    size_t head = offset_of_char(s, len, head_chars);
    for (size_t i = head, inner = offset_of_char(s, len, head_chars / 2); i > inner; i--)
        if (is_space(s[i])) {
            head = i;
            break;
        }
    size_t tail = offset_of_char(s, len, chars - tail_chars);
    for (size_t i = tail, inner = offset_of_char(s, len, chars - tail_chars / 2); i < inner; i++)
        if (is_space(s[i])) {
            tail = i + 1;
            break;
        }
    while (head > 0 && is_space(s[head - 1]))
        head--;
    char *d = malloc(head + strlen(ELLIPSIS) + (len - tail) + 1);
    if (d) {
        memcpy(d, s, head);
        memcpy(d + head, ELLIPSIS, strlen(ELLIPSIS));
        memcpy(d + head + strlen(ELLIPSIS), s + tail, len - tail);
        d[head + strlen(ELLIPSIS) + len - tail] = '\0';
    }
    return d;
}

static int by_label(const void *a, const void *b, void *labels)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(((char *const *)labels)[i], ((char *const *)labels)[j]);
    return c ? c : (i > j) - (i < j);
}

/* Mark in `clash` every label equal to another (order: room for n
 * indices); whether any is. */
static bool find_clashes(char *const *labels, size_t n, size_t *order, bool *clash)
{
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        clash[i] = false;
    }
    qsort_r(order, n, sizeof *order, by_label, (void *)labels);
    bool any = false;
    for (size_t k = 1; k < n; k++)
        if (strcmp(labels[order[k - 1]], labels[order[k]]) == 0)
            any = clash[order[k - 1]] = clash[order[k]] = true;
    return any;
}

void item_labels_free(item_labels_t *labels)
{
    if (!labels)
        return;
    for (size_t i = 0; i < labels->n; i++)
        free(labels->text[i]);
    free(labels->text);
    free(labels);
}

/* Every label the full name: distinct when the names are. */
static bool use_full_names(item_labels_t *out, const char *const *names)
{
    for (size_t i = 0; i < out->n; i++) {
        free(out->text[i]);
        out->text[i] = strdup(names[i]);
        if (!out->text[i])
            return false;
    }
    return true;
}

item_labels_t *item_labels_new(const char *const *names, const char *const *given, size_t n)
{
    item_labels_t *out = calloc(1, sizeof *out);
    part_t *parts = calloc(n ? n : 1, sizeof *parts);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    bool *clash = malloc((n ? n : 1) * sizeof *clash);
    bool ok = out && parts && order && clash;
    if (ok) {
        out->text = calloc(n ? n : 1, sizeof *out->text);
        out->n = n;
        ok = out->text != NULL;
    }
    if (ok && given) {
        for (size_t i = 0; i < n && ok; i++)
            ok = (out->text[i] = strdup(given[i])) != NULL;
        goto done;
    }
    for (size_t i = 0; ok && i < n; i++)
        parts[i] = (part_t){ names[i], 0, strlen(names[i]) };
    if (ok && n >= 2) {
        drop_prefix(parts, n);
        drop_suffix(parts, n);
    }
    for (size_t i = 0; ok && i < n; i++) {
        const char *s = parts[i].name + parts[i].start;
        size_t len = trim(&s, parts[i].len);
        if (len == 0) {
            s = names[i];
            len = strlen(s);
        }
        ok = (out->text[i] = cut_end(s, len)) != NULL;
    }
    if (ok && n >= 2 && find_clashes(out->text, n, order, clash)) {
        /* a cut made them equal: keep both ends */
        for (size_t i = 0; ok && i < n; i++) {
            const char *s = parts[i].name + parts[i].start;
            size_t len = trim(&s, parts[i].len);
            if (!clash[i] || len == 0 || chars_of(s, len) <= ITEM_LABEL_MAX_CHARS)
                continue;
            free(out->text[i]);
            ok = (out->text[i] = cut_middle(s, len)) != NULL;
        }
        /* still equal (or equal without a cut): the full names */
        if (ok && find_clashes(out->text, n, order, clash))
            ok = use_full_names(out, names);
    }
done:
    free(parts);
    free(order);
    free(clash);
    if (!ok) {
        item_labels_free(out);
        return NULL;
    }
    return out;
}

item_labels_t *item_labels_of_scale(const config_t *cfg, const dataset_t *ds,
                                    const dataset_scale_t *scale)
{
    const char **names = malloc((scale->n_items ? scale->n_items : 1) * sizeof *names);
    if (!names)
        return NULL;
    for (size_t i = 0; i < scale->n_items; i++)
        names[i] = dataset_column_name(ds, scale->items[i]);
    const char *const *given = NULL;
    for (size_t s = 0; cfg && s < cfg->n_scales && !given; s++) {
        const config_scale_t *cs = &cfg->scales[s];
        if (strcmp(cs->name, scale->name) == 0 && cs->n_short_names == scale->n_items &&
            cs->n_short_names > 0)
            given = (const char *const *)cs->short_names;
    }
    item_labels_t *labels = item_labels_new(names, given, scale->n_items);
    free(names);
    return labels;
}
