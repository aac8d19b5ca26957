/*
 * core/folders.h — the missing folders above an output path: made before
 * the output is written, and removed again when it is not.
 *
 * `-o reports/2026Q3` and `-o a/b/x.csv` write into folders that may not
 * exist yet.  folders_make_parents() makes each missing one, outermost
 * first, and records the ones this process made; after a failure
 * folders_remove_made() removes them again, innermost first, each only
 * while it is still empty (rmdir), so nothing but a folder engage made
 * itself and that holds nothing is ever removed.
 *
 * folders_made_t owns its strings; folders_fini() frees them and keeps the
 * folders on disk.
 */
#ifndef ENGAGE_FOLDERS_H
#define ENGAGE_FOLDERS_H

#include <stddef.h>

#include "error.h"

typedef struct {
    char **made;           /* folders this process made, outermost first */
    size_t n;
} folders_made_t;

/* Make every missing folder above path (not path itself), recording them
 * in made (zeroed by the caller, or left from an earlier call).
 * ENGAGE_ECANTCREAT naming path when one cannot be made (a file in the
 * way, no permission, a name too long), ENGAGE_EIO when the disk is full;
 * the folders this call made are removed again then. */
engage_status_t folders_make_parents(folders_made_t *made, const char *path, engage_error_t *err);

/* Remove the folders made, innermost first, each only while it is empty.
 * Frees nothing, so that the thread that ends the process on a signal may
 * call it too. */
void folders_remove_made(const folders_made_t *made);

/* Forget the folders made (they stay on disk) and free the list. */
void folders_fini(folders_made_t *made);

#endif
