#!/usr/bin/env bash
# make chaos: bounded chaos runs against a real cluster on loopback.
#
# Each round loads a generated corpus with a fresh database through a
# coordinator, two workers and a loader (the ghwh binary), while a fault is
# injected at a random moment of the job: a worker killed and restarted under
# the same id or a new one, a worker stopped with SIGTERM, the loader or the
# coordinator killed and restarted, or PostgreSQL stopped immediately and
# restarted (the server is durable: fsync and synchronous_commit on).
# `ghwh-submit` follows the job through all of it. Every silver and gold table
# must then equal an undisturbed `ghwh run` of the same corpus (an ordered
# checksum per table).
#
#   CHAOS_ROUNDS=20  rounds (default 20)
#   CHAOS_SEED=N     seed of the fault schedule (default: random, printed)
#   GHWH_BIN=DIR     where ghwh and ghwh-submit are (default: `swift build --show-bin-path`)
#
# Prints one line per round and `N rounds, N faults injected, N equal`;
# exits non-zero on any difference or failed job.
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${CHAOS_ROUNDS:-20}
SEED=${CHAOS_SEED:-$((RANDOM * 32768 + RANDOM))}
BIN=$(cd "${GHWH_BIN:-$(swift build --show-bin-path)}" && pwd)
RANDOM=$SEED
PGBIN=$(pg_config --bindir)
export GHWH_CLUSTER_SECRET=chaos-secret-0123456789abcdef0123

work=$(mktemp -d /tmp/ghwh-chaos.XXXXXX)
chmod 755 "$work"
pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    as_pg "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# A durable private server: the faults include its own crash.
mkdir -p "$work/pg" "$work/sock" "$work/pglog"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg" "$work/sock" "$work/pglog"
as_pg "$PGBIN/initdb" -D "$work/pg" -A trust -E UTF8 --locale=C.UTF-8 -U postgres >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log"; exit 2; }
start_pg() {
    as_pg "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pglog/pg.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories=$work/sock -c fsync=on -c synchronous_commit=on -c max_connections=200" \
        start >/dev/null
}
start_pg || { cat "$work/pglog/pg.log"; exit 2; }
psql_q() { psql -X -q -t -A -h "$work/sock" -U postgres -d "$1" -c "$2"; }
dsn() { echo "host=$work/sock user=postgres dbname=$1"; }

tables="sta_github.issues sta_github.pull_requests sta_github.pull_request_labels
sta_github.issues_daily sta_github.pull_requests_daily
stg_github.pull_requests_metrics stg_github.pull_request_issue_links stg_github.labels_metrics stg_github.milestone_metrics
stg_github.daily_backlog"
checksums() {
    for t in $tables; do
        printf '%s ' "$t"
        psql_q "$1" "SELECT count(*) || ' ' || md5(coalesce(string_agg(x, E'\n' ORDER BY x COLLATE \"C\"), ''))
                     FROM (SELECT t::text AS x FROM $t t) s"
    done
}

"$BIN/ghwh" gen-data --out "$work/raw" --repos 10 --issues-per-repo 120 --prs-per-repo 80 --days 5 --seed 11 >/dev/null
psql_q postgres "CREATE DATABASE reference" >/dev/null
"$BIN/ghwh" run --job all --raw "$work/raw" --database-url "$(dsn reference)" --chunk-size-mb 1 >"$work/reference.log" 2>&1
checksums reference >"$work/reference.sums"
log "chaos: seed $SEED, $ROUNDS rounds, reference loaded ($(grep -c . "$work/reference.sums") tables): $(grep -o 'succeeded in [0-9.]* s' "$work/reference.log" | head -1)"

# The first coordinator binds port 0 and names the port in its --ready-file; later ones
# (restarts, later rounds) take that port again, where the workers and the loader look.
port=0
url=""
declare -A role_pid
start_role() {  # name, args...
    local name=$1; shift
    "$BIN/ghwh" "$@" >>"$work/round/$name.log" 2>&1 &
    role_pid[$name]=$!
    pids+=($!)
}
coordinator() {  # returns once it serves (its ready file exists), not on a line of its log
    local ready="$work/round/coordinator.ready"
    rm -f "$ready"
    start_role coordinator coordinator --listen "tcp://127.0.0.1:$port" --raw "$work/raw" --database-url "$db_dsn" \
        --worker-timeout 20 --heartbeat-interval 1 --chunk-size-mb 1 --ui-listen off --ready-file "$ready"
    for _ in $(seq 1 1200); do
        [ -f "$ready" ] && break
        kill -0 "${role_pid[coordinator]}" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -f "$ready" ]; then
        log "chaos: the coordinator did not become ready:"; tail -20 "$work/round/coordinator.log" >&2; exit 1
    fi
    port=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["clusterPort"])' "$ready")
    url="tcp://127.0.0.1:$port"
}
worker() { start_role "$1" worker --coordinator "$url" --worker-id "$2" --cores 1 --database-url "$db_dsn"; }
loader() { start_role loader loader --coordinator "$url" --database-url "$db_dsn"; }
kill9() { kill -9 "${role_pid[$1]}" 2>/dev/null; wait "${role_pid[$1]}" 2>/dev/null; }

faults=(worker-same-id worker-new-id worker-sigterm loader coordinator postgres)
declare -A fault_count
equal=0; injected=0; failed=0
for round in $(seq 1 "$ROUNDS"); do
    t0=$(date +%s.%N)
    rm -rf "$work/round"; mkdir -p "$work/round"
    db="chaos_$round"
    psql_q postgres "CREATE DATABASE $db" >/dev/null
    db_dsn=$(dsn "$db")
    coordinator; loader; worker w1 w1; worker w2 w2
    "$BIN/ghwh-submit" --coordinator "$url" --job all --raw "$work/raw" >"$work/round/submit.log" 2>&1 &
    submit=$!; pids+=($submit)
    # One fault, sometimes two, each at a random moment of the job (the fault
    # schedule, not a race workaround): 0.1 to 1.5 s apart.
    done_faults=()
    for _ in $(seq 1 $((1 + RANDOM % 2))); do
        sleep "$((RANDOM % 2)).$((RANDOM % 5 + 1))"
        fault=${faults[$((RANDOM % ${#faults[@]}))]}
        case $fault in
            worker-same-id) kill9 w1; worker w1 w1 ;;
            worker-new-id)  kill9 w1; worker w1 "w1-r$round-$RANDOM" ;;
            worker-sigterm) kill -TERM "${role_pid[w1]}"; wait "${role_pid[w1]}"; worker w1 w1 ;;
            loader)         kill9 loader; loader ;;
            coordinator)    kill9 coordinator; coordinator ;;
            postgres)       as_pg "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null; start_pg ;;
        esac
        injected=$((injected + 1)); fault_count[$fault]=$(( ${fault_count[$fault]:-0} + 1 ))
        done_faults+=("$fault")
    done
    fault=$(IFS=+; echo "${done_faults[*]}")
    status=0
    timeout 300 tail --pid=$submit -f /dev/null; wait $submit || status=$?
    for r in coordinator loader w1 w2; do kill9 "$r"; done
    checksums "$db" >"$work/round.sums"
    secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)")
    if [ $status -eq 0 ] && cmp -s "$work/reference.sums" "$work/round.sums"; then
        equal=$((equal + 1))
        log "round $round: $fault: job succeeded, tables equal ($secs s)"
    else
        failed=$((failed + 1))
        log "round $round: $fault: DIFFERENT (ghwh-submit exit $status, $secs s)"
        diff "$work/reference.sums" "$work/round.sums" | sed 's/^/    /'
        tail -5 "$work/round/submit.log" | sed 's/^/    submit: /'
        mkdir -p /tmp/ghwh-chaos-failures && cp -r "$work/round" "/tmp/ghwh-chaos-failures/round-$round"
    fi
    psql_q postgres "DROP DATABASE $db" >/dev/null 2>&1
done
summary=""
for f in "${faults[@]}"; do summary+="$f ${fault_count[$f]:-0}, "; done
log "faults by kind: ${summary%, }"
echo "$ROUNDS rounds, $injected faults injected, $equal equal"
[ $failed -eq 0 ]
