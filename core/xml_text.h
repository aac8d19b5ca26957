/*
 * core/xml_text.h — the one rule for text that goes into XML (report.html,
 * its SVG plots, the sheets of engage.xlsx).
 *
 * XML 1.0 can hold every character except the C0 controls other than tab,
 * LF and CR, the surrogates and the non-characters U+FFFE and U+FFFF (its
 * Char production).  A document holding one of them is not XML: a browser
 * stops at it and LibreOffice drops the rest of the sheet.  Such a
 * character, and every byte of invalid UTF-8, is written as U+FFFD.
 * Escaping & < > and quotes is each writer's own business.
 */
#ifndef ENGAGE_XML_TEXT_H
#define ENGAGE_XML_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* U+FFFD, the character that stands in for what XML cannot hold. */
#define XML_TEXT_REPLACEMENT "\xEF\xBF\xBD"

/* Decode one UTF-8 character at s (n > 0 bytes left): its length in bytes
 * and *cp its code point, or length 1 and *cp = -1 for a byte that does not
 * start a valid, shortest-form sequence. */
size_t xml_text_decode(const unsigned char *s, size_t n, long *cp);

/* Whether XML 1.0 can hold code point cp (-1, invalid UTF-8, it cannot). */
bool xml_text_allowed(long cp);

/* A copy of text (malloc'd) with every character XML cannot hold and every
 * byte of invalid UTF-8 replaced by U+FFFD; NULL when text needs no change
 * or memory runs out (*failed then says which; failed may be NULL). */
char *xml_text_safe(const char *text, bool *failed);

#endif
