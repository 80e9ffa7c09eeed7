#!/usr/bin/env bash
# scripts/layout-table on synthetic layout boots (no guest): per file system
# a table of the far pages and one of the near pages, operation x kernel; a
# cell is that class's written back / stored in the PTE and the PMD mapping
# with its verdict (ok, **LOST**, refused with the errno, none: no near
# page), a near cell whose PMD run's pages were not all in a 2 MiB entry
# marked with a footnote; a result from before the classes fills the far
# table, its near cells "not measured"; a LABEL= with no directory is a
# column not run yet; a second fs of the same label lands in its own table,
# named with its reflink setting; bad usage exits 2 with one line.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need python3 jq
work=$(mktemp -d /tmp/daxbench-layout-table.XXXXXX)
trap 'rm -rf "$work"' EXIT
tbl=scripts/layout-table
echo "1..16"

run() {	# OP PAGE VERDICT STORED WRITTEN_BACK [ERRNO]
	local e=null
	[ -z "${6:-}" ] || e="\"$6\""
	printf '{"iteration":0,"operation":"%s","page":"%s","verdict":"%s","stored":%d,"written_back":%d,"missing":%d,"errno":%s}' \
		"$1" "$2" "$3" "$4" "$5" $(($4 - $5)) "$e"
}
# a run with the far and near classes (the scenario's JSON since the near
# class): OP PAGE VERDICT FAR_STORED FAR_WB NEAR_STORED NEAR_WB IN_PMD [ERRNO]
runc() {
	local e=null
	[ -z "${9:-}" ] || e="\"$9\""
	printf '{"iteration":0,"operation":"%s","page":"%s","verdict":"%s","checked":true,"status":"%s","stored":%d,"written_back":%d,"missing":%d,"errno":%s,' \
		"$1" "$2" "$3" "$([ "$3" = unsupported ] && echo unsupported || echo "done")" $(($4 + $6)) $(($5 + $7)) $(($4 + $6 - $5 - $7)) "$e"
	printf '"far":{"stored":%d,"written_back":%d,"missing":%d,"data_mismatch":0,"in_pmd_entry":0},' "$4" "$5" $(($4 - $5))
	printf '"near":{"stored":%d,"written_back":%d,"missing":%d,"data_mismatch":0,"in_pmd_entry":%s}}' "$6" "$7" $(($6 - $7)) "$8"
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
boot "$work/n" 6.1.0-57-amd64 ext4 0 fail "$(runc punch-hole pte pass 7 7 4 4 0)" "$(runc punch-hole pmd pass 7 7 4 4 4)" \
	"$(runc zero-range pte pass 7 7 4 4 0)" "$(runc zero-range pmd fail 7 7 4 0 4)" \
	"$(runc allocate pte pass 7 7 4 4 0)" "$(runc allocate pmd pass 7 7 4 4 0)" \
	"$(runc truncate-up pte pass 9 9 0 0 0)" "$(runc truncate-up pmd pass 9 9 0 0 0)" \
	"$(runc write-zeroes pte unsupported 7 7 4 4 0 EOPNOTSUPP)" "$(runc write-zeroes pmd unsupported 7 7 4 4 4 EOPNOTSUPP)"
jq '.scenarios[0].info += {far: {runs_lost: 0}, near: {runs_lost: 1}}' "$work/n/layout.json" >"$work/n/l" && mv "$work/n/l" "$work/n/layout.json"

"$tbl" --title "## synthetic" "stock 7.2=$work/s" "fixed 7.2=$work/f" "stock 7.2=$work/x" "fixed 6.1=" \
	>"$work/t.md" 2>"$work/err"; st=$?
check "a table from three boots and a column not run: exit 0" $st "$(cat "$work/err")"
grep -qx '## synthetic' "$work/t.md" && grep -qx '### ext4' "$work/t.md" && grep -qx '### xfs, reflink=1' "$work/t.md" &&
	[ "$(grep -c '^#### far pages' "$work/t.md")" = 2 ] && [ "$(grep -c '^#### near pages' "$work/t.md")" = 2 ]
check "a section per file system, the xfs one named with its reflink setting, under the title, each a far and a near table" $?
grep -qx '| operation | stock 7.2 | fixed 7.2 | fixed 6.1 |' "$work/t.md"
check "columns: the labels in the order given" $? "$(grep '^| operation' "$work/t.md" | head -1)"
grep -qxF '| punch-hole | **LOST** 0/7 · 0/7 | ok 7/7 · 7/7 | not run |' "$work/t.md"
check "a lost run is **LOST** with written back / stored in PTE · PMD; a passing one ok" $? \
	"$(grep '^| punch-hole' "$work/t.md" | head -1)"
grep -qxF '| write-zeroes | refused (EOPNOTSUPP) 7/7 · 7/7 | refused (EOPNOTSUPP) 7/7 · 7/7 | not run |' "$work/t.md"
check "a refused operation names its errno, its stores still counted" $? "$(grep '^| write-zeroes' "$work/t.md")"
sed -n '/^### xfs, reflink=1$/,$p' "$work/t.md" | grep -qxF '| punch-hole | **LOST** 0/7 · 3/7 | not run | not run |'
check "the xfs table: only its own boot, the other columns not run" $? "$(sed -n '/^### xfs/,$p' "$work/t.md" | grep '^| punch-hole' | head -1)"
grep -qxF -- '- fixed 6.1: not run (to be filled by a rerun)' "$work/t.md" &&
	grep -qF -- '- stock 7.2: 7.2.13+deb14-amd64: fail, 2 pass, 0 fail, 2 unsupported of 4 runs in 2.5 s' "$work/t.md"
check "per column: the kernel, verdict and counts, or not run" $?

# the near class
"$tbl" "stock 6.1=$work/n" "stock 7.2=$work/s" >"$work/n.md" 2>"$work/err"; st=$?
check "boots with the near class and one from before it: exit 0" $st "$(cat "$work/err")"
# the ext4 section: the far table, then the near one
sed -n '/^### ext4$/,/^### /p' "$work/n.md" >"$work/n4.md"
far=$(sed -n '/^#### far pages/,/^#### near pages/p' "$work/n4.md")
near=$(sed -n '/^#### near pages/,$p' "$work/n4.md")
grep -qxF '| zero-range | ok 7/7 · 7/7 | not run |' <<<"$far" &&
	grep -qxF '| punch-hole | ok 7/7 · 7/7 | **LOST** 0/7 · 0/7 |' <<<"$far"
check "far table: the far pages alone (ok where only near pages were lost); an older result's stores are far" $? \
	"$(grep '^| zero-range\|^| punch-hole' <<<"$far")"
grep -qxF '| zero-range | **LOST** 4/4 · 0/4 | not run |' <<<"$near" &&
	grep -qxF '| punch-hole | ok 4/4 · 4/4 | not measured |' <<<"$near"
check "near table: a near loss is **LOST** with the near counts; an older result is not measured" $? \
	"$(grep '^| zero-range\|^| punch-hole' <<<"$near")"
grep -qxF '| truncate-up | none | not run |' <<<"$near" &&
	grep -qxF '| write-zeroes | refused (EOPNOTSUPP) 4/4 · 4/4 | not measured |' <<<"$near"
check "near table: none where the operation cuts no 2 MiB region; a refused call with its near stores" $? \
	"$(grep '^| truncate-up\|^| write-zeroes' <<<"$near")"
grep -qxF '| allocate | ok 4/4 · 4/4 † | not run |' <<<"$near" && grep -q '^†: in the PMD mapping' <<<"$near" &&
	! grep -q '†' <<<"$far"
check "near table: a PMD run whose near pages were 4 KiB entries is marked, with the footnote" $? \
	"$(grep '^| allocate\|^†' <<<"$near")"
grep -qF -- '- stock 6.1: 6.1.0-57-amd64: fail, 2 pass, 0 fail (far pages lost in 0, near pages in 1), 2 unsupported of 4 runs' "$work/n.md"
check "per column: the runs that lost far and near pages" $? "$(grep -- '^- stock 6.1' "$work/n.md")"

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
"$tbl" --help >"$work/help" 2>&1; st=$?
[ $st = 0 ] && grep -q 'LABEL=DIR' "$work/help"
check "--help: exit 0, the usage" $? "exit $st: $(head -2 "$work/help")"
