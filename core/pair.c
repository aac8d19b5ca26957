/*
 * core/pair.c — see pair.h.  Owns the second thread, for one call.
 */
#include "pair.h"

#include <pthread.h>

void pair_run(void *(*part)(void *), void *first, void *second, bool two_threads)
{
    pthread_t thread;
    bool threaded = two_threads && pthread_create(&thread, NULL, part, second) == 0;
    part(first);
    if (threaded)
        pthread_join(thread, NULL);
    else
        part(second);
}
