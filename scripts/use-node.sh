# Source this file (bash): `source scripts/use-node.sh`. It puts the Node version of .nvmrc first on
# PATH, installing it once from the npm registry when the machine has another Node (the `node` package
# brings the binary and headers as a platform package, so no download from outside the registry).
# Native modules (better-sqlite3, argon2) then compile against that Node's headers.
# Needs: some Node/npm already on PATH (any version that runs npm), and flock (util-linux).
strangler_use_node() {
  local root want prefix lock
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  want="$(tr -d '[:space:]v' <"$root/.nvmrc")"
  prefix="${STRANGLER_NODE_CACHE:-$HOME/.cache/strangler-node}/$want"
  mkdir -p "$prefix" || return 1
  lock="$prefix.lock"
  # Parallel runs (several worktrees, CI jobs) share the cache: one installs, the others wait.
  (
    flock 9 || exit 1
    if [ ! -x "$prefix/node_modules/node/bin/node" ] || ! "$prefix/node_modules/node/bin/node" --version >/dev/null 2>&1; then
      echo "installing Node $want into $prefix (npm registry)" >&2
      # The user and global npmrc stay in force (registry, CA); the project's own .npmrc does not apply here.
      npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$want" >&2 || exit 1
    fi
  ) 9>"$lock" || { echo "could not install Node $want" >&2; return 1; }
  local bin="$prefix/node_modules/node/bin"
  [ -x "$bin/node" ] || { echo "Node $want is missing from $bin" >&2; return 1; }
  # node-gyp must compile against this Node's headers, not a system nodedir from an npmrc (this
  # machine's ~/.npmrc says nodedir=/usr, i.e. Node 20's headers).
  local headers
  headers="$(ls -d "$prefix"/node_modules/node/node_modules/node-*/include/node 2>/dev/null | head -n1)"
  [ -n "$headers" ] || { echo "Node $want headers are missing under $prefix" >&2; return 1; }
  export npm_config_nodedir="${headers%/include/node}"
  export PATH="$bin:$PATH"
  hash -r
  return 0
}
strangler_use_node || { echo "scripts/use-node.sh: failed" >&2; return 1 2>/dev/null || exit 1; }
