/*
 * core/org.h — the reporting tree: who is below whom, from the HRIS roster.
 *
 * Nodes are people (the roster's employees, and managers the roster names
 * but does not list), numbered 0 .. n-1 by whoever builds the tree
 * (ingest/roster.c).  Each node has a parent or is a top; the tops form a
 * forest under one company root, which is not a node.  Built once from a
 * parent array, the tree is checked for loops and laid out in pre-order, so
 * that every subtree is one contiguous range of positions: analysis sums or
 * sorts over a leader's whole organisation without walking it.  Every
 * algorithm is iterative: a chain of any depth works in O(n) time and
 * memory.
 *
 * Besides the shape, a node carries what the roster says of the person: the
 * id others name them by as manager and a display name (kept for managers
 * only), whether they are invited to the survey, and whether they responded
 * (set by ingest as rows are accepted).
 *
 * Life cycle: org_build → org_label / org_set_invited / org_mark_responded
 * (org_mark_unmatched_response) → read-only use → org_free.  org_t owns every array and string in it.
 */
#ifndef ENGAGE_ORG_H
#define ENGAGE_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct org org_t;

/* The parent of a top, and "no such node". */
#define ORG_TOP UINT32_MAX
#define ORG_NONE SIZE_MAX

/* Build the tree of n nodes from parent[node] (ORG_TOP, or the node
 * itself, for a top).  On a loop: ENGAGE_EDATA, *out NULL and *loop (freed
 * by the caller) the nodes of one loop, each the parent of the one before
 * it, *loop_len of them; ENGAGE_ENOMEM when memory runs out. */
engage_status_t org_build(const uint32_t *parent, size_t n, org_t **out, uint32_t **loop, size_t *loop_len);
void org_free(org_t *org);

size_t org_size(const org_t *org);
size_t org_n_tops(const org_t *org);
/* ORG_NONE for a top. */
size_t org_parent(const org_t *org, size_t node);
/* 1 for a top, its parent's + 1 below. */
size_t org_depth(const org_t *org, size_t node);
size_t org_n_children(const org_t *org, size_t node);
/* Pre-order (a node before everyone below it; tops and children in node
 * order, or org_order_by's): the node at position i, a node's position, and the position just
 * after its subtree (so its organisation is positions position+1 .. end-1). */
size_t org_at(const org_t *org, size_t position);
size_t org_position(const org_t *org, size_t node);
size_t org_subtree_end(const org_t *org, size_t node);

/* Lay the tree out again with the tops, and each node's children, in the
 * byte order of key[node] (NULL as ""; equal keys by node number), so that
 * the order does not depend on how the nodes were numbered.  Before any
 * response is marked.  Fails only with ENGAGE_ENOMEM (the tree then keeps
 * its layout). */
engage_status_t org_order_by(org_t *org, const char *const *key);

/* The id others name the node by as their manager, and a display name
 * (NULL: none).  Both are copied; the id is found again by org_find. */
engage_status_t org_label(org_t *org, size_t node, const char *id, const char *name);
const char *org_id(const org_t *org, size_t node);     /* NULL when unlabelled */
const char *org_name(const org_t *org, size_t node);
size_t org_find(const org_t *org, const char *id);     /* ORG_NONE when absent */

/* Participation: every node starts not invited and not responded. */
void org_set_invited(org_t *org, size_t node, bool invited);
bool org_invited(const org_t *org, size_t node);
void org_mark_responded(org_t *org, size_t node);
bool org_responded(const org_t *org, size_t node);
/* A response accepted without naming its node (an archive's row, whose
 * respondent is not looked up in the roster): who responded is then not
 * known, and org_responses_complete() is false from then on. */
void org_mark_unmatched_response(org_t *org);
bool org_responses_complete(const org_t *org);

/* For every node, its ancestor at depth `depth` (>= 1), or the node itself
 * when it lies at that depth or above: out[node], n entries.  O(n). */
void org_ancestors_at(const org_t *org, size_t depth, uint32_t *out);

#endif
