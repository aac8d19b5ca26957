/*
 * tests/ingest/test_ingest.c — ingest of canonical CSV, table-driven.
 *
 * Every case is fed at every chunk size from 1 byte up to the whole input,
 * so a quote, a CRLF or a BOM cut by a read boundary is exercised at every
 * position, and once more through the reading thread.  Each case states the outcome: the status and error line, the
 * row counts, the dataset as text ("id|manager|v1|v2;..." with NA for not
 * answered) and the rejects as "line:reason-prefix".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <glib.h>

#include "../../core/config.h"
#include "../../core/dataset.h"
#include "../../ingest/ingest.h"

typedef struct {
    const char *name;
    const char *input;
    size_t input_len;          /* 0: strlen(input) */
    const char *config;        /* INI text, NULL for the defaults */
    bool strict;
    engage_status_t status;
    long error_line;           /* expected err.line when status != OK */
    const char *error_text;    /* expected substring of the message */
    size_t rows, accepted, rejected, excluded;
    const char *dataset;       /* expected rendering */
    const char *rejects;       /* expected "line:reason prefix;..." */
} ingest_case_t;

static const ingest_case_t CASES[] = {
    {"lf", "respondent_id,manager_id,Q1,Q2\nr1,m1,4,5\nr2,m2,3,\n", 0, NULL, false, ENGAGE_OK, 0, NULL, 2, 2, 0,
     0, "r1|m1|4|5;r2|m2|3|NA", ""},
    {"crlf with bom", "\xEF\xBB\xBFrespondent_id,manager_id,Q1\r\nr1,m1,4\r\nr2,m1,2\r\n", 0, NULL, false,
     ENGAGE_OK, 0, NULL, 2, 2, 0, 0, "r1|m1|4;r2|m1|2", ""},
    {"bare cr", "respondent_id,manager_id,Q1\rr1,m1,4\rr2,m1,8\r", 0, NULL, false, ENGAGE_OK, 0, NULL, 2, 1, 1,
     0, "r1|m1|4", "3:column 'Q1': '8' is outside"},
    {"no final newline", "respondent_id,manager_id,Q1\nr1,m1,1.5", 0, NULL, false, ENGAGE_OK, 0, NULL, 1, 1, 0,
     0, "r1|m1|1.5", ""},
    {"quoted newline and doubled quotes",
     "respondent_id,manager_id,Q1\n\"r\"\"1\",\"m\n1\",4\nr2,m2,9\n", 0, NULL, false, ENGAGE_OK, 0, NULL, 2, 1,
     1, 0, "r\"1|m\n1|4", "4:column 'Q1': '9' is outside"},
    {"blank lines keep line numbers", "respondent_id,manager_id,Q1\n\n   \nr1,m1,4\n\nr2,m1,0\n", 0, NULL, false,
     ENGAGE_OK, 0, NULL, 2, 1, 1, 0, "r1|m1|4", "6:column 'Q1': '0' is outside"},
    {"crlf inside quotes", "respondent_id,manager_id,Q1\r\n\"a\r\nb\",m1,4\r\nr2,,4\r\n", 0, NULL, false,
     ENGAGE_OK, 0, NULL, 2, 1, 1, 0, "a\r\nb|m1|4", "4:no manager"},
    {"field count", "respondent_id,manager_id,Q1\nr1,m1\nr2,m1,3,4\nr3,m1,3\n", 0, NULL, false, ENGAGE_OK, 0,
     NULL, 3, 1, 2, 0, "r3|m1|3", "2:the row has 2 fields;3:the row has 4 fields"},
    {"empty respondent", "respondent_id,manager_id,Q1\n,m1,3\nr1,m1,3\n", 0, NULL, false, ENGAGE_OK, 0, NULL, 2, 1,
     1, 0, "r1|m1|3", "2:no respondent id"},
    {"missing words", "respondent_id,manager_id,Q1,Q2\nr1,m1,N/A,don't know\nr2,m1,-99, 3 \n", 0, NULL, false,
     ENGAGE_OK, 0, NULL, 2, 2, 0, 0, "r1|m1|NA|NA;r2|m1|NA|3", ""},
    {"superseded", "respondent_id,manager_id,Q1\nr1,m1,1\nr2,m1,2\nr1,m2,3\n", 0, NULL, false, ENGAGE_OK, 0, NULL,
     3, 2, 0, 1, "r2|m1|2;r1|m2|3", "2:superseded by a later response"},
    {"unknown label", "id,team,Q1,Q2\n1,a,Strongly agree,5 - strongly agree\n2,a, AGREE ,Agree (4)\n3,a,Meh,1\n", 0,
     "[input]\nrespondent = id\nmanager = team\n[labels]\nStrongly agree = 5\nAgree = 4\n"
     "[scale engagement]\nitems = Q1, Q2\n",
     false, ENGAGE_EDATA, 0, "1 answer matches no label:",
     0, 0, 0, 0, NULL, NULL},
    {"labels", "id,team,Q1,Q2\n1,a,Strongly agree,5 - strongly agree\n2,a, AGREE ,Agree (4)\n3,a,Agree,7\n", 0,
     "[input]\nrespondent = id\nmanager = team\n[labels]\nStrongly agree = 5\nAgree = 4\n"
     "[scale engagement]\nitems = Q1, Q2\n",
     false, ENGAGE_OK, 0, NULL, 3, 2, 1, 0, "1|a|5|5;2|a|4|4", "4:column 'Q2': '7' is outside"},
    {"quoted item names and extra columns",
     "respondent_id,manager_id,\"Q3, with a comma\",Comment,Q1\nr1,m1,2,\"free, text\",4\n", 0,
     "[scale engagement]\nitems = Q1, \"Q3, with a comma\"\nreverse = Q1\n", false, ENGAGE_OK, 0, NULL, 1, 1, 0,
     0, "r1|m1|4|2", ""},
    {"strict", "respondent_id,manager_id,Q1\nr1,m1,4\nr2,m1,7\n", 0, NULL, true, ENGAGE_EDATA, 3,
     "column 'Q1': '7' is outside", 0, 0, 0, 0, NULL, NULL},
    {"unterminated quote", "respondent_id,manager_id,Q1\nr1,m1,4\nr2,\"m1,4\nr3,m1,4\n", 0, NULL, false,
     ENGAGE_EDATA, 3, "unterminated quoted field", 0, 0, 0, 0, NULL, NULL},
    {"unterminated quote at end", "respondent_id,manager_id,Q1\nr1,m1,\"4", 0, NULL, false, ENGAGE_EDATA, 2,
     "unterminated quoted field", 0, 0, 0, 0, NULL, NULL},
    {"malformed quote", "respondent_id,manager_id,Q1\nr1,m\"1,4\n", 0, NULL, false, ENGAGE_EDATA, 2,
     "malformed quoting", 0, 0, 0, 0, NULL, NULL},
    {"nul byte", "respondent_id,manager_id,Q1\nr1,m1,4\nr2\0,m1,4\n", 45, NULL, false, ENGAGE_EDATA, 3,
     "binary data", 0, 0, 0, 0, NULL, NULL},
    {"empty file", "", 0, NULL, false, ENGAGE_EDATA, 0, "empty file", 0, 0, 0, 0, NULL, NULL},
    {"bom only", "\xEF\xBB\xBF", 0, NULL, false, ENGAGE_EDATA, 0, "empty file", 0, 0, 0, 0, NULL, NULL},
    {"header only", "respondent_id,manager_id,Q1\n", 0, NULL, false, ENGAGE_EDATA, 0, "no data rows", 0, 0, 0, 0,
     NULL, NULL},
    {"missing manager column", "respondent_id,team,Q1\nr1,m1,4\n", 0, NULL, false, ENGAGE_EDATA, 1,
     "required column 'manager_id' is missing", 0, 0, 0, 0, NULL, NULL},
    {"scale names absent column", "respondent_id,manager_id,Q1\nr1,m1,4\n", 0,
     "[report]\nmin_group = 3\n\n[scale engagement]\nitems = Q1, Q9\n", false, ENGAGE_ECONFIG, 5,
     "names column 'Q9'", 0, 0, 0, 0, NULL, NULL},
    {"item column named twice", "respondent_id,manager_id,Q1,Q2,Q1\nr1,m1,3,4,5\n", 0, NULL, false, ENGAGE_EDATA,
     1, "column 'Q1' appears twice in the header", 0, 0, 0, 0, NULL, NULL},
    {"id column named twice", "respondent_id,Q1,manager_id,respondent_id\nr1,3,m1,r2\n", 0, NULL, false,
     ENGAGE_EDATA, 1, "column 'respondent_id' appears twice in the header", 0, 0, 0, 0, NULL, NULL},
    {"an ignored column may be named twice", "respondent_id,manager_id,Note,Q1,Note\nr1,m1,x,3,y\n", 0,
     "[scale engagement]\nitems = Q1\n", false, ENGAGE_OK, 0, NULL, 1, 1, 0, 0, "r1|m1|3", ""},
    {"every row rejected", "respondent_id,manager_id,Q1\nr1,,4\n", 0, NULL, false, ENGAGE_EDATA, 2,
     "no usable rows", 0, 0, 0, 0, NULL, NULL},
    {"utf-16le with bom",
     "\xFF\xFEr\0" "e\0s\0p\0o\0n\0" "d\0" "e\0n\0t\0_\0i\0" "d\0,\0m\0" "a\0n\0" "a\0g\0" "e\0r\0_\0i\0"
     "d\0,\0Q\0" "1\0\x0A\0r\0" "1\0,\0m\0" "1\0,\0" "4\0\x0A\0",
     74, NULL, false, ENGAGE_OK, 0, NULL, 1, 1, 0, 0, "r1|m1|4", ""},

    /* Survey tools' layouts (see ingest/formats.h). */
    {"qualtrics: three header rows, preview and spam excluded, -99 missing",
     "StartDate,EndDate,Status,Progress,Finished,ResponseId,Q1_1,Q1_2,Manager\n"
     "Start Date,End Date,Response Type,Progress,Finished,Response ID,\"How much? - I am proud\",\"How much? - I stay\",Manager\n"
     "\"{\"\"ImportId\"\":\"\"startDate\"\"}\",\"{\"\"ImportId\"\":\"\"endDate\"\"}\",\"{\"\"ImportId\"\":\"\"status\"\"}\","
     "\"{\"\"ImportId\"\":\"\"progress\"\"}\",\"{\"\"ImportId\"\":\"\"finished\"\"}\",\"{\"\"ImportId\"\":\"\"_recordId\"\"}\","
     "\"{\"\"ImportId\"\":\"\"QID1_1\"\"}\",\"{\"\"ImportId\"\":\"\"QID1_2\"\"}\",\"{\"\"ImportId\"\":\"\"Manager\"\"}\"\n"
     "2026-09-14,2026-09-14,IP Address,100,1,R_a,4,5,M1\n"
     "2026-09-14,2026-09-14,Survey Preview,100,1,R_b,1,1,M1\n"
     "2026-09-14,2026-09-14,IP Address,50,0,R_c,-99,2,M2\n"
     "2026-09-14,2026-09-14,Spam,100,1,R_d,1,1,M2\n",
     0, "[input]\nmanager = Manager\n[scale engagement]\nitems = Q1_1, Q1_2\n", false, ENGAGE_OK, 0, NULL, 4, 2,
     0, 2, "R_a|M1|4|5;R_c|M2|NA|2", "5:a survey preview (Status = Survey Preview);7:marked as spam"},
    {"qualtrics: no import-id row, numeric status",
     "StartDate,EndDate,Status,ResponseId,Q1,Manager\nStart Date,End Date,Response Type,Response ID,Q one,Manager\n"
     "x,y,0,R_1,3,M1\nx,y,1,R_2,4,M1\nx,y,2,R_3,4,M1\nx,y,8,R_4,4,M1\n",
     0, "[input]\nmanager = Manager\n[scale engagement]\nitems = Q1\n", false, ENGAGE_OK, 0, NULL, 4, 1, 0, 3,
     "R_1|M1|3", "4:a survey preview (Status = 1);5:a survey test (Status = 2);6:marked as spam (Status = 8)"},
    {"qualtrics legacy: BOM, V columns, trailing empty column, choice text",
     "\xEF\xBB\xBFV1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1_1,Q1_2,Manager,\r\n"
     "ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,Status,StartDate,EndDate,Finished,"
     "\"Q - I am proud\",\"Q - I stay\",Manager,\r\n"
     "R_1,Default,,,,1.2.3.4,0,x,y,1,Agree,Strongly agree,M1,\r\n"
     "R_2,Default,,,,1.2.3.4,1,x,y,1,Agree,Agree,M1,\r\n"
     "R_3,Default,,,,1.2.3.4,0,x,y,0,,Strongly Disagree,M2,\r\n",
     0, "[input]\nformat = qualtrics\nmanager = Manager\n[labels]\nStrongly disagree = 1\nAgree = 4\nStrongly agree = 5\n"
     "[scale engagement]\nitems = Q1_1, Q1_2\n", false, ENGAGE_OK, 0, NULL, 3, 2, 0, 1, "R_1|M1|4|5;R_3|M2|NA|1",
     "4:a survey preview (Status = 1)"},
    {"surveymonkey: empty cells continue a question, statements name the columns",
     "Respondent ID,Collector ID,Start Date,End Date,Custom Data 1,How much do you agree?,,Tenure,Comments,"
     "How do you feel?,\n"
     ",,,,,I am proud,\"I stay, mostly\",response,Open-Ended Response,RESPONSE,Other (please specify)\n"
     "1001,77,x,y,M1,Agree,Disagree,1-3 years,fine,5,\n"
     "1002,77,x,y,M1,Strongly agree,,4+ years,,4,tired\n",
     0, "[input]\nmanager = Custom Data 1\n[labels]\nDisagree = 2\nAgree = 4\nStrongly agree = 5\n"
     "[scale engagement]\nitems = How much do you agree? - I am proud, \"How much do you agree? - I stay, mostly\"\n"
     "[scale feeling]\nitems = How do you feel?\n",
     false, ENGAGE_OK, 0, NULL, 2, 2, 0, 0, "1001|M1|4|2|5;1002|M1|5|NA|4", ""},
    {"google forms: translated Timestamp, grid columns, the row number as id",
     "Marca temporal,Email address,Your manager,Q [I am proud],Q [I stay]\n"
     "2026/09/14 9:03:51 AM GMT+1,a@x.com,M1,Agree,Agree\n"
     "2026/09/14 9:04:10 AM GMT+1,b@x.com,M2,Strongly agree,Disagree\n",
     0, "[input]\nmanager = Your manager\n[labels]\nDisagree = 2\nAgree = 4\nStrongly agree = 5\n"
     "[scale engagement]\nitems = Q [I am proud], Q [I stay]\n",
     false, ENGAGE_OK, 0, NULL, 2, 2, 0, 0, "1|M1|4|4;2|M2|5|2", ""},
    {"microsoft forms: ID is the id",
     "ID,Start time,Completion time,Email,Name,Last modified time,Team,I am proud,I stay\n"
     "7,9/14/26 9:03:51,9/14/26 9:05:00,a@x.com,A,,M1,Agree,Agree\n"
     "8,9/14/26 9:03:51,9/14/26 9:05:00,b@x.com,B,,M1,Agree,\n",
     0, "[input]\nmanager = Team\n[labels]\nAgree = 4\n[scale engagement]\nitems = I am proud, I stay\n",
     false, ENGAGE_OK, 0, NULL, 2, 2, 0, 0, "7|M1|4|4;8|M1|4|NA", ""},
    {"limesurvey codes: BOM, semicolons sniffed, all quoted, CRLF, unsubmitted excluded",
     "\xEF\xBB\xBF\"id\";\"submitdate\";\"lastpage\";\"startlanguage\";\"seed\";\"Q1[SQ001]\";\"Q1[SQ002]\";\"manager\"\r\n"
     "\"1\";\"2026-09-14 09:00:00\";\"2\";\"en\";\"123\";\"A4\";\"A5\";\"M1\"\r\n"
     "\"2\";\"\";\"1\";\"en\";\"124\";\"A1\";\"\";\"M1\"\r\n"
     "\"3\";\"2026-09-14 09:10:00\";\"2\";\"en\";\"125\";\"A2\";\"A3\";\"M2\"\r\n",
     0, "[input]\nmanager = manager\n[labels]\nA1 = 1\nA2 = 2\nA3 = 3\nA4 = 4\nA5 = 5\n"
     "[scale engagement]\nitems = Q1[SQ001], Q1[SQ002]\n",
     false, ENGAGE_OK, 0, NULL, 3, 2, 0, 1, "1|M1|4|5;3|M2|2|3",
     "3:incomplete response: never submitted (submitdate is empty)"},
    {"limesurvey full text headings",
     "\"Response ID\",\"Date submitted\",\"Last page\",\"Q [I am proud]\",\"Manager\"\r\n"
     "\"1\",\"2026-09-14\",\"2\",\"Agree\",\"M1\"\r\n\"2\",\"\",\"1\",\"Agree\",\"M1\"\r\n",
     0, "[input]\nmanager = Manager\n[labels]\nAgree = 4\n[scale engagement]\nitems = Q [I am proud]\n",
     false, ENGAGE_OK, 0, NULL, 2, 1, 0, 1, "1|M1|4", "3:incomplete response: never submitted (Date submitted"},
    {"configured format does not match", "StartDate,EndDate,Status,ResponseId,Q1,Manager\nx,y,0,R_1,3,M1\n", 0,
     "[input]\nformat = surveymonkey\nmanager = Manager\n[scale engagement]\nitems = Q1\n", false, ENGAGE_EDATA, 1,
     "the config says format = surveymonkey, but this is a Qualtrics export", 0, 0, 0, 0, NULL, NULL},
    {"configured tool, canonical file", "respondent,team,Q1\nr1,m1,3\n", 0,
     "[input]\nformat = msforms\n[scale engagement]\nitems = Q1\n", false, ENGAGE_EDATA, 1,
     "not a msforms export: its first row lacks ID, Start time", 0, 0, 0, 0, NULL, NULL},
    {"a tool's export needs a manager column", "ID,Start time,Completion time,Email,Q1\n1,x,y,a@x.com,3\n", 0,
     "[scale engagement]\nitems = Q1\n", false, ENGAGE_ECONFIG, 0,
     "a Microsoft Forms export has no manager column of its own", 0, 0, 0, 0, NULL, NULL},
    {"a tool's export needs configured scales", "ID,Start time,Completion time,Email,Q1\n1,x,y,a@x.com,3\n", 0,
     "[input]\nmanager = Email\n", false, ENGAGE_ECONFIG, 1, "a Microsoft Forms export needs a config", 0, 0, 0, 0,
     NULL, NULL},
    {"a canonical archive reads back under a tool's config",
     "respondent_id,manager_id,Q1_1\nR_1,M1,4\n", 0,
     "[input]\nformat = qualtrics\nmanager = Manager\n[scale engagement]\nitems = Q1_1\n", false, ENGAGE_OK, 0,
     NULL, 1, 1, 0, 0, "R_1|M1|4", ""},
    {"ids are text: leading zeros kept", "ID,Start time,Completion time,Email,Team,Q1\n007,x,y,a@x.com,0012,4\n"
     "7,x,y,b@x.com,012,3\n", 0, "[input]\nmanager = Team\n[scale engagement]\nitems = Q1\n", false, ENGAGE_OK, 0,
     NULL, 2, 2, 0, 0, "007|0012|4;7|012|3", ""},
    {"semicolons sniffed past quoted commas", "respondent_id;manager_id;\"Q1, again\"\nr1;m1;4\nr2;\"m;2\";3\n", 0,
     "[scale engagement]\nitems = \"Q1, again\"\n", false, ENGAGE_OK, 0, NULL, 2, 2, 0, 0, "r1|m1|4;r2|m;2|3", ""},
    {"unknown answers are collected, not rejected",
     "respondent_id,manager_id,Q1,Q2\nr1,m1,Agree,Meh\nr2,m1,Meh,Nope\nr3,m1,Agree,4\n", 0,
     "[labels]\nAgree = 4\n[scale engagement]\nitems = Q1, Q2\n", false, ENGAGE_EDATA, 0,
     "2 answers match no label:", 0, 0, 0, 0, NULL, NULL},
};

static void render_dataset(const dataset_t *ds, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t r = 0; r < dataset_n_respondents(ds); r++) {
        used += (size_t)snprintf(out + used, size - used, "%s%s|%s", r ? ";" : "", dataset_respondent_id(ds, r),
                                 dataset_manager_id(ds, dataset_manager_of(ds, r)));
        for (size_t c = 0; c < dataset_n_columns(ds); c++) {
            double v = dataset_value(ds, r, c);
            if (isnan(v))
                used += (size_t)snprintf(out + used, size - used, "|NA");
            else
                used += (size_t)snprintf(out + used, size - used, "|%g", v);
        }
    }
}

/* Check every "line:prefix" of expected against the log, in order. */
static void check_rejects(const ingest_log_t *log, const char *expected)
{
    char *copy = strdup(expected);
    size_t i = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save), i++) {
        assert_true(i < log->n_rejects);
        char *colon = strchr(item, ':');
        assert_non_null(colon);
        *colon = '\0';
        assert_int_equal(atol(item), log->rejects[i].line);
        assert_memory_equal(colon + 1, log->rejects[i].reason, strlen(colon + 1));
    }
    assert_int_equal(i, log->n_rejects);
    free(copy);
}

static char *write_temp_config(const char *text)
{
    char *path = strdup("/tmp/engage-test-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void run_case(const ingest_case_t *tc, const void *bytes, size_t len, size_t chunk)
{
    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    char *config_path = NULL;
    if (tc->config) {
        config_path = write_temp_config(tc->config);
        assert_int_equal(config_load(&cfg, config_path, &err), ENGAGE_OK);
    }
    dataset_t *ds = dataset_new();
    ingest_log_t log;
    ingest_log_init(&log);
    ingest_options_t options = {.strict = tc->strict, .chunk = chunk};
    engage_status_t st = ingest_read_memory(&cfg, "case.csv", bytes, len, &options, ds, &log, &err);
    if (st != tc->status)
        fail_msg("case '%s' chunk %zu: status %d, expected %d (%s)", tc->name, chunk, st, tc->status, err.message);
    if (st != ENGAGE_OK) {
        if (err.line != tc->error_line || !strstr(err.message, tc->error_text))
            fail_msg("case '%s' chunk %zu: error at line %ld '%s', expected line %ld '%s'", tc->name, chunk,
                     err.line, err.message, tc->error_line, tc->error_text);
    } else {
        assert_int_equal(log.n_files, 1);
        assert_int_equal(log.files[0].rows, tc->rows);
        assert_int_equal(log.files[0].accepted, tc->accepted);
        assert_int_equal(log.files[0].rejected, tc->rejected);
        assert_int_equal(log.files[0].excluded, tc->excluded);
        assert_int_equal(log.files[0].rows,
                         log.files[0].accepted + log.files[0].rejected + log.files[0].excluded);
        char rendered[4096];
        render_dataset(ds, rendered, sizeof rendered);
        if (strcmp(rendered, tc->dataset) != 0)
            fail_msg("case '%s' chunk %zu: dataset '%s', expected '%s'", tc->name, chunk, rendered, tc->dataset);
        check_rejects(&log, tc->rejects);
    }
    ingest_log_fini(&log);
    dataset_free(ds);
    config_fini(&cfg);
    if (config_path) {
        unlink(config_path);
        free(config_path);
    }
}

static void test_cases_at_every_chunk_size(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        const ingest_case_t *tc = &CASES[i];
        size_t len = tc->input_len ? tc->input_len : strlen(tc->input);
        for (size_t chunk = 1; chunk <= len + 1; chunk++)
            run_case(tc, tc->input, len, chunk);
        run_case(tc, tc->input, len, 0); /* whole input, reading thread */
    }
}

/* gzip `len` bytes of text as one member into out; returns its size. */
static size_t gzip_bytes(const char *text, size_t len, unsigned char *out, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)text;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

/* Ingest bytes with the default config; *bytes_read and sha256 (may be
 * NULL) receive what the log says of the file. */
static engage_status_t ingest_once(const void *bytes, size_t len, engage_error_t *err, uint64_t *bytes_read,
                                   char sha256[65])
{
    config_t cfg;
    assert_int_equal(config_init_default(&cfg, err), ENGAGE_OK);
    dataset_t *ds = dataset_new();
    ingest_log_t log;
    ingest_log_init(&log);
    engage_status_t st = ingest_read_memory(&cfg, "once.csv", bytes, len, NULL, ds, &log, err);
    if (bytes_read)
        *bytes_read = log.n_files ? log.files[0].bytes : 0;
    if (sha256)
        strcpy(sha256, log.n_files ? log.files[0].sha256 : "");
    ingest_log_fini(&log);
    dataset_free(ds);
    config_fini(&cfg);
    return st;
}

static void test_gzip_single_multi_member_and_truncated(void **state)
{
    (void)state;
    const char *head = "respondent_id,manager_id,Q1\nr1,m1,4\n";
    const char *tail = "r2,m1,\"2\"\nr3,m2,5\n";
    unsigned char gz[1024];
    size_t n1 = gzip_bytes(head, strlen(head), gz, sizeof gz);
    size_t n2 = gzip_bytes(tail, strlen(tail), gz + n1, sizeof gz - n1);
    ingest_case_t tc = {"gzip two members", NULL, 0, NULL, false, ENGAGE_OK, 0, NULL, 3, 3, 0, 0,
                        "r1|m1|4;r2|m1|2;r3|m2|5", ""};
    for (size_t chunk = 1; chunk <= n1 + n2 + 1; chunk++)
        run_case(&tc, gz, n1 + n2, chunk);
    run_case(&tc, gz, n1 + n2, 0);

    /* Cut inside the last member's trailer: the error line is where reading
     * stopped, so only the message is fixed. */
    for (size_t cut = 1; cut < 9; cut++) {
        engage_error_t err = {0};
        assert_int_equal(ingest_once(gz, n1 + n2 - cut, &err, NULL, NULL), ENGAGE_EDATA);
        assert_non_null(strstr(err.message, "truncated"));
    }

    /* scrambled deflate data: unusable, whatever inflate makes of it */
    unsigned char bad[1024];
    memcpy(bad, gz, n1);
    for (size_t i = 12; i < n1 - 8; i++)
        bad[i] ^= 0x5a;
    engage_error_t err = {0};
    assert_int_equal(ingest_once(bad, n1, &err, NULL, NULL), ENGAGE_EDATA);

    /* a wrong CRC in the trailer */
    memcpy(bad, gz, n1);
    bad[n1 - 8] ^= 1;
    assert_int_equal(ingest_once(bad, n1, &err, NULL, NULL), ENGAGE_EDATA);
    assert_non_null(strstr(err.message, "corrupt gzip data (incorrect data check)"));
}

static void test_sha256_and_bytes_of_stored_input(void **state)
{
    (void)state;
    const char *text = "respondent_id,manager_id,Q1\nr1,m1,4\n";
    engage_error_t err = {0};
    uint64_t bytes;
    char sha256[65];
    assert_int_equal(ingest_once(text, strlen(text), &err, &bytes, sha256), ENGAGE_OK);
    assert_int_equal(bytes, strlen(text));
    /* printf 'respondent_id,manager_id,Q1\nr1,m1,4\n' | sha256sum */
    assert_string_equal(sha256, "1ed7951b4310e0386cf59bf38737a1c3de17d0fbc8015a89fad4f590fb1577ee");
}

/* Read text with the default config (or cfg_text) and at most `listed`
 * rows per reason in the log. */
static engage_status_t ingest_listing(const char *text, size_t len, const char *cfg_text, size_t listed,
                                      ingest_log_t *log)
{
    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    char *config_path = NULL;
    if (cfg_text) {
        config_path = write_temp_config(cfg_text);
        assert_int_equal(config_load(&cfg, config_path, &err), ENGAGE_OK);
    }
    dataset_t *ds = dataset_new();
    ingest_log_init(log);
    ingest_options_t options = {.rejects_listed = listed};
    engage_status_t st = ingest_read_memory(&cfg, "listed.csv", text, len, &options, ds, log, &err);
    dataset_free(ds);
    config_fini(&cfg);
    if (config_path) {
        unlink(config_path);
        free(config_path);
    }
    return st;
}

/* Five rows with a wrong field count, three without a manager, an id
 * given four times, two good rows. */
static const char MIXED[] = "respondent_id,manager_id,Q1\n"
                            "a1,m1\na2,m1\nd,m1,1\na3,m1\nd,m1,2\na4,m1\na5,m1\n"
                            "b1,,3\nb2,,3\nd,m2,3\nb3,,3\nd,m3,4\ngood,m1,5\n";

static void test_log_lists_at_most_the_cap_per_reason(void **state)
{
    (void)state;
    ingest_log_t log;
    assert_int_equal(ingest_listing(MIXED, strlen(MIXED), NULL, 2, &log), ENGAGE_OK);
    assert_int_equal(log.files[0].rows, 13);
    assert_int_equal(log.files[0].rejected, 8);      /* the full counts */
    assert_int_equal(log.files[0].excluded, 3);
    assert_int_equal(log.files[0].accepted, 2);
    assert_int_equal(log.listed[INGEST_REASON_FIELD_COUNT], 2);
    assert_int_equal(log.unlisted[INGEST_REASON_FIELD_COUNT], 3);
    assert_int_equal(log.listed[INGEST_REASON_NO_MANAGER], 2);
    assert_int_equal(log.unlisted[INGEST_REASON_NO_MANAGER], 1);
    assert_int_equal(log.listed[INGEST_REASON_SUPERSEDED], 2);
    assert_int_equal(log.unlisted[INGEST_REASON_SUPERSEDED], 1);
    for (int k = 0; k < INGEST_N_REASONS; k++)
        if (k != INGEST_REASON_FIELD_COUNT && k != INGEST_REASON_NO_MANAGER && k != INGEST_REASON_SUPERSEDED)
            assert_int_equal(log.listed[k] + log.unlisted[k], 0);
    /* the first found of each reason, in line order */
    static const struct { long line; ingest_reason_t kind; const char *id; } want[] = {
        {2, INGEST_REASON_FIELD_COUNT, "a1"}, {3, INGEST_REASON_FIELD_COUNT, "a2"},
        {4, INGEST_REASON_SUPERSEDED, "d"},   {6, INGEST_REASON_SUPERSEDED, "d"},
        {9, INGEST_REASON_NO_MANAGER, "b1"},  {10, INGEST_REASON_NO_MANAGER, "b2"},
    };
    assert_int_equal(log.n_rejects, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(log.rejects[i].line, want[i].line);
        assert_int_equal(log.rejects[i].kind, want[i].kind);
        assert_string_equal(log.rejects[i].respondent_id, want[i].id);
        assert_int_equal(log.rejects[i].excluded, want[i].kind == INGEST_REASON_SUPERSEDED);
    }
    assert_string_equal(log.rejects[3].reason,
                        "superseded by a later response with the same respondent id (listed.csv:11)");
    ingest_log_fini(&log);

    /* SIZE_MAX lists every row */
    assert_int_equal(ingest_listing(MIXED, strlen(MIXED), NULL, SIZE_MAX, &log), ENGAGE_OK);
    assert_int_equal(log.n_rejects, 11);
    for (int k = 0; k < INGEST_N_REASONS; k++)
        assert_int_equal(log.unlisted[k], 0);
    assert_int_equal(log.listed[INGEST_REASON_FIELD_COUNT], 5);
    assert_int_equal(log.listed[INGEST_REASON_NO_MANAGER], 3);
    assert_int_equal(log.listed[INGEST_REASON_SUPERSEDED], 3);
    ingest_log_fini(&log);
}

static void test_default_cap_is_100000_per_reason(void **state)
{
    (void)state;
    /* 100,003 rows without a manager and 5 out of range, then one good row */
    size_t n_bad = INGEST_REJECTS_LISTED + 3;
    size_t cap = 64 + (n_bad + 6) * 16;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t used = (size_t)snprintf(text, cap, "respondent_id,manager_id,Q1\n");
    for (size_t i = 0; i < n_bad; i++)
        used += (size_t)snprintf(text + used, cap - used, "r%zu,,3\n", i);
    for (size_t i = 0; i < 5; i++)
        used += (size_t)snprintf(text + used, cap - used, "s%zu,m,9\n", i);
    used += (size_t)snprintf(text + used, cap - used, "ok,m,4\n");
    ingest_log_t log;
    assert_int_equal(ingest_listing(text, used, NULL, 0, &log), ENGAGE_OK);
    assert_int_equal(log.files[0].rejected, n_bad + 5);
    assert_int_equal(log.listed[INGEST_REASON_NO_MANAGER], INGEST_REJECTS_LISTED);
    assert_int_equal(log.unlisted[INGEST_REASON_NO_MANAGER], 3);
    assert_int_equal(log.listed[INGEST_REASON_OUT_OF_RANGE], 5);
    assert_int_equal(log.unlisted[INGEST_REASON_OUT_OF_RANGE], 0);
    assert_int_equal(log.n_rejects, INGEST_REJECTS_LISTED + 5);
    assert_string_equal(log.rejects[INGEST_REJECTS_LISTED - 1].respondent_id, "r99999");
    assert_string_equal(log.rejects[INGEST_REJECTS_LISTED].respondent_id, "s0");
    ingest_log_fini(&log);
    free(text);
}

/* The kinds of the survey tools' excluded rows, each capped on its own. */
static void test_excluded_kinds_are_capped_apart(void **state)
{
    (void)state;
    const char *text = "StartDate,EndDate,Status,ResponseId,Q1,Manager\n"
                       "Start Date,End Date,Response Type,Response ID,Q one,Manager\n"
                       "x,y,1,R_1,3,M1\nx,y,Survey Preview,R_2,3,M1\nx,y,2,R_3,3,M1\nx,y,8,R_4,3,M1\n"
                       "x,y,Spam,R_5,3,M1\nx,y,0,R_6,3,M1\n";
    ingest_log_t log;
    assert_int_equal(ingest_listing(text, strlen(text), "[input]\nmanager = Manager\n[scale e]\nitems = Q1\n", 1,
                                    &log),
                     ENGAGE_OK);
    assert_int_equal(log.files[0].excluded, 5);
    assert_int_equal(log.listed[INGEST_REASON_PREVIEW], 1);
    assert_int_equal(log.unlisted[INGEST_REASON_PREVIEW], 1);
    assert_int_equal(log.listed[INGEST_REASON_TEST], 1);
    assert_int_equal(log.unlisted[INGEST_REASON_TEST], 0);
    assert_int_equal(log.listed[INGEST_REASON_SPAM], 1);
    assert_int_equal(log.unlisted[INGEST_REASON_SPAM], 1);
    assert_int_equal(log.n_rejects, 3);
    assert_string_equal(log.rejects[0].reason, "a survey preview (Status = 1)");
    assert_true(log.rejects[0].excluded);
    ingest_log_fini(&log);
}

/* Unknown answers are one each the way labels match (label set, text
 * ignoring case and surrounding spaces), with their count, first line and
 * columns (three named, in column order, then how many more). */
static void test_unknown_answers_listed_once_each(void **state)
{
    (void)state;
    static const char INPUT[] = "respondent_id,manager_id,Q1,Q2,Q3,Q4,F1\n"
                                "r1,m1,Agree,Meh,Agree,Agree,Often\n"
                                "r2,m1, MEH ,meh,Meh,Agree,Meh\n"
                                "r3,m1,Agree,Agree,Agree,meh ,often\n"
                                "r4,m1,Agree,Sort of,Agree,Agree,Always\n";
    static const char CONFIG[] = "[labels]\nAgree = 4\n[labels frequency]\nAlways = 5\n"
                                 "[scale engagement]\nitems = Q1, Q2, Q3, Q4\n"
                                 "[scale frequency]\nitems = F1\nlabels = frequency\n";
    ingest_log_t log;
    assert_int_equal(ingest_listing(INPUT, strlen(INPUT), CONFIG, 0, &log), ENGAGE_EDATA);
    static const struct {
        const char *answer, *label_set;
        long line;
        size_t count, n_columns;
        const char *columns[INGEST_UNKNOWN_COLUMNS_NAMED];
        const char *line_text;
    } want[] = {
        {"Meh", "", 2, 5, 4, {"Q1", "Q2", "Q3"}, "'Meh': 5 times, columns Q1, Q2, Q3 and 1 more"},
        {"Often", "frequency", 2, 2, 1, {"F1", NULL, NULL}, "'Often': 2 times, column F1 (labels frequency)"},
        {"Meh", "frequency", 3, 1, 1, {"F1", NULL, NULL}, "'Meh': once, column F1 (labels frequency)"},
        {"Sort of", "", 5, 1, 1, {"Q2", NULL, NULL}, "'Sort of': once, column Q2"},
    };
    assert_int_equal(log.n_unknowns, 4);
    assert_int_equal(log.unlisted_unknowns, 0);
    for (size_t i = 0; i < 4; i++) {
        const ingest_unknown_t *u = &log.unknowns[i];
        assert_string_equal(u->answer, want[i].answer);
        assert_string_equal(u->label_set, want[i].label_set);
        assert_int_equal(u->line, want[i].line);
        assert_int_equal(u->count, want[i].count);
        assert_int_equal(u->n_columns, want[i].n_columns);
        for (size_t c = 0; c < INGEST_UNKNOWN_COLUMNS_NAMED; c++) {
            if (want[i].columns[c])
                assert_string_equal(u->columns[c], want[i].columns[c]);
            else
                assert_null(u->columns[c]);
        }
        engage_error_t line = {0};
        ingest_unknown_describe(&log, i, &line);
        assert_int_equal(line.status, ENGAGE_EDATA);
        assert_string_equal(line.file, "listed.csv");
        assert_int_equal(line.line, want[i].line);
        assert_string_equal(line.message, want[i].line_text);
    }
    ingest_log_fini(&log);
}

/* Past INGEST_MAX_UNKNOWN distinct answers only cells are counted. */
static void test_unknown_answers_past_the_cap_are_counted(void **state)
{
    (void)state;
    GString *input = g_string_new("respondent_id,manager_id,Q1,Q2\n");
    /* 150 distinct answers in Q1; the first 100 again in Q2; the last 50
     * again in Q2 (each of these a further cell past the cap) */
    for (int i = 0; i < 150; i++)
        g_string_append_printf(input, "r%d,m1,answer %d,answer %d\n", i, i, i);
    ingest_log_t log;
    assert_int_equal(ingest_listing(input->str, input->len, NULL, 0, &log), ENGAGE_EDATA);
    assert_int_equal(log.n_unknowns, INGEST_MAX_UNKNOWN);
    assert_int_equal(log.unlisted_unknowns, 2 * (150 - INGEST_MAX_UNKNOWN));
    assert_string_equal(log.unknowns[99].answer, "answer 99");
    assert_int_equal(log.unknowns[99].count, 2);
    assert_int_equal(log.unknowns[99].n_columns, 2);
    ingest_log_fini(&log);
    g_string_free(input, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_at_every_chunk_size),
        cmocka_unit_test(test_gzip_single_multi_member_and_truncated),
        cmocka_unit_test(test_sha256_and_bytes_of_stored_input),
        cmocka_unit_test(test_log_lists_at_most_the_cap_per_reason),
        cmocka_unit_test(test_default_cap_is_100000_per_reason),
        cmocka_unit_test(test_excluded_kinds_are_capped_apart),
        cmocka_unit_test(test_unknown_answers_listed_once_each),
        cmocka_unit_test(test_unknown_answers_past_the_cap_are_counted),
    };
    return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}
