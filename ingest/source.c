/*
 * ingest/source.c — input bytes: file, stdin or memory; plain or gzip.
 *
 * Owns the file handle (not stdin's), the raw and inflated buffers and the
 * zlib stream.  gzip is detected from the first two stored bytes.  After
 * each gzip member ends, more stored bytes must start another member (as
 * `gzip -dc` reads concatenated files); input that ends inside a member is
 * reported as truncated.
 *
 * Reading a file or stdin, inflating and hashing run on a worker thread that
 * fills a small ring of buffers ahead of the parser, so decompression and
 * parsing use both cores.  Memory sources and chunk-limited reads (tests,
 * fuzzing) stay on the caller's thread.
 */
#include "source.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../core/digest.h"

enum { RAW_CHUNK = 1 << 16, OUT_CHUNK = 1 << 18, SLOTS = 4 };

/* One buffer of the worker's ring. */
typedef struct {
    unsigned char *data;
    size_t len;
    engage_status_t status;
    engage_error_t err;
} slot_t;

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

    /* the worker thread and its ring (slots[head] is the consumer's) */
    bool worker_started, worker_joined, stop, held;
    pthread_t worker;
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    slot_t slots[SLOTS];
    size_t head, tail, count;
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

/* The next decompressed bytes, on the calling thread. */
static engage_status_t decode_next(source_t *src, const unsigned char **data, size_t *len, long line,
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

static void *worker_main(void *arg)
{
    source_t *src = arg;
    for (;;) {
        pthread_mutex_lock(&src->lock);
        while (src->count == SLOTS && !src->stop)
            pthread_cond_wait(&src->not_full, &src->lock);
        bool stop = src->stop;
        slot_t *slot = &src->slots[src->tail];
        pthread_mutex_unlock(&src->lock);
        if (stop)
            break;
        const unsigned char *data;
        slot->status = decode_next(src, &data, &slot->len, 0, &slot->err);
        if (slot->status != ENGAGE_OK)
            slot->len = 0;
        memcpy(slot->data, data, slot->len);
        bool last = slot->status != ENGAGE_OK || slot->len == 0;
        pthread_mutex_lock(&src->lock);
        src->tail = (src->tail + 1) % SLOTS;
        src->count++;
        pthread_cond_signal(&src->not_empty);
        pthread_mutex_unlock(&src->lock);
        if (last)
            break;
    }
    return NULL;
}

static bool start_worker(source_t *src)
{
    for (size_t i = 0; i < SLOTS; i++) {
        src->slots[i].data = malloc(OUT_CHUNK);
        if (!src->slots[i].data)
            return false;
    }
    pthread_mutex_init(&src->lock, NULL);
    pthread_cond_init(&src->not_full, NULL);
    pthread_cond_init(&src->not_empty, NULL);
    if (pthread_create(&src->worker, NULL, worker_main, src) != 0) {
        pthread_mutex_destroy(&src->lock);
        pthread_cond_destroy(&src->not_full);
        pthread_cond_destroy(&src->not_empty);
        return false;
    }
    src->worker_started = true;
    return true;
}

/* Stop the worker (if any) and wait for it; its counts are final then. */
static void stop_worker(source_t *src)
{
    if (!src->worker_started || src->worker_joined)
        return;
    pthread_mutex_lock(&src->lock);
    src->stop = true;
    pthread_cond_broadcast(&src->not_full);
    pthread_mutex_unlock(&src->lock);
    pthread_join(src->worker, NULL);
    src->worker_joined = true;
}

engage_status_t source_read(source_t *src, const unsigned char **data, size_t *len, long line,
                            engage_error_t *err)
{
    if (!src->worker_started && src->file && src->raw_chunk == RAW_CHUNK && !start_worker(src))
        return engage_fail(err, ENGAGE_ENOMEM, src->name, 0, "cannot start the reading thread");
    if (!src->worker_started)
        return decode_next(src, data, len, line, err);
    pthread_mutex_lock(&src->lock);
    if (src->held) {
        src->head = (src->head + 1) % SLOTS;
        src->count--;
        src->held = false;
        pthread_cond_signal(&src->not_full);
    }
    while (src->count == 0)
        pthread_cond_wait(&src->not_empty, &src->lock);
    slot_t *slot = &src->slots[src->head];
    src->held = true;
    pthread_mutex_unlock(&src->lock);
    *len = 0;
    if (slot->status != ENGAGE_OK) {
        if (err) {
            *err = slot->err;
            if (slot->status == ENGAGE_EDATA)
                err->line = line;
        }
        return slot->status;
    }
    *data = slot->data;
    *len = slot->len;
    return ENGAGE_OK;
}

void source_set_chunk(source_t *src, size_t chunk)
{
    src->raw_chunk = chunk && chunk < RAW_CHUNK ? chunk : RAW_CHUNK;
    src->out_chunk = chunk && chunk < OUT_CHUNK ? chunk : OUT_CHUNK;
}

bool source_is_gzip(source_t *src)
{
    stop_worker(src);
    return src->gzip;
}

uint64_t source_bytes(source_t *src)
{
    stop_worker(src);
    return src->bytes;
}

void source_sha256(source_t *src, char hex[65])
{
    stop_worker(src);
    digest_hex(src->sha, hex);
}

void source_close(source_t *src)
{
    if (!src)
        return;
    stop_worker(src);
    if (src->worker_started) {
        pthread_mutex_destroy(&src->lock);
        pthread_cond_destroy(&src->not_full);
        pthread_cond_destroy(&src->not_empty);
    }
    for (size_t i = 0; i < SLOTS; i++)
        free(src->slots[i].data);
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
