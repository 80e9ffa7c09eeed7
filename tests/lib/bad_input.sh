# Bad input, for the shell tests: a command given a bad option must exit 2
# with exactly one line on stderr naming the option, and leave no results
# behind.  Source it after tap.sh; it defines:
#   readonly_dir DIR       DIR refuses new files, even to root: a read-only
#                          tmpfs mounted there when that works, else mode
#                          555; ro_kind says which.  readonly_dir_cleanup
#                          unmounts it (call it from the EXIT trap).
#   check_refused NAME WANT STATUS ERRFILE [PATH...]
#                          ok when STATUS is 2, ERRFILE has one line, that
#                          line contains WANT (a fixed string), and no PATH
#                          exists (pass globs unquoted: "$out"*)
readonly_dir() {
	ro_dir=$1 ro_kind=chmod
	mkdir -p "$ro_dir"
	if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o ro,size=1m tmpfs "$ro_dir" 2>/dev/null; then
		ro_kind="read-only mount"
	else
		chmod 555 "$ro_dir"
	fi
}
readonly_dir_cleanup() { [ -n "${ro_dir:-}" ] && umount "$ro_dir" 2>/dev/null; return 0; }
check_refused() {
	local name=$1 want=$2 st=$3 err=$4 lines p left=
	shift 4
	lines=$(wc -l <"$err")
	for p in "$@"; do [ -e "$p" ] && left+=" $p"; done
	[ "$st" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -F -- "$want" "$err" && [ -z "$left" ]
	check "$name" $? "exit $st, $lines line(s): $(head -c 300 "$err")${left:+; left behind:$left}"
}
