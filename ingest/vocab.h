/*
 * ingest/vocab.h — the answer words of common rating scales, for `engage
 * init` to propose [labels] from the answers an export holds.
 *
 * A vocabulary is a kind of scale (agreement, frequency, satisfaction) in
 * one language (English, German, French, Spanish, Dutch) with 4 to 7 points,
 * ordered from the lowest answer to the highest.  Answers are compared
 * ignoring case, accents' composition (NFC), surrounding and repeated
 * spaces and the kind of apostrophe; an answer may carry its number, as in
 * "5 - Strongly agree", "5 – Strongly agree", "5. Strongly agree",
 * "5 = Strongly agree" or "Strongly agree (5)".  The words a survey offers
 * for "no answer" ("Don't know", "Weiß nicht", ...) are recognised apart.
 * Owns nothing; the tables are static.
 */
#ifndef ENGAGE_VOCAB_H
#define ENGAGE_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

enum { VOCAB_MIN_POINTS = 4, VOCAB_MAX_POINTS = 7 };

/* How one answer was read against the vocabulary matched. */
typedef struct {
    int position;              /* 1..points, or 0 for a "no answer" word */
    bool numbered;             /* the answer carries a number ("5 - Agree") */
    double number;             /* that number */
    size_t words, words_len;   /* the answer's words without its number:
                                  answer + words, words_len bytes */
} vocab_answer_t;

typedef struct {
    const char *language;      /* "English", "German", ... (static) */
    const char *kind;          /* "agreement", "frequency", "satisfaction" */
    int points;
    size_t family;             /* which of the tables (for vocab_point_words) */
} vocab_scale_t;

/* Find the vocabulary that reads every one of the n answers (each a
 * distinct answer text; "no answer" words are allowed beside the scale's).
 * Among the vocabularies that read them all, one whose positions the
 * numbers of numbered answers follow ("1 - Never", "3 - Sometimes" with
 * "2 - Rarely" unused) wins, then the one leaving fewest of its points
 * unused, then the one with fewer points, then the first in the tables
 * (English first).  At least two different points must be
 * used, so that free text or a yes/no question is not taken for a scale.
 * Returns false when none reads them all; else fills *scale and
 * out[0..n-1]. */
bool vocab_match(const char *const *answers, size_t n, vocab_scale_t *scale, vocab_answer_t *out);

/* The words of an answer without its number ("5 - Agree" -> "Agree"):
 * *words and *len point into text; returns whether a number was found (in
 * *number).  Without one, the words are the trimmed text. */
bool vocab_words(const char *text, const char **words, size_t *len, double *number);

/* The first wording of point `position` (1..points) of a matched scale,
 * as "Strongly disagree" for point 1 of the English 5-point agreement
 * scale: *words (static) and *len. */
void vocab_point_words(const vocab_scale_t *scale, int position, const char **words, size_t *len);

/* Whether text is a "no answer" word of one of the languages ("N/A",
 * "Don't know", "Keine Angabe", "Ne sais pas", "No sé", "Weet niet", ...). */
bool vocab_is_no_answer(const char *text);

#endif
