# The layout points of a side's merged results (scripts/report): per point of
# `daxbench punch`, over every operation of every run, medians of the
# operation's latency and bytes written back, over every fsync those of the
# fsync, and the check's totals.  Input: the result files (jq -n, inputs).
  def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
               else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  [inputs | select(type == "object" and .command == "punch")
   | (input_filename | split("/") | last | rtrimstr(".json")) as $pt
   | [.runs[] | .[] | select(.per_op) | .per_op[]] as $o
   | [$o[] | select(.fsync_ns != null)] as $s
   | {point: $pt, op: .params.op, page: .params.page, size: .params.size, hole: .params.hole,
      runs: (.runs | length), ops: ($o | length), per_fsync: (.params.sync_every // 1),
      checked: .check.checked,
      dirtied: ([$o[].dirtied_bytes] | med),
      op_ns: ([$o[].op_ns] | med), op_flushed: ([$o[].op_bytes_flushed] | med),
      op_flushed_max: ([$o[].op_bytes_flushed] | max),
      fsync_ns: ([$s[].fsync_ns] | med), fsync_flushed: ([$s[].fsync_bytes_flushed] | med),
      unflushed: ([$o[].unflushed_pages | select(. != null)] | add),
      hole_not_zero: ([$o[].hole_pages_not_zero] | add // 0)}]
