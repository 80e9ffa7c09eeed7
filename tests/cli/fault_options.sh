#!/usr/bin/env bash
# Bad input to daxbench fault: each case exits 2 with exactly one line on
# stderr naming the option, and leaves no results file behind.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=bench/daxbench
work=$(mktemp -d /tmp/daxbench-opts.XXXXXX)
ro=$work/readonly
mkdir -p "$ro"
cleanup() { umount "$ro" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A directory no file can be created in, even by root: a read-only mount.
ro_kind=chmod
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o ro,size=1m tmpfs "$ro" 2>/dev/null; then
	ro_kind="read-only mount"
else
	chmod 555 "$ro"
fi

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
n=0
for c in "${cases[@]}"; do
	opt=${c%%|*}
	args=${c#*|}
	n=$((n + 1))
	out=$work/out-$n.json
	# shellcheck disable=SC2086
	$bin fault --output "$out" --quiet $args >/dev/null 2>"$work/err"
	st=$?
	lines=$(wc -l <"$work/err")
	if [ $st -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$opt" "$work/err" &&
	   [ ! -e "$out" ] && [ -z "$(ls "$work"/out-$n.json* "$work"/ev.csv* 2>/dev/null)" ]; then
		echo "ok $n - fault $args: exit 2, one line naming $opt"
	else
		echo "not ok $n - fault $args: exit $st, $lines line(s): $(head -c 300 "$work/err")"
	fi
done
# The read-only case above is only meaningful if it was really read-only.
n=$((n + 1))
if touch "$ro/probe" 2>/dev/null; then
	echo "not ok $n - the read-only directory ($ro_kind) accepted a file"
else
	echo "ok $n - the read-only directory ($ro_kind) refuses files"
fi
