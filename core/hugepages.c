/*
 * core/hugepages.c — see hugepages.h.  Owns nothing: the strings it builds
 * are freed again when execv fails (setenv keeps copies).
 */
#include "hugepages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HUGEPAGES_TUNABLE "glibc.malloc.hugetlb"

void hugepages_request(char *const argv[])
{
    const char *set = getenv("GLIBC_TUNABLES");
    if (set && strstr(set, HUGEPAGES_TUNABLE))
        return;   /* set by the user, or by this function before the exec */
    if (access("/proc/self/exe", X_OK) != 0)
        return;
    char *tunables = set ? strdup(set) : NULL;
    if (set && !tunables)
        return;
    char *value = NULL;
    int length = tunables && *tunables ? asprintf(&value, "%s:%s=1", tunables, HUGEPAGES_TUNABLE)
                                       : asprintf(&value, "%s=1", HUGEPAGES_TUNABLE);
    if (length < 0) {
        free(tunables);
        return;
    }
    if (setenv("GLIBC_TUNABLES", value, 1) == 0) {
        execv("/proc/self/exe", argv);
        /* not executed: go on as we are, with the environment as it was */
        if (tunables)
            setenv("GLIBC_TUNABLES", tunables, 1);
        else
            unsetenv("GLIBC_TUNABLES");
    }
    free(value);
    free(tunables);
}
