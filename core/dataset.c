/*
 * core/dataset.c — storage of the canonical dataset (see dataset.h).
 *
 * Owns: the column stores, the respondent-id strings (in fixed blocks of
 * ID_BLOCK bytes, never moved, each row naming its id by a 32-bit
 * reference: block and offset), the manager-id strings and units (in
 * arenas of their own), a GLib hash table that maps column names to
 * indices, and the sets of respondent and manager ids seen (see below).
 * The sets are dropped by dataset_finish(); they are only needed while
 * rows are added.
 *
 * The id set is an open-addressing table (linear probing) of slots that
 * hold a byte of an id's hash (a probe compares the text only where that
 * byte agrees) and the row the id is on now; when three quarters of it are
 * used it is built anew at twice the size from the rows not superseded,
 * whose ids are hashed again in row order.  Manager ids have a set of the
 * same kind, whose slots hold a manager instead of a row.  Per respondent
 * the store keeps 4 bytes each of id reference and manager, the id's text,
 * and 5 bytes per slot of the set while rows are added; the file and the
 * line of each row are kept as runs (rows come file after file, and line
 * after line but where a record spans lines or a row was rejected), not
 * per row.
 *
 * A column keeps one byte per respondent: a code into a table of at most
 * 254 distinct values (CODE_MISSING = not answered).  Survey answers are
 * almost always a handful of small integers, so this keeps a million
 * respondents × 12 items in 12 MB.  A column that meets a 255th distinct value
 * is converted to plain doubles once.
 *
 * Memory follows the rows kept, not the rows seen: a repeated respondent id
 * reuses the string already stored (a superseded row is marked in a bit
 * set), and once superseded rows make up half
 * of the rows (and at least COMPACT_ROWS) they are dropped and the rest
 * moved up in order; managers left without a row are then dropped too when
 * they are half of the managers, their arena rebuilt from the ones in use.
 * So a file that repeats one id twenty million times is held as one row.
 */
#include "dataset.h"

#include <glib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CODE_MISSING = 255, MAX_CODES = 254, ARENA_BLOCK = 1 << 20, SMALL_INT_BIAS = 128, COMPACT_ROWS = 4096,
       COMPACT_MANAGERS = 1024, ID_OFFSET_BITS = 20, ID_BLOCK = 1 << ID_OFFSET_BITS,
       MAX_ID_BLOCKS = 1 << (32 - ID_OFFSET_BITS), FIRST_ID_SLOTS = 1024 };

/* From this many rows, the rows' arrays grown give their old pages back. */
#define TRIM_ROWS ((size_t)1 << 20)

typedef struct {
    char *name;
    bool coded;                /* codes in use; false once the column holds doubles */
    uint8_t *codes;
    double table[256];         /* table[CODE_MISSING] is NAN */
    size_t n_table;
    int16_t code_of_small_int[256]; /* value v in [-128,127] -> code, -1 unknown */
    double *values;            /* used when the column overflows the table */
} column_t;

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    char data[];
} arena_block_t;

typedef struct {
    const char *unit;             /* in the arena */
    size_t invited;
} silent_team_t;

/* Respondent ids: NUL-terminated strings in blocks of ID_BLOCK bytes (an id
 * longer than that has a block of its own), named by block << ID_OFFSET_BITS
 * | offset. */
typedef struct {
    char **blocks;
    size_t n_blocks, cap_blocks;
    size_t used;                  /* bytes used in the last block */
    size_t size;                  /* size of the last block */
} id_store_t;

/* Rows first_row ... up to the next run's first row, described by value:
 * among the file runs, the file they came from; among the line runs, row
 * first_row + i is on line value + i (value 0, not known: every row of the
 * run). */
typedef struct {
    uint32_t first_row;
    uint32_t value;
} row_run_t;

/* Runs in row order, the first at row 0 once there is a row. */
typedef struct {
    row_run_t *runs;
    size_t n, cap;
} runs_t;

/* A set of ids seen while rows are added: per slot a tag (0 = free, else
 * one byte of the id's hash, so that a probe reads the id's text only when
 * the tags agree) and what the slot stands for — a row of the respondent
 * set, a manager of the manager set. */
typedef struct {
    uint8_t *tags;
    uint32_t *rows;
    size_t mask;                  /* number of slots - 1 (a power of two) */
    size_t used;
} id_set_t;

struct dataset {
    column_t *columns;
    size_t n_columns, cap_columns;
    GHashTable *column_index;  /* name -> column + 1 */
    dataset_scale_t *scales;
    size_t n_scales;

    size_t n_rows, cap_rows;
    uint32_t *respondent_of;   /* id reference per row (id_store_t) */
    uint32_t *manager_of;
    uint64_t *superseded;      /* a bit per row: a later row has its id (until dropped) */
    runs_t file_runs;          /* the file of each row, a run per file read */
    runs_t line_runs;          /* the line of each row */
    size_t n_superseded;       /* rows superseded since the rows were last compacted */

    const char **manager_ids;
    size_t n_managers, cap_managers;
    const char **manager_units;   /* per manager after finish; NULL without units */
    GArray *silent_teams;         /* silent_team_t, NULL until one is added */

    id_store_t ids;               /* respondent ids */
    id_set_t id_set;              /* until dataset_finish */
    id_set_t manager_set;         /* manager ids -> manager, until dataset_finish */
    arena_block_t *arena;         /* units */
    arena_block_t *manager_arena; /* manager ids */
    org_t *org;                   /* the reporting tree, NULL without a roster */
    bool finished;
};

/* size bytes from an arena (NULL when out of memory). */
static char *arena_alloc(arena_block_t **arena, size_t size)
{
    arena_block_t *b = *arena;
    if (!b || b->size - b->used < size) {
        size_t block = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        arena_block_t *nb = malloc(sizeof *nb + block);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->size = block;
        /* Keep a partly used current block first when the new one is a
         * one-off for a huge string. */
        if (b && block == size && b->size - b->used >= 64) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            *arena = nb;
        }
        b = nb;
    }
    char *p = b->data + b->used;
    b->used += size;
    return p;
}

static void arena_free(arena_block_t **arena)
{
    while (*arena) {
        arena_block_t *next = (*arena)->next;
        free(*arena);
        *arena = next;
    }
}

static const char *arena_strdup(arena_block_t **arena, const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = arena_alloc(arena, len);
    if (p)
        memcpy(p, s, len);
    return p;
}

/* Store a respondent id; its reference in *ref.  false when out of memory
 * or out of references. */
static bool id_store_add(id_store_t *store, const char *id, uint32_t *ref)
{
    size_t len = strlen(id) + 1;
    if (store->n_blocks == 0 || store->size - store->used < len) {
        if (store->n_blocks == MAX_ID_BLOCKS)
            return false;
        if (store->n_blocks == store->cap_blocks) {
            size_t cap = store->cap_blocks ? store->cap_blocks * 2 : 16;
            char **grown = realloc(store->blocks, cap * sizeof *grown);
            if (!grown)
                return false;
            store->blocks = grown;
            store->cap_blocks = cap;
        }
        size_t size = len > ID_BLOCK ? len : ID_BLOCK;
        char *block = malloc(size);
        if (!block)
            return false;
        store->blocks[store->n_blocks++] = block;
        store->used = 0;
        store->size = size;
    }
    *ref = (uint32_t)((store->n_blocks - 1) << ID_OFFSET_BITS | store->used);
    memcpy(store->blocks[store->n_blocks - 1] + store->used, id, len);
    store->used += len;
    return true;
}

static const char *id_store_text(const id_store_t *store, uint32_t ref)
{
    return store->blocks[ref >> ID_OFFSET_BITS] + (ref & (ID_BLOCK - 1));
}

static void id_store_free(id_store_t *store)
{
    for (size_t b = 0; b < store->n_blocks; b++)
        free(store->blocks[b]);
    free(store->blocks);
    memset(store, 0, sizeof *store);
}

static uint32_t id_hash(const char *id)
{
    return g_str_hash(id);
}

/* The slot where linear probing for hash starts.  Exports number their
 * responses, and g_str_hash of consecutive ids differs by small steps: a
 * small odd multiplier keeps such ids in nearby slots (memory read in
 * order, not a cache miss per row) while the high bits, folded in, still
 * tell apart ids that differ early. */
static size_t id_set_start(const id_set_t *set, uint32_t hash)
{
    return (size_t)((hash ^ hash >> 16) * 11u) & set->mask;
}

static bool row_superseded(const dataset_t *ds, size_t r)
{
    return ds->superseded[r / 64] >> (r % 64) & 1;
}

static uint8_t id_set_tag(uint32_t hash)
{
    return (uint8_t)(1 + hash % 255);   /* the bytes' sum mod 255: next ids differ */
}

/* The text of what slot value stands for in the respondent or manager set. */
static inline const char *set_text(const dataset_t *ds, bool managers, uint32_t value)
{
    return managers ? ds->manager_ids[value] : id_store_text(&ds->ids, ds->respondent_of[value]);
}

/* The slot holding the id with this hash, or the free slot where it goes. */
static inline size_t set_find(const dataset_t *ds, const id_set_t *set, bool managers, uint32_t hash,
                              const char *id)
{
    uint8_t tag = id_set_tag(hash);
    for (size_t at = id_set_start(set, hash);; at = (at + 1) & set->mask) {
        if (set->tags[at] == 0)
            return at;
        if (set->tags[at] == tag && strcmp(set_text(ds, managers, set->rows[at]), id) == 0)
            return at;
    }
}

/* value into set, whose ids are all different from its id: the first free
 * slot from where its hash starts. */
static void set_put_new(id_set_t *set, uint32_t hash, uint32_t value)
{
    size_t at = id_set_start(set, hash);
    while (set->tags[at] != 0)
        at = (at + 1) & set->mask;
    set->tags[at] = id_set_tag(hash);
    set->rows[at] = value;
    set->used++;
}

static void set_free(id_set_t *set)
{
    free(set->tags);
    free(set->rows);
    memset(set, 0, sizeof *set);
}

/* The respondent set (managers false) or the manager set (true) built anew
 * with n_slots slots from what it stands for: the rows not superseded, or
 * every manager.  Slots keep no hash, so the ids are hashed again, in the
 * order of their rows (the ids' text lies in that order). */
static bool set_rebuild(dataset_t *ds, bool managers, size_t n_slots)
{
    id_set_t *set = managers ? &ds->manager_set : &ds->id_set;
    set_free(set);
    set->tags = calloc(n_slots, 1);
    set->rows = malloc(n_slots * sizeof *set->rows);
    set->mask = n_slots - 1;
    set->used = 0;
    if (!set->tags || !set->rows) {
        set_free(set);
        return false;
    }
    size_t n = managers ? ds->n_managers : ds->n_rows;
    for (size_t v = 0; v < n; v++)
        if (managers || !row_superseded(ds, v))
            set_put_new(set, id_hash(set_text(ds, managers, (uint32_t)v)), (uint32_t)v);
    return true;
}

/* Room in the set for one more id: it never gets more than 3/4 full. */
static bool set_reserve(dataset_t *ds, bool managers)
{
    const id_set_t *set = managers ? &ds->manager_set : &ds->id_set;
    if (set->tags && 4 * (set->used + 1) <= 3 * (set->mask + 1))
        return true;
    return set_rebuild(ds, managers, set->tags ? 2 * (set->mask + 1) : FIRST_ID_SLOTS);
}

dataset_t *dataset_new(void)
{
    dataset_t *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->column_index = g_hash_table_new(g_str_hash, g_str_equal);
    return ds;
}

void dataset_free(dataset_t *ds)
{
    if (!ds)
        return;
    org_free(ds->org);
    for (size_t c = 0; c < ds->n_columns; c++) {
        free(ds->columns[c].name);
        free(ds->columns[c].codes);
        free(ds->columns[c].values);
    }
    free(ds->columns);
    for (size_t s = 0; s < ds->n_scales; s++) {
        free(ds->scales[s].name);
        free(ds->scales[s].items);
        free(ds->scales[s].reverse);
    }
    free(ds->scales);
    free(ds->respondent_of);
    free(ds->manager_of);
    free(ds->file_runs.runs);
    free(ds->line_runs.runs);
    free(ds->superseded);
    id_store_free(&ds->ids);
    set_free(&ds->id_set);
    free(ds->manager_ids);
    free(ds->manager_units);
    if (ds->silent_teams)
        g_array_free(ds->silent_teams, TRUE);
    set_free(&ds->manager_set);
    if (ds->column_index)
        g_hash_table_destroy(ds->column_index);
    arena_free(&ds->arena);
    arena_free(&ds->manager_arena);
    free(ds);
}

static engage_status_t no_memory(engage_error_t *err)
{
    return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
}

engage_status_t dataset_add_column(dataset_t *ds, const char *name, size_t *index)
{
    gpointer found = g_hash_table_lookup(ds->column_index, name);
    if (found) {
        *index = GPOINTER_TO_SIZE(found) - 1;
        return ENGAGE_OK;
    }
    if (ds->n_rows > 0)
        return engage_fail(NULL, ENGAGE_EDATA, NULL, 0, "columns are fixed once rows exist");
    if (ds->n_columns == ds->cap_columns) {
        size_t cap = ds->cap_columns ? ds->cap_columns * 2 : 16;
        column_t *grown = realloc(ds->columns, cap * sizeof *grown);
        if (!grown)
            return no_memory(NULL);
        ds->columns = grown;
        ds->cap_columns = cap;
    }
    column_t *col = &ds->columns[ds->n_columns];
    memset(col, 0, sizeof *col);
    col->name = strdup(name);
    if (!col->name)
        return no_memory(NULL);
    for (int i = 0; i < 256; i++)
        col->code_of_small_int[i] = -1;
    col->table[CODE_MISSING] = NAN;
    col->coded = true;
    *index = ds->n_columns++;
    g_hash_table_insert(ds->column_index, col->name, GSIZE_TO_POINTER(*index + 1));
    return ENGAGE_OK;
}

engage_status_t dataset_add_scale(dataset_t *ds, const dataset_scale_t *scale)
{
    dataset_scale_t *grown = realloc(ds->scales, (ds->n_scales + 1) * sizeof *grown);
    if (!grown)
        return no_memory(NULL);
    ds->scales = grown;
    dataset_scale_t *s = &ds->scales[ds->n_scales];
    *s = *scale;
    s->name = strdup(scale->name);
    s->items = malloc((scale->n_items ? scale->n_items : 1) * sizeof *s->items);
    s->reverse = malloc((scale->n_items ? scale->n_items : 1) * sizeof *s->reverse);
    if (!s->name || !s->items || !s->reverse) {
        free(s->name);
        free(s->items);
        free(s->reverse);
        return no_memory(NULL);
    }
    memcpy(s->items, scale->items, scale->n_items * sizeof *s->items);
    memcpy(s->reverse, scale->reverse, scale->n_items * sizeof *s->reverse);
    ds->n_scales++;
    return ENGAGE_OK;
}

/* Convert a coded column to doubles, keeping cap_rows slots. */
static engage_status_t column_to_doubles(column_t *col, size_t n_rows, size_t cap_rows)
{
    double *values = malloc((cap_rows ? cap_rows : 1) * sizeof *values);
    if (!values)
        return ENGAGE_ENOMEM;
    for (size_t r = 0; r < n_rows; r++)
        values[r] = col->table[col->codes[r]];
    free(col->codes);
    col->codes = NULL;
    col->coded = false;
    col->values = values;
    return ENGAGE_OK;
}

/* Code of a value in a coded column, adding it to the table; -1 when full. */
static int column_code(column_t *col, double v)
{
    bool small_int = v >= -128 && v <= 127 && (double)(int)v == v;
    if (small_int) {
        int16_t code = col->code_of_small_int[(int)v + SMALL_INT_BIAS];
        if (code >= 0)
            return code;
    } else {
        for (size_t i = 0; i < col->n_table; i++)
            if (col->table[i] == v)
                return (int)i;
    }
    if (col->n_table == MAX_CODES)
        return -1;
    col->table[col->n_table] = v == 0 ? 0.0 : v;
    if (small_int)
        col->code_of_small_int[(int)v + SMALL_INT_BIAS] = (int16_t)col->n_table;
    return (int)col->n_table++;
}

/* Room for cap rows (a multiple of 64, more than cap_rows). */
static engage_status_t grow_rows_to(dataset_t *ds, size_t cap)
{
#define GROW(field)                                                        \
    do {                                                                   \
        void *p = realloc((void *)ds->field, cap * sizeof *ds->field);     \
        if (!p)                                                            \
            return ENGAGE_ENOMEM;                                          \
        ds->field = p;                                                     \
    } while (0)
    GROW(respondent_of);
    GROW(manager_of);
    size_t words = ds->cap_rows / 64, new_words = cap / 64;
    uint64_t *bits = realloc(ds->superseded, new_words * sizeof *bits);
    if (!bits)
        return ENGAGE_ENOMEM;
    memset(bits + words, 0, (new_words - words) * sizeof *bits);
    ds->superseded = bits;
    for (size_t c = 0; c < ds->n_columns; c++) {
        column_t *col = &ds->columns[c];
        if (col->coded) {
            void *p = realloc(col->codes, cap);
            if (!p)
                return ENGAGE_ENOMEM;
            col->codes = p;
        } else {
            void *p = realloc(col->values, cap * sizeof *col->values);
            if (!p)
                return ENGAGE_ENOMEM;
            col->values = p;
        }
    }
#undef GROW
    ds->cap_rows = cap;
#ifdef __GLIBC__
    /* a column grown in the heap leaves its old copy there as a free
     * chunk: at this size its pages go back rather than stay resident */
    if (cap >= TRIM_ROWS)
        malloc_trim(0);
#endif
    return ENGAGE_OK;
}

static engage_status_t grow_rows(dataset_t *ds)
{
    return grow_rows_to(ds, ds->cap_rows ? ds->cap_rows * 2 : 1024);
}

engage_status_t dataset_expect_rows(dataset_t *ds, size_t n)
{
    if (ds->finished || n > UINT32_MAX - 1)
        return ENGAGE_OK;   /* nothing more to add, or more than rows can be */
    /* an eighth more rows than said: room not touched takes no memory */
    size_t cap = (n + n / 8 + 63) / 64 * 64;
    if (cap > ds->cap_rows && grow_rows_to(ds, cap) != ENGAGE_OK)
        return ENGAGE_ENOMEM;
    /* the slots set_reserve would have grown to by the n-th id */
    size_t slots = ds->id_set.tags ? ds->id_set.mask + 1 : FIRST_ID_SLOTS;
    while (4 * n > 3 * slots)
        slots *= 2;
    if (ds->id_set.tags && slots == ds->id_set.mask + 1)
        return ENGAGE_OK;
    return set_rebuild(ds, false, slots) ? ENGAGE_OK : ENGAGE_ENOMEM;
}

static engage_status_t intern_manager(dataset_t *ds, const char *id, uint32_t *index)
{
    /* Exports often list a team's rows together: try the last one first. */
    if (ds->n_rows && strcmp(ds->manager_ids[ds->manager_of[ds->n_rows - 1]], id) == 0) {
        *index = ds->manager_of[ds->n_rows - 1];
        return ENGAGE_OK;
    }
    if (!set_reserve(ds, true))
        return ENGAGE_ENOMEM;
    uint32_t hash = id_hash(id);
    id_set_t *set = &ds->manager_set;
    size_t at = set_find(ds, set, true, hash, id);
    if (set->tags[at] != 0) {
        *index = set->rows[at];
        return ENGAGE_OK;
    }
    if (ds->n_managers == UINT32_MAX - 1)
        return ENGAGE_ENOMEM;
    if (ds->n_managers == ds->cap_managers) {
        size_t cap = ds->cap_managers ? ds->cap_managers * 2 : 256;
        const char **p = realloc(ds->manager_ids, cap * sizeof *p);
        if (!p)
            return ENGAGE_ENOMEM;
        ds->manager_ids = p;
        ds->cap_managers = cap;
    }
    const char *copy = arena_strdup(&ds->manager_arena, id);
    if (!copy)
        return ENGAGE_ENOMEM;
    ds->manager_ids[ds->n_managers] = copy;
    set->tags[at] = id_set_tag(hash);
    set->rows[at] = (uint32_t)ds->n_managers;
    set->used++;
    *index = (uint32_t)ds->n_managers++;
    return ENGAGE_OK;
}

/* The run that holds row r (runs->n >= 1). */
static const row_run_t *run_of_row(const runs_t *runs, size_t r)
{
    size_t lo = 0, hi = runs->n; /* the run is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (runs->runs[mid].first_row <= r)
            lo = mid;
        else
            hi = mid;
    }
    return &runs->runs[lo];
}

/* From run at, the run that holds row r, for rows visited in order. */
static size_t run_advance(const runs_t *runs, size_t at, size_t r)
{
    while (at + 1 < runs->n && runs->runs[at + 1].first_row <= r)
        at++;
    return at;
}

/* A run starting at row r; false when out of memory. */
static bool runs_push(runs_t *runs, size_t r, uint32_t value)
{
    if (runs->n == runs->cap) {
        size_t cap = runs->cap ? 2 * runs->cap : 4;
        row_run_t *p = realloc(runs->runs, cap * sizeof *p);
        if (!p)
            return false;
        runs->runs = p;
        runs->cap = cap;
    }
    runs->runs[runs->n++] = (row_run_t){(uint32_t)r, value};
    return true;
}

/* The file row r came from. */
static uint32_t file_of_row(const dataset_t *ds, size_t r)
{
    return run_of_row(&ds->file_runs, r)->value;
}

/* Row r (the next one) comes from file; false when out of memory. */
static bool note_file(dataset_t *ds, size_t r, uint32_t file)
{
    const runs_t *runs = &ds->file_runs;
    if (runs->n && runs->runs[runs->n - 1].value == file)
        return true;
    return runs_push(&ds->file_runs, r, file);
}

/* The line of row r of a line run (r at or after the run's first row). */
static uint32_t line_in_run(const row_run_t *run, size_t r)
{
    return run->value ? run->value + (uint32_t)(r - run->first_row) : 0;
}

/* The line of row r (0 when not known or no longer kept). */
static uint32_t line_of_row(const dataset_t *ds, size_t r)
{
    return ds->line_runs.n ? line_in_run(run_of_row(&ds->line_runs, r), r) : 0;
}

/* Row r (the next one) is on line (0: not known); false when out of
 * memory.  A row on the line after the last row's adds nothing. */
static bool note_line(dataset_t *ds, size_t r, uint32_t line)
{
    const runs_t *runs = &ds->line_runs;
    if (runs->n && line_in_run(&runs->runs[runs->n - 1], r) == line)
        return true;
    return runs_push(&ds->line_runs, r, line);
}

/* Drop the superseded rows, keeping the order of the others (the id set,
 * while there is one, is rebuilt by the caller); the file and line runs are
 * noted again for the kept rows. */
static engage_status_t drop_superseded_rows(dataset_t *ds)
{
    runs_t old_files = ds->file_runs, old_lines = ds->line_runs;
    ds->file_runs = ds->line_runs = (runs_t){0};
    size_t kept = 0, file_run = 0, line_run = 0;
    bool ok = true;
    for (size_t r = 0; r < ds->n_rows; r++) {
        file_run = run_advance(&old_files, file_run, r);
        line_run = run_advance(&old_lines, line_run, r);
        if (row_superseded(ds, r))
            continue;
        ok = note_file(ds, kept, old_files.runs[file_run].value) &&
             note_line(ds, kept, line_in_run(&old_lines.runs[line_run], r));
        if (!ok)
            break;
        if (kept != r) {
            ds->respondent_of[kept] = ds->respondent_of[r];
            ds->manager_of[kept] = ds->manager_of[r];
            for (size_t c = 0; c < ds->n_columns; c++) {
                column_t *col = &ds->columns[c];
                if (col->coded)
                    col->codes[kept] = col->codes[r];
                else
                    col->values[kept] = col->values[r];
            }
        }
        kept++;
    }
    free(old_files.runs);
    free(old_lines.runs);
    if (!ok)
        return ENGAGE_ENOMEM;
    if (ds->superseded)
        memset(ds->superseded, 0, ds->cap_rows / 64 * sizeof *ds->superseded);
    ds->n_rows = kept;
    ds->n_superseded = 0;
    return ENGAGE_OK;
}

/* While rows are added: drop the managers no kept row names, when they are
 * half of them, copying the others into a new arena. */
static engage_status_t drop_unused_managers(dataset_t *ds)
{
    size_t n = ds->n_managers;
    uint32_t *renumber = malloc((n ? n : 1) * sizeof *renumber);
    if (!renumber)
        return ENGAGE_ENOMEM;
    for (size_t m = 0; m < n; m++)
        renumber[m] = UINT32_MAX;
    size_t used = 0;
    for (size_t r = 0; r < ds->n_rows; r++)
        if (renumber[ds->manager_of[r]] == UINT32_MAX) {
            renumber[ds->manager_of[r]] = 0;
            used++;
        }
    if (n - used < COMPACT_MANAGERS || 2 * (n - used) < n) {
        free(renumber);
        return ENGAGE_OK;
    }
    arena_block_t *arena = NULL;
    const char **ids = malloc((used ? used : 1) * sizeof *ids);
    size_t next = 0;
    for (size_t m = 0; ids && m < n; m++) {
        if (renumber[m] == UINT32_MAX)
            continue;
        if (!(ids[next] = arena_strdup(&arena, ds->manager_ids[m])))
            break;
        renumber[m] = (uint32_t)next++;
    }
    if (!ids || next != used) {
        arena_free(&arena);
        free(ids);
        free(renumber);
        return ENGAGE_ENOMEM;
    }
    for (size_t r = 0; r < ds->n_rows; r++)
        ds->manager_of[r] = renumber[ds->manager_of[r]];
    free(renumber);
    memcpy(ds->manager_ids, ids, used * sizeof *ids);
    free(ids);
    ds->n_managers = next;
    arena_free(&ds->manager_arena);
    ds->manager_arena = arena;
    return set_rebuild(ds, true, ds->manager_set.mask + 1) ? ENGAGE_OK : ENGAGE_ENOMEM;
}

engage_status_t dataset_add_row(dataset_t *ds, const char *respondent_id, const char *manager_id,
                                const double *values, size_t file, long line,
                                size_t *superseded_file, long *superseded_line)
{
    if (superseded_file)
        *superseded_file = SIZE_MAX;
    if (superseded_line)
        *superseded_line = 0;
    if (ds->finished)
        return ENGAGE_ENOMEM;
    /* Rows that later ones replaced take no room for long. */
    if (ds->n_superseded >= COMPACT_ROWS && 2 * ds->n_superseded >= ds->n_rows) {
        if (drop_superseded_rows(ds) != ENGAGE_OK)
            return ENGAGE_ENOMEM;
        if (!set_rebuild(ds, false, ds->id_set.mask + 1) || drop_unused_managers(ds) != ENGAGE_OK)
            return ENGAGE_ENOMEM;
    }
    if (ds->n_rows >= UINT32_MAX - 1)
        return ENGAGE_ENOMEM;
    if (ds->n_rows == ds->cap_rows && grow_rows(ds) != ENGAGE_OK)
        return ENGAGE_ENOMEM;
    size_t r = ds->n_rows;
    if (!note_file(ds, r, (uint32_t)file) ||
        !note_line(ds, r, line > 0 && line < (long)UINT32_MAX ? (uint32_t)line : 0))
        return ENGAGE_ENOMEM;

    uint32_t manager;
    if (intern_manager(ds, manager_id, &manager) != ENGAGE_OK)
        return ENGAGE_ENOMEM;

    for (size_t c = 0; c < ds->n_columns; c++) {
        column_t *col = &ds->columns[c];
        double v = values[c];
        if (col->coded) {
            if (isnan(v)) {
                col->codes[r] = CODE_MISSING;
                continue;
            }
            int code = column_code(col, v);
            if (code >= 0) {
                col->codes[r] = (uint8_t)code;
                continue;
            }
            if (column_to_doubles(col, r, ds->cap_rows) != ENGAGE_OK)
                return ENGAGE_ENOMEM;
        }
        col->values[r] = v;
    }

    /* A new id is stored once; a repeated one names the string stored
     * first, and its slot moves on to this row. */
    if (!set_reserve(ds, false))
        return ENGAGE_ENOMEM;
    uint32_t hash = id_hash(respondent_id);
    id_set_t *set = &ds->id_set;
    size_t at = set_find(ds, set, false, hash, respondent_id);
    if (set->tags[at] == 0) {
        if (!id_store_add(&ds->ids, respondent_id, &ds->respondent_of[r]))
            return ENGAGE_ENOMEM;
        set->tags[at] = id_set_tag(hash);
        set->used++;
    } else {
        size_t earlier = set->rows[at];
        if (superseded_file)
            *superseded_file = file_of_row(ds, earlier);
        if (superseded_line)
            *superseded_line = line_of_row(ds, earlier);
        ds->respondent_of[r] = ds->respondent_of[earlier];
        ds->superseded[earlier / 64] |= (uint64_t)1 << (earlier % 64);
        ds->n_superseded++;
    }
    set->rows[at] = (uint32_t)r;
    ds->manager_of[r] = manager;
    ds->n_rows++;
    return ENGAGE_OK;
}

static int compare_manager_ids(const void *a, const void *b, void *ids)
{
    const char *const *names = ids;
    return strcmp(names[*(const uint32_t *)a], names[*(const uint32_t *)b]);
}

engage_status_t dataset_finish(dataset_t *ds)
{
    if (ds->finished)
        return ENGAGE_OK;
    /* no row comes after this: the id set and the manager index go before
     * the renumbering's own arrays are taken */
    set_free(&ds->id_set);
    set_free(&ds->manager_set);
    if (drop_superseded_rows(ds) != ENGAGE_OK)
        return ENGAGE_ENOMEM;

    /* Renumber managers in byte order of their ids. */
    uint32_t *order = malloc((ds->n_managers ? ds->n_managers : 1) * sizeof *order);
    uint32_t *rank = malloc((ds->n_managers ? ds->n_managers : 1) * sizeof *rank);
    const char **sorted = malloc((ds->n_managers ? ds->n_managers : 1) * sizeof *sorted);
    if (!order || !rank || !sorted) {
        free(order);
        free(rank);
        free(sorted);
        return ENGAGE_ENOMEM;
    }
    for (size_t m = 0; m < ds->n_managers; m++)
        order[m] = (uint32_t)m;
    qsort_r(order, ds->n_managers, sizeof *order, compare_manager_ids, ds->manager_ids);
    for (size_t i = 0; i < ds->n_managers; i++) {
        rank[order[i]] = (uint32_t)i;
        sorted[i] = ds->manager_ids[order[i]];
    }
    for (size_t r = 0; r < ds->n_rows; r++)
        ds->manager_of[r] = rank[ds->manager_of[r]];
    free(ds->manager_ids);
    ds->manager_ids = sorted;
    ds->cap_managers = ds->n_managers;
    free(order);
    free(rank);

    /* Managers whose every row was superseded disappear. */
    bool *used = calloc(ds->n_managers ? ds->n_managers : 1, sizeof *used);
    if (!used)
        return ENGAGE_ENOMEM;
    for (size_t r = 0; r < ds->n_rows; r++)
        used[ds->manager_of[r]] = true;
    size_t n_used = 0;
    uint32_t *renumber = malloc((ds->n_managers ? ds->n_managers : 1) * sizeof *renumber);
    if (!renumber) {
        free(used);
        return ENGAGE_ENOMEM;
    }
    for (size_t m = 0; m < ds->n_managers; m++) {
        renumber[m] = (uint32_t)n_used;
        if (used[m])
            ds->manager_ids[n_used++] = ds->manager_ids[m];
    }
    if (n_used != ds->n_managers)
        for (size_t r = 0; r < ds->n_rows; r++)
            ds->manager_of[r] = renumber[ds->manager_of[r]];
    ds->n_managers = n_used;
    free(used);
    free(renumber);

    ds->finished = true;
    return ENGAGE_OK;
}

size_t dataset_n_columns(const dataset_t *ds) { return ds->n_columns; }
const char *dataset_column_name(const dataset_t *ds, size_t column) { return ds->columns[column].name; }
size_t dataset_n_scales(const dataset_t *ds) { return ds->n_scales; }
const dataset_scale_t *dataset_scale(const dataset_t *ds, size_t scale) { return &ds->scales[scale]; }
size_t dataset_n_respondents(const dataset_t *ds) { return ds->n_rows; }
const char *dataset_respondent_id(const dataset_t *ds, size_t respondent)
{
    return ds->respondent_of ? id_store_text(&ds->ids, ds->respondent_of[respondent]) : NULL;
}

void dataset_forget_respondents(dataset_t *ds)
{
    if (!ds->finished)
        return;
    id_store_free(&ds->ids);
    free(ds->respondent_of);
    free(ds->line_runs.runs);
    ds->respondent_of = NULL;
    ds->line_runs = (runs_t){0};
#ifdef __GLIBC__
    /* the ids, the id set and the row arrays' grown-out copies are free
     * chunks of the heap now: their pages go back to the system */
    malloc_trim(0);
#endif
}

void dataset_forget_answers(dataset_t *ds)
{
    for (size_t c = 0; c < ds->n_columns; c++) {
        free(ds->columns[c].codes);
        free(ds->columns[c].values);
        ds->columns[c].codes = NULL;
        ds->columns[c].values = NULL;
    }
    free(ds->manager_of);
    ds->manager_of = NULL;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
size_t dataset_respondent_file(const dataset_t *ds, size_t respondent) { return file_of_row(ds, respondent); }
long dataset_respondent_line(const dataset_t *ds, size_t respondent)
{
    return line_of_row(ds, respondent);
}
size_t dataset_n_managers(const dataset_t *ds) { return ds->n_managers; }
const char *dataset_manager_id(const dataset_t *ds, size_t manager) { return ds->manager_ids[manager]; }
size_t dataset_manager_of(const dataset_t *ds, size_t respondent) { return ds->manager_of[respondent]; }

double dataset_value(const dataset_t *ds, size_t respondent, size_t column)
{
    const column_t *col = &ds->columns[column];
    return col->coded ? col->table[col->codes[respondent]] : col->values[respondent];
}

void dataset_column_read(const dataset_t *ds, size_t column, size_t first, size_t count, double *out)
{
    const column_t *col = &ds->columns[column];
    if (col->coded) {
        const uint8_t *codes = col->codes + first;
        for (size_t i = 0; i < count; i++)
            out[i] = col->table[codes[i]];
    } else {
        memcpy(out, col->values + first, count * sizeof *out);
    }
}

const uint8_t *dataset_column_codes(const dataset_t *ds, size_t column, const double **table)
{
    const column_t *col = &ds->columns[column];
    *table = col->coded ? col->table : NULL;
    return col->coded ? col->codes : NULL;
}

bool dataset_column_in_halves(const dataset_t *ds, size_t column, double *largest)
{
    const column_t *col = &ds->columns[column];
    const double *v = col->coded ? col->table : col->values;
    size_t n = col->coded ? col->n_table : ds->n_rows;
    bool halves = true;
    *largest = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        double twice = 2.0 * v[i];
        halves = halves && twice == nearbyint(twice);
        if (fabs(v[i]) > *largest)
            *largest = fabs(v[i]);
    }
    return halves;
}

engage_status_t dataset_set_manager_unit(dataset_t *ds, size_t manager, const char *unit)
{
    if (!ds->manager_units) {
        ds->manager_units = calloc(ds->n_managers ? ds->n_managers : 1, sizeof *ds->manager_units);
        if (!ds->manager_units)
            return ENGAGE_ENOMEM;
    }
    size_t len = strlen(unit) + 1;
    char *copy = arena_alloc(&ds->arena, len);
    if (!copy)
        return ENGAGE_ENOMEM;
    memcpy(copy, unit, len);
    ds->manager_units[manager] = copy;
    return ENGAGE_OK;
}

bool dataset_has_units(const dataset_t *ds)
{
    return ds->manager_units != NULL;
}

const char *dataset_manager_unit(const dataset_t *ds, size_t manager)
{
    return ds->manager_units ? ds->manager_units[manager] : NULL;
}

engage_status_t dataset_add_silent_team(dataset_t *ds, const char *unit, size_t invited)
{
    size_t len = strlen(unit) + 1;
    char *copy = arena_alloc(&ds->arena, len);
    if (!copy)
        return ENGAGE_ENOMEM;
    memcpy(copy, unit, len);
    if (!ds->silent_teams)
        ds->silent_teams = g_array_new(FALSE, FALSE, sizeof(silent_team_t));
    silent_team_t team = { copy, invited };
    g_array_append_val(ds->silent_teams, team);
    return ENGAGE_OK;
}

size_t dataset_n_silent_teams(const dataset_t *ds)
{
    return ds->silent_teams ? ds->silent_teams->len : 0;
}

const char *dataset_silent_team_unit(const dataset_t *ds, size_t team)
{
    return g_array_index(ds->silent_teams, silent_team_t, team).unit;
}

size_t dataset_silent_team_invited(const dataset_t *ds, size_t team)
{
    return g_array_index(ds->silent_teams, silent_team_t, team).invited;
}

void dataset_set_org(dataset_t *ds, org_t *org)
{
    org_free(ds->org);
    ds->org = org;
}

const org_t *dataset_org(const dataset_t *ds)
{
    return ds->org;
}
