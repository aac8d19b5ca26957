/*
 * ingest/init.h — a first config for an export, proposed from what
 * inspect.h found in it (`engage init`).
 *
 * The config names the detected tool, lists every column in comments with
 * its letter and answers, proposes a [scale NAME] per matrix question (and
 * per run of side-by-side rating columns where the tool names no matrix),
 * [labels] from the rating vocabularies of vocab.h, the manager column when
 * one is evident (or a commented [roster] to join), and flags items whose
 * item-rest correlation is negative as looking reverse-keyed, in a comment
 * only: nothing is reversed.  Every name is written so that core/config.c
 * reads it back exactly; a name it cannot hold is left out with a comment
 * saying why.  Owns nothing.
 */
#ifndef ENGAGE_INIT_H
#define ENGAGE_INIT_H

#include <glib.h>
#include <stdbool.h>

#include "../core/error.h"
#include "inspect.h"

/* Widest comment line written (config lines are read up to 199 bytes). */
enum { INIT_COMMENT_WIDTH = 160 };

/* The proposed config's text, appended to out. */
engage_status_t init_propose(const inspect_t *insp, GString *out, engage_error_t *err);

/* Whether name can stand in a config list (items =, reverse =) so that the
 * config reader reads it back exactly; if so, its list spelling (quoted
 * when it holds a comma, a quote or surrounding spaces) is appended to out. */
bool init_list_name(const char *name, GString *out);

/* Whether text can be a label's key in [labels] (no '=' or ':', no
 * comment start, no control character, not a number). */
bool init_label_key(const char *text);

/* Write text to path whole or not at all (a temporary file beside it,
 * then renamed): an existing path is replaced only with `replace`, else
 * ENGAGE_ECANTCREAT, as when the file cannot be made; ENGAGE_EIO when
 * writing fails. */
engage_status_t init_write_file(const char *path, const char *text, size_t len, bool replace,
                                engage_error_t *err);

#endif
