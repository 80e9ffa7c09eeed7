# Runs inside the guest (sh, cwd /mnt/pmem on a DAX mount): one fault run
# with PMD mappings and one with PTE mappings, 64 MiB each; the host
# (tests/guest_kver.sh) checks the exact event counts in the JSON.
set -e
out=${DAXBENCH_OUT:-/results}
for page in pmd pte; do
	daxbench fault --dir /mnt/pmem --size 64M --page $page \
		--output "$out/fault-$page.json" >"$out/fault-$page.txt"
done
uname -r >"$out/uname-r"
