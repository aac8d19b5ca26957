/*
 * core/hugepages.h — large working arrays on 2 MB pages.
 *
 * Many Linux systems give transparent huge pages only to memory a program
 * asks for them (/sys/kernel/mm/transparent_hugepage/enabled = madvise).
 * There, a million-respondent run takes some 40,000 page faults of 4 KB, and
 * on a virtual machine each is dear.  glibc asks for huge pages for its heap
 * when the tunable glibc.malloc.hugetlb=1 is set, which it reads only as a
 * program starts; so the program starts itself once more with it.
 */
#ifndef ENGAGE_HUGEPAGES_H
#define ENGAGE_HUGEPAGES_H

/* Unless GLIBC_TUNABLES already names glibc.malloc.hugetlb, execute
 * /proc/self/exe again with argv and glibc.malloc.hugetlb=1 added to
 * GLIBC_TUNABLES.  Call first in main, before any file is opened or read
 * (stdin included).  Returns (having changed nothing that matters) when it
 * cannot: the program then runs with ordinary pages, the same output. */
void hugepages_request(char *const argv[]);

#endif
