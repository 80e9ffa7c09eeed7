/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building JSON with json-c, short and checked: one call a member, typed,
 * with its key (jadd_u64(o, "stores", n)), each returning 0, or -1 when it
 * failed (errno ENOMEM): an allocation failed, o itself is NULL (a
 * constructor before failed), or v is NULL where a value was required.
 * On failure the value given is released, so nothing leaks, and the object
 * keeps what it had.  A builder ORs the returns and drops the object on the
 * first failure:
 *
 *	json_object *j = json_object_new_object();
 *	int err = 0;
 *
 *	err |= jadd_str(j, "name", name);
 *	err |= jadd_u64(j, "stores", stores);
 *	err |= jadd(j, "events", dax_counts_json(&counts, true));
 *	return jdone(j, err);		// j, or NULL after json_object_put(j)
 *
 * A JSON null is said so: jadd_null(), jadd_str() of NULL, or
 * jadd_nullable() of an object that may be NULL by meaning ("none yet").
 * The number adders keep json-c's types (new_uint64, new_int64, new_int,
 * new_double), so the text written is json-c's own.
 */
#ifndef DAXBENCH_JSON_BUILD_H
#define DAXBENCH_JSON_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

/* key: v, taking v (NULL: failure). */
int jadd(json_object *o, const char *key, json_object *v);
/* key: v, taking v; NULL is a JSON null. */
int jadd_nullable(json_object *o, const char *key, json_object *v);
int jadd_null(json_object *o, const char *key);
/* key: the string s (copied); NULL is a JSON null. */
int jadd_str(json_object *o, const char *key, const char *s);
int jadd_u64(json_object *o, const char *key, uint64_t v);
int jadd_i64(json_object *o, const char *key, int64_t v);
int jadd_int(json_object *o, const char *key, int v);
int jadd_double(json_object *o, const char *key, double v);
int jadd_bool(json_object *o, const char *key, bool v);

/* Append to the array a, likewise. */
int jpush(json_object *a, json_object *v);
int jpush_null(json_object *a);
int jpush_str(json_object *a, const char *s);
int jpush_u64(json_object *a, uint64_t v);
int jpush_int(json_object *a, int v);

/* The end of a builder: o when err is 0, else NULL (o released). */
json_object *jdone(json_object *o, int err);

#endif
