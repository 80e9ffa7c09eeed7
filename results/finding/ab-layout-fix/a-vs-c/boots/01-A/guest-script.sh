DAXBENCH_REPEAT=1
export DAXBENCH_REPEAT
sh /usr/local/share/daxbench/ab-suite/layout.sh
st=$?
daxstress --dir "$DAXBENCH_MNT" --scenario concurrent-fsync,pte-then-pmd,rewrite-after-flush,truncate-punch,layout --duration 100s \
	--seed 918 --output "$DAXBENCH_OUT/daxstress.json" >"$DAXBENCH_OUT/daxstress.tap" 2>&1
echo $? >"$DAXBENCH_OUT/daxstress.rc"
exit $st
