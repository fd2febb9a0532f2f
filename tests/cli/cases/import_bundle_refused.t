# a duplicate, an unsafe path and an oversized source are refused; nothing changes
requires: cmd import
run: mkdir -p tree/src/experimental/generated tree/tools/codegen tree/.git && cp -r $SRC/tools/codegen/templates tree/tools/codegen/ && cp $SRC/src/experimental/generated/.clang-format $SRC/src/experimental/generated/kernels.def tree/src/experimental/generated/
run: flag-gems-exp import $FIXTURES/bundle_relu.json --repo tree --no-format > /dev/null
run: cat tree/src/experimental/generated/kernels.def tree/src/experimental/generated/_metadata.json | cksum > before
run: { printf '{"format": "flaggems-kernel-bundle", "version": 1, "generator_tool": "KernelGen", "generator_version": "v0.1.2", "generation_date": "2026-11-20T10:00:00Z", "kernels": [{"kernel_id": "relu.cpu.gen.big_v1", "op": "relu", "file": "relu_big_v1.c", "isa": "portable", "dtypes": "F32", "specialized": false, "priority": 0, "supports": "fgi_gen_relu_big_v1_supports", "run": "fgi_gen_relu_big_v1_run", "source": "bool fgi_gen_relu_big_v1_supports; fg_status fgi_gen_relu_big_v1_run; /*'; head -c 300000 /dev/zero | tr '\0' x; printf '*/"}]}'; } > big.json
cmd: for b in $FIXTURES/bundle_relu.json $FIXTURES/bundle_unsafe_path.json big.json; do flag-gems-exp import $b --repo tree --no-format; echo "rc=$?"; done
stderr-lines: 3
stderr: flag-gems-exp import: bundle refused, nothing written: FG_ERR_CONFLICT: kernel relu.cpu.gen.contrib_v1 (or its symbol
stderr: kernels[0] (relu.cpu.gen.contrib_v2): file '../../../evil.c' must be a plain file name
stderr: kernels[0] (relu.cpu.gen.big_v1): source has 300074 bytes, more than the limit of 262144
after: cat tree/src/experimental/generated/kernels.def tree/src/experimental/generated/_metadata.json | cksum | cmp - before
after: test ! -e evil.c && test ! -e tree/evil.c
---
rc=1
rc=2
rc=2
