/*
 * tests/report/test_outdir.c — the output folder: temporary folder beside
 * OUTDIR, both ways of swapping it into place, abort, the names that are
 * refused, folders holding what no run wrote or the run's inputs, manifests
 * that are not engage's, --force, the marker, stale temporary folders and
 * what a signal removes.
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
#include <sys/wait.h>
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

/* A manifest.json of engage's shape whose version is `tag`, listing `output`
 * (may be NULL) as an output. */
static const char *manifest_of(const char *tag, const char *output)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512,
             "{\"version\": \"%s\", \"arguments\": [\"engage\", \"run\", \"x.csv\"], \"inputs\": [],"
             " \"outputs\": {%s%s%s}}\n",
             tag, output ? "\"" : "", output ? output : "",
             output ? "\": \"0000000000000000000000000000000000000000000000000000000000000000\"" : "");
    return p;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* One run that writes manifest.json (an engage manifest tagged `tag`, which
 * also lists managers.csv) into rel, with the given options. */
static void run_with(const char *rel, const char *tag, bool aside, const outdir_options_t *options)
{
    outdir_t od;
    engage_error_t err;
    memset(&err, 0, sizeof err);
    if (outdir_begin(&od, at(rel), options, &err) != ENGAGE_OK)
        fail_msg("outdir_begin %s: %s", rel, err.message);
    assert_non_null(od.tmpdir);
    assert_non_null(strstr(od.tmpdir, ".tmp-"));
    const char *text = manifest_of(tag, "managers.csv");
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

static void run(const char *rel, const char *tag, bool aside)
{
    run_with(rel, tag, aside, NULL);
}

/* The version tag of the manifest in rel. */
static const char *tag_of(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/manifest.json", rel);
    const char *text = slurp(at(path));
    static char tag[64];
    assert_int_equal(sscanf(text, "{\"version\": \"%63[^\"]\"", tag), 1);
    return tag;
}

/* outdir_begin on rel is refused with 73; the message. */
static const char *refused(const char *rel, const outdir_options_t *options)
{
    static engage_error_t err;
    memset(&err, 0, sizeof err);
    outdir_t od;
    if (outdir_begin(&od, at(rel), options, &err) != ENGAGE_ECANTCREAT)
        fail_msg("%s was accepted", rel);
    assert_null(od.tmpdir);
    outdir_fini(&od);
    return err.message;
}

static void test_fresh_and_replace(void **state)
{
    (void)state;
    run("out", "one", false);
    assert_string_equal(tag_of("out"), "one");
    struct stat st;
    assert_int_equal(stat(at("out"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    run("out", "two", false);
    assert_string_equal(tag_of("out"), "two");
    run("out", "three", true);
    assert_string_equal(tag_of("out"), "three");
    run("fresh-aside", "four", true);
    assert_string_equal(tag_of("fresh-aside"), "four");
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
    assert_int_equal(outdir_begin(&od, at("kept"), NULL, NULL), ENGAGE_OK);
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
    assert_string_equal(tag_of("kept"), "old");
    assert_int_equal(entries(base), 1);
}

static void test_symlink(void **state)
{
    (void)state;
    run("real", "old", false);
    assert_int_equal(symlink("real", at("link")), 0);
    run("link", "new", false);
    assert_string_equal(tag_of("real"), "new");
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
        if (outdir_begin(&od, path, NULL, &err) != ENGAGE_ECANTCREAT)
            fail_msg("%s was accepted", path);
        assert_null(od.tmpdir);
        outdir_fini(&od);
    }
    /* a non-empty folder without manifest.json */
    FILE *fp = fopen(at("sub/notes.txt"), "w");
    assert_non_null(fp);
    fclose(fp);
    outdir_t od;
    assert_int_equal(outdir_begin(&od, at("sub"), NULL, NULL), ENGAGE_ECANTCREAT);
    outdir_fini(&od);
    assert_int_equal(entries(at("sub")), 1);
    /* an empty folder is fine */
    assert_int_equal(mkdir(at("empty"), 0755), 0);
    run("empty", "ok", false);
    assert_string_equal(tag_of("empty"), "ok");
}

/* Only what an earlier run wrote, according to its own manifest, may be
 * replaced: anything else is refused and named, unless forced. */
static void test_foreign(void **state)
{
    (void)state;
    run("out", "one", false);
    write_text(at("out/managers.csv"), "listed in the manifest\n");
    run("out", "two", false);                       /* listed outputs only: replaced */
    write_text(at("out/notes.txt"), "the analyst's\n");
    const char *msg = refused("out", NULL);
    assert_non_null(strstr(msg, "holds what no engage run wrote there: notes.txt;"));
    assert_string_equal(slurp(at("out/notes.txt")), "the analyst's\n");
    assert_string_equal(tag_of("out"), "two");
    /* a hidden file, a subfolder, a symbolic link, and a listed name that
     * is not a regular file */
    write_text(at("out/.hidden"), "x");
    assert_int_equal(mkdir(at("out/sub"), 0755), 0);
    assert_int_equal(symlink("/etc/hostname", at("out/link")), 0);
    assert_int_equal(unlink(at("out/notes.txt")), 0);
    msg = refused("out", NULL);
    assert_non_null(strstr(msg, ": .hidden, link, sub/;"));
    assert_int_equal(unlink(at("out/.hidden")), 0);
    assert_int_equal(unlink(at("out/link")), 0);
    assert_int_equal(rmdir(at("out/sub")), 0);
    assert_int_equal(symlink("/etc/hostname", at("out/managers.csv")), 0);
    assert_non_null(strstr(refused("out", NULL), ": managers.csv;"));
    /* many: five named in byte order, then a count */
    for (int i = 0; i < 12; i++) {
        char name[32];
        snprintf(name, sizeof name, "out/f%02d", i);
        write_text(at(name), "x");
    }
    assert_non_null(strstr(refused("out", NULL), ": f00, f01, f02, f03, f04 and 8 more;"));
    /* --force replaces it all; the link's target is untouched */
    outdir_options_t force = { .force = true };
    run_with("out", "forced", false, &force);
    assert_string_equal(tag_of("out"), "forced");
    assert_int_equal(entries(at("out")), 1);
    assert_int_equal(access("/etc/hostname", F_OK), 0);
}

/* A manifest.json that is not engage's (a browser extension's, JSON that
 * lacks a key engage writes, not JSON at all) makes the folder foreign. */
static void test_other_manifest(void **state)
{
    (void)state;
    static const char *const others[] = {
        "{\"manifest_version\": 3, \"name\": \"An extension\", \"version\": \"1.0\"}\n",
        "{\"version\": \"1\", \"arguments\": [\"engage\"], \"outputs\": {}}\n",
        "{\"version\": \"1\", \"arguments\": [\"engage\"], \"inputs\": [], \"outputs\": {\"a/b\": "
        "\"0000000000000000000000000000000000000000000000000000000000000000\"}}\n",
        "not json\n",
    };
    assert_int_equal(mkdir(at("ext"), 0755), 0);
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        write_text(at("ext/manifest.json"), others[i]);
        if (!strstr(refused("ext", NULL), ": manifest.json;"))
            fail_msg("manifest %zu taken for engage's", i);
        assert_string_equal(slurp(at("ext/manifest.json")), others[i]);
    }
    write_text(at("ext/manifest.json"), manifest_of("mine", NULL));
    run("ext", "replaced", false);
    assert_string_equal(tag_of("ext"), "replaced");
}

/* An OUTDIR holding one of the run's inputs is refused, force or not, however
 * the input is named. */
static void test_inputs(void **state)
{
    (void)state;
    run("q", "one", false);
    write_text(at("q/export.csv"), "respondent_id,manager_id,Q1\n");
    write_text(at("outside.ini"), "[report]\n");
    assert_int_equal(mkdir(at("dir"), 0755), 0);
    assert_int_equal(symlink("../q", at("dir/to-q")), 0);       /* a folder link into q */
    assert_int_equal(symlink("../outside.ini", at("q/cfg.ini")), 0);  /* a link in q to outside */
    char direct[256], via_link[256], via_dots[256], link_in_q[256];
    snprintf(direct, sizeof direct, "%s", at("q/export.csv"));
    snprintf(via_link, sizeof via_link, "%s", at("dir/to-q/export.csv"));
    snprintf(via_dots, sizeof via_dots, "%s", at("dir/../q/./export.csv"));
    snprintf(link_in_q, sizeof link_in_q, "%s", at("q/cfg.ini"));
    const char *const inside[] = { direct, via_link, via_dots, link_in_q };
    outdir_options_t force = { .force = true };
    for (size_t i = 0; i < 4; i++) {
        outdir_input_t in[2] = { { "-", "input" }, { inside[i], i == 3 ? "config" : "input" } };
        outdir_options_t options = { .inputs = in, .n_inputs = 2 };
        const char *msg = refused("q", &options);
        char want[300];
        snprintf(want, sizeof want, "holds this run's %s %s; not replacing it", in[1].role, inside[i]);
        if (!strstr(msg, want))
            fail_msg("%s: %s", inside[i], msg);
        force.inputs = in;
        force.n_inputs = 2;
        refused("q", &force);
        /* also when OUTDIR is named through a link */
        assert_int_equal(symlink("q", at("q-link")), 0);
        options.inputs = in;
        refused("q-link", &options);
        assert_int_equal(unlink(at("q-link")), 0);
    }
    assert_string_equal(slurp(at("q/export.csv")), "respondent_id,manager_id,Q1\n");
    /* an input beside OUTDIR, and one named like it, are fine */
    write_text(at("q.csv"), "x");
    outdir_input_t beside[2] = { { at("q.csv"), "input" }, { at("outside.ini"), "config" } };
    force.inputs = beside;
    run_with("q", "forced", false, &force);
    assert_string_equal(tag_of("q"), "forced");
    assert_int_equal(access(at("outside.ini"), F_OK), 0);
}

/* The marker's host: the host name and the pid namespace. */
static const char *this_host(void)
{
    static char host[256];
    char name[128] = "", ns[64] = "";
    gethostname(name, sizeof name);
    ssize_t n = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
    snprintf(host, sizeof host, "%s %s", name, n > 0 ? ns : "-");
    return host;
}

/* The temporary folder carries a marker naming itself, this host and this
 * process; the finished OUTDIR does not. */
static void test_marker(void **state)
{
    (void)state;
    outdir_t od;
    assert_int_equal(outdir_begin(&od, at("m"), NULL, NULL), ENGAGE_OK);
    char *marker = outdir_path(&od, OUTDIR_MARKER);
    char want[600];
    const char *host = this_host();
    snprintf(want, sizeof want, "engage temporary output folder\nfolder %s\nhost %s\npid %ld\n",
             strrchr(od.tmpdir, '/') + 1, host, (long)getpid());
    assert_string_equal(slurp(marker), want);
    free(marker);
    const char *text = manifest_of("x", NULL);
    assert_int_equal(outdir_write_file(&od, "manifest.json", text, strlen(text), NULL, NULL), ENGAGE_OK);
    assert_int_equal(outdir_commit(&od, NULL), ENGAGE_OK);
    outdir_fini(&od);
    assert_int_equal(entries(at("m")), 1);
    assert_int_equal(access(at("m/" OUTDIR_MARKER), F_OK), -1);
}

/* A pid that ran and has ended. */
static long dead_pid(void)
{
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, NULL, 0), child);
    return (long)child;
}

static void fake_tmp(const char *name, const char *folder, const char *host, long pid,
                     bool subfolder)
{
    char path[256];
    assert_int_equal(mkdir(at(name), 0700), 0);
    snprintf(path, sizeof path, "%s/rejects.csv", name);
    write_text(at(path), "file,line,respondent_id,reason\n");
    if (folder) {
        char text[600];
        snprintf(text, sizeof text, "engage temporary output folder\nfolder %s\nhost %s\npid %ld\n",
                 folder, host, pid);
        snprintf(path, sizeof path, "%s/%s", name, OUTDIR_MARKER);
        write_text(at(path), text);
    }
    if (subfolder) {
        snprintf(path, sizeof path, "%s/kept", name);
        assert_int_equal(mkdir(at(path), 0755), 0);
    }
}

/* A later run removes the stale temporary folders it can prove its own,
 * and nothing else. */
static void test_stale(void **state)
{
    (void)state;
    const char *host = this_host();
    long dead = dead_pid();
    fake_tmp("s.tmp-AAAAAA", "s.tmp-AAAAAA", host, dead, false);   /* stale, ours: removed */
    fake_tmp("s.tmp-BBBBBB", NULL, NULL, 0, false);                /* no marker */
    fake_tmp("s.tmp-CCCCCC", "s.tmp-CCCCCC", host, (long)getpid(), false); /* still running */
    fake_tmp("s.tmp-DDDDDD", "s.tmp-DDDDDD", "elsewhere pid:[1]", dead, false); /* another host */
    fake_tmp("s.tmp-EEEEEE", "s.tmp-AAAAAA", host, dead, false);   /* marker of another folder */
    fake_tmp("s.tmp-FFFFFF", "s.tmp-FFFFFF", host, dead, true);    /* holds a folder */
    fake_tmp("t.tmp-GGGGGG", "t.tmp-GGGGGG", host, dead, false);   /* another OUTDIR's */
    fake_tmp("s.tmp-HHHHHHH", "s.tmp-HHHHHHH", host, dead, false); /* not mkdtemp's name */
    assert_int_equal(symlink("s.tmp-BBBBBB", at("s.tmp-IIIIII")), 0); /* a link */
    /* packs/ of pages: removed with it; packs/ holding a folder: kept */
    fake_tmp("s.tmp-JJJJJJ", "s.tmp-JJJJJJ", host, dead, false);
    assert_int_equal(mkdir(at("s.tmp-JJJJJJ/packs"), 0755), 0);
    write_text(at("s.tmp-JJJJJJ/packs/A.html"), "<html/>\n");
    write_text(at("s.tmp-JJJJJJ/packs/index.html"), "<html/>\n");
    fake_tmp("s.tmp-KKKKKK", "s.tmp-KKKKKK", host, dead, false);
    assert_int_equal(mkdir(at("s.tmp-KKKKKK/packs"), 0755), 0);
    assert_int_equal(mkdir(at("s.tmp-KKKKKK/packs/kept"), 0755), 0);
    run("s", "new", false);
    assert_int_equal(access(at("s.tmp-AAAAAA"), F_OK), -1);
    assert_int_equal(access(at("s.tmp-JJJJJJ"), F_OK), -1);
    static const char *const kept[] = { "s.tmp-BBBBBB", "s.tmp-CCCCCC", "s.tmp-DDDDDD",
                                        "s.tmp-EEEEEE", "s.tmp-FFFFFF", "t.tmp-GGGGGG",
                                        "s.tmp-HHHHHHH", "s.tmp-IIIIII", "s.tmp-KKKKKK" };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (access(at(kept[i]), F_OK) != 0)
            fail_msg("%s was removed", kept[i]);
    assert_int_equal(entries(base), 1 + sizeof kept / sizeof kept[0]);
}

/* What a signal does, in a child process (it ends holding the lock):
 * the temporary folder goes, OUTDIR stays as it was. */
static void test_signal(void **state)
{
    (void)state;
    run("sig", "before", false);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        outdir_t od;
        if (outdir_begin(&od, at("sig"), NULL, NULL) != ENGAGE_OK)
            _exit(2);
        outdir_write_file(&od, "rejects.csv", "R1\n", 3, NULL, NULL);
        _exit(outdir_remove_on_signal() ? 0 : 3);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(entries(base), 1);
    assert_string_equal(tag_of("sig"), "before");
    /* with nothing under way there is nothing to remove */
    child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(outdir_remove_on_signal() ? 3 : 0);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_and_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keeps_mode_of_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signal, setup, teardown),
    };
    return cmocka_run_group_tests_name("outdir", tests, NULL, NULL);
}
