#!/usr/bin/env bash
# Regenerate table.md from the boots in boots/ (each the --out of
#   scripts/guest/run --kver KVER | --kernel BZIMAGE --modules none \
#     --fs ext4|xfs-reflink --bin stress/daxstress --bin DAX-LAYOUT-LOSS \
#     --out results/finding/layout/boots/{stock,fixed}-KVER-{ext4,xfs} \
#     tests/guest/layout_check.sh
# with DAX-LAYOUT-LOSS built by cc -O2 -static from
# results/finding/repro/dax-layout-loss.c).  A column whose boots are not
# there (none now: every kernel below has its ext4 and xfs boots) is
# printed as not run.
set -euo pipefail
cd "$(dirname "$0")"
args=()
for k in 6.1 6.12 7.2; do
	for side in stock fixed; do
		any=0
		for fs in ext4 xfs; do
			d=boots/$side-$k-$fs
			[ -f "$d/layout.json" ] || continue
			args+=("$side $k=$d")
			any=1
		done
		[ $any = 1 ] || args+=("$side $k=")
	done
done
../../../scripts/layout-table --title "## The layout scenario, operation x kernel" "${args[@]}" >table.md.tmp
mv table.md.tmp table.md
