/*
 * report/svg.c — the buffered XML writer behind report.html and the SVG
 * shapes of its plots.
 *
 * Owns the open file, a 64 KiB buffer and the running SHA-256 digest; the
 * caller owns nothing of it but the handle.  Text from data is decoded as
 * UTF-8 and escaped character by character, so the output is well-formed
 * XML whatever the data holds (core/xml_text.h says what XML cannot hold).
 * Coordinates are formatted with integer arithmetic (one decimal place)
 * and other numbers with snprintf and the locale's decimal point put back
 * to '.', so that no locale changes a byte.
 */
#include "svg.h"

#include "figures.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/digest.h"
#include "../core/xml_text.h"

enum { SVG_BUFFER = 64 * 1024 };

struct svg_out {
    FILE *fp;
    char *path;
    digest_t *sha;
    size_t len;
    engage_status_t status;
    int errnum;
    unsigned char buf[SVG_BUFFER];
};

static void flush_buffer(svg_out_t *out)
{
    if (out->len == 0)
        return;
    digest_update(out->sha, out->buf, out->len);
    if (out->status == ENGAGE_OK) {
        errno = 0;
        if (fwrite(out->buf, 1, out->len, out->fp) != out->len) {
            out->status = ENGAGE_EIO;
            out->errnum = errno ? errno : EIO;
        }
    }
    out->len = 0;
}

/* Each pass copies at least one byte (a full buffer is emptied first), so
 * the loop ends after at most size passes. */
static void put(svg_out_t *out, const void *data, size_t size)
{
    const unsigned char *p = data;
    while (size > 0) {
        if (out->len == SVG_BUFFER)
            flush_buffer(out);
        size_t room = SVG_BUFFER - out->len;
        size_t n = size < room ? size : room;
        memcpy(out->buf + out->len, p, n);
        out->len += n;
        p += n;
        size -= n;
    }
}

engage_status_t svg_out_open(svg_out_t **out, const char *path, engage_error_t *err)
{
    *out = NULL;
    svg_out_t *o = calloc(1, sizeof *o);
    if (o) {
        o->path = strdup(path);
        o->sha = digest_new();
    }
    if (!o || !o->path || !o->sha) {
        if (o) {
            free(o->path);
            digest_free(o->sha);
        }
        free(o);
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    }
    o->fp = fopen(path, "wb");
    if (!o->fp) {
        int e = errno;
        free(o->path);
        digest_free(o->sha);
        free(o);
        return engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(e));
    }
    *out = o;
    return ENGAGE_OK;
}

engage_status_t svg_out_close(svg_out_t *out, char sha256_hex[65], engage_error_t *err)
{
    if (!out)
        return ENGAGE_OK;
    flush_buffer(out);
    errno = 0;
    if (fclose(out->fp) != 0 && out->status == ENGAGE_OK) {
        out->status = ENGAGE_EIO;
        out->errnum = errno ? errno : EIO;
    }
    if (sha256_hex)
        digest_hex(out->sha, sha256_hex);
    digest_free(out->sha);
    engage_status_t status = out->status;
    if (status != ENGAGE_OK)
        engage_fail(err, status, out->path, 0, "cannot write: %s", strerror(out->errnum));
    free(out->path);
    free(out);
    return status;
}

void svg_raw(svg_out_t *out, const char *markup)
{
    put(out, markup, strlen(markup));
}

void svg_rawf(svg_out_t *out, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        put(out, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        if (out->status == ENGAGE_OK) {
            out->status = ENGAGE_EIO;
            out->errnum = ENOMEM;
        }
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    put(out, big, (size_t)n);
    free(big);
}

/* ------------------------------------------------------------------------ */
/* text                                                                       */

/* Escape up to max_chars characters (0: all); true when text was cut. */
/* (xml_text_decode consumes at least one byte, so the loop ends within n
 * passes.) */
static bool escape(svg_out_t *out, const char *text, size_t max_chars)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), chars = 0;
    for (size_t i = 0; i < n;) {
        if (max_chars && chars == max_chars)
            return true;
        long cp;
        size_t len = xml_text_decode(s + i, n - i, &cp);
        chars++;
        if (cp == '&')
            svg_raw(out, "&amp;");
        else if (cp == '<')
            svg_raw(out, "&lt;");
        else if (cp == '>')
            svg_raw(out, "&gt;");
        else if (cp == '"')
            svg_raw(out, "&quot;");
        else if (cp == '\'')
            svg_raw(out, "&#39;");
        else if (cp == '\t' || cp == '\n' || cp == '\r')
            put(out, " ", 1);
        else if (!xml_text_allowed(cp) || (cp >= 0x7F && cp <= 0x9F))
            /* what XML cannot hold, and the controls HTML does not allow */
            svg_raw(out, XML_TEXT_REPLACEMENT);
        else
            put(out, s + i, len);
        i += len;
    }
    return false;
}

void svg_text(svg_out_t *out, const char *text)
{
    if (text)
        escape(out, text, 0);
}

void svg_cell_text(svg_out_t *out, const char *text)
{
    svg_raw(out, "<td class=\"t\">");
    svg_text(out, text);
    svg_raw(out, "</td>");
}

size_t svg_chars(const char *text)
{
    size_t chars = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++)
        chars += (*s & 0xC0) != 0x80;
    return chars;
}

void svg_text_cut(svg_out_t *out, const char *text, size_t max_chars)
{
    if (!text)
        return;
    if (max_chars < 2 || svg_chars(text) <= max_chars) {
        escape(out, text, max_chars);
        return;
    }
    escape(out, text, max_chars - 1);
    svg_raw(out, "\xE2\x80\xA6");  /* … */
}

/* ------------------------------------------------------------------------ */
/* numbers                                                                    */

char *svg_fixed(double v, int decimals, char *buf, size_t size)
{
    snprintf(buf, size, "%s", figure_fixed(v, decimals).s);
    return buf;
}

void svg_number(svg_out_t *out, double v, int decimals)
{
    char s[64];
    svg_raw(out, svg_fixed(v, decimals, s, sizeof s));
}

void svg_coord(svg_out_t *out, double v)
{
    if (!isfinite(v))
        v = 0;
    if (v > 1e9)
        v = 1e9;
    if (v < -1e9)
        v = -1e9;
    long long t = llround(v * 10.0);
    char s[32];
    bool neg = t < 0;
    unsigned long long a = neg ? (unsigned long long)(-t) : (unsigned long long)t;
    if (a % 10 == 0)
        snprintf(s, sizeof s, "%s%llu", neg ? "-" : "", a / 10);
    else
        snprintf(s, sizeof s, "%s%llu.%llu", neg ? "-" : "", a / 10, a % 10);
    svg_raw(out, s);
}

/* ------------------------------------------------------------------------ */
/* shapes                                                                     */

static void attr_num(svg_out_t *out, const char *name, double v)
{
    svg_rawf(out, " %s=\"", name);
    svg_coord(out, v);
    put(out, "\"", 1);
}

static void attr_class(svg_out_t *out, const char *cls)
{
    if (!cls)
        return;
    svg_raw(out, " class=\"");
    svg_text(out, cls);
    put(out, "\"", 1);
}

void svg_begin(svg_out_t *out, const char *id, double width, double height, const char *title,
               const char *desc)
{
    svg_raw(out, "<svg class=\"plot\" viewBox=\"0 0 ");
    svg_coord(out, width);
    put(out, " ", 1);
    svg_coord(out, height);
    svg_raw(out, "\" role=\"img\" aria-labelledby=\"");
    svg_text(out, id);
    svg_raw(out, "-title ");
    svg_text(out, id);
    svg_raw(out, "-desc\">\n<title id=\"");
    svg_text(out, id);
    svg_raw(out, "-title\">");
    svg_text(out, title);
    svg_raw(out, "</title>\n<desc id=\"");
    svg_text(out, id);
    svg_raw(out, "-desc\">");
    svg_text(out, desc);
    svg_raw(out, "</desc>\n");
}

void svg_end(svg_out_t *out)
{
    svg_raw(out, "</svg>\n");
}

void svg_rect(svg_out_t *out, double x, double y, double w, double h, const char *cls)
{
    svg_raw(out, "<rect");
    attr_num(out, "x", x);
    attr_num(out, "y", y);
    attr_num(out, "width", w);
    attr_num(out, "height", h);
    attr_class(out, cls);
    svg_raw(out, "/>\n");
}

void svg_line(svg_out_t *out, double x1, double y1, double x2, double y2, const char *cls)
{
    svg_raw(out, "<line");
    attr_num(out, "x1", x1);
    attr_num(out, "y1", y1);
    attr_num(out, "x2", x2);
    attr_num(out, "y2", y2);
    attr_class(out, cls);
    svg_raw(out, "/>\n");
}

void svg_circle(svg_out_t *out, double cx, double cy, double r, const char *cls,
                const char *tooltip)
{
    svg_raw(out, "<circle");
    attr_num(out, "cx", cx);
    attr_num(out, "cy", cy);
    attr_num(out, "r", r);
    attr_class(out, cls);
    if (tooltip) {
        svg_raw(out, "><title>");
        svg_text(out, tooltip);
        svg_raw(out, "</title></circle>\n");
    } else {
        svg_raw(out, "/>\n");
    }
}

static void points(svg_out_t *out, const double *xy, size_t n)
{
    svg_raw(out, " points=\"");
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(out, " ", 1);
        svg_coord(out, xy[2 * i]);
        put(out, ",", 1);
        svg_coord(out, xy[2 * i + 1]);
    }
    put(out, "\"", 1);
}

void svg_polyline(svg_out_t *out, const double *xy, size_t n, const char *cls)
{
    svg_raw(out, "<polyline");
    points(out, xy, n);
    attr_class(out, cls);
    svg_raw(out, "/>\n");
}

void svg_polygon(svg_out_t *out, const double *xy, size_t n, const char *cls)
{
    svg_raw(out, "<polygon");
    points(out, xy, n);
    attr_class(out, cls);
    svg_raw(out, "/>\n");
}

void svg_label(svg_out_t *out, double x, double y, const char *anchor, const char *cls,
               const char *text, size_t max_chars)
{
    svg_raw(out, "<text");
    attr_num(out, "x", x);
    attr_num(out, "y", y);
    if (anchor && strcmp(anchor, "start") != 0) {
        svg_raw(out, " text-anchor=\"");
        svg_text(out, anchor);
        put(out, "\"", 1);
    }
    attr_class(out, cls);
    put(out, ">", 1);
    if (max_chars)
        svg_text_cut(out, text, max_chars);
    else
        svg_text(out, text);
    svg_raw(out, "</text>\n");
}
