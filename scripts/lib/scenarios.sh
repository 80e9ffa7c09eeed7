# shellcheck shell=bash
# The scenarios of daxstress, from its own table (`daxstress --list`), for the
# host scripts.  Source this file.
#   dax_scenarios DAXSTRESS        every DAX scenario, comma-separated
#   timed_dax_scenarios DAXSTRESS  the DAX scenarios that run for a duration:
#                                  all but the deterministic ones below (one
#                                  iteration; their own tests run them)
# Both fail (status 1, nothing printed) when DAXSTRESS cannot list.
deterministic_scenarios=layout
dax_scenarios() {
	local l
	l=$("$1" --list 2>/dev/null | awk '$2 == "dax" { print $1 }' | paste -sd,) && [ -n "$l" ] && echo "$l"
}
timed_dax_scenarios() {
	local l
	l=$(dax_scenarios "$1" | tr ',' '\n' | grep -v -x -F -f <(tr ',' '\n' <<<"$deterministic_scenarios") | paste -sd,) &&
		[ -n "$l" ] && echo "$l"
}
