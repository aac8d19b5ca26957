/*
 * ingest/roster.c — reads the HRIS roster (see roster.h) through the same
 * source and CSV layers as survey files (tokenised on the reading thread)
 * into GLib hash tables: employee key -> employee, manager -> manager; then
 * builds the reporting tree (core/org.h) from them.
 *
 * A roster may list a million employees, so an employee costs little: its
 * normalised key in a string chunk, a hash slot, and eight bytes (its
 * manager's index and its line), plus its unit and name pointers when those
 * columns are read.  Managers and their units are kept once.
 *
 * Owns the tables, the arrays, the tree until roster_take_org() and, in one
 * GLib string chunk, every key, manager, unit and name string.
 */
#include "roster.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "csv_rows.h"
#include "source.h"

/* An employee whose manager column is empty. */
#define ROSTER_NO_MANAGER UINT32_MAX

typedef struct {
    uint32_t manager;          /* index into managers, ROSTER_NO_MANAGER */
    uint32_t line;
} roster_employee_t;

typedef struct {
    const char *id;
    const char *unit;          /* NULL without units */
    long line;                 /* the row that placed it in its unit */
    const char *other_unit;    /* a later row's different unit (NULL: none) */
    long other_line;
    uint32_t node;             /* in the tree */
} roster_manager_t;

struct roster {
    GHashTable *employees;     /* normalised key -> index into employee + 1 */
    GArray *employee;          /* roster_employee_t */
    GHashTable *manager_index; /* manager id -> index into manager + 1 */
    GArray *manager;           /* roster_manager_t */
    GArray *units;             /* [employee] const char *, with [roster] unit */
    GArray *names;             /* [employee] const char *, with [roster] name */
    GArray *invited;           /* [employee] uint8_t, with [roster] invited */
    org_t *org;
    char note[ENGAGE_ERROR_TEXT];
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
    size_t employee, manager, unit, display, invited;  /* fields; SIZE_MAX when not read */
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
        engage_hint(err, "[roster] employee, manager, unit, name and invited name columns of the roster's header row");
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
    l->unit = l->display = l->invited = SIZE_MAX;
    if (st == ENGAGE_OK && rc->unit)
        st = find_column(l, row, rc->unit, &l->unit, err);
    if (st == ENGAGE_OK && rc->name)
        st = find_column(l, row, rc->name, &l->display, err);
    if (st == ENGAGE_OK && rc->invited)
        st = find_column(l, row, rc->invited, &l->invited, err);
    return st;
}

/* An [roster] invited cell: true/false, 1/0, yes/no in any case. */
static bool read_invited(const char *cell, uint8_t *invited)
{
    static const char *const yes[] = {"true", "1", "yes"}, *const no[] = {"false", "0", "no"};
    while (*cell == ' ' || *cell == '\t')
        cell++;
    size_t len = strlen(cell);
    while (len && (cell[len - 1] == ' ' || cell[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < 3; i++) {
        if (strlen(yes[i]) == len && g_ascii_strncasecmp(cell, yes[i], len) == 0) {
            *invited = 1;
            return true;
        }
        if (strlen(no[i]) == len && g_ascii_strncasecmp(cell, no[i], len) == 0) {
            *invited = 0;
            return true;
        }
    }
    return false;
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

    uint8_t invited = 1;
    if (l->invited != SIZE_MAX && !read_invited(csv_row_field(row, l->invited), &invited)) {
        engage_fail(err, ENGAGE_EDATA, l->name, row->line, "'%.60s' in column '%s' is not true/false, 1/0 or yes/no",
                    csv_row_field(row, l->invited), l->cfg->roster.invited);
        return ENGAGE_EDATA;
    }

    /* The manager, placed in its unit by the first row that names it; a
     * later row placing it elsewhere matters only when the manager has no
     * row of their own (build_tree). */
    size_t m = manager[0] ? GPOINTER_TO_SIZE(g_hash_table_lookup(roster->manager_index, manager)) : 0;
    if (manager[0] && m == 0) {
        roster_manager_t placed = {g_string_chunk_insert(roster->strings, manager),
                                   unit ? g_string_chunk_insert_const(roster->strings, unit) : NULL, row->line,
                                   NULL, 0, 0};
        g_array_append_val(roster->manager, placed);
        m = roster->manager->len;
        g_hash_table_insert(roster->manager_index, (gpointer)placed.id, GSIZE_TO_POINTER(m));
    } else if (m && unit) {
        roster_manager_t *placed = &g_array_index(roster->manager, roster_manager_t, m - 1);
        if (!placed->other_unit && strcmp(placed->unit, unit) != 0) {
            placed->other_unit = g_string_chunk_insert_const(roster->strings, unit);
            placed->other_line = row->line;
        }
    }
    roster_employee_t entry = {m ? (uint32_t)(m - 1) : ROSTER_NO_MANAGER, (uint32_t)row->line};
    g_array_append_val(roster->employee, entry);
    g_hash_table_insert(roster->employees, g_string_chunk_insert_len(roster->strings, l->key->str, (gssize)l->key->len),
                        GSIZE_TO_POINTER(roster->employee->len));
    if (roster->units) {
        const char *own = g_string_chunk_insert_const(roster->strings, unit);
        g_array_append_val(roster->units, own);
    }
    if (roster->names) {
        const char *name = g_string_chunk_insert_const(roster->strings, csv_row_field(row, l->display));
        g_array_append_val(roster->names, name);
    }
    if (roster->invited)
        g_array_append_val(roster->invited, invited);
    return ENGAGE_OK;
}

static engage_status_t on_record(void *user, const csv_row_t *row, engage_error_t *err)
{
    loading_t *l = user;
    return l->header_seen ? on_row(l, row, err) : on_header(l, row, err);
}

/* "'a' (line 3), 'b' (line 7), ..." for the nodes of a loop, each named by
 * the manager id the one before it uses; as many as the message holds. */
static void describe_loop(const roster_t *roster, const uint32_t *loop, size_t len, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        const roster_employee_t *below = &g_array_index(roster->employee, roster_employee_t, loop[(i + len - 1) % len]);
        const roster_employee_t *e = &g_array_index(roster->employee, roster_employee_t, loop[i]);
        const char *id = g_array_index(roster->manager, roster_manager_t, below->manager).id;
        int w = snprintf(out + used, size - used, "%s'%.40s' (line %lu)", i ? ", " : "", id, (unsigned long)e->line);
        if (w < 0 || (size_t)w >= size - used - 24) {
            snprintf(out + used, size - used, ", ... (%zu in all)", len);
            return;
        }
        used += (size_t)w;
    }
}

/* Reports and tops in the byte order of their normalised ids, so that the
 * tree's layout, and all that follows it, does not depend on the roster's
 * row order. */
static engage_status_t order_by_key(roster_t *roster, size_t E, size_t n)
{
    const char **key = g_new0(const char *, n ? n : 1);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, roster->employees);
    while (g_hash_table_iter_next(&it, &k, &v))
        key[GPOINTER_TO_SIZE(v) - 1] = k;
    for (size_t m = 0; m < roster->manager->len; m++) {
        const roster_manager_t *rm = &g_array_index(roster->manager, roster_manager_t, m);
        if (rm->node >= E && !key[rm->node]) {
            normalise_key(roster->scratch, rm->id);
            key[rm->node] = g_string_chunk_insert_len(roster->strings, roster->scratch->str,
                                                      (gssize)roster->scratch->len);
        }
    }
    engage_status_t st = org_order_by(roster->org, key);
    g_free(key);
    return st;
}

/* The tree: employees are nodes 0 .. E-1 in row order, managers the roster
 * does not list follow as tops; laid out by id (order_by_key).  A manager's unit is that of their own row
 * when they have one, else that of the rows naming them, which must agree. */
static engage_status_t build_tree(const config_t *cfg, roster_t *roster, engage_error_t *err)
{
    const char *path = cfg->roster.file;
    size_t E = roster->employee->len, M = roster->manager->len, n = E, missing = 0;
    const roster_manager_t *first_missing = NULL;
    for (size_t m = 0; m < M; m++) {
        roster_manager_t *rm = &g_array_index(roster->manager, roster_manager_t, m);
        normalise_key(roster->scratch, rm->id);
        size_t e = GPOINTER_TO_SIZE(g_hash_table_lookup(roster->employees, roster->scratch->str));
        if (e) {
            rm->node = (uint32_t)(e - 1);
            if (roster->units)
                rm->unit = g_array_index(roster->units, const char *, e - 1);
            continue;
        }
        rm->node = (uint32_t)n++;
        if (missing++ == 0)
            first_missing = rm;
        if (rm->other_unit) {
            engage_fail(err, ENGAGE_EDATA, path, rm->other_line,
                        "manager '%.60s' is in unit '%.60s' here but in '%.60s' on line %ld", rm->id, rm->other_unit,
                        rm->unit, rm->line);
            engage_hint(err, "a manager's team belongs to one unit; correct the roster");
            return ENGAGE_EDATA;
        }
    }
    uint32_t *parent = g_new(uint32_t, n ? n : 1), *loop = NULL;
    for (size_t e = 0; e < E; e++) {
        const roster_employee_t *re = &g_array_index(roster->employee, roster_employee_t, e);
        parent[e] = re->manager == ROSTER_NO_MANAGER ? ORG_TOP
                                                     : g_array_index(roster->manager, roster_manager_t, re->manager).node;
    }
    for (size_t v = E; v < n; v++)
        parent[v] = ORG_TOP;
    size_t loop_len = 0;
    engage_status_t st = org_build(parent, n, &roster->org, &loop, &loop_len);
    g_free(parent);
    if (st == ENGAGE_EDATA) {
        char names[ENGAGE_ERROR_TEXT - 100];
        describe_loop(roster, loop, loop_len, names, sizeof names);
        uint32_t line = UINT32_MAX;
        for (size_t i = 0; i < loop_len; i++) {
            uint32_t l = g_array_index(roster->employee, roster_employee_t, loop[i]).line;
            line = l < line ? l : line;
        }
        free(loop);
        engage_fail(err, ENGAGE_EDATA, path, line, "a reporting loop: %s", names);
        engage_hint(err, "each of them is named, directly or not, as their own manager; correct the roster");
        return ENGAGE_EDATA;
    }
    if (st == ENGAGE_OK)
        st = order_by_key(roster, E, n);
    if (st != ENGAGE_OK)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    /* a manager named in several ways (case, spaces) goes by the first */
    for (size_t m = 0; m < M; m++) {
        roster_manager_t *rm = &g_array_index(roster->manager, roster_manager_t, m);
        const char *first = org_id(roster->org, rm->node);
        if (first) {
            rm->id = g_string_chunk_insert_const(roster->strings, first);
            continue;
        }
        const char *name = roster->names && rm->node < E ? g_array_index(roster->names, const char *, rm->node) : NULL;
        org_label(roster->org, rm->node, rm->id, name);
    }
    for (size_t e = 0; e < E; e++)
        org_set_invited(roster->org, e, !roster->invited || g_array_index(roster->invited, uint8_t, e));
    if (missing)
        snprintf(roster->note, sizeof roster->note,
                 "%s: %zu manager%s not listed as employees (the first, '%.60s', on line %ld): each heads a tree of "
                 "their own", path, missing, missing == 1 ? " is" : "s are", first_missing->id, first_missing->line);
    return ENGAGE_OK;
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
    if (cfg->roster.unit)
        roster->units = g_array_new(FALSE, FALSE, sizeof(const char *));
    if (cfg->roster.name)
        roster->names = g_array_new(FALSE, FALSE, sizeof(const char *));
    if (cfg->roster.invited)
        roster->invited = g_array_new(FALSE, FALSE, sizeof(uint8_t));
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
    if (st == ENGAGE_OK)
        st = build_tree(cfg, roster, err);
    if (st != ENGAGE_OK) {
        roster_free(roster);
        return st;
    }
    *out = roster;
    return ENGAGE_OK;
}

bool roster_find(const roster_t *roster, const char *key, const char **manager, const char **unit,
                 size_t *employee)
{
    normalise_key(roster->scratch, key);
    gpointer found = g_hash_table_lookup(roster->employees, roster->scratch->str);
    if (!found)
        return false;
    *employee = GPOINTER_TO_SIZE(found) - 1;
    const roster_employee_t *e = &g_array_index(roster->employee, roster_employee_t, *employee);
    const roster_manager_t *m =
        e->manager == ROSTER_NO_MANAGER ? NULL : &g_array_index(roster->manager, roster_manager_t, e->manager);
    bool top = !m || m->node == *employee;   /* their own manager: a top */
    *manager = top ? NULL : m->id;
    *unit = top ? NULL : m->unit;
    return true;
}

org_t *roster_org(const roster_t *roster)
{
    return roster->org;
}

org_t *roster_take_org(roster_t *roster)
{
    org_t *org = roster->org;
    roster->org = NULL;
    return org;
}

const char *roster_note(const roster_t *roster)
{
    return roster->note[0] ? roster->note : NULL;
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
    if (roster->units)
        g_array_free(roster->units, TRUE);
    if (roster->names)
        g_array_free(roster->names, TRUE);
    if (roster->invited)
        g_array_free(roster->invited, TRUE);
    org_free(roster->org);
    g_free(roster);
}
