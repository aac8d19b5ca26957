/*
 * ingest/source.c — input bytes: file, stdin or memory; plain, gzip or zip.
 *
 * Owns the file handle (not stdin's), the raw and inflated buffers, the
 * ISA-L and zlib inflate states and the libarchive reader.  gzip and zip
 * are detected from the first stored bytes.  After each gzip member ends,
 * more stored bytes must start another member (as `gzip -dc` reads
 * concatenated files); input that ends inside a member is reported as
 * truncated.
 *
 * gzip is inflated with ISA-L (isal_inflate, about three times zlib's
 * speed) when the stored bytes can be read again: from memory or a
 * regular file.  Its reads mirror zlib's (the same stored chunks in, at
 * most one output chunk out per read), so the bytes come out in the same
 * chunks.  When ISA-L stops inside a member, damaged or cut short, the
 * member is read again from its first stored byte with zlib, the bytes
 * already handed out are skipped, and zlib reads on to the end: every
 * error is zlib's, with its message, after the same bytes.  Stored bytes
 * read again are not counted or hashed again.  A pipe is read with zlib
 * throughout.
 *
 * A zip is read as a stream (libarchive's zip reader pulling the stored
 * bytes through fill_raw, never seeking), so the byte count and the hash
 * are those of the file itself.  Its one .csv/.tsv/.txt entry is the
 * text; the local headers after it are still read so that a second such
 * entry is an error rather than silently ignored, and the bytes after the
 * last entry (the central directory) are read to the end for the hash.
 *
 * Inflating can run ahead on a thread of its own (source_read_ahead): it
 * fills a ring of output buffers while the caller tokenises the previous
 * ones, so that decompression and parsing use two cores.  The bytes, their
 * order and the errors are the same either way; an error found ahead is
 * handed over after every byte before it, with the caller's line.
 */
#include "source.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <isa-l.h>

#include <archive.h>
#include <archive_entry.h>
#include <strings.h>

#include "../core/digest.h"
#include "../core/progress.h"

/* The flag of a gzip header that says a CRC of the header follows. */
enum { FHCRC = 0x02 };

/* A zip ends with its end record: 22 bytes and a comment of up to 65535. */
enum { RAW_CHUNK = 1 << 16, OUT_CHUNK = 1 << 18, MAGIC = 4, ZIP_END = 22, ZIP_TAIL = ZIP_END + 65535 };

#define ZIP_CAP_DEFAULT (UINT64_C(4) << 30)

/* Inflated buffers in flight, and the line an error found ahead carries
 * until the caller says where it is. */
enum { AHEAD_SLOTS = 4 };
#define LINE_LATER LONG_MIN

typedef struct {
    unsigned char *buffer;     /* OUT_CHUNK bytes */
    const unsigned char *data;
    size_t len;
    uint64_t behind;           /* the source's stored bytes behind data */
    engage_status_t status;
    engage_error_t err;
} ahead_slot_t;

typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    ahead_slot_t slot[AHEAD_SLOTS];
    size_t head, count;        /* filled slots: head .. head+count-1 */
    bool holding;              /* the caller holds slot[head] */
    bool stop;                 /* the caller wants no more */
    bool over;                 /* the caller took the last slot */
} ahead_t;

struct source {
    char *name;
    FILE *file;                /* NULL for memory */
    bool owns_file;
    const unsigned char *memory;
    size_t memory_size, memory_pos;
    bool rereadable;           /* memory or a regular file: can seek back */
    uint64_t stored_pos;       /* offset of the next stored byte read */
    uint64_t size;             /* the stored size; 0 when not known */
    uint64_t behind;           /* stored bytes behind the chunks handed out */

    unsigned char *raw;        /* stored bytes not yet consumed */
    size_t raw_len, raw_pos;
    bool raw_eof;
    uint64_t bytes;
    digest_t *sha;

    bool gzip, detected;
    struct inflate_state *isal; /* ISA-L, while it inflates; NULL for zlib */
    z_stream z;
    bool z_ready;              /* inflateInit2 done */
    bool member_open;          /* inside a gzip member */
    uint64_t member_start;     /* stored offset of the member's first byte */
    uint64_t member_out;       /* its bytes handed out so far */
    unsigned char *out;
    size_t raw_chunk, out_chunk; /* read sizes, RAW_CHUNK / OUT_CHUNK unless limited */

    bool zip;
    struct archive *archive;   /* NULL until the zip is opened */
    char *member;              /* the entry read */
    bool member_done;          /* its data ended and the rest was checked */
    bool raw_failed;           /* fill_raw failed inside libarchive */
    uint64_t zip_cap, unzipped;
    unsigned char *tail;       /* the last ZIP_TAIL stored bytes of a zip */
    size_t tail_len;

    bool ahead_wanted;         /* inflate on a thread of its own */
    ahead_t *ahead;            /* running, or NULL */
    unsigned char *own_out;    /* out as allocated (the thread points out at its slots) */
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
    src->own_out = src->out;
    src->zip_cap = ZIP_CAP_DEFAULT;
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
    struct stat info;
    bool sized = fstat(fileno(src->file), &info) == 0 && S_ISREG(info.st_mode);
    src->rereadable = sized && ftello(src->file) == 0;
    progress_file(path, sized ? (int64_t)info.st_size : -1);
    src->size = sized && info.st_size > 0 ? (uint64_t)info.st_size : 0;
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
    (*out)->size = size;
    (*out)->rereadable = true;
    return ENGAGE_OK;
}

/* Read up to raw_chunk stored bytes to dst, counting and hashing those
 * not read before; false on a read error. */
static bool read_stored(source_t *src, unsigned char *dst, size_t *got)
{
    size_t n;
    if (src->file) {
        n = fread(dst, 1, src->raw_chunk, src->file);
        if (n < src->raw_chunk) {
            if (ferror(src->file))
                return false;
            src->raw_eof = feof(src->file) != 0 || n == 0;
        }
    } else {
        n = src->memory_size - src->memory_pos;
        if (n > src->raw_chunk)
            n = src->raw_chunk;
        memcpy(dst, src->memory + src->memory_pos, n);
        src->memory_pos += n;
        src->raw_eof = src->memory_pos == src->memory_size;
    }
    src->stored_pos += n;
    if (src->stored_pos > src->bytes) {
        size_t fresh = (size_t)(src->stored_pos - src->bytes);
        digest_update(src->sha, dst + n - fresh, fresh);
        src->bytes = src->stored_pos;
        if (src->file)
            progress_bytes(src->bytes);
    }
    *got = n;
    return true;
}

/* Refill the raw buffer when it is used up; false on a read error. */
static bool fill_raw(source_t *src)
{
    if (src->raw_pos < src->raw_len || src->raw_eof)
        return true;
    size_t n;
    if (!read_stored(src, src->raw, &n))
        return false;
    src->raw_len = n;
    src->raw_pos = 0;
    return true;
}

/* The first MAGIC stored bytes (fewer at the end), whatever the chunk size. */
static bool fill_magic(source_t *src)
{
    if (!fill_raw(src))
        return false;
    while (src->raw_len - src->raw_pos < MAGIC && !src->raw_eof && src->raw_len + src->raw_chunk <= RAW_CHUNK) {
        size_t n;
        if (!read_stored(src, src->raw + src->raw_len, &n))
            return false;
        src->raw_len += n;
    }
    return true;
}

static engage_status_t read_error(source_t *src, engage_error_t *err)
{
    return engage_fail(err, ENGAGE_ENOINPUT, src->name, 0, "read error: %s", strerror(errno));
}

/* ------------------------------------------------------------------ zip */

static engage_status_t no_member(const source_t *src, long line, engage_error_t *err)
{
    engage_fail(err, ENGAGE_EDATA, src->name, line, "the zip holds no CSV file");
    engage_hint(err, "engage reads a zip holding one .csv, .tsv or .txt file");
    return ENGAGE_EDATA;
}

/* Keep the last ZIP_TAIL stored bytes, where the end record must be. */
static void keep_tail(source_t *src, const unsigned char *bytes, size_t n)
{
    if (n >= ZIP_TAIL) {
        memcpy(src->tail, bytes + n - ZIP_TAIL, ZIP_TAIL);
        src->tail_len = ZIP_TAIL;
        return;
    }
    if (src->tail_len + n > ZIP_TAIL) {
        size_t drop = src->tail_len + n - ZIP_TAIL;
        memmove(src->tail, src->tail + drop, src->tail_len - drop);
        src->tail_len -= drop;
    }
    memcpy(src->tail + src->tail_len, bytes, n);
    src->tail_len += n;
}

/* The stored bytes end with a zip end record (whose comment runs to the
 * end), i.e. the file was not cut short after its last entry. */
static bool has_end_record(const source_t *src)
{
    for (size_t at = src->tail_len >= ZIP_END ? src->tail_len - ZIP_END + 1 : 0; at-- > 0;) {
        const unsigned char *e = src->tail + at;
        if (memcmp(e, "PK\5\6", 4) == 0 && at + ZIP_END + (size_t)(e[20] | e[21] << 8) == src->tail_len)
            return true;
    }
    return false;
}

/* libarchive's read callback: the stored bytes, through fill_raw.  What
 * it was given before is used up; the first call gets the bytes that
 * detection looked at. */
static la_ssize_t zip_pull(struct archive *archive, void *user, const void **buffer)
{
    source_t *src = user;
    if (!fill_raw(src)) {
        src->raw_failed = true;
        archive_set_error(archive, errno, "read error");
        return -1;
    }
    *buffer = src->raw + src->raw_pos;
    size_t n = src->raw_len - src->raw_pos;
    keep_tail(src, src->raw + src->raw_pos, n);
    src->raw_pos = src->raw_len;
    return (la_ssize_t)n;
}

/* An entry engage reads: a regular file named *.csv, *.tsv or *.txt, not
 * hidden and not macOS metadata. */
static bool is_candidate(struct archive_entry *entry)
{
    const char *path = archive_entry_pathname(entry);
    if (!path || archive_entry_filetype(entry) != AE_IFREG)
        return false;
    if (strncmp(path, "__MACOSX/", 9) == 0 || strstr(path, "/__MACOSX/"))
        return false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (base[0] == '.' || n < 5)
        return false;
    const char *ext = base + n - 4;
    return strcasecmp(ext, ".csv") == 0 || strcasecmp(ext, ".tsv") == 0 || strcasecmp(ext, ".txt") == 0;
}

static engage_status_t zip_fail(source_t *src, long line, engage_error_t *err)
{
    if (src->raw_failed)
        return read_error(src, err);
    const char *why = archive_error_string(src->archive);
    engage_fail(err, ENGAGE_EDATA, src->name, line, "unusable zip data (%s)", why ? why : "unknown error");
    engage_hint(err, "the zip is damaged or uses a compression engage cannot read: unzip it and read the CSV");
    return ENGAGE_EDATA;
}

/* The next header, skipping entries that are not candidates; *entry NULL
 * at the end of the archive. */
static engage_status_t next_candidate(source_t *src, struct archive_entry **entry, long line,
                                      engage_error_t *err)
{
    for (;;) {
        int rc = archive_read_next_header(src->archive, entry);
        if (rc == ARCHIVE_EOF) {
            *entry = NULL;
            return ENGAGE_OK;
        }
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
            return zip_fail(src, line, err);
        if (is_candidate(*entry))
            return ENGAGE_OK;
    }
}

static engage_status_t zip_open(source_t *src, long line, engage_error_t *err)
{
    src->archive = archive_read_new();
    src->tail = malloc(ZIP_TAIL);
    if (!src->archive || !src->tail)
        return engage_fail(err, ENGAGE_ENOMEM, src->name, 0, "cannot start the zip reader");
    archive_read_support_format_zip(src->archive);
    archive_read_support_filter_none(src->archive);
    if (archive_read_open(src->archive, src, NULL, zip_pull, NULL) != ARCHIVE_OK)
        return zip_fail(src, line, err);
    struct archive_entry *entry;
    engage_status_t st = next_candidate(src, &entry, line, err);
    if (st != ENGAGE_OK)
        return st;
    if (!entry)
        return no_member(src, line, err);
    src->member = strdup(archive_entry_pathname(entry));
    if (!src->member)
        return engage_fail(err, ENGAGE_ENOMEM, src->name, 0, "out of memory");
    if (archive_entry_is_encrypted(entry)) {
        engage_fail(err, ENGAGE_EDATA, src->name, 0, "encrypted zip entries are not supported (%s)", src->member);
        engage_hint(err, "unzip the file with its password and read the CSV");
        return ENGAGE_EDATA;
    }
    return ENGAGE_OK;
}

/* After the member's data: no second candidate, then every stored byte. */
static engage_status_t zip_finish(source_t *src, long line, engage_error_t *err)
{
    struct archive_entry *entry;
    engage_status_t st = next_candidate(src, &entry, line, err);
    if (st != ENGAGE_OK)
        return st;
    if (entry) {
        engage_fail(err, ENGAGE_EDATA, src->name, 0, "the zip holds several CSV files (%s, %s)", src->member,
                    archive_entry_pathname(entry));
        engage_hint(err, "unzip the one to read");
        return ENGAGE_EDATA;
    }
    src->raw_pos = src->raw_len;
    while (!src->raw_eof) {
        if (!fill_raw(src))
            return read_error(src, err);
        keep_tail(src, src->raw + src->raw_pos, src->raw_len - src->raw_pos);
        src->raw_pos = src->raw_len;
    }
    if (!has_end_record(src))
        return engage_fail(err, ENGAGE_EDATA, src->name, line,
                           "the zip is truncated (it ends without its central directory)");
    src->member_done = true;
    return ENGAGE_OK;
}

static engage_status_t zip_read(source_t *src, const unsigned char **data, size_t *len, long line,
                                engage_error_t *err)
{
    if (!src->archive) {
        engage_status_t st = zip_open(src, line, err);
        if (st != ENGAGE_OK)
            return st;
    }
    if (src->member_done)
        return ENGAGE_OK;
    la_ssize_t n = archive_read_data(src->archive, src->out, src->out_chunk);
    if (n < 0)
        return zip_fail(src, line, err);
    if (n == 0)
        return zip_finish(src, line, err);
    src->unzipped += (uint64_t)n;
    if (src->unzipped > src->zip_cap) {
        engage_fail(err, ENGAGE_EDATA, src->name, line, "zip entry larger than the %llu-byte cap (%s)",
                    (unsigned long long)src->zip_cap, src->member);
        engage_hint(err, "unzip the file and read the CSV itself");
        return ENGAGE_EDATA;
    }
    *data = src->out;
    *len = (size_t)n;
    return ENGAGE_OK;
}

/* ------------------------------------------------------------------ gzip */

static engage_status_t stray_bytes(const source_t *src, long line, engage_error_t *err)
{
    return engage_fail(err, ENGAGE_EDATA, src->name, line, "unexpected bytes after the end of the gzip data");
}

/* The stored offset of raw[raw_pos]. */
static uint64_t raw_offset(const source_t *src)
{
    return src->stored_pos - (src->raw_len - src->raw_pos);
}

/* Inflate with zlib into out until at least one byte comes (*got), or the
 * end of the last member (*got == 0). */
static engage_status_t zlib_fill(source_t *src, size_t *got, long line, engage_error_t *err)
{
    *got = 0;
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
                return stray_bytes(src, line, err);
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
    *got = src->out_chunk - src->z.avail_out;
    return ENGAGE_OK;
}

/* Inflate with ISA-L, read for read as zlib_fill does.  *stopped when it
 * met the end of the input or an error inside a member: zlib must then
 * give its verdict (zlib_again); the bytes of that read are not handed out. */
static engage_status_t isal_fill(source_t *src, size_t *got, bool *stopped, long line, engage_error_t *err)
{
    struct inflate_state *s = src->isal;
    *got = 0;
    *stopped = false;
    s->next_out = src->out;
    s->avail_out = (uint32_t)src->out_chunk;
    while (s->avail_out == src->out_chunk) {
        if (src->raw_pos == src->raw_len) {
            if (!fill_raw(src))
                return read_error(src, err);
            if (src->raw_pos == src->raw_len) {
                if (src->member_open) {
                    *stopped = true;
                    return ENGAGE_OK;
                }
                break; /* clean end after a complete member */
            }
        }
        if (!src->member_open) {
            if (src->raw[src->raw_pos] != 0x1f)
                return stray_bytes(src, line, err);
            src->member_open = true;
            src->member_start = raw_offset(src);
            src->member_out = 0;
            /* ISA-L reads past reserved flags and a header CRC: such a
             * header goes to zlib, as does one cut by a stored chunk. */
            if (src->raw_len - src->raw_pos < 4 || (src->raw[src->raw_pos + 3] & (0xe0 | FHCRC))) {
                *stopped = true;
                return ENGAGE_OK;
            }
            isal_inflate_reset(s);
            s->crc_flag = ISAL_GZIP;
            s->next_out = src->out;
            s->avail_out = (uint32_t)src->out_chunk;
        }
        s->next_in = src->raw + src->raw_pos;
        s->avail_in = (uint32_t)(src->raw_len - src->raw_pos);
        size_t before = src->raw_pos;
        int rc = isal_inflate(s);
        src->raw_pos = src->raw_len - s->avail_in;
        /* An error, or no step forward at all (never seen; zlib decides) */
        if (rc < 0 || (src->raw_pos == before && s->avail_out == src->out_chunk &&
                       s->block_state != ISAL_BLOCK_FINISH)) {
            *stopped = true;
            return ENGAGE_OK;
        }
        if (s->block_state == ISAL_BLOCK_FINISH)
            src->member_open = false;
    }
    *got = src->out_chunk - s->avail_out;
    src->member_out += *got;
    return ENGAGE_OK;
}

/* Back to the stored byte at offset, reading from the stored chunk that
 * holds it as the first reads did; false on a read error. */
static bool reread_from(source_t *src, uint64_t offset)
{
    uint64_t aligned = offset - offset % src->raw_chunk;
    if (src->file) {
        if (fseeko(src->file, (off_t)aligned, SEEK_SET) != 0)
            return false;
    } else {
        src->memory_pos = (size_t)aligned;
    }
    src->stored_pos = aligned;
    src->raw_eof = false;
    src->raw_len = src->raw_pos = 0;
    if (!fill_raw(src) || src->raw_len < offset - aligned)
        return false;
    src->raw_pos = (size_t)(offset - aligned);
    return true;
}

/* ISA-L stopped inside a member: zlib reads it again from its start,
 * skips the bytes handed out, and reads on from there to the end. */
static engage_status_t zlib_again(source_t *src, const unsigned char **data, size_t *len, long line,
                                  engage_error_t *err)
{
    free(src->isal);
    src->isal = NULL;
    if (!reread_from(src, src->member_start))
        return read_error(src, err);
    if (src->z_ready)
        inflateReset(&src->z);
    src->member_open = true;
    uint64_t skip = src->member_out;
    for (;;) {
        size_t got;
        engage_status_t st = zlib_fill(src, &got, line, err);
        if (st != ENGAGE_OK || got == 0 || got > skip) {
            *data = src->out + (got > skip ? skip : 0);
            *len = got > skip ? got - (size_t)skip : 0;
            return st;
        }
        skip -= got;
    }
}

/* The magic bytes decide: gzip 1f 8b, zip "PK\3\4" (or "PK\5\6", the end
 * record of an empty archive). */
static engage_status_t detect(source_t *src, long line, engage_error_t *err)
{
    if (!fill_raw(src) || !fill_magic(src))
        return read_error(src, err);
    src->detected = true;
    const unsigned char *m = src->raw + src->raw_pos;
    size_t have = src->raw_len - src->raw_pos;
    src->gzip = have >= 2 && m[0] == 0x1f && m[1] == 0x8b;
    src->zip = have >= 4 && (memcmp(m, "PK\3\4", 4) == 0 || memcmp(m, "PK\5\6", 4) == 0);
    if (src->zip && m[2] == 5)
        return no_member(src, line, err);
    if (src->gzip && src->rereadable) {
        src->isal = malloc(sizeof *src->isal);
        if (!src->isal)
            return engage_fail(err, ENGAGE_ENOMEM, src->name, 0, "cannot start gzip decoder");
        isal_inflate_init(src->isal);
    }
    return ENGAGE_OK;
}

/* The next chunk, read on the calling thread. */
static engage_status_t read_now(source_t *src, const unsigned char **data, size_t *len, long line,
                                engage_error_t *err)
{
    *len = 0;
    /* libarchive may still hold the raw buffer: only its callback refills it. */
    if (src->zip)
        return zip_read(src, data, len, line, err);
    if (!fill_raw(src))
        return read_error(src, err);
    if (!src->detected) {
        engage_status_t st = detect(src, line, err);
        if (st != ENGAGE_OK)
            return st;
    }
    if (src->zip)
        return zip_read(src, data, len, line, err);
    if (!src->gzip) {
        *data = src->raw + src->raw_pos;
        *len = src->raw_len - src->raw_pos;
        src->raw_pos = src->raw_len;
        return ENGAGE_OK;
    }

    if (src->isal) {
        size_t got;
        bool stopped;
        engage_status_t st = isal_fill(src, &got, &stopped, line, err);
        if (st != ENGAGE_OK || !stopped) {
            *data = src->out;
            *len = got;
            return st;
        }
        return zlib_again(src, data, len, line, err);
    }
    size_t got;
    engage_status_t st = zlib_fill(src, &got, line, err);
    *data = src->out;
    *len = got;
    return st;
}

/* The inflating thread: fills free slots until the end or an error. */
static void *ahead_thread(void *arg)
{
    source_t *src = arg;
    ahead_t *a = src->ahead;
    for (;;) {
        pthread_mutex_lock(&a->lock);
        while (a->count == AHEAD_SLOTS && !a->stop)
            pthread_cond_wait(&a->changed, &a->lock);
        bool stop = a->stop;
        size_t i = (a->head + a->count) % AHEAD_SLOTS;
        pthread_mutex_unlock(&a->lock);
        if (stop)
            break;
        ahead_slot_t *slot = &a->slot[i];
        src->out = slot->buffer;
        memset(&slot->err, 0, sizeof slot->err);
        slot->status = read_now(src, &slot->data, &slot->len, LINE_LATER, &slot->err);
        slot->behind = raw_offset(src);
        bool last = slot->status != ENGAGE_OK || slot->len == 0;
        pthread_mutex_lock(&a->lock);
        a->count++;
        pthread_cond_broadcast(&a->changed);
        pthread_mutex_unlock(&a->lock);
        if (last)
            break;
    }
    return NULL;
}

static bool ahead_start(source_t *src)
{
    ahead_t *a = calloc(1, sizeof *a);
    if (!a)
        return false;
    for (size_t i = 0; i < AHEAD_SLOTS; i++) {
        if (!(a->slot[i].buffer = malloc(OUT_CHUNK))) {
            for (size_t j = 0; j < i; j++)
                free(a->slot[j].buffer);
            free(a);
            return false;
        }
    }
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->changed, NULL);
    src->ahead = a;
    if (pthread_create(&a->thread, NULL, ahead_thread, src) != 0) {
        src->ahead = NULL;
        pthread_cond_destroy(&a->changed);
        pthread_mutex_destroy(&a->lock);
        for (size_t i = 0; i < AHEAD_SLOTS; i++)
            free(a->slot[i].buffer);
        free(a);
        return false; /* read on the calling thread instead */
    }
    return true;
}

/* The caller's side: the slot it held goes back, the next one comes. */
static engage_status_t ahead_take(source_t *src, const unsigned char **data, size_t *len, long line,
                                  engage_error_t *err)
{
    ahead_t *a = src->ahead;
    *len = 0;
    pthread_mutex_lock(&a->lock);
    if (a->over) {
        pthread_mutex_unlock(&a->lock);
        return ENGAGE_OK;
    }
    if (a->holding) {
        a->head = (a->head + 1) % AHEAD_SLOTS;
        a->count--;
        a->holding = false;
        pthread_cond_broadcast(&a->changed);
    }
    while (a->count == 0)
        pthread_cond_wait(&a->changed, &a->lock);
    ahead_slot_t *slot = &a->slot[a->head];
    a->holding = true;
    a->over = slot->status != ENGAGE_OK || slot->len == 0;
    pthread_mutex_unlock(&a->lock);
    if (slot->status != ENGAGE_OK) {
        if (err) {
            *err = slot->err;
            if (err->line == LINE_LATER)
                err->line = line;
        }
        return slot->status;
    }
    *data = slot->data;
    *len = slot->len;
    src->behind = slot->behind;
    return ENGAGE_OK;
}

void source_stop(source_t *src)
{
    ahead_t *a = src->ahead;
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stop = true;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    pthread_cond_destroy(&a->changed);
    pthread_mutex_destroy(&a->lock);
    for (size_t i = 0; i < AHEAD_SLOTS; i++)
        free(a->slot[i].buffer);
    free(a);
    src->ahead = NULL;
    src->out = src->own_out;
}

void source_read_ahead(source_t *src, bool on)
{
    src->ahead_wanted = on;
}

engage_status_t source_read(source_t *src, const unsigned char **data, size_t *len, long line,
                            engage_error_t *err)
{
    if (src->ahead)
        return ahead_take(src, data, len, line, err);
    if (src->ahead_wanted && !src->detected) {
        *len = 0;
        engage_status_t st = detect(src, line, err);
        if (st != ENGAGE_OK)
            return st;
        /* Only inflating is worth a thread: plain bytes come straight from
         * the page cache. */
        if ((src->gzip || src->zip) && ahead_start(src))
            return ahead_take(src, data, len, line, err);
    }
    engage_status_t st = read_now(src, data, len, line, err);
    src->behind = raw_offset(src);
    return st;
}

void source_set_chunk(source_t *src, size_t chunk)
{
    src->raw_chunk = chunk && chunk < RAW_CHUNK ? chunk : RAW_CHUNK;
    src->out_chunk = chunk && chunk < OUT_CHUNK ? chunk : OUT_CHUNK;
}

void source_set_zip_cap(source_t *src, uint64_t cap)
{
    src->zip_cap = cap ? cap : ZIP_CAP_DEFAULT;
}

bool source_is_gzip(const source_t *src) { return src->gzip; }
bool source_is_zip(const source_t *src) { return src->zip; }
const char *source_member(const source_t *src) { return src->member; }
uint64_t source_bytes(const source_t *src) { return src->bytes; }

bool source_share_read(const source_t *src, uint64_t *behind, uint64_t *size)
{
    *behind = src->behind;
    *size = src->size;
    return src->size > 0 && !src->zip;
}

void source_sha256(const source_t *src, char hex[65])
{
    digest_hex(src->sha, hex);
}

void source_close(source_t *src)
{
    if (!src)
        return;
    source_stop(src);
    if (src->owns_file)
        fclose(src->file);
    if (src->z_ready)
        inflateEnd(&src->z);
    free(src->isal);
    if (src->archive)
        archive_read_free(src->archive);
    free(src->member);
    free(src->tail);
    digest_free(src->sha);
    free(src->name);
    free(src->raw);
    free(src->out);
    free(src);
}
