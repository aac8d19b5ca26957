/*
 * core/heap.h — how the C library's heap holds the large working arrays.
 *
 * glibc takes an allocation from its heap below a threshold that it raises
 * whenever a larger block is freed (up to 32 MB), and returns the top of
 * the heap to the system as soon as 128 KB are free there.  For this
 * program that is the wrong way round: the per-respondent arrays grow by
 * realloc while a file is read, and an array in the heap grows by copying,
 * leaving its old copy resident behind it (some 60 MB at 10 million
 * respondents), while small buffers freed at the heap's top are given back
 * and faulted in again at once.
 */
#ifndef ENGAGE_HEAP_H
#define ENGAGE_HEAP_H

/* Blocks of HEAP_OWN_MAPPING bytes or more get a mapping of their own (so
 * that realloc moves pages instead of copying them, and free gives them
 * back), and the heap's top is given back only beyond HEAP_KEEP_TOP.  Call
 * once, first in main; a no-op outside glibc. */
enum { HEAP_OWN_MAPPING = 4 << 20, HEAP_KEEP_TOP = 32 << 20 };
void heap_configure(void);

#endif
