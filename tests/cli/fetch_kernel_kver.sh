#!/usr/bin/env bash
# scripts/guest/fetch-kernel --kver without booting.  Resolution against a
# stand-in apt (DAXBENCH_APT) with a fixed package list: the newest
# linux-image of the line, sorted as versions; 6.1 never takes 6.12 nor 7.2
# 7.20; -dbg, -unsigned, cloud and rt never; the suite's own +debNN build
# before another suite's.  Unpacking, without network, of fake packages in
# both layouts (one linux-image with boot/ and usr/lib/modules, or the split
# linux-image + linux-binary + linux-modules + linux-base of 7.2) with xz,
# zstd and gzip payloads; the result is always boot/vmlinuz-R, lib/modules/R
# and the ELF vmlinux.  A bad KVER (--kver, DAXBENCH_KVER, guest/run,
# run-suite, make run) is one line naming it, status 2.  Then, when the
# private apt answers, the real newest package of each line.  A few seconds.
set -uo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
fk=scripts/guest/fetch-kernel
work=$(mktemp -d /tmp/daxbench-fetch-kver.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "1..29"

# ---- resolution with a stand-in apt ----
cat >"$work/names" <<'EOF'
linux-image-6.1.0-9-amd64
linux-image-6.1.0-57-amd64
linux-image-6.1.0-58-amd64-unsigned
linux-image-6.1.0-58-cloud-amd64
linux-image-6.1.0-58-rt-amd64
linux-image-6.1.0-58-amd64-dbg
linux-image-6.1.0-48-amd64
linux-image-6.12-amd64
linux-image-6.12.9+deb13-amd64
linux-image-6.12.118+deb13-amd64
linux-image-6.12.118+deb13.1-amd64
linux-image-6.12.119+deb12-amd64
linux-image-6.12.120+deb13-cloud-amd64
linux-image-6.12.120+deb13-amd64-unsigned
linux-image-7.2.9+deb14-amd64
linux-image-7.2.13+deb14-amd64
linux-image-7.2.14+deb14-rt-amd64
linux-image-7.20.1+deb14-amd64
linux-image-amd64
EOF
cat >"$work/apt" <<EOF
#!/bin/sh
# stand-in for scripts/debian/apt: search only, on a fixed list
[ "\$1" = search ] || exit 1
grep -E -- "\$2" "$work/names" || true
EOF
chmod +x "$work/apt"
export DAXBENCH_APT=$work/apt DAXBENCH_KERNEL_CACHE=$work/cache
unset DAXBENCH_KVER DAXBENCH_KERNEL_PKG
resolves() { # NAME KVER WANT
	local got st
	got=$("$fk" --kver "$2" --resolve 2>"$work/err"); st=$?
	[ $st -eq 0 ] && [ "$got" = "$3" ]
	check "$1" $? "status $st, got '$got', want '$3'" "$(head -n1 "$work/err")"
}
resolves "6.1: 6.1.0-57 (version sort over 6.1.0-9, 6.1.0-48; no 6.12; no -unsigned, cloud, rt or -dbg of 6.1.0-58)" \
	6.1 linux-image-6.1.0-57-amd64
resolves "6.12: trixie's +deb13.1 point release over +deb13 and over bookworm's 6.12.119+deb12" 6.12 \
	linux-image-6.12.118+deb13.1-amd64
resolves "7.2: 7.2.13 over 7.2.9, never 7.20.1 nor rt" 7.2 linux-image-7.2.13+deb14-amd64
got=$("$fk" --resolve 2>/dev/null)
[ "$got" = linux-image-6.1.0-57-amd64 ]
check "no --kver: the default line ($(scripts/debian/kver --default))" $? "got '$got'"
got=$(DAXBENCH_KVER=6.12 "$fk" --resolve 2>/dev/null)
[ "$got" = linux-image-6.12.118+deb13.1-amd64 ]
check "DAXBENCH_KVER=6.12 does what --kver 6.12 does" $? "got '$got'"
grep -v -e '^linux-image-6\.12\.[0-9]*+deb13' "$work/names" >"$work/names.13" && mv "$work/names.13" "$work/names"
resolves "6.12 without a trixie build: the newest of another suite" 6.12 linux-image-6.12.119+deb12-amd64
grep -v '^linux-image-7\.2\.' "$work/names" >"$work/names.72" && mv "$work/names.72" "$work/names"
"$fk" --kver 7.2 --resolve >"$work/out" 2>"$work/err"; st=$?
[ $st -eq 1 ] && [ ! -s "$work/out" ] && grep -q 'linux-image-7\.2\.' "$work/err"
check "7.2 with no package of the line: status 1 and says so" $? "status $st" "$(head -n1 "$work/err")"

# ---- a bad KVER: one line naming it, status 2 ----
one_line_2() { # NAME KVER COMMAND...
	local name=$1 k=$2 st lines
	shift 2
	"$@" >"$work/out" 2>"$work/err" </dev/null; st=$?
	lines=$(wc -l <"$work/err")
	[ $st -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF "'$k'" "$work/err" && [ ! -s "$work/out" ]
	check "$name" $? "status $st, $lines lines: $(head -n2 "$work/err" | tr '\n' ' ')"
}
one_line_2 "fetch-kernel --kver 6.2: one line naming '6.2', status 2" 6.2 "$fk" --kver 6.2
one_line_2 "fetch-kernel --kver 6.1.0 (a release, not a line): refused" 6.1.0 "$fk" --kver 6.1.0 --resolve
one_line_2 "fetch-kernel with DAXBENCH_KVER=bogus: refused the same way" bogus env DAXBENCH_KVER=bogus "$fk"
echo true >"$work/t.sh"
one_line_2 "guest/run --kver 5.10: refused before any boot" 5.10 scripts/guest/run --kver 5.10 --out "$work/o" "$work/t.sh"
one_line_2 "guest/run with DAXBENCH_KVER=5.10: refused before any boot" 5.10 \
	env DAXBENCH_KVER=5.10 scripts/guest/run --out "$work/o" "$work/t.sh"
[ ! -e "$work/o" ]
check "... and no --out directory made" $?
ls -d results/.incoming.* results/failed-* 2>/dev/null | sort >"$work/res.before"
one_line_2 "run-suite --kver 7.3: refused" 7.3 scripts/run-suite --kver 7.3
ls -d results/.incoming.* results/failed-* 2>/dev/null | sort >"$work/res.after"
cmp -s "$work/res.before" "$work/res.after"
check "... and no results directory left behind" $?
one_line_2 "make run KVER=6.13: refused before deps, build or boot" 6.13 make -s --no-print-directory run KVER=6.13

# ---- unpacking both layouts, without network ----
# A fake bzImage: setup header (boot protocol 2.15, 1 setup sector), payload
# at 16 bytes into the protected-mode part: COMPRESSOR(ELF-looking blob) and
# its 4-byte size, as the kernel build appends it.
le32() { printf "\\\\x%02x\\\\x%02x\\\\x%02x\\\\x%02x" $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
fake_bzimage() { # OUT RELEASE COMPRESSOR...
	local out=$1 rel=$2 len
	shift 2
	{ printf '\177ELF\002\001\001'; head -c 2000 /dev/zero; printf 'Linux version %s (fake)\n' "$rel"; } >"$work/elf.$rel"
	"$@" <"$work/elf.$rel" >"$work/payload"
	len=$(( $(stat -c %s "$work/payload") + 4 ))
	head -c 1040 /dev/zero >"$out"
	printf '\001' | dd of="$out" bs=1 seek=$((0x1f1)) conv=notrunc 2>/dev/null
	printf 'HdrS\017\002' | dd of="$out" bs=1 seek=$((0x202)) conv=notrunc 2>/dev/null
	# shellcheck disable=SC2059
	printf "$(le32 16)$(le32 "$len")" | dd of="$out" bs=1 seek=$((0x248)) conv=notrunc 2>/dev/null
	cat "$work/payload" >>"$out"
	# shellcheck disable=SC2059
	printf "$(le32 "$(stat -c %s "$work/elf.$rel")")" >>"$out"
}
fake_deb() { # DIR PACKAGE VERSION DEPENDS
	mkdir -p "$1/DEBIAN"
	printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: fake\n' \
		"$2" "$3" >"$1/DEBIAN/control"
	[ -z "$4" ] || echo "Depends: $4" >>"$1/DEBIAN/control"
	dpkg-deb -Zgzip -b "$1" "$work/debs/${2}_${3}_amd64.deb" >/dev/null
}
mkdir -p "$work/debs"
# one package, boot/ and lib/modules (6.1-like), xz payload
r0=6.1.0-999-amd64
d=$work/p0
mkdir -p "$d/boot" "$d/lib/modules/$r0/kernel"
fake_bzimage "$d/boot/vmlinuz-$r0" "$r0" xz -9 --check=crc32
: >"$d/lib/modules/$r0/modules.order"
fake_deb "$d" "linux-image-$r0" 6.1.999-1 "kmod, linux-base (>= 4.3~)"
# one package, boot/ and usr/lib/modules (6.12-like), zstd payload
r=6.12.999+deb13-amd64
d=$work/p1
mkdir -p "$d/boot" "$d/usr/lib/modules/$r/kernel"
if command -v zstd >/dev/null; then fake_bzimage "$d/boot/vmlinuz-$r" "$r" zstd -19 -q; z=zstd
else fake_bzimage "$d/boot/vmlinuz-$r" "$r" xz -9; z=xz; fi
: >"$d/usr/lib/modules/$r/modules.order"
fake_deb "$d" "linux-image-$r" 6.12.999-1 "kmod, initramfs-tools | linux-initramfs-tool"
# split (7.2-like): meta + binary (vmlinuz in usr/lib/modules) + modules + base, gzip payload
r2=7.2.999+deb14-amd64
fake_deb "$work/p2" "linux-image-$r2" 7.2.999-1 \
	"dracut | initramfs-tools (>= 0.120), linux-base-$r2 (= 7.2.999-1), linux-binary-$r2 (= 7.2.999-1), linux-modules-$r2 (= 7.2.999-1)"
mkdir -p "$work/p3/usr/lib/modules/$r2" "$work/p4/usr/lib/modules/$r2/kernel/fs" "$work/p5/usr/lib/modules/$r2"
fake_bzimage "$work/p3/usr/lib/modules/$r2/vmlinuz" "$r2" gzip -9
fake_deb "$work/p3" "linux-binary-$r2" 7.2.999-1 "linux-base-$r2 (= 7.2.999-1)"
: >"$work/p4/usr/lib/modules/$r2/kernel/fs/.keep"
fake_deb "$work/p4" "linux-modules-$r2" 7.2.999-1 "kmod, linux-base-$r2 (= 7.2.999-1)"
printf 'CONFIG_FS_DAX=y\n' >"$work/p5/usr/lib/modules/$r2/config"
: >"$work/p5/usr/lib/modules/$r2/modules.builtin"
: >"$work/p5/usr/lib/modules/$r2/modules.order"
fake_deb "$work/p5" "linux-base-$r2" 7.2.999-1 ""

layout_ok() { # NAME DIR RELEASE VERSION
	local k=$2
	[ -f "$k/.complete" ] && [ "$(cat "$k/release")" = "$3" ] && [ "$(cat "$k/package-version")" = "$4" ] &&
		[ -f "$k/boot/vmlinuz-$3" ] && [ -f "$k/lib/modules/$3/modules.dep" ] &&
		[ ! -e "$k/usr/lib/modules" ] && cmp -s "$k/vmlinux" "$work/elf.$3"
	check "$1" $? "$(ls -R "$k" 2>&1 | head -n 20 | tr '\n' ' ')"
}
k=$("$fk" --deb "$work/debs/linux-image-${r2}_7.2.999-1_amd64.deb" 2>"$work/err"); st=$?
check "split layout: --deb of the meta package takes linux-binary/-modules/-base from its directory" $st \
	"$(tail -n2 "$work/err" | tr '\n' ' ')"
layout_ok "split layout: vmlinux (gzip payload), boot/vmlinuz-R, lib/modules/R with modules.dep, release, version" \
	"$k" "$r2" 7.2.999-1
[ -f "$k/boot/config-$r2" ] && [ -f "$k/lib/modules/$r2/modules.builtin" ]
check "split layout: config moved beside the vmlinuz, modules.builtin kept" $?
k=$("$fk" --deb "$work/debs/linux-image-${r0}_6.1.999-1_amd64.deb" 2>"$work/err"); st=$?
check "one package with lib/modules (6.1): fetched" $st "$(tail -n2 "$work/err" | tr '\n' ' ')"
layout_ok "one package (6.1): vmlinux (xz payload), boot/vmlinuz-R, lib/modules/R" "$k" "$r0" 6.1.999-1
k=$("$fk" --deb "$work/debs/linux-image-${r}_6.12.999-1_amd64.deb" 2>"$work/err"); st=$?
check "one package with usr/lib/modules (6.12): fetched" $st "$(tail -n2 "$work/err" | tr '\n' ' ')"
layout_ok "one package (6.12): vmlinux ($z payload), modules moved to lib/modules/R" "$k" "$r" 6.12.999-1
t0=$EPOCHREALTIME
k2=$("$fk" --deb "$work/debs/linux-image-${r}_6.12.999-1_amd64.deb" 2>/dev/null)
fast=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print (b - a < 0.5) ? 0 : 1 }')
[ "$k2" = "$k" ] && [ "$fast" = 0 ]
check "cached: the second call only prints the directory" $? "'$k2'"
printf '#!/bin/sh\necho "apt: offline" >&2\nexit 1\n' >"$work/apt-offline"
chmod +x "$work/apt-offline"
k=$(DAXBENCH_APT=$work/apt-offline "$fk" --kver 6.1 2>"$work/err"); st=$?
[ $st -eq 0 ] && [ "$k" = "$work/cache/$r0" ] && grep -q 'cached' "$work/err"
check "apt unreachable: the newest cached kernel of the line, with a note" $? "status $st, '$k'" "$(tail -n1 "$work/err")"
DAXBENCH_APT=$work/apt-offline DAXBENCH_KERNEL_CACHE=$work/empty "$fk" --kver 7.2 >"$work/out" 2>"$work/err"; st=$?
[ $st -eq 1 ] && [ ! -s "$work/out" ] && grep -q 'cannot resolve' "$work/err"
check "apt unreachable and no cached kernel of the line: status 1, says so" $? \
	"status $st, out '$(cat "$work/out")'" "$(tail -n1 "$work/err")"

# ---- the real private apt, when it answers ----
unset DAXBENCH_APT DAXBENCH_KERNEL_CACHE
if scripts/debian/apt search '^linux-image-amd64$' >/dev/null 2>&1; then
	for l in "6.1 ^linux-image-6\\.1\\.0-[0-9]+-amd64\$" "6.12 ^linux-image-6\\.12\\.[0-9]+\\+deb13(\\.[0-9]+)?-amd64\$" \
		"7.2 ^linux-image-7\\.2\\.[0-9]+\\+deb14(\\.[0-9]+)?-amd64\$"; do
		k=${l%% *} re=${l#* }
		got=$("$fk" --kver "$k" --resolve 2>"$work/err"); st=$?
		newest=$(scripts/debian/apt search "$re" | tail -n1)
		[ $st -eq 0 ] && [[ $got =~ $re ]] && [ "$got" = "$newest" ]
		check "private apt: --kver $k resolves to its newest stock image ($got)" $? \
			"status $st, newest '$newest'" "$(head -n1 "$work/err")"
	done
else
	for k in 6.1 6.12 7.2; do skip "private apt: --kver $k resolves to its newest stock image" "scripts/debian/apt search failed (offline?)"; done
fi
[ $tap_failed -eq 0 ] || { echo "# $tap_failed of $n failed"; exit 1; }
exit 0
