#!/usr/bin/env bash
# The newcomer's first command: install, build, and run the quickstart on the embedded engine.
# Needs only Node.js >= 20.19 and npm; no servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
pnpm run build
pnpm run quickstart
