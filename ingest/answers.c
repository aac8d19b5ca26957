/*
 * ingest/answers.c — answer cells to numbers (see answers.h).
 *
 * The common case, a short integer, is read without strtod; anything else
 * that looks numeric goes through strtod on a bounded copy.
 */
#include "answers.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { NUMBER_MAX = 64 };

static inline bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

void answers_trim(const char **text, size_t *len)
{
    while (*len && is_space(**text)) {
        (*text)++;
        (*len)--;
    }
    while (*len && is_space((*text)[*len - 1]))
        (*len)--;
}

/* Is the one-character answer c one of the missing words? */
static bool is_missing_char(const config_t *cfg, char c)
{
    for (size_t i = 0; i < cfg->n_missing; i++)
        if (cfg->missing[i][0] == c && cfg->missing[i][1] == '\0')
            return true;
    return false;
}

int answers_parse_number(const char *text, size_t len, double *value)
{
    answers_trim(&text, &len);
    if (len == 0)
        return 0;
    /* Fast path: optional sign and up to 9 digits. */
    size_t i = 0;
    bool negative = false;
    if (text[0] == '-' || text[0] == '+') {
        negative = text[0] == '-';
        i = 1;
    }
    if (i < len && len - i <= 9) {
        long n = 0;
        size_t j = i;
        while (j < len && text[j] >= '0' && text[j] <= '9')
            n = n * 10 + (text[j++] - '0');
        if (j == len && j > i) {
            *value = negative ? (double)-n : (double)n;
            return 1;
        }
    }
    if (len >= NUMBER_MAX)
        return 0;
    /* strtod accepts hex, inf and nan: allow only digits, sign, '.', e/E. */
    for (size_t k = 0; k < len; k++) {
        char c = text[k];
        if (!(isdigit((unsigned char)c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            return 0;
    }
    char copy[NUMBER_MAX];
    memcpy(copy, text, len);
    copy[len] = '\0';
    char *end;
    double v = strtod(copy, &end);
    if (end != copy + len || !isfinite(v))
        return 0;
    *value = v;
    return 1;
}

char *answers_match_form(const char *text, size_t len)
{
    answers_trim(&text, &len);
    char *form = malloc(len + 1);
    if (!form)
        return NULL;
    for (size_t i = 0; i < len; i++)
        form[i] = (char)tolower((unsigned char)text[i]);
    form[len] = '\0';
    return form;
}

static const config_label_t *find_label(const config_label_set_t *labels, const char *text, size_t len)
{
    answers_trim(&text, &len);
    if (!labels || len == 0)
        return NULL;
    for (size_t i = 0; i < labels->n_labels; i++) {
        const char *label = labels->labels[i].text;
        if (strlen(label) == len && strncasecmp(label, text, len) == 0)
            return &labels->labels[i];
    }
    return NULL;
}

/* "5 - Strongly agree": the label after a leading number and a dash. */
static const config_label_t *find_numbered_prefix(const config_label_set_t *labels, const char *text,
                                                  size_t len)
{
    size_t digits = 0;
    while (digits < len && (isdigit((unsigned char)text[digits]) || text[digits] == '.'))
        digits++;
    if (digits == 0)
        return NULL;
    size_t k = digits;
    while (k < len && text[k] == ' ')
        k++;
    if (k >= len || text[k] != '-')
        return NULL;
    return find_label(labels, text + k + 1, len - k - 1);
}

/* "Strongly agree (5)": the label before a trailing parenthesised number. */
static const config_label_t *find_numbered_suffix(const config_label_set_t *labels, const char *text,
                                                  size_t len)
{
    if (len < 3 || text[len - 1] != ')')
        return NULL;
    size_t open = len - 1;
    while (open > 0 && text[open - 1] != '(')
        open--;
    if (open == 0)
        return NULL;
    double ignored;
    if (!answers_parse_number(text + open, len - 1 - open, &ignored))
        return NULL;
    return find_label(labels, text, open - 1);
}

answer_kind_t answers_read(const config_t *cfg, const config_label_set_t *labels, const char *text,
                           size_t len, double *value)
{
    /* The common case first: a one-digit answer. */
    if (len == 1 && text[0] >= '0' && text[0] <= '9' && !is_missing_char(cfg, text[0])) {
        *value = text[0] - '0';
        return ANSWER_VALUE;
    }
    answers_trim(&text, &len);
    if (len == 0)
        return ANSWER_MISSING;
    for (size_t i = 0; i < cfg->n_missing; i++) {
        const char *word = cfg->missing[i];
        if (tolower((unsigned char)word[0]) == tolower((unsigned char)text[0]) && strlen(word) == len &&
            strncasecmp(word, text, len) == 0)
            return ANSWER_MISSING;
    }
    if (answers_parse_number(text, len, value))
        return ANSWER_VALUE;
    const config_label_t *label = find_label(labels, text, len);
    if (!label)
        label = find_numbered_prefix(labels, text, len);
    if (!label)
        label = find_numbered_suffix(labels, text, len);
    if (!label)
        return ANSWER_UNKNOWN;
    *value = label->value;
    return ANSWER_VALUE;
}
