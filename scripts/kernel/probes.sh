# Mechanism probes for the mutants, run in the guest (sh, busybox, xfs_io)
# by scripts/kernel/run-mutants next to daxstress: small deterministic
# sequences whose fs_dax trace shows each bug directly, independent of the
# stress scenarios.  One line per probe in $DAXBENCH_OUT/probes.txt:
#   PROBE NAME ok|VIOLATION DETAILS
# and the raw trace of each in probe-NAME.trace.  Rules (all pages of the
# probe file were stored before the sync under test began):
#   pte-then-pmd  pages stored through 4 KiB mappings, the same 2 MiB read
#                 through a 2 MiB-aligned mapping, fsync: every stored page
#                 must be covered by a dax_writeback_one of that fsync
#   msync-range   a PMD-mapped 4 MiB file stored, msync of [1M, 3M) (mid-PMD
#                 start and end), fsync: every page must be covered by a
#                 dax_writeback_one of the msync or the fsync
#   fsync-race    one store in the second 2 MiB of a PMD-mapped file, then
#                 50 fsyncs by each of two processes at once: no
#                 fsync may return before that entry's dax_writeback_one;
#                 up to 10 attempts
out=${DAXBENCH_OUT:-/results}
mnt=${DAXBENCH_MNT:-/mnt/pmem}
T=/sys/kernel/tracing
inst=$T/instances/daxmut-probe
: >"$out/probes.txt"

tr_start() {
	rmdir "$inst" 2>/dev/null
	mkdir "$inst" || return 1
	echo 8192 >"$inst/buffer_size_kb"
	echo mono >"$inst/trace_clock" 2>/dev/null
	for e in dax_writeback_one dax_pmd_fault_done dax_pte_fault_done; do
		echo 1 >"$inst/events/fs_dax/$e/enable"
	done
	echo 1 >"$inst/tracing_on"
}
mark() { echo "$1" >"$inst/trace_marker"; }
tr_stop() { # NAME: raw trace to probe-NAME.trace
	echo 0 >"$inst/tracing_on"
	cat "$inst/trace" >"$out/probe-$1.trace"
	rmdir "$inst"
}
result() { echo "PROBE $1 $2 $3" >>"$out/probes.txt"; }
# A file of SIZE, allocated in one request (2 MiB-aligned extents on the
# harness's stride=512 ext4) and written, so that every 2 MiB maps by PMD.
mkfile() { # FILE SIZE
	xfs_io -f -c "falloc 0 $2" -c "pwrite -q -b 2m -S 0 0 $2" -c fsync "$1"
}

# Pages covered by dax_writeback_one events between two trace markers, one
# pgoff per line (busybox awk: no strtonum, hex by hand).
covered_bb() { # TRACE FROM-MARK TO-MARK
	awk -v a="$2" -v b="$3" '
		function hex(s,   n, i, c) { n = 0; s = tolower(s); sub(/^0x/, "", s)
			for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; n = n * 16 + c }
			return n }
		/tracing_mark_write: / { m = $NF; if (m == a) on = 1; if (m == b) on = 0; next }
		on && /dax_writeback_one:/ {
			for (i = 1; i <= NF; i++) { if ($i == "pgoff") p = hex($(i + 1)); if ($i == "pglen") l = hex($(i + 1)) }
			for (j = 0; j < l; j++) print p + j
		}' "$1" | sort -un
}

# ---- pte-then-pmd ----
f=$mnt/probe-ptepmd
rm -f "$f"
mkfile "$f" 4m
args=""
for pg in $(seq 0 16 511); do
	off=$((pg * 4096))
	args="$args -c \"mmap -rw $off 4096\" -c \"mwrite -S 1 $off 4096\""
done
tr_start
mark store
eval xfs_io $args "$f"
mark read
xfs_io -c "mmap -r 0 2m" -c "mread 0 4096" -c "fsync" "$f"
mark end
tr_stop pte-then-pmd
tf=$out/probe-pte-then-pmd.trace
stored=32
cov=$(covered_bb "$tf" read end | awk '$1 < 512 && $1 % 16 == 0' | wc -l)
pmd=$(grep 'dax_pmd_fault_done' "$tf" | grep -c 'NOPAGE')
fb=$(grep 'dax_pmd_fault_done' "$tf" | grep -c 'FALLBACK')
if [ "$cov" -eq "$stored" ]; then v=ok; else v=VIOLATION; fi
result pte-then-pmd $v "stored=$stored covered_by_fsync=$cov pmd_read_fault_nopage=$pmd pmd_fallback=$fb"
rm -f "$f"

# ---- msync-range ----
f=$mnt/probe-msync
rm -f "$f"
mkfile "$f" 4m
tr_start
xfs_io -c "mmap -rw 0 4m" -c "mwrite -S 2 0 4m" -c "msync -s 0 4m" "$f" # clean start, PMD entries
mark store
xfs_io -c "mmap -rw 0 4m" -c "mwrite -S 3 0 4m" -c "msync -s 1m 2m" -c fsync "$f"
mark end
tr_stop msync-range
tf=$out/probe-msync-range.trace
cov=$(covered_bb "$tf" store end | awk '$1 < 1024' | wc -l)
if [ "$cov" -eq 1024 ]; then v=ok; else v=VIOLATION; fi
result msync-range $v "pages=1024 covered_by_msync_and_fsync=$cov"
rm -f "$f"

# ---- fsync-race ----
# One dirty 2 MiB entry; processes A and B each call fsync 50 times in a
# row, at the same moment.  Both were started beforehand and
# read their commands from a fifo, so that the calls follow each other by
# microseconds, not by an exec.  Rule: no fsync (ext4_sync_file_exit) may
# return after the store and before the entry's dax_writeback_one.
f=$mnt/probe-race
rm -f "$f"
mkfile "$f" 4m
rm -f /tmp/probe-a /tmp/probe-b
mkfifo /tmp/probe-a /tmp/probe-b
bcmds=$(for i in $(seq 50); do echo fsync; done)
v=ok details="no attempt raced"
for try in 1 2 3 4 5 6 7 8 9 10; do
	tr_start
	echo 1 >"$inst/events/ext4/ext4_sync_file_enter/enable"
	echo 1 >"$inst/events/ext4/ext4_sync_file_exit/enable"
	xfs_io "$f" </tmp/probe-a >/dev/null 2>&1 &
	apid=$!
	xfs_io "$f" </tmp/probe-b >/dev/null 2>&1 &
	bpid=$!
	exec 3>/tmp/probe-a 4>/tmp/probe-b
	usleep 300000
	xfs_io -c "mmap -rw 0 4m" -c "mwrite -S $try 2m 1" "$f"
	mark "store$try"
	echo "$bcmds" >&3
	echo "$bcmds" >&4
	echo quit >&3
	echo quit >&4
	wait $apid $bpid
	exec 3>&- 4>&-
	mark "end$try"
	tr_stop fsync-race
	tf=$out/probe-fsync-race.trace
	# timestamps "SSSS.UUUUUU:" as numbers (never their digits after the
	# dot alone: busybox awk reads a leading 0 as octal)
	early=$(awk -v s="store$try" -v e="end$try" '
		function us(t) { sub(/:$/, "", t); return t + 0 }
		/tracing_mark_write: / { if ($NF == s) on = 1; if ($NF == e) on = 0; next }
		!on { next }
		/dax_writeback_one:/ && / pgoff 0x200 / { if (!flushed) flushed = us($4) }
		/ext4_sync_file_exit:/ { n++; x[n] = us($4) }
		END { c = 0; for (i = 1; i <= n; i++) if (!flushed || x[i] < flushed) c++; print c + 0, n + 0 }' "$tf")
	set -- $early
	if [ "$1" -gt 0 ]; then
		v=VIOLATION details="attempt $try: $1 of $2 fsyncs returned before the dirty entry was flushed"
		break
	fi
	details="$try attempts, $2 fsyncs in the last: none returned before the dirty entry was flushed"
done
result fsync-race $v "$details"
rm -f "$f" /tmp/probe-a /tmp/probe-b
cat "$out/probes.txt"
