# daxbench: benchmark and stress suite for fs-dax dirty-page tracking.
#   make          build bench/daxbench and stress/daxstress
#   make run      install what is needed, boot the emulated-pmem guest, run
#                 the quick suite; results and plots land in results/
#                 (KVER=6.12 or 7.2: another Debian kernel line than 6.1)
#   make hw       the hw suite (flush by method, size and threads; store+
#                 fault and fsync costs; figures) on the guest's emulated
#                 pmem (PMEM=memmap|nvdimm|devdax|cxl), or here on a real
#                 target: make hw TARGET=/mnt/pmem or TARGET=/dev/dax0.0
#   make check    install what is needed, build, run every test (host and
#                 guest); ends with "N passed, N failed"
#   make check-host  the host tests only: no QEMU, no kernel (the inner loop)
#   make clean-cache  remove the machine's cache (built kernels, downloads):
#                 ${XDG_CACHE_HOME:-~/.cache}/daxbench, or DAXBENCH_CACHE
#   make deps     install the Debian packages only
#   make stress DURATION=1h   soak of the stress scenarios in the guest
#   make ab KERNEL_A=.. KERNEL_B=..   compare two kernels (report in results/)
#                 (PATCH_A=.. PATCH_B=.. [KVER=7.2]: two patched builds of
#                 one source tree; STRESS=dax: daxstress in every boot)
#   make kernel [KVER=7.2] [PATCH=file]  build a kernel from Debian's
#                 linux-source-KVER (6.1, 6.12 or 7.2)
#   make finding [KVER=7.2] [BOOTS=3] [DURATION=60]  the fsync race: stock
#                 against fixed kernel, every DAX scenario (results/finding-*)
#   make mutants [KVER=..] [FIX=..|none]  build and run every known-bad kernel
#                 of a line against the oracles (reference: stock + the fix)
#   make matrix [KVER="6.1 7.2"] [DURATION=20] [SUITE=quick] [SIDES=..]
#                 [FS=ext4,xfs] [OUT=dir | REUSE=dir]  every kernel line as
#                 Debian's image, stock and fixed build, on ext4 and xfs:
#                 the suite and every DAX scenario (layout once), one table
#                 (results/matrix-*/matrix.txt, report.md)
#   make bench-self  the suite's own measurement overhead
#   make clean
SHELL := /bin/bash
NPROC := $(shell nproc 2>/dev/null || echo 1)
CC ?= gcc
PKGS := libtracefs libtraceevent json-c libndctl libdaxctl libcxl libpmem hwloc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude $(PKG_CFLAGS) -pthread -MMD -MP
LDLIBS += $(PKG_LIBS) -pthread -lm

# One short line per file (`  CC      lib/opts.o`), as kernel and git builds
# print; V=1 shows the full command lines.
ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-7s %s\n' $(1) $(2);
endif

LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(LIB_SRC:.c=.o)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_OBJ := $(BENCH_SRC:.c=.o)
STRESS_SRC := $(sort $(wildcard stress/*.c))
STRESS_OBJ := $(STRESS_SRC:.c=.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:.c=)

BINS := bench/daxbench $(if $(STRESS_SRC),stress/daxstress)

.PHONY: all run hw check check-host clean-cache deps clean stress ab kernel mutants bench-self finding matrix
all: $(BINS) $(UNIT_BIN)

%.o: %.c
	$(call quiet,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Made afresh: `ar r` into the old archive would keep the member of a
# lib/*.c since removed, and the linker could take it instead of the new code.
lib/libdaxbench.a: $(LIB_OBJ)
	$(call quiet,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

bench/daxbench: $(BENCH_OBJ) lib/libdaxbench.a
	$(call quiet,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

stress/daxstress: $(STRESS_OBJ) lib/libdaxbench.a
	$(call quiet,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The kernel-log pattern table, one source for C, Python and shell
# (scripts/lib/kmsg-patterns.txt): lib/kmsg.c includes it as a C table.
build/kmsg_patterns.h: scripts/lib/kmsg-patterns.txt scripts/lib/kmsg-patterns-c.awk
	$(call quiet,GEN,$@)
	$(Q)mkdir -p build
	$(Q)awk -f scripts/lib/kmsg-patterns-c.awk $< >$@.tmp && mv -f $@.tmp $@

lib/kmsg.o: build/kmsg_patterns.h
lib/kmsg.o: CFLAGS += -Ibuild

# $< and the library, not $^: the headers its .d adds are prerequisites too.
tests/unit/test_%: tests/unit/test_%.c lib/libdaxbench.a
	$(call quiet,CCLD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libdaxbench.a $(LDLIBS)

deps:
	@scripts/deps

# Packages first (pkg-config must see the libraries), then a fresh make.
# KVER=6.1|6.12|7.2 picks Debian's stock kernel line; a bad one stops make at
# once, with scripts/debian/kver's one-line reason (status 2).
run:
	$(if $(KVER),$(eval KVER_ERR := $(shell scripts/debian/kver --check '$(KVER)' 2>&1))$(if $(KVER_ERR),$(error make run: $(strip $(patsubst kver:,,$(KVER_ERR))))))
	@scripts/deps
	@$(MAKE) --no-print-directory all
	@scripts/run-suite $(if $(SUITE),--suite $(SUITE)) $(if $(KVER),--kver $(KVER)) $(if $(KERNEL),--kernel $(KERNEL)) $(if $(MODULES),--modules $(MODULES)) $(if $(PMEM),--pmem $(PMEM)) $(if $(FS),--fs $(FS)) $(if $(TARGET),--target $(TARGET))

# make hw [TARGET=/mnt/pmem|/dev/daxN.M] [PMEM=devdax|cxl|..]: make run SUITE=hw
hw:
	@$(MAKE) --no-print-directory run SUITE=hw

# make check builds a kernel (the fixed 7.2 reference and its variants):
# the kernel group is installed before the first test.
check:
	@scripts/deps kernel
	@$(MAKE) --no-print-directory all
	@tests/run -j $(NPROC)

# The host tests check patches (tests/cli/mutants_layout.sh) and the
# kernel scripts' options: the kernel group's tools, though no kernel is built.
check-host:
	@scripts/deps kernel
	@$(MAKE) --no-print-directory all
	@tests/run --host -j $(NPROC)

stress:
	@scripts/deps
	@$(MAKE) --no-print-directory all
	@scripts/soak $(if $(DURATION),--duration $(DURATION)) $(if $(SCENARIO),--scenario $(SCENARIO))

# PATCH_A=/PATCH_B= (each a patch file, or names of scripts/kernel/fixes/KVER/
# and its layout-variants/; several separated by spaces): that side is built
# from Debian's linux-source-KVER + the line's writeback fix (BASE= other
# patches, or none) + its patches: make ab installs the kernel group.
# STRESS=dax (or scenario names, comma-separated) runs daxstress after the
# suite in every boot, STRESS_DURATION= seconds a scenario.
AB_ARGS = $(if $(KERNEL_A),--kernel-a $(KERNEL_A)) $(if $(KERNEL_B),--kernel-b $(KERNEL_B)) \
	$(if $(MODULES_A),--modules-a $(MODULES_A)) $(if $(MODULES_B),--modules-b $(MODULES_B)) \
	$(foreach p,$(PATCH_A),--patch-a $(p)) $(foreach p,$(PATCH_B),--patch-b $(p)) \
	$(foreach p,$(BASE),--base $(p)) $(if $(KVER),--kver $(KVER)) $(if $(FS),--fs $(FS)) \
	$(if $(STRESS),--stress $(STRESS)) $(if $(STRESS_DURATION),--stress-duration $(STRESS_DURATION)) \
	$(if $(SUITE),--suite $(SUITE)) $(if $(REPEAT),--repeat $(REPEAT))
ab:
	@scripts/deps kernel
	@$(MAKE) --no-print-directory all
	@scripts/ab $(AB_ARGS)

kernel:
	@scripts/deps kernel
	@scripts/kernel/build $(if $(KVER),--kver $(KVER)) $(if $(PATCH),--patch $(PATCH)) $(if $(KSRC),--ksrc $(KSRC))

finding:
	@scripts/deps kernel
	@$(MAKE) --no-print-directory all
	@scripts/finding $(if $(KVER),--kver $(KVER)) $(if $(BOOTS),--boots $(BOOTS)) \
		$(if $(DURATION),--duration $(DURATION)) $(if $(FS),--fs $(FS))

# The options are checked (--dry-run) before anything is installed or built:
# a bad KVER or DURATION stops make at once with scripts/matrix's one line.
MATRIX_ARGS = $(if $(KVER),--kver '$(KVER)') $(if $(DURATION),--duration $(DURATION)) \
	$(if $(SUITE),--suite $(SUITE)) $(if $(SIDES),--sides $(SIDES)) $(if $(REPEAT),--repeat $(REPEAT)) \
	$(if $(FS),--fs $(FS)) $(if $(OUT),--out $(OUT)) $(if $(REUSE),--reuse $(REUSE))
matrix:
	@scripts/matrix --dry-run $(MATRIX_ARGS) >/dev/null
	@scripts/deps kernel
	@$(MAKE) --no-print-directory all
	@scripts/matrix $(MATRIX_ARGS)

# KVER=6.1|6.12|7.2 (default 6.1): the kernel line; the reference is stock +
# the patches of scripts/kernel/fixes/KVER/series unless FIX= names other
# patches (FIX=none: the bare stock kernel); the mutants are those of
# scripts/kernel/mutants/KVER/; every DAX scenario runs on the reference.
mutants:
	$(if $(KVER),$(eval KVER_ERR := $(shell scripts/debian/kver --check '$(KVER)' 2>&1))$(if $(KVER_ERR),$(error make mutants: $(strip $(patsubst kver:,,$(KVER_ERR))))))
	@scripts/deps kernel
	@$(MAKE) --no-print-directory all
	@scripts/kernel/run-mutants $(if $(KVER),--kver $(KVER)) $(foreach f,$(FIX),--fix $(f))

bench-self:
	@scripts/deps self
	@$(MAKE) --no-print-directory all
	@scripts/bench-self

clean:
	rm -f lib/*.o lib/*.d lib/*.a bench/*.o bench/*.d stress/*.o stress/*.d \
	      bench/daxbench stress/daxstress $(UNIT_BIN) tests/unit/*.d
	rm -rf build

clean-cache:
	@. scripts/lib/cache.sh && d=$$(daxbench_cache) && echo "rm -rf $$d" && rm -rf "$$d"

-include $(LIB_OBJ:.o=.d) $(BENCH_OBJ:.o=.d) $(STRESS_OBJ:.o=.d) $(UNIT_BIN:=.d)
