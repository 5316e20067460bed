#!/usr/bin/env bash
# Runs the test suite under sanitizers (issue 13):
#   asan   every test under AddressSanitizer + UndefinedBehaviorSanitizer
#   tsan   the cluster, wire and warehouse tests under ThreadSanitizer
#   all    both (default)
#
# Each sanitizer has its own build (`.build/asan`, `.build/tsan`), so the plain
# debug build is untouched. The cluster tests start `ghwh` processes from the
# same build, so coordinators, workers and loaders run instrumented too; every
# process writes its reports under .build/sanitizer-reports/<kind>/ (log_path),
# and the run fails if any report was written, even by a child process whose
# output the tests swallowed.
#
#   SANITIZE_FILTER=REGEX   narrow the tests (swift test --filter)
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
part=${1:-all}
reports_root=$PWD/.build/sanitizer-reports

run_part() {
    local kind=$1 filter=$2; shift 2
    local flags=("$@")
    local scratch=.build/$kind reports=$reports_root/$kind
    rm -rf "$reports"; mkdir -p "$reports"
    local started=$SECONDS
    echo "sanitize: building tests for $kind (${flags[*]})"
    $SWIFT build --build-tests --scratch-path "$scratch" "${flags[@]}"
    local built=$SECONDS
    echo "sanitize: running $kind tests${filter:+ matching $filter}"
    # PIPESTATUS is read right after the pipeline: a `|| true` after it would
    # reset it to true's 0 exactly when the tests failed.
    set +e
    $SWIFT test --skip-build --scratch-path "$scratch" "${flags[@]}" ${filter:+--filter "$filter"} \
        2>&1 | tee "$reports/../$kind-test.log" | grep -E '^(✘|✔ Test run|error:|SUMMARY:|WARNING: ThreadSanitizer)'
    local statuses=("${PIPESTATUS[@]}")
    set -e
    local status=${statuses[0]}
    local found
    found=$(find "$reports" -type f | wc -l)
    echo "sanitize: $kind build $((built - started)) s, tests $((SECONDS - built)) s, exit status $status, $found report file(s)"
    if [ "$found" -gt 0 ]; then
        for f in "$reports"/*; do echo "--- $f"; head -60 "$f"; done
        return 1
    fi
    return "$status"
}

# Leak checking is off: the Swift runtime and Foundation keep process-lifetime
# caches that LeakSanitizer reports as leaks at exit; memory errors are still fatal.
# UBSan: swiftc has no -sanitize=undefined on Linux (Swift code traps on overflow
# and out-of-range conversions by itself in debug builds), so it instruments the C
# the package compiles (BoringSSL in swift-crypto, nng's and libpq's headers'
# inline code); the ASan runtime carries the UBSan handlers.
asan() {
    ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1:log_path=$reports_root/asan/asan" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports_root/asan/ubsan" \
        run_part asan "${SANITIZE_FILTER:-}" --sanitize=address -Xcc -fsanitize=undefined
}

tsan() {
    TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp:log_path=$reports_root/tsan/tsan" \
        run_part tsan "${SANITIZE_FILTER:-GHWHClusterTests|GHWHWireTests|GHWHWarehouseTests}" --sanitize=thread
}

case $part in
    asan) asan ;;
    tsan) tsan ;;
    all) asan; tsan ;;
    *) echo "usage: $0 [asan|tsan|all]" >&2; exit 2 ;;
esac
