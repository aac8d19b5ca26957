/*
 * core/progress.h — how far a run has got, on stderr.
 *
 * One reporter for the process (it has one stderr), off until
 * progress_start().  The reading code names each file as it opens it
 * (progress_file) and counts the bytes it has read (progress_bytes: one
 * relaxed atomic store, so that reading is never slowed, whichever thread
 * reads); the stages that follow are named as they begin (progress_stage:
 * "scoring engagement (scale 1 of 3)", "writing out/managers.csv").  A
 * thread of the reporter's own shows the bytes a few times a second.
 *
 * On a terminal (PROGRESS_TERMINAL) one line is redrawn in place with \r,
 * cut to the terminal's width, and, with delay, only once the run has taken
 * a second; progress_end() clears it.  Elsewhere (PROGRESS_LINES: forced
 * into a file or pipe) each file and each stage is a line of its own, and
 * a long file's bytes a line a second.  Every line is "engage: " and the
 * text, with input text (file and scale names) escaped as engage_escape
 * does.  A line other code prints on the same stream goes between
 * progress_hold() and progress_release() (engage_print_line does so for
 * stderr), which clear a drawn terminal line; it is drawn again at the next
 * update.
 */
#ifndef ENGAGE_PROGRESS_H
#define ENGAGE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    PROGRESS_OFF,
    PROGRESS_TERMINAL,         /* one line redrawn in place */
    PROGRESS_LINES,            /* a line per file and stage */
} progress_mode_t;

/* Start reporting on stream (stderr; a file in tests).  With delay, a
 * terminal line is drawn only after the first second.  PROGRESS_OFF, or a
 * reporter that cannot start its thread, reports nothing. */
void progress_start(progress_mode_t mode, FILE *stream, bool delay);

/* A file is being read: its name ("-" is standard input) and its size in
 * bytes (negative when unknown: a pipe). */
void progress_file(const char *name, int64_t size);

/* Bytes of the current file read so far. */
void progress_bytes(uint64_t done);

/* The stage that begins now (printf format). */
void progress_stage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Around a line printed on the reporter's stream by other code. */
void progress_hold(void);
void progress_release(void);

/* Clear the terminal line and stop reporting (the thread is joined). */
void progress_end(void);

/* For the thread that ends the process on a signal: clear the terminal
 * line and draw nothing more, without waiting for the reporter's thread. */
void progress_stop_for_signal(void);

#endif
