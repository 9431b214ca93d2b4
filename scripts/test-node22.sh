#!/usr/bin/env bash
# The store and crash-recovery specs on Node 22 with its built-in node:sqlite (HOURGLASS_SQLITE_DRIVER=node), from the
# already-built dist/ (npm test builds it). The rest of the suite runs on the machine's Node; these are the specs
# whose results depend on the SQLite driver: the store itself, SQL visibility filters, and servers SIGKILLed and
# restarted on the same database (their child servers run on the same Node binary, with the same driver).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/src/index.js ] || { echo "test-node22.sh: dist/ is not built (npm run build)" >&2; exit 1; }
node22=$(scripts/node22.sh)
specs=(
  dist/test/unit/store/*.test.js
  dist/test/sqlite-migrations.test.js
  dist/test/cached-store.test.js
  dist/test/unit/visibility/query-compiler.test.js
  dist/test/list-query.test.js
  dist/test/unit/dispatch/transfer-tasks.test.js
  dist/test/unit/dispatch/retrying-tasks.test.js
  dist/test/recovery.test.js
  dist/test/commit-burst-crash.test.js
  dist/test/schedules-recovery.test.js
  dist/test/storage-faults.test.js
  dist/test/storage-files.test.js
)
echo "store and recovery specs on $("$node22" --version) with node:sqlite"
HOURGLASS_SQLITE_DRIVER=node "$node22" --test --test-concurrency=1 "${specs[@]}"
