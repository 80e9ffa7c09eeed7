#!/usr/bin/env bash
# tests/run reports each test's own result of this run, never one left in
# build/test-logs/ by an earlier run: on a copy of it, a stand-in test that
# fails now, with a passing result of an earlier run planted for it, must be
# reported as failed, after a test before it that passes (the runner then
# looks at the next test's result before launching it).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests/cli" "$tmp/build/test-logs"
cp tests/run "$tmp/tests/run"
printf '#!/usr/bin/env bash\necho 1..1\necho "ok 1 - fine"\n' >"$tmp/tests/cli/a_pass.sh"
printf '#!/usr/bin/env bash\necho 1..1\necho "not ok 1 - fails now"\nexit 1\n' >"$tmp/tests/cli/b_fails_now.sh"
chmod +x "$tmp/tests/cli/"*.sh
# what an earlier run left: b passed then
printf '1..1\nok 1 - passed once\n' >"$tmp/build/test-logs/b_fails_now.sh.log"
echo "0 0 1" >"$tmp/build/test-logs/b_fails_now.sh.log.result"
"$tmp/tests/run" --host -j 1 >"$tmp/out" 2>&1; st=$?
check "the run fails (exit $st): b fails now" $(( st != 0 ? 0 : 1 )) "$(cat "$tmp/out")"
grep -q 'b_fails_now.sh .*FAIL' "$tmp/out"
check "b is reported from this run (FAIL), not from the earlier one's result" $? "$(grep b_fails "$tmp/out")"
[ "$(tail -n 1 "$tmp/out")" = "1 passed, 1 failed, 0 skipped" ]
check "the tally counts each test once: 1 passed, 1 failed" $? "last line: $(tail -n 1 "$tmp/out")"
echo "1..$n"
[ $tap_failed -eq 0 ] || exit 1
exit 0
