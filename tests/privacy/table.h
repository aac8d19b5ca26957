/*
 * tests/privacy/table.h — a published CSV read whole into memory, for the
 * attackers (attack.c, tree_attack.c): the files anyone holding a run's
 * outputs holds.  Shares no code with engage (libcsv only).
 */
#ifndef ENGAGE_TESTS_TABLE_H
#define ENGAGE_TESTS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char ***rows;     /* rows[0] is the header */
    size_t *width;    /* [row] its cells */
    size_t n_rows, cap_rows;
    char **cells;     /* the row being read */
    size_t n_cells, cap_cells;
} table_t;

/* realloc that ends the program (exit 2, naming program) when out of memory. */
void *table_realloc(void *p, size_t size);

/* The CSV at path (a byte order mark skipped); false when it cannot be
 * opened.  program names the caller in messages; a file libcsv cannot read
 * ends it with exit 2. */
bool table_read(const char *program, const char *path, table_t *t);

/* The header's column of that name, or -1. */
long table_column(const table_t *t, const char *name);

/* Row r's cell c as it stands ("" beyond the row or for c < 0). */
const char *table_cell(const table_t *t, size_t r, long c);

#endif
