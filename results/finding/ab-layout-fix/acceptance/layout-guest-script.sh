daxstress --dir "$DAXBENCH_MNT" --scenario layout --iterations 4 --seed 918 --output "$DAXBENCH_OUT/layout.json" > "$DAXBENCH_OUT/layout.tap" 2>&1
echo "layout rc=$?" > "$DAXBENCH_OUT/layout.rc"
daxbench punch --dir "$DAXBENCH_MNT" --size 128M --page pmd --ops 8 --output "$DAXBENCH_OUT/punch-pmd.json" > "$DAXBENCH_OUT/punch-pmd.txt"
daxbench punch --dir "$DAXBENCH_MNT" --size 32M --page pte --ops 8 --sync-every 4 --output "$DAXBENCH_OUT/punch-pte.json" > "$DAXBENCH_OUT/punch-pte.txt"
daxbench punch --dir "$DAXBENCH_MNT" --size 128M --page pmd --op zero --ops 8 --output "$DAXBENCH_OUT/zero-pmd.json" > "$DAXBENCH_OUT/zero-pmd.txt"
exit 0
