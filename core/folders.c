/*
 * core/folders.c — missing folders above an output path, made and, after a
 * failure, removed again while empty (see folders.h).
 *
 * Owns: the list of folders made.  Each prefix of the path's folder is
 * looked at in turn: a folder (or a link to one) is used as it is, a
 * missing one is made with mkdir (0777 less the umask, as mkdir -p makes
 * it), anything else is refused.  A folder another process makes in the
 * same moment (EEXIST) is used and not recorded as ours.
 */
#include "folders.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static engage_status_t no_memory(engage_error_t *err)
{
    return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
}

static engage_status_t remember(folders_made_t *made, const char *folder, engage_error_t *err)
{
    char **grown = realloc(made->made, (made->n + 1) * sizeof *grown);
    if (!grown)
        return no_memory(err);
    made->made = grown;
    if (!(made->made[made->n] = strdup(folder)))
        return no_memory(err);
    made->n++;
    return ENGAGE_OK;
}

/* One folder on the way: there already, or made now. */
static engage_status_t make_one(folders_made_t *made, const char *folder, const char *path,
                                engage_error_t *err)
{
    struct stat st;
    if (stat(folder, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return ENGAGE_OK;
        return engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create its folder: %s is not a folder",
                           folder);
    }
    if (errno == ENOENT) {
        if (mkdir(folder, 0777) == 0)
            return remember(made, folder, err);
        if (errno == EEXIST && stat(folder, &st) == 0 && S_ISDIR(st.st_mode))
            return ENGAGE_OK;
    }
    int e = errno;
    return engage_fail(err, engage_output_status(e), path, 0, "cannot create the folder %s: %s", folder,
                       strerror(e));
}

engage_status_t folders_make_parents(folders_made_t *made, const char *path, engage_error_t *err)
{
    /* The folder part: up to the last slash, trailing slashes of path
     * itself ignored. */
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/')
        len--;
    while (len > 1 && path[len - 1] == '/')
        len--;
    if (len == 0 || (len == 1 && path[0] == '/'))
        return ENGAGE_OK;
    char *folder = strndup(path, len);
    if (!folder)
        return no_memory(err);
    struct stat st;
    if (stat(folder, &st) == 0 && S_ISDIR(st.st_mode)) {   /* the usual case */
        free(folder);
        return ENGAGE_OK;
    }
    size_t before = made->n;
    engage_status_t rc = ENGAGE_OK;
    /* Each prefix ending before a slash, then the whole folder. */
    for (size_t i = 1; i <= len && rc == ENGAGE_OK; i++) {
        if (i < len && (folder[i] != '/' || folder[i - 1] == '/'))
            continue;
        char keep = folder[i];
        folder[i] = '\0';
        rc = make_one(made, folder, path, err);
        folder[i] = keep;
    }
    free(folder);
    if (rc != ENGAGE_OK) {
        folders_made_t ours = { made->made + before, made->n - before };
        folders_remove_made(&ours);
        for (size_t i = before; i < made->n; i++)
            free(made->made[i]);
        made->n = before;
    }
    return rc;
}

void folders_remove_made(const folders_made_t *made)
{
    for (size_t i = made->n; i-- > 0;)
        rmdir(made->made[i]);
}

void folders_fini(folders_made_t *made)
{
    for (size_t i = 0; i < made->n; i++)
        free(made->made[i]);
    free(made->made);
    made->made = NULL;
    made->n = 0;
}
