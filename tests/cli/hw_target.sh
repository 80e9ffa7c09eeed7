#!/usr/bin/env bash
# make hw's host side: a bad TARGET is refused by scripts/run-suite with
# exit 2 and one line naming --target, before anything runs (no results
# directory, no guest); the guest harness refuses a CXL size that is not a
# multiple of 256M and an unknown pmem kind; scripts/plot-flush draws its
# three figures (PNG and SVG) from daxbench flush results on anonymous DRAM.
set -uo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need jq gnuplot bench/daxbench
work=$(mktemp -d /tmp/daxbench-hwtarget.XXXXXX)
trap 'rm -rf "$work"' EXIT
: >"$work/file"
mkdir "$work/plain"
mkfifo "$work/fifo"
echo "1..12"

before=$(ls -A results 2>/dev/null | sort | tr '\n' ' ')
refused() { # NAME WORD ARGS...: exit 2, one stderr line naming --target and WORD
	local name=$1 word=$2 st
	shift 2
	scripts/run-suite "$@" >"$work/out" 2>"$work/err"; st=$?
	[ $st -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q -- '--target' "$work/err" &&
		grep -qi -- "$word" "$work/err" && [ ! -s "$work/out" ]
	check "$name: exit 2, one line naming --target ($(head -c 160 "$work/err"))" $? \
		"status $st: $(head -c 300 "$work/err")"
}
refused "--target missing path" "does not exist" --suite hw --target "$work/nonexistent"
refused "--target a directory not on DAX" "not on a DAX" --suite hw --target "$work/plain"
refused "--target a character device that is not a device-dax" "not a device-dax" --suite hw --target /dev/null
refused "--target a regular file" "neither" --suite hw --target "$work/file"
refused "--target a FIFO" "neither" --suite hw --target "$work/fifo"
refused "--target with a guest option (--pmem)" "for the guest" --suite hw --target "$work/plain" --pmem cxl
after=$(ls -A results 2>/dev/null | sort | tr '\n' ' ')
[ "$before" = "$after" ]
check "no results directory was made by the refused runs" $? "before: $before" "after: $after"

echo 'true' >"$work/script.sh"
scripts/guest/run --pmem cxl --pmem-size 384M --out "$work/g1" "$work/script.sh" >/dev/null 2>"$work/err"; st=$?
[ $st -eq 2 ] && grep -q 'multiple of 256M' "$work/err" && [ ! -e "$work/g1" ]
check "guest/run --pmem cxl --pmem-size 384M: exit 2, says multiple of 256M" $? "status $st: $(head -n1 "$work/err")"
scripts/guest/run --pmem pmemx --out "$work/g2" "$work/script.sh" >/dev/null 2>"$work/err"; st=$?
[ $st -eq 2 ] && grep -q 'memmap, nvdimm, devdax or cxl' "$work/err"
check "guest/run --pmem pmemx: exit 2, names the four kinds" $? "status $st: $(head -n1 "$work/err")"

d=$work/plots
mkdir "$d"
bench/daxbench flush --threads 1 --sizes 64,4K,2M --duration 5ms --repeat 2 --region 4M \
	--output "$d/flush-size.json" --quiet 2>"$work/err" &&
bench/daxbench flush --threads 1,2 --sizes 4K,2M --duration 5ms --repeat 1 --region 4M \
	--output "$d/flush-threads.json" --quiet 2>>"$work/err"
check "flush results for the plots made" $? "$(head -c 300 "$work/err")"
scripts/plot-flush "$d" >"$work/out" 2>"$work/err"; st=$?
made=0
for f in flush-gbps-size flush-gbps-threads flush-latency; do
	for x in png svg; do [ -s "$d/$f.$x" ] && made=$((made + 1)); done
done
[ $st -eq 0 ] && [ $made -eq 6 ]
check "plot-flush: exit 0, 3 figures as PNG and SVG ($made of 6)" $? "status $st: $(head -c 300 "$work/err")"
grep -q 'persist' "$d/flush-gbps-size.svg" && grep -q 'memcpy (no flush: ceiling)' "$d/flush-gbps-size.svg" &&
	grep -q 'flush_drain 2M' "$d/flush-gbps-threads.svg" && grep -q 'p99' "$d/flush-latency.svg"
check "plot-flush: the keys name every method, the ceiling, sizes in the thread plot and p99" $?
