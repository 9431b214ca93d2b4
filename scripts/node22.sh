#!/usr/bin/env bash
# Fetches a Node 22 build from the npm registry (the `node-<os>-<arch>` package the `node` package installs) into
# .cache/node22/ and prints the path of its binary. Idempotent: a binary already there is reused. The registry is the
# only source, so this works wherever `npm ci` does (proxies, registry mirrors).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/node22
bin="$dest/package/bin/node"
if [ -x "$bin" ] && "$bin" --version | grep -q '^v22\.'; then
  echo "$PWD/$bin"
  exit 0
fi
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "node22.sh: unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "node22.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
rm -rf "$dest"
mkdir -p "$dest"
tarball=$(npm pack "node-$os-$arch@22" --pack-destination "$dest" --silent | tail -n 1)
tar -xzf "$dest/$tarball" -C "$dest"
rm -f "$dest/$tarball"
"$bin" --version | grep -q '^v22\.' || { echo "node22.sh: $bin is not Node 22" >&2; exit 1; }
echo "$PWD/$bin"
