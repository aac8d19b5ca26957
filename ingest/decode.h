/*
 * ingest/decode.h — the text of a source as UTF-8, whatever its encoding.
 *
 * A decoder pulls chunks from a source and hands out UTF-8 bytes in chunks
 * of its own.  Memory is constant (one output buffer and a few bytes held
 * back where a character is cut by a read boundary).
 *
 * What it decides:
 *   - A byte order mark decides the encoding whatever the setting: EF BB BF
 *     is UTF-8, FF FE UTF-16LE, FE FF UTF-16BE.  The mark is dropped.
 *   - "auto" without a mark: ASCII passes through unchanged.  The first
 *     byte >= 0x80 decides for the rest of the file: UTF-8 when it starts a
 *     valid UTF-8 sequence (every later byte is then validated), else
 *     Windows-1252 (everything before was ASCII, the same in both).
 *   - "utf-8": every byte is validated.  "utf-16" without a mark: LE.
 *     "windows-1252": every byte is converted.
 *   - The five bytes Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90
 *     0x9D) are an error, as glibc's iconv has them: such a file is not
 *     Windows-1252.
 * Errors are ENGAGE_EDATA naming the physical line of the offending byte.
 */
#ifndef ENGAGE_DECODE_H
#define ENGAGE_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"
#include "source.h"

typedef struct decode decode_t;

/* A decoder reading src (which the caller keeps open).  encoding is the
 * config value: NULL, "auto", "utf-8", "utf-16" or "windows-1252" (also
 * "utf8", "utf16", "cp1252"); another value is ENGAGE_ECONFIG.  name is the
 * file name used in messages. */
engage_status_t decode_new(decode_t **out, source_t *src, const char *name, const char *encoding,
                           engage_error_t *err);

/* The next chunk of UTF-8 text; *len == 0 at the end.  The bytes stay valid
 * until the next call.  line is the physical line of the next byte handed
 * out, as the caller counts it in the text it has been given: the decoder
 * hands out every good byte before an error, so an error always lies at
 * `line` of the call that reports it.  Errors: the source's, and
 * ENGAGE_EDATA for bytes that are not text in the encoding. */
engage_status_t decode_read(decode_t *d, const unsigned char **data, size_t *len, long line,
                            engage_error_t *err);

/* What was decided so far (final after the last read): "utf-8" (also for
 * pure ASCII), "utf-16le", "utf-16be" or "windows-1252"; a static string. */
const char *decode_encoding(const decode_t *d);

/* The text began with a byte order mark. */
bool decode_bom(const decode_t *d);

void decode_free(decode_t *d);

#endif
