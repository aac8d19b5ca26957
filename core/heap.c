/*
 * core/heap.c — see heap.h.  Owns nothing.
 */
#include "heap.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void heap_configure(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, HEAP_OWN_MAPPING);
    mallopt(M_TRIM_THRESHOLD, HEAP_KEEP_TOP);
#endif
}
