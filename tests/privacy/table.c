/*
 * tests/privacy/table.c — a published CSV read whole (table.h).
 */
#include "table.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *table_program = "attack";

void *table_realloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        fprintf(stderr, "%s: out of memory\n", table_program);
        exit(2);
    }
    return p;
}

static void on_cell(void *data, size_t len, void *user)
{
    table_t *t = user;
    if (t->n_cells == t->cap_cells) {
        t->cap_cells = t->cap_cells ? 2 * t->cap_cells : 16;
        t->cells = table_realloc(t->cells, t->cap_cells * sizeof *t->cells);
    }
    char *c = table_realloc(NULL, len + 1);
    if (len)
        memcpy(c, data, len);
    c[len] = '\0';
    t->cells[t->n_cells++] = c;
}

static void on_row(int ch, void *user)
{
    (void)ch;
    table_t *t = user;
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 64;
        t->rows = table_realloc(t->rows, t->cap_rows * sizeof *t->rows);
        t->width = table_realloc(t->width, t->cap_rows * sizeof *t->width);
    }
    t->rows[t->n_rows] = t->cells;
    t->width[t->n_rows++] = t->n_cells;
    t->cells = NULL;
    t->n_cells = t->cap_cells = 0;
}

bool table_read(const char *program, const char *path, table_t *t)
{
    table_program = program;
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    struct csv_parser p;
    csv_init(&p, CSV_APPEND_NULL);
    char buf[1 << 16];
    size_t n;
    bool first = true;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        char *at = buf;
        if (first && n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
            at += 3;
            n -= 3;
        }
        first = false;
        if (csv_parse(&p, at, n, on_cell, on_row, t) != n) {
            fprintf(stderr, "%s: bad CSV: %s\n", program, path);
            exit(2);
        }
    }
    csv_fini(&p, on_cell, on_row, t);
    csv_free(&p);
    fclose(f);
    return true;
}

long table_column(const table_t *t, const char *name)
{
    for (size_t c = 0; t->n_rows && c < t->width[0]; c++)
        if (strcmp(t->rows[0][c], name) == 0)
            return (long)c;
    return -1;
}

const char *table_cell(const table_t *t, size_t r, long c)
{
    return c >= 0 && (size_t)c < t->width[r] ? t->rows[r][c] : "";
}
