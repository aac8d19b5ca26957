/*
 * core/digest.c — SHA-256 through libcrypto's EVP interface (see digest.h).
 * Owns the EVP context.
 */
#include "digest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

void digest_listing_line(digest_t *d, const char *hex, const char *name)
{
    digest_update(d, hex, strlen(hex));
    digest_update(d, "  ", 2);
    digest_update(d, name, strlen(name));
    digest_update(d, "\n", 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool digest_folder(const char *path, char hex[65])
{
    DIR *dir = opendir(path);
    if (!dir)
        return false;
    char **names = NULL;
    size_t n = 0, cap = 0;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
            errno = EISDIR;
            ok = false;
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                errno = ENOMEM;
                ok = false;
                break;
            }
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name))) {
            errno = ENOMEM;
            ok = false;
            break;
        }
        n++;
    }
    int saved = errno;
    closedir(dir);
    digest_t *d = ok ? digest_new() : NULL;
    if (ok && !d) {
        saved = ENOMEM;
        ok = false;
    }
    if (ok)
        qsort(names, n, sizeof *names, by_name);
    size_t size = strlen(path) + 2;
    for (size_t i = 0; ok && i < n; i++) {
        char *file = malloc(size + strlen(names[i]));
        char one[65];
        ok = file != NULL;
        if (ok) {
            snprintf(file, size + strlen(names[i]), "%s/%s", path, names[i]);
            ok = digest_file(file, one, NULL);
            saved = errno;
        } else {
            saved = ENOMEM;
        }
        if (ok)
            digest_listing_line(d, one, names[i]);
        free(file);
    }
    if (ok)
        digest_hex(d, hex);
    digest_free(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    errno = saved;
    return ok;
}
