/* SPDX-License-Identifier: GPL-2.0 */
/* Per-event records as CSV, for users who want every event, not counts:
 * one header line, then one line per record:
 * label,ts_ns,pid,cpu,event,dev,ino,pgoff,pglen,address,flags,result */
#ifndef DAXBENCH_TRACE_CSV_H
#define DAXBENCH_TRACE_CSV_H

#include <stdio.h>

#include "trace.h"

void trace_csv_header(FILE *f);
/* label says where the records come from (e.g. "r1/write"). */
void trace_csv_write(FILE *f, const char *label, const struct trace_vec *tv);

#endif
