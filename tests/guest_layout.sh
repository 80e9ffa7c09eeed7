#!/usr/bin/env bash
# The 7.2 layout finding: since 6.15 dax_break_layout() ends with
# dax_delete_mapping_range() over the whole file (ext4 and xfs call
# dax_break_layout_inode(), 0 .. LLONG_MAX), deleting DIRTY and TOWRITE
# entries unwritten, so the fsync after a punch, truncate, collapse, clone...
# need not flush data stored anywhere in the file.  Four boots, each running
# tests/guest/layout_check.sh (daxstress --scenario layout, then the
# standalone reproducer results/finding/repro/dax-layout-loss.c):
#   - Debian's stock 7.2 image, ext4 and xfs (made with reflink=1, so that
#     the reflink callers run too): the scenario fails, reported as TODO with
#     the reason (the kernel's bug, the suite's finding), only of the known
#     kind (every stored page of a failing run missed, none late or
#     unflushed, clean kernel log), and exactly the operations whose 7.2
#     callers break the layout lose pages, their near pages (inside the 2 MiB
#     region the operation cuts, outside its range) with the far ones; the
#     reproducer exits 1;
#   - the fixed 7.2 (scripts/kernel/fixed --kver 7.2), ext4 and xfs: every
#     operation passes, far and near pages, the near pages of the PMD runs in
#     the 2 MiB entry the operation cuts (all but allocate's, whose region
#     has a hole), so that a fix that deleted a cut dirty entry unwritten
#     would fail here; the reproducer exits 0, with --near too; clean kernel
#     log;
#   - on every boot: the operations the file system refuses are exactly the
#     expected ones (a refused operation is unsupported, not a pass), and no
#     tracefs instance is left behind.
# Measured here: 50 s to about 2 minutes with the fixed kernel cached (each
# boot 7-20 s of guest time plus a 1-4 s scenario run); building the fixed
# kernel first takes as long as scripts/kernel/fixed needs (tens of
# minutes cold on two cores).
#   tests/guest_layout.sh
# timeout: 3600
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=../scripts/lib/kmsg.sh
. scripts/lib/kmsg.sh
out=build/test-guest-layout
fresh_dir "$out"
repro=results/finding/repro/dax-layout-loss.c
need qemu-system-x86_64 jq stress/daxstress
echo "1..36"

todo="# TODO stock 7.2 dax_break_layout deletes dirty entries: dax_break_layout_inode() ends with dax_delete_mapping_range() over the whole file (0..LLONG_MAX) without writing DIRTY/TOWRITE entries back (since 6.15, \"fs/dax: always remove DAX page-cache entries when breaking layouts\"); the kernel's bug, the suite's finding (results/finding/repro/README.md); fixed by scripts/kernel/fixes/7.2/dax-break-layout.patch"
# What 7.2's callers predict (ext4_fallocate for every mode but plain
# allocate, ext4_setattr for every size change; __xfs_file_fallocate for
# every mode, xfs_vn_setattr, xfs_ilock2_io_mmap for reflink remaps), and
# what each file system refuses here (pmem cannot WRITE_ZEROES; the guest's
# mkfs.xfs 6.1 cannot make an exchange-range file system).
declare -A lose unsup
lose[ext4]="collapse-range insert-range punch-hole truncate-down truncate-same-size truncate-up zero-range zero-range-keep-size"
lose[xfs]="allocate allocate-keep-size clone-into clone-out collapse-range dedupe-range insert-range punch-hole truncate-down truncate-same-size truncate-up unshare-range zero-range zero-range-keep-size"
unsup[ext4]="clone-into clone-out dedupe-range exchange-range unshare-range write-zeroes"
unsup[xfs]="exchange-range write-zeroes"
# The lost operations that cut no 2 MiB region, so have no near page.
declare -A nonear
nonear[ext4]="truncate-same-size truncate-up"
nonear[xfs]="allocate-keep-size truncate-same-size truncate-up"

cc -O2 -static -o "$out/dax-layout-loss" "$repro" 2>"$out/cc.log"; st=$?
check "the reproducer builds alone with cc -O2 -static ($(wc -l <"$repro") lines)" $st "$(head -n3 "$out/cc.log")"

fixed=$(scripts/kernel/fixed -q --kver 7.2 2>"$out/build.log"); st=$?
check "fixed 7.2 kernel (scripts/kernel/fixed --kver 7.2: $(scripts/kernel/fixed --kver 7.2 --patches 2>/dev/null | xargs -n1 basename 2>/dev/null | paste -sd' '))" $st \
	"$(tail -n3 "$out/build.log" | tr '\n' ' ')"

# A boot that QEMU's multi-threaded TCG killed (an int3 Oops when the kernel
# live-patches code the other vCPU runs) is booted again, twice at most: a
# job of the boot library (scripts/boot-job --retry emulator-fault),
# attempts set aside as NAME.attempt-K.  Returns guest/run's status.
boot() {	# NAME FS KERNEL-ARGS...
	local name=$1 fs=$2
	shift 2
	scripts/boot-job --quiet --attempts 3 --retry emulator-fault --out "$out/$name" -- "$@" --fs "$fs" \
		--timeout 300 --bin stress/daxstress --bin "$out/dax-layout-loss" tests/guest/layout_check.sh >/dev/null
	[ -f "$out/$name/result.json" ] || { echo "# $name: scripts/boot-job left no result.json"; return 125; }
	cp "$out/$name/harness.log" "$out/$name.log"
	jq -r '.seconds | round' "$out/$name/result.json" >"$out/$name.seconds"
	jq -r '.attempts[:-1][] | "# \(.dir): died of an emulator fault (\(.lines[0] // "?")); booted again"' "$out/$name/result.json"
	return "$(jq -r .harness_status "$out/$name/result.json")"
}
sc() { jq -c '.scenarios[] | select(.name == "layout")' "$1/layout.json" 2>/dev/null; }
ops_with() {	# DIR VERDICT: the operations with a run of that verdict
	jq -r --arg v "$2" '[.scenarios[] | select(.name == "layout") | .info.operations[]
		| select(.verdict == $v) | .operation] | unique | join(" ")' "$1/layout.json" 2>/dev/null
}
rc() { cat "$1" 2>/dev/null || echo none; }
left() {	# DIR NAME: no tracefs instance left behind
	[ -f "$1/instances.txt" ] && ! grep -q . "$1/instances.txt"
	check "$2: no tracefs instance left behind" $? "instances/: $(tr '\n' ' ' <"$1/instances.txt" 2>/dev/null)"
}

for fs in ext4 xfs; do
	gfs=$fs
	[ $fs = xfs ] && gfs=xfs-reflink
	# ---- stock ----
	name=stock-$fs
	boot "$name" "$gfs" --kver 7.2; st=$?
	d=$out/$name
	check "stock 7.2 $gfs booted ($(sed -n 's/^kernel=//p' "$d/.guest-info" 2>/dev/null)) and ran the scenario and the reproducer in $(cat "$out/$name.seconds") s" $st \
		"$(tail -n2 "$out/$name.log" | tr '\n' ' ')"
	j=$(sc "$d")
	nfail=$(jq -r '.info.fail // "none"' <<<"$j" 2>/dev/null)
	nruns=$(jq -r '.info.runs // "none"' <<<"$j" 2>/dev/null)
	# the known kind (scripts/lib/daxstress.jq: known_layout, Debian's 7.2)
	known=$(jq -r -L scripts/lib 'include "daxstress"; known_layout("debian"; "7.2")' <<<"$j" 2>/dev/null)
	if [ "$(rc "$d/layout.rc")" = 1 ] && [ "$known" = true ]; then
		n=$((n + 1))
		echo "not ok $n - daxstress layout on stock 7.2 $fs: $nfail of $nruns runs lost pages stored outside the operation ($(ops_with "$d" fail)) in $(jq -r '.duration_ns / 1e9 | . * 10 | round / 10' <<<"$j") s $todo"
	else
		not_ok "daxstress layout on stock 7.2 $fs fails as the known bug (and only so)" \
			"exit $(rc "$d/layout.rc"), known kind: ${known:-no result}" \
			"$(grep -E '^(not ok|ok)|layout: iteration' "$d/layout.tap" 2>/dev/null | head -4 | tr '\n' ' ')"
	fi
	got=$(ops_with "$d" fail)
	[ "$got" = "${lose[$fs]}" ] && [ "$nfail" = $((2 * $(wc -w <<<"${lose[$fs]}"))) ]
	check "stock 7.2 $fs: exactly the operations whose callers break the layout lose pages, in PTE and PMD" $? \
		"lost ($nfail runs): '$got'" "expected: '${lose[$fs]}'"
	v=$(jq -c '[.info.operations[] | select(.verdict == "fail" and .near.stored > 0)
		| .near.missing == .near.stored] | [length, all]' <<<"$j" 2>/dev/null)
	[ "$v" = "[$((2 * $(wc -w <<<"${lose[$fs]}") - 2 * $(wc -w <<<"${nonear[$fs]}"))),true]" ]
	check "stock 7.2 $fs: every failing run with near pages lost them all too ([runs, all] = $v)" $? \
		"expected $((2 * $(wc -w <<<"${lose[$fs]}") - 2 * $(wc -w <<<"${nonear[$fs]}"))) runs"
	got=$(ops_with "$d" unsupported)
	[ "$got" = "${unsup[$fs]}" ]
	check "stock 7.2 $fs: refused as unsupported: ${unsup[$fs]}" $? "got '$got'"
	[ "$(rc "$d/repro.rc")" = 1 ] && grep -q '^punch-hole .*page 0 NOT written back, page 7 NOT written back' "$d/repro.txt"
	check "reproducer on stock 7.2 $fs: exit 1, pages 0 and 7 not written back after the punch of page 200" $? \
		"exit $(rc "$d/repro.rc")" "$(tail -n3 "$d/repro.txt" 2>/dev/null | tr '\n' ' ')"
	[ "$(rc "$d/repro-all.rc")" = 1 ] && [ "$(rc "$d/repro-pmd.rc")" = 1 ]
	check "reproducer -a on stock 7.2 $fs: exit 1 in PTE and PMD mappings ($(grep -c ': LOST' "$d/repro-all.txt" 2>/dev/null) and $(grep -c ': LOST' "$d/repro-pmd.txt" 2>/dev/null) operations lose pages)" $? \
		"exit $(rc "$d/repro-all.rc") / $(rc "$d/repro-pmd.rc")"
	left "$d" "stock 7.2 $fs"

	# ---- fixed ----
	name=fixed-$fs
	if [ -z "$fixed" ] || [ ! -f "$fixed" ]; then
		for k in 1 2 3 4 5 6 7 8 9; do skip "fixed 7.2 $fs check $k" "no fixed kernel (see above)"; done
		continue
	fi
	boot "$name" "$gfs" --kernel "$fixed" --modules none; st=$?
	d=$out/$name
	check "fixed 7.2 $gfs booted ($(sed -n 's/^kernel=//p' "$d/.guest-info" 2>/dev/null)) in $(cat "$out/$name.seconds") s with a clean kernel log (guest/run exit 0)" $st \
		"$(tail -n2 "$out/$name.log" | tr '\n' ' ')" \
		"$(grep -a -m2 -E "$kmsg_bad" "$d/dmesg.txt" 2>/dev/null | tr '\n' ' ')"
	j=$(sc "$d")
	[ "$(rc "$d/layout.rc")" = 0 ] && [ "$(jq -r '.verdict' <<<"$j")" = pass ]
	check "daxstress layout on fixed 7.2 $fs: pass in $(jq -r '.duration_ns / 1e9 | . * 10 | round / 10' <<<"$j" 2>/dev/null) s" $? \
		"exit $(rc "$d/layout.rc")" "$(grep -E 'layout: iteration' "$d/layout.tap" 2>/dev/null | head -3 | tr '\n' ' ')"
	v=$(jq -c '[.info.pass, .info.fail, .info.unsupported, .violations, ([.info.operations[] | .missing] | add)]' <<<"$j" 2>/dev/null)
	u=$(wc -w <<<"${unsup[$fs]}")
	[ "$v" = "[$((2 * (16 - u))),0,$((2 * u)),0,0]" ]
	check "fixed 7.2 $fs: every supported operation passes in PTE and PMD, no page missing ([pass, fail, unsupported, violations, missing] = $v)" $? \
		"expected [$((2 * (16 - u))),0,$((2 * u)),0,0]"
	v=$(jq -c '[.info.far.missing, .info.near.missing, .info.near.stored,
		([.info.operations[] | select(.page == "pmd" and .near.stored > 0 and .operation != "allocate")
		  | .near.in_pmd_entry == .near.stored] | length > 0 and all)]' <<<"$j" 2>/dev/null)
	[ "$v" = "[0,0,100,true]" ]
	check "fixed 7.2 $fs: far and near pages all written back, the near ones of the PMD runs in the 2 MiB entry the operation cuts ([far missing, near missing, near stored, in the entry] = $v)" $? \
		"expected [0,0,100,true]" "$(grep -E 'near \(|near pages' "$d/layout.tap" 2>/dev/null | grep -v ': pass$' | head -3 | tr '\n' ' ')"
	got=$(ops_with "$d" unsupported)
	[ "$got" = "${unsup[$fs]}" ]
	check "fixed 7.2 $fs: refused as unsupported: ${unsup[$fs]}" $? "got '$got'"
	[ "$(rc "$d/repro.rc")" = 0 ] && grep -q '^punch-hole .*page 0 written back, page 7 written back' "$d/repro.txt"
	check "reproducer on fixed 7.2 $fs: exit 0, pages 0 and 7 written back" $? \
		"exit $(rc "$d/repro.rc")" "$(tail -n3 "$d/repro.txt" 2>/dev/null | tr '\n' ' ')"
	[ "$(rc "$d/repro-all.rc")" = 0 ] && [ "$(rc "$d/repro-pmd.rc")" = 0 ]
	check "reproducer -a on fixed 7.2 $fs: exit 0 in PTE and PMD mappings" $? \
		"exit $(rc "$d/repro-all.rc") / $(rc "$d/repro-pmd.rc")" "$(grep ': LOST' "$d/repro-all.txt" "$d/repro-pmd.txt" 2>/dev/null | head -2 | tr '\n' ' ')"
	[ "$(rc "$d/repro-near.rc")" = 0 ]
	check "reproducer -a --near on fixed 7.2 $fs: exit 0 (the operation inside the stores' 2 MiB entry)" $? \
		"exit $(rc "$d/repro-near.rc")" "$(grep ': LOST' "$d/repro-near.txt" 2>/dev/null | head -2 | tr '\n' ' ')"
	left "$d" "fixed 7.2 $fs"
done
[ $tap_failed -eq 0 ] || { echo "# $tap_failed of $n failed"; exit 1; }
exit 0
