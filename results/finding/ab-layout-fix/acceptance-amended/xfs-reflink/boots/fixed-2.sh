daxstress --dir "$DAXBENCH_MNT" --scenario concurrent-fsync,pte-then-pmd,rewrite-after-flush,truncate-punch,layout --duration 300s \
--seed 919 --output "$DAXBENCH_OUT/daxstress.json" >"$DAXBENCH_OUT/daxstress.tap" 2>&1
echo $? >"$DAXBENCH_OUT/daxstress.rc"
exit 0
