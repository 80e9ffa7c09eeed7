#!/usr/bin/env bash
# Every signal that ends a process by default (signal(7): Term or Core,
# taken from `kill -l`, not from the tools' own list), sent to each
# long-running tool (daxbench fault, sync, flush; daxstress on the page
# cache) at three moments it stops itself at (DAXBENCH_TEST_STOP, see
# include/test_stop.h):
#   start    options checked, nothing created yet
#   running  the run under way (fault: the trace instance on and the
#            --events temporary open; sync: the trace on)
#   writing  a result in its temporary, not yet renamed
# Each moment is checked to be what it claims (the instance, the
# temporary) before the signal; after it the tool must have died by that
# signal and left nothing: no tracefs instance of its pid, no temporary,
# no result file, nothing in its --dir.  SIGKILL cannot be caught: what it
# leaves must be removed by the next run of another tool (stale instances
# of every tool of the suite, stale temporaries of the same target).
# The four tools run side by side; small sizes keep it well under a minute.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need bench/daxbench stress/daxstress
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP tracing needs root"
	exit 0
fi
ulimit -c 0	# SIGQUIT, SIGABRT...: no core files
work=$(mktemp -d /tmp/daxbench-signals.XXXXXX)
trap 'rm -rf "$work"' EXIT
tracefs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
mkfifo "$work/nap"
exec {nap}<>"$work/nap"	# read -t on it: a sleep that forks nothing

sigs=()
for num in $(seq 1 64); do
	name=$(kill -l "$num" 2>/dev/null) || continue
	[ -n "$name" ] || continue	# 32 and 33: glibc's own, not listed
	case $name in
	CHLD|CONT|STOP|TSTP|TTIN|TTOU|URG|WINCH) continue ;;	# Ign, Stop, Cont
	esac
	sigs+=("$name")
done
moments=(start running writing)
tools=(fault sync flush daxstress)

# cmd TOOL OUTPUT: the tool's command line, writing its result to OUTPUT
# (fault: its --events to OUTPUT, the JSON beside it)
cmd() {
	local d=$work/$1
	case $1 in
	fault) echo "bench/daxbench fault --dir $d/run --size 4M --page pte --trace-buffer 1M" \
		"--allow-lost-events --quiet --events $2 --output $d/out/r.json" ;;
	sync) echo "bench/daxbench sync --dir $d/run --size 4M --page pte --duration 20ms" \
		"--trace-buffer 1M --allow-lost-events --quiet --output $2" ;;
	flush) echo "bench/daxbench flush --sizes 64 --threads 1 --methods persist --duration 1ms" \
		"--repeat 1 --region 64K --quiet --output $2" ;;
	daxstress) echo "stress/daxstress --dir $d/run --scenario page-cache --iterations 1" \
		"--round 10ms --size 4M --output $2" ;;
	esac
}
target() { [ "$1" = fault ] && echo "$work/$1/out/ev.csv" || echo "$work/$1/out/r.json"; }

# start TOOL MOMENT OUTPUT: the tool in the background, stopped at MOMENT;
# pid in $pid; 0 once it is stopped there, 1 if it never got there.
start() {
	# shellcheck disable=SC2046,SC2116
	DAXBENCH_TEST_STOP=$2 env --default-signal $(cmd "$1" "$3") \
		>/dev/null 2>"$work/$1/err" </dev/null &
	pid=$!
	local state _i
	for ((_i = 0; _i < 2000; _i++)); do
		read -r _ _ state _ 2>/dev/null <"/proc/$pid/stat" || return 1
		[ "$state" = T ] && return 0
		[ "$state" = Z ] && return 1
		read -r -t 0.005 -u "$nap" _	# a nap without a fork
	done
	return 1
}
inst_of() { ls -d "$tracefs"/instances/*-"$1" 2>/dev/null; }
tmps_of() { ls "$work/$2/out/"*.tmp."$1" 2>/dev/null; }

# What the moment must show before the signal ("" when it does).
moment_missing() {
	local t=$1 m=$2 p=$3
	case $m/$t in
	running/fault) [ -n "$(inst_of "$p")" ] || echo "no instance"
		[ -n "$(tmps_of "$p" "$t")" ] || echo "no --events temporary" ;;
	running/sync) [ -n "$(inst_of "$p")" ] || echo "no instance" ;;
	writing/*) [ -n "$(tmps_of "$p" "$t")" ] || echo "no temporary" ;;
	esac
}

# One tool, every catchable signal at every moment: "ok|not ok<TAB>name<TAB>diag" lines.
tool_cases() {
	local t=$1 m s st num miss left
	mkdir -p "$work/$t/run" "$work/$t/out"
	for m in "${moments[@]}"; do
		for s in "${sigs[@]}"; do
			[ "$s" = KILL ] && continue
			rm -rf "${work:?}/$t/out/"*
			num=$(kill -l "$s")
			if ! start "$t" "$m" "$(target "$t")"; then
				wait "$pid" 2>/dev/null
				printf 'not ok\t%s\t%s\n' "$t SIG$s at $m" \
					"never stopped at $m (exit $?): $(head -c 200 "$work/$t/err" | tr '\n' '|')"
				continue
			fi
			miss=$(moment_missing "$t" "$m" "$pid" | tr '\n' ' ')
			kill -s "$s" "$pid"
			kill -s CONT "$pid"
			wait "$pid" 2>/dev/null
			st=$?
			# shellcheck disable=SC2046,SC2116
			left=$(echo $(inst_of "$pid") $(ls -A "$work/$t/out") $(ls -A "$work/$t/run"))
			if [ -z "$miss" ] && [ $st -eq $((128 + num)) ] && [ -z "$left" ]; then
				printf 'ok\t%s\n' "$t SIG$s at $m: died by it ($st), nothing left"
			else
				printf 'not ok\t%s\t%s\n' "$t SIG$s at $m" \
					"${miss:+moment not reached: $miss; }status $st (want $((128 + num))); left: ${left:-nothing}"
			fi
		done
	done >"$work/$t.tap"
}

t0=$(date +%s)
for t in "${tools[@]}"; do tool_cases "$t" & done
wait
secs=$(( $(date +%s) - t0 ))

ncatch=$(( ${#sigs[@]} - 1 ))
echo "1..$(( ${#tools[@]} * 3 * ncatch + ${#tools[@]} * 3 ))"
for t in "${tools[@]}"; do
	while IFS=$'\t' read -r verdict name diag; do
		if [ "$verdict" = ok ]; then ok "$name"; else not_ok "$name" "$diag"; fi
	done <"$work/$t.tap"
	# a tool that wrote fewer lines than it had cases
	for _ in $(seq $(( 3 * ncatch - $(wc -l <"$work/$t.tap") ))); do not_ok "$t: a case did not report"; done
done

# SIGKILL: what it leaves, the next run of the next tool removes (its
# stale-instance sweep at start; the stale temporaries of the target it
# is given, the killed run's)
for i in "${!tools[@]}"; do
	t=${tools[$i]} next=${tools[$(( (i + 1) % ${#tools[@]} ))]}
	for m in "${moments[@]}"; do
		rm -rf "${work:?}/$t/out/"*
		if ! start "$t" "$m" "$(target "$t")"; then
			wait "$pid" 2>/dev/null
			not_ok "$t SIGKILL at $m" "never stopped at $m"
			continue
		fi
		kpid=$pid
		miss=$(moment_missing "$t" "$m" "$kpid" | tr '\n' ' ')
		kill -s KILL "$kpid"
		wait "$kpid" 2>/dev/null
		st=$?
		# shellcheck disable=SC2046,SC2116
		before=$(echo $(inst_of "$kpid") $(tmps_of "$kpid" "$t") | sed "s|$work/||g; s|$tracefs/||g")
		start "$next" start "$(target "$t")"
		kill -s TERM "$pid"
		kill -s CONT "$pid"
		wait "$pid" 2>/dev/null
		# shellcheck disable=SC2046,SC2116
		after=$(echo $(inst_of "$kpid") $(tmps_of "$kpid" "$t"))
		[ -z "$miss" ] && [ $st -eq 137 ] && [ -z "$after" ]
		check "$t SIGKILL at $m: left ${before:-nothing}; the next run ($next) removed it" $? \
			"${miss:+moment not reached: $miss; }status $st; still there: $after"
	done
done
# a diagnostic, not a point: timings are never asserted (tests/run's time
# limit stops a hang)
echo "# the catchable signals ($ncatch of them, ${#tools[@]} tools, 3 moments) took ${secs}s side by side"
