#!/bin/sh
# Run each cmocka test binary given as argument; fail if any fails.
status=0
for t in "$@"; do
    "$t" || { echo "FAILED: $t" >&2; status=1; }
done
exit $status
