# The machine's daxbench cache, shared by every clone of the suite on this
# machine and kept across `make clean` and fresh clones: Debian's packages
# and the private apt lists (apt/), the stock guest kernels unpacked
# (guest-kernel/), the kernel source trees and object directories the
# builds share (kernel/), and every kernel built (kernel/images/KEY/, KEY
# from what it is built from).  Source it; it defines daxbench_cache.
#   DAXBENCH_CACHE   the directory (default ${XDG_CACHE_HOME:-~/.cache}/daxbench)
# `make clean-cache` removes it (ccache's own cache stays: `ccache -C`).
daxbench_cache() {
	local d=${DAXBENCH_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/daxbench}
	mkdir -p "$d" && echo "$d"
}
