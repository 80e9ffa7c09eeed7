#!/usr/bin/env bash
# Bad input to daxbench fault: each case exits 2 with exactly one line on
# stderr naming the option, and leaves no results file behind.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=bench/daxbench
work=$(mktemp -d /tmp/daxbench-opts.XXXXXX)
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=../lib/bad_input.sh
. tests/lib/bad_input.sh
ro=$work/readonly
trap 'readonly_dir_cleanup; rm -rf "$work"' EXIT
# A directory no file can be created in, even by root.
readonly_dir "$ro"

cases=(
	"--size|--dir $work --size 0"
	"--size|--dir $work --size 12Q"
	"--size|--dir $work --size -1"
	"--size|--dir $work --size 3M"
	"--threads|--dir $work --threads -1"
	"--threads|--dir $work --threads 0"
	"--dir|--dir /nonexistent"
	"--dir|--dir $ro"
	"--dir|--size 64M"
	"--page|--dir $work --page huge"
	"--rewrite|--dir $work --rewrite 2/1"
	"--repeat|--dir $work --repeat 0"
	"--trace-buffer|--dir $work --trace-buffer 1K"
	"--output|--dir $work --output /nonexistent/x.json"
	"--events|--dir $work --events /nonexistent/x.csv"
	"--events|--dir $work --events $work/ev.csv --no-trace"
	"--bogus|--dir $work --bogus"
)
echo "1..$(( ${#cases[@]} + 1 ))"
for c in "${cases[@]}"; do
	opt=${c%%|*}
	args=${c#*|}
	out=$work/out-$n.json
	# shellcheck disable=SC2086
	$bin fault --output "$out" --quiet $args >/dev/null 2>"$work/err"
	check_refused "fault $args: exit 2, one line naming $opt" "$opt" $? "$work/err" \
		"$out"* "$work"/ev.csv*
done
# The read-only case above is only meaningful if it was really read-only.
! touch "$ro/probe" 2>/dev/null
check "the read-only directory ($ro_kind) refuses files" $?
