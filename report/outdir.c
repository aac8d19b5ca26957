/*
 * report/outdir.c — temporary folder beside OUTDIR and its atomic swap into
 * place (see outdir.h).
 *
 * Owns: the strings of an outdir_t and, until commit or abort, the
 * temporary folder on disk.  Assumes nobody else writes OUTDIR during a run;
 * if OUTDIR appears or disappears meanwhile, the commit still either puts
 * the new folder in place or fails with OUTDIR untouched.
 */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/digest.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* Disk full and friends are I/O errors (74); anything else about a folder
 * we cannot make or use is "output not creatable" (73). */
static engage_status_t status_of_errno(int e)
{
    switch (e) {
    case ENOSPC:
    case EIO:
    case EFBIG:
#ifdef EDQUOT
    case EDQUOT:
#endif
        return ENGAGE_EIO;
    case ENOMEM:
        return ENGAGE_ENOMEM;
    default:
        return ENGAGE_ECANTCREAT;
    }
}

static char *concat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb + 1);
    }
    return s;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

/* Delete a folder we made (or the previous OUTDIR, already moved aside).
 * Symlinks inside are removed, never followed. */
static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* An earlier engage output (has manifest.json) or an empty folder. */
static engage_status_t check_replaceable(const char *shown, const char *dir, engage_error_t *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return engage_fail(err, ENGAGE_ECANTCREAT, shown, 0, "cannot open the output folder: %s",
                           strerror(errno));
    bool other = false, manifest = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strcmp(e->d_name, "manifest.json") == 0)
            manifest = true;
        else
            other = true;
    }
    closedir(d);
    if (other && !manifest) {
        engage_fail(err, ENGAGE_ECANTCREAT, shown, 0,
                    "the folder holds other files and no manifest.json; not replacing it");
        engage_hint(err, "the output folder is replaced as a whole: give a new or empty folder with -o");
        return ENGAGE_ECANTCREAT;
    }
    return ENGAGE_OK;
}

engage_status_t outdir_begin(outdir_t *od, const char *outdir, engage_error_t *err)
{
    memset(od, 0, sizeof *od);
    size_t len = strlen(outdir);
    while (len > 1 && outdir[len - 1] == '/')
        len--;
    od->outdir = strndup(outdir, len);
    if (!od->outdir)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    const char *base = strrchr(od->outdir, '/');
    base = base ? base + 1 : od->outdir;
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return engage_fail(err, ENGAGE_ECANTCREAT, outdir, 0,
                           "give the output folder by name, not as '%s'", outdir);

    struct stat st;
    bool exists = false;
    if (lstat(od->outdir, &st) == 0) {
        exists = true;
        if (S_ISLNK(st.st_mode)) {
            /* Replace the folder the link points to, beside it. */
            od->target = realpath(od->outdir, NULL);
            if (!od->target || stat(od->target, &st) != 0)
                return engage_fail(err, ENGAGE_ECANTCREAT, od->outdir, 0,
                                   "the output folder is a broken symbolic link");
        }
        if (!S_ISDIR(st.st_mode))
            return engage_fail(err, ENGAGE_ECANTCREAT, od->outdir, 0,
                               "exists and is not a folder");
    } else if (errno != ENOENT) {
        return engage_fail(err, ENGAGE_ECANTCREAT, od->outdir, 0,
                           "cannot use as the output folder: %s", strerror(errno));
    }
    if (!od->target)
        od->target = strdup(od->outdir);
    if (!od->target)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    if (exists) {
        engage_status_t rc = check_replaceable(od->outdir, od->target, err);
        if (rc != ENGAGE_OK)
            return rc;
    }

    char *tmp = concat(od->target, ".tmp-XXXXXX");
    if (!tmp)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    if (!mkdtemp(tmp)) {
        int e = errno;
        free(tmp);
        engage_fail(err, status_of_errno(e), od->outdir, 0,
                    "cannot create a folder beside the output folder: %s", strerror(e));
        if (e == ENOENT)
            engage_hint(err, "the folder that should hold it does not exist");
        return err ? err->status : status_of_errno(e);
    }
    od->tmpdir = tmp;

    /* mkdtemp makes the folder private (0700); give it the mode the old
     * folder had, or that mkdir would have given. */
    mode_t mode;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0777 & ~mask;
    }
    if (chmod(tmp, mode) != 0) {
        int e = errno;
        outdir_abort(od);
        return engage_fail(err, ENGAGE_ECANTCREAT, od->outdir, 0, "cannot set permissions: %s",
                           strerror(e));
    }
    return ENGAGE_OK;
}

char *outdir_path(const outdir_t *od, const char *name)
{
    size_t lt = strlen(od->tmpdir), ln = strlen(name);
    char *s = malloc(lt + 1 + ln + 1);
    if (s) {
        memcpy(s, od->tmpdir, lt);
        s[lt] = '/';
        memcpy(s + lt + 1, name, ln + 1);
    }
    return s;
}

void outdir_sha256_hex(const void *data, size_t size, char hex[65])
{
    hex[0] = '\0';
    digest_t *d = digest_new();
    if (!d)
        return;
    digest_update(d, data, size);
    digest_hex(d, hex);
    digest_free(d);
}

engage_status_t outdir_write_file(const outdir_t *od, const char *name, const void *data,
                                  size_t size, char sha256_hex[65], engage_error_t *err)
{
    char *path = outdir_path(od, name);
    char *shown = concat(od->outdir, "/");
    char *shown_path = shown ? concat(shown, name) : NULL;
    free(shown);
    engage_status_t rc = ENGAGE_OK;
    if (!path || !shown_path) {
        rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        int e = errno;
        rc = engage_fail(err, status_of_errno(e), shown_path, 0, "cannot create: %s", strerror(e));
        goto done;
    }
    errno = 0;
    bool ok = fwrite(data, 1, size, fp) == size;
    int e = errno;
    errno = 0;
    if (fclose(fp) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        rc = engage_fail(err, ENGAGE_EIO, shown_path, 0, "cannot write: %s",
                         strerror(e ? e : EIO));
        goto done;
    }
    if (sha256_hex)
        outdir_sha256_hex(data, size, sha256_hex);
done:
    free(path);
    free(shown_path);
    return rc;
}

void outdir_fix_error(const outdir_t *od, engage_error_t *err)
{
    if (!err || !od->tmpdir)
        return;
    size_t lt = strlen(od->tmpdir);
    if (strncmp(err->file, od->tmpdir, lt) != 0 || (err->file[lt] != '/' && err->file[lt] != '\0'))
        return;
    char rest[ENGAGE_ERROR_FILE];
    snprintf(rest, sizeof rest, "%s", err->file + lt);
    snprintf(err->file, sizeof err->file, "%s%s", od->outdir, rest);
}

static engage_status_t commit_fail(outdir_t *od, engage_error_t *err, int e, const char *what)
{
    outdir_abort(od);
    return engage_fail(err, status_of_errno(e), od->outdir, 0, "%s: %s", what, strerror(e));
}

/* Where renameat2 cannot exchange: move OUTDIR onto an empty folder of our
 * own (rename replaces an empty folder), move the new one in, and move the
 * old one back if that fails.  Not atomic, but OUTDIR is never lost. */
engage_status_t outdir_commit_aside(outdir_t *od, engage_error_t *err)
{
    char *aside = concat(od->target, ".old-XXXXXX");
    if (!aside) {
        outdir_abort(od);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    if (!mkdtemp(aside)) {
        int e = errno;
        free(aside);
        return commit_fail(od, err, e, "cannot move the previous output folder aside");
    }
    if (rename(od->target, aside) != 0) {
        int e = errno;
        rmdir(aside);
        free(aside);
        if (e == ENOENT) {        /* nothing to move aside after all */
            if (rename(od->tmpdir, od->target) != 0)
                return commit_fail(od, err, errno, "cannot put the output folder in place");
            free(od->tmpdir);
            od->tmpdir = NULL;
            return ENGAGE_OK;
        }
        return commit_fail(od, err, e, "cannot move the previous output folder aside");
    }
    if (rename(od->tmpdir, od->target) != 0) {
        int e = errno;
        rename(aside, od->target);
        free(aside);
        return commit_fail(od, err, e, "cannot put the new output folder in place");
    }
    remove_tree(aside);
    free(aside);
    free(od->tmpdir);
    od->tmpdir = NULL;
    return ENGAGE_OK;
}

engage_status_t outdir_commit(outdir_t *od, engage_error_t *err)
{
    struct stat st;
    if (lstat(od->target, &st) == 0) {
        if (renameat2(AT_FDCWD, od->tmpdir, AT_FDCWD, od->target, RENAME_EXCHANGE) == 0) {
            /* The previous contents now sit at the temporary name. */
            remove_tree(od->tmpdir);
            free(od->tmpdir);
            od->tmpdir = NULL;
            return ENGAGE_OK;
        }
        int e = errno;
        if (e == EINVAL || e == ENOSYS || e == ENOTSUP || e == EOPNOTSUPP)
            return outdir_commit_aside(od, err);
        if (e != ENOENT)
            return commit_fail(od, err, e, "cannot replace the output folder");
        /* OUTDIR vanished meanwhile: a plain rename will do. */
    }
    if (rename(od->tmpdir, od->target) != 0)
        return commit_fail(od, err, errno, "cannot put the output folder in place");
    free(od->tmpdir);
    od->tmpdir = NULL;
    return ENGAGE_OK;
}

void outdir_abort(outdir_t *od)
{
    if (!od->tmpdir)
        return;
    remove_tree(od->tmpdir);
    free(od->tmpdir);
    od->tmpdir = NULL;
}

void outdir_fini(outdir_t *od)
{
    outdir_abort(od);
    free(od->outdir);
    free(od->target);
    memset(od, 0, sizeof *od);
}
