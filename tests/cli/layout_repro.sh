#!/usr/bin/env bash
# The standalone reproducer results/finding/repro/dax-layout-loss.c on the
# host (no pmem): it builds alone with cc -O2 -static and no warning, lists
# its operations, refuses bad usage with exit 2, and where it cannot run (a
# directory that is not DAX, no tracefs, not root) exits 2 with one line
# saying why, leaving no tracefs instance and no file behind.  The guest side
# (exit 1 on stock 7.2, 0 on the fix) is tests/guest_layout.sh.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need cc
work=$(mktemp -d /tmp/daxbench-layout-repro.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=results/finding/repro/dax-layout-loss.c
bin=$work/dax-layout-loss
echo "1..8"

cc -O2 -static -Wall -Wextra -o "$bin" "$src" 2>"$work/cc.log"; st=$?
[ $st -eq 0 ] && [ ! -s "$work/cc.log" ]
check "builds alone with cc -O2 -static, no warning under -Wall -Wextra" $? "exit $st: $(head -3 "$work/cc.log")"
[ -x "$bin" ] || { for k in 2 3 4 5 6 7 8; do skip "check $k" "not built"; done; exit 1; }

"$bin" -l >"$work/list" 2>&1; st=$?
[ $st -eq 0 ] && [ "$(wc -l <"$work/list")" -eq 16 ] && grep -q '^punch-hole ' "$work/list" &&
	grep -q '^exchange-range ' "$work/list"
check "-l lists the 16 operations" $? "exit $st: $(head -c 200 "$work/list")"

bad=0
for args in "" "-o nope $work" "--bogus $work" "$work $work"; do
	# shellcheck disable=SC2086
	"$bin" $args >/dev/null 2>"$work/err"; st=$?
	[ $st -eq 2 ] && grep -q '^usage: dax-layout-loss' "$work/err" || { bad=1; echo "# '$args': exit $st"; }
done
check "bad usage (no DIR, unknown operation, unknown option, two DIRs): exit 2 with the usage" $bad

"$bin" --help >"$work/help" 2>&1; st=$?
[ $st -eq 0 ] && grep -q 'exit: 0 every stored page written back, 1 dirty state lost, 2 cannot run' "$work/help"
check "--help: exit 0, names the exit statuses" $? "exit $st"

inst() { ls -d /sys/kernel/tracing/instances/dax-layout-loss-* /sys/kernel/debug/tracing/instances/dax-layout-loss-* 2>/dev/null; }
mkdir "$work/d"
"$bin" -a "$work/d" >"$work/out" 2>"$work/err"; st=$?
[ $st -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
	grep -E -q 'is not a DAX file|no tracefs instances|needs root|cannot create' "$work/err"
check "a directory that is not DAX ($(df --output=fstype "$work" 2>/dev/null | tail -n1)): exit 2, one line why" $? \
	"exit $st: $(head -2 "$work/err")"
echo "# $(cat "$work/err")"
[ -z "$(ls -A "$work/d")" ]
check "... no test file left in the directory" $? "$(ls -A "$work/d")"
[ -z "$(inst)" ]
check "... no dax-layout-loss tracefs instance left" $? "$(inst)"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$work"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" "$work/d" >/dev/null 2>"$work/err"; st=$?
	[ $st -eq 2 ] && grep -q 'needs root' "$work/err"
	check "not root: exit 2, says it needs root" $? "exit $st: $(cat "$work/err")"
else
	"$bin" "$work/d" >/dev/null 2>"$work/err"; st=$?
	[ $st -eq 2 ]
	check "not root: exit 2 ($(cat "$work/err"))" $? "exit $st"
fi
