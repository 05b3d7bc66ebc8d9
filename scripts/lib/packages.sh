# shellcheck shell=bash
# Debian packages and the pgvector build for scripts/services.sh. Sourced.

APT_UPDATED=0
APT_LOG="${AINDUS_SERVICES_DIR}/apt.log"

apt_get() {
  apt-get -q -y \
    -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold \
    "$@" </dev/null
}

# Runs apt-get, logging its output to the state dir; shows the tail on failure.
apt_logged() {
  if apt_get "$@" >>"${APT_LOG}" 2>&1; then
    return 0
  fi
  warn "apt-get $* failed; last lines of ${APT_LOG}:"
  tail -n 25 "${APT_LOG}" >&2
  return 1
}

apt_update_once() {
  ((APT_UPDATED)) && return 0
  log "apt-get update"
  apt_logged update || die "apt-get update failed"
  APT_UPDATED=1
}

pkg_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

pkg_has_candidate() {
  local c
  c="$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p')"
  [[ -n $c && $c != "(none)" ]]
}

# apt_install PKG... — installs those that are missing (apt-get update first if
# the package lists do not know them, or once more if the install fails).
apt_install() {
  local missing=() p
  for p in "$@"; do
    pkg_installed "$p" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  require_root "installing ${missing[*]}"
  for p in "${missing[@]}"; do
    pkg_has_candidate "$p" || {
      apt_update_once
      break
    }
  done
  log "installing Debian packages: ${missing[*]}"
  if ! apt_logged install --no-install-recommends "${missing[@]}"; then
    ((APT_UPDATED)) && die "could not install ${missing[*]} (see ${APT_LOG})"
    apt_update_once
    apt_logged install --no-install-recommends "${missing[@]}" ||
      die "could not install ${missing[*]} (see ${APT_LOG})"
  fi
}

ensure_base_packages() {
  local need=()
  [[ -x ${PG_BIN}/postgres && -x ${PG_BIN}/initdb ]] || need+=("postgresql-${PG_MAJOR}")
  [[ -x ${PG_BIN}/psql && -x ${PG_BIN}/pg_basebackup ]] || need+=("postgresql-client-${PG_MAJOR}")
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
  ((${#need[@]})) || return 0
  apt_install "${need[@]}"
}

# ---------------------------------------------------------------- pgvector ---

pgvector_control_file() {
  printf '%s/extension/vector.control' "$("${PG_BIN}/pg_config" --sharedir)"
}

# Prints the default_version of the installed pgvector, or nothing.
pgvector_installed_version() {
  local control
  control="$(pgvector_control_file)"
  [[ -f $control ]] || return 0
  sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$control" | head -n 1
}

pgvector_ok() {
  local v
  v="$(pgvector_installed_version)"
  [[ -n $v ]] &&
    dpkg --compare-versions "$v" ge "${PGVECTOR_MIN_VERSION}" &&
    [[ -f "$("${PG_BIN}/pg_config" --pkglibdir)/vector.so" ]]
}

# Prints "URI SIGNED_BY" of the machine's main Debian archive, read from the
# existing apt sources (deb822 *.sources first, then one-line sources.list).
debian_archive_source() {
  local codename uri="" signed=""
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f && $f != "${TRIXIE_SRC_LIST}" ]] || continue
    read -r uri signed < <(awk -v suite="$codename" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "" && !found) {
          split(uris, u, " "); print u[1], (signed == "" ? "-" : signed); found = 1
        }
        types = ""; suites = ""; uris = ""; signed = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      /^Types:/     { sub(/^Types:[[:space:]]*/, "");     types = $0;  next }
      /^Suites:/    { sub(/^Suites:[[:space:]]*/, "");    suites = $0; next }
      /^URIs:/      { sub(/^URIs:[[:space:]]*/, "");      uris = $0;   next }
      /^Signed-By:/ { sub(/^Signed-By:[[:space:]]*/, ""); signed = ($0 ~ /^\//) ? $0 : ""; next }
      END { flush() }' "$f") || true
    [[ -n $uri ]] && break
  done
  if [[ -z $uri && -f /etc/apt/sources.list ]]; then
    read -r uri signed < <(awk -v suite="$codename" '
      $1 == "deb" {
        opts = ""; i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
        if ($(i + 1) == suite) {
          s = "-"; if (match(opts, /signed-by=[^] ]+/)) s = substr(opts, RSTART + 10, RLENGTH - 10)
          print $i, s; exit
        }
      }' /etc/apt/sources.list) || true
  fi
  [[ -n $uri ]] || uri=http://deb.debian.org/debian
  [[ -n $signed && $signed != "-" ]] || signed=/usr/share/keyrings/debian-archive-keyring.gpg
  printf '%s %s\n' "$uri" "$signed"
}

write_source_list() {
  local uri signed content
  read -r uri signed < <(debian_archive_source)
  content="# Added by AindusDB scripts/services.sh: source packages only (pgvector is built
# from Debian's ${PGVECTOR_SOURCE_SUITE} source package); no binary package comes from here.
Types: deb-src
URIs: ${uri}
Suites: ${PGVECTOR_SOURCE_SUITE}
Components: main
Signed-By: ${signed}
"
  if [[ ! -f ${TRIXIE_SRC_LIST} || "$(cat "${TRIXIE_SRC_LIST}")"$'\n' != "${content}" ]]; then
    log "writing ${TRIXIE_SRC_LIST} (deb-src ${uri} ${PGVECTOR_SOURCE_SUITE})"
    printf '%s' "${content}" >"${TRIXIE_SRC_LIST}"
  fi
}

# apt-get restricted to our deb-src file: updating it does not refresh (or
# clean) the machine's other package lists.
apt_src_only() {
  apt_logged \
    -o "Dir::Etc::SourceList=${TRIXIE_SRC_LIST}" \
    -o Dir::Etc::SourceParts=- \
    -o APT::Get::List-Cleanup=0 \
    -o APT::Sandbox::User=root \
    "$@"
}

ensure_pgvector() {
  local v
  v="$(pgvector_installed_version)"
  if pgvector_ok; then
    log "pgvector ${v} is installed for PostgreSQL ${PG_MAJOR}"
    return 0
  fi
  require_root "building pgvector"
  log "pgvector ${v:-(none)} < ${PGVECTOR_MIN_VERSION}: building Debian's ${PGVECTOR_SOURCE_SUITE} source package"
  apt_install "postgresql-server-dev-${PG_MAJOR}" dpkg-dev build-essential
  [[ -f "$("${PG_BIN}/pg_config" --includedir-server)/postgres.h" ]] ||
    die "postgresql-server-dev-${PG_MAJOR} is installed but postgres.h is missing"
  write_source_list
  log "apt-get update (${PGVECTOR_SOURCE_SUITE} deb-src only)"
  apt_src_only update || die "could not fetch the ${PGVECTOR_SOURCE_SUITE} source index"

  local tmp src
  tmp="$(mktemp -d /tmp/aindusdb-pgvector.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '${tmp}'" EXIT
  log "apt-get source pgvector/${PGVECTOR_SOURCE_SUITE}"
  (cd "${tmp}" && apt_src_only source "pgvector/${PGVECTOR_SOURCE_SUITE}") ||
    die "apt-get source pgvector/${PGVECTOR_SOURCE_SUITE} failed"
  src="$(find "${tmp}" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
  [[ -n $src ]] || die "apt-get source did not unpack a pgvector-* directory"
  log "building $(basename "${src}") with PGXS (log: ${AINDUS_SERVICES_DIR}/pgvector-build.log)"
  # OPTFLAGS="" keeps the build portable (no -march=native; Debian patches that
  # too); with_llvm=no skips the optional JIT bitcode (clang) step.
  local mk=(make -C "${src}" "PG_CONFIG=${PG_BIN}/pg_config" OPTFLAGS= with_llvm=no)
  if ! { "${mk[@]}" -j"$(nproc)" && "${mk[@]}" install; } >"${AINDUS_SERVICES_DIR}/pgvector-build.log" 2>&1; then
    tail -n 40 "${AINDUS_SERVICES_DIR}/pgvector-build.log" >&2
    die "building pgvector failed (see ${AINDUS_SERVICES_DIR}/pgvector-build.log)"
  fi
  rm -rf "${tmp}"
  trap - EXIT
  v="$(pgvector_installed_version)"
  pgvector_ok || die "after the build pgvector is ${v:-missing}, need >= ${PGVECTOR_MIN_VERSION}"
  log "installed pgvector ${v} into $("${PG_BIN}/pg_config" --pkglibdir)"
}
