#!/usr/bin/env bash
# scripts/layout-table on synthetic layout boots (no guest): one table per
# file system, operation x kernel; a cell is written back / stored in the
# PTE and the PMD mapping with the verdict (ok, **LOST**, refused with the
# errno); a LABEL= with no directory is a column not run yet; a second fs
# of the same label lands in its own table, named with its reflink setting;
# bad usage exits 2 with one line.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need python3
work=$(mktemp -d /tmp/daxbench-layout-table.XXXXXX)
trap 'rm -rf "$work"' EXIT
tbl=scripts/layout-table
echo "1..10"

run() {	# OP PAGE VERDICT STORED WRITTEN_BACK [ERRNO]
	local e=null
	[ -z "${6:-}" ] || e="\"$6\""
	printf '{"iteration":0,"operation":"%s","page":"%s","verdict":"%s","stored":%d,"written_back":%d,"missing":%d,"errno":%s}' \
		"$1" "$2" "$3" "$4" "$5" $(($4 - $5)) "$e"
}
boot() {	# DIR KERNEL FS REFLINK VERDICT RUNS...
	local d=$1 k=$2 fs=$3 rl=$4 v=$5 runs
	shift 5
	mkdir -p "$d"
	{ echo "kernel=$k"; echo "fs=$fs"; [ "$fs" != xfs ] || echo "xfs_reflink=$rl"; } >"$d/.guest-info"
	runs=$(IFS=,; echo "$*")
	printf '{"scenarios":[{"name":"layout","verdict":"%s","duration_ns":2500000000,"info":{"runs":4,"pass":2,"fail":0,"unsupported":2,"operations":[%s]}}]}\n' \
		"$v" "$runs" >"$d/layout.json"
}
boot "$work/s" 7.2.13+deb14-amd64 ext4 0 fail "$(run punch-hole pte fail 7 0)" "$(run punch-hole pmd fail 7 0)" \
	"$(run write-zeroes pte unsupported 7 7 EOPNOTSUPP)" "$(run write-zeroes pmd unsupported 7 7 EOPNOTSUPP)"
boot "$work/f" 7.2.13-fixed ext4 0 pass "$(run punch-hole pte pass 7 7)" "$(run punch-hole pmd pass 7 7)" \
	"$(run write-zeroes pte unsupported 7 7 EOPNOTSUPP)" "$(run write-zeroes pmd unsupported 7 7 EOPNOTSUPP)"
boot "$work/x" 7.2.13+deb14-amd64 xfs 1 fail "$(run punch-hole pte fail 7 0)" "$(run punch-hole pmd fail 7 3)"

"$tbl" --title "## synthetic" "stock 7.2=$work/s" "fixed 7.2=$work/f" "stock 7.2=$work/x" "fixed 6.1=" \
	>"$work/t.md" 2>"$work/err"; st=$?
check "a table from three boots and a column not run: exit 0" $st "$(cat "$work/err")"
grep -qx '## synthetic' "$work/t.md" && grep -qx '### ext4' "$work/t.md" && grep -qx '### xfs, reflink=1' "$work/t.md"
check "one table per file system, the xfs one named with its reflink setting, under the title" $?
grep -qx '| operation | stock 7.2 | fixed 7.2 | fixed 6.1 |' "$work/t.md"
check "columns: the labels in the order given" $? "$(grep '^| operation' "$work/t.md" | head -1)"
grep -qxF '| punch-hole | **LOST** 0/7 · 0/7 | ok 7/7 · 7/7 | not run |' "$work/t.md"
check "a lost run is **LOST** with written back / stored in PTE · PMD; a passing one ok" $? \
	"$(grep '^| punch-hole' "$work/t.md" | head -1)"
grep -qxF '| write-zeroes | refused (EOPNOTSUPP) 7/7 · 7/7 | refused (EOPNOTSUPP) 7/7 · 7/7 | not run |' "$work/t.md"
check "a refused operation names its errno, its stores still counted" $? "$(grep '^| write-zeroes' "$work/t.md")"
grep -qxF '| punch-hole | **LOST** 0/7 · 3/7 | not run | not run |' "$work/t.md"
check "the xfs table: only its own boot, the other columns not run" $? "$(grep '^| punch-hole' "$work/t.md" | tail -1)"
grep -qxF -- '- fixed 6.1: not run (to be filled by a rerun)' "$work/t.md" &&
	grep -qF -- '- stock 7.2: 7.2.13+deb14-amd64: fail, 2 pass, 0 fail, 2 unsupported of 4 runs in 2.5 s' "$work/t.md"
check "per column: the kernel, verdict and counts, or not run" $?

"$tbl" >/dev/null 2>"$work/e1"; st1=$?
"$tbl" "$work/nope" >/dev/null 2>"$work/e2"; st2=$?
mkdir "$work/empty"
"$tbl" "$work/empty" >/dev/null 2>"$work/e3"; st3=$?
[ $st1 = 2 ] && [ $st2 = 2 ] && [ $st3 = 2 ] && grep -q 'no result directory' "$work/e1" &&
	grep -q 'not a directory' "$work/e2" && grep -q 'layout.json' "$work/e3"
check "no directory, a missing one, one without layout.json: exit 2 and say which" $? "$st1 $st2 $st3"
"$tbl" --bogus "$work/s" >/dev/null 2>"$work/e4"; st=$?
[ $st = 2 ] && grep -q "unknown option '--bogus'" "$work/e4"
check "an unknown option: exit 2 naming it" $? "exit $st: $(head -1 "$work/e4")"
"$tbl" --help | grep -q 'LABEL=DIR'
check "--help" $?
