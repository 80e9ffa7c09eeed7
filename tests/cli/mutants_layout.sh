#!/usr/bin/env bash
# The known-bad kernels of every kernel line, without building or booting:
#   layout        scripts/kernel/mutants/KVER/ for every line of
#                 scripts/debian/kver, the same mutant names in each, each
#                 patch with Mutant:, Applies on: and Catcher: (a DAX
#                 scenario of `daxstress --list`, or bench with Bench: and
#                 Bench-alarm:) before a diff of fs/dax.c
#   applying      where Debian's source of a line is at hand (unpacked by
#                 scripts/kernel/build under build/kernel/src/, or its
#                 tarball under build/kernel/debian/): every mutant applies
#                 to stock + fixes/KVER/dax-writeback-wait.patch, and every
#                 on-stock/ copy to stock, exactly (no offset, no fuzz);
#                 else SKIP
#   options       scripts/kernel/run-mutants and make mutants: a bad KVER,
#                 an unknown mutant, a missing --fix exit 2 naming it
# A few seconds (up to a minute when a source must come out of its tarball).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
work=$(mktemp -d /tmp/daxbench-mutants.XXXXXX)
trap 'rm -rf "$work"' EXIT
mroot=scripts/kernel/mutants
kvers=$(scripts/debian/kver --list | awk '{print $1}')

hdr() { sed -n '/^--- /q; s/^'"$2"': *//p' "$1" | head -n1; }
names_of() { (cd "$mroot/$1" 2>/dev/null && ls -- *.patch 2>/dev/null | sed 's/\.patch$//' | paste -sd' '); }

dax=''
if [ -x stress/daxstress ]; then
	dax=$(stress/daxstress --list 2>/dev/null | awk '$2 == "dax" { print $1 }' | paste -sd' ')
fi

# ---- layout ----
ref_names=$(names_of 6.1)
for k in $kvers; do
	got=$(names_of "$k")
	check "mutants/$k/ holds the mutants of every line ($got)" \
		$([ -n "$got" ] && [ "$got" = "$ref_names" ]; echo $?) "6.1 has: $ref_names"
	for p in "$mroot/$k"/*.patch; do
		[ -f "$p" ] || continue
		b=$(basename "$p" .patch)
		why=''
		[ "$(hdr "$p" Mutant)" = "$b" ] || why="Mutant: is '$(hdr "$p" Mutant)'"
		case $(hdr "$p" 'Applies on') in
		*"linux-source-$k"*"fixes/$k/dax-writeback-wait.patch"*) ;;
		*) why="$why; Applies on: is '$(hdr "$p" 'Applies on')'" ;;
		esac
		c=$(hdr "$p" Catcher)
		if [ "$c" = bench ]; then
			[ -n "$(hdr "$p" Bench)" ] && [ -n "$(hdr "$p" Bench-alarm)" ] || why="$why; Catcher: bench without Bench:/Bench-alarm:"
		elif [ -z "$c" ]; then
			why="$why; no Catcher:"
		elif [ -n "$dax" ] && [[ " $dax " != *" $c "* ]]; then
			why="$why; Catcher: $c is not a DAX scenario ($dax)"
		fi
		grep -q '^+++ b/fs/dax.c' "$p" || why="$why; no diff of fs/dax.c"
		check "mutants/$k/$b.patch: header and diff" $([ -z "$why" ]; echo $?) "${why#; }"
	done
done

# ---- applying ----
# kernel/build leaves its last variant's patches applied to the unpacked
# tree; the pristine copy is in SRCID.orig, read under the build's lock.
from_tree() { # DIR OUT FLOCK-OPTION
	(
		flock -s "$3" 9 || exit 1
		if grep -qx 'present fs/dax.c' "$1.orig/list" 2>/dev/null; then
			cp "$1.orig/files/fs/dax.c" "$2"
		else
			cp "$1/fs/dax.c" "$2"
		fi
	) 9>"$1.lock"
}
stock_dax() { # KVER OUT: Debian's stock fs/dax.c of the line, or status 1
	local k=$1 out=$2 d t trees=()
	for d in build/kernel/src/debian-*; do
		[ -f "$d/.daxbench-unpacked" ] || continue
		[ "$(make -s -C "$d" kernelversion 2>/dev/null | cut -d. -f1-2)" = "$k" ] || continue
		trees+=("$d")
		from_tree "$d" "$out" -n && return 0
	done
	# a tree being built: its tarball, else wait for the build
	for t in build/kernel/debian/linux-source-"$k"-*/usr/src/linux-source-"$k".tar.xz; do
		[ -f "$t" ] || continue
		tar -xJOf "$t" --wildcards '*/fs/dax.c' >"$out" 2>/dev/null && [ -s "$out" ] && return 0
	done
	for d in ${trees[@]+"${trees[@]}"}; do from_tree "$d" "$out" -w900 && return 0; done
	return 1
}
exact() { # DIR PATCH: patch -p1 --dry-run, no offset, no fuzz
	local o
	o=$(patch -p1 --dry-run -F0 -d "$1" <"$2" 2>&1) || { echo "$o"; return 1; }
	! grep -qiE 'offset|fuzz' <<<"$o" || { echo "$o"; return 1; }
}
for k in $kvers; do
	s=$work/$k/stock f=$work/$k/fixed
	mkdir -p "$s/fs" "$f/fs"
	fix=scripts/kernel/fixes/$k/dax-writeback-wait.patch
	if ! stock_dax "$k" "$s/fs/dax.c"; then
		for p in "$mroot/$k"/*.patch "$mroot/$k"/on-stock/*.patch; do
			[ -f "$p" ] && skip "${p#"$mroot"/} applies exactly" "no Debian linux-source-$k here (scripts/kernel/build --kver $k fetches it)"
		done
		continue
	fi
	cp "$s/fs/dax.c" "$f/fs/dax.c"
	out=$(patch -p1 -s -F0 -d "$f" <"$fix" 2>&1); st=$?
	check "fixes/$k/dax-writeback-wait.patch applies to Debian's $k" $st "$out"
	for p in "$mroot/$k"/*.patch; do
		out=$(exact "$f" "$p"); st=$?
		check "mutants/$k/$(basename "$p") applies exactly on stock + the fix" $st "$out"
	done
	for p in "$mroot/$k"/on-stock/*.patch; do
		[ -f "$p" ] || continue
		out=$(exact "$s" "$p"); st=$?
		check "mutants/$k/on-stock/$(basename "$p") applies exactly on stock" $st "$out"
	done
done

# ---- options ----
bad_opt() { # NAME WANT-IN-STDERR ARGS...
	local name=$1 want=$2 err st
	shift 2
	err=$(scripts/kernel/run-mutants "$@" 2>&1 >/dev/null); st=$?
	check "run-mutants $name: status 2 naming it (got $st)" \
		$([ $st -eq 2 ] && grep -q -- "$want" <<<"$err"; echo $?) "$(head -n 2 <<<"$err")"
}
bad_opt "--kver 5.10" "--kver '5.10' is not supported" --kver 5.10
bad_opt "--only nope" "no mutant matches --only 'nope'" --kver 7.2 --only nope
bad_opt "--fix /nonexistent" "--fix '/nonexistent' is not a readable file" --fix /nonexistent
bad_opt "--seconds 0" "--duration must be a positive number" --seconds 0
err=$(make -s mutants KVER=5.10 2>&1 >/dev/null); st=$?
check "make mutants KVER=5.10 stops in one line (status $st)" \
	$([ $st -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "5.10" <<<"$err"; echo $?) "$err"
echo "1..$n"
