/*
 * tests/fuzz/fuzz_formats.c — libFuzzer target: bytes in memory through
 * decoding (BOMs, UTF-16, Windows-1252), zip and gzip, delimiter sniffing,
 * survey-tool detection, header rows, exclusions, the roster join and
 * labels, then the analysis.
 *
 * The first byte chooses the config (bits 0-2: one per survey tool, one
 * with a roster, one forcing an encoding), how the input is cut into reads
 * (bits 3-5: whole with the reading thread, or chunks of 1..64 bytes) and
 * --strict (bit 6) and whether the log lists one row per reason (bit 7)
 * instead of 100,000; the rest is the file.  Any crash, leak, sanitizer
 * report or hang is a finding, as is a success that loses a row or a
 * failure without a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char LABELS[] = "[labels]\n"
                             "Strongly disagree = 1\nDisagree = 2\nNeither agree nor disagree = 3\n"
                             "Agree = 4\nStrongly agree = 5\n"
                             "[labels codes]\nA1 = 1\nA2 = 2\nA3 = 3\nA4 = 4\nA5 = 5\n";

static const char *const CONFIGS[8] = {
    "[input]\nformat = qualtrics\nmanager = Manager\n[scale engagement]\nitems = Q1_1, Q1_2\nreverse = Q1_2\n",
    "[input]\nmanager = Manager\n[scale engagement]\nitems = Q1_1, Q1_2\n[scale single]\nitems = Q1_2\n"
    "min = 0\nmax = 10\n",
    "[input]\nformat = surveymonkey\nmanager = Custom Data 1\n[scale engagement]\n"
    "items = How much do you agree? - I am proud, \"How much do you agree? - I stay, mostly\"\n",
    "[input]\nmanager = Your manager\n[scale engagement]\nitems = Q [I am proud], Q [I stay]\nmin_answered = 1\n",
    "[input]\nformat = msforms\nmanager = Team\n[scale engagement]\nitems = I am proud, I stay\n",
    "[input]\nformat = limesurvey\nmanager = manager\n[scale engagement]\nitems = Q1[SQ001], Q1[SQ002]\n"
    "labels = codes\n",
    "[input]\nrespondent = id\n[scale engagement]\nitems = Q1, Q2\n[roster]\nfile = ROSTER\nkey = Email\n"
    "employee = email\nmanager = manager_id\nunit = department\n",
    "[input]\nencoding = windows-1252\ndelimiter = semicolon\n[scale engagement]\nitems = Q1, Q2\n",
};

static const char ROSTER[] = "email,manager_id,department\n"
                             "a@x.com,M1,Sales\nb@x.com,M1,Sales\nc@x.com,M2,Ops\nd@x.com,M3,Ops\n";

static void write_file(const char *path, const char *a, const char *b, const char *c)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(a, f) < 0 || fputs(b, f) < 0 || fputs(c, f) < 0 || fclose(f) != 0)
        abort();
}

/* The config files, written once per process. */
static const char *config_path(unsigned which)
{
    static char paths[8][64];
    if (!paths[0][0]) {
        char roster[64];
        snprintf(roster, sizeof roster, "/tmp/engage-fuzz-formats-%d-roster.csv", (int)getpid());
        write_file(roster, ROSTER, "", "");
        for (unsigned i = 0; i < 8; i++) {
            snprintf(paths[i], sizeof paths[i], "/tmp/engage-fuzz-formats-%d-%u.ini", (int)getpid(), i);
            const char *text = CONFIGS[i];
            const char *at = i == 6 ? strstr(text, "ROSTER") : NULL;
            char filled[1024];
            if (at) {
                snprintf(filled, sizeof filled, "%.*s%s%s", (int)(at - text), text, roster, at + 6);
                text = filled;
            }
            write_file(paths[i], text, LABELS, "");
        }
    }
    return paths[which];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[8] = {0, 1, 2, 3, 5, 8, 13, 64};
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;

    config_t cfg;
    engage_error_t err = {0};
    if (config_init_default(&cfg, &err) != ENGAGE_OK || config_load(&cfg, config_path(mode & 7), &err) != ENGAGE_OK)
        abort();
    ingest_options_t options = {.strict = (mode & 0x40) != 0, .chunk = chunks[(mode >> 3) & 7],
                                .rejects_listed = (mode & 0x80) ? 1 : 0};
    fuzz_read_and_check(&cfg, data, size, &options);
    config_fini(&cfg);
    return 0;
}
