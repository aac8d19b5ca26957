/*
 * report/outdir.c — temporary folder beside OUTDIR, the checks that OUTDIR
 * holds nothing of the user's, and the atomic swap into place (see
 * outdir.h).
 *
 * Owns: the strings of an outdir_t and, until commit or abort, the
 * temporary folder on disk; the process's record of that folder, for a
 * signal.  Assumes nobody else writes OUTDIR during a run; if OUTDIR
 * appears or disappears meanwhile, the commit still either puts the new
 * folder in place or fails with OUTDIR untouched.
 */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/digest.h"
#include "verify.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

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
 * Symlinks inside are removed, never followed; another file system mounted
 * inside is not entered. */
static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* ------------------------------------------------------------------------ */
/* the temporary folder of the run under way, for a signal                   */

/* Taken around every creation, commit and removal of a temporary folder;
 * taken for good by outdir_remove_on_signal(). */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *live_tmpdir;   /* an outdir_t's tmpdir, or NULL */
static const folders_made_t *live_parents;   /* the folders made above its OUTDIR */

static void forget_live(const outdir_t *od)
{
    if (live_tmpdir == od->tmpdir) {
        live_tmpdir = NULL;
        live_parents = NULL;
    }
}

bool outdir_remove_on_signal(void)
{
    pthread_mutex_lock(&live_lock);   /* never unlocked: the process ends */
    if (!live_tmpdir)
        return false;
    /* A writer of the main thread may create a file meanwhile; go again
     * until the folder is gone. */
    for (int round = 0; round < 100; round++) {
        remove_tree(live_tmpdir);
        struct stat st;
        if (lstat(live_tmpdir, &st) != 0 && errno == ENOENT) {
            if (live_parents)
                folders_remove_made(live_parents);
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* names for messages                                                        */

enum { NAMES_SHOWN = 5 };

typedef struct {
    char **v;
    size_t n, cap;
} names_t;

static bool names_add(names_t *ns, const char *a, const char *b)
{
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? 2 * ns->cap : 16;
        char **grown = realloc(ns->v, cap * sizeof *grown);
        if (!grown)
            return false;
        ns->v = grown;
        ns->cap = cap;
    }
    char *s = concat(a, b ? b : "");
    if (!s)
        return false;
    ns->v[ns->n++] = s;
    return true;
}

static void names_free(names_t *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
    memset(ns, 0, sizeof *ns);
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "a, b, c, d, e and 3 more" (the first NAMES_SHOWN, as given) into buf. */
static void names_list(const names_t *ns, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    size_t shown = ns->n < NAMES_SHOWN ? ns->n : NAMES_SHOWN;
    for (size_t i = 0; i < shown && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", ns->v[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (ns->n > shown && used < size)
        snprintf(buf + used, size - used, " and %zu more", ns->n - shown);
}

/* ------------------------------------------------------------------------ */
/* what OUTDIR holds                                                         */

/* Whether canonical path `p` lies inside canonical folder `dir`. */
static bool within(const char *p, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return true;
    return strncmp(p, dir, n) == 0 && p[n] == '/';
}

/* 1 when the file `path` lies inside the folder dir_real, through its own
 * symlinks or those of the folders on its way; 0 when not; -1 when out of
 * memory. */
static int input_inside(const char *path, const char *dir_real)
{
    char *real = realpath(path, NULL);
    bool inside = real && within(real, dir_real);
    free(real);
    if (inside)
        return 1;
    /* The name as given, with only its folder resolved: a symlink inside
     * OUTDIR pointing elsewhere is still deleted with OUTDIR. */
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *parent = !slash ? strdup(".") : slash == path ? strdup("/")
                                                        : strndup(path, (size_t)(slash - path));
    if (!parent)
        return -1;
    char *parent_real = realpath(parent, NULL);
    free(parent);
    if (!parent_real)
        return 0;
    char *with_slash = concat(parent_real, "/");
    char *joined = with_slash ? concat(with_slash, base) : NULL;
    free(with_slash);
    free(parent_real);
    if (!joined)
        return -1;
    inside = base[0] && strcmp(base, ".") != 0 && strcmp(base, "..") != 0 && within(joined, dir_real);
    free(joined);
    return inside ? 1 : 0;
}

/* ENGAGE_ECANTCREAT naming what OUTDIR holds ("OUTDIR: WHAT a, b, ...;
 * not replacing it") with the hint "the output folder is replaced as a
 * whole: DO". */
static engage_status_t refuse(const outdir_t *od, const names_t *names, const char *what,
                              const char *todo, engage_error_t *err)
{
    char list[400];
    names_list(names, list, sizeof list);
    engage_status_t rc = engage_fail(err, ENGAGE_ECANTCREAT, od->outdir, 0, "%s %s; not replacing it",
                                     what, list);
    engage_hint(err, "the output folder is replaced as a whole: %s", todo);
    return rc;
}

/* Refuse an OUTDIR that holds one of the run's inputs. */
static engage_status_t check_inputs(const outdir_t *od, const outdir_options_t *options,
                                    engage_error_t *err)
{
    if (!options || options->n_inputs == 0)
        return ENGAGE_OK;
    char *dir_real = realpath(od->target, NULL);
    if (!dir_real)
        return engage_fail(err, ENGAGE_ECANTCREAT, od->outdir, 0,
                           "cannot use as the output folder: %s", strerror(errno));
    names_t held = { 0 };
    engage_status_t rc = ENGAGE_OK;
    for (size_t i = 0; i < options->n_inputs && rc == ENGAGE_OK; i++) {
        const outdir_input_t *in = &options->inputs[i];
        if (!in->path || strcmp(in->path, "-") == 0)
            continue;
        int inside = input_inside(in->path, dir_real);
        char *role = inside == 1 ? concat(in->role, " ") : NULL;
        if (inside < 0 || (inside == 1 && (!role || !names_add(&held, role, in->path))))
            rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        free(role);
    }
    free(dir_real);
    if (rc == ENGAGE_OK && held.n > 0)
        rc = refuse(od, &held, "holds this run's", "keep the inputs outside it, or give another "
                                                   "folder with -o", err);
    names_free(&held);
    return rc;
}

static bool listed_output(const verify_manifest_t *m, const char *name)
{
    for (size_t i = 0; i < m->n_outputs; i++)
        if (strcmp(m->outputs[i].path, name) == 0)
            return true;
    for (size_t i = 0; i < m->n_analyst_only; i++)
        if (strcmp(m->analyst_only[i], name) == 0)
            return true;
    return false;
}

/* Whether folder name (in pfd) holds regular files only: an output folder
 * such as packs/. */
static bool holds_files_only(int pfd, const char *name)
{
    int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    bool ok = true;
    struct dirent *e;
    struct stat st;
    while (ok && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            ok = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    closedir(d);
    return ok;
}

/* Refuse an OUTDIR that holds anything an earlier run did not write: only
 * the outputs its manifest.json (engage's own) lists, and the manifest,
 * each a regular file (or a folder of regular files: packs/), may be
 * there. */
static engage_status_t check_foreign(const outdir_t *od, engage_error_t *err)
{
    DIR *d = opendir(od->target);
    if (!d)
        return engage_fail(err, ENGAGE_ECANTCREAT, od->outdir, 0,
                           "cannot open the output folder: %s", strerror(errno));
    verify_manifest_t m;
    bool earlier_run = verify_load(od->target, &m, NULL) == ENGAGE_OK;
    names_t foreign = { 0 };
    bool nomem = false;
    struct dirent *e;
    while (!nomem && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        bool known = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (known && (S_ISREG(st.st_mode) || (S_ISDIR(st.st_mode) && holds_files_only(dirfd(d), e->d_name))) &&
            earlier_run &&
            (strcmp(e->d_name, "manifest.json") == 0 || listed_output(&m, e->d_name)))
            continue;
        nomem = !names_add(&foreign, e->d_name, known && S_ISDIR(st.st_mode) ? "/" : NULL);
    }
    closedir(d);
    verify_fini(&m);
    engage_status_t rc = ENGAGE_OK;
    if (nomem) {
        rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    } else if (foreign.n > 0) {
        qsort(foreign.v, foreign.n, sizeof *foreign.v, by_bytes);
        rc = refuse(od, &foreign, "holds what no engage run wrote there:",
                    "give a new or empty folder with -o, or add --force to replace this one and "
                    "all it holds", err);
    }
    names_free(&foreign);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* the marker, and stale temporary folders                                    */

enum { MARKER_MAX = 1024 };   /* a folder name (255) and a host (255) fit */

/* The marker's text for a folder (its own name), host and process.  The
 * host is its name and the process's pid namespace, so that a container
 * sharing the folder never takes another's live process for a dead one. */
static int marker_text(char *buf, size_t size, const char *folder, const char *host, long pid)
{
    return snprintf(buf, size, "engage temporary output folder\nfolder %s\nhost %s\npid %ld\n",
                    folder, host, pid);
}

static void host_name(char host[256])
{
    char name[128], ns[64];
    if (gethostname(name, sizeof name) != 0)
        name[0] = '\0';
    name[sizeof name - 1] = '\0';
    ssize_t n = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
    ns[n > 0 ? n : 0] = '\0';
    snprintf(host, 256, "%s %s", name, n > 0 ? ns : "-");
}

static engage_status_t write_marker(const outdir_t *od, engage_error_t *err)
{
    char host[256], text[MARKER_MAX];
    host_name(host);
    const char *folder = strrchr(od->tmpdir, '/');
    folder = folder ? folder + 1 : od->tmpdir;
    int len = marker_text(text, sizeof text, folder, host, (long)getpid());
    char *path = outdir_path(od, OUTDIR_MARKER);
    if (!path)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    free(path);
    bool ok = fd >= 0 && len > 0 && len < (int)sizeof text;
    int e = fd < 0 ? errno : EIO;
    for (size_t done = 0; ok && done < (size_t)len;) {
        ssize_t w = write(fd, text + done, (size_t)len - done);
        if (w <= 0) {
            ok = false;
            e = w < 0 ? errno : EIO;
        } else {
            done += (size_t)w;
        }
    }
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        return engage_fail(err, engage_output_status(e), od->outdir, 0,
                           "cannot create a folder beside the output folder: %s", strerror(e));
    return ENGAGE_OK;
}

/* Whether folder `name` in the folder pfd is a temporary folder that a run
 * of engage on this host made and left behind: a real folder of ours, with
 * a marker naming it, this host and a process that no longer runs, and
 * nothing in it but regular files (and packs/, a folder of regular files). */
static bool stale_and_ours(int pfd, const char *name)
{
    int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && st.st_uid == geteuid();
    char text[MARKER_MAX] = "";
    ssize_t n = 0;
    if (ok) {
        int mfd = openat(fd, OUTDIR_MARKER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        ok = mfd >= 0 && fstat(mfd, &st) == 0 && S_ISREG(st.st_mode) &&
             (n = read(mfd, text, sizeof text - 1)) > 0;
        if (mfd >= 0)
            close(mfd);
        text[n > 0 ? n : 0] = '\0';
    }
    long pid = 0;
    const char *at = ok ? strstr(text, "\npid ") : NULL;
    if (at)
        pid = strtol(at + 5, NULL, 10);
    if (ok) {
        char host[256], want[MARKER_MAX];
        host_name(host);
        int len = marker_text(want, sizeof want, name, host, pid);
        ok = pid > 0 && len == (int)n && memcmp(want, text, (size_t)n) == 0 &&
             kill((pid_t)pid, 0) != 0 && errno == ESRCH;
    }
    DIR *d = ok ? fdopendir(fd) : NULL;
    if (!d) {
        close(fd);
        return false;
    }
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            ok = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                 (S_ISREG(st.st_mode) ||
                  (S_ISDIR(st.st_mode) && strcmp(e->d_name, "packs") == 0 && holds_files_only(dirfd(d), e->d_name)));
    closedir(d);
    return ok;
}

/* Remove folder name (in pfd): its files and, with descend, the files of
 * its folders one level down (packs/), then the folders: what
 * stale_and_ours found there. */
static void remove_flat_folder(int pfd, const char *name, bool descend)
{
    int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *e;
    struct stat st;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (descend && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
            remove_flat_folder(dirfd(d), e->d_name, false);
        else
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    unlinkat(pfd, name, AT_REMOVEDIR);
}

/* Remove the stale temporary folders beside target that are provably
 * engage's own (see stale_and_ours); leave everything else. */
static void remove_stale(const char *target)
{
    const char *slash = strrchr(target, '/');
    char *parent = !slash ? strdup(".") : slash == target ? strdup("/")
                                                          : strndup(target, (size_t)(slash - target));
    char *prefix = concat(slash ? slash + 1 : target, ".tmp-");
    DIR *d = parent && prefix ? opendir(parent) : NULL;
    if (d) {
        size_t lp = strlen(prefix);
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strncmp(e->d_name, prefix, lp) == 0 && strlen(e->d_name) == lp + 6 &&
                stale_and_ours(dirfd(d), e->d_name))
                remove_flat_folder(dirfd(d), e->d_name, true);
        closedir(d);
    }
    free(parent);
    free(prefix);
}

/* ------------------------------------------------------------------------ */

engage_status_t outdir_begin(outdir_t *od, const char *outdir, const outdir_options_t *options,
                             engage_error_t *err)
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
    } else if (errno != ENOENT && errno != ENOTDIR) {   /* ENOTDIR: a file on the way, named below */
        return engage_fail(err, ENGAGE_ECANTCREAT, od->outdir, 0,
                           "cannot use as the output folder: %s", strerror(errno));
    }
    if (!od->target)
        od->target = strdup(od->outdir);
    if (!od->target)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    if (exists) {
        engage_status_t rc = check_inputs(od, options, err);
        if (rc == ENGAGE_OK && !(options && options->force))
            rc = check_foreign(od, err);
        if (rc != ENGAGE_OK)
            return rc;
    }

    char *tmp = concat(od->target, ".tmp-XXXXXX");
    if (!tmp)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    pthread_mutex_lock(&live_lock);
    engage_status_t made = exists ? ENGAGE_OK : folders_make_parents(&od->parents, od->target, err);
    if (made != ENGAGE_OK) {
        pthread_mutex_unlock(&live_lock);
        free(tmp);
        return made;
    }
    remove_stale(od->target);
    if (!mkdtemp(tmp)) {
        int e = errno;
        folders_remove_made(&od->parents);
        folders_fini(&od->parents);
        pthread_mutex_unlock(&live_lock);
        free(tmp);
        engage_fail(err, engage_output_status(e), od->outdir, 0,
                    "cannot create a folder beside the output folder: %s", strerror(e));
        if (e == ENOENT)
            engage_hint(err, "the folder that should hold it does not exist");
        return err ? err->status : engage_output_status(e);
    }
    od->tmpdir = tmp;
    live_tmpdir = tmp;
    live_parents = &od->parents;
    pthread_mutex_unlock(&live_lock);
    engage_status_t rc = write_marker(od, err);
    if (rc != ENGAGE_OK) {
        outdir_abort(od);
        return rc;
    }

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
        rc = engage_fail(err, engage_output_status(e), shown_path, 0, "cannot create: %s", strerror(e));
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

/* Remove the temporary folder, then the folders made above OUTDIR; the
 * caller holds live_lock. */
static void abort_locked(outdir_t *od)
{
    if (!od->tmpdir)
        return;
    remove_tree(od->tmpdir);
    forget_live(od);
    free(od->tmpdir);
    od->tmpdir = NULL;
    folders_remove_made(&od->parents);
    folders_fini(&od->parents);
}

/* The temporary folder is in place (at od->target) and no longer ours;
 * the folders made above it stay. */
static void committed(outdir_t *od)
{
    forget_live(od);
    free(od->tmpdir);
    od->tmpdir = NULL;
    folders_fini(&od->parents);
}

static engage_status_t commit_fail(outdir_t *od, engage_error_t *err, int e, const char *what)
{
    abort_locked(od);
    return engage_fail(err, engage_output_status(e), od->outdir, 0, "%s: %s", what, strerror(e));
}

/* The marker goes before the folder becomes OUTDIR. */
static engage_status_t drop_marker(outdir_t *od, engage_error_t *err)
{
    char *marker = outdir_path(od, OUTDIR_MARKER);
    if (!marker) {
        abort_locked(od);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    int rc = unlink(marker);
    int e = errno;
    free(marker);
    if (rc != 0 && e != ENOENT)
        return commit_fail(od, err, e, "cannot finish the output folder");
    return ENGAGE_OK;
}

/* Where renameat2 cannot exchange: move OUTDIR onto an empty folder of our
 * own (rename replaces an empty folder), move the new one in, and move the
 * old one back if that fails.  Not atomic, but OUTDIR is never lost.  The
 * caller holds live_lock. */
static engage_status_t commit_aside_locked(outdir_t *od, engage_error_t *err)
{
    char *aside = concat(od->target, ".old-XXXXXX");
    if (!aside) {
        abort_locked(od);
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
            committed(od);
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
    committed(od);
    return ENGAGE_OK;
}

engage_status_t outdir_commit_aside(outdir_t *od, engage_error_t *err)
{
    pthread_mutex_lock(&live_lock);
    engage_status_t rc = drop_marker(od, err);
    if (rc == ENGAGE_OK)
        rc = commit_aside_locked(od, err);
    pthread_mutex_unlock(&live_lock);
    return rc;
}

static engage_status_t commit_locked(outdir_t *od, engage_error_t *err)
{
    engage_status_t rc = drop_marker(od, err);
    if (rc != ENGAGE_OK)
        return rc;
    struct stat st;
    if (lstat(od->target, &st) == 0) {
        if (renameat2(AT_FDCWD, od->tmpdir, AT_FDCWD, od->target, RENAME_EXCHANGE) == 0) {
            /* The previous contents now sit at the temporary name. */
            remove_tree(od->tmpdir);
            committed(od);
            return ENGAGE_OK;
        }
        int e = errno;
        if (e == EINVAL || e == ENOSYS || e == ENOTSUP || e == EOPNOTSUPP)
            return commit_aside_locked(od, err);
        if (e != ENOENT)
            return commit_fail(od, err, e, "cannot replace the output folder");
        /* OUTDIR vanished meanwhile: a plain rename will do. */
    }
    if (rename(od->tmpdir, od->target) != 0)
        return commit_fail(od, err, errno, "cannot put the output folder in place");
    committed(od);
    return ENGAGE_OK;
}

engage_status_t outdir_commit(outdir_t *od, engage_error_t *err)
{
    pthread_mutex_lock(&live_lock);
    engage_status_t rc = commit_locked(od, err);
    pthread_mutex_unlock(&live_lock);
    return rc;
}

void outdir_abort(outdir_t *od)
{
    if (!od->tmpdir)
        return;
    pthread_mutex_lock(&live_lock);
    abort_locked(od);
    pthread_mutex_unlock(&live_lock);
}

void outdir_fini(outdir_t *od)
{
    outdir_abort(od);
    folders_fini(&od->parents);
    free(od->outdir);
    free(od->target);
    memset(od, 0, sizeof *od);
}
