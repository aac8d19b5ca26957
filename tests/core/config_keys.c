/*
 * tests/core/config_keys.c — prints the parser's table of keys (CONFIG_KEYS
 * of core/config.h), one "section key" per line, for tests/e2e_doc.sh to set
 * against the keys doc/engage.ini.5 documents.  Not a cmocka suite: it only
 * prints.
 */
#include <stdio.h>

#include "../../core/config.h"

int main(void)
{
    for (const config_key_t *k = CONFIG_KEYS; k->section; k++)
        printf("%s %s\n", k->section, k->key);
    return 0;
}
