#!/usr/bin/env bash
# tests/unit/tap.h, the C unit tests' TAP, on small programs built here:
# the plan printed last and counted; a failing is(), cmp_ok(), is_str(),
# is_near() prints what it got and expected, and every failing point its
# FILE:LINE; the time limit (DAXBENCH_TAP_TIMEOUT) fails the test with its
# name and the last point it passed, then the plan, and ends it by SIGALRM
# after the library's cleanups on fatal signals ran; tap_timeout(0) turns it
# off.  Then on a copy of tests/run: a unit test that dies before its plan
# is a failure ("no TAP plan"), and a hanging one is named by its own timer,
# which the runner sets under its limit.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
need cc lib/libdaxbench.a
echo "1..16"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/t.c" <<'EOF'
#include <fcntl.h>
#include "fatal_signals.h"
#include "tap.h"

static void cleanup(void)
{
	int fd = open(getenv("MARK"), O_WRONLY | O_CREAT, 0644);

	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	size_t three = 3;

	ok(1, "first");
	is(three, 3, "three is 3");
	if (!strcmp(mode, "fail")) {
		is(three, 4, "three is 4");
		cmp_ok(-2, >, 0, "minus two above zero");
		is_str("a", "b", "a is b");
		is_near(1.0, 1.5, 0.1, "one near 1.5");
		ok(0, "plain");
	}
	if (!strcmp(mode, "hang")) {
		fatal_signals_on(cleanup);
		for (;;)
			pause();
	}
	if (!strcmp(mode, "off")) {
		tap_timeout(0);
		sleep(2);
		ok(1, "after the limit");
	}
	if (!strcmp(mode, "die"))
		abort();
	return done_testing();
}
EOF
cc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Itests/unit -pthread \
	-o "$tmp/t" "$tmp/t.c" lib/libdaxbench.a -lm 2>"$tmp/cc.err"
check "a test program builds against tap.h without warnings" $? "$(head -5 "$tmp/cc.err")"
line() { grep -n "$1" "$tmp/t.c" | head -1 | cut -d: -f1; }

"$tmp/t" >"$tmp/pass.out" 2>&1; st=$?
[ $st -eq 0 ] && [ "$(tail -n 1 "$tmp/pass.out")" = "1..2" ] && [ "$(grep -c '^ok' "$tmp/pass.out")" = 2 ]
check "passing points: the plan 1..2 last, counted; exit 0" $? "exit $st" "$(cat "$tmp/pass.out")"

"$tmp/t" fail >"$tmp/fail.out" 2>&1; st=$?
[ $st -eq 1 ] && [ "$(tail -n 1 "$tmp/fail.out")" = "1..7" ]
check "failing points: exit 1, the plan 1..7 still last" $? "exit $st" "$(tail -n 1 "$tmp/fail.out")"
has() { grep -A2 -F -- "$1" "$tmp/fail.out" | grep -qF -- "$2"; }
has "not ok 3 - three is 4" "#   got 3, expected 4"
check "is(): got and expected" $? "$(grep -A2 'not ok 3' "$tmp/fail.out")"
has "not ok 3 - three is 4" "#   at $tmp/t.c:$(line 'three is 4')"
check "is(): FILE:LINE of the call" $? "$(grep -A2 'not ok 3' "$tmp/fail.out")"
has "not ok 4 - minus two" "#   got -2, expected > 0"
check "cmp_ok(): got, the operator and the bound (signed)" $? "$(grep -A2 'not ok 4' "$tmp/fail.out")"
has "not ok 5 - a is b" "#   got 'a', expected 'b'"
check "is_str(): both strings quoted" $? "$(grep -A2 'not ok 5' "$tmp/fail.out")"
has "not ok 6 - one near" "#   got 1, expected 1.5 within 0.1"
check "is_near(): the tolerance" $? "$(grep -A2 'not ok 6' "$tmp/fail.out")"
has "not ok 7 - plain" "#   at $tmp/t.c:$(line '"plain"')"
check "ok(): FILE:LINE of a failing point" $? "$(grep -A2 'not ok 7' "$tmp/fail.out")"

t0=$(date +%s)
# (in a subshell whose stderr is discarded: bash reports the signal)
st=$( (MARK=$tmp/mark DAXBENCH_TAP_TIMEOUT=1 "$tmp/t" hang >"$tmp/hang.out"; echo $?) 2>/dev/null)
secs=$(( $(date +%s) - t0 ))
want="not ok 3 - t: timed out after 1 s, the last point was 2 (three is 3) at $tmp/t.c:$(line '"three is 3"')"
[ "$(sed -n 3p "$tmp/hang.out")" = "$want" ] && [ "$(sed -n 4p "$tmp/hang.out")" = "1..3" ]
check "the time limit: a failing point names the test and its last point, then the plan" $? \
	"want: $want" "$(cat "$tmp/hang.out")"
[ $st -eq $((128 + 14)) ] && [ $secs -lt 8 ]
check "... and the test ends by SIGALRM at once (exit $st, $secs s)" $?
[ -e "$tmp/mark" ]
check "... after the cleanups registered for fatal signals ran" $?
DAXBENCH_TAP_TIMEOUT=1 "$tmp/t" off >"$tmp/off.out" 2>&1; st=$?
[ $st -eq 0 ] && [ "$(tail -n 1 "$tmp/off.out")" = "1..3" ]
check "tap_timeout(0) turns the limit off" $? "exit $st" "$(cat "$tmp/off.out")"

# The runner, on a copy of it, over two such unit tests.
mkdir -p "$tmp/r/tests/unit" "$tmp/r/tests/cli"
cp tests/run "$tmp/r/tests/run"
printf '#!/bin/sh\nexec %s die\n' "$tmp/t" >"$tmp/r/tests/unit/test_dies"
printf '#!/bin/sh\nexec %s hang\n' "$tmp/t" >"$tmp/r/tests/unit/test_hangs"
chmod +x "$tmp/r/tests/unit/"test_*
MARK=$tmp/mark2 DAXBENCH_TEST_TIMEOUT=4 "$tmp/r/tests/run" --host >"$tmp/run.out" 2>&1; st=$?
[ $st -ne 0 ] && grep -q 'test_dies .*FAIL.*no TAP plan: it ended after 2 point(s)' "$tmp/run.out"
check "tests/run: a unit test that dies before its plan fails, 'no TAP plan'" $? \
	"$(grep test_dies "$tmp/run.out")"
grep -A3 'test_hangs .*FAIL' "$tmp/run.out" | grep -q 'not ok 3 - t: timed out after 3 s, the last point was 2'
check "tests/run: a hanging unit test is named by its own timer, set under the runner's 4 s" $? \
	"$(grep -A3 test_hangs "$tmp/run.out")"
! grep -q 'timed out after 4 s' "$tmp/run.out"
check "... before the runner's own stop" $? "$(grep test_hangs "$tmp/run.out")"
exit $(( tap_failed > 0 ))
