#!/usr/bin/env bash
# TAP test of scripts/guest/run's console watch: a kernel that dies or hangs
# stops the guest within seconds (status 123, the line named on stderr and in
# .kernel-died, console.log kept) instead of at the timeout; a WARNING or an
# RCU stall does not.  Five boots of Debian's stock kernel (90 to 120 s under
# TCG), each with --timeout 120:
#   boot 1: panic=0, `echo c >/proc/sysrq-trigger`: the kernel panics and
#           spins; guest/run stops it (timed from the panic line on the live
#           console, -v, to guest/run's return)
#   boot 2: the same with the harness's panic=-1: the kernel reboots, QEMU
#           exits by itself; still status 123
#   boot 3: a real hung task (hung_task_timeout_secs=2, a write to a frozen
#           file system): "kernel hung", stopped
#   boot 4: "BUG: kernel NULL pointer dereference" and an Oops header written
#           to /dev/kmsg (no real BUG or Oops can be provoked from user space
#           in the stock kernel: no LKDTM): stopped, the BUG line named
#   boot 5: a WARNING and an RCU stall line in /dev/kmsg (fake: the stock
#           kernel has no user-space WARNING trigger either): the script runs
#           to its end, status 1, the stall noted on stderr
# Exit status: 0 when all pass, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
run=scripts/guest/run
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh

need qemu-system-x86_64 /usr/share/qemu/qboot.rom
echo "1..15"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guest_kernel_death.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
limit=30	# seconds from the event to guest/run's return (the acceptance)

# vrun NAME EVENT GUEST/RUN-ARGS...: guest/run -v (the console copied to its
# stderr as it runs), every stderr line stamped with the host's time.  Sets
# st (status), lag (seconds from the first console line matching EVENT to
# guest/run's return; -1 when no such line), reason (guest/run's last line).
vrun() {
	local name=$1 event=$2 t_end t_ev
	shift 2
	"$run" -v "$@" 2>&1 >/dev/null | while IFS= read -r l; do
		printf '%s %s\n' "$EPOCHREALTIME" "${l%$'\r'}"
	done >"$tmp/$name.err"
	st=${PIPESTATUS[0]}
	t_end=$EPOCHREALTIME
	t_ev=$(grep -a -m1 -E "^[0-9.]+ \[ *[0-9]+\.[0-9]{6}\] .*($event)" "$tmp/$name.err" | cut -d' ' -f1)
	lag=$(awk -v a="${t_ev:-}" -v b="$t_end" 'BEGIN { if (a == "") print -1; else printf "%.1f", b - a }')
	reason=$(sed -n 's/^[0-9.]* \(guest\/run: .*\)/\1/p' "$tmp/$name.err" | tail -n1)
}
in_time() { awk -v l="$lag" -v m="$limit" 'BEGIN { exit !(l >= 0 && l <= m) }'; }
# the reason names console.log:N and line N of the saved console.log is it
names_line() { # DIR TEXT
	local n
	n=$(sed -n 's/.* at console\.log:\([0-9]*\): .*/\1/p' <<<"$reason")
	[ -n "$n" ] && [[ $reason == *"$2"* ]] &&
		sed -n "${n}p" "$1/console.log" | tr -d '\r' | grep -qF "$2"
}

# ---- boot 1: panic=0, the kernel spins after its panic ----
printf 'echo before\necho c >/proc/sysrq-trigger\nsleep 100\necho never-printed\n' >"$tmp/crash.sh"
vrun b1 'Kernel panic' --timeout 120 --append panic=0 --out "$tmp/o1" "$tmp/crash.sh"
check "boot 1 (sysrq crash, panic=0): status 123" $(( st == 123 ? 0 : 1 )) "status $st: $reason"
names_line "$tmp/o1" 'Kernel panic - not syncing: sysrq triggered crash' &&
	[[ $reason == *"kernel died at console.log:"*"guest stopped"* ]]
check "boot 1: the reason on stderr names the panic line of console.log; guest stopped" $? "$reason"
[ -f "$tmp/o1/.kernel-died" ] && grep -q 'kernel died at console.log:[0-9]*: .*Kernel panic' "$tmp/o1/.kernel-died"
check "boot 1: .kernel-died holds the reason" $? "$(cat "$tmp/o1/.kernel-died" 2>&1)"
grep -q -- '---\[ end Kernel panic' "$tmp/o1/console.log" && ! grep -q never-printed "$tmp/o1/console.log"
check "boot 1: console.log kept with the whole panic report; the script went no further" $?
in_time
check "boot 1: guest/run returned $lag s after the panic line appeared (at most $limit)" $? \
	"$(tail -n 3 "$tmp/b1.err")"

# ---- boot 2: the harness's panic=-1: the kernel reboots, QEMU exits ----
vrun b2 'Kernel panic' --timeout 120 --out "$tmp/o2" "$tmp/crash.sh"
names_line "$tmp/o2" 'Kernel panic - not syncing: sysrq triggered crash'; nl=$?
check "boot 2 (sysrq crash, panic=-1): status 123, the panic line named" $(( st == 123 && nl == 0 ? 0 : 1 )) \
	"status $st: $reason"
[ -f "$tmp/o2/.kernel-died" ] && [[ $reason == *"stopped by itself"* ]] && in_time
check "boot 2: .kernel-died written; the guest stopped by itself, run returned $lag s after the line" $? "$reason"

# ---- boot 3: a hung task ----
cat >"$tmp/hung.sh" <<'EOF'
echo 2 >/proc/sys/kernel/hung_task_timeout_secs
xfs_io -x -c freeze /mnt/pmem
sh -c 'echo x >/mnt/pmem/blocked' &
sleep 100
echo never-printed
EOF
# A boot whose script makes the kernel die or hang, then sleeps and would
# print never-printed: status 123 naming the line, the reason says WHY, the
# guest stopped, .kernel-died written, run returned in time.
stopped_boot() { # N SCRIPT EVENT LINE WHY WHAT
	vrun "b$1" "$3" --timeout 120 --out "$tmp/o$1" "$2"
	names_line "$tmp/o$1" "$4"; nl=$?
	check "boot $1 ($6): status 123, the line '$4' named" \
		$(( st == 123 && nl == 0 ? 0 : 1 )) "status $st: $reason"
	[[ $reason == *"$5"* ]] && [ -f "$tmp/o$1/.kernel-died" ] &&
		! grep -q never-printed "$tmp/o$1/console.log" && in_time
	check "boot $1: stopped, .kernel-died written, returned $lag s after the line" $? "$reason"
}
stopped_boot 3 "$tmp/hung.sh" 'blocked for more than' 'blocked for more than 2 seconds' \
	"kernel hung at console.log:" "hung task"

# ---- boot 4: BUG and Oops lines ----
cat >"$tmp/bug.sh" <<'EOF'
echo 'BUG: kernel NULL pointer dereference, address: 0000000000000000' >/dev/kmsg
echo 'Oops: 0002 [#1] PREEMPT SMP NOPTI' >/dev/kmsg
sleep 100
echo never-printed
EOF
stopped_boot 4 "$tmp/bug.sh" 'BUG: kernel NULL' 'BUG: kernel NULL pointer dereference' \
	"guest stopped" "BUG: and Oops: lines, the first named"

# ---- boot 5: a WARNING and an RCU stall leave the guest running ----
cat >"$tmp/warn.sh" <<'EOF'
echo 'WARNING: CPU: 0 PID: 1 at fake' >/dev/kmsg
echo 'rcu: INFO: rcu_preempt self-detected stall on CPU (fake)' >/dev/kmsg
sleep 4
echo done >"$DAXBENCH_OUT/after"
EOF
"$run" --timeout 120 --out "$tmp/o5" "$tmp/warn.sh" 2>"$tmp/b5.err"; st=$?
reason=$(tail -n1 "$tmp/b5.err")
check "boot 5 (WARNING, RCU stall): status 1, the WARNING line named" \
	$(( st == 1 ? 0 : 1 )) "status $st: $reason"
[ "$(cat "$tmp/o5/after" 2>/dev/null)" = "done" ] && [ "$(cat "$tmp/o5/.exit-status" 2>/dev/null)" = 0 ] &&
	[ ! -e "$tmp/o5/.kernel-died" ] && [[ $reason == *"kernel error at console.log:"*"WARNING: CPU: 0 PID: 1 at fake"* ]]
check "boot 5: the script ran to its end (its file came back, .exit-status 0), no .kernel-died" $? "$reason"
grep -q '^guest/run: note: RCU stall.*guest left running: .*rcu_preempt self-detected stall on CPU (fake)' "$tmp/b5.err"
check "boot 5: the RCU stall noted on stderr, guest left running" $? "$(grep -m1 note "$tmp/b5.err")"
grep -q 'rcu_preempt self-detected stall' "$tmp/o5/console.log" && grep -q 'WARNING: CPU: 0 PID: 1 at fake' "$tmp/o5/dmesg.txt"
check "boot 5: console.log and dmesg.txt came back" $?

[ $tap_failed -eq 0 ] || { echo "# $tap_failed of $n failed"; exit 1; }
exit 0
