# Runs inside the guest booted with --pmem devdax (tests/guest_hw.sh): the
# environment of /dev/dax0.0, daxbench flush on it (small: 2 sizes x 2
# thread counts x every method), and a flush whose regions do not fit the
# device (must be refused with exit 2, naming --region).
set -e
out=${DAXBENCH_OUT:-/results}
ls -l /dev/dax* >"$out/dax-devices.txt" 2>&1 || true
daxbench env --dev /dev/dax0.0 >"$out/env.json"
daxbench flush --target /dev/dax0.0 --threads 1,2 --sizes 4K,2M --duration 20ms --repeat 1 \
	--region 16M --output "$out/flush.json" >"$out/flush.txt"
set +e
daxbench flush --target /dev/dax0.0 --threads 1 --sizes 4K --region 1T --duration 5ms --repeat 1 \
	--output "$out/toobig.json" >/dev/null 2>"$out/toobig.err"
echo $? >"$out/toobig.status"
exit 0
