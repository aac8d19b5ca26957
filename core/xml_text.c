/*
 * core/xml_text.c — what XML can hold (see xml_text.h).  Pure functions;
 * owns nothing beyond the copy it returns.
 */
#include "xml_text.h"

#include <stdlib.h>
#include <string.h>

size_t xml_text_decode(const unsigned char *s, size_t n, long *cp)
{
    unsigned char c = s[0];
    size_t len;
    long v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = -1;
        return 1;
    }
    if (len > n) {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return len;
}

bool xml_text_allowed(long cp)
{
    if (cp < 0)
        return false;
    if (cp < 0x20)
        return cp == '\t' || cp == '\n' || cp == '\r';
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return false;
    return cp != 0xFFFE && cp != 0xFFFF && cp <= 0x10FFFF;
}

char *xml_text_safe(const char *text, bool *failed)
{
    if (failed)
        *failed = false;
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), bad = 0;
    for (size_t i = 0; i < n;) {
        long cp;
        i += xml_text_decode(s + i, n - i, &cp);
        bad += !xml_text_allowed(cp);
    }
    if (bad == 0)
        return NULL;
    /* each replaced character (at least one byte) becomes three bytes */
    char *out = malloc(n + 2 * bad + 1);
    if (!out) {
        if (failed)
            *failed = true;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        long cp;
        size_t len = xml_text_decode(s + i, n - i, &cp);
        if (xml_text_allowed(cp)) {
            memcpy(out + o, s + i, len);
            o += len;
        } else {
            memcpy(out + o, XML_TEXT_REPLACEMENT, 3);
            o += 3;
        }
        i += len;
    }
    out[o] = '\0';
    return out;
}
