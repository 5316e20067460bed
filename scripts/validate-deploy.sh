#!/usr/bin/env bash
# Validates the deployment files without a Docker engine or a cluster:
#   - docker-compose-cluster.yml: `docker-compose config -q` (and `docker compose` v2 when
#     present) with .env.example's secrets filled by dummies; every ${VAR} it uses is
#     documented in .env.example; the worker service stays scalable
#   - deploy/Dockerfile: multi-stage, static Swift stdlib, non-root numeric USER, ENTRYPOINT ghwh
#   - deploy/k8s/*.yaml (+ secret.yaml.example): each parses (PyYAML), each document has
#     apiVersion, kind and metadata.name
#   - deploy/systemd units: `systemd-analyze verify` in a scratch root (else a section check),
#     and the settings every unit must have
#   - config/*.conf*: `ghwh config check` (known keys, good values, no repeats; local.conf and
#     production.conf with --every-key), no password in a DSN. Needs a built ghwh: $GHWH, else
#     `swift build --show-bin-path`/ghwh; without one the config checks FAIL (they are not skipped)
#   - the env examples hold no secret values; shell scripts and deploy/deploy.mk parse
# Usage: scripts/validate-deploy.sh [--check-only] [REPO_ROOT]   (default .)
# Installs docker-compose / python3-yaml with apt when missing and running as root, unless
# --check-only: then a missing tool is a failure naming it and `make deps` (scripts/install-deps.sh),
# which installs them once. The tests run it with --check-only: a test never installs packages.
# Exit status: 0 when every check passed, 1 otherwise.
set -uo pipefail

check_only=""
if [ "${1:-}" = "--check-only" ]; then check_only=1; shift; fi
root="${1:-.}"
cd "$root" || { echo "validate-deploy: cannot enter $root" >&2; exit 1; }

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*" >&2; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

apt_updated=""
apt_install() {
    if [ -n "$check_only" ]; then
        echo "validate-deploy: missing $* (--check-only installs nothing; run make deps or scripts/install-deps.sh)" >&2
        return 1
    fi
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    echo "validate-deploy: installing $* with apt"
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$apt_updated" ]; then apt-get update -qq >/dev/null 2>&1 || return 1; apt_updated=1; fi
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

# ---------------------------------------------------------------- tools
python=""
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' 2>/dev/null; then
        python="$candidate"; break
    fi
done
if [ -z "$python" ] && apt_install python3-yaml && /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    python=/usr/bin/python3
fi

composes=()
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then composes+=("docker compose"); fi
if ! command -v docker-compose >/dev/null 2>&1; then apt_install docker-compose || true; fi
if command -v docker-compose >/dev/null 2>&1; then composes+=("docker-compose"); fi

# ---------------------------------------------------------------- files exist
required=(deploy/Dockerfile docker-compose-cluster.yml .env.example .dockerignore deploy/deploy.mk
          deploy/wait-cluster.sh deploy/README.md config/local.conf config/production.conf
          deploy/systemd/ghwh-coordinator.service deploy/systemd/ghwh-worker@.service
          deploy/systemd/ghwh-loader.service deploy/systemd/ghwh.env.example)
missing=""
for f in "${required[@]}"; do [ -f "$f" ] || missing="$missing $f"; done
if [ -z "$missing" ]; then pass "all deployment files present"; else fail "missing files:$missing"; fi

# ---------------------------------------------------------------- compose
if [ -f docker-compose-cluster.yml ] && [ -f .env.example ]; then
    # .env.example with its empty values (the secrets) filled by dummies.
    sed -E 's/^([A-Z0-9_]+)=$/\1=validate-only-dummy-value/' .env.example > "$scratch/compose.env"
    if [ ${#composes[@]} -eq 0 ]; then
        fail "compose: neither docker-compose nor 'docker compose' available (make deps installs docker-compose)"
    fi
    for compose in "${composes[@]}"; do
        # shellcheck disable=SC2086 # "docker compose" is two words on purpose
        if out="$($compose --env-file "$scratch/compose.env" -f docker-compose-cluster.yml config -q 2>&1)"; then
            pass "compose: '$compose config -q' accepts docker-compose-cluster.yml"
        else
            fail "compose: '$compose config' rejects docker-compose-cluster.yml: $out"
        fi
    done
    # The secrets must be required: without them config has to fail, not run with empty ones.
    if [ ${#composes[@]} -gt 0 ]; then
        printf '' > "$scratch/empty.env"
        # shellcheck disable=SC2086
        if env -u GHWH_CLUSTER_SECRET -u POSTGRES_PASSWORD ${composes[0]} --env-file "$scratch/empty.env" \
               -f docker-compose-cluster.yml config -q >/dev/null 2>&1; then
            fail "compose: config succeeds without GHWH_CLUSTER_SECRET/POSTGRES_PASSWORD (use \${VAR:?message})"
        else
            pass "compose: refuses to start without the secrets"
        fi
    fi
    undocumented=""
    for var in $(grep -oE '\$\{[A-Za-z_][A-Za-z0-9_]*' docker-compose-cluster.yml | cut -c3- | sort -u); do
        grep -qE "^(# *)?$var=" .env.example || undocumented="$undocumented $var"
    done
    if [ -z "$undocumented" ]; then pass "compose: every \${VAR} is documented in .env.example"
    else fail "compose: variables not in .env.example:$undocumented"; fi
    if [ -n "$python" ]; then
        if out="$("$python" - docker-compose-cluster.yml <<'PY' 2>&1
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
problems = []
if str(doc.get("version", "")) == "":
    problems.append("no top-level version (docker-compose 1.x needs it)")
services = doc.get("services", {})
for name in ("postgres", "coordinator", "loader", "worker"):
    if name not in services:
        problems.append(f"no service {name}")
worker = services.get("worker", {})
for key in ("container_name", "ports"):
    if key in worker:
        problems.append(f"worker has {key}: it could not be scaled")
for name, svc in services.items():
    if svc.get("restart") != "unless-stopped":
        problems.append(f"{name}: restart is not unless-stopped")
for name in ("postgres", "coordinator"):
    if "healthcheck" not in services.get(name, {}):
        problems.append(f"{name} has no healthcheck")
print("; ".join(problems))
sys.exit(1 if problems else 0)
PY
)"; then pass "compose: four services, worker scalable, restart policies, health checks"
        else fail "compose: $out"; fi
    fi
fi

# ---------------------------------------------------------------- Dockerfile
if [ -f deploy/Dockerfile ]; then
    df=deploy/Dockerfile
    problems=""
    [ "$(grep -cE '^FROM ' "$df")" -ge 2 ] || problems="$problems; not multi-stage"
    grep -qE 'swift build .*--static-swift-stdlib' "$df" || problems="$problems; no --static-swift-stdlib build"
    grep -q 'ghwh_GHWHWarehouse.resources' "$df" || problems="$problems; resource bundle not copied"
    # The build context keeps the clone's modes: under umask 027 the non-root user could not read the migrations.
    grep -qE 'chmod -R a\+rX' "$df" || problems="$problems; staged files not made readable by the non-root user (chmod -R a+rX)"
    user="$(grep -E '^USER ' "$df" | tail -n 1 | awk '{print $2}')"
    case "${user%%:*}" in
        ''|0|root) problems="$problems; last USER is root or missing" ;;
        *[!0-9]*) problems="$problems; USER $user is not numeric (Kubernetes runAsNonRoot cannot verify it)" ;;
    esac
    grep -qE '^ENTRYPOINT \["ghwh"\]' "$df" || problems="$problems; ENTRYPOINT is not [\"ghwh\"]"
    grep -qE '^EXPOSE .*7077' "$df" && grep -qE '^EXPOSE .*8080' "$df" || problems="$problems; EXPOSE 7077 8080 missing"
    grep -qE '^\.env$' .dockerignore 2>/dev/null || problems="$problems; .dockerignore does not exclude .env"
    if [ -z "$problems" ]; then pass "Dockerfile: multi-stage, static stdlib, bundle, non-root numeric USER, ENTRYPOINT ghwh"
    else fail "Dockerfile:${problems#;}"; fi
fi

# ---------------------------------------------------------------- config keys
# The key table lives in the ghwh binary (Sources/GHWHCLI/ConfigTable.swift): `ghwh config check`
# reads it. $GHWH names the binary; else the one `swift build` made. No binary is a failure.
ghwh_bin="${GHWH:-}"
if [ -z "$ghwh_bin" ] && command -v swift >/dev/null 2>&1; then
    bin_dir="$(swift build --show-bin-path 2>/dev/null)" && ghwh_bin="$bin_dir/ghwh"
fi
if [ -z "$ghwh_bin" ] || [ ! -x "$ghwh_bin" ]; then
    fail "config: no ghwh binary to run \`ghwh config check\` (looked at ${ghwh_bin:-\$GHWH and swift build --show-bin-path}); build it (swift build) or set GHWH=/path/to/ghwh"
    ghwh_bin=""
fi
# check_conf FILE LABEL [--every-key]: `ghwh config check` (its FILE shown as LABEL), and no password.
check_conf() {
    local file="$1" label="$2" out status n=0 line problems=""
    out="$("$ghwh_bin" config check "${@:3}" "$file" 2>&1)"
    status=$?
    out="${out//"$file"/"$label"}"
    if [ "$status" -eq 0 ]; then pass "config: $out${3:+ (every key)}"
    else fail "config: $(echo "$out" | tr '\n' ';' | sed 's/;$//')"; fi
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        case "$line" in ''|'#'*|[[:space:]]'#'*) continue ;; esac
        if echo "$line" | grep -qiE 'password=|://[^/@:]+:[^/@]+@'; then
            problems="$problems; line $n: a password in the value (use PGPASSWORD or a file)"
        fi
    done < "$file"
    if [ -z "$problems" ]; then pass "config: $label holds no password"
    else fail "config: $label:${problems#;}"; fi
}
if [ -n "$ghwh_bin" ]; then
    for conf in config/*.conf config/*.conf.example; do
        [ -f "$conf" ] || continue
        case "$conf" in
            config/local.conf|config/production.conf) check_conf "$conf" "$conf" --every-key ;;
            *) check_conf "$conf" "$conf" ;;
        esac
    done
fi

# ---------------------------------------------------------------- env examples hold no secrets
for envfile in .env.example deploy/systemd/ghwh.env.example; do
    [ -f "$envfile" ] || continue
    filled="$(grep -E '^(GHWH_CLUSTER_SECRET|POSTGRES_PASSWORD|PGPASSWORD)=.+' "$envfile" | cut -d= -f1 | tr '\n' ' ')"
    if [ -z "$filled" ]; then pass "secrets: $envfile leaves every secret empty"
    else fail "secrets: $envfile holds values for: $filled"; fi
done

# ---------------------------------------------------------------- Kubernetes
k8s_files=()
for f in deploy/k8s/*.yaml deploy/k8s/*.yml deploy/k8s/*.yaml.example; do [ -f "$f" ] && k8s_files+=("$f"); done
if [ ${#k8s_files[@]} -eq 0 ]; then
    fail "k8s: no manifests under deploy/k8s"
elif [ -z "$python" ]; then
    fail "k8s: no python3 with PyYAML (make deps installs python3-yaml)"
else
    if out="$("$python" - "$scratch/configmap-production.conf" "${k8s_files[@]}" <<'PY' 2>&1
import sys, yaml
conf_out, files = sys.argv[1], sys.argv[2:]
problems, kinds = [], []
for path in files:
    try:
        docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    except yaml.YAMLError as e:
        problems.append(f"{path}: not YAML: {e}")
        continue
    if not docs:
        problems.append(f"{path}: no documents")
    for i, d in enumerate(docs):
        where = f"{path} document {i + 1}"
        if not isinstance(d, dict):
            problems.append(f"{where}: not a mapping"); continue
        for field in ("apiVersion", "kind"):
            if not d.get(field):
                problems.append(f"{where}: no {field}")
        if not (d.get("metadata") or {}).get("name"):
            problems.append(f"{where}: no metadata.name")
        kinds.append(f"{d.get('kind')}/{(d.get('metadata') or {}).get('name')}")
        if d.get("kind") == "ConfigMap" and "production.conf" in (d.get("data") or {}):
            open(conf_out, "w").write(d["data"]["production.conf"])
for p in problems:
    print(p)
if not problems:
    print(", ".join(kinds))
sys.exit(1 if problems else 0)
PY
)"; then pass "k8s: ${#k8s_files[@]} files parse, every document has apiVersion/kind/metadata.name ($out)"
    else fail "k8s: $(echo "$out" | tr '\n' ';')"; fi
    if [ -s "$scratch/configmap-production.conf" ] && [ -n "$ghwh_bin" ]; then
        check_conf "$scratch/configmap-production.conf" "ConfigMap ghwh-config production.conf"
    fi
fi

# ---------------------------------------------------------------- systemd
units=()
for f in deploy/systemd/*.service; do [ -f "$f" ] && units+=("$f"); done
if [ ${#units[@]} -eq 0 ]; then
    fail "systemd: no units under deploy/systemd"
else
    for unit in "${units[@]}"; do
        problems=""
        for section in '\[Unit\]' '\[Service\]' '\[Install\]'; do
            grep -qE "^$section" "$unit" || problems="$problems; no $section section"
        done
        for setting in 'User=ghwh' 'EnvironmentFile=/etc/ghwh/ghwh.env' 'Restart=on-failure' \
                       'NoNewPrivileges=yes' 'ProtectSystem=strict'; do
            grep -qxF "$setting" "$unit" || problems="$problems; no $setting"
        done
        grep -qE '^ExecStart=/usr/local/bin/ghwh .*--config /etc/ghwh/production.conf' "$unit" \
            || problems="$problems; ExecStart lacks /usr/local/bin/ghwh ... --config /etc/ghwh/production.conf"
        if [ -z "$problems" ]; then pass "systemd: $unit has its sections and required settings"
        else fail "systemd: $unit:${problems#;}"; fi
    done
    if command -v systemd-analyze >/dev/null 2>&1; then
        # A scratch root: the distribution's units (for default dependencies), ours, and
        # stub executables, so verify checks our files and not what this host has installed.
        sdroot="$scratch/sdroot"
        mkdir -p "$sdroot/etc/systemd/system" "$sdroot/usr/lib/systemd"
        for dir in /usr/lib/systemd/system /lib/systemd/system; do
            if [ -d "$dir" ]; then cp -r "$dir" "$sdroot/usr/lib/systemd/"; break; fi
        done
        names=()
        for unit in "${units[@]}"; do
            cp "$unit" "$sdroot/etc/systemd/system/"
            name="$(basename "$unit")"
            # A template is verified through an instance.
            names+=("${name/@.service/@1.service}")
            for exe in $(sed -nE 's/^Exec[A-Za-z]*=[-@:+!]*([^ ]+).*/\1/p' "$unit"); do
                mkdir -p "$sdroot$(dirname "$exe")"
                printf '#!/bin/sh\nexit 0\n' > "$sdroot$exe"
                chmod +x "$sdroot$exe"
            done
        done
        # verify exits 0 on unknown keys and bad values ("ignoring"): any output is a failure.
        out="$(cd "$sdroot" && systemd-analyze verify --root="$sdroot" "${names[@]}" 2>&1)"
        rc=$?
        if [ $rc -eq 0 ] && [ -z "$out" ]; then pass "systemd: systemd-analyze verify is clean for ${names[*]}"
        else fail "systemd: systemd-analyze verify (exit $rc): $(echo "$out" | tr '\n' ';')"; fi
    else
        echo "note  systemd-analyze not available: only the section and settings checks ran"
    fi
fi

# ---------------------------------------------------------------- scripts and make
for script in deploy/*.sh scripts/*.sh; do
    [ -f "$script" ] || continue
    if out="$(bash -n "$script" 2>&1)"; then pass "shell: $script parses"
    else fail "shell: $script: $out"; fi
done
if [ -f deploy/deploy.mk ] && command -v make >/dev/null 2>&1; then
    targets="deploy-cluster submit scale-workers logs destroy-cluster"
    # COMPOSE given: nothing is probed; -n: nothing runs.
    if out="$(make -n -f deploy/deploy.mk COMPOSE=docker-compose $targets 2>&1)"; then
        pass "make: deploy/deploy.mk defines $targets"
    else
        fail "make: deploy/deploy.mk: $out"
    fi
fi

echo "validate-deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
