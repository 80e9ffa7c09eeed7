#!/usr/bin/env bash
# The known-bad kernels of every kernel line, without building or booting:
#   layout        scripts/kernel/mutants/KVER/ for every line of
#                 scripts/debian/kver, the same mutant names in each, each
#                 patch with Mutant:, Applies on: and Catcher: (a DAX
#                 scenario of `daxstress --list`, or bench with Bench: and
#                 Bench-alarm:) before a diff of fs/dax.c
#   applying      Debian's pristine source of every line (scripts/kernel/
#                 pristine: downloaded and unpacked once per machine, into
#                 its cache): the line's fix (scripts/kernel/fixed
#                 --patches) applies to stock, every mutant to stock + the
#                 fix and every on-stock/ copy to stock, exactly (no
#                 offset, no fuzz)
#   options       scripts/kernel/run-mutants and make mutants: a bad KVER,
#                 an unknown mutant, a missing --fix exit 2 naming it
# A few seconds; a first run on a machine downloads and unpacks the three
# sources (about 30 s each).
# timeout: 600
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
		*"linux-source-$k"*"fixes/$k/series"*) ;;
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
# The files a set of patches touch, copied from the pristine tree into DIR.
files_of() { sed -n -E 's|^\+\+\+ [^/ 	]+/([^ 	]+).*|\1|p' "$@" | sort -u; }
copy_files() { # PRISTINE DIR PATCH...
	local src=$1 dst=$2 f
	shift 2
	for f in $(files_of "$@"); do
		[ -f "$src/$f" ] || continue
		mkdir -p "$dst/$(dirname "$f")"
		cp "$src/$f" "$dst/$f"
	done
}
exact() { # DIR PATCH: patch -p1 --dry-run, no offset, no fuzz
	local o
	o=$(patch -p1 --dry-run -F0 -d "$1" <"$2" 2>&1) || { echo "$o"; return 1; }
	! grep -qiE 'offset|fuzz' <<<"$o" || { echo "$o"; return 1; }
}
for k in $kvers; do
	s=$work/$k/stock f=$work/$k/fixed
	mkdir -p "$s" "$f"
	mapfile -t fixes < <(scripts/kernel/fixed --kver "$k" --patches 2>/dev/null)
	all=("$mroot/$k"/*.patch)
	for p in "$mroot/$k"/on-stock/*.patch; do [ -f "$p" ] && all+=("$p"); done
	if ! src=$(scripts/kernel/pristine --kver "$k" 2>"$work/pristine-$k.err"); then
		not_ok "Debian's pristine source of $k (scripts/kernel/pristine --kver $k)" "$(tail -n 2 "$work/pristine-$k.err")"
		continue
	fi
	copy_files "$src" "$s" ${fixes[@]+"${fixes[@]}"} "${all[@]}"
	cp -r "$s/." "$f/"
	check "the fix of $k is named (scripts/kernel/fixed --kver $k --patches: ${#fixes[@]} patch(es))" \
		$([ ${#fixes[@]} -gt 0 ]; echo $?)
	for p in ${fixes[@]+"${fixes[@]}"}; do
		out=$(exact "$f" "$p" && patch -p1 -s -F0 -d "$f" <"$p" 2>&1); st=$?
		check "fixes/$k/$(basename "$p") applies exactly to Debian's $k" $st "$out"
	done
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
