/*
 * tests/report/test_outdir.c — the output folder: temporary folder beside
 * OUTDIR, both ways of swapping it into place, abort, and the names that
 * are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../report/outdir.h"

static char base[64];

static int setup(void **state)
{
    (void)state;
    umask(022);
    strcpy(base, "/tmp/engage-outdir-XXXXXX");
    return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *rel)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", base, rel);
    return p;
}

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* One run that writes manifest.json with `text` into rel. */
static void run(const char *rel, const char *text, bool aside)
{
    outdir_t od;
    assert_int_equal(outdir_begin(&od, at(rel), NULL), ENGAGE_OK);
    assert_non_null(od.tmpdir);
    assert_non_null(strstr(od.tmpdir, ".tmp-"));
    char hex[65];
    assert_int_equal(outdir_write_file(&od, "manifest.json", text, strlen(text), hex, NULL),
                     ENGAGE_OK);
    assert_int_equal(strlen(hex), 64);
    if (aside)
        assert_int_equal(outdir_commit_aside(&od, NULL), ENGAGE_OK);
    else
        assert_int_equal(outdir_commit(&od, NULL), ENGAGE_OK);
    assert_null(od.tmpdir);
    outdir_fini(&od);
}

static void test_fresh_and_replace(void **state)
{
    (void)state;
    run("out", "one", false);
    assert_string_equal(slurp(at("out/manifest.json")), "one");
    struct stat st;
    assert_int_equal(stat(at("out"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    run("out", "two", false);
    assert_string_equal(slurp(at("out/manifest.json")), "two");
    run("out", "three", true);
    assert_string_equal(slurp(at("out/manifest.json")), "three");
    run("fresh-aside", "four", true);
    assert_string_equal(slurp(at("fresh-aside/manifest.json")), "four");
    assert_int_equal(entries(base), 2);
    assert_int_equal(entries(at("out")), 1);
}

static void test_keeps_mode_of_existing(void **state)
{
    (void)state;
    run("moded", "x", false);
    assert_int_equal(chmod(at("moded"), 0750), 0);
    run("moded", "y", false);
    struct stat st;
    assert_int_equal(stat(at("moded"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0750);
}

static void test_abort(void **state)
{
    (void)state;
    run("kept", "old", false);
    outdir_t od;
    assert_int_equal(outdir_begin(&od, at("kept"), NULL), ENGAGE_OK);
    assert_int_equal(outdir_write_file(&od, "manifest.json", "new", 3, NULL, NULL), ENGAGE_OK);
    engage_error_t err;
    memset(&err, 0, sizeof err);
    char *p = outdir_path(&od, "managers.csv");
    engage_fail(&err, ENGAGE_EIO, p, 0, "cannot write");
    free(p);
    outdir_fix_error(&od, &err);
    assert_string_equal(err.file, at("kept/managers.csv"));
    outdir_abort(&od);
    outdir_fini(&od);
    assert_string_equal(slurp(at("kept/manifest.json")), "old");
    assert_int_equal(entries(base), 1);
}

static void test_symlink(void **state)
{
    (void)state;
    run("real", "old", false);
    assert_int_equal(symlink("real", at("link")), 0);
    run("link", "new", false);
    assert_string_equal(slurp(at("real/manifest.json")), "new");
    struct stat st;
    assert_int_equal(lstat(at("link"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(entries(base), 2);
}

static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = { ".", "..", "sub/.", "sub/..", "/" };
    assert_int_equal(mkdir(at("sub"), 0755), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        outdir_t od;
        char path[600];
        if (bad[i][0] == '/')
            snprintf(path, sizeof path, "%s", bad[i]);
        else
            snprintf(path, sizeof path, "%s", at(bad[i]));
        engage_error_t err;
        memset(&err, 0, sizeof err);
        if (outdir_begin(&od, path, &err) != ENGAGE_ECANTCREAT)
            fail_msg("%s was accepted", path);
        assert_null(od.tmpdir);
        outdir_fini(&od);
    }
    /* a non-empty folder without manifest.json */
    FILE *fp = fopen(at("sub/notes.txt"), "w");
    assert_non_null(fp);
    fclose(fp);
    outdir_t od;
    assert_int_equal(outdir_begin(&od, at("sub"), NULL), ENGAGE_ECANTCREAT);
    outdir_fini(&od);
    assert_int_equal(entries(at("sub")), 1);
    /* an empty folder is fine */
    assert_int_equal(mkdir(at("empty"), 0755), 0);
    run("empty", "ok", false);
    assert_string_equal(slurp(at("empty/manifest.json")), "ok");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_and_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keeps_mode_of_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
    };
    return cmocka_run_group_tests_name("outdir", tests, NULL, NULL);
}
