/*
 * ingest/source.h — the bytes of one input, decompressed.
 *
 * A source reads a file, stdin ("-") or a memory buffer in fixed-size
 * chunks, recognises gzip and zip by their magic bytes (not the name) and
 * inflates gzip member after member (with ISA-L when the bytes can be read
 * again, else with zlib; errors are zlib's either way) and zip with libarchive,
 * whose one .csv, .tsv or .txt entry is the text (directories, __MACOSX/
 * and names starting with '.' are ignored; none or several such entries is
 * an error, as is an encrypted one).  It hashes the stored bytes with
 * SHA-256 and counts them for the manifest.  A truncated or corrupt stream is
 * an error, never a silent short read.  Memory is constant: one input and
 * one output buffer (and libarchive's own).  A file opened by path is named
 * to the progress reporter and its stored bytes counted there as they are
 * read (core/progress.h).
 */
#ifndef ENGAGE_SOURCE_H
#define ENGAGE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"

typedef struct source source_t;

/* Open a path ("-" = stdin).  ENGAGE_ENOINPUT when it cannot be opened. */
engage_status_t source_open_path(source_t **out, const char *path, engage_error_t *err);

/* Read from bytes that the caller keeps alive until source_close. */
engage_status_t source_open_memory(source_t **out, const char *name, const void *bytes, size_t size,
                                   engage_error_t *err);

/* The next chunk of decompressed bytes; *len == 0 at the end.  line is the
 * physical line reached so far, used in error messages.  ENGAGE_EDATA for a
 * corrupt or truncated gzip or zip stream and for an unusable zip (see
 * above), ENGAGE_ENOINPUT for a read error. */
engage_status_t source_read(source_t *src, const unsigned char **data, size_t *len, long line,
                            engage_error_t *err);

/* Inflate gzip or zip input on a thread of its own, ahead of the caller
 * (call before the first read).  source_stop() ends that thread; call it
 * before source_bytes/source_sha256/source_member when reading stopped
 * early.  source_close() stops it too. */
void source_read_ahead(source_t *src, bool on);
void source_stop(source_t *src);

/* Limit every read (stored and inflated) to `chunk` bytes; tests use it to
 * cut input at every possible place.  0 restores the default. */
void source_set_chunk(source_t *src, size_t chunk);

/* Refuse a zip entry that inflates to more than cap bytes (ENGAGE_EDATA);
 * 0 restores the default, 4 GiB. */
void source_set_zip_cap(source_t *src, uint64_t cap);

bool source_is_gzip(const source_t *src);
bool source_is_zip(const source_t *src);
/* The name of the zip entry read, or NULL (not a zip, or not opened yet). */
const char *source_member(const source_t *src);
uint64_t source_bytes(const source_t *src);
/* How far through its stored bytes the input is: *behind, the stored
 * bytes behind the chunks source_read has returned so far (every byte of
 * those chunks came from them), and *size, the input's stored size.  False
 * when the size is not known (a pipe, stdin) or does not measure the text
 * (a zip, whose other entries count in it). */
bool source_share_read(const source_t *src, uint64_t *behind, uint64_t *size);
/* Hex SHA-256 of every stored byte read so far (call after the last read). */
void source_sha256(const source_t *src, char hex[65]);

void source_close(source_t *src);

#endif
