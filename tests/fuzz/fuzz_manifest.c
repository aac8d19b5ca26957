/*
 * tests/fuzz/fuzz_manifest.c — libFuzzer target: bytes as a manifest.json
 * read back by `engage rerun` and `engage verify` (verify_load), then its
 * outputs looked for in a folder that does not hold them.  Any crash, leak
 * or sanitizer report is a finding, as is a failure without a message or a
 * success that lost the arguments.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../report/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *manifest_path(void)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/engage-fuzz-manifest-%d.json", (int)getpid());
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(manifest_path(), "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    verify_manifest_t m;
    engage_error_t err = {0};
    if (verify_load(manifest_path(), &m, &err) == ENGAGE_OK) {
        if (!m.version || !m.arguments)
            abort();
        verify_outputs(&m, "/nonexistent-engage-fuzz");
        for (size_t i = 0; i < m.n_outputs; i++)
            if (m.outputs[i].state != VERIFY_MISSING)
                abort();
    } else if (!err.message[0]) {
        abort();
    }
    verify_fini(&m);
    return 0;
}
