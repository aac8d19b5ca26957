/*
 * core/digest.h — SHA-256 of a byte stream, as lowercase hex, for the
 * manifest (inputs as stored, outputs as written).  OpenSSL's libcrypto
 * does the hashing (it uses the CPU's SHA instructions where present).
 */
#ifndef ENGAGE_DIGEST_H
#define ENGAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct digest digest_t;

/* NULL when out of memory. */
digest_t *digest_new(void);
void digest_update(digest_t *d, const void *bytes, size_t len);
/* The hex digest of everything so far; the digest can go on afterwards. */
void digest_hex(const digest_t *d, char hex[65]);
void digest_free(digest_t *d);

/* The hex SHA-256 and size of a file's bytes; false (errno set) when it
 * cannot be opened or read. */
bool digest_file(const char *path, char hex[65], unsigned long long *bytes);

/* A folder of files as one digest (engage run --packs' packs/): the
 * SHA-256 of the lines "HEX  NAME\n" (sha256sum's format: each file's hex
 * SHA-256, two spaces, its name), one per file in byte order of names.
 * digest_listing_line() adds one line (the caller keeps the order);
 * digest_folder() reads a folder of regular files and digests it so, false
 * (errno set) when it cannot be read or holds anything else. */
void digest_listing_line(digest_t *d, const char *hex, const char *name);
bool digest_folder(const char *path, char hex[65]);

#endif
