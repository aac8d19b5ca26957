/*
 * core/org.c — the reporting tree (org.h): loop check, depths, pre-order
 * and subtree ranges, all by iteration over arrays (no recursion), and the
 * labels and participation flags of each node.
 *
 * Owns: per node its parent, depth, pre-order position, subtree end, child
 * count and flags (about 24 bytes), the pre-order itself, and for labelled
 * nodes their id and name in one GLib string chunk with a hash table from
 * id to node.
 */
#include "org.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ORG_INVITED = 1u << 0, ORG_RESPONDED = 1u << 1 };

struct org {
    size_t n, n_tops;
    uint32_t *parent;      /* ORG_TOP for a top */
    uint32_t *depth;
    uint32_t *order;       /* [position] node */
    uint32_t *position;    /* [node] */
    uint32_t *end;         /* [node] position after its subtree */
    uint32_t *children;    /* [node] child count */
    uint8_t *flags;        /* ORG_INVITED | ORG_RESPONDED */
    bool unmatched;        /* a response was accepted that names no node */
    const char **id, **name;  /* [node], NULL until labelled */
    GHashTable *by_id;     /* id -> node + 1 */
    GStringChunk *strings;
};

static void *org_alloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

void org_free(org_t *org)
{
    if (!org)
        return;
    free(org->parent);
    free(org->depth);
    free(org->order);
    free(org->position);
    free(org->end);
    free(org->children);
    free(org->flags);
    free(org->id);
    free(org->name);
    if (org->by_id)
        g_hash_table_destroy(org->by_id);
    if (org->strings)
        g_string_chunk_free(org->strings);
    free(org);
}

/* Depths by walking up from each node until a node of known depth, the
 * path kept on a stack; meeting a node of the current path is a loop. */
static engage_status_t org_depths(org_t *org, uint32_t *stack, uint8_t *on_path, uint32_t **loop,
                                  size_t *loop_len)
{
    for (size_t start = 0; start < org->n; start++) {
        size_t top = 0;
        uint32_t v = (uint32_t)start;
        while (org->depth[v] == 0) {
            if (on_path[v]) {
                size_t first = top;
                while (stack[first - 1] != v)
                    first--;
                first--;
                *loop_len = top - first;
                *loop = malloc(*loop_len * sizeof **loop);
                if (!*loop)
                    return ENGAGE_ENOMEM;
                memcpy(*loop, stack + first, *loop_len * sizeof **loop);
                return ENGAGE_EDATA;
            }
            on_path[v] = 1;
            stack[top++] = v;
            if (org->parent[v] == ORG_TOP)
                break;
            v = org->parent[v];
        }
        /* the stack's last node is a top or sits below a node of known depth */
        while (top > 0) {
            uint32_t u = stack[--top];
            on_path[u] = 0;
            org->depth[u] = org->parent[u] == ORG_TOP ? 1 : org->depth[org->parent[u]] + 1;
        }
    }
    return ENGAGE_OK;
}

/* Node numbers by key (byte order), equal keys by number (qsort_r). */
static int key_order(const void *a, const void *b, void *keys)
{
    const char *const *key = keys;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const char *kx = key[x] ? key[x] : "", *ky = key[y] ? key[y] : "";
    int c = strcmp(kx, ky);
    return c ? c : (x > y) - (x < y);
}

/* Pre-order by an explicit stack over child lists (counting sort by parent;
 * with key, each list and the tops sorted by it), then subtree ends from
 * the sizes summed in reverse pre-order. */
static engage_status_t org_layout(org_t *org, uint32_t *stack, const char *const *key)
{
    size_t n = org->n;
    uint32_t *first = org_alloc(n + 1, sizeof *first);   /* child list offsets */
    uint32_t *kids = org_alloc(n, sizeof *kids);
    uint32_t *tops = org_alloc(n, sizeof *tops);
    if (!first || !kids || !tops) {
        free(first);
        free(kids);
        free(tops);
        return ENGAGE_ENOMEM;
    }
    org->n_tops = 0;
    for (size_t v = 0; v < n; v++)
        if (org->parent[v] != ORG_TOP)
            first[org->parent[v] + 1]++;
    for (size_t v = 0; v < n; v++) {
        org->children[v] = first[v + 1];
        first[v + 1] += first[v];
    }
    for (size_t v = 0; v < n; v++)
        if (org->parent[v] == ORG_TOP)
            tops[org->n_tops++] = (uint32_t)v;
        else
            kids[first[org->parent[v]]++] = (uint32_t)v;  /* first[p] now points past p's list */
    /* children of p: kids[first[p] - children[p] .. first[p] - 1], in node order */
    if (key) {
        void *keys = (void *)(uintptr_t)key;
        qsort_r(tops, org->n_tops, sizeof *tops, key_order, keys);
        for (size_t v = 0; v < n; v++)
            if (org->children[v] > 1)
                qsort_r(kids + first[v] - org->children[v], org->children[v], sizeof *kids, key_order, keys);
    }
    size_t at = 0, depth = 0;
    for (size_t t = org->n_tops; t-- > 0;)
        stack[depth++] = tops[t];
    while (depth > 0) {
        uint32_t v = stack[--depth];
        org->order[at] = v;
        org->position[v] = (uint32_t)at++;
        for (uint32_t c = org->children[v]; c-- > 0;)
            stack[depth++] = kids[first[v] - org->children[v] + c];
    }
    for (size_t v = 0; v < n; v++)
        org->end[v] = 1;       /* subtree sizes first */
    for (size_t i = n; i-- > 0;) {
        uint32_t v = org->order[i];
        if (org->parent[v] != ORG_TOP)
            org->end[org->parent[v]] += org->end[v];
    }
    for (size_t v = 0; v < n; v++)
        org->end[v] += org->position[v];
    free(first);
    free(kids);
    free(tops);
    return ENGAGE_OK;
}

engage_status_t org_build(const uint32_t *parent, size_t n, org_t **out, uint32_t **loop, size_t *loop_len)
{
    *out = NULL;
    *loop = NULL;
    *loop_len = 0;
    if (n >= ORG_TOP)
        return ENGAGE_ENOMEM;
    org_t *org = calloc(1, sizeof *org);
    if (!org)
        return ENGAGE_ENOMEM;
    org->n = n;
    org->parent = org_alloc(n, sizeof *org->parent);
    org->depth = org_alloc(n, sizeof *org->depth);
    org->order = org_alloc(n, sizeof *org->order);
    org->position = org_alloc(n, sizeof *org->position);
    org->end = org_alloc(n, sizeof *org->end);
    org->children = org_alloc(n, sizeof *org->children);
    org->flags = org_alloc(n, sizeof *org->flags);
    org->id = org_alloc(n, sizeof *org->id);
    org->name = org_alloc(n, sizeof *org->name);
    org->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    org->strings = g_string_chunk_new(1 << 14);
    uint32_t *stack = org_alloc(n, sizeof *stack);
    uint8_t *on_path = org_alloc(n, sizeof *on_path);
    engage_status_t st = ENGAGE_ENOMEM;
    if (org->parent && org->depth && org->order && org->position && org->end && org->children && org->flags &&
        org->id && org->name && stack && on_path) {
        for (size_t v = 0; v < n; v++)
            org->parent[v] = parent[v] == v || parent[v] >= n ? ORG_TOP : parent[v];
        st = org_depths(org, stack, on_path, loop, loop_len);
        if (st == ENGAGE_OK)
            st = org_layout(org, stack, NULL);
    }
    free(stack);
    free(on_path);
    if (st != ENGAGE_OK) {
        org_free(org);
        return st;
    }
    *out = org;
    return ENGAGE_OK;
}

engage_status_t org_order_by(org_t *org, const char *const *key)
{
    uint32_t *stack = org_alloc(org->n, sizeof *stack);
    if (!stack)
        return ENGAGE_ENOMEM;
    engage_status_t st = org_layout(org, stack, key);
    free(stack);
    return st;
}

size_t org_size(const org_t *org)
{
    return org->n;
}

size_t org_n_tops(const org_t *org)
{
    return org->n_tops;
}

size_t org_parent(const org_t *org, size_t node)
{
    return org->parent[node] == ORG_TOP ? ORG_NONE : org->parent[node];
}

size_t org_depth(const org_t *org, size_t node)
{
    return org->depth[node];
}

size_t org_n_children(const org_t *org, size_t node)
{
    return org->children[node];
}

size_t org_at(const org_t *org, size_t position)
{
    return org->order[position];
}

size_t org_position(const org_t *org, size_t node)
{
    return org->position[node];
}

size_t org_subtree_end(const org_t *org, size_t node)
{
    return org->end[node];
}

engage_status_t org_label(org_t *org, size_t node, const char *id, const char *name)
{
    org->id[node] = g_string_chunk_insert_const(org->strings, id);
    org->name[node] = name ? g_string_chunk_insert_const(org->strings, name) : NULL;
    g_hash_table_insert(org->by_id, (gpointer)org->id[node], GSIZE_TO_POINTER(node + 1));
    return ENGAGE_OK;
}

const char *org_id(const org_t *org, size_t node)
{
    return org->id[node];
}

const char *org_name(const org_t *org, size_t node)
{
    return org->name[node];
}

size_t org_find(const org_t *org, const char *id)
{
    size_t v = GPOINTER_TO_SIZE(g_hash_table_lookup(org->by_id, id));
    return v ? v - 1 : ORG_NONE;
}

void org_set_invited(org_t *org, size_t node, bool invited)
{
    if (invited)
        org->flags[node] |= ORG_INVITED;
    else
        org->flags[node] &= (uint8_t)~ORG_INVITED;
}

bool org_invited(const org_t *org, size_t node)
{
    return org->flags[node] & ORG_INVITED;
}

void org_mark_responded(org_t *org, size_t node)
{
    org->flags[node] |= ORG_RESPONDED;
}

bool org_responded(const org_t *org, size_t node)
{
    return org->flags[node] & ORG_RESPONDED;
}

void org_mark_unmatched_response(org_t *org)
{
    org->unmatched = true;
}

bool org_responses_complete(const org_t *org)
{
    return !org->unmatched;
}

void org_ancestors_at(const org_t *org, size_t depth, uint32_t *out)
{
    /* pre-order: a parent's entry is set before its children's */
    for (size_t i = 0; i < org->n; i++) {
        uint32_t v = org->order[i];
        out[v] = org->depth[v] <= depth ? v : out[org->parent[v]];
    }
}
