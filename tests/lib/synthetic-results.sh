# Synthetic daxbench result files for tests that need results without a
# guest (tests/cli/compare.sh, tests/cli/ab_boots.sh).  Source it.
#
# gen DIR SCALE JITTER_SEED [BYTES_FLUSHED_OF_FSYNC_REWRITE [RUNS]] writes
# DIR/fault-pmd.json (runs[RUNS][5 phases]), DIR/sync-pmd-fsync-w1.json
# (runs[RUNS] objects) and DIR/env.json, shaped as daxbench writes them;
# timings are SCALE times a base, jittered by a fixed pattern of
# JITTER_SEED in [-4%, +4%], so two directories drawn alike are not
# identical.
gen() {
	local dir=$1 scale=$2 seed=$3 bfr=${4:-67108864} runs=${5:-5}
	mkdir -p "$dir"
	jq -n --argjson scale "$scale" --argjson seed "$seed" --argjson bfr "$bfr" --argjson runs "$runs" '
	  # fixed jitter in [-4%, +4%] for run r, metric k
	  def j($r; $k): 1 + 0.04 * (((($seed * 7 + $r * 13 + $k * 5) % 9) - 4) / 4);
	  def hist($v): {unit: "ns", count: 1000, min: ($v / 2 | floor), mean: $v,
	                 max: ($v * 4 | floor), p50: ($v | floor), p99: ($v * 3 | floor),
	                 bins: [[($v / 2 | floor), ($v | floor), 500], [($v | floor) + 1, ($v * 3 | floor), 490],
	                        [($v * 3 | floor) + 1, ($v * 4 | floor), 10]]};
	  def counts($pmd; $entries; $bytes): {
	    faults: {pte_nopage: 0, pmd_nopage: $pmd, pmd_fallback: 0},
	    flush: {ranges: (if $entries > 0 then 1 else 0 end), entries: $entries, entries_pmd: $entries,
	            pages: ($bytes / 4096), bytes: $bytes},
	    bytes_flushed: $bytes};
	  {suite: "daxbench", version: "0.1.0", command: "fault", started: "2026-01-01T00:00:00Z",
	   env: {kernel: {release: "6.1.0-test", version: "#1 test", cmdline: "memmap=512M!1G"},
	         target: {fstype: "ext4", source: "/dev/pmem0", super_options: "rw,dax=always"},
	         pmem: {kind: "e820"}, cpu: {model: "test CPU", ncpus: 2}},
	   dax: true, trace: {lost_events: 0},
	   params: {size: 67108864, page: "pmd", map_sync: false, threads: 1, rewrite: "1/16", repeat: 5, seed: 1},
	   runs: [range(0; $runs) as $r | [
	     ({name: "write", duration_ns: (2e8 * $scale * j($r; 1) | floor), pages_stored: 16384,
	       bytes_dirtied: 67108864, store_latency: hist(1200 * $scale * j($r; 2))} + counts(32; 0; 0)),
	     ({name: "fsync", duration_ns: 5, sync_ns: (6e6 * $scale * j($r; 3) | floor), pages_stored: 0,
	       bytes_dirtied: 67108864} + counts(0; 32; 67108864)),
	     ({name: "rewrite", duration_ns: (4e6 * $scale * j($r; 4) | floor), pages_stored: 1024,
	       bytes_dirtied: 4194304, store_latency: hist(1300 * $scale * j($r; 5))} + counts(32; 0; 0)),
	     ({name: "fsync-rewrite", duration_ns: 5, sync_ns: (4e6 * $scale * j($r; 6) | floor), pages_stored: 0,
	       bytes_dirtied: 4194304} + counts(0; ($bfr / 2097152 | floor); $bfr)),
	     ({name: "fsync-idle", duration_ns: 5, sync_ns: (8e4 * $scale * j($r; 7) | floor), pages_stored: 0,
	       bytes_dirtied: 0} + counts(0; 0; 0))
	   ]]}' >"$dir/fault-pmd.json"
	jq -n --argjson scale "$scale" --argjson seed "$seed" --argjson runs "$runs" '
	  def j($r; $k): 1 + 0.04 * (((($seed * 7 + $r * 13 + $k * 5) % 9) - 4) / 4);
	  def hist($v): {unit: "ns", count: 4, min: ($v / 2 | floor), p50: ($v | floor), p99: ($v * 2 | floor),
	                 bins: [[($v / 2 | floor), ($v | floor), 2], [($v | floor) + 1, ($v * 2 | floor), 2]]};
	  {suite: "daxbench", version: "0.1.0", command: "sync", started: "2026-01-01T00:01:00Z",
	   env: {kernel: {release: "6.1.0-test"}, target: {fstype: "ext4"}}, dax: true,
	   params: {size: 67108864, page: "pmd", writers: 1, syncers: 1, sync: ["fsync"], repeat: 5},
	   runs: [range(0; $runs) as $r |
	     {duration_ns: (1e8 * $scale * j($r; 8) | floor), stores: 1024, sync_calls_made: 6,
	      stores_per_s: (10240 / $scale), store_latency: hist(3000 * $scale * j($r; 9)),
	      sync: {overall: {calls: 4, syscalls: 6, bytes_dirtied: 4173824, bytes_flushed: 268435456,
	                       entries_flushed: 128, idle_bytes_flushed: 0,
	                       sync_latency: hist(8e6 * $scale * j($r; 10))}},
	      write_fault_latency: {pte: null, pmd: hist(5000 * $scale * j($r; 11))},
	      faults: {pmd_nopage: 128}, flush: {entries: 128, bytes: 268435456},
	      idle_sync_bytes_flushed: 0,
	      calls: [range(0; 6) as $c | {kind: (if $c < 4 then "run" elif $c == 4 then "final" else "idle" end),
	              flushed_bytes: (if $c < 4 then 67108864 else 0 end)}]}]}' >"$dir/sync-pmd-fsync-w1.json"
	echo '{"kernel": {"release": "6.1.0-test"}}' >"$dir/env.json"
}
