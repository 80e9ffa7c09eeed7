#!/usr/bin/env bash
# Bad input derived from each tool's own option table: every option that
# daxbench fault, sync, flush, compare, env and daxstress print with the
# hidden --list-options ("--NAME CLASS EXAMPLE") gets the bad values of its
# class, so a new option is covered the day it is added:
#   every option with a value   empty, missing (last, no value)
#   size duration uint fraction number
#                               junk unit (EXAMPLEQ), out of range (22 nines
#                               before EXAMPLE), negative (-EXAMPLE)
#   choice                      a word that is none of them
#   list                        an item twice, an empty item, a lone comma,
#                               an item that is none
#   cpus                        a cpu twice, an empty item, junk, a huge cpu
#   dir / target                a missing path, a regular file / a device
#   file-out(-only)             a directory, a device node, a FIFO, a broken
#                               link, a name in a missing directory, a name
#                               ending in /, the file --output writes too
#                               (-only: - and /dev/stdout as well)
#   dir-out                     a regular file, a device node, -, a missing
#                               parent
#   flag                        --NAME=x
# plus an unknown option and a stray operand for each tool.  Each case must
# exit 2 with exactly one line on stderr naming the option, write no output
# file and no temporary, leave no tracefs instance of its pid, and leave the
# fixtures (device node, FIFO, link) as they were.  An option whose class
# the test does not know fails.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need jq bench/daxbench stress/daxstress
# shellcheck source=../lib/synthetic-results.sh
. tests/lib/synthetic-results.sh
work=$(mktemp -d /tmp/daxbench-badopts.XXXXXX)
trap 'rm -rf "$work"' EXIT
run=$work/run out=$work/out
mkdir -p "$run" "$out" "$work/adir"
: >"$work/file"
mkfifo "$work/fifo"
ln -s nowhere "$work/broken"
devnode=$work/null
mknod "$devnode" c 1 3 2>/dev/null || devnode=
gen "$work/A" 1 1 67108864 2 && gen "$work/B" 1 2 67108864 2
tracefs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
nines=9999999999999999999999

# tool name | command | base arguments (a valid, small run) | output option
tools=(
	"fault|bench/daxbench fault|--dir $run --size 4M --page pte --trace-buffer 1M --quiet|--output $out/r.json"
	"sync|bench/daxbench sync|--dir $run --size 4M --page pte --duration 10ms --trace-buffer 1M --quiet|--output $out/r.json"
	"flush|bench/daxbench flush|--sizes 64 --threads 1 --methods persist --duration 1ms --repeat 1 --region 64K --quiet|--output $out/r.json"
	"compare|bench/daxbench compare $work/A $work/B|--quiet|--output $out/cmp"
	"env|bench/daxbench env|--dir $run|"
	"daxstress|stress/daxstress|--dir $run --scenario page-cache --iterations 1 --round 10ms --size 4M|--output $out/r.json"
)

# cases OPT CLASS EXAMPLE OUTPUT_FILE: one "label<TAB>arg..." line a case
# (the args NUL-free, tab-separated: values may hold blanks but no tab)
cases() {
	local o=$1 cls=$2 ex=$3 ofile=$4
	case $cls in
	flag) printf '%s\t%s\n' "given a value" "$o=x"; return ;;
	esac
	printf '%s\t%s\t%s\n' "empty" "$o" ""
	printf '%s\t%s\n' "missing" "$o"
	case $cls in
	size|duration|uint|fraction|number)
		printf '%s\t%s\t%s\n' "junk unit" "$o" "${ex}Q"
		printf '%s\t%s\t%s\n' "out of range" "$o" "$nines$ex"
		printf '%s\t%s\t%s\n' "negative" "$o" "-$ex" ;;
	choice)
		printf '%s\t%s\t%s\n' "no such choice" "$o" "no-such-choice" ;;
	list)
		printf '%s\t%s\t%s\n' "duplicate item" "$o" "$ex,$ex"
		printf '%s\t%s\t%s\n' "empty item" "$o" "$ex,"
		printf '%s\t%s\t%s\n' "lone comma" "$o" ","
		printf '%s\t%s\t%s\n' "junk item" "$o" "$ex,no-such-item" ;;
	cpus)
		printf '%s\t%s\t%s\n' "duplicate cpu" "$o" "0,0"
		printf '%s\t%s\t%s\n' "empty item" "$o" "0,"
		printf '%s\t%s\t%s\n' "junk" "$o" "no-such-cpus"
		printf '%s\t%s\t%s\n' "out of range" "$o" "$nines" ;;
	dir)
		printf '%s\t%s\t%s\n' "missing directory" "$o" "$work/nonexistent"
		printf '%s\t%s\t%s\n' "a regular file" "$o" "$work/file" ;;
	target)
		printf '%s\t%s\t%s\n' "missing path" "$o" "$work/nonexistent"
		printf '%s\t%s\t%s\n' "a FIFO" "$o" "$work/fifo"
		[ -n "$devnode" ] && printf '%s\t%s\t%s\n' "a device node" "$o" "$devnode" ;;
	file-out|file-out-only)
		printf '%s\t%s\t%s\n' "a directory" "$o" "$work/adir"
		printf '%s\t%s\t%s\n' "a FIFO" "$o" "$work/fifo"
		printf '%s\t%s\t%s\n' "a broken link" "$o" "$work/broken"
		printf '%s\t%s\t%s\n' "a missing directory" "$o" "$work/none/x.json"
		printf '%s\t%s\t%s\n' "a trailing slash" "$o" "$work/adir/"
		[ -n "$devnode" ] && printf '%s\t%s\t%s\n' "a device node" "$o" "$devnode"
		if [ "$cls" = file-out-only ]; then
			printf '%s\t%s\t%s\n' "stdout as -" "$o" "-"
			printf '%s\t%s\t%s\n' "/dev/stdout" "$o" "/dev/stdout"
		fi
		[ "$o" != --output ] && [ -n "$ofile" ] &&
			printf '%s\t%s\t%s\n' "the file of --output" "$o" "$ofile" ;;
	dir-out)
		printf '%s\t%s\t%s\n' "a regular file" "$o" "$work/file"
		printf '%s\t%s\t%s\n' "stdout" "$o" "-"
		printf '%s\t%s\t%s\n' "a missing parent" "$o" "$work/none/sub"
		[ -n "$devnode" ] && printf '%s\t%s\t%s\n' "a device node" "$o" "$devnode" ;;
	text) ;;
	*) printf '%s\t%s\n' "UNKNOWN CLASS '$cls'" "$o" ;;
	esac
}

# What must be as it was after every case.
fixtures_ok() {
	[ -p "$work/fifo" ] && [ -L "$work/broken" ] && [ -f "$work/file" ] && [ ! -s "$work/file" ] &&
		[ -d "$work/adir" ] && [ -z "$(ls -A "$work/adir")" ] &&
		{ [ -z "$devnode" ] || [ -c "$devnode" ]; }
}

all=()	# "tool<TAB>label<TAB>args..." lines
for t in "${tools[@]}"; do
	IFS='|' read -r name cmd base outopt <<<"$t"
	ofile=${outopt#* }
	# shellcheck disable=SC2086
	listing=$($cmd --list-options 2>&1) || { not_ok "$name --list-options" "$listing"; continue; }
	[ -n "$listing" ] || { not_ok "$name --list-options prints nothing"; continue; }
	while IFS=$'\t' read -r o cls ex; do
		while IFS= read -r c; do all+=("$name"$'\t'"$c"); done < <(cases "$o" "$cls" "$ex" "$ofile")
	done <<<"$listing"
	all+=("$name"$'\t'"unknown option"$'\t'"--no-such-option")
	[ "$name" != compare ] && all+=("$name"$'\t'"stray operand"$'\t'"stray-operand")
done

echo "1..$(( ${#all[@]} + 1 ))"
for line in "${all[@]}"; do
	IFS=$'\t' read -r -a f <<<"$line"
	name=${f[0]} label=${f[1]} args=("${f[@]:2}")
	# a trailing empty field (the empty value) is dropped by read: put it back
	[ "$label" = empty ] && args+=("")
	want=${args[0]}
	want=${want%%=*}
	[ "$label" = "stray operand" ] && want=stray-operand
	for t in "${tools[@]}"; do
		IFS='|' read -r tn cmd base outopt <<<"$t"
		[ "$tn" = "$name" ] && break
	done
	rm -rf "${out:?}"/* 2>/dev/null
	# shellcheck disable=SC2086
	timeout 60 $cmd $base $outopt "${args[@]}" >/dev/null 2>"$work/err" &
	pid=$!
	wait $pid
	st=$?
	lines=$(wc -l <"$work/err")
	left=$(find "$work" -path "$work/A" -prune -o -path "$work/B" -prune -o \
		\( -name '*.tmp.*' -o -path "$out/*" \) -print | head -3 | tr '\n' ' ')
	inst=
	[ -n "$tracefs" ] && ls -d "$tracefs"/instances/*-"$pid" >/dev/null 2>&1 && inst="instance of $pid"
	fx=ok
	fixtures_ok || fx="a fixture was changed"
	shown=$(printf '%q ' "${args[@]}")
	diag=("exit $st, $lines line(s): $(head -c 300 "$work/err" | tr '\n' '|')")
	[ -n "$left" ] && diag+=("left behind: $left")
	[ -n "$inst" ] && diag+=("$inst left behind")
	[ "$fx" = ok ] || diag+=("$fx")
	[ $st -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -F -- "$want" "$work/err" && [ -z "$left$inst" ] && [ "$fx" = ok ]
	check "$name ${args[0]%%=*}: $label (${shown% }): exit 2, one line naming $want, nothing left" $? "${diag[@]}"
done
if [ -n "$devnode" ]; then
	[ -c "$devnode" ]
	check "the device-node cases ran on a real device node, still one" $?
else
	skip "the device-node cases" "mknod needs root"
fi
