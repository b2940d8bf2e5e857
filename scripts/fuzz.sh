#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (`make fuzz`; not part of
# `make test`). FUZZ_SECONDS per target (default 60). Needs a nightly
# toolchain (`rustup toolchain install nightly`); installs cargo-fuzz once.
# A crash leaves its input under backend/fuzz/artifacts/<target>/: turn it into a
# regression test (see docs/security.md) before fixing it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT/backend/fuzz"
seconds=${FUZZ_SECONDS:-60}
rustup toolchain list | grep -q '^nightly' ||
  { echo "fuzz.sh: a nightly toolchain is needed: rustup toolchain install nightly" >&2; exit 1; }
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(cargo +nightly fuzz list)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  echo "fuzz.sh: $target for ${seconds}s"
  status=0
  cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|thread .* panicked|Done )' "$log" || true
  if [[ $status -ne 0 ]]; then
    tail -n 40 "$log" >&2
    echo "fuzz.sh: $target failed (exit $status); the crashing input is in backend/fuzz/artifacts/$target/" >&2
    exit "$status"
  fi
done
echo "fuzz.sh: ${#targets[@]} target(s), ${seconds}s each, no crash"
