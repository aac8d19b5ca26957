/*
 * core/pair.h — a job in two independent parts, the second on a thread of
 * its own.
 *
 * Several stages split their work in two halves whose results do not
 * depend on which thread ran them; this is the one place that starts the
 * second thread, and runs both parts on the calling thread when it is not
 * wanted or cannot be started.
 */
#ifndef ENGAGE_PAIR_H
#define ENGAGE_PAIR_H

#include <stdbool.h>

/* part(first) on this thread and part(second) on a second thread when
 * two_threads is true and one starts, else after part(first) on this one;
 * returns when both are done. */
void pair_run(void *(*part)(void *), void *first, void *second, bool two_threads);

#endif
