/*
 * ingest/roster.c — reads the HRIS roster (see roster.h) through the same
 * source and CSV layers as survey files (tokenised on the reading thread)
 * into GLib hash tables: employee key -> employee, manager -> manager.
 *
 * A roster may list a million employees, so an employee costs little: its
 * normalised key in a string chunk, a hash slot, and eight bytes (its
 * manager's index and its line).  Managers and their units are kept once.
 *
 * Owns the tables, the arrays and, in one GLib string chunk, every key,
 * manager and unit string.
 */
#include "roster.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "csv_rows.h"
#include "source.h"

typedef struct {
    uint32_t manager;          /* index into managers */
    uint32_t line;
} roster_employee_t;

typedef struct {
    const char *id;
    const char *unit;          /* NULL without units */
    long line;                 /* the row that placed it in its unit */
} roster_manager_t;

struct roster {
    GHashTable *employees;     /* normalised key -> index into employee + 1 */
    GArray *employee;          /* roster_employee_t */
    GHashTable *manager_index; /* manager id -> index into manager + 1 */
    GArray *manager;           /* roster_manager_t */
    GStringChunk *strings;
    GString *scratch;          /* for normalising keys in roster_find */
    uint64_t bytes;            /* the file as stored, for manifest.json */
    char sha256[65];
};

typedef struct {
    roster_t *roster;
    const config_t *cfg;
    const char *name;
    bool header_seen;
    size_t n_fields;
    size_t employee, manager, unit;  /* fields; unit SIZE_MAX without units */
    GString *key;              /* scratch for normalising */
} loading_t;

/* Keys without surrounding spaces, ASCII letters in lower case. */
static void normalise_key(GString *out, const char *key)
{
    while (*key == ' ' || *key == '\t')
        key++;
    size_t len = strlen(key);
    while (len && (key[len - 1] == ' ' || key[len - 1] == '\t'))
        len--;
    g_string_truncate(out, 0);
    for (size_t i = 0; i < len; i++)
        g_string_append_c(out, g_ascii_tolower(key[i]));
}

static engage_status_t find_column(loading_t *l, const csv_row_t *row, const char *column, size_t *field,
                                   engage_error_t *err)
{
    *field = SIZE_MAX;
    for (size_t i = 0; i < row->n_fields; i++)
        if (strcmp(csv_row_field(row, i), column) == 0)
            *field = i;
    for (size_t i = 0; i < row->n_fields && *field == SIZE_MAX; i++)
        if (strcasecmp(csv_row_field(row, i), column) == 0)
            *field = i;
    if (*field == SIZE_MAX) {
        engage_fail(err, ENGAGE_EDATA, l->name, row->line, "the roster has no column '%s'", column);
        engage_hint(err, "[roster] employee, manager and unit name columns of the roster's header row");
        return ENGAGE_EDATA;
    }
    return ENGAGE_OK;
}

static engage_status_t on_header(loading_t *l, const csv_row_t *row, engage_error_t *err)
{
    const config_roster_t *rc = &l->cfg->roster;
    l->header_seen = true;
    l->n_fields = row->n_fields;
    engage_status_t st = find_column(l, row, rc->employee, &l->employee, err);
    if (st == ENGAGE_OK)
        st = find_column(l, row, rc->manager, &l->manager, err);
    l->unit = SIZE_MAX;
    if (st == ENGAGE_OK && rc->unit)
        st = find_column(l, row, rc->unit, &l->unit, err);
    return st;
}

static engage_status_t on_row(loading_t *l, const csv_row_t *row, engage_error_t *err)
{
    roster_t *roster = l->roster;
    if (row->n_fields != l->n_fields)
        return engage_fail(err, ENGAGE_EDATA, l->name, row->line, "the row has %zu fields, the header has %zu",
                           row->n_fields, l->n_fields);
    const char *employee = csv_row_field(row, l->employee);
    const char *manager = csv_row_field(row, l->manager);
    const char *unit = l->unit == SIZE_MAX ? NULL : csv_row_field(row, l->unit);
    normalise_key(l->key, employee);
    if (l->key->len == 0)
        return engage_fail(err, ENGAGE_EDATA, l->name, row->line, "empty employee (column '%s')",
                           l->cfg->roster.employee);
    if (!manager[0])
        return engage_fail(err, ENGAGE_EDATA, l->name, row->line, "employee '%.60s' has no manager (column '%s')",
                           employee, l->cfg->roster.manager);
    if (row->line > (long)UINT32_MAX || roster->employee->len >= UINT32_MAX - 1)
        return engage_fail(err, ENGAGE_EDATA, l->name, row->line, "the roster is too large");
    gpointer earlier = g_hash_table_lookup(roster->employees, l->key->str);
    if (earlier) {
        const roster_employee_t *first =
            &g_array_index(roster->employee, roster_employee_t, GPOINTER_TO_SIZE(earlier) - 1);
        return engage_fail(err, ENGAGE_EDATA, l->name, row->line,
                           "employee '%.60s' is listed twice (first on line %lu)", employee,
                           (unsigned long)first->line);
    }

    /* The manager, placed in its unit by the first row that names it. */
    size_t m = GPOINTER_TO_SIZE(g_hash_table_lookup(roster->manager_index, manager));
    if (m == 0) {
        roster_manager_t placed = {g_string_chunk_insert(roster->strings, manager),
                                   unit ? g_string_chunk_insert_const(roster->strings, unit) : NULL, row->line};
        g_array_append_val(roster->manager, placed);
        m = roster->manager->len;
        g_hash_table_insert(roster->manager_index, (gpointer)placed.id, GSIZE_TO_POINTER(m));
    } else if (unit) {
        const roster_manager_t *placed = &g_array_index(roster->manager, roster_manager_t, m - 1);
        if (strcmp(placed->unit, unit) != 0) {
            engage_fail(err, ENGAGE_EDATA, l->name, row->line,
                        "manager '%.60s' is in unit '%.60s' here but in '%.60s' on line %ld", manager, unit,
                        placed->unit, placed->line);
            engage_hint(err, "a manager's team belongs to one unit; correct the roster");
            return ENGAGE_EDATA;
        }
    }
    roster_employee_t entry = {(uint32_t)(m - 1), (uint32_t)row->line};
    g_array_append_val(roster->employee, entry);
    g_hash_table_insert(roster->employees, g_string_chunk_insert_len(roster->strings, l->key->str, (gssize)l->key->len),
                        GSIZE_TO_POINTER(roster->employee->len));
    return ENGAGE_OK;
}

static engage_status_t on_record(void *user, const csv_row_t *row, engage_error_t *err)
{
    loading_t *l = user;
    return l->header_seen ? on_row(l, row, err) : on_header(l, row, err);
}

engage_status_t roster_load(const config_t *cfg, roster_t **out, engage_error_t *err)
{
    *out = NULL;
    const char *path = cfg->roster.file;
    source_t *src;
    engage_status_t st = source_open_path(&src, path, err);
    if (st != ENGAGE_OK) {
        engage_hint(err, "[roster] file is read relative to the config's folder");
        return st;
    }
    roster_t *roster = g_new0(roster_t, 1);
    roster->employees = g_hash_table_new(g_str_hash, g_str_equal);
    roster->employee = g_array_new(FALSE, FALSE, sizeof(roster_employee_t));
    roster->manager_index = g_hash_table_new(g_str_hash, g_str_equal);
    roster->manager = g_array_new(FALSE, FALSE, sizeof(roster_manager_t));
    roster->strings = g_string_chunk_new(1 << 16);
    roster->scratch = g_string_new(NULL);
    loading_t l = {.roster = roster, .cfg = cfg, .name = path, .key = g_string_new(NULL)};
    csv_rows_options_t options = {.encoding = "auto", .delimiter = 0, .thread = true};
    st = csv_rows_read(src, path, &options, on_record, &l, NULL, err);
    roster->bytes = source_bytes(src);
    source_sha256(src, roster->sha256);
    source_close(src);
    g_string_free(l.key, TRUE);
    if (st == ENGAGE_OK && !l.header_seen)
        st = engage_fail(err, ENGAGE_EDATA, path, 0, "the roster is empty");
    else if (st == ENGAGE_OK && g_hash_table_size(roster->employees) == 0)
        st = engage_fail(err, ENGAGE_EDATA, path, 0, "the roster lists no employees");
    if (st != ENGAGE_OK) {
        roster_free(roster);
        return st;
    }
    *out = roster;
    return ENGAGE_OK;
}

bool roster_find(const roster_t *roster, const char *key, const char **manager, const char **unit)
{
    normalise_key(roster->scratch, key);
    gpointer found = g_hash_table_lookup(roster->employees, roster->scratch->str);
    if (!found)
        return false;
    const roster_employee_t *e = &g_array_index(roster->employee, roster_employee_t, GPOINTER_TO_SIZE(found) - 1);
    const roster_manager_t *m = &g_array_index(roster->manager, roster_manager_t, e->manager);
    *manager = m->id;
    *unit = m->unit;
    return true;
}

const char *roster_unit_of(const roster_t *roster, const char *manager)
{
    size_t m = GPOINTER_TO_SIZE(g_hash_table_lookup(roster->manager_index, manager));
    return m ? g_array_index(roster->manager, roster_manager_t, m - 1).unit : NULL;
}

uint64_t roster_bytes(const roster_t *roster)
{
    return roster->bytes;
}

const char *roster_sha256(const roster_t *roster)
{
    return roster->sha256;
}

size_t roster_size(const roster_t *roster)
{
    return roster->employee->len;
}

void roster_free(roster_t *roster)
{
    if (!roster)
        return;
    g_hash_table_destroy(roster->employees);
    g_array_free(roster->employee, TRUE);
    g_hash_table_destroy(roster->manager_index);
    g_array_free(roster->manager, TRUE);
    g_string_chunk_free(roster->strings);
    g_string_free(roster->scratch, TRUE);
    g_free(roster);
}
