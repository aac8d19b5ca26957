/*
 * report/verify.c — reads manifest.json with jansson and hashes the files
 * it names (see verify.h).
 *
 * Only what a check needs is read: the arguments, the folder the run was
 * made in, the config text, the path and SHA-256 of each input and the
 * SHA-256 of each output.  An input is looked for by its hash in the places
 * verify.h lists; a file reached twice (the same device and inode) is
 * hashed once.  A document without version, arguments, inputs
 * and outputs of engage's shape is not an engage manifest.  A
 * manifest written by another version of engage is read all the same; the
 * caller decides what a different version means.
 */
#include "verify.h"

#include <fts.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/digest.h"
#include "../core/progress.h"

static bool is_sha256(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static engage_status_t not_a_manifest(const verify_manifest_t *m, const char *what, engage_error_t *err)
{
    engage_fail(err, ENGAGE_EDATA, m->path, 0, "not an engage manifest: %s", what);
    return ENGAGE_EDATA;
}

static bool add_file(verify_file_t **files, size_t *n, const char *path, const char *sha256, const char *role)
{
    verify_file_t *grown = realloc(*files, (*n + 1) * sizeof *grown);
    if (!grown)
        return false;
    *files = grown;
    verify_file_t *f = &grown[*n];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->expected = strdup(sha256);
    f->role = role;
    if (!f->path || !f->expected) {
        free(f->path);
        free(f->expected);
        return false;
    }
    (*n)++;
    return true;
}

/* One input object {"path": ..., "sha256": ...}. */
static engage_status_t read_input(verify_manifest_t *m, json_t *o, const char *role, engage_error_t *err)
{
    const char *path = json_string_value(json_object_get(o, "path"));
    const char *sha = json_string_value(json_object_get(o, "sha256"));
    if (!path || !is_sha256(sha))
        return not_a_manifest(m, "an input without a path and SHA-256", err);
    if (!add_file(&m->inputs, &m->n_inputs, path, sha, role))
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    return ENGAGE_OK;
}

static engage_status_t read_inputs(verify_manifest_t *m, json_t *list, const char *role, engage_error_t *err)
{
    if (!list)
        return ENGAGE_OK;
    if (!json_is_array(list))
        return not_a_manifest(m, "inputs is not a list", err);
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        engage_status_t st = read_input(m, o, role, err);
        if (st != ENGAGE_OK)
            return st;
    }
    return ENGAGE_OK;
}

static engage_status_t read_document(verify_manifest_t *m, json_t *root, engage_error_t *err)
{
    const char *version = json_string_value(json_object_get(root, "version"));
    json_t *arguments = json_object_get(root, "arguments");
    json_t *outputs = json_object_get(root, "outputs");
    json_t *inputs = json_object_get(root, "inputs");
    if (!version || !json_is_array(arguments) || !json_is_array(inputs) || !json_is_object(outputs))
        return not_a_manifest(m, "it lacks version, arguments, inputs or outputs", err);
    m->version = strdup(version);
    m->n_arguments = json_array_size(arguments);
    m->arguments = calloc(m->n_arguments + 1, sizeof *m->arguments);
    if (!m->version || !m->arguments)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < m->n_arguments; i++) {
        const char *a = json_string_value(json_array_get(arguments, i));
        if (!a)
            return not_a_manifest(m, "an argument is not text", err);
        if (!(m->arguments[i] = strdup(a)))
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    json_t *directory = json_object_get(root, "directory");
    if (directory && (!json_is_string(directory) || json_string_value(directory)[0] != '/'))
        return not_a_manifest(m, "directory is not an absolute path", err);
    if (directory) {
        /* Where relative paths resolve: the run's folder, while it exists. */
        struct stat info;
        char **slot = stat(json_string_value(directory), &info) == 0 && S_ISDIR(info.st_mode)
                          ? &m->directory : &m->directory_gone;
        if (!(*slot = strdup(json_string_value(directory))))
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    const char *config_path = json_string_value(json_object_get(json_object_get(root, "config"), "path"));
    const char *config_text = json_string_value(json_object_get(root, "config_text"));
    if (config_path && config_text) {
        m->config_path = strdup(config_path);
        m->config_text = strdup(config_text);
        if (!m->config_path || !m->config_text)
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    if (m->config_text) {
        /* The config file is an input too: its text as archived. */
        digest_t *d = digest_new();
        char sha[65];
        if (!d)
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        digest_update(d, m->config_text, strlen(m->config_text));
        digest_hex(d, sha);
        digest_free(d);
        if (!add_file(&m->inputs, &m->n_inputs, m->config_path, sha, "config"))
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    engage_status_t st = read_inputs(m, inputs, "input", err);
    if (st == ENGAGE_OK)
        st = read_inputs(m, json_object_get(root, "previous"), "previous", err);
    /* a history's earlier waves (its last two are inputs and previous) */
    json_t *waves = json_object_get(root, "waves");
    if (st == ENGAGE_OK && waves && !json_is_array(waves))
        st = not_a_manifest(m, "waves is not a list", err);
    for (size_t w = 0; st == ENGAGE_OK && waves && w + 2 < json_array_size(waves); w++)
        st = read_inputs(m, json_object_get(json_array_get(waves, w), "inputs"), "wave", err);
    /* each wave's own roster ([rosters]), the last two's too */
    for (size_t w = 0; st == ENGAGE_OK && waves && w < json_array_size(waves); w++) {
        json_t *own = json_object_get(json_array_get(waves, w), "roster");
        if (own)
            st = read_input(m, own, "wave roster", err);
    }
    json_t *roster = json_object_get(root, "roster");
    if (st == ENGAGE_OK && roster)
        st = read_input(m, roster, "roster", err);
    if (st != ENGAGE_OK)
        return st;
    const char *name;
    json_t *sha;
    json_object_foreach(outputs, name, sha) {
        if (!is_sha256(json_string_value(sha)) || strchr(name, '/') || strcmp(name, "..") == 0)
            return not_a_manifest(m, "an output without a SHA-256", err);
        if (!add_file(&m->outputs, &m->n_outputs, name, json_string_value(sha), "output"))
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    json_t *analyst = json_object_get(root, "analyst_only");
    if (analyst && !json_is_array(analyst))
        return not_a_manifest(m, "analyst_only is not a list", err);
    m->analyst_only = calloc(json_array_size(analyst) + 1, sizeof *m->analyst_only);
    if (!m->analyst_only)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    size_t i;
    json_t *entry;
    json_array_foreach(analyst, i, entry) {
        const char *file = json_string_value(entry);
        if (!file || !*file || strchr(file, '/') || strcmp(file, "..") == 0)
            return not_a_manifest(m, "an analyst-only output that is not a file name", err);
        if (!(m->analyst_only[m->n_analyst_only] = strdup(file)))
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        m->n_analyst_only++;
    }
    return ENGAGE_OK;
}

engage_status_t verify_load(const char *path, verify_manifest_t *m, engage_error_t *err)
{
    memset(m, 0, sizeof *m);
    struct stat info;
    if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
        size_t size = strlen(path) + sizeof "/manifest.json";
        m->path = malloc(size);
        if (m->path)
            snprintf(m->path, size, "%s/manifest.json", path);
    } else {
        m->path = strdup(path);
    }
    if (!m->path)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    const char *slash = strrchr(m->path, '/');
    m->dir = slash ? strndup(m->path, (size_t)(slash - m->path)) : strdup(".");
    if (!m->dir)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    json_error_t jerr;
    json_t *root = json_load_file(m->path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        FILE *probe = fopen(m->path, "r");
        if (!probe)
            return engage_fail(err, ENGAGE_ENOINPUT, m->path, 0, "cannot open the manifest");
        fclose(probe);
        return engage_fail(err, ENGAGE_EDATA, m->path, jerr.line > 0 ? jerr.line : 0, "not valid JSON: %s",
                           jerr.text);
    }
    engage_status_t st = json_is_object(root) ? read_document(m, root, err)
                                              : not_a_manifest(m, "not a JSON object", err);
    json_decref(root);
    return st;
}

static void hash_one(verify_file_t *f, const char *path)
{
    struct stat st;
    bool folder = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    if (!(folder ? digest_folder(path, f->actual) : digest_file(path, f->actual, NULL))) {
        f->actual[0] = '\0';
        f->state = VERIFY_MISSING;
        return;
    }
    f->state = strcmp(f->actual, f->expected) == 0 ? VERIFY_SAME : VERIFY_CHANGED;
}

/* The search for one input: the files looked at so far. */
typedef struct {
    verify_file_t *f;
    struct stat *seen;
    size_t n_seen;
    bool done;                 /* found with the recorded hash */
} search_t;

/* Look at one candidate: true when it is the input. */
static bool try_candidate(search_t *s, const char *path, bool recorded)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!recorded && !S_ISREG(st.st_mode))
            return false;
        for (size_t i = 0; i < s->n_seen; i++)
            if (s->seen[i].st_dev == st.st_dev && s->seen[i].st_ino == st.st_ino)
                return false;
        struct stat *grown = realloc(s->seen, (s->n_seen + 1) * sizeof *grown);
        if (grown) {
            s->seen = grown;
            s->seen[s->n_seen++] = st;
        }
    } else if (!recorded) {
        return false;
    }
    char hex[65];
    progress_stage("checking %s", path);
    if (!digest_file(path, hex, NULL))
        return false;
    verify_file_t *f = s->f;
    bool same = strcmp(hex, f->expected) == 0;
    if (same || f->state == VERIFY_MISSING) {
        /* the input, or the first file that is there under its name */
        memcpy(f->actual, hex, sizeof f->actual);
        f->state = same ? VERIFY_SAME : VERIFY_CHANGED;
        free(f->found);
        f->found = recorded ? NULL : strdup(path);
    }
    s->done = same;
    return same;
}

static int by_name(const FTSENT **a, const FTSENT **b)
{
    return strcmp((*a)->fts_name, (*b)->fts_name);
}

/* Every file called name below dir, until the input is found. */
static void search_below(search_t *s, const char *dir, const char *name)
{
    char *roots[] = { (char *)dir, NULL };
    FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, by_name);
    if (!fts)
        return;
    FTSENT *e;
    while (!s->done && (e = fts_read(fts)) != NULL)
        if ((e->fts_info == FTS_F || e->fts_info == FTS_SL) && strcmp(e->fts_name, name) == 0)
            try_candidate(s, e->fts_path, false);
    fts_close(fts);
}

char *verify_join(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *joined = malloc(size);
    if (joined)
        snprintf(joined, size, "%s/%s", dir, name);
    return joined;
}

/* One input, in the places verify.h lists. */
static void find_input(const verify_manifest_t *m, verify_file_t *f, const char *search_dir)
{
    f->actual[0] = '\0';
    f->state = VERIFY_MISSING;
    free(f->found);
    f->found = NULL;
    search_t s = { .f = f };
    char *recorded = verify_input_path(m, f->path);
    if (recorded)
        try_candidate(&s, recorded, true);
    free(recorded);
    const char *slash = strrchr(f->path, '/');
    const char *name = slash ? slash + 1 : f->path;
    if (strcmp(f->path, "-") != 0 && name[0] && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
        char *beside = s.done ? NULL : verify_join(m->dir, name);
        if (beside)
            try_candidate(&s, beside, false);
        free(beside);
        char *in_dir = s.done || !search_dir ? NULL : verify_join(search_dir, name);
        if (in_dir)
            try_candidate(&s, in_dir, false);
        free(in_dir);
        if (!s.done && search_dir)
            search_below(&s, search_dir, name);
    }
    free(s.seen);
}

char *verify_input_path(const verify_manifest_t *m, const char *path)
{
    if (path[0] == '/' || !m->directory)
        return strdup(path);
    size_t size = strlen(m->directory) + strlen(path) + 2;
    char *joined = malloc(size);
    if (joined)
        snprintf(joined, size, "%s/%s", m->directory, path);
    return joined;
}

void verify_inputs(verify_manifest_t *m, const char *search_dir)
{
    for (size_t i = 0; i < m->n_inputs; i++)
        find_input(m, &m->inputs[i], search_dir);
}

void verify_outputs(verify_manifest_t *m, const char *dir)
{
    for (size_t i = 0; i < m->n_outputs; i++) {
        size_t size = strlen(dir) + strlen(m->outputs[i].path) + 2;
        char *path = malloc(size);
        if (!path) {
            m->outputs[i].state = VERIFY_MISSING;
            continue;
        }
        snprintf(path, size, "%s/%s", dir, m->outputs[i].path);
        hash_one(&m->outputs[i], path);
        free(path);
    }
}

static void free_files(verify_file_t *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i].path);
        free(files[i].expected);
        free(files[i].found);
    }
    free(files);
}

void verify_fini(verify_manifest_t *m)
{
    free(m->path);
    free(m->dir);
    free(m->version);
    for (size_t i = 0; m->arguments && i < m->n_arguments; i++)
        free(m->arguments[i]);
    free(m->arguments);
    free(m->directory);
    free(m->directory_gone);
    free(m->config_path);
    free(m->config_text);
    free_files(m->inputs, m->n_inputs);
    free_files(m->outputs, m->n_outputs);
    for (size_t i = 0; i < m->n_analyst_only; i++)
        free(m->analyst_only[i]);
    free(m->analyst_only);
    memset(m, 0, sizeof *m);
}

verify_state_t verify_same_bytes(const char *a, const char *b)
{
    FILE *x = fopen(a, "rb"), *y = fopen(b, "rb");
    verify_state_t state = x && y ? VERIFY_SAME : VERIFY_MISSING;
    char bx[65536], by[65536];
    while (state == VERIFY_SAME) {
        size_t nx = fread(bx, 1, sizeof bx, x), ny = fread(by, 1, sizeof by, y);
        if (nx != ny || memcmp(bx, by, nx) != 0)
            state = VERIFY_CHANGED;
        else if (nx == 0)
            break;
    }
    if ((x && ferror(x)) || (y && ferror(y)))
        state = VERIFY_MISSING;
    if (x)
        fclose(x);
    if (y)
        fclose(y);
    return state;
}
