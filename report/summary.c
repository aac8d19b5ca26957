/*
 * report/summary.c — the text of report.txt.
 *
 * Built in memory (a few kilobytes whatever the number of managers: at
 * most SUMMARY_MAX_RANKED rows per scale in the ranking and
 * SUMMARY_RANK_EDGE on each side of the funnel, taken from the published
 * view's ranking and stand-out lists, plus a row per item (by its short
 * label, item_labels.h), at most
 * SUMMARY_MAX_RANKED shown units and, with a reporting tree, at most
 * SUMMARY_MAX_RANKED leaders of its top two levels) and written by the
 * caller.  It renders the view (view.h) only: what is shown, the figures
 * over the shown teams and which managers and leaders are named all come
 * from there.  The headline share is the REML one (icc_reml),
 * with ICC(1), its interval and the F test beside it.
 * Widths are counted in UTF-8 characters; names and paths from the data are
 * cleaned of control characters before they are printed, so an id with a
 * newline or an escape sequence cannot break the layout.  Owns nothing
 * beyond each call.
 */
#include "summary.h"
#include "enps_table.h"
#include "enps_trend_table.h"
#include "figures.h"
#include "item_labels.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* growing text buffer                                                        */

typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} sbuf_t;

static void sb_add(sbuf_t *sb, const char *s, size_t n)
{
    if (sb->failed)
        return;
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 4096;
        while (cap < sb->len + n + 1)
            cap *= 2;
        char *d = realloc(sb->data, cap);
        if (!d) {
            sb->failed = true;
            return;
        }
        sb->data = d;
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

static void sb_str(sbuf_t *sb, const char *s)
{
    sb_add(sb, s, strlen(s));
}

static void sb_repeat(sbuf_t *sb, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_add(sb, &c, 1);
}

/* vasprintf into a malloc'd string (NULL when out of memory). */
static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* ------------------------------------------------------------------------ */
/* UTF-8 widths, cleaning and truncation                                      */

static bool is_lead(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

static size_t u8_ncols(const char *s, size_t n)
{
    size_t cols = 0;
    for (size_t i = 0; i < n; i++)
        if (is_lead((unsigned char)s[i]))
            cols++;
    return cols;
}

static size_t u8_cols(const char *s)
{
    return u8_ncols(s, strlen(s));
}

/* Byte offset where character number `cols` (0-based) starts. */
static size_t u8_offset(const char *s, size_t cols)
{
    size_t i = 0, c = 0;
    for (; s[i]; i++) {
        if (is_lead((unsigned char)s[i])) {
            if (c == cols)
                break;
            c++;
        }
    }
    return i;
}

/* A response rate the view hides, in the leaders table. */
#define LEADERS_NO_RATE "\u2014"

/* Written between words that must stay on one line ("F(4,<NB>20)"); wrap()
 * prints it as a space. */
#define NBSP "\x1f"

/* Copy with C0/C1 control characters and DEL replaced by '?' (NBSP kept
 * when keep_nbsp). */
static char *clean_text(const char *s, bool keep_nbsp)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(keep_nbsp && c == 0x1f)) || c == 0x7f) {
            d[o++] = '?';
        } else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] <= 0x9F) {
            d[o++] = '?';
            i++;
        } else {
            d[o++] = (char)c;
        }
    }
    d[o] = '\0';
    return d;
}

static char *clean(const char *s)
{
    return clean_text(s, false);
}

/* Cleaned copy of s that fits in `width` columns: the start kept and "..."
 * after it, or (keep_end, for paths) "..." and the end. */
static char *fit(const char *s, size_t width, bool keep_end)
{
    char *c = clean(s);
    if (!c)
        return NULL;
    size_t cols = u8_cols(c);
    if (cols <= width)
        return c;
    if (width <= 3) {
        c[u8_offset(c, width)] = '\0';
        return c;
    }
    size_t keep = width - 3;
    char *d = malloc(strlen(c) + 4);
    if (!d) {
        free(c);
        return NULL;
    }
    if (keep_end) {
        strcpy(d, "...");
        strcat(d, c + u8_offset(c, cols - keep));
    } else {
        size_t b = u8_offset(c, keep);
        memcpy(d, c, b);
        strcpy(d + b, "...");
    }
    free(c);
    return d;
}

/* A cell padded to `width` columns. */
static void sb_cell(sbuf_t *sb, const char *text, size_t width, bool right)
{
    size_t cols = u8_cols(text);
    size_t pad = cols < width ? width - cols : 0;
    if (right)
        sb_repeat(sb, ' ', pad);
    sb_str(sb, text);
    if (!right)
        sb_repeat(sb, ' ', pad);
}

/* One table line: two spaces before every cell; label left-aligned to
 * label_width, then n cells right-aligned to their widths, then tail (may be
 * NULL) as it is. */
static void sb_row(sbuf_t *sb, const char *label, size_t label_width, const char *const *cells,
                   const size_t *widths, size_t n, const char *tail)
{
    sb_str(sb, "  ");
    sb_cell(sb, label, label_width, false);
    for (size_t c = 0; c < n; c++) {
        sb_str(sb, "  ");
        sb_cell(sb, cells[c], widths[c], true);
    }
    if (tail) {
        sb_str(sb, "  ");
        sb_str(sb, tail);
    }
    sb_str(sb, "\n");
}

/* ------------------------------------------------------------------------ */
/* paragraphs                                                                 */

/* Word-wrap text (cleaned first) into lines of SUMMARY_WIDTH columns, each
 * starting with indent; a word longer than a line is broken. */
static void wrap(sbuf_t *sb, const char *indent, const char *raw)
{
    char *text = clean_text(raw, true);
    if (!text) {
        sb->failed = true;
        return;
    }
    size_t width = SUMMARY_WIDTH - u8_cols(indent);
    size_t start = sb->len;
    size_t line = 0;
    bool started = false;
    const char *p = text;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t wc = u8_ncols(w, (size_t)(p - w));
        if (started && line + 1 + wc <= width) {
            sb_str(sb, " ");
            sb_add(sb, w, (size_t)(p - w));
            line += 1 + wc;
            continue;
        }
        if (started)
            sb_str(sb, "\n");
        while (wc > width) {
            size_t b = u8_offset(w, width);
            sb_str(sb, indent);
            sb_add(sb, w, b);
            sb_str(sb, "\n");
            w += b;
            wc -= width;
        }
        sb_str(sb, indent);
        sb_add(sb, w, (size_t)(p - w));
        line = wc;
        started = true;
    }
    if (started)
        sb_str(sb, "\n");
    free(text);
    for (size_t i = start; i < sb->len; i++)
        if (sb->data[i] == 0x1f)
            sb->data[i] = ' ';
}

static void wrapf(sbuf_t *sb, const char *indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void wrapf(sbuf_t *sb, const char *indent, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    if (!s) {
        sb->failed = true;
        return;
    }
    wrap(sb, indent, s);
    free(s);
}

static void heading(sbuf_t *sb, const char *title, char underline)
{
    char *t = fit(title, SUMMARY_WIDTH, false);
    if (!t) {
        sb->failed = true;
        return;
    }
    sb_str(sb, t);
    sb_str(sb, "\n");
    sb_repeat(sb, underline, u8_cols(t));
    sb_str(sb, "\n");
    free(t);
}

/* ------------------------------------------------------------------------ */
/* numbers                                                                    */

typedef struct {
    char s[128];
} text_t;

typedef struct {
    char s[512];
} long_text_t;

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* ", p < 0.001" style tail of a test result. */
static text_t p_text(double p)
{
    text_t n;
    if (!isfinite(p))
        n.s[0] = '\0';
    else if (p < 0.001)
        snprintf(n.s, sizeof n.s, ", p" NBSP "<" NBSP "0.001");
    else
        snprintf(n.s, sizeof n.s, ", p" NBSP "=" NBSP "%s", figure_fixed(p, 3).s);
    return n;
}

/* ------------------------------------------------------------------------ */
/* sections                                                                   */

static const char *undefined_reason(const view_scale_t *vs)
{
    unsigned notes = vs->notes;
    if (vs->variance.managers == 0)
        return "no manager has enough scored respondents to be shown";
    if (notes & ANALYSIS_NOTE_ONE_MANAGER)
        return "only one shown manager has scored respondents";
    if (notes & ANALYSIS_NOTE_ALL_SINGLETONS)
        return "every manager has a single scored respondent";
    if (notes & ANALYSIS_NOTE_ZERO_VARIANCE)
        return "every respondent has the same score";
    if (vs->variance.ss_within == 0.0)
        return "within every team all scores are the same, so there is no variance within "
               "teams to compare with";
    return "the data do not allow it";
}

/* "ICC(1) = 0.127, 95% CI 0.098 to 0.168; F(98, 7283) = 11.85, p < 0.001":
 * the classical figures behind the headline, those that are defined. */
static long_text_t anova_text(const analysis_variance_t *v)
{
    long_text_t t;
    size_t len = 0;
    t.s[0] = '\0';
    if (isfinite(v->icc1)) {
        len += (size_t)snprintf(t.s + len, sizeof t.s - len, "ICC(1)" NBSP "=" NBSP "%s",
                                figure_fixed(v->icc1, 3).s);
        if (isfinite(v->icc1_ci_low) && isfinite(v->icc1_ci_high) && len < sizeof t.s)
            len += (size_t)snprintf(t.s + len, sizeof t.s - len,
                                    ", 95%%" NBSP "CI %s" NBSP "to" NBSP "%s",
                                    figure_fixed(v->icc1_ci_low, 3).s, figure_fixed(v->icc1_ci_high, 3).s);
    }
    if (isfinite(v->f) && len < sizeof t.s)
        len += (size_t)snprintf(t.s + len, sizeof t.s - len, "%sF(%s," NBSP "%s)" NBSP "=" NBSP "%s%s",
                                len ? "; " : "", figure_fixed(v->df_between, 0).s, figure_fixed(v->df_within, 0).s,
                                figure_fixed(v->f, 2).s, p_text(v->p_value).s);
    if (isfinite(v->k0) && len < sizeof t.s)
        snprintf(t.s + len, sizeof t.s - len, "%sk0" NBSP "=" NBSP "%s", len ? "; " : "", figure_fixed(v->k0, 1).s);
    return t;
}

static void headline(sbuf_t *sb, const view_t *view)
{
    heading(sb, "Appendix: the share of the variance that lies between managers", '-');
    sb_str(sb, "\n");
    wrap(sb, "", "In plain words: the variance measures how much scores differ from person to "
                 "person, and its share between managers is the part that goes with who one's "
                 "manager is. The REML estimate is the one R's lme4 gives. ICC(1) is the same share "
                 "from the one-way analysis of variance, with its 95% interval. The F test asks whether "
                 "teams differ more than chance alone would make them: p is the chance of differences "
                 "this large if they did not. variance.csv also gives k0, the typical team size these "
                 "estimates weigh teams by.");
    sb_str(sb, "\n");
    if (view->n_scales == 0)
        wrap(sb, "", "No scale was analysed.");
    for (size_t s = 0; s < view->n_scales; s++) {
        const view_scale_t *vs = &view->scales[s];
        const analysis_scale_t *sc = vs->results;
        const analysis_variance_t *v = &vs->variance;
        char *name = fit(sc->scale->name, SUMMARY_NAME_IN_TEXT, false);
        if (!name) {
            sb->failed = true;
            return;
        }
        if (s > 0)
            sb_str(sb, "\n");
        if (vs->suppressed) {
            if (vs->scored == 0)
                wrapf(sb, "", "The share of the variance in %s that lies between managers "
                              "is not known: no respondent was scored on this scale.", name);
            else
                wrapf(sb, "", "The share of the variance in %s that lies between managers "
                              "is not shown: fewer than %ld respondents were scored on this "
                              "scale.", name, view->smallest_shown);
            free(name);
            continue;
        }
        long_text_t anova = anova_text(v);
        if (!isfinite(v->icc_reml))
            wrapf(sb, "", "The share of the variance in %s that lies between managers cannot "
                          "be estimated: %s.", name, undefined_reason(vs));
        else if (v->var_between_reml == 0.0)
            wrapf(sb, "", "None of the variance in %s can be placed between managers: the "
                          "REML estimate of the between-manager variance is 0%s%s%s.", name,
                  anova.s[0] ? " (" : "", anova.s, anova.s[0] ? ")" : "");
        else
            wrapf(sb, "", "%s%% of the variance in %s lies between managers (REML estimate%s%s).",
                  figure_fixed(100.0 * v->icc_reml, 1).s, name, anova.s[0] ? "; " : "", anova.s);
        figures_sentence_t nested;
        if (figures_nested_split(&vs->nested, &nested)) {
            sb_str(sb, "\n");
            wrap(sb, "", nested.s);
        }
        if (vs->split_caution) {
            sb_str(sb, "\n");
            wrap(sb, "", figures_split_caution(v, vs->split_caution & VIEW_CAUTION_FEW_MANAGERS,
                                               vs->split_caution & VIEW_CAUTION_WIDE_INTERVAL).s);
        }
        free(name);
    }
    sb_str(sb, "\n");
}

/* ------------------------------------------------------------------------ */
/* at a glance                                                               */

enum { GLANCE_BAR = 40 };

/* "Q1 (71%), Q3 (reversed, 66%) and Q2 (60%)" for items idx of a scale,
 * by their short labels, after lead; NULL when out of memory. */
static char *item_list(const char *lead, const item_labels_t *labels, const analysis_scale_t *sc,
                       const size_t *idx, size_t n)
{
    char *text = strdup(lead);
    for (size_t i = 0; text && i < n; i++) {
        const analysis_item_t *it = &sc->items[idx[i]];
        char *name = fit(labels->text[idx[i]], SUMMARY_NAME_IN_TEXT, false), *more;
        if (!name || asprintf(&more, "%s%s%s" NBSP "(%s%s%%)%s", text, i == 0 ? "" : i + 1 == n ? " and " : ", ",
                              name, sc->scale->reverse[idx[i]] ? "reversed," NBSP : "",
                              figure_fixed(it->favourable_pct, 0).s, i + 1 == n ? "." : "") < 0)
            more = NULL;
        free(name);
        free(text);
        text = more;
    }
    return text;
}

/* Per scale, in plain words: the favourable share (and a bar of the three
 * shares), the response rate, the change since the previous wave, the
 * strongest and weakest items, and how much lies between managers (and
 * units), with how many teams stand out.  The statistics are in the
 * appendix. */
static void glance(sbuf_t *sb, const report_input_t *in, const view_t *view)
{
    heading(sb, "At a glance", '-');
    sb_str(sb, "\n");
    if (view->n_scales == 0)
        wrap(sb, "", "No scale was analysed.");
    for (size_t s = 0; s < view->n_scales; s++) {
        const view_scale_t *vs = &view->scales[s];
        const analysis_scale_t *sc = vs->results;
        view_glance_t g;
        view_glance(view, s, &g);
        char *name = fit(sc->scale->name, SUMMARY_NAME_IN_TEXT, false);
        if (!name) {
            sb->failed = true;
            return;
        }
        if (s > 0)
            sb_str(sb, "\n");
        if (!g.shown) {
            if (vs->scored == 0)
                wrapf(sb, "", "%s: no respondent was scored on this scale.", name);
            else
                wrapf(sb, "", "%s: not shown, fewer than %ld respondents were scored.", name,
                      view->smallest_shown);
            free(name);
            continue;
        }
        enps_t e;
        enps_change_t ec;
        if (enps_table_scale(in, view, s) && enps_table_group(in, view, s, HEATMAP_COMPANY, 0, &e) &&
            isfinite(e.enps)) {
            wrapf(sb, "", "%s: eNPS %s (95%% interval %s to %s): %s%% promoters, %s%% passives and %s%% "
                          "detractors (enps.csv).", name, figure_signed(e.enps, 1).s,
                  figure_signed(e.ci_low, 1).s, figure_signed(e.ci_high, 1).s, figure_fixed(e.promoters_pct, 0).s,
                  figure_fixed(e.passives_pct, 0).s, figure_fixed(e.detractors_pct, 0).s);
            if (enps_trend_table_company_change(in, view, s, &ec))
                wrapf(sb, "", "%s: eNPS change since %s %s (95%% interval %s to %s%s; enps_trend.csv).", name,
                      in->wave_labels[in->n_waves - 2], figure_signed(ec.delta, 1).s,
                      figure_signed(ec.ci_low, 1).s, figure_signed(ec.ci_high, 1).s, p_text(ec.p_value).s);
        }
        else if (isfinite(g.neutral_pct))
            wrapf(sb, "", "%s: %s%% of answers favourable, %s%% neutral and %s%% unfavourable.", name,
                  figure_fixed(g.favourable_pct, 0).s, figure_fixed(g.neutral_pct, 0).s,
                  figure_fixed(g.unfavourable_pct, 0).s);
        else
            wrapf(sb, "", "%s: %s%% of answers favourable and %s%% unfavourable.", name,
                  figure_fixed(g.favourable_pct, 0).s, figure_fixed(g.unfavourable_pct, 0).s);
        free(name);
        if (isfinite(g.favourable_pct) && isfinite(g.unfavourable_pct)) {
            /* the three shares as one bar: favourable '#', neutral '=', unfavourable '.' */
            size_t fav = (size_t)lround(GLANCE_BAR * g.favourable_pct / 100.0);
            size_t unf = (size_t)lround(GLANCE_BAR * g.unfavourable_pct / 100.0);
            fav = fav > GLANCE_BAR ? GLANCE_BAR : fav;
            unf = unf > GLANCE_BAR - fav ? GLANCE_BAR - fav : unf;
            sb_str(sb, "  [");
            sb_repeat(sb, '#', fav);
            sb_repeat(sb, '=', GLANCE_BAR - fav - unf);
            sb_repeat(sb, '.', unf);
            sb_str(sb, enps_table_scale(in, view, s) ? "]\n   # promoters, = passives, . detractors\n"
                                      : "]\n   # favourable, = neutral, . unfavourable\n");
        }
        if (g.with_rate)
            wrapf(sb, "  ", "%zu of %zu invited responded (%s%%).", g.responded, g.invited,
                  figure_fixed(participation_rate(&(participation_count_t){ g.invited, g.responded }), 0).s);
        if (g.with_change)
            wrapf(sb, "  ", "Since the previous wave: %s points favourable; the mean score went from %s "
                            "to %s, %s (Welch's test, p" NBSP "%s" NBSP "%s).",
                  figure_signed(g.favourable_change, 1).s, figure_fixed(g.mean_previous, 2).s,
                  figure_fixed(g.mean, 2).s,
                  g.change_holds ? "a change that holds" : "a change chance alone could give",
                  isfinite(g.p_value) && g.p_value < 0.001 ? "<" : "=",
                  isfinite(g.p_value) && g.p_value < 0.001 ? "0.001" : figure_fixed(g.p_value, 3).s);
        if (g.n_strong > 0) {
            item_labels_t *labels = item_labels_of_scale(in->config, in->dataset, sc->scale);
            bool fits = labels && labels->n == sc->n_items;
            char *strong = fits ? item_list("Strongest items: ", labels, sc, g.strong, g.n_strong) : NULL;
            char *weak = fits ? item_list("Weakest items: ", labels, sc, g.weak, g.n_weak) : NULL;
            if (strong && weak) {
                wrap(sb, "  ", strong);
                wrap(sb, "  ", weak);
            } else {
                sb->failed = true;
            }
            free(strong);
            free(weak);
            item_labels_free(labels);
        }
        char teams[160];
        snprintf(teams, sizeof teams, "%zu %s out beyond what %s size explains", g.stand_out,
                 plural(g.stand_out, "team stands", "teams stand"), plural(g.stand_out, "its", "their"));
        if (isfinite(g.share_unit) && isfinite(g.share_manager_within))
            wrapf(sb, "  ", "Of the differences in engagement between people, %s%% lie between units and "
                            "%s%% between managers within them; %s.",
                  figure_fixed(100.0 * g.share_unit, 0).s, figure_fixed(100.0 * g.share_manager_within, 0).s,
                  teams);
        else if (isfinite(g.share_managers))
            wrapf(sb, "  ", "%s%% of the differences in engagement between people lie between managers; %s.",
                  figure_fixed(100.0 * g.share_managers, 0).s, teams);
        else
            wrapf(sb, "  ", "How much lies between managers cannot be estimated from these data; %s.", teams);
        if (vs->split_caution)
            wrap(sb, "  ", "That split is a rough indication only: there are too few teams, or too much "
                           "uncertainty, to estimate it reliably (see the appendix).");
    }
    sb_str(sb, "\n");
}

typedef struct {
    figure_t rank, n, mean;
    text_t ci;
    const char *id;
} rank_row_t;

_Static_assert(SUMMARY_MAX_RANKED >= 2 * SUMMARY_RANK_EDGE, "a cut ranking prints both edges");

static void ranking(sbuf_t *sb, const report_input_t *in, const view_scale_t *vs)
{
    const analysis_scale_t *sc = vs->results;
    size_t m = vs->n_ranked;
    if (m == 0) {
        wrap(sb, "", "No manager has enough scored respondents to be shown.");
        return;
    }
    rank_row_t *rows = malloc((m < SUMMARY_MAX_RANKED ? m : SUMMARY_MAX_RANKED) * sizeof *rows);
    if (!rows) {
        sb->failed = true;
        return;
    }
    /* The ranks printed: all, or the top and bottom SUMMARY_RANK_EDGE. */
    bool cut = m > SUMMARY_MAX_RANKED;
    size_t n_rows = cut ? 2 * (size_t)SUMMARY_RANK_EDGE : m;
    for (size_t i = 0; i < n_rows; i++) {
        size_t rank = cut && i >= SUMMARY_RANK_EDGE ? m - n_rows + i + 1 : i + 1;
        const analysis_manager_t *am = &sc->managers[vs->ranked[rank - 1]];
        rank_row_t *row = &rows[i];
        row->rank = figure_count(rank);
        row->n = figure_count(am->n);
        row->mean = figure_fixed(am->mean, 2);
        if (isfinite(am->ci_low) && isfinite(am->ci_high))
            snprintf(row->ci.s, sizeof row->ci.s, "[%s, %s]", figure_fixed(am->ci_low, 2).s,
                     figure_fixed(am->ci_high, 2).s);
        else
            snprintf(row->ci.s, sizeof row->ci.s, "n/a");
        row->id = dataset_manager_id(in->dataset, am->manager);
    }

    size_t wr = strlen("rank"), wn = 1, wm = strlen("mean"), wc = strlen("95% CI"), wid = 0;
    for (size_t i = 0; i < n_rows; i++) {
        size_t l;
        if ((l = strlen(rows[i].rank.s)) > wr) wr = l;
        if ((l = strlen(rows[i].n.s)) > wn) wn = l;
        if ((l = strlen(rows[i].mean.s)) > wm) wm = l;
        if ((l = strlen(rows[i].ci.s)) > wc) wc = l;
        if ((l = u8_cols(rows[i].id)) > wid) wid = l;
    }
    /* "  rank  manager  n  mean  ci" */
    size_t fixed_cols = 2 + wr + 2 + 2 + wn + 2 + wm + 2 + wc;
    size_t room = fixed_cols < SUMMARY_WIDTH - 10 ? SUMMARY_WIDTH - fixed_cols : 10;
    if (wid < strlen("manager"))
        wid = strlen("manager");
    if (wid > room)
        wid = room;

    wrap(sb, "", "Managers ranked by mean score, highest first, with the 95% confidence "
                 "interval of the mean:");
    const size_t widths[] = { wn, wm };
    const char *const head[] = { "n", "mean" };
    sb_str(sb, "\n  ");
    sb_cell(sb, "rank", wr, true);
    sb_row(sb, "manager", wid, head, widths, 2, "95% CI");
    for (size_t i = 0; i < n_rows; i++) {
        if (cut && i == SUMMARY_RANK_EDGE) {
            char more[160];
            snprintf(more, sizeof more, "... %zu more %s (ranks %zu to %zu) in managers.csv ...",
                     m - 2 * (size_t)SUMMARY_RANK_EDGE,
                     plural(m - 2 * (size_t)SUMMARY_RANK_EDGE, "manager", "managers"),
                     (size_t)SUMMARY_RANK_EDGE + 1, m - SUMMARY_RANK_EDGE);
            char indent[64];
            size_t ni = 2 + wr + 2 < sizeof indent - 1 ? 2 + wr + 2 : sizeof indent - 1;
            memset(indent, ' ', ni);
            indent[ni] = '\0';
            wrap(sb, indent, more);
        }
        char *id = fit(rows[i].id, wid, false);
        if (!id) {
            sb->failed = true;
            break;
        }
        const char *const cells[] = { rows[i].n.s, rows[i].mean.s };
        sb_str(sb, "  ");
        sb_cell(sb, rows[i].rank.s, wr, true);
        sb_row(sb, id, wid, cells, widths, 2, rows[i].ci.s);
        free(id);
    }
    free(rows);
}

/* Width of the widest of n strings, at least `floor`. */
static size_t widest(const char *const *texts, size_t n, size_t stride, size_t floor)
{
    size_t w = floor;
    for (size_t i = 0; i < n; i++) {
        size_t l = u8_cols(*(const char *const *)((const char *)texts + i * stride));
        if (l > w)
            w = l;
    }
    return w;
}

typedef struct {
    const char *id;
    figure_t n, mean;
    text_t limits;
} outlier_row_t;

/* The managers of one side of the funnel, most extreme first: a table of
 * at most SUMMARY_RANK_EDGE rows and a line for the rest. */
static void outlier_table(sbuf_t *sb, const report_input_t *in, const view_t *view, size_t s,
                          const size_t *best, size_t total, const char *side)
{
    const analysis_scale_t *sc = view->scales[s].results;
    outlier_row_t rows[SUMMARY_RANK_EDGE];
    size_t shown = total < SUMMARY_RANK_EDGE ? total : SUMMARY_RANK_EDGE;
    for (size_t i = 0; i < shown; i++) {
        const analysis_manager_t *am = &sc->managers[best[i]];
        analysis_funnel_t f = view_funnel(view, s, best[i]);
        rows[i].id = dataset_manager_id(in->dataset, am->manager);
        rows[i].n = figure_count(am->n);
        rows[i].mean = figure_fixed(am->mean, 2);
        snprintf(rows[i].limits.s, sizeof rows[i].limits.s, "[%s, %s]",
                 figure_fixed(f.low998, 2).s, figure_fixed(f.high998, 2).s);
    }
    size_t wn = strlen("n"), wm = strlen("mean"), wl = strlen("99.8% limits");
    for (size_t i = 0; i < shown; i++) {
        size_t l;
        if ((l = strlen(rows[i].n.s)) > wn) wn = l;
        if ((l = strlen(rows[i].mean.s)) > wm) wm = l;
        if ((l = strlen(rows[i].limits.s)) > wl) wl = l;
    }
    size_t wid = widest(&rows[0].id, shown, sizeof rows[0], strlen("manager"));
    size_t fixed_cols = 2 + 2 + wn + 2 + wm + 2 + wl;
    size_t room = fixed_cols < SUMMARY_WIDTH - 10 ? SUMMARY_WIDTH - fixed_cols : 10;
    if (wid > room)
        wid = room;

    sb_str(sb, "\n");
    wrapf(sb, "", "%s the limits (%zu):", side, total);
    const size_t widths[] = { wn, wm };
    const char *const head[] = { "n", "mean" };
    sb_row(sb, "manager", wid, head, widths, 2, "99.8% limits");
    for (size_t i = 0; i < shown; i++) {
        char *id = fit(rows[i].id, wid, false);
        if (!id) {
            sb->failed = true;
            return;
        }
        const char *const cells[] = { rows[i].n.s, rows[i].mean.s };
        sb_row(sb, id, wid, cells, widths, 2, rows[i].limits.s);
        free(id);
    }
    if (total > shown)
        wrapf(sb, "  ", "... and %zu more in managers.csv (stands_out = %s).", total - shown,
              strcmp(side, "Above") == 0 ? "above" : "below");
}

/* The shown managers whose mean lies outside the 99.8% funnel limits for a
 * team of their size (the view's lists, farthest out first), at most
 * SUMMARY_RANK_EDGE on each side. */
static void outliers(sbuf_t *sb, const report_input_t *in, const view_t *view, size_t s)
{
    const view_scale_t *vs = &view->scales[s];
    const analysis_variance_t *v = &vs->variance;
    size_t total_above = vs->n_above, total_below = vs->n_below;
    if (vs->n_ranked == 0 || !isfinite(view_funnel(view, s, vs->ranked[0]).high998))
        return;
    sb_str(sb, "\n");
    if (total_above + total_below == 0) {
        wrapf(sb, "", "No shown manager's mean lies outside the 99.8%% funnel limits for a team "
                      "of their size around the grand mean of %s.", figure_fixed(v->grand_mean, 2).s);
        return;
    }
    wrapf(sb, "", "Managers who stand out: their mean lies outside the 99.8%% funnel limits "
                  "for a team of their size around the grand mean of %s (grand mean +/- 3.09 "
                  "within-team sd / sqrt(n)), which chance alone would give about one team in "
                  "500. Farthest out first:", figure_fixed(v->grand_mean, 2).s);
    if (total_above > 0)
        outlier_table(sb, in, view, s, vs->above, total_above, "Above");
    if (total_below > 0)
        outlier_table(sb, in, view, s, vs->below, total_below, "Below");
}

typedef struct {
    const char *name;
    figure_t n, mean, sd, fav, rest;
} item_row_t;

/* The first line of text (cleaned) that fits in `width` columns: its
 * length in bytes, broken at the last space that fits, else after `width`
 * characters; *next is where the rest starts, its spaces skipped. */
static size_t first_line(const char *text, size_t width, const char **next)
{
    size_t len = strlen(text);
    size_t end = len;
    if (u8_cols(text) > width) {
        end = u8_offset(text, width);
        for (size_t i = end; i > 0; i--)
            if (text[i] == ' ') {
                end = i;
                break;
            }
    }
    const char *rest = text + end;
    while (*rest == ' ')
        rest++;
    *next = rest;
    while (end > 0 && text[end - 1] == ' ')
        end--;
    return end;
}

/* Per item of a shown scale, named by its short label (item_labels.h; a
 * label wider than its column continues on the lines below): n, mean, sd,
 * favourable share, item-rest r. */
static void items_table(sbuf_t *sb, const report_input_t *in, const view_scale_t *vs)
{
    const analysis_scale_t *sc = vs->results;
    if (sc->n_items == 0)
        return;
    item_row_t *rows = malloc(sc->n_items * sizeof *rows);
    item_labels_t *labels = item_labels_of_scale(in->config, in->dataset, sc->scale);
    if (!rows || !labels || labels->n != sc->n_items) {
        free(rows);
        item_labels_free(labels);
        sb->failed = true;
        return;
    }
    bool rest = sc->n_items >= 2;
    bool shortened = false;
    for (size_t i = 0; i < sc->n_items; i++) {
        const analysis_item_t *it = &sc->items[i];
        rows[i].name = labels->text[i];
        shortened = shortened || strcmp(labels->text[i], dataset_column_name(in->dataset, it->column)) != 0;
        rows[i].n = figure_count(it->n);
        rows[i].mean = figure_fixed(it->mean, 2);
        rows[i].sd = figure_fixed(it->sd, 2);
        rows[i].fav = figure_fixed(it->favourable_pct, 1);
        if (isfinite(it->favourable_pct))
            strcat(rows[i].fav.s, "%");
        rows[i].rest = figure_fixed(it->item_rest_r, 2);
    }
    size_t wn = strlen("n"), wm = strlen("mean"), ws = strlen("sd");
    size_t wf = strlen("favourable"), wr = strlen("item-rest r");
    for (size_t i = 0; i < sc->n_items; i++) {
        size_t l;
        if ((l = strlen(rows[i].n.s)) > wn) wn = l;
        if ((l = strlen(rows[i].mean.s)) > wm) wm = l;
        if ((l = strlen(rows[i].sd.s)) > ws) ws = l;
        if ((l = strlen(rows[i].fav.s)) > wf) wf = l;
        if ((l = strlen(rows[i].rest.s)) > wr) wr = l;
    }
    size_t wid = widest(&rows[0].name, sc->n_items, sizeof rows[0], strlen("item"));
    size_t fixed_cols = 2 + 2 + wn + 2 + wm + 2 + ws + 2 + wf + (rest ? 2 + wr : 0);
    size_t room = fixed_cols < SUMMARY_WIDTH - 10 ? SUMMARY_WIDTH - fixed_cols : 10;
    if (wid > room)
        wid = room;

    sb_str(sb, "\n");
    wrap(sb, "", rest ? "Items (after reverse coding; item-rest r is the correlation of an "
                        "item with the sum of the others):"
                      : "Item (after reverse coding):");
    if (shortened)
        wrap(sb, "", "Items are named by the part of their names that tells them apart (or by "
                     "the config's short_names); items.csv gives the full names.");
    const char *const head[] = { "n", "mean", "sd", "favourable", "item-rest r" };
    size_t widths[] = { wn, wm, ws, wf, wr };
    size_t columns = rest ? 5 : 4;
    sb_row(sb, "item", wid, head, widths, columns, NULL);
    for (size_t i = 0; i < sc->n_items && !sb->failed; i++) {
        char *name = clean(rows[i].name);
        if (!name) {
            sb->failed = true;
            break;
        }
        const char *next;
        size_t len = first_line(name, wid, &next);
        char saved = name[len];
        name[len] = '\0';
        const char *cells[] = { rows[i].n.s, rows[i].mean.s, rows[i].sd.s, rows[i].fav.s,
                                rows[i].rest.s };
        sb_row(sb, name, wid, cells, widths, columns, NULL);
        name[len] = saved;
        while (*next) {
            const char *line = next;
            len = first_line(line, wid, &next);
            sb_str(sb, "  ");
            sb_add(sb, line, len);
            sb_str(sb, "\n");
        }
        free(name);
    }
    item_labels_free(labels);
    free(rows);
}

/* ------------------------------------------------------------------------ */
/* change since the previous wave                                             */

/* The variance decomposition of both waves side by side, as variance.csv
 * shows it. */
static void waves_table(sbuf_t *sb, const view_scale_t *vs)
{
    const analysis_variance_t *v[2] = { &vs->variance_previous, &vs->variance };
    bool hidden[2] = { vs->previous_suppressed, vs->suppressed };
    static const char *const label[] = { "respondents", "managers", "icc_reml", "icc1", "F",
                                         "p" };
    enum { ROWS = 6 };
    figure_t cell[ROWS][2];
    for (int w = 0; w < 2; w++) {
        cell[0][w] = figure_count(v[w]->respondents);
        cell[1][w] = figure_count(v[w]->managers);
        if (hidden[w]) {
            for (int r = 2; r < ROWS; r++)
                snprintf(cell[r][w].s, sizeof cell[r][w].s, "hidden");
            continue;
        }
        cell[2][w] = figure_fixed(v[w]->icc_reml, 3);
        cell[3][w] = figure_fixed(v[w]->icc1, 3);
        cell[4][w] = figure_fixed(v[w]->f, 2);
        if (isfinite(v[w]->p_value) && v[w]->p_value < 0.001)
            snprintf(cell[5][w].s, sizeof cell[5][w].s, "<0.001");
        else
            cell[5][w] = figure_fixed(v[w]->p_value, 3);
    }
    size_t wl = strlen("respondents"), wc[2] = { strlen("previous"), strlen("current") };
    for (int r = 0; r < ROWS; r++)
        for (int w = 0; w < 2; w++)
            if (strlen(cell[r][w].s) > wc[w])
                wc[w] = strlen(cell[r][w].s);
    sb_str(sb, "\n");
    wrap(sb, "", "Variance decomposition in each wave (icc_reml: the REML share between "
                 "managers; F and p: the one-way ANOVA test):");
    const char *const head[] = { "previous", "current" };
    sb_row(sb, "", wl, head, wc, 2, NULL);
    for (int r = 0; r < ROWS; r++) {
        const char *const cells[] = { cell[r][0].s, cell[r][1].s };
        sb_row(sb, label[r], wl, cells, wc, 2, NULL);
    }
}

typedef struct {
    const char *id;
    figure_t n_previous, mean_previous, n, mean, delta, q;
} change_row_text_t;

/* The shown managers whose change holds at q < 0.05, largest first. */
static void changed_managers(sbuf_t *sb, const view_scale_t *vs)
{
    const changes_scale_t *cs = vs->changes;
    const privacy_change_scale_t *pc = vs->change_decision;
    const size_t *order = vs->notable;
    size_t m = vs->n_notable, tested = vs->n_tested;
    sb_str(sb, "\n");
    if (m == 0) {
        wrapf(sb, "", "No shown manager's change holds at q" NBSP "<" NBSP "0.05 (Welch t-tests, "
                      "Benjamini-Hochberg adjusted over the %zu shown %s with a test).", tested,
              plural(tested, "manager", "managers"));
        return;
    }
    size_t shown = m < SUMMARY_RANK_EDGE ? m : SUMMARY_RANK_EDGE;
    change_row_text_t rows[SUMMARY_RANK_EDGE];
    for (size_t r = 0; r < shown; r++) {
        const changes_row_t *row = &cs->rows[order[r]];
        rows[r].id = row->manager_id;
        rows[r].n_previous = figure_count(row->previous.n);
        rows[r].mean_previous = figure_fixed(row->previous.mean, 2);
        rows[r].n = figure_count(row->current.n);
        rows[r].mean = figure_fixed(row->current.mean, 2);
        rows[r].delta = figure_signed(row->welch.delta, 2);
        if (pc->q[order[r]] < 0.001)
            snprintf(rows[r].q.s, sizeof rows[r].q.s, "<0.001");
        else
            rows[r].q = figure_fixed(pc->q[order[r]], 3);
    }
    static const char *const head[] = { "n before", "before", "n now", "now", "change", "q" };
    size_t wcol[6];
    for (int c = 0; c < 6; c++)
        wcol[c] = strlen(head[c]);
    size_t wid = strlen("manager");
    for (size_t r = 0; r < shown; r++) {
        const figure_t *cells[] = { &rows[r].n_previous, &rows[r].mean_previous, &rows[r].n,
                                 &rows[r].mean, &rows[r].delta, &rows[r].q };
        for (int c = 0; c < 6; c++)
            if (strlen(cells[c]->s) > wcol[c])
                wcol[c] = strlen(cells[c]->s);
        if (u8_cols(rows[r].id) > wid)
            wid = u8_cols(rows[r].id);
    }
    size_t fixed_cols = 2;
    for (int c = 0; c < 6; c++)
        fixed_cols += 2 + wcol[c];
    size_t room = fixed_cols < SUMMARY_WIDTH - 10 ? SUMMARY_WIDTH - fixed_cols : 10;
    if (wid > room)
        wid = room;
    wrapf(sb, "", "Managers whose change holds at q" NBSP "<" NBSP "0.05 (Welch t-tests, "
                  "Benjamini-Hochberg adjusted over the %zu shown %s with a test), largest "
                  "change first:", tested, plural(tested, "manager", "managers"));
    sb_row(sb, "manager", wid, head, wcol, 6, NULL);
    for (size_t r = 0; r < shown; r++) {
        char *id = fit(rows[r].id, wid, false);
        if (!id) {
            sb->failed = true;
            break;
        }
        const char *const cells[] = { rows[r].n_previous.s, rows[r].mean_previous.s, rows[r].n.s,
                                      rows[r].mean.s, rows[r].delta.s, rows[r].q.s };
        sb_row(sb, id, wid, cells, wcol, 6, NULL);
        free(id);
    }
    if (m > shown)
        wrapf(sb, "  ", "... and %zu more in changes.csv (q_value below 0.05).", m - shown);
}

static void change_section(sbuf_t *sb, const view_t *view, size_t s)
{
    const view_scale_t *vs = &view->scales[s];
    if (!vs->changes)
        return;
    long k = view->smallest_shown;
    const changes_scale_t *cs = vs->changes;
    const privacy_change_summary_t *ps = &vs->change_decision->summary;
    sb_str(sb, "\n");
    heading(sb, "Change since the previous wave", '.');
    sb_str(sb, "\n");
    if (vs->change_suppressed) {
        wrapf(sb, "", "The change is not shown: fewer than %ld respondents were scored on this "
                      "scale in %s (previous wave %zu, this wave %zu).", k,
              vs->previous_suppressed && vs->suppressed ? "both waves"
                                                                      : "one of the waves",
              cs->previous.n, cs->current.n);
    } else {
        const changes_welch_t *w = &cs->welch;
        long_text_t ci = { "" };
        if (isfinite(w->ci_low) && isfinite(w->ci_high))
            snprintf(ci.s, sizeof ci.s, " (95%%" NBSP "CI %s" NBSP "to" NBSP "%s%s)",
                     figure_signed(w->ci_low, 2).s, figure_signed(w->ci_high, 2).s,
                     p_text(w->p_value).s);
        wrapf(sb, "", "Mean score: %s in the previous wave (%zu respondents), %s now (%zu); "
                      "change %s%s.", figure_fixed(cs->previous.mean, 2).s, cs->previous.n,
              figure_fixed(cs->current.mean, 2).s, cs->current.n, figure_signed(w->delta, 2).s, ci.s);
    }
    size_t small = ps->n_primary;
    wrapf(sb, "", "%zu %s in either wave: %zu shown; %zu not shown with fewer than %ld scored "
                  "respondents in a wave (or absent from one).",
          cs->n_rows, plural(cs->n_rows, "manager", "managers"), ps->n_shown, small, k);
    if (ps->n_secondary > 0)
        wrapf(sb, "", "Also not shown: %zu %s whose changes would let the hidden teams be "
                      "worked out by subtraction.", ps->n_secondary,
              plural(ps->n_secondary, "manager", "managers"));
    if (!vs->change_suppressed)
        changed_managers(sb, vs);
    waves_table(sb, vs);
}

/* Units (units.csv) of a shown scale: per shown unit, in units.csv's
 * order, its managers, n, mean and 95% interval, at most
 * SUMMARY_MAX_RANKED of them; then how many are hidden.  Managers without a
 * unit are the unit "(no unit)". */
static void units_table(sbuf_t *sb, const report_input_t *in, const view_t *view, size_t s)
{
    const units_t *units = in->units;
    if (!units || s >= units->n_scales || !view->scales[s].decision->unit_reason)
        return;
    long k = view->smallest_shown;
    const units_scale_t *us = &units->scales[s];
    const privacy_summary_t *ps = &view->scales[s].decision->unit_summary;
    sb_str(sb, "\n");
    heading(sb, "Units", '.');
    sb_str(sb, "\n");
    size_t listed = ps->n_shown < SUMMARY_MAX_RANKED ? ps->n_shown : SUMMARY_MAX_RANKED;
    if (listed > 0) {
        size_t wm = strlen("managers"), wn = 1, wmean = strlen("mean"), wid = strlen("unit");
        for (size_t u = 0, i = 0; u < units->n_units && i < listed; u++) {
            if (!view_unit_shown(view, s, u))
                continue;
            i++;
            const char *name = units->names[u][0] ? units->names[u] : "(no unit)";
            size_t l;
            if ((l = strlen(figure_count(us->units[u].managers).s)) > wm) wm = l;
            if ((l = strlen(figure_count(us->units[u].n).s)) > wn) wn = l;
            if ((l = u8_cols(name)) > wid) wid = l;
        }
        size_t fixed_cols = 2 + 2 + wm + 2 + wn + 2 + wmean + 2 + strlen("[0.00, 0.00]");
        size_t room = fixed_cols < SUMMARY_WIDTH - 10 ? SUMMARY_WIDTH - fixed_cols : 10;
        if (wid > room)
            wid = room;
        wrap(sb, "", "Units of the roster: each pools the respondents of its managers; mean "
                     "with its 95% confidence interval:");
        sb_str(sb, "\n");
        const size_t widths[] = { wm, wn, wmean };
        const char *const head[] = { "managers", "n", "mean" };
        sb_row(sb, "unit", wid, head, widths, 3, "95% CI");
        for (size_t u = 0, i = 0; u < units->n_units && i < listed; u++) {
            if (!view_unit_shown(view, s, u))
                continue;
            i++;
            const units_figures_t *f = &us->units[u];
            char *name = fit(units->names[u][0] ? units->names[u] : "(no unit)", wid, false);
            if (!name) {
                sb->failed = true;
                return;
            }
            text_t ci;
            if (isfinite(f->ci_low) && isfinite(f->ci_high))
                snprintf(ci.s, sizeof ci.s, "[%s, %s]", figure_fixed(f->ci_low, 2).s,
                         figure_fixed(f->ci_high, 2).s);
            else
                snprintf(ci.s, sizeof ci.s, "n/a");
            const figure_t managers = figure_count(f->managers), n = figure_count(f->n), mean = figure_fixed(f->mean, 2);
            const char *const cells[] = { managers.s, n.s, mean.s };
            sb_row(sb, name, wid, cells, widths, 3, ci.s);
            free(name);
        }
        if (ps->n_shown > listed)
            wrapf(sb, "  ", "... and %zu more in units.csv.", ps->n_shown - listed);
    }
    size_t small = ps->n_primary - ps->n_empty;
    if (listed > 0 && (small > 0 || ps->n_secondary > 0))
        sb_str(sb, "\n");
    if (small > 0)
        wrapf(sb, "", "Not shown: %zu %s with fewer than %ld scored respondents.", small,
              plural(small, "unit", "units"), k);
    if (ps->n_secondary > 0)
        wrapf(sb, "", "Also not shown: %zu %s whose figures would let a group of fewer than "
                      "%ld people be worked out by subtraction of the teams or units shown.",
              ps->n_secondary, plural(ps->n_secondary, "unit", "units"), k);
}

typedef struct {
    const char *leader, *parent;
    figure_t n, rate, mean;
    text_t ci, shares;
} leader_row_t;

_Static_assert(VIEW_TOP_DEPTH == 2, "report.txt speaks of the top two levels");

/* A leaders row's cells, rounded for the table: a response rate the view
 * hides is a dash; the three shares are one cell, a space apart. */
static void leader_cells(const view_t *view, const org_t *org, size_t s, size_t r, leader_row_t *row)
{
    const leaders_t *l = view->leaders;
    const leaders_figures_t *f = &l->scales[s].orgs[r];
    size_t v = l->node[r], up = org_parent(org, v);
    row->leader = figures_leader_name(org, v);
    row->parent = up == ORG_NONE ? "" : figures_leader_name(org, up);
    row->n = figure_count(f->n);
    if (view_response_rate_shown(view, l->invited[r])) {
        row->rate = figure_fixed(participation_rate(&(participation_count_t){ l->invited[r], l->responded[r] }), 0);
        strcat(row->rate.s, "%");
    } else {
        snprintf(row->rate.s, sizeof row->rate.s, LEADERS_NO_RATE);
    }
    row->mean = figure_fixed(f->mean, 2);
    if (isfinite(f->ci_low) && isfinite(f->ci_high))
        snprintf(row->ci.s, sizeof row->ci.s, "[%s, %s]", figure_fixed(f->ci_low, 2).s,
                 figure_fixed(f->ci_high, 2).s);
    else
        snprintf(row->ci.s, sizeof row->ci.s, "n/a");
    snprintf(row->shares.s, sizeof row->shares.s, "%3s %3s %3s", figure_fixed(f->favourable_pct, 0).s,
             figure_fixed(f->neutral_pct, 0).s, figure_fixed(f->unfavourable_pct, 0).s);
}

/* Leaders (leaders.csv) of a shown scale, with a reporting tree: the
 * company's line, then the view's list of the shown leaders of the top two
 * levels, ranked by their org's mean, at most SUMMARY_MAX_RANKED of them,
 * each with the leader they report to (a column left out when all are
 * tops); then how many of those levels are hidden. */
static void leaders_table(sbuf_t *sb, const report_input_t *in, const view_t *view, size_t s)
{
    const view_scale_t *vs = &view->scales[s];
    const org_t *org = dataset_org(in->dataset);
    const leaders_t *l = view->leaders;
    if (!view_leaders_listed(view, s) || !org)
        return;
    long k = view->smallest_shown;
    sb_str(sb, "\n");
    heading(sb, "Leaders", '.');
    sb_str(sb, "\n");
    wrap(sb, "", figures_company_line(l, s, view_response_rate_shown(view, l->invited[0]), k).s);
    size_t listed = vs->n_top_leaders < SUMMARY_MAX_RANKED ? vs->n_top_leaders : SUMMARY_MAX_RANKED;
    if (listed > 0) {
        leader_row_t rows[SUMMARY_MAX_RANKED];
        bool dash = false;
        for (size_t i = 0; i < listed; i++) {
            leader_cells(view, org, s, vs->top_leaders[i], &rows[i]);
            dash = dash || strcmp(rows[i].rate.s, LEADERS_NO_RATE) == 0;
        }
        static const char *const head[] = { "n", "rate", "mean", "95% CI", "fav neu unf" };
        enum { COLUMNS = sizeof head / sizeof head[0] };
        size_t widths[COLUMNS];
        for (size_t c = 0; c < COLUMNS; c++)
            widths[c] = strlen(head[c]);
        for (size_t i = 0; i < listed; i++) {
            const char *const cells[] = { rows[i].n.s, rows[i].rate.s, rows[i].mean.s, rows[i].ci.s,
                                          rows[i].shares.s };
            for (size_t c = 0; c < COLUMNS; c++)
                if (u8_cols(cells[c]) > widths[c])
                    widths[c] = u8_cols(cells[c]);
        }
        /* "  leader  reports to" and the cells: the two names share what is
         * left, the shorter column keeping its width; no "reports to" when
         * every listed leader is a top */
        bool parents = false;
        size_t wl = strlen("leader"), wp = strlen("reports to");
        for (size_t i = 0; i < listed; i++) {
            parents = parents || rows[i].parent[0] != '\0';
            if (u8_cols(rows[i].leader) > wl)
                wl = u8_cols(rows[i].leader);
            if (u8_cols(rows[i].parent) > wp)
                wp = u8_cols(rows[i].parent);
        }
        if (!parents)
            wp = 0;
        size_t fixed_cols = 2 + (parents ? 2 : 0);
        for (size_t c = 0; c < COLUMNS; c++)
            fixed_cols += 2 + widths[c];
        size_t room = fixed_cols < SUMMARY_WIDTH - 20 ? SUMMARY_WIDTH - fixed_cols : 20;
        if (!parents && wl > room) {
            wl = room;
        } else if (wl + wp > room) {
            size_t half = room / 2;
            if (wp <= half)
                wl = room - wp;
            else if (wl <= room - half)
                wp = room - wl;
            else
                wl = room - half, wp = half;
        }
        sb_str(sb, "\n");
        wrap(sb, "", "The top two levels of the reporting tree, each leader with their whole "
                     "organisation (everyone below them; leaders.csv has every level), ranked by "
                     "mean, highest first: n scored, the response rate, the mean with its 95% "
                     "confidence interval and the % of answers favourable, neutral and "
                     "unfavourable:");
        sb_str(sb, "\n");
        if (parents) {
            sb_str(sb, "  ");
            sb_cell(sb, "leader", wl, false);
        }
        sb_row(sb, parents ? "reports to" : "leader", parents ? wp : wl, head, widths, COLUMNS, NULL);
        for (size_t i = 0; i < listed; i++) {
            char *leader = fit(rows[i].leader, wl, false), *parent = fit(rows[i].parent, wp, false);
            if (!leader || !parent) {
                free(leader);
                free(parent);
                sb->failed = true;
                return;
            }
            const char *const cells[] = { rows[i].n.s, rows[i].rate.s, rows[i].mean.s, rows[i].ci.s,
                                          rows[i].shares.s };
            if (parents) {
                sb_str(sb, "  ");
                sb_cell(sb, leader, wl, false);
            }
            sb_row(sb, parents ? parent : leader, parents ? wp : wl, cells, widths, COLUMNS, NULL);
            free(leader);
            free(parent);
        }
        if (vs->n_top_leaders > listed)
            wrapf(sb, "  ", "... and %zu more in leaders.csv.", vs->n_top_leaders - listed);
        if (dash)
            wrapf(sb, "", "A response rate is shown only for an organisation of at least %ld "
                          "invited (" LEADERS_NO_RATE " otherwise).", k);
    }
    if (vs->top_hidden_primary > 0 || vs->top_hidden_secondary > 0)
        sb_str(sb, "\n");
    if (vs->top_hidden_primary > 0)
        wrapf(sb, "", "Not shown: %zu %s of the top two levels with fewer than %ld scored "
                      "respondents.", vs->top_hidden_primary,
              plural(vs->top_hidden_primary, "organisation", "organisations"), k);
    if (vs->top_hidden_secondary > 0)
        wrapf(sb, "", "Also not shown: %zu %s of the top two levels whose figures would let a "
                      "group of fewer than %ld people be worked out by subtraction of the "
                      "organisations and teams shown.", vs->top_hidden_secondary,
              plural(vs->top_hidden_secondary, "organisation", "organisations"), k);
}

static void scale_section(sbuf_t *sb, const report_input_t *in, const view_t *view, size_t s)
{
    const view_scale_t *vs = &view->scales[s];
    const analysis_scale_t *sc = vs->results;
    const analysis_variance_t *v = &vs->variance;
    const privacy_summary_t *ps = &vs->decision->summary;
    long k = view->smallest_shown;
    size_t with_scores = sc->n_managers - ps->n_empty;
    char *title = malloc(strlen(sc->scale->name) + 8);
    if (!title) {
        sb->failed = true;
        return;
    }
    sprintf(title, "Scale: %s", sc->scale->name);
    heading(sb, title, '-');
    free(title);
    sb_str(sb, "\n");

    if (vs->suppressed) {
        if (vs->scored == 0)
            wrap(sb, "", "No respondent was scored on this scale (nobody answered enough of its "
                         "items), so it has no figures.");
        else
            wrapf(sb, "", "Only %zu %s scored on this scale, fewer than %ld, so none of its "
                          "figures is shown.", vs->scored,
                  plural(vs->scored, "respondent was", "respondents were"), k);
    } else {
        wrapf(sb, "", "%zu %s scored on the scale's %zu %s; they report to %zu %s.",
              vs->scored, plural(vs->scored, "respondent was", "respondents were"),
              sc->scale->n_items, plural(sc->scale->n_items, "item", "items"), with_scores,
              plural(with_scores, "manager", "managers"));
        if (v->managers < with_scores)
            wrapf(sb, "", "The variance between and within managers is estimated over the %zu "
                          "%s of the %zu shown %s, so that it says nothing of a hidden team.",
                  v->respondents, plural(v->respondents, "respondent", "respondents"),
                  v->managers, plural(v->managers, "manager", "managers"));
        if (isfinite(v->alpha))
            wrapf(sb, "", "Cronbach's alpha: %s.", figure_fixed(v->alpha, 2).s);
        sb_str(sb, "\n");
        ranking(sb, in, vs);

        size_t small = ps->n_primary - ps->n_empty;
        if (small > 0 || ps->n_secondary > 0 || ps->n_empty > 0) {
            sb_str(sb, "\n");
            if (small > 0)
                wrapf(sb, "", "Not shown: %zu %s with fewer than %ld scored respondents.", small,
                      plural(small, "manager", "managers"), k);
            if (ps->n_secondary > 0)
                wrapf(sb, "", "Also not shown: %zu %s whose figures would let the hidden "
                              "%s be worked out by subtraction from the scale totals.",
                      ps->n_secondary, plural(ps->n_secondary, "manager", "managers"),
                      plural(small, "team", "teams"));
            if (ps->n_empty > 0)
                wrapf(sb, "", "%zu %s no scored respondent on this scale.", ps->n_empty,
                      plural(ps->n_empty, "manager has", "managers have"));
        }
        outliers(sb, in, view, s);
        items_table(sb, in, vs);
        units_table(sb, in, view, s);
        leaders_table(sb, in, view, s);
    }
    change_section(sb, view, s);

    bool first_note = true;
#define NOTE(bit, text)                                                                     \
    do {                                                                                    \
        if (vs->notes & (bit)) {                                                            \
            if (first_note)                                                                 \
                sb_str(sb, "\n");                                                           \
            first_note = false;                                                             \
            wrap(sb, "", "Note: " text);                                                    \
        }                                                                                   \
    } while (0)
    if (vs->scored > 0) {
        NOTE(ANALYSIS_NOTE_ONE_MANAGER, "only one shown manager has scored respondents, so "
                                        "managers cannot be compared.");
        NOTE(ANALYSIS_NOTE_ALL_SINGLETONS, "every shown manager has a single scored respondent, "
                                           "so the variance within teams cannot be estimated.");
        if (!vs->suppressed)
            NOTE(ANALYSIS_NOTE_ZERO_VARIANCE, "every scored respondent has the same score, so "
                                              "there is no variance to divide between and "
                                              "within managers.");
    }
    NOTE(ANALYSIS_NOTE_ONE_ITEM, "the scale has a single item, so Cronbach's alpha is "
                                 "undefined.");
    NOTE(ANALYSIS_NOTE_TOO_MANY_ITEMS, "the scale has more than 500 items, so Cronbach's "
                                       "alpha and the item figures other than n and the "
                                       "favourable share are not computed.");
#undef NOTE
    sb_str(sb, "\n");
}

/* One sentence naming how the files were read: each layout with its
 * encodings and how many files. */
static void formats_read(sbuf_t *sb, const ingest_log_t *log)
{
    char text[1024];
    size_t used = 0;
    for (size_t i = 0; i < log->n_files && used < sizeof text - 1; i++) {
        const ingest_file_t *f = &log->files[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(log->files[j].layout ? log->files[j].layout : "", f->layout ? f->layout : "") == 0 &&
                   strcmp(log->files[j].encoding, f->encoding) == 0;
        if (seen)
            continue;
        size_t n = 0;
        for (size_t j = i; j < log->n_files; j++)
            n += strcmp(log->files[j].layout ? log->files[j].layout : "", f->layout ? f->layout : "") == 0 &&
                 strcmp(log->files[j].encoding, f->encoding) == 0;
        int w = snprintf(text + used, sizeof text - used, "%s%s %s, %s (%zu %s)", used ? "; " : "",
                         f->layout ? f->layout : "canonical", strcmp(f->format, "canonical") ? "export" : "CSV",
                         f->encoding, n, n == 1 ? "file" : "files");
        if (w > 0)
            used += (size_t)w < sizeof text - used ? (size_t)w : sizeof text - 1 - used;
    }
    wrapf(sb, "", "Read: %s.", text);
}

/* The data-quality table: each input file of the current wave, then with
 * --previous the previous wave's, with a wave column, and their total. */
static void quality_section(sbuf_t *sb, const report_input_t *in)
{
    heading(sb, "Data quality", '-');
    sb_str(sb, "\n");
    const ingest_log_t *log = in->log, *previous = in->previous_log;
    size_t n_current = log ? log->n_files : 0, n_previous = previous ? previous->n_files : 0;
    size_t n_files = n_current + n_previous;
    if (n_current == 0) {
        wrap(sb, "", "No input file was recorded.");
        return;
    }
    bool waves = previous != NULL;
    static const char *const head[] = { "wave", "rows", "accepted", "rejected", "excluded" };
    const char *const *heads = waves ? head : head + 1;
    size_t columns = waves ? 5 : 4;
    size_t total[4] = { 0 };
    size_t w[5], wf = strlen("file");
    for (size_t c = 0; c < 5; c++)
        w[c] = strlen(head[c]);
    w[0] = strlen("previous");
    for (size_t i = 0; i < n_files; i++) {
        const ingest_file_t *f = i < n_current ? &log->files[i] : &previous->files[i - n_current];
        size_t v[4] = { f->rows, f->accepted, f->rejected, f->excluded };
        for (int c = 0; c < 4; c++)
            total[c] += v[c];
        size_t l = u8_cols(f->path ? f->path : "");
        if (l > wf)
            wf = l;
    }
    for (int c = 0; c < 4; c++) {
        size_t l = strlen(figure_count(total[c]).s);
        if (l > w[c + 1])
            w[c + 1] = l;
    }
    const size_t *widths = waves ? w : w + 1;
    size_t fixed_cols = 2 + 2 + w[1] + 2 + w[2] + 2 + w[3] + 2 + w[4] + (waves ? 2 + w[0] : 0);
    size_t room = fixed_cols < SUMMARY_WIDTH - 10 ? SUMMARY_WIDTH - fixed_cols : 10;
    if (wf > room)
        wf = room;

    sb_row(sb, "file", wf, heads, widths, columns, NULL);
    for (size_t i = 0; i <= n_files; i++) {
        if (i == n_files && n_files < 2)
            break;
        size_t v[4];
        char *name;
        const char *wave = "";
        if (i < n_files) {
            const ingest_file_t *f = i < n_current ? &log->files[i] : &previous->files[i - n_current];
            v[0] = f->rows, v[1] = f->accepted, v[2] = f->rejected, v[3] = f->excluded;
            name = fit(f->path, wf, true);
            wave = i < n_current ? "current" : "previous";
        } else {
            memcpy(v, total, sizeof v);
            name = fit("total", wf, false);
        }
        if (!name) {
            sb->failed = true;
            return;
        }
        const figure_t counts[] = { figure_count(v[0]), figure_count(v[1]), figure_count(v[2]), figure_count(v[3]) };
        const char *const cells[] = { wave, counts[0].s, counts[1].s, counts[2].s, counts[3].s };
        sb_row(sb, name, wf, waves ? cells : cells + 1, widths, columns, NULL);
        free(name);
    }
    sb_str(sb, "\n");
    formats_read(sb, log);
    if (total[2] == 0 && total[3] == 0)
        wrap(sb, "", "No row was rejected or excluded.");
    else
        wrap(sb, "", figures_left_out(total[2], total[3],
                                      figures_log_capped(log) || figures_log_capped(previous)).s);
}

static void privacy_section(sbuf_t *sb, const report_input_t *in, const view_t *view)
{
    long k = view->smallest_shown;
    heading(sb, "About these figures", '-');
    sb_str(sb, "\n");
    wrapf(sb, "", "A manager's figures are shown only when at least %ld of their team were "
                  "scored on the scale. When hiding the small teams alone would let a group "
                  "of fewer than %ld people be worked out by subtraction from the scale "
                  "totals, the next-smallest team is hidden too. In managers.csv a hidden "
                  "manager keeps n, every other figure is empty and suppressed is 1. A scale "
                  "with fewer than %ld scored respondents in all keeps only its name and "
                  "counts (respondents, managers) in variance.csv.", k, k, k);
    sb_str(sb, "\n");
    wrapf(sb, "", "The share of the variance between managers, the ANOVA and ICC figures "
                  "and the funnel limits are estimated over the respondents of the shown "
                  "managers only, so that no published figure depends on a hidden team's "
                  "answers other than through totals of at least %ld people.", k);
    sb_str(sb, "\n");
    wrap(sb, "", "Item figures (items.csv) pool every scored respondent of a scale, so they "
                 "are hidden only when the scale as a whole is.");
    if (in->units) {
        sb_str(sb, "\n");
        wrapf(sb, "", "A unit's figures (units.csv) are shown only when at least %ld of its "
                      "managers' team members were scored. No subtraction of shown figures -- "
                      "a unit minus its shown managers, the scale total minus its shown units "
                      "and the shown managers of hidden units -- leaves a group of fewer than "
                      "%ld people: where it would, a further manager or unit is hidden.", k, k);
    }
    if (in->changes) {
        sb_str(sb, "\n");
        wrapf(sb, "", "A manager's change since the previous wave (changes.csv) is shown only "
                      "when at least %ld of their team were scored in both waves; the same "
                      "rule against subtraction then holds in each wave. A hidden change keeps "
                      "n_previous and n. q_value adjusts p_value for the many managers tested "
                      "(Benjamini-Hochberg over the shown managers of the scale).", k);
        wrapf(sb, "", "Managers' current figures in managers.csv and changes.csv are taken "
                      "together: where the teams hidden in both would number fewer than %ld "
                      "people, a team whose change is hidden is hidden in managers.csv too.", k);
    }
    sb_str(sb, "\n");
    wrap(sb, "", "Figures here are rounded; managers.csv, variance.csv and items.csv give them "
                 "to 12 significant digits. rejects.csv names respondents and "
                 "variance_all_teams.csv holds the decomposition over every team, hidden ones "
                 "included: both are for the analyst and should not be passed on.");
}

/* The units whose drivers the view publishes for outcome o: a line each
 * with the unit's complete cases, R², the driver drivers.c found most
 * important (its share of R² and interval) and its drivers where to act. */
static void drivers_units(sbuf_t *sb, const view_t *view, size_t o)
{
    const drivers_t *d = view->drivers;
    size_t shown = 0;
    for (size_t u = 0; u < d->n_units; u++)
        shown += view_drivers_unit_shown(view, o, u);
    if (!shown)
        return;
    sb_str(sb, "\n");
    wrap(sb, "", "By unit (the units drivers.csv has rows for): each unit's complete cases, R², its most "
                 "important driver with its share of R² and 95% interval, and its drivers where to act:");
    sb_str(sb, "\n");
    for (size_t u = 0; u < d->n_units; u++) {
        if (!view_drivers_unit_shown(view, o, u))
            continue;
        const drivers_outcome_t *uo = &d->unit_outcomes[o * d->n_units + u];
        char *unit = fit(d->unit_names[u], 20, false);
        if (!unit) {
            sb->failed = true;
            return;
        }
        char line[512];
        sb_str(sb, "    ");
        sb_str(sb, unit);
        sb_repeat(sb, ' ', 20 - u8_cols(unit));
        free(unit);
        snprintf(line, sizeof line, " n %zu", uo->n_complete);
        sb_str(sb, line);
        if (uo->top == SIZE_MAX) {
            sb_str(sb, "  the weights cannot be worked out (drivers.csv leaves them empty)\n");
            continue;
        }
        const drivers_item_t *top = &uo->items[uo->top];
        char *name = fit(top->name, 28, false);
        if (!name) {
            sb->failed = true;
            return;
        }
        snprintf(line, sizeof line, "  R² %.1f%%  top ", 100 * uo->r2);
        sb_str(sb, line);
        sb_str(sb, name);
        free(name);
        snprintf(line, sizeof line, " %.1f%%", 100 * top->share_r2);
        sb_str(sb, line);
        if (!isnan(top->share_r2_ci_low)) {
            snprintf(line, sizeof line, " (%.1f to %.1f)", 100 * top->share_r2_ci_low, 100 * top->share_r2_ci_high);
            sb_str(sb, line);
        }
        const char *sep = "  where to act: ";
        for (size_t j = 0; j < uo->n_items; j++) {
            if (!uo->items[j].where_to_act)
                continue;
            sb_str(sb, sep);
            sb_str(sb, uo->items[j].name);
            sep = ", ";
        }
        sb_str(sb, "\n");
    }
}

/* Key drivers ([drivers]): per outcome the drivers by share of R², most
 * important first, their favourable share, and the ones drivers.c marks as
 * where to act; or why the figures are empty; then the units' lines. */
static void drivers_section(sbuf_t *sb, const report_input_t *in, const view_t *view)
{
    const drivers_t *d = view->drivers;
    for (size_t o = 0; d && o < d->n_outcomes; o++) {
        const drivers_outcome_t *oc = &d->outcomes[o];
        const char *name = dataset_scale(in->dataset, oc->outcome)->name;
        char title[256];
        snprintf(title, sizeof title, "Key drivers of %s", name);
        heading(sb, title, '-');
        sb_str(sb, "\n");
        if (oc->notes & DRIVERS_NOTE_TOO_FEW) {
            wrapf(sb, "", "Only %zu respondents were scored on %s and answered every one of its %zu "
                          "drivers: relative weights need at least %zu such complete cases, so "
                          "drivers.csv leaves its figures empty.", oc->n_complete, name, oc->n_items,
                  oc->n_items + 2);
        } else if (!view_drivers_shown(view, o)) {
            wrapf(sb, "", "%zu complete cases, fewer than %ld: the drivers are not shown.", oc->n_complete,
                  view->smallest_shown);
        } else if (oc->notes & DRIVERS_NOTE_SINGULAR) {
            wrapf(sb, "", "Over the %zu complete cases a driver or %s does not vary, or a driver is a "
                          "combination of others: the weights cannot be worked out and drivers.csv "
                          "leaves them empty.", oc->n_complete, name);
        } else {
            wrapf(sb, "", "Over %zu complete cases the drivers together account for %.1f%% of the "
                          "variance of %s (R²). Each driver's share of it (relative weights), most "
                          "important first, with its favourable share:", oc->n_complete, 100 * oc->r2,
                  name);
            sb_str(sb, "\n");
            size_t *order = malloc(oc->n_items * sizeof *order);
            if (!order) {
                sb->failed = true;
                return;
            }
            for (size_t j = 0; j < oc->n_items; j++) {
                size_t at = j;   /* insertion by share, ties in driver order */
                while (at > 0 && oc->items[order[at - 1]].share_r2 < oc->items[j].share_r2) {
                    order[at] = order[at - 1];
                    at--;
                }
                order[at] = j;
            }
            for (size_t j = 0; j < oc->n_items; j++) {
                const drivers_item_t *it = &oc->items[order[j]];
                char *cut = fit(it->name, 28, false);
                char line[256];
                if (!cut) {
                    sb->failed = true;
                    break;
                }
                sb_str(sb, "    ");
                sb_str(sb, cut);
                sb_repeat(sb, ' ', 28 - u8_cols(cut));
                snprintf(line, sizeof line, " %5.1f%% of R²  %5.1f%% favourable%s\n", 100 * it->share_r2,
                         it->favourable_pct, it->where_to_act ? "  where to act" : "");
                sb_str(sb, line);
                free(cut);
            }
            free(order);
            sb_str(sb, "\n");
            wrap(sb, "", "Where to act: drivers more important than the average one and less "
                         "favourable than most. drivers.csv gives 95% bootstrap intervals.");
        }
        drivers_units(sb, view, o);
        sb_str(sb, "\n");
    }
}

engage_status_t summary_build(const report_input_t *in, const view_t *view, char **text,
                              size_t *size, engage_error_t *err)
{
    sbuf_t sb = { 0 };
    char title[128];
    snprintf(title, sizeof title, "engage %s: employee engagement report",
             in->version ? in->version : "");
    heading(&sb, title, '=');
    sb_str(&sb, "\n");
    glance(&sb, in, view);
    for (size_t s = 0; s < view->n_scales; s++)
        scale_section(&sb, in, view, s);
    drivers_section(&sb, in, view);
    quality_section(&sb, in);
    sb_str(&sb, "\n");
    privacy_section(&sb, in, view);
    sb_str(&sb, "\n");
    headline(&sb, view);
    if (sb.failed || !sb.data) {
        free(sb.data);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    *text = sb.data;
    *size = sb.len;
    return ENGAGE_OK;
}
