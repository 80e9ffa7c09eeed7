#!/usr/bin/env bash
# daxstress in the emulated-pmem guest (stock Debian kernel): two boots.
#   boot 1 (tests/guest/stress_check.sh): every scenario passes (short runs;
#          page-cache on the same device remounted dax=never); the negative
#          controls fire and report exactly the expected pages (checked in
#          the JSON with jq); bad options exit 2 with one line; DAX scenarios
#          on a non-DAX directory are skipped, exit 4.  Then (the script
#          below, same boot) the flush probe: writebacks are timed by their
#          dax_flush return (the stock kernel has CONFIG_KPROBE_EVENTS=y),
#          none unpaired, and no daxbench dynamic event is left after
#          daxstress exits, nor after a SIGINT in the middle of a run
#   boot 2 (tests/guest/stress_kmsg.sh): a fake "WARNING:" in the kernel log
#          (--inject kmsg-warning) fails the scenario; the harness sees it too
# Known: on Debian's stock 6.1 kernel concurrent-fsync fails (pte-then-pmd and
# truncate-punch now and then) because dax_writeback_one() (a) skips an entry
# that a fault or another fsync holds locked (get_unlocked_entry() on the
# walk's xa_state finds "no entry": the "missed" violations) and (b) clears
# TOWRITE before flushing, so a concurrent fsync whose walk comes later skips
# the entry and returns before it is flushed (the "late" violations).  With
# both fixed (reset the xa_state before get_unlocked_entry(); clear TOWRITE
# with DIRTY after the flush) every scenario passes; these checks stay as
# the issue states them.
# Known too, on the same kernel: the layout scenario loses its near pages
# (stored through a 2 MiB mapping inside the 2 MiB region an operation cuts,
# outside the operation's range) after ext4 zero-range (with and without
# KEEP_SIZE) and truncate-down, in the PMD mapping only: truncate_pagecache
# and truncate_pagecache_range reach dax_delete_mapping_entry() for the
# whole multi-order entry, which drops it whatever its tags, and nothing
# wrote it back first (results/finding/layout/README.md;
# scripts/kernel/fixes/6.1/dax-truncate-writeback-cut.patch writes the cut
# entry back before the truncate deletes it).  Such a failure, of the near
# class only, is a TODO; a far page lost fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=lib/tap.sh
. tests/lib/tap.sh
out=build/test-guest-stress
fresh_dir "$out"
need qemu-system-x86_64 jq stress/daxstress
# every DAX scenario of daxstress --list
# shellcheck source=../scripts/lib/scenarios.sh
. scripts/lib/scenarios.sh
mapfile -t scenarios < <(dax_scenarios stress/daxstress | tr ',' '\n')
planned=$(( 2 + ${#scenarios[@]} + 4 + 3 + 6 + 6 + 7 + 3 + 5 + 6 + 3 ))
echo "1..$planned"
rc() { cat "$1" 2>/dev/null || echo missing; }
# A failing scenario's diagnostics (its first lines, then the reproduction).
explain() {	# explain TAPFILE NAME
	awk -v s="$2" '$0 ~ "^# " s ": " { on = 1 } on && /^#/ { print }
		on && $0 ~ "^(not )?ok [0-9]+ - " s "$" { exit }' "$1" 2>/dev/null |
		sed -n '2,13p; /^# reproduce/p'
}

# ---- boot 1 ----
# tests/guest/stress_check.sh, then the flush probe's checks:
#   probe-left.txt     kprobe_events, dynamic_events, instances of ours left
#                      after every run above
#   sigint.{tap,err,rc,json*}  concurrent-fsync killed by SIGINT mid-run
#   sigint-seen        the probe of that run, as seen in kprobe_events
#   sigint-left.txt    what of ours is left after it died
# The guest starts the script in the background, so SIGINT is ignored in it
# (and daxstress rightly leaves an ignored signal ignored): the host's
# coreutils env, shipped as genv, restores its default for daxstress.
d=$out/check
cat >"$out/stress_probe.sh" <<'EOF'
# shellcheck shell=sh
out=${DAXBENCH_OUT:-/results}
mnt=${DAXBENCH_MNT:-/mnt/pmem}
tr=/sys/kernel/tracing
cd /	# not busy: stress_check.sh remounts $mnt
sh /usr/local/share/daxbench/stress_check.sh
left() {	# what of daxbench/daxstress is left in tracefs
	grep -h 'daxbench/' "$tr/kprobe_events" "$tr/dynamic_events"
	ls "$tr/instances" | grep -E '^dax(bench|stress)-'
}
left >"$out/probe-left.txt" 2>/dev/null
sig=INT
genv --default-signal=INT true 2>/dev/null || sig=TERM
echo "$sig" >"$out/sigint-signal"
if [ $sig = INT ]; then
	genv --default-signal=INT daxstress --dir "$mnt" --scenario concurrent-fsync \
		--duration 120s --seed 5 --output "$out/sigint.json" >"$out/sigint.tap" 2>"$out/sigint.err" &
else
	daxstress --dir "$mnt" --scenario concurrent-fsync \
		--duration 120s --seed 5 --output "$out/sigint.json" >"$out/sigint.tap" 2>"$out/sigint.err" &
fi
pid=$!
i=0
while [ $i -lt 300 ] && ! grep -q "daxbench/flush_$pid " "$tr/kprobe_events"; do
	sleep 0.1 2>/dev/null || sleep 1
	i=$((i + 1))
done
grep "daxbench/flush_$pid " "$tr/kprobe_events" >"$out/sigint-seen"
sleep 3	# into the racing
kill -s "$sig" "$pid"
wait "$pid"
echo $? >"$out/sigint.rc"
left >"$out/sigint-left.txt" 2>/dev/null
exit 0
EOF
t0=$(date +%s)
scripts/guest/run --timeout 900 --out "$d" \
	--file tests/guest/stress_check.sh:/usr/local/share/daxbench/stress_check.sh \
	--file "$(command -v env):/usr/local/bin/genv" "$out/stress_probe.sh" >"$out/check.log" 2>&1
st=$?
secs=$(( $(date +%s) - t0 ))
check "boot 1: the guest ran the checks (harness status $st)" "$st" "$(tail -3 "$out/check.log" | tr '\n' ' ')"
# The stock 6.1 kernel has a real race in dax_writeback_one(): TOWRITE is
# cleared before the flush (a racing fsync skips the entry and returns
# early: "late"), and get_unlocked_entry() on the scan's state can skip a
# locked entry ("missed").  scripts/kernel/fixes/6.1/dax-writeback-wait.patch
# fixes both (results/finding/).
# A stock failure made only of those two kinds, with a clean kernel log, in
# a scenario of the race (scripts/lib/daxstress.jq: known_race), is reported
# as TODO (a known kernel bug, not a suite failure); anything else fails.
todo="# TODO stock 6.1 dax_writeback_one race (late/missed: TOWRITE cleared before the flush, a locked entry skipped), fixed by scripts/kernel/fixes/6.1/dax-writeback-wait.patch"
known_race() {	# known_race SCENARIO: a failure of the known kinds only
	jq -e -L scripts/lib --arg s "$1" 'include "daxstress";
		.scenarios[] | select(.name == $s) | known_race("stock")' "$d/all.json" >/dev/null 2>&1
}
# The layout scenario on stock 6.1: a dirty 2 MiB entry cut by a truncate is
# deleted unwritten (see the top).  A failure is of that kind only when
# every failing run is a PMD run of one of the operations whose 6.1 path
# truncates without a writeback first (ext4 zero-range, zero-range-keep-size,
# truncate-down), that lost near pages (all of them in the cut 2 MiB entry)
# and no far page, the call done, the data read back intact; no far page
# lost in any run, no late or unflushed violation, a clean kernel log.
near_todo="# TODO stock 6.1 deletes a dirty PMD entry cut by a truncate without writeback: truncate_pagecache_range()/truncate_pagecache() reach dax_delete_mapping_entry() for the whole 2 MiB entry whatever its tags, and ext4 zero-range and truncate-down write nothing back first; the kernel's bug, the suite's finding (results/finding/layout/README.md), fixed by scripts/kernel/fixes/6.1/dax-truncate-writeback-cut.patch"
near_ops='["zero-range","zero-range-keep-size","truncate-down"]'
known_near() {	# a layout failure of the near class only (scripts/lib/daxstress.jq
		# near_failure), by the operations whose 6.1 path cuts without writeback
	jq -e -L scripts/lib --argjson ops "$near_ops" 'include "daxstress";
		.scenarios[] | select(.name == "layout") | near_failure
		  and (([.info.operations[] | select(.verdict == "fail") | .operation] | unique) - $ops | length) == 0' \
		"$d/all.json" >/dev/null 2>&1
}
near_lost() {	# the operations that lost near pages, for the TAP line
	jq -r '[.scenarios[] | select(.name == "layout") | .info.operations[]
		| select(.near.missing > 0) | "\(.operation) \(.page) \(.near.missing)/\(.near.stored)"]
		| join(", ")' "$d/all.json" 2>/dev/null
}
known_fail() {	# known_fail SCENARIO: a failure of its known kind
	if [ "$1" = layout ]; then known_near; else known_race "$1"; fi
}
all_known=1 race=0 near=0
for s in "${scenarios[@]}"; do
	v=$(jq -r --arg s "$s" '.scenarios[] | select(.name == $s) | .verdict' "$d/all.json" 2>/dev/null)
	if [ "$v" = pass ] || [ "$v" = skip ]; then
		continue
	elif known_fail "$s"; then
		if [ "$s" = layout ]; then near=1; else race=1; fi
	else
		all_known=0
	fi
done
both=$todo
[ $race = 1 ] || both=$near_todo
[ $race = 0 ] || [ $near = 0 ] || both="$todo; and ${near_todo#\# TODO }"
if [ "$(rc "$d/all.rc")" = 0 ]; then
	ok "every DAX scenario passed: daxstress exit 0"
elif [ "$(rc "$d/all.rc")" = 1 ] && [ $all_known = 1 ] && [ $((race + near)) -gt 0 ]; then
	n=$((n + 1)); echo "not ok $n - every DAX scenario passed: daxstress exit 0 $both"
else
	not_ok "every DAX scenario passed: daxstress exit 0" "exit $(rc "$d/all.rc")" \
		"$(grep -E '^(not ok|ok)' "$d/all.tap" 2>/dev/null | tr '\n' ' ')"
fi
echo "# boot 1: $secs s (daxstress time in the guest: $(cat "$d/seconds" 2>/dev/null) s)"
for s in "${scenarios[@]}"; do
	got=$(jq -r ".scenarios[] | select(.name == \"$s\") | .verdict" "$d/all.json" 2>&1)
	if [ "$got" = pass ]; then
		ok "$s passes on the stock kernel"
	elif [ "$s" = layout ] && known_near; then
		n=$((n + 1))
		echo "not ok $n - $s passes on the stock kernel (verdict '$got': near pages lost, far pages all written back: $(near_lost)) $near_todo"
	elif [ "$s" != layout ] && known_race "$s"; then
		n=$((n + 1))
		echo "not ok $n - $s passes on the stock kernel (verdict '$got': $(jq -c --arg s "$s" '.scenarios[] | select(.name == $s) | .violation_samples_by_kind' "$d/all.json")) $todo"
	else
		mapfile -t why < <(explain "$d/all.tap" "$s")
		not_ok "$s passes on the stock kernel (verdict '$got')" "${why[@]}"
	fi
done
check_json "every scenario checked sync calls" "$d/all.json" \
	'[.scenarios[] | select(.verdict != "skip") | .syncs_checked > 0] | all' true
check_json "every scenario checked pages" "$d/all.json" \
	'[.scenarios[] | select(.verdict != "skip") | .pages_checked > 0] | all' true
check_json "no trace event lost" "$d/all.json" '.totals.lost_events' 0
check_json "the kernel log was watched" "$d/all.json" '.kmsg_watched' true
check_json "page-cache passes on the device remounted dax=never" "$d/pc.json" \
	'[.dax, .scenarios[0].verdict, .scenarios[0].violations]' '[false,"pass",0]'
check_json "page-cache checked pages after sync calls" "$d/pc.json" \
	'.scenarios[0].pages_checked > 0 and .scenarios[0].sync_calls > 0' true
check_json "page-cache: no failure, so first_failure_ns null and no violation pages" "$d/pc.json" \
	'.scenarios[0] | [.first_failure_ns, .violation_pages, .violation_page_count]' '[null,[],0]'

# The flush probe (a kretprobe on dax_flush, see include/trace.h): every
# writeback event of every DAX scenario timed by its dax_flush return.
check_json "writebacks timed by their dax_flush return in every DAX scenario" "$d/all.json" \
	'[.scenarios[] | select(.verdict != "skip") | .flush_time] | length > 0 and all(. == "dax_flush return")' true
check_json "... every writeback event paired with its flush (0 unpaired, >0 paired, 0 probe misses)" "$d/all.json" \
	'. as $r | [.scenarios[] | select(.verdict != "skip")] | [(map(.writeback_events_unpaired) | add), (map(.writeback_events_paired) | add) > 0, $r.trace.flush_probe_missed]' \
	'[0,true,0]'
echo "# writeback events [paired, unpaired]: $(jq -c '[.scenarios[] | select(.verdict != "skip") | {(.name): [.writeback_events_paired, .writeback_events_unpaired]}] | add' "$d/all.json" 2>/dev/null)"
[ -e "$d/probe-left.txt" ] && [ ! -s "$d/probe-left.txt" ]
check "no daxbench dynamic event nor instance left after daxstress exits" $? \
	"$(head -c 300 "$d/probe-left.txt" 2>/dev/null || echo 'no probe-left.txt')"
sig=$(cat "$d/sigint-signal" 2>/dev/null || echo INT)
[ -s "$d/sigint-seen" ]
check "SIG$sig mid-run: the run's flush probe existed ($(cat "$d/sigint-seen" 2>/dev/null))" $? \
	"$(head -c 300 "$d/sigint.err" 2>/dev/null)"
[ "$(rc "$d/sigint.rc")" = $((128 + $(kill -l "$sig"))) ] && [ -z "$(ls "$d"/sigint.json* 2>/dev/null)" ]
check "SIG$sig mid-run: daxstress died by it (status $(rc "$d/sigint.rc")), no results file" $? \
	"$(grep -E '^(#|ok|not ok)' "$d/sigint.tap" 2>/dev/null | tail -3 | tr '\n' ' ')"
[ -e "$d/sigint-left.txt" ] && [ ! -s "$d/sigint-left.txt" ]
check "SIG$sig mid-run: no daxbench dynamic event nor instance left" $? \
	"$(head -c 300 "$d/sigint-left.txt" 2>/dev/null || echo 'no sigint-left.txt')"

# The unflushed rule (a writeback must follow a completed flush of its range
# by its own thread): checked in every DAX scenario, clean on stock; its
# negative control robs every second writeback of its flush records and must
# report exactly those, as unflushed and nothing else.
check_json "every DAX scenario checked the unflushed rule and found 0 unflushed writebacks" "$d/all.json" \
	'[.scenarios[] | select(.verdict != "skip") | .unflushed_rule.checked == true and .violations_by_class.unflushed == 0] | length > 0 and all' true
[ "$(rc "$d/unflushed.rc")" = 1 ]
check "--inject unflushed: daxstress fails (exit 1)" $? "exit $(rc "$d/unflushed.rc")"
check_json "unflushed: exactly the robbed writebacks reported, as unflushed only" "$d/unflushed.json" \
	'.scenarios[0] | [.violations_by_class.late, .violations_by_class.missed, (.unflushed_rule.injected > 0 and .violations_by_class.unflushed == .unflushed_rule.injected)]' \
	'[0,0,true]'
# negative control: partial-sync
[ "$(rc "$d/ps.rc")" = 1 ]
check "--inject partial-sync: daxstress fails (exit 1)" $? "exit $(rc "$d/ps.rc")"
check_json "partial-sync: the oracle reports violations" "$d/ps.json" '.scenarios[0].violations > 0' true
check_json "partial-sync: exactly the second half (pages 1024..2047) is reported" "$d/ps.json" \
	'.scenarios[0].violation_pages' '[[1024,2047]]'
# The page list comes from the oracle's exact failing-page set, not from its
# (capped) violation samples: complete however many violations (millions here).
check_json "partial-sync: the report covers every failing store (complete, 1024 pages)" "$d/ps.json" \
	'.scenarios[0] | [.violation_pages_complete, .violation_page_count]' '[true,1024]'
check_json "partial-sync: first_failure_ns is within the scenario" "$d/ps.json" \
	'.scenarios[0] | (.first_failure_ns | type) == "number" and .first_failure_ns >= 0 and .first_failure_ns <= .duration_ns' true
grep -q '^# reproduce: .*--inject=partial-sync' "$d/ps.tap" 2>/dev/null
check "partial-sync: the failure prints the command line that reproduces it" $?
# negative control: async
[ "$(rc "$d/async.rc")" = 1 ]
check "--inject async: daxstress fails (exit 1)" $? "exit $(rc "$d/async.rc")"
check_json "async: every page (0..2047) is reported" "$d/async.json" \
	'.scenarios[0].violation_pages' '[[0,2047]]'
check_json "async: the report covers every failing store (complete, 2048 pages)" "$d/async.json" \
	'.scenarios[0] | [.violation_pages_complete, .violation_page_count]' '[true,2048]'
check_json "async: first_failure_ns is within the scenario" "$d/async.json" \
	'.scenarios[0] | (.first_failure_ns | type) == "number" and .first_failure_ns >= 0 and .first_failure_ns <= .duration_ns' true
check_json "async: no writeback at all (MS_ASYNC flushes nothing on DAX)" "$d/async.json" \
	'.scenarios[0].writeback_events' 0
grep -qE '^#   page [0-9]+: store \[.*\] not written back by msync' "$d/async.tap" 2>/dev/null &&
	grep -q '^#     no writeback_one covered the page after the store' "$d/async.tap"
check "async: a failure prints the page, the store time and the sync window" $?

# bad options: exit 2, one line naming the option, no results file
for f in "$d"/bad-*.rc; do
	[ -e "$f" ] || { not_ok "bad options were run"; continue; }
	b=${f%.rc}
	args=$(cat "$b.args")
	[ "$(rc "$f")" = 2 ] && [ "$(wc -l <"$b.err")" -eq 1 ] && grep -q -- "${args%% *}" "$b.err" &&
		[ -z "$(ls "$b".json* 2>/dev/null)" ]
	check "daxstress $args: exit 2, one line naming the option, no results" $? \
		"exit $(rc "$f"): $(head -c 200 "$b.err")"
done

# a non-DAX directory
[ "$(rc "$d/nodax.rc")" = 4 ]
check "DAX scenarios on a non-DAX directory: exit 4" $? "exit $(rc "$d/nodax.rc")"
[ "$(grep -c '^ok [0-9]* - .* # SKIP .*not DAX' "$d/nodax.tap" 2>/dev/null)" = 2 ]
check "... each reported as skipped, not DAX" $? "$(head -5 "$d/nodax.tap" 2>/dev/null | tr '\n' ' ')"
check_json "... and the JSON says skip" "$d/nodax.json" '[.scenarios[].verdict]' '["skip","skip"]'

# ---- boot 2: kmsg negative control ----
k=$out/kmsg
scripts/guest/run --timeout 300 --out "$k" tests/guest/stress_kmsg.sh >"$out/kmsg.log" 2>&1
st=$?
[ $st -eq 1 ] && grep -q 'kernel error at .*WARNING: fake' "$out/kmsg.log"
check "boot 2: the harness sees the fake WARNING (status 1)" $? "status $st: $(tail -1 "$out/kmsg.log")"
[ "$(rc "$k/kmsg.rc")" = 1 ]
check "--inject kmsg-warning: daxstress fails (exit 1)" $? "exit $(rc "$k/kmsg.rc")"
check_json "... the scenario's verdict is fail" "$k/kmsg.json" '.scenarios[0].verdict' fail
check_json "... with the kernel-log line in its JSON" "$k/kmsg.json" \
	'[.scenarios[0].kmsg[] | contains("WARNING: fake")] | any' true
check_json "... and no oracle violation (the run itself was clean)" "$k/kmsg.json" \
	'.scenarios[0].violations' 0
[ $n -eq "$planned" ] || echo "# planned $planned checks, made $n"
