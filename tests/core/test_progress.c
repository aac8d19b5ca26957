/*
 * tests/core/test_progress.c — the progress reporter's output, written to a
 * file instead of stderr: a line per file and stage (PROGRESS_LINES) with
 * sizes and escaped names; on a terminal (PROGRESS_TERMINAL) one line
 * redrawn with \r, spaces over a longer line before, cut to the width,
 * cleared by hold and end; nothing before the delay or after the end; and
 * the bytes of a file shown by the reporter's own thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/progress.h"

/* Everything written to fp so far (malloc'd). */
static char *contents(FILE *fp)
{
    fflush(fp);
    long size = ftell(fp);
    char *text = calloc((size_t)size + 1, 1);
    assert_non_null(text);
    rewind(fp);
    assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
    fseek(fp, 0, SEEK_END);
    return text;
}

static void test_lines(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    progress_start(PROGRESS_LINES, fp, false);
    progress_file("q3\x1b[2J.csv.gz", 12400);
    progress_file("-", -1);
    progress_file("big.csv", 2500000000LL);
    progress_stage("scoring %s (scale %d of %d)", "engagement", 1, 2);
    progress_stage("writing %s", "out/managers.csv");
    progress_end();
    progress_stage("after the end");
    char *text = contents(fp);
    assert_string_equal(text, "engage: reading q3\\x1b[2J.csv.gz (12.4 kB)\n"
                              "engage: reading standard input\n"
                              "engage: reading big.csv (2.50 GB)\n"
                              "engage: scoring engagement (scale 1 of 2)\n"
                              "engage: writing out/managers.csv\n");
    free(text);
    fclose(fp);
}

static void test_terminal_line_redrawn(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    progress_start(PROGRESS_TERMINAL, fp, false);
    progress_stage("analysing engagement");
    progress_stage("units");
    char wide[300];
    memset(wide, 'w', sizeof wide - 1);
    wide[sizeof wide - 1] = '\0';
    progress_stage("%s", wide);   /* a file is not a terminal: 80 columns */
    progress_hold();
    progress_release();
    progress_end();
    char *text = contents(fp);
    char want[1024];
    char cut[80];
    memset(cut, 'w', 79 - 8);
    cut[79 - 8] = '\0';
    snprintf(want, sizeof want, "\rengage: analysing engagement\rengage: units%15s\rengage: %s\r%79s\r", "", cut,
             "");
    assert_string_equal(text, want);
    free(text);
    fclose(fp);
}

static void test_terminal_delay_and_off(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    progress_start(PROGRESS_TERMINAL, fp, true);   /* nothing within the first second */
    progress_file("a.csv", 10);
    progress_stage("scoring");
    progress_end();
    progress_start(PROGRESS_OFF, fp, false);
    progress_stage("scoring");
    progress_hold();
    progress_release();
    progress_end();
    char *text = contents(fp);
    assert_string_equal(text, "");
    free(text);
    fclose(fp);
}

/* The reporter's thread shows the bytes read (a line a second). */
static void test_bytes_shown_by_the_thread(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    assert_non_null(fp);
    progress_start(PROGRESS_LINES, fp, false);
    progress_file("big.csv", 2000000);
    progress_bytes(655360);
    const char *want = "engage: reading big.csv (2.0 MB)\nengage: reading big.csv: 655.4 kB of 2.0 MB (32%)\n";
    char *text = NULL;
    for (int i = 0; i < 100; i++) {   /* up to 10 s */
        free(text);
        progress_hold();
        text = contents(fp);
        progress_release();
        if (strcmp(text, want) == 0)
            break;
        nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
    }
    progress_end();
    assert_string_equal(text, want);
    free(text);
    text = contents(fp);   /* the same count is not shown twice, and end adds nothing */
    assert_string_equal(text, want);
    free(text);
    fclose(fp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_terminal_line_redrawn),
        cmocka_unit_test(test_terminal_delay_and_off),
        cmocka_unit_test(test_bytes_shown_by_the_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
