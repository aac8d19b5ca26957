/*
 * ingest/source.c — input bytes: file, stdin or memory; plain or gzip.
 *
 * Owns the file handle (not stdin's), the raw and inflated buffers and the
 * zlib stream.  gzip is detected from the first two stored bytes.  After
 * each gzip member ends, more stored bytes must start another member (as
 * `gzip -dc` reads concatenated files); input that ends inside a member is
 * reported as truncated.
 */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../core/digest.h"

enum { RAW_CHUNK = 1 << 16, OUT_CHUNK = 1 << 18 };

struct source {
    char *name;
    FILE *file;                /* NULL for memory */
    bool owns_file;
    const unsigned char *memory;
    size_t memory_size, memory_pos;

    unsigned char *raw;        /* stored bytes not yet consumed */
    size_t raw_len, raw_pos;
    bool raw_eof;
    uint64_t bytes;
    digest_t *sha;

    bool gzip, detected;
    z_stream z;
    bool z_ready;              /* inflateInit2 done */
    bool member_open;          /* inside a gzip member */
    unsigned char *out;
    size_t raw_chunk, out_chunk; /* read sizes, RAW_CHUNK / OUT_CHUNK unless limited */
};

static engage_status_t source_new(source_t **out, const char *name, engage_error_t *err)
{
    source_t *src = calloc(1, sizeof *src);
    if (src) {
        src->name = strdup(name);
        src->raw = malloc(RAW_CHUNK);
        src->out = malloc(OUT_CHUNK);
    }
    if (src)
        src->sha = digest_new();
    if (!src || !src->name || !src->raw || !src->out || !src->sha) {
        source_close(src);
        return engage_fail(err, ENGAGE_ENOMEM, name, 0, "out of memory");
    }
    src->raw_chunk = RAW_CHUNK;
    src->out_chunk = OUT_CHUNK;
    *out = src;
    return ENGAGE_OK;
}

engage_status_t source_open_path(source_t **out, const char *path, engage_error_t *err)
{
    engage_status_t st = source_new(out, path, err);
    if (st != ENGAGE_OK)
        return st;
    source_t *src = *out;
    if (strcmp(path, "-") == 0) {
        src->file = stdin;
    } else {
        src->file = fopen(path, "rb");
        if (!src->file) {
            int e = errno;
            source_close(src);
            *out = NULL;
            return engage_fail(err, ENGAGE_ENOINPUT, path, 0, "cannot open: %s", strerror(e));
        }
        src->owns_file = true;
    }
    return ENGAGE_OK;
}

engage_status_t source_open_memory(source_t **out, const char *name, const void *bytes, size_t size,
                                   engage_error_t *err)
{
    engage_status_t st = source_new(out, name, err);
    if (st != ENGAGE_OK)
        return st;
    (*out)->memory = bytes;
    (*out)->memory_size = size;
    return ENGAGE_OK;
}

/* Refill the raw buffer when it is used up; false on a read error. */
static bool fill_raw(source_t *src)
{
    if (src->raw_pos < src->raw_len || src->raw_eof)
        return true;
    size_t n;
    if (src->file) {
        n = fread(src->raw, 1, src->raw_chunk, src->file);
        if (n < src->raw_chunk) {
            if (ferror(src->file))
                return false;
            src->raw_eof = feof(src->file) != 0 || n == 0;
        }
    } else {
        n = src->memory_size - src->memory_pos;
        if (n > src->raw_chunk)
            n = src->raw_chunk;
        memcpy(src->raw, src->memory + src->memory_pos, n);
        src->memory_pos += n;
        src->raw_eof = src->memory_pos == src->memory_size;
    }
    src->raw_len = n;
    src->raw_pos = 0;
    src->bytes += n;
    digest_update(src->sha, src->raw, n);
    return true;
}

static engage_status_t read_error(source_t *src, engage_error_t *err)
{
    return engage_fail(err, ENGAGE_ENOINPUT, src->name, 0, "read error: %s", strerror(errno));
}

engage_status_t source_read(source_t *src, const unsigned char **data, size_t *len, long line,
                            engage_error_t *err)
{
    *len = 0;
    if (!fill_raw(src))
        return read_error(src, err);
    if (!src->detected) {
        /* Two bytes decide; a one-byte file cannot be gzip. */
        if (src->raw_len - src->raw_pos == 1 && !src->raw_eof) {
            unsigned char first = src->raw[src->raw_pos];
            src->raw_pos = src->raw_len;
            if (!fill_raw(src))
                return read_error(src, err);
            memmove(src->raw + 1, src->raw, src->raw_len);
            src->raw[0] = first;
            src->raw_len++;
        }
        src->detected = true;
        src->gzip = src->raw_len - src->raw_pos >= 2 && src->raw[src->raw_pos] == 0x1f &&
                    src->raw[src->raw_pos + 1] == 0x8b;
    }
    if (!src->gzip) {
        *data = src->raw + src->raw_pos;
        *len = src->raw_len - src->raw_pos;
        src->raw_pos = src->raw_len;
        return ENGAGE_OK;
    }

    if (!src->z_ready) {
        if (inflateInit2(&src->z, 15 + 16) != Z_OK)
            return engage_fail(err, ENGAGE_ENOMEM, src->name, 0, "cannot start gzip decoder");
        src->z_ready = true;
    }
    src->z.next_out = src->out;
    src->z.avail_out = (uInt)src->out_chunk;
    while (src->z.avail_out == src->out_chunk) {
        if (src->raw_pos == src->raw_len) {
            if (!fill_raw(src))
                return read_error(src, err);
            if (src->raw_pos == src->raw_len) {
                if (src->member_open)
                    return engage_fail(err, ENGAGE_EDATA, src->name, line,
                                       "gzip data is truncated (the file ends inside the compressed stream)");
                break; /* clean end after a complete member */
            }
        }
        if (!src->member_open) {
            /* Another member must start with the gzip magic. */
            if (src->raw[src->raw_pos] != 0x1f)
                return engage_fail(err, ENGAGE_EDATA, src->name, line,
                                   "unexpected bytes after the end of the gzip data");
            inflateReset(&src->z);
            src->member_open = true;
        }
        src->z.next_in = src->raw + src->raw_pos;
        src->z.avail_in = (uInt)(src->raw_len - src->raw_pos);
        int rc = inflate(&src->z, Z_NO_FLUSH);
        src->raw_pos = src->raw_len - src->z.avail_in;
        if (rc == Z_STREAM_END) {
            src->member_open = false;
        } else if (rc == Z_BUF_ERROR && src->z.avail_in == 0) {
            continue; /* needs more input */
        } else if (rc != Z_OK) {
            return engage_fail(err, ENGAGE_EDATA, src->name, line, "corrupt gzip data (%s)",
                               src->z.msg ? src->z.msg : "inflate failed");
        }
    }
    *data = src->out;
    *len = src->out_chunk - src->z.avail_out;
    return ENGAGE_OK;
}

void source_set_chunk(source_t *src, size_t chunk)
{
    src->raw_chunk = chunk && chunk < RAW_CHUNK ? chunk : RAW_CHUNK;
    src->out_chunk = chunk && chunk < OUT_CHUNK ? chunk : OUT_CHUNK;
}

bool source_is_gzip(const source_t *src) { return src->gzip; }
uint64_t source_bytes(const source_t *src) { return src->bytes; }

void source_sha256(const source_t *src, char hex[65])
{
    digest_hex(src->sha, hex);
}

void source_close(source_t *src)
{
    if (!src)
        return;
    if (src->owns_file)
        fclose(src->file);
    if (src->z_ready)
        inflateEnd(&src->z);
    digest_free(src->sha);
    free(src->name);
    free(src->raw);
    free(src->out);
    free(src);
}
