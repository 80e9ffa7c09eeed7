#!/usr/bin/env bash
# Run fstests' generic/788 (the patch in this directory) in daxbench's
# emulated-pmem guest on one kernel, ext4 and xfs, and record the outputs.
#
# Usage: results/finding/fstests/run.sh (--kver KVER | --fixed KVER |
#            --kernel BZIMAGE --label NAME)
#            [--fs ext4|xfs|both] [--mode check|body|both] [--fstests DIR]
#   --kver KVER      Debian's stock kernel of that line (6.1, 6.12, 7.2);
#                    label stock-KVER
#   --fixed KVER     the line's fixed reference, as scripts/kernel/fixed
#                    --kver KVER builds it (its patches are recorded in
#                    out/fixed-KVER/fix-patches); label fixed-KVER
#   --kernel FILE    a custom build (booted with --modules none); --label
#                    names it in out/ (e.g. fixed-7.2)
#   --fs             default both
#   --mode check     fstests' own runner: `./check generic/788` in the guest,
#                    from an fstests tree built here (needs xfslibs-dev,
#                    libacl1-dev, libtool, gawk, ...: fstests' README), with
#                    the host's bash, perl, gawk, coreutils, util-linux,
#                    xfsprogs and e2fsprogs added to the guest
#          body      the test's body alone, under fstests' common/preamble,
#                    exit, test_names and tracing and daxbench's stand-in
#                    for the few common/rc helpers it calls (shim/common/rc)
#          both      (default) check, then body
#   --fstests DIR    an fstests tree with the patch applied (default: the
#                    patch's base-commit from FSTESTS_GIT, the patch applied
#                    with git am, in build/fstests/, cached)
# Env: FSTESTS_GIT (default /work/.mirror/kdave+xfstests/repo when present,
#      else git.kernel.org's xfstests-dev).
# Writes out/LABEL/FS/MODE/ (verdict, 788.out.bad, 788.full, 788.out.diff on
# failure, check.log, kernel-release, guest-info, dmesg.txt) and rewrites
# out/summary.md from every out/*/*/*.  The guest gets a second pmem region
# (memmap=512M!2G, 3 GiB of RAM): TEST_DEV is the harness's /dev/pmem0,
# mounted -o dax on /mnt/pmem, SCRATCH_DEV /dev/pmem1.
# Exit status: 0 when every run ended with a verdict (pass, fail or notrun:
# stock 7.2 is expected to fail), 1 when a run ended without one.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
prog=fstests/run.sh
die() { echo "$prog: $*" >&2; exit 2; }

kver='' fixed='' kernel='' label='' fss='ext4 xfs' modes='check body' tree=''
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=${2:?}; shift 2 ;;
	--fixed) fixed=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--label) label=${2:?}; shift 2 ;;
	--fs) case ${2:-} in ext4|xfs) fss=$2 ;; both) ;; *) die "--fs ext4|xfs|both" ;; esac; shift 2 ;;
	--mode) case ${2:-} in check|body) modes=$2 ;; both) ;; *) die "--mode check|body|both" ;; esac; shift 2 ;;
	--fstests) tree=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
fix_patches=
if [ -n "$fixed" ]; then
	[ -z "$kver$kernel" ] || die "one of --kver, --fixed and --kernel"
	[ -x "$root/scripts/kernel/fixed" ] || die "--fixed needs scripts/kernel/fixed (main's); use --kernel FILE --label NAME"
	fix_patches=$("$root/scripts/kernel/fixed" --kver "$fixed" --patches)
	kernel=$("$root/scripts/kernel/fixed" --kver "$fixed" -q)
	label=${label:-fixed-$fixed}
fi
if [ -n "$kernel" ]; then
	[ -z "$kver" ] || die "one of --kver, --fixed and --kernel"
	[ -f "$kernel" ] || die "--kernel '$kernel' is not a file"
	[ -n "$label" ] || die "--kernel needs --label NAME"
	kargs=(--kernel "$kernel" --modules none)
else
	[ -n "$kver" ] || die "--kver KVER or --kernel FILE --label NAME"
	label=${label:-stock-$kver}
	kargs=(--kver "$kver")
fi
[[ $label =~ ^[A-Za-z0-9._-]+$ ]] || die "--label '$label': letters, digits, . _ - only"

# git and fstests' build needs; a kernel build's tools for --fixed
"$root/scripts/deps" fstests kernel
patch=$(ls "$here"/0001-*.patch)
# ---- the fstests tree: base-commit + the patch, built for check ----
if [ -z "$tree" ]; then
	git_src=${FSTESTS_GIT:-}
	if [ -z "$git_src" ]; then
		git_src=https://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git
		[ -d /work/.mirror/kdave+xfstests/repo ] && git_src=/work/.mirror/kdave+xfstests/repo
	fi
	# format-patch --base writes it into the cover letter when there is one
	base=$(awk '/^base-commit: / && base == "" { base = $2 } END { print base }' "$here"/0*.patch)
	[ -n "$base" ] || die "neither $patch nor the cover letter has a base-commit line"
	key=$(sha256sum "$patch" | cut -c1-12)
	tree=$root/build/fstests/$key
	if [ ! -f "$tree/.patched" ]; then
		rm -rf "$tree"
		mkdir -p "$(dirname "$tree")"
		git clone -q "$git_src" "$tree"
		git -C "$tree" checkout -q "$base"
		git -C "$tree" -c user.name=run.sh -c user.email=run.sh@localhost am -q "$patch"
		: >"$tree/.patched"
	fi
fi
[ -x "$tree/tests/generic/788" ] || die "$tree has no tests/generic/788"
case " $modes " in
*" check "*)
	if [ ! -f "$tree/.built" ] || [ "$tree/tests/generic/788" -nt "$tree/.built" ]; then
		echo "$prog: building fstests in $tree" >&2
		make -C "$tree" -j"$(nproc)" >"$tree/.build.log" 2>&1 ||
			{ tail -n 20 "$tree/.build.log" >&2; die "make in $tree failed (fstests' README lists the packages)"; }
		: >"$tree/.built"
	fi ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- what each mode puts in the guest ----
# shellcheck disable=SC2317  # called as "stage_$mode"
stage_body() {
	local d=$work/body/fstests
	mkdir -p "$d/common" "$d/tests/generic"
	cp "$tree"/common/{preamble,exit,test_names,tracing} "$d/common/"
	cp "$here/shim/common/rc" "$d/common/rc"
	cp "$tree"/tests/generic/788{,.out} "$d/tests/generic/"
	body_args=(--bin /usr/bin/bash --bin /usr/bin/find --bin /usr/bin/getconf
		--file "$d:/opt/fstests")
}
# shellcheck disable=SC2317  # called as "stage_$mode"
stage_check() {
	local d=$work/check/fstests b
	mkdir -p "$d"
	(cd "$tree" && tar -cf - --exclude=./.git --exclude=./results --exclude=./local.config .) |
		tar -xf - -C "$d"
	check_args=(--file "$d:/opt/fstests"
		--file /usr/lib/x86_64-linux-gnu/perl-base:/usr/lib/x86_64-linux-gnu/perl-base)
	for b in $(dpkg -L coreutils | grep -E '^/(usr/)?s?bin/[^/]+$') \
		bash find xargs grep sed gawk diff cmp bc perl getconf hostname which \
		mount umount findmnt blkid blockdev dmesg losetup wipefs mountpoint lsblk \
		logger getopt flock mkfs mkswap swapon swapoff fstrim blkdiscard \
		ps pgrep pkill sysctl fuser killall chattr lsattr \
		xfs_io xfs_db xfs_repair mkfs.xfs xfs_logprint xfs_spaceman xfs_growfs \
		xfs_quota xfs_admin xfs_info xfs_copy xfs_mdrestore xfs_metadump \
		fsck fsck.ext4 e2fsck mkfs.ext4 mke2fs dumpe2fs tune2fs debugfs resize2fs filefrag e4defrag; do
		case $b in /*) ;; *) b=$(type -P "$b") || die "$b not found on the host" ;; esac
		check_args+=(--bin "$b")
	done
}

mkdir -p "$here/out/$label"
if [ -n "$fix_patches" ]; then
	for p in $fix_patches; do
		echo "${p#"$root"/} $(sha256sum "$p" | cut -c1-16)"
	done >"$here/out/$label/fix-patches"
fi
[ -z "$kernel" ] || echo "$(realpath "$kernel") $(sha256sum "$kernel" | cut -c1-16)" >"$here/out/$label/kernel"

status=0
for mode in $modes; do
	"stage_$mode"
	for fs in $fss; do
		dest=$here/out/$label/$fs/$mode
		gout=$work/guest-$mode-$fs
		echo "$prog: $label $fs $mode" >&2
		if [ "$mode" = check ]; then margs=("${check_args[@]}"); else margs=("${body_args[@]}"); fi
		rc=0
		"$root/scripts/guest/run" "${kargs[@]}" --fs "$fs" --mem 3G --append 'memmap=512M!2G' \
			--timeout 600 "${margs[@]}" --out "$gout" "$here/guest-$mode.sh" || rc=$?
		rm -rf "$dest"
		mkdir -p "$dest"
		verdict=$(cat "$gout/788.verdict" 2>/dev/null || echo "none (guest/run exit $rc)")
		echo "$verdict" >"$dest/verdict"
		echo "$rc" >"$dest/guest-run-exit"
		for f in kernel-release dmesg.txt check.log; do
			[ ! -f "$gout/$f" ] || cp "$gout/$f" "$dest/"
		done
		[ ! -f "$gout/.guest-info" ] || cp "$gout/.guest-info" "$dest/guest-info"
		# the test's own files: check's results/ or the body's RESULT_DIR
		for f in "$gout"/results/*/generic/788.* "$gout"/results/generic/788.* "$gout"/generic/788.*; do
			[ ! -f "$f" ] || cp "$f" "$dest/"
		done
		# check keeps 788.out.bad only when the output differs: on a pass
		# the test printed the golden output
		if [ "$verdict" = pass ] && [ ! -f "$dest/788.out.bad" ]; then
			cp "$tree/tests/generic/788.out" "$dest/788.out"
		fi
		case $verdict in pass|fail|notrun) ;; *) status=1 ;; esac
		echo "$prog: $label $fs $mode: $verdict" >&2
	done
done

# ---- out/summary.md from every recorded run ----
{
	echo "# generic/788 on each kernel and file system"
	echo
	echo "Written by \`run.sh\`; one row per out/LABEL/FS/MODE.  Pages: written back of stored, per operation."
	echo
	echo "| kernel | release | fs | run by | verdict | none | fpunch | fzero | fcollapse | finsert | falloc | truncate-down | truncate-up |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for d in "$here"/out/*/*/*/; do
		[ -f "$d/verdict" ] || continue
		m=$(basename "$d") f=$(basename "$(dirname "$d")") l=$(basename "$(dirname "$(dirname "$d")")")
		rel=$(cat "$d/kernel-release" 2>/dev/null || echo '?')
		by=$m
		[ "$m" = check ] && by="fstests check"
		[ "$m" = body ] && by="body + shim"
		row="| $l | $rel | $f | $by | $(cat "$d/verdict") |"
		outf=$d/788.out.bad
		[ -f "$outf" ] || outf=$d/788.out
		for op in none fpunch fzero fcollapse finsert falloc truncate-down truncate-up; do
			n=
			[ ! -f "$outf" ] ||
				n=$(awk -v op="$op:" '$1 == op && / stored pages written back$/ { print $2 "/" $4; exit }' "$outf")
			row="$row ${n:--} |"
		done
		echo "$row"
	done
} >"$here/out/summary.md"
echo "$prog: $here/out/summary.md" >&2
exit $status
