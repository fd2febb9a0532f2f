#!/usr/bin/env bash
# Contributing an experimental kernel from outside the tree
# (docs/experimental/codegen_guide.md, "Importing a bundle"):
#   1. pack the kernel source and what produced it into a bundle (JSON);
#   2. fg-codegen import: header, kernels.def line and _metadata.json entry,
#      the same path and metadata as generated kernels;
#   3. check the imported file compiles against the library's headers;
#   4. a second import of the same kernel, and a bundle with an unsafe file
#      name, are refused and change nothing.
# Runs in a scratch copy of the generator's inputs; needs fg-codegen on PATH
# and FG_SOURCE_DIR (ctest sets both).
set -euo pipefail
src=${FG_SOURCE_DIR:?set FG_SOURCE_DIR to the source tree}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fg-example-05.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree="$work/tree"
mkdir -p "$tree/src/experimental/generated" "$tree/tools/codegen" "$tree/.git"
cp -r "$src/tools/codegen/templates" "$tree/tools/codegen/"
cp "$src/src/experimental/generated/.clang-format" "$src/src/experimental/generated/kernels.def" \
   "$tree/src/experimental/generated/"

# 1. the bundle
python3 - "$here/leaky_relu_kernel.c" "$work/bundle.json" <<'PY'
import json, sys
source = open(sys.argv[1]).read()
bundle = {
    "format": "flaggems-kernel-bundle", "version": 1,
    "generator_tool": "hand-written", "generator_version": "v1",
    "generation_date": "2026-11-25T09:00:00Z",
    "kernels": [{
        "kernel_id": "relu.cpu.gen.contrib_v1", "op": "relu", "file": "relu_contrib_v1.c",
        "isa": "portable", "dtypes": "F32", "specialized": True, "priority": 5,
        "supports": "fgi_gen_relu_contrib_v1_supports", "run": "fgi_gen_relu_contrib_v1_run",
        "generation_config": {"note": "scalar loop, small tensors"},
        "shape_constraints": {"layout": "dense", "max_numel": 65536},
        "source": source}]}
json.dump(bundle, open(sys.argv[2], "w"), indent=2)
PY

# 2. import
fg-codegen import "$work/bundle.json" --repo "$tree"
file="$tree/src/experimental/generated/pointwise/relu_contrib_v1.c"
head -n 13 "$file"
grep 'relu.cpu.gen.contrib_v1' "$tree/src/experimental/generated/kernels.def"
python3 - "$tree/src/experimental/generated/_metadata.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["ops"]["relu.cpu.gen.contrib_v1"]
print(json.dumps({k: e[k] for k in ("generation_info", "code_location", "hardware_support")}, indent=2))
assert e["generation_info"]["generator_tool"] == "hand-written"
assert e["code_location"]["file_path"] == "src/experimental/generated/pointwise/relu_contrib_v1.c"
PY

# 3. it compiles
cc -std=c17 -fsyntax-only -Wall -Werror -I"$tree/src" -I"$src/src" -I"$src/include" "$file"
echo "--- compiles"

# 4. refusals change nothing
before=$(cat "$tree/src/experimental/generated/kernels.def" "$tree/src/experimental/generated/_metadata.json" | md5sum)
if fg-codegen import "$work/bundle.json" --repo "$tree"; then echo "a duplicate import was accepted" >&2; exit 1; fi
sed -e 's/"relu_contrib_v1.c"/"..\/..\/..\/evil.c"/' -e 's/contrib_v1"/contrib_v2"/' "$work/bundle.json" > "$work/evil.json"
if fg-codegen import "$work/evil.json" --repo "$tree"; then echo "an unsafe path was accepted" >&2; exit 1; fi
after=$(cat "$tree/src/experimental/generated/kernels.def" "$tree/src/experimental/generated/_metadata.json" | md5sum)
[ "$before" = "$after" ]
test ! -e "$work/evil.c"
echo "--- refused imports changed nothing"
