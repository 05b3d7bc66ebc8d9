#!/usr/bin/env bash
# The newcomer's second command (and CI's): provision the test services, then build, lint,
# typecheck, check packages, build the API docs, and run every test against real servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n==> %s\n' "$*" >&2; }

step "pnpm"
bash scripts/ensure-pnpm.sh
step "services (PostgreSQL + pgvector primary and replicas, Redis, Redis Cluster)"
services_env="$(bash scripts/services.sh up)"
eval "$services_env"
step "install"
pnpm install --frozen-lockfile
step "build"
pnpm run build
step "lint"
pnpm run lint
step "typecheck"
pnpm run typecheck
step "package checks (publint, attw)"
pnpm run check:packages
step "API reference (typedoc, warnings are errors)"
pnpm run docs:api
step "tests (unit, then chaos alone)"
pnpm run test:ci
