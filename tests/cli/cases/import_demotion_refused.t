# a kernel already further along the lifecycle than the inventory says is
# reported, not moved backwards
run: flag-gems-exp import-flaggems --metadata m.json --inventory $FIXTURES/inventory.yaml > /dev/null 2>&1
run: sed 's/- stable: .1.0./- alpha: '"'"'1.0'"'"'/' $FIXTURES/inventory.yaml > inv.yaml
cmd: flag-gems-exp import-flaggems --metadata m.json --inventory inv.yaml --format table | head -1
stderr: inv.yaml: entry 0 (id abs, line 4): abs.triton.flaggems has status STABLE in the metadata; the lifecycle cannot go back to EXPERIMENTAL; not imported
---
imported 5 of 6 inventory entries (0 new, 5 updated) into m.json
