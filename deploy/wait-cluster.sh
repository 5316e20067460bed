#!/usr/bin/env bash
# Waits until the compose cluster is up: postgres and coordinator report
# "healthy" (their health checks), loader and every worker are "running".
# Usage: deploy/wait-cluster.sh TIMEOUT_SECONDS COMPOSE_COMMAND...
#   e.g. deploy/wait-cluster.sh 300 docker compose -f docker-compose-cluster.yml
# Exit 0 when ready; 1 on timeout, or at once if a container exited, is unhealthy
# or restarted 3 times during this wait (the failing service's last log lines are
# printed). Restarts before the wait do not count: Docker's RestartCount is a
# container's whole life, and a container that crashed last week may be healthy now.
# WAIT_CLUSTER_POLL: seconds between checks (default 3).
set -euo pipefail

timeout="${1:?usage: wait-cluster.sh TIMEOUT_SECONDS COMPOSE_COMMAND...}"
shift
[ "$#" -gt 0 ] || { echo "wait-cluster: no compose command given" >&2; exit 2; }

# Prints "ready", "wait" or "failed: <why>" for one service's containers.
service_state() {
    local service="$1" need="$2" ids id state health restarts
    ids="$("${compose[@]}" ps -q "$service" 2>/dev/null || true)"
    [ -n "$ids" ] || { echo "wait"; return; }
    for id in $ids; do
        state="$(docker inspect --format '{{.State.Status}}' "$id" 2>/dev/null || echo missing)"
        # restart: unless-stopped hides a crash loop behind short "running" spells.
        restarts="$(docker inspect --format '{{.RestartCount}}' "$id" 2>/dev/null || echo 0)"
        restarts=$(( ${restarts:-0} - ${baseline[$id]:-0} ))
        if [ "$restarts" -ge 3 ]; then echo "failed: $service container ${id:0:12} restarted $restarts times during this wait"; return; fi
        case "$state" in
            running) ;;
            exited|dead) echo "failed: $service container ${id:0:12} is $state"; return ;;
            *) echo "wait"; return ;;
        esac
        if [ "$need" = healthy ]; then
            health="$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")"
            case "$health" in
                healthy) ;;
                unhealthy) echo "failed: $service container ${id:0:12} is unhealthy"; return ;;
                *) echo "wait"; return ;;
            esac
        fi
    done
    echo "ready"
}

compose=("$@")
poll="${WAIT_CLUSTER_POLL:-3}"
# Each container's restart count when the wait began (containers created later start at 0).
declare -A baseline=()
for id in $("${compose[@]}" ps -q 2>/dev/null || true); do
    baseline[$id]="$(docker inspect --format '{{.RestartCount}}' "$id" 2>/dev/null || echo 0)"
done
deadline=$(( $(date +%s) + timeout ))
while :; do
    pending=""
    for pair in postgres:healthy coordinator:healthy loader:running worker:running; do
        service="${pair%%:*}"
        result="$(service_state "$service" "${pair#*:}")"
        case "$result" in
            ready) ;;
            wait) pending="$pending $service" ;;
            failed:*)
                echo "wait-cluster: ${result#failed: }" >&2
                echo "wait-cluster: last log lines of $service:" >&2
                "${compose[@]}" logs --tail=30 "$service" >&2 || true
                exit 1 ;;
        esac
    done
    if [ -z "$pending" ]; then
        echo "cluster is up"
        exit 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "wait-cluster: not ready after ${timeout}s; still waiting for:$pending" >&2
        "${compose[@]}" ps >&2 || true
        for service in $pending; do
            echo "wait-cluster: last log lines of $service:" >&2
            "${compose[@]}" logs --tail=30 "$service" >&2 || true
        done
        exit 1
    fi
    sleep "$poll"
done
