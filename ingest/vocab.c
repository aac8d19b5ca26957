/*
 * ingest/vocab.c — the rating-scale vocabularies and their matcher (see
 * vocab.h).
 *
 * Each family (a kind of scale in one language) names seven points from the
 * lowest to the highest; a scale of 4, 5 or 6 points uses some of them, the
 * same for every language of the kind (e.g. a 5-point agreement scale is
 * strongly disagree, disagree, neutral, agree, strongly agree).  A point may
 * have several wordings, separated by '|'.  To add a language, add a family
 * per kind; to add a wording, add it after a '|'.
 */
#include "vocab.h"

#include <ctype.h>
#include <math.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS = 7 };

typedef enum { KIND_AGREEMENT, KIND_FREQUENCY, KIND_SATISFACTION } kind_t;

typedef struct {
    const char *language;
    kind_t kind;
    const char *slot[SLOTS];   /* lowest to highest; wordings separated by '|' */
} family_t;

/* Which of the seven slots a scale of 4..7 points uses, per kind.
 * Agreement and satisfaction: very negative, negative, slightly negative,
 * neutral, slightly positive, positive, very positive.  Frequency: never,
 * very rarely, rarely, sometimes, often, very often, always. */
static const int BIPOLAR_POINTS[4][SLOTS] = {
    {0, 1, 5, 6, -1}, {0, 1, 3, 5, 6, -1}, {0, 1, 2, 4, 5, 6, -1}, {0, 1, 2, 3, 4, 5, 6},
};
static const int FREQUENCY_POINTS[4][SLOTS] = {
    {0, 3, 4, 6, -1}, {0, 2, 3, 4, 6, -1}, {0, 2, 3, 4, 5, 6, -1}, {0, 1, 2, 3, 4, 5, 6},
};

/* The slots a scale of `points` points of this kind uses, lowest first. */
static const int *point_slots(kind_t kind, int points)
{
    return kind == KIND_FREQUENCY ? FREQUENCY_POINTS[points - VOCAB_MIN_POINTS]
                                  : BIPOLAR_POINTS[points - VOCAB_MIN_POINTS];
}

static const family_t FAMILIES[] = {
    {"English", KIND_AGREEMENT,
     {"Strongly disagree|Completely disagree", "Disagree", "Somewhat disagree|Slightly disagree|Mildly disagree",
      "Neither agree nor disagree|Neither disagree nor agree|Neutral|Undecided",
      "Somewhat agree|Slightly agree|Mildly agree", "Agree", "Strongly agree|Completely agree"}},
    {"English", KIND_FREQUENCY,
     {"Never", "Very rarely|Almost never", "Rarely|Seldom", "Sometimes|Occasionally", "Often|Frequently",
      "Very often|Very frequently|Almost always|Usually", "Always"}},
    {"English", KIND_SATISFACTION,
     {"Very dissatisfied|Extremely dissatisfied", "Dissatisfied", "Somewhat dissatisfied|Slightly dissatisfied",
      "Neither satisfied nor dissatisfied|Neither dissatisfied nor satisfied|Neutral",
      "Somewhat satisfied|Slightly satisfied", "Satisfied", "Very satisfied|Extremely satisfied"}},

    {"German", KIND_AGREEMENT,
     {"Stimme überhaupt nicht zu|Stimme gar nicht zu|Trifft überhaupt nicht zu",
      "Stimme nicht zu|Trifft nicht zu", "Stimme eher nicht zu|Trifft eher nicht zu",
      "Weder noch|Teils, teils|Teils/teils|Neutral|Stimme weder zu noch nicht zu",
      "Stimme eher zu|Trifft eher zu", "Stimme zu|Trifft zu",
      "Stimme voll und ganz zu|Stimme völlig zu|Stimme voll zu|Trifft voll und ganz zu|Trifft völlig zu"}},
    {"German", KIND_FREQUENCY,
     {"Nie|Niemals", "Sehr selten|Fast nie", "Selten", "Manchmal|Gelegentlich", "Oft|Häufig",
      "Sehr oft|Sehr häufig|Fast immer|Meistens", "Immer"}},
    {"German", KIND_SATISFACTION,
     {"Sehr unzufrieden", "Unzufrieden", "Eher unzufrieden",
      "Weder zufrieden noch unzufrieden|Weder noch|Teils, teils|Teils/teils|Neutral", "Eher zufrieden",
      "Zufrieden", "Sehr zufrieden"}},

    {"French", KIND_AGREEMENT,
     {"Pas du tout d'accord|Tout à fait en désaccord|Fortement en désaccord", "Pas d'accord|En désaccord",
      "Plutôt pas d'accord|Plutôt en désaccord",
      "Ni d'accord ni pas d'accord|Ni d'accord, ni pas d'accord|Ni en accord ni en désaccord|Neutre|Sans avis",
      "Plutôt d'accord|Plutôt en accord", "D'accord|En accord",
      "Tout à fait d'accord|Entièrement d'accord|Fortement en accord"}},
    {"French", KIND_FREQUENCY,
     {"Jamais", "Très rarement|Presque jamais", "Rarement", "Parfois|De temps en temps|Quelquefois",
      "Souvent|Fréquemment", "Très souvent|Presque toujours|La plupart du temps", "Toujours"}},
    {"French", KIND_SATISFACTION,
     {"Très insatisfait|Très insatisfaite|Pas du tout satisfait", "Insatisfait|Insatisfaite|Pas satisfait",
      "Plutôt insatisfait|Plutôt insatisfaite|Plutôt pas satisfait",
      "Ni satisfait ni insatisfait|Ni satisfait, ni insatisfait|Neutre",
      "Plutôt satisfait|Plutôt satisfaite", "Satisfait|Satisfaite", "Très satisfait|Très satisfaite"}},

    {"Spanish", KIND_AGREEMENT,
     {"Totalmente en desacuerdo|Muy en desacuerdo", "En desacuerdo",
      "Algo en desacuerdo|Ligeramente en desacuerdo|Parcialmente en desacuerdo",
      "Ni de acuerdo ni en desacuerdo|Ni en acuerdo ni en desacuerdo|Neutral|Indiferente",
      "Algo de acuerdo|Ligeramente de acuerdo|Parcialmente de acuerdo", "De acuerdo",
      "Totalmente de acuerdo|Muy de acuerdo"}},
    {"Spanish", KIND_FREQUENCY,
     {"Nunca", "Muy rara vez|Casi nunca", "Rara vez|Raramente", "A veces|Algunas veces|Ocasionalmente",
      "A menudo|Frecuentemente|Con frecuencia", "Muy a menudo|Muy frecuentemente|Casi siempre", "Siempre"}},
    {"Spanish", KIND_SATISFACTION,
     {"Muy insatisfecho|Muy insatisfecha", "Insatisfecho|Insatisfecha",
      "Algo insatisfecho|Algo insatisfecha", "Ni satisfecho ni insatisfecho|Ni satisfecha ni insatisfecha|Neutral",
      "Algo satisfecho|Algo satisfecha", "Satisfecho|Satisfecha", "Muy satisfecho|Muy satisfecha"}},

    {"Dutch", KIND_AGREEMENT,
     {"Helemaal mee oneens|Zeer mee oneens|Helemaal niet mee eens", "Mee oneens|Oneens|Niet mee eens",
      "Enigszins mee oneens|Een beetje mee oneens|Eerder mee oneens",
      "Neutraal|Niet mee eens, niet mee oneens|Niet eens, niet oneens|Noch eens, noch oneens",
      "Enigszins mee eens|Een beetje mee eens|Eerder mee eens", "Mee eens|Eens",
      "Helemaal mee eens|Zeer mee eens"}},
    {"Dutch", KIND_FREQUENCY,
     {"Nooit", "Zeer zelden|Heel zelden|Bijna nooit", "Zelden", "Soms|Af en toe", "Vaak|Regelmatig",
      "Heel vaak|Zeer vaak|Bijna altijd|Meestal", "Altijd"}},
    {"Dutch", KIND_SATISFACTION,
     {"Zeer ontevreden|Heel ontevreden", "Ontevreden", "Enigszins ontevreden|Eerder ontevreden",
      "Neutraal|Niet tevreden, niet ontevreden|Noch tevreden, noch ontevreden",
      "Enigszins tevreden|Eerder tevreden", "Tevreden", "Zeer tevreden|Heel tevreden"}},
};

enum { N_FAMILIES = sizeof FAMILIES / sizeof FAMILIES[0] };

/* What surveys offer for "no answer", in every language above. */
static const char *const NO_ANSWER[] = {
    "N/A", "NA", "Not applicable", "Does not apply", "Don't know", "Do not know", "Prefer not to say",
    "Prefer not to answer", "No opinion",
    "Weiß nicht", "Weiss nicht", "Keine Angabe", "Nicht zutreffend", "Kann ich nicht beurteilen",
    "Ne sais pas", "Je ne sais pas", "Non applicable", "Sans objet", "Sans opinion", "Ne se prononce pas",
    "Préfère ne pas répondre",
    "No sé", "No lo sé", "No aplica", "No sabe", "NS/NC", "Prefiero no responder", "Prefiero no decirlo",
    "Weet niet", "Weet ik niet", "Niet van toepassing", "N.v.t.", "Geen mening", "Zeg ik liever niet",
    NULL,
};

static const char *kind_name(kind_t kind)
{
    return kind == KIND_AGREEMENT ? "agreement" : kind == KIND_FREQUENCY ? "frequency" : "satisfaction";
}

/* text (len bytes) folded for comparison: surrounding spaces dropped,
 * runs of spaces made one, typographic apostrophes made ', NFC, case
 * folded.  NULL for text that is not UTF-8.  Free with g_free. */
static char *fold(const char *text, size_t len)
{
    GString *plain = g_string_sized_new(len + 1);
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = plain->len > 0;
            continue;
        }
        if (space)
            g_string_append_c(plain, ' ');
        space = false;
        /* U+2018, U+2019 (E2 80 98/99) and U+00B4 (C2 B4) are apostrophes here */
        if (c == 0xe2 && i + 2 < len && (unsigned char)text[i + 1] == 0x80 &&
            ((unsigned char)text[i + 2] == 0x98 || (unsigned char)text[i + 2] == 0x99)) {
            g_string_append_c(plain, '\'');
            i += 2;
        } else if (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] == 0xb4) {
            g_string_append_c(plain, '\'');
            i += 1;
        } else {
            g_string_append_c(plain, (char)c);
        }
    }
    char *folded = NULL;
    if (g_utf8_validate(plain->str, (gssize)plain->len, NULL)) {
        char *nfc = g_utf8_normalize(plain->str, (gssize)plain->len, G_NORMALIZE_NFC);
        if (nfc)
            folded = g_utf8_casefold(nfc, -1);
        g_free(nfc);
    }
    g_string_free(plain, TRUE);
    return folded;
}

/* Whether folded text is one of the '|'-separated wordings. */
static bool is_wording(const char *folded, const char *wordings)
{
    for (const char *w = wordings; *w;) {
        const char *bar = strchr(w, '|');
        size_t len = bar ? (size_t)(bar - w) : strlen(w);
        char *one = fold(w, len);
        bool same = one && strcmp(one, folded) == 0;
        g_free(one);
        if (same)
            return true;
        w += len + (bar ? 1 : 0);
    }
    return false;
}

static bool parse_integer(const char *s, size_t len, double *out)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    if (i == len || len - i > 6)
        return false;
    for (size_t k = i; k < len; k++)
        if (!isdigit((unsigned char)s[k]))
            return false;
    *out = strtod(s, NULL);
    return true;
}

/* The words of an answer without its number: "5 - Agree", "5 – Agree",
 * "5. Agree", "5 = Agree", "5) Agree" or "Agree (5)".  Sets *start, *len
 * to the words and returns whether a number was found. */
static bool strip_number(const char *text, const char **start, size_t *len, double *number)
{
    size_t n = strlen(text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    while (n && (*text == ' ' || *text == '\t')) {
        text++;
        n--;
    }
    *start = text;
    *len = n;
    size_t digits = 0;
    if (digits < n && text[digits] == '-')
        digits++;
    while (digits < n && isdigit((unsigned char)text[digits]))
        digits++;
    if (digits > 0 && text[digits - 1] != '-' && parse_integer(text, digits, number)) {
        size_t k = digits;
        while (k < n && text[k] == ' ')
            k++;
        size_t sep = 0;
        if (k < n && (text[k] == '-' || text[k] == '.' || text[k] == '=' || text[k] == ')' || text[k] == ':'))
            sep = 1;
        else if (k + 2 < n && (unsigned char)text[k] == 0xe2 && (unsigned char)text[k + 1] == 0x80 &&
                 ((unsigned char)text[k + 2] == 0x93 || (unsigned char)text[k + 2] == 0x94))
            sep = 3; /* en dash, em dash */
        if (sep) {
            k += sep;
            while (k < n && text[k] == ' ')
                k++;
            if (k < n) {
                *start = text + k;
                *len = n - k;
                return true;
            }
        }
    }
    if (n >= 4 && text[n - 1] == ')') {
        size_t open = n - 1;
        while (open > 0 && text[open - 1] != '(')
            open--;
        if (open > 1 && parse_integer(text + open, n - 1 - open, number)) {
            size_t end = open - 1;
            while (end > 0 && text[end - 1] == ' ')
                end--;
            if (end > 0) {
                *len = end;
                return true;
            }
        }
    }
    return false;
}

bool vocab_words(const char *text, const char **words, size_t *len, double *number)
{
    return strip_number(text, words, len, number);
}

bool vocab_is_no_answer(const char *text)
{
    char *folded = fold(text, strlen(text));
    bool found = false;
    for (size_t i = 0; folded && !found && NO_ANSWER[i]; i++)
        found = is_wording(folded, NO_ANSWER[i]);
    g_free(folded);
    return found;
}

/* The slot of family f that folded words name, or -1. */
static int slot_of(const family_t *f, const char *folded)
{
    for (int s = 0; s < SLOTS; s++)
        if (is_wording(folded, f->slot[s]))
            return s;
    return -1;
}

bool vocab_match(const char *const *answers, size_t n, vocab_scale_t *scale, vocab_answer_t *out)
{
    if (n == 0)
        return false;
    /* per answer: its folded words, whether it is a "no answer" word, its
     * number, and per family the slot it names */
    char **folded = calloc(n, sizeof *folded);
    int *slots = malloc(n * N_FAMILIES * sizeof *slots);
    bool *no_answer = calloc(n, sizeof *no_answer);
    bool *numbered = calloc(n, sizeof *numbered);
    double *numbers = calloc(n, sizeof *numbers);
    size_t *words = calloc(n, sizeof *words), *words_len = calloc(n, sizeof *words_len);
    bool found = false;
    if (!folded || !slots || !no_answer || !numbered || !numbers || !words || !words_len)
        goto done;
    for (size_t i = 0; i < n; i++) {
        no_answer[i] = vocab_is_no_answer(answers[i]);
        const char *start;
        numbered[i] = strip_number(answers[i], &start, &words_len[i], &numbers[i]);
        words[i] = (size_t)(start - answers[i]);
        folded[i] = fold(start, words_len[i]);
        for (size_t f = 0; f < N_FAMILIES; f++)
            slots[i * N_FAMILIES + f] = folded[i] && !no_answer[i] ? slot_of(&FAMILIES[f], folded[i]) : -1;
    }
    size_t best_family = 0;
    int best_points = 0, best_unused = SLOTS + 1;
    bool best_numbers_follow = false;
    for (size_t f = 0; f < N_FAMILIES; f++) {
        for (int p = VOCAB_MIN_POINTS; p <= VOCAB_MAX_POINTS; p++) {
            const int *points = point_slots(FAMILIES[f].kind, p);
            bool used[SLOTS] = {false};
            bool all = true;
            /* whether the numbers the answers carry follow their positions
             * (number = position + a constant), as "1 - Never", "3 -
             * Sometimes" do on a 5-point scale and not on a 4-point one */
            bool numbers_follow = true;
            double offset = NAN;
            for (size_t i = 0; i < n && all; i++) {
                if (no_answer[i])
                    continue;
                int slot = slots[i * N_FAMILIES + f];
                int position = 0;
                for (int k = 0; k < p && slot >= 0; k++)
                    if (points[k] == slot)
                        position = k + 1;
                all = position > 0;
                if (!all)
                    break;
                used[slot] = true;
                double d = numbers[i] - position;
                numbers_follow = numbers_follow && numbered[i] && (isnan(offset) || d == offset);
                offset = d;
            }
            int n_used = 0;
            for (int s = 0; s < SLOTS; s++)
                n_used += used[s];
            if (!all || n_used < 2)
                continue;
            int unused = p - n_used;
            if ((numbers_follow && !best_numbers_follow) ||
                (numbers_follow == best_numbers_follow && unused < best_unused)) {
                best_numbers_follow = numbers_follow;
                best_unused = unused;
                best_family = f;
                best_points = p;
            }
        }
    }
    found = best_points > 0;
    if (found) {
        const family_t *f = &FAMILIES[best_family];
        const int *points = point_slots(f->kind, best_points);
        *scale = (vocab_scale_t){
            .language = f->language, .kind = kind_name(f->kind), .points = best_points, .family = best_family};
        for (size_t i = 0; i < n; i++) {
            out[i] = (vocab_answer_t){.numbered = numbered[i], .number = numbers[i], .words = words[i],
                                      .words_len = words_len[i]};
            int slot = no_answer[i] ? -1 : slots[i * N_FAMILIES + best_family];
            for (int k = 0; k < best_points && slot >= 0; k++) {
                if (points[k] == slot)
                    out[i].position = k + 1;
            }
        }
    }
done:
    for (size_t i = 0; folded && i < n; i++)
        g_free(folded[i]);
    free(folded);
    free(slots);
    free(no_answer);
    free(numbered);
    free(numbers);
    free(words);
    free(words_len);
    return found;
}

void vocab_point_words(const vocab_scale_t *scale, int position, const char **words, size_t *len)
{
    const family_t *f = &FAMILIES[scale->family];
    const char *slot = f->slot[point_slots(f->kind, scale->points)[position - 1]];
    *words = slot;
    *len = strcspn(slot, "|");
}
