/*
 * tests/report/read_file.h — the report tests' way to read an output back:
 * a whole file as a NUL-terminated string (the test fails when it cannot be
 * read).  The caller frees it.
 */
#ifndef ENGAGE_TEST_READ_FILE_H
#define ENGAGE_TEST_READ_FILE_H

#include <stdio.h>
#include <stdlib.h>

static inline char *read_file(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    buf[n] = '\0';
    if (size)
        *size = (size_t)n;
    return buf;
}

#endif
