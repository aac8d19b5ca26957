/*
 * tests/fuzz/fuzz_config.c — libFuzzer target: arbitrary bytes as the INI
 * config.  Loading must either succeed with a consistent config or fail
 * with a message and a line; never crash, leak or hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/engage-fuzz-config-%d.ini", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    config_t cfg;
    engage_error_t err = {0};
    if (config_init_default(&cfg, &err) != ENGAGE_OK)
        abort();
    engage_status_t st = config_load(&cfg, path, &err);
    if (st == ENGAGE_OK) {
        for (size_t s = 0; s < cfg.n_scales; s++) {
            const config_scale_t *scale = &cfg.scales[s];
            if (!(scale->min < scale->max) || scale->n_items == 0 || !config_scale_labels(&cfg, scale))
                abort();
        }
        if (cfg.min_group < 3)
            abort();
    } else if (!err.message[0]) {
        abort();
    }
    config_fini(&cfg);
    return 0;
}
