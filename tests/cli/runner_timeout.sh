#!/usr/bin/env bash
# tests/run's time limit, on a copy of it over two stand-in tests: one that
# hangs (with a child process of its own, as a guest test has QEMU) and one
# that passes.  The hanging one must be stopped at its "# timeout:" with its
# whole process group, counted as one failure naming it, and the run must
# go on to the next test and end with the tally.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
echo "1..5"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests/cli"
cp tests/run "$tmp/tests/run"
marker=daxbench-runner-timeout-$$
# the child carries a recognisable name (exec -a) to look for afterwards
cat >"$tmp/tests/cli/a_hang.sh" <<EOF2
#!/usr/bin/env bash
# timeout: 2
echo 1..1
bash -c 'exec -a $marker sleep 1000' &
sleep 1000
EOF2
printf '#!/usr/bin/env bash\necho 1..1\necho "ok 1 - fine"\n' >"$tmp/tests/cli/b_pass.sh"
chmod +x "$tmp/tests/cli/"*.sh
t0=$(date +%s)
"$tmp/tests/run" --host >"$tmp/out" 2>&1; st=$?
secs=$(( $(date +%s) - t0 ))
check "the run fails (exit $st)" $(( st != 0 ? 0 : 1 ))
grep -q 'a_hang.sh .*FAIL.*timed out after 2 s' "$tmp/out"
check "the hanging test is named, timed out after its 2 s" $? "$(grep a_hang "$tmp/out")"
grep -q 'b_pass.sh .*ok' "$tmp/out"
check "the next test still ran and passed" $? "$(grep b_pass "$tmp/out")"
[ "$(tail -n 1 "$tmp/out")" = "1 passed, 1 failed, 0 skipped" ]
check "the tally: 1 passed, 1 failed" $? "last line: $(tail -n 1 "$tmp/out")"
echo "# the run took ${secs} s (the hang sleeps 1000 s)"
sleep 1
! pgrep -f "$marker" >/dev/null
check "the hanging test's child process was stopped with it" $? "$(pgrep -af "$marker")"
pkill -f "$marker" 2>/dev/null
exit $(( tap_failed > 0 ))
