#!/usr/bin/env bash
# Installs the pnpm version pinned in package.json's "packageManager" when it is missing.
# (corepack cannot verify registry signatures on every machine, so npm installs it instead.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="$(node -p "require('$root/package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
  echo "installing pnpm@$want" >&2
  npm install -g "pnpm@$want" >&2
fi
