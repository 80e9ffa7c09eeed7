# TAP output for the shell tests (tests/run tallies it).  Source it; it
# sets the check counter n=0 and defines:
#   ok NAME                        "ok N - NAME"
#   not_ok NAME [DIAGNOSTIC...]    "not ok N - NAME", then "#   DIAGNOSTIC" lines
#   skip NAME REASON               "ok N - NAME # SKIP REASON"
#   check NAME STATUS [DIAG...]    ok when STATUS is 0.  Take STATUS first
#                                  (st=$?) when NAME runs a command
#                                  substitution: it would reset $?.
#   check_cmd NAME COMMAND...      ok when COMMAND (output discarded) succeeds
#   check_json NAME FILE EXPR WANT ok when `jq -rc EXPR FILE` prints WANT (a
#                                  string raw, anything else compact JSON)
#   need THING...                  unless every THING is there (a command,
#                                  or else a readable file), the plan
#                                  "1..0 # SKIP ... missing" and exit 0
#   fresh_dir DIR                  DIR removed and made again, empty
# and counts the not-oks in tap_failed.
n=0 tap_failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) tap_failed=$((tap_failed + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do echo "#   $l"; done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() {
	local name=$1 st=$2
	shift 2
	if [ "$st" -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}
check_cmd() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}
check_json() {
	local got
	got=$(jq -rc "$3" "$2" 2>&1)
	if [ "$got" = "$4" ]; then ok "$1"; else not_ok "$1" "$3 is '$got', expected '$4' ($2)"; fi
}
need() {
	local t missing=()
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || [ -r "$t" ] || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "1..0 # SKIP ${missing[*]} missing (make check installs and builds)"
	exit 0
}
fresh_dir() { rm -rf "$1" && mkdir -p "$1"; }
