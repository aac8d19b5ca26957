/*
 * ingest/roster.h — the HRIS roster: who reports to whom.
 *
 * A roster is a CSV export (any encoding and delimiter that survey files
 * may have) with one row per employee: an employee key, the manager id and
 * optionally the manager's unit.  It lets a survey that carries only an
 * employee id or e-mail be analysed by manager.  Keys are matched ignoring
 * ASCII case and surrounding spaces (e-mail addresses arrive in any case);
 * ids are text, so leading zeros matter.
 *
 * The manager column names each employee's manager by their own employee
 * id, so the roster is also the reporting tree (core/org.h): an employee
 * whose manager is empty or themselves is a top; a manager the roster does
 * not list is a top too (roster_note() says so).  A team belongs to the
 * unit of its manager's own row, else (a manager not listed) to the unit
 * of the rows naming them.  Every employee is invited unless [roster]
 * invited says otherwise.
 *
 * Problems are errors naming the roster file and line: a missing column, an
 * employee listed twice, an empty key, an invited cell that is not
 * true/false, 1/0 or yes/no, a reporting loop (naming everyone in it), a
 * manager not listed whose rows place them in two units.  roster_t owns
 * every string; roster_free() frees it.
 */
#ifndef ENGAGE_ROSTER_H
#define ENGAGE_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../core/error.h"
#include "../core/org.h"

typedef struct roster roster_t;

/* Read cfg->roster.file.  ENGAGE_ENOINPUT when it cannot be opened,
 * ENGAGE_EDATA for the problems above. */
engage_status_t roster_load(const config_t *cfg, roster_t **out, engage_error_t *err);

/* The manager (and unit, NULL without units) of the employee whose key is
 * `key`, and the employee's node in the tree; false when the roster does
 * not list it.  *manager is NULL for a top.  Uses a scratch buffer of the
 * roster: call it from one thread at a time. */
bool roster_find(const roster_t *roster, const char *key, const char **manager, const char **unit,
                 size_t *employee);

/* The tree (the roster keeps it until roster_take_org hands it over). */
org_t *roster_org(const roster_t *roster);
org_t *roster_take_org(roster_t *roster);

/* A note for stderr when some managers are not listed as employees, or NULL. */
const char *roster_note(const roster_t *roster);

/* The unit of a manager, or NULL. */
const char *roster_unit_of(const roster_t *roster, const char *manager);

size_t roster_size(const roster_t *roster);

/* The roster file's stored bytes and their hex SHA-256. */
uint64_t roster_bytes(const roster_t *roster);
const char *roster_sha256(const roster_t *roster);

void roster_free(roster_t *roster);

#endif
