#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers and the wire protocol (issue 13): `make fuzz`.
#
#   FUZZ_SECONDS=60                 seconds per target
#   FUZZ_TARGETS="splitter zip"     a subset (default: all six, one after the other)
#
# Builds ghwh-fuzz once with libFuzzer and AddressSanitizer in its own scratch path
# (.build/fuzz, so the normal .build is left alone), then runs each target with a working
# corpus in .build/fuzz-corpus/<target> (seeded from Tests/Fuzz/<target>/seeds) and its log in
# .build/fuzz-logs/<target>.log. A crashing input is written to Tests/Fuzz/<target>/crashers/,
# where GHWHFuzzTests replays it from then on. Prints one line per target; exits non-zero
# if any target crashed.
#
# Build flags:
# - `--sanitize fuzzer --sanitize address`: SwiftPM's own switches. With only -Xswiftc
#   -sanitize=fuzzer, SwiftPM renames the executable's entry point to <module>_main and
#   links `main` to it, which fails when libFuzzer supplies main; with --sanitize fuzzer it
#   leaves main to libFuzzer. They also instrument the C targets (swift-crypto's BoringSSL).
# - `-Xswiftc -sanitize=fuzzer,address` as well: SwiftPM passes -sanitize=fuzzer and
#   -sanitize=address to swiftc as two options, and the Swift driver keeps only the last one,
#   so the Swift code would get ASan but no coverage counters. This combined option comes
#   after them and wins.
# - `-Xswiftc -DFUZZING`: ghwh-fuzz exports LLVMFuzzerTestOneInput instead of its replay command.
# SWIFT_BACKTRACE=enable=no: on a crash the Swift backtracer would otherwise attach to the
# dying process and hang there; libFuzzer and ASan print the report.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-splitter projector zip gzip frame messages}
SCRATCH=.build/fuzz
BIN=$SCRATCH/release/ghwh-fuzz

swift build -c release --product ghwh-fuzz --scratch-path "$SCRATCH" \
    --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING || exit 1

# Keep in step with FuzzTarget.maxLength.
max_len() {
    case $1 in
        zip) echo 16384 ;;
        gzip) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

mkdir -p .build/fuzz-logs
summary=()
failed=0
for target in $FUZZ_TARGETS; do
    seeds=Tests/Fuzz/$target/seeds
    if [ ! -d "$seeds" ]; then echo "unknown target '$target' (no $seeds)" >&2; exit 2; fi
    corpus=.build/fuzz-corpus/$target
    crashers=Tests/Fuzz/$target/crashers
    log=.build/fuzz-logs/$target.log
    mkdir -p "$corpus" "$crashers"
    cp -n "$seeds"/* "$corpus"/ 2>/dev/null
    before=$(find "$crashers" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    echo "fuzzing $target for ${FUZZ_SECONDS}s (log: $log)"
    GHWH_FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no \
        "$BIN" "$corpus" -max_total_time="$FUZZ_SECONDS" -max_len="$(max_len "$target")" -timeout=10 \
        -rss_limit_mb=2048 -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$crashers/" >"$log" 2>&1
    status=$?
    after=$(find "$crashers" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    crashes=$((after - before))
    last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
    field() { sed -nE "s/.*$1: *([^ ]+).*/\1/p" <<<"$last"; }
    runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -1)
    speed=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -1)
    files=$(find "$corpus" -type f | wc -l)
    if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        failed=1
        echo "  $target FAILED (exit $status); see $log and $crashers/" >&2
        grep -E 'Fatal error|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)' "$log" | head -3 >&2
    fi
    summary+=("$(printf '%-10s %10s %8s %8s %8s %12s %8s %8s' "$target" "${runs:-?}" "${speed:-?}" \
        "$(field cov)" "$(field ft)" "$(field corp)" "$files" "$crashes")")
done

echo
printf '%-10s %10s %8s %8s %8s %12s %8s %8s\n' target runs exec/s cov ft corp corpus crashes
printf '%s\n' "${summary[@]}"
exit $failed
