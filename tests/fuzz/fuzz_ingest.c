/*
 * tests/fuzz/fuzz_ingest.c — libFuzzer target: bytes in memory through the
 * whole ingest path (gzip detection and inflating, BOM, line tracking,
 * libcsv, header mapping, answers, rejects) and then the analysis.
 *
 * The first byte chooses how the input is cut into reads (1..64 bytes, or
 * whole with the reading thread) and whether a config with labels, a reverse
 * item and two scales is used; the rest is the file.  Any crash, leak,
 * sanitizer report or hang is a finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char CONFIG[] = "[input]\n"
                             "missing = N/A, 9\n"
                             "[labels]\n"
                             "Strongly agree = 5\n"
                             "Agree = 4\n"
                             "Disagree = 2\n"
                             "[scale engagement]\n"
                             "items = Q1, Q2, \"Q 3\"\n"
                             "reverse = Q2\n"
                             "min_answered = 0.6\n"
                             "[scale single]\n"
                             "items = Q1\n"
                             "min = 0\n"
                             "max = 10\n";

static char *config_path(void)
{
    static char path[64];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/engage-fuzz-%d.ini", (int)getpid());
        FILE *f = fopen(path, "w");
        if (!f || fputs(CONFIG, f) < 0 || fclose(f) != 0)
            abort();
    }
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;

    config_t cfg;
    engage_error_t err = {0};
    if (config_init_default(&cfg, &err) != ENGAGE_OK)
        abort();
    if ((mode & 0x80) && config_load(&cfg, config_path(), &err) != ENGAGE_OK)
        abort();
    ingest_options_t options = {.strict = (mode & 0x40) != 0, .chunk = (mode & 0x3f) ? (mode & 0x3f) : 0};
    fuzz_read_and_check(&cfg, data, size, &options);
    config_fini(&cfg);
    return 0;
}
