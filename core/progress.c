/*
 * core/progress.c — the progress reporter (see progress.h).
 *
 * Owns: the reporter's state, its lock and its thread.  Everything but the
 * byte count is read and written under the lock; the count is an atomic
 * that the reading thread stores and the reporter's thread loads.  The
 * thread wakes every TICK_TERMINAL (a terminal) or TICK_LINES (lines) and
 * shows the bytes when they moved; files and stages are shown by the
 * caller as they begin, once the line is visible.
 */
#include "progress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

enum { TEXT_MAX = 1024, NAME_SHOWN = 512, LINE_MAX_SHOWN = TEXT_MAX + 16 };

static const double TICK_TERMINAL = 0.25, TICK_LINES = 1.0, DELAY = 1.0;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static progress_mode_t mode = PROGRESS_OFF;
static FILE *out;
static bool visible;                   /* terminal: past the delay */
static bool stopping, thread_running, frozen;
static pthread_t thread;
static struct timespec started;

static char file_name[NAME_SHOWN]; /* escaped; "" when no file is being read */
static int64_t file_size;
static _Atomic uint64_t file_done;
static uint64_t shown_done;            /* lines: the count last printed */
static char stage[TEXT_MAX];           /* escaped; "" while a file is read */
static char drawn[LINE_MAX_SHOWN];           /* terminal: the line on screen */
static size_t drawn_columns;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* 812 B, 64.0 kB, 12.3 MB, 1.20 GB */
static void format_bytes(uint64_t n, char *buf, size_t size)
{
    if (n < 1000)
        snprintf(buf, size, "%llu B", (unsigned long long)n);
    else if (n < 1000000)
        snprintf(buf, size, "%.1f kB", (double)n / 1e3);
    else if (n < 1000000000)
        snprintf(buf, size, "%.1f MB", (double)n / 1e6);
    else
        snprintf(buf, size, "%.2f GB", (double)n / 1e9);
}

/* "reading NAME: 1.2 MB of 3.4 MB (35%)" or, size unknown, "reading NAME: 1.2 MB". */
static void reading_text(char *buf, size_t size, uint64_t done)
{
    char have[32], total[32];
    format_bytes(done, have, sizeof have);
    if (file_size >= 0) {
        format_bytes((uint64_t)file_size, total, sizeof total);
        int percent = file_size > 0 ? (int)(100.0 * (double)done / (double)file_size) : 100;
        snprintf(buf, size, "reading %s: %s of %s (%d%%)", file_name, have, total, percent > 100 ? 100 : percent);
    } else {
        snprintf(buf, size, "reading %s: %s", file_name, have);
    }
}

static size_t columns_of(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Terminal: draw "engage: TEXT" over the line on screen (lock held). */
static void draw_locked(const char *text)
{
    char line[LINE_MAX_SHOWN];
    snprintf(line, sizeof line, "engage: %s", text);
    /* one column short of the width, so that the cursor never wraps */
    size_t limit = terminal_width() - 1, columns = 0, cut = 0;
    for (; line[cut]; cut++) {
        if (((unsigned char)line[cut] & 0xC0) != 0x80 && ++columns > limit)
            break;
    }
    line[cut] = '\0';
    if (strcmp(line, drawn) == 0)
        return;
    size_t now = columns_of(line);
    /* spaces over what is left of a longer line before */
    fprintf(out, "\r%s%*s", line, drawn_columns > now ? (int)(drawn_columns - now) : 0, "");
    fflush(out);
    snprintf(drawn, sizeof drawn, "%s", line);
    drawn_columns = now;
}

static void clear_locked(void)
{
    if (mode == PROGRESS_TERMINAL && drawn_columns > 0) {
        fprintf(out, "\r%*s\r", (int)drawn_columns, "");
        fflush(out);
    }
    drawn[0] = '\0';
    drawn_columns = 0;
}

/* Show the current state: a terminal redraws its line, lines print one. */
static void show_locked(void)
{
    char text[TEXT_MAX];
    if (stage[0])
        snprintf(text, sizeof text, "%s", stage);
    else if (file_name[0])
        reading_text(text, sizeof text, atomic_load_explicit(&file_done, memory_order_relaxed));
    else
        return;
    if (mode == PROGRESS_TERMINAL && visible)
        draw_locked(text);
    else if (mode == PROGRESS_LINES)
        fprintf(out, "engage: %s\n", text);
}

static void *tick(void *unused)
{
    (void)unused;
    double interval = mode == PROGRESS_TERMINAL ? TICK_TERMINAL : TICK_LINES;
    pthread_mutex_lock(&lock);
    while (!stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long ns = until.tv_nsec + (long)(interval * 1e9);
        until.tv_sec += ns / 1000000000L;
        until.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&wake, &lock, &until);
        if (stopping || frozen)
            continue;
        if (mode == PROGRESS_TERMINAL) {
            if (!visible && seconds_since(&started) >= DELAY)
                visible = true;
            show_locked();
        } else if (!stage[0] && file_name[0]) {
            uint64_t done = atomic_load_explicit(&file_done, memory_order_relaxed);
            if (done != shown_done) {
                shown_done = done;
                show_locked();
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

void progress_start(progress_mode_t new_mode, FILE *stream, bool delay)
{
    pthread_mutex_lock(&lock);
    mode = new_mode;
    out = stream;
    visible = !delay;
    stopping = false;
    frozen = false;
    file_name[0] = stage[0] = drawn[0] = '\0';
    drawn_columns = 0;
    clock_gettime(CLOCK_MONOTONIC, &started);
    if (mode != PROGRESS_OFF) {
        thread_running = pthread_create(&thread, NULL, tick, NULL) == 0;
        if (!thread_running)
            mode = PROGRESS_OFF;
    }
    pthread_mutex_unlock(&lock);
}

void progress_file(const char *name, int64_t size)
{
    pthread_mutex_lock(&lock);
    if (mode != PROGRESS_OFF && !frozen) {
        engage_escape(strcmp(name, "-") == 0 ? "standard input" : name, file_name, sizeof file_name);
        file_size = size;
        atomic_store_explicit(&file_done, 0, memory_order_relaxed);
        shown_done = 0;
        stage[0] = '\0';
        if (mode == PROGRESS_LINES) {
            char total[32] = "";
            if (size >= 0)
                format_bytes((uint64_t)size, total, sizeof total);
            fprintf(out, "engage: reading %s%s%s%s\n", file_name, size >= 0 ? " (" : "", total, size >= 0 ? ")" : "");
        } else {
            show_locked();
        }
    }
    pthread_mutex_unlock(&lock);
}

void progress_bytes(uint64_t done)
{
    atomic_store_explicit(&file_done, done, memory_order_relaxed);
}

void progress_stage(const char *fmt, ...)
{
    pthread_mutex_lock(&lock);
    if (mode != PROGRESS_OFF && !frozen) {
        char raw[TEXT_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        engage_escape(raw, stage, sizeof stage);
        file_name[0] = '\0';
        show_locked();
    }
    pthread_mutex_unlock(&lock);
}

void progress_hold(void)
{
    pthread_mutex_lock(&lock);
    if (mode == PROGRESS_TERMINAL)
        clear_locked();
}

void progress_release(void)
{
    pthread_mutex_unlock(&lock);
}

void progress_end(void)
{
    pthread_mutex_lock(&lock);
    bool join = thread_running;
    stopping = true;
    thread_running = false;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    if (join)
        pthread_join(thread, NULL);
    pthread_mutex_lock(&lock);
    clear_locked();
    mode = PROGRESS_OFF;
    pthread_mutex_unlock(&lock);
}

void progress_stop_for_signal(void)
{
    pthread_mutex_lock(&lock);
    clear_locked();
    frozen = true;
    pthread_mutex_unlock(&lock);
}
