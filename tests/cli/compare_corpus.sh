#!/usr/bin/env bash
# A corpus of malformed result files, each fed to both compare paths
# (bench/daxbench compare and scripts/compare): every one must exit 2 with
# one line on stderr naming the file (and, for a value of the wrong type,
# the field), and write no comparison (no compare.json, no report, no
# output directory).  B is a valid synthetic directory
# (tests/lib/synthetic-results.sh) with one file replaced by a case:
#   truncated    the fault, sync and env files cut at many offsets, empty
#   wrong shape  not an object, no command, an unknown command, no runs,
#                runs of the wrong shape, phases without a name or twice,
#                required members missing, a NUL and junk after the value,
#                two values, comments, NaN...
#   wrong types  every number of the fault file's first store and sync
#                phases and of the sync file's first run that compare
#                reads (all but its calls[] and stores_per_s; of a
#                histogram's bins the first) turned into a string, a
#                negative number, 1e999, a number beyond 64 bits and an
#                object; booleans, fractions where a count must be whole
#   huge         a file past the size limit (sparse), nesting 100000 deep,
#                a megabyte of a command name
set -uo pipefail
shopt -s lastpipe	# add(), at the end of a pipe, counts the cases in this shell
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
need jq bench/daxbench
# shellcheck source=../lib/synthetic-results.sh
. tests/lib/synthetic-results.sh
work=$(mktemp -d /tmp/daxbench-corpus.XXXXXX)
trap 'rm -rf "$work"' EXIT
gen "$work/A" 1 1 67108864 2
gen "$work/good" 1 2 67108864 2
cases=$work/cases
mkdir -p "$cases"

# case FILE LABEL WANT: the corpus file $cases/N replaces B/FILE; WANT is
# what the error line must hold besides the file's name
n_cases=0
declare -a c_file c_label c_want
add() {	# FILE LABEL WANT (content on stdin)
	cat >"$cases/$n_cases"
	c_file[n_cases]=$1 c_label[n_cases]=$2 c_want[n_cases]=$3
	n_cases=$((n_cases + 1))
}

fault=fault-pmd.json sync=sync-pmd-fsync-w1.json
# ---- truncated ----
for f in $fault $sync env.json; do
	len=$(wc -c <"$work/good/$f")
	for cut in 1 2 10 50 100 $((len / 4)) $((len / 2)) $((len * 3 / 4)) $((len - 3)); do
		[ "$cut" -lt "$len" ] && [ "$cut" -gt 0 ] || continue
		head -c "$cut" "$work/good/$f" | add "$f" "cut at byte $cut of $len" "truncated"
	done
done
add $fault "empty" "empty" </dev/null
printf '\n \t\n' | add $fault "blanks only" "empty"

# ---- wrong shape ----
shape() { printf '%s' "$3" | add "$1" "$2" "${4:-}"; }
shape $fault "an array" '[1,2,3]' "expected an object"
shape $fault "a string" '"fault"' "expected an object"
shape $fault "a number" '42' "expected an object"
shape $fault "null" 'null' "expected an object"
shape $fault "no command" '{"a":1}' 'no "command"'
shape $fault "runs only" '{"runs":"x"}' 'no "command"'
shape $fault "command not a string" '{"command":5,"runs":[]}' "command: expected a string"
shape $fault "unknown command" '{"command":"bogus","runs":[]}' "'bogus' results are unknown"
shape $fault "another suite" '{"suite":"other","command":"fault","runs":[]}' "not a daxbench result"
shape $fault "no runs" '{"command":"fault"}' "runs: missing"
shape $fault "runs a string" '{"command":"fault","runs":"x"}' "runs: expected an array"
shape $fault "runs empty" '{"command":"fault","runs":[]}' "runs: no run"
shape $fault "a run a number" '{"command":"fault","runs":[1]}' "runs[0]: expected an array"
shape $fault "a run with no phase" '{"command":"fault","runs":[[]]}' "runs[0]: no phase"
shape $fault "a phase a number" '{"command":"fault","runs":[[1]]}' "runs[0][0]: expected an object"
shape $fault "a phase without a name" '{"command":"fault","runs":[[{}]]}' "runs[0][0]: a phase without a name"
shape $fault "a phase name a number" '{"command":"fault","runs":[[{"name":3}]]}' "runs[0][0].name: expected a string"
shape $fault "a phase missing its counts" '{"command":"fault","runs":[[{"name":"write"}]]}' "runs[0][0].duration_ns: missing"
shape $fault "a flush result without points" '{"command":"flush"}' "points: missing"
shape $sync "a sync run an array" '{"command":"sync","runs":[[]]}' "runs[0]: expected an object"
shape $sync "a sync run without sync.overall" \
	'{"command":"sync","runs":[{"duration_ns":1,"stores":1,"sync_calls_made":1}]}' "runs[0].sync: missing"
shape $sync "sync a string" \
	'{"command":"sync","runs":[{"duration_ns":1,"stores":1,"sync_calls_made":1,"sync":"x"}]}' "runs[0].sync: expected an object"
shape env.json "env.json an array" '[1]' "expected an object"
shape env.json "env.json without kernel" '{}' "kernel: missing"
shape env.json "env.json kernel a number" '{"kernel":5}' "kernel: expected an object"
shape env.json "env.json release a number" '{"kernel":{"release":6}}' "kernel.release: expected a string"
printf '{"a":1}\0junk' | add $fault "a NUL and junk after an object" "a NUL byte"
{ cat "$work/good/$fault"; printf '\0'; } | add $fault "a NUL after the result" "a NUL byte"
{ cat "$work/good/$fault"; echo 'junk'; } | add $fault "junk after the result" "more after the JSON value"
{ cat "$work/good/$fault" "$work/good/$fault"; } | add $fault "two results in one file" "more after the JSON value"
{ echo '/* a comment */'; cat "$work/good/$fault"; } | add $fault "a comment first" "not valid JSON"
jq -c '.runs[0][0].duration_ns = "NaNPLACE"' "$work/good/$fault" | sed 's/"NaNPLACE"/NaN/' |
	add $fault "NaN" "runs[0][0].duration_ns"
jq -c '.runs[1] = .runs[0] | .runs[1][1].name = "write"' "$work/good/$fault" |
	add $fault "a phase twice in a run" "runs[1][1].name: phase 'write' twice"
jq -c '.runs[0][0].store_latency = {"p50": 1}' "$work/good/$fault" |
	add $fault "a histogram without p99" "runs[0][0].store_latency.p99: missing"
jq -c '.runs[0][0].store_latency.bins = [[1, 2]]' "$work/good/$fault" |
	add $fault "a bin of two numbers" "runs[0][0].store_latency.bins[0]"
jq -c '.dax = "yes"' "$work/good/$fault" | add $fault "dax a string" "dax: expected a boolean"
jq -c '.trace.lost_events = -1' "$work/good/$fault" | add $fault "lost events negative" "trace.lost_events"
jq -c '.env = []' "$work/good/$fault" | add $fault "env an array" "env: expected an object"
jq -c '.runs[0][0].pages_stored = 1.5' "$work/good/$fault" |
	add $fault "a count not whole" "runs[0][0].pages_stored: expected a whole number"
jq -c '.runs[0][0].faults.pmd_nopage = 2.5' "$work/good/$fault" |
	add $fault "a count in a group not whole" "runs[0][0].faults.pmd_nopage: expected a whole number"
jq -c '.runs[0].sync.overall.method = 7' "$work/good/$sync" |
	add $sync "a word of a count group a number" "runs[0].sync.overall.method"
jq -c '.runs[0].sync.overall.calls = "4"' "$work/good/$sync" |
	add $sync "a count of a group a string" "runs[0].sync.overall.calls: expected a whole number"

# ---- wrong types: every number compare reads ----
# jq path to the message's notation: ["runs",0,1,"sync_ns"] -> runs[0][1].sync_ns
types() {	# FILE JQ_SELECTOR_OF_LEAVES: one jq run, three lines a case
	local f=$1 sel=$2 where v doc
	while IFS= read -r where && IFS= read -r v && IFS= read -r doc; do
		v=${v/\"INFPLACE\"/1e999}
		v=${v/\"HUGEPLACE\"/99999999999999999999}
		printf '%s\n' "$doc" | sed 's/"INFPLACE"/1e999/; s/"HUGEPLACE"/99999999999999999999/' |
			add "$f" "$where = $v" "$where"
	done < <(jq -r --argjson vs '["12", -1, "INFPLACE", "HUGEPLACE", {"x": 1}]' "
		. as \$doc | [paths(numbers) | select($sel)] | .[] as \$p |
		(\$p | map(if type == \"number\" then \"[\(.)]\" else \".\(.)\" end) | join(\"\") | ltrimstr(\".\")) as \$where |
		\$vs[] as \$v | \$where, (\$v | tojson), (\$doc | setpath(\$p; \$v) | tojson)" "$work/good/$f")
}
# (of a histogram's bins, the first: the others are checked alike)
types $fault '.[0] == "runs" and .[1] == 0 and (.[2] == 0 or .[2] == 1) and
	(index(["bins"]) == null or .[-2] == 0)'
types $sync '.[0] == "runs" and .[1] == 0 and .[2] != "calls" and .[2] != "stores_per_s" and
	(index(["bins"]) == null or .[-2] == 0)'
jq -c '.runs[0][0].pages_stored = true' "$work/good/$fault" |
	add $fault "a count a boolean" "runs[0][0].pages_stored"
jq -c '.runs[0].sync.overall.sync_latency.p50 = true' "$work/good/$sync" |
	add $sync "a percentile a boolean" "runs[0].sync.overall.sync_latency.p50"

# ---- huge ----
cp "$work/good/$fault" "$cases/$n_cases" && truncate -s 300M "$cases/$n_cases"
c_file[n_cases]=$fault c_label[n_cases]="a 300 MB file (sparse)" c_want[n_cases]="larger than any result"
n_cases=$((n_cases + 1))
{ head -c 100000 /dev/zero | tr '\0' '['; } | add $fault "nested 100000 deep" "not valid JSON"
{ printf '{"command":"'; head -c 1000000 /dev/zero | tr '\0' 'x'; printf '","runs":[]}'; } |
	add $fault "a megabyte of command name" "results are unknown"

echo "1..$(( 2 * n_cases + 1 ))"
cp -r "$work/good" "$work/B"
for ((i = 0; i < n_cases; i++)); do
	f=${c_file[i]} label=${c_label[i]} want=${c_want[i]}
	cp --sparse=always "$cases/$i" "$work/B/$f"
	for path in daxbench scripts; do
		if [ $path = daxbench ]; then
			bench/daxbench compare "$work/A" "$work/B" --quiet --output "$work/o" >/dev/null 2>"$work/err"
			st=$? made=$work/o
		else
			scripts/compare "$work/A" "$work/B" --out "$work/r" >/dev/null 2>"$work/err"
			st=$? made=$work/r
		fi
		mapfile -t err <"$work/err"
		if [ $st -eq 2 ] && [ ${#err[@]} -eq 1 ] && [[ ${err[0]} == *"$work/B/$f"* ]] &&
			[[ ${err[0]} == *"$want"* ]] && [ ! -e "$made" ]; then
			ok "$path compare, B/$f $label: exit 2, one line naming the file${want:+ and '$want'}"
		else
			not_ok "$path compare, B/$f $label: exit 2, one line naming the file${want:+ and '$want'}" \
				"exit $st, ${#err[@]} line(s): ${err[*]:0:3}" "$( [ -e "$made" ] && echo "$made was written" )"
			rm -rf "$made"
		fi
	done
	cp "$work/good/$f" "$work/B/$f"
done
# the corpus is malformed because of the cases, not because of the base
rm -rf "$work/o"
bench/daxbench compare "$work/A" "$work/good" --quiet --output "$work/o" 2>"$work/err" &&
	[ -s "$work/o/compare.json" ]
check "the unmodified directories compare fine (exit 0): $n_cases cases, each one change" $? "$(head -3 "$work/err")"
