#!/usr/bin/env bash
# Installs what ghwh needs from Debian when it is missing: nng, libpq, zlib,
# ISA-L headers, a PostgreSQL server (initdb/pg_ctl), and for the deployment tests
# docker-compose (v1, to validate the compose file; no engine needed) and PyYAML. Idempotent and quiet when
# everything is there. The Swift toolchain itself is assumed installed.
set -euo pipefail

missing=()
[ -f /usr/include/nng/nng.h ] || missing+=(libnng-dev)
[ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -f /usr/include/isa-l/igzip_lib.h ] || missing+=(libisal-dev)
command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] || missing+=(postgresql)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
# For the tests that validate the deployment files (scripts/validate-deploy.sh).
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package starts a cluster on 5432; ghwh never uses it.
