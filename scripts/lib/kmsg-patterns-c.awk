# scripts/lib/kmsg-patterns.txt -> the C table lib/kmsg.c includes
# (build/kmsg_patterns.h, made by the Makefile).  A bad line stops the build.
BEGIN {
	FS = "\t"
	cls["warning"] = "KMSG_WARNING"; cls["died"] = "KMSG_DIED"; cls["hung"] = "KMSG_HUNG"
	cls["stall"] = "KMSG_STALL"; cls["emulator"] = "KMSG_EMULATOR"
	print "/* Generated from scripts/lib/kmsg-patterns.txt by the Makefile: do not edit. */"
	print "static const struct kmsg_pattern kmsg_patterns[] = {"
}
/^#/ || /^$/ { next }
NF != 2 || !($1 in cls) || $2 == "" {
	printf "%s:%d: not CLASS<TAB>PATTERN with a known class\n", FILENAME, FNR > "/dev/stderr"
	bad = 1
	exit 1
}
{
	p = $2
	gsub(/\\/, "&&", p)
	gsub(/"/, "\\\"", p)
	printf "\t{ %s, \"%s\" },\n", cls[$1], p
}
END {
	if (bad)
		exit 1
	print "};"
}
