/*
 * core/digest.c — SHA-256 through libcrypto's EVP interface (see digest.h).
 * Owns the EVP context.
 */
#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

struct digest {
    EVP_MD_CTX *ctx;
};

digest_t *digest_new(void)
{
    digest_t *d = malloc(sizeof *d);
    if (!d)
        return NULL;
    d->ctx = EVP_MD_CTX_new();
    if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(d->ctx);
        free(d);
        return NULL;
    }
    return d;
}

void digest_update(digest_t *d, const void *bytes, size_t len)
{
    if (len)
        EVP_DigestUpdate(d->ctx, bytes, len);
}

void digest_hex(const digest_t *d, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    hex[0] = '\0';
    if (!copy || EVP_MD_CTX_copy_ex(copy, d->ctx) != 1 || EVP_DigestFinal_ex(copy, md, &n) != 1 || n != 32) {
        EVP_MD_CTX_free(copy);
        return;
    }
    EVP_MD_CTX_free(copy);
    for (unsigned int i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

void digest_free(digest_t *d)
{
    if (!d)
        return;
    EVP_MD_CTX_free(d->ctx);
    free(d);
}

bool digest_file(const char *path, char hex[65], unsigned long long *bytes)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return false;
    digest_t *d = digest_new();
    unsigned char *buffer = malloc(1 << 16);
    bool ok = d && buffer;
    unsigned long long total = 0;
    size_t n;
    while (ok && (n = fread(buffer, 1, 1 << 16, file)) > 0) {
        digest_update(d, buffer, n);
        total += n;
    }
    if (ok && ferror(file))
        ok = false;
    int saved = errno;
    fclose(file);
    if (ok) {
        digest_hex(d, hex);
        if (bytes)
            *bytes = total;
    } else if (!d || !buffer) {
        saved = ENOMEM;
    }
    digest_free(d);
    free(buffer);
    errno = saved;
    return ok;
}
