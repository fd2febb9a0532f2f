#!/usr/bin/env bash
# fg-meta-sync on a scratch repository: registers the kernels of the
# kernels.def lists with their run() line ranges, --check catches a stale
# code_location and a missing kernel, a second run changes nothing, --patch
# and --perf-json record through the store, an orphaned EXPERIMENTAL entry is
# reported. Usage: test_meta_sync.sh path/to/fg-meta-sync
set -euo pipefail
# Output is matched with `grep -q ... <<< "$out"`, never `cmd | grep -q`: with pipefail, grep
# leaving at the first match can fail the writer with SIGPIPE.
sync=$1
repo=$(mktemp -d "${TMPDIR:-/tmp}/fg-meta-sync-XXXXXX")
trap 'rm -rf "$repo"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$repo/.git" "$repo/src/experimental/generated/pointwise" "$repo/src/experimental/custom/reduction"
meta=$repo/src/experimental/generated/_metadata.json

cat > "$repo/src/experimental/generated/kernels.def" <<'EOF'
/* comment lines are skipped */
FGI_EXP_KERNEL(relu_gen, "relu.cpu.gen.test_v1", relu, false, ALL, 0, 0, fgi_supports_any, fgi_gen_relu_test)
EOF
cat > "$repo/src/experimental/custom/kernels.def" <<'EOF'
FGI_EXP_KERNEL(sm, "softmax.cpu.custom.test_v1", softmax, true, ALL, 0, 0, fgi_supports_any, fgi_custom_softmax_test)
EOF
cat > "$repo/src/experimental/generated/pointwise/relu_test.c" <<'EOF'
#include "ops/kernel.h"

/* the declaration does not count */
fg_status fgi_gen_relu_test(const fgi_call *call);

fg_status fgi_gen_relu_test(const fgi_call *call)
{
    (void)call;
    return FG_OK;
}
EOF
cat > "$repo/src/experimental/custom/reduction/softmax_test.c" <<'EOF'
#include "ops/kernel.h"

static fg_status impl(const fgi_call *call, int variant)
{
    (void)call;
    (void)variant;
    return FG_OK;
}

fg_status fgi_custom_softmax_test(const fgi_call *call) { return impl(call, 1); }
EOF

# no file yet: --check fails, a run creates it
if "$sync" --repo "$repo" --check 2>/dev/null; then fail "--check passed without a file"; fi
"$sync" --repo "$repo" > "$repo/out1"
grep -q "registered relu.cpu.gen.test_v1 (src/experimental/generated/pointwise/relu_test.c:6-10)" "$repo/out1" ||
  fail "relu range: $(cat "$repo/out1")"
grep -q "registered softmax.cpu.custom.test_v1 (src/experimental/custom/reduction/softmax_test.c:3-10)" "$repo/out1" ||
  fail "one-line wrapper range: $(cat "$repo/out1")"
grep -q '"category": "pointwise"' "$meta" || fail "category"
grep -q '"status": "EXPERIMENTAL"' "$meta" || fail "status"
grep -q '"generator_tool": null' "$meta" || fail "generation_info"
"$sync" --repo "$repo" --check || fail "--check after a run"

# a second run writes nothing
before=$(cat "$meta")
out=$("$sync" --repo "$repo")
grep -q "is up to date (2 kernels)" <<< "$out" || fail "second run"
[ "$before" = "$(cat "$meta")" ] || fail "second run changed the file"

# the source moves: --check names the stale range, a run fixes it
sed -i '1i /* a new first line */' "$repo/src/experimental/generated/pointwise/relu_test.c"
err=$("$sync" --repo "$repo" --check 2>&1) && fail "--check passed with a stale range"
grep -q "relu.cpu.gen.test_v1: code_location is src/experimental/generated/pointwise/relu_test.c:6-10, the source says src/experimental/generated/pointwise/relu_test.c:7-11" <<< "$err" ||
  fail "stale message: $err"
out=$("$sync" --repo "$repo")
grep -q "code_location .* -> src/experimental/generated/pointwise/relu_test.c:7-11" <<< "$out" ||
  fail "range update"
"$sync" --repo "$repo" --check || fail "--check after the update"

# a patch goes through the store's validation
"$sync" --repo "$repo" --patch softmax.cpu.custom.test_v1 \
  '{"hardware_support": {"shape_constraints": {"max_last_dim": 1024}}}' > /dev/null
grep -q '"max_last_dim": 1024' "$meta" || fail "patch"
err=$("$sync" --repo "$repo" --patch softmax.cpu.custom.test_v1 '{"status": "STABLE"}' 2>&1) &&
  fail "a refused transition passed"
grep -q "cannot go from EXPERIMENTAL to STABLE" <<< "$err" || fail "transition message: $err"

# perf records: only those against a stable kernel become baselines
cat > "$repo/perf.json" <<'EOF'
{"custom": [
 {"op": "softmax", "shape": "[64,512]", "dtype": "float32", "kernel": "softmax.cpu.custom.test_v1", "us": 10.0, "baseline": "softmax.cpu.stable.generic", "baseline_us": 15.0, "speedup": 1.5},
 {"op": "softmax", "shape": "[64,512]", "dtype": "float32", "kernel": "softmax.cpu.custom.test_v1", "us": 10.0, "baseline": "softmax.cpu.reference", "baseline_us": 90.0, "speedup": 9.0}
]}
EOF
out=$("$sync" --repo "$repo" --perf-json "$repo/perf.json" --perf-device test-cpu \
  --perf-time 2026-01-02T03:04:05+01:00)
grep -q "softmax.cpu.custom.test_v1: 1 baseline(s) on test-cpu" <<< "$out" || fail "perf import: $out"
grep -q '"speedup": 1.5' "$meta" || fail "baseline speedup"
grep -q '"speedup": 9.0' "$meta" && fail "a baseline against the reference kernel was recorded"
grep -q '"timestamp": "2026-01-02T02:04:05Z"' "$meta" || fail "baseline time"
grep -q '"test-cpu"' "$meta" || fail "tested device"

# a kernel gone from kernels.def while still EXPERIMENTAL is reported
sed -i '/relu_gen/d' "$repo/src/experimental/generated/kernels.def"
err=$("$sync" --repo "$repo" --check 2>&1) && fail "--check passed with an orphan"
grep -q "relu.cpu.gen.test_v1 is EXPERIMENTAL in the metadata but in no kernels.def" <<< "$err" ||
  fail "orphan message: $err"

# a hand-formatted (valid, not canonical) file fails --check
printf '%s\n' "FGI_EXP_KERNEL(relu_gen, \"relu.cpu.gen.test_v1\", relu, false, ALL, 0, 0, fgi_supports_any, fgi_gen_relu_test)" \
  >> "$repo/src/experimental/generated/kernels.def"
"$sync" --repo "$repo" --check || fail "--check with the kernel back"
sed -i 's/^  "version": /  "version":   /' "$meta"
err=$("$sync" --repo "$repo" --check 2>&1) && fail "--check passed a non-canonical file"
grep -q "is not in the canonical form" <<< "$err" || fail "canonical message: $err"
echo "fg-meta-sync: all checks passed"
