#!/usr/bin/env bash
# The Go SDK compatibility suite (compat/go): `go test` with the official go.temporal.io/sdk against a Hourglass dev
# server that the suite starts from bin/hourglass.js, so `npm run build` must have run. Modules and build outputs are
# cached under the git-ignored .cache/go, so a second run only recompiles the specs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--prepare" ] && [ ! -f dist/src/cli/main.js ]; then
  echo "test-go: Hourglass is not built; run \"npm run build\" first" >&2
  exit 1
fi
if ! command -v go >/dev/null; then
  echo "test-go: the go command is not on PATH (Go 1.26 or newer is needed)" >&2
  exit 1
fi
export GOMODCACHE="$PWD/.cache/go/mod" GOCACHE="$PWD/.cache/go/build" GOFLAGS=-modcacherw GOTOOLCHAIN=local
cd compat/go
go mod download
if [ "${1:-}" = "--prepare" ]; then
  # CI calls this in the background while npm installs: downloads and compiles the SDK, runs nothing.
  go test -c -o /dev/null .
  exit 0
fi
set +e
go test ./... -count=1 -v 2>&1 | awk '
  { print }
  /^--- PASS/ { passed++ }
  /^--- FAIL/ { failed++ }
  /^--- SKIP/ { skipped++ }
  END { printf "go: %d passed, %d failed, %d skipped\n", passed, failed, skipped }'
status=${PIPESTATUS[0]}
set -e
exit "$status"
