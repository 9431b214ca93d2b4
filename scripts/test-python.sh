#!/usr/bin/env bash
# The guide's Python examples (examples/python) with the official Temporal Python SDK, against Hourglass.
# Creates .venv-python/ on first use, installs the pinned requirements (quietly), and runs pytest, whose last line is
# its summary. The tests start Hourglass through bin/hourglass.js, which runs dist/: `npm run build` must have run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--prepare" ] && [ ! -f dist/src/cli/main.js ]; then
  echo "test-python: dist/ is missing; run 'npm run build' first" >&2
  exit 1
fi
python=${PYTHON:-python3}
if [ ! -x .venv-python/bin/python ]; then
  "$python" -m venv .venv-python
fi
.venv-python/bin/python -m pip install --quiet --disable-pip-version-check -r examples/python/requirements.txt
# CI calls this with --prepare in the background while npm installs: the virtualenv only, no tests.
if [ "${1:-}" = "--prepare" ]; then exit 0; fi
cd examples/python
exec ../../.venv-python/bin/python -m pytest -q -p no:cacheprovider "$@"
