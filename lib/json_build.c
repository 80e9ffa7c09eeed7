// SPDX-License-Identifier: GPL-2.0
/* Building JSON with json-c, short and checked (json_build.h). */
#include <errno.h>

#include "json_build.h"

static int fail(json_object *v)
{
	json_object_put(v);
	errno = ENOMEM;
	return -1;
}

int jadd_nullable(json_object *o, const char *key, json_object *v)
{
	if (!o || json_object_object_add(o, key, v))
		return fail(v);
	return 0;
}

int jadd(json_object *o, const char *key, json_object *v)
{
	return v ? jadd_nullable(o, key, v) : fail(NULL);
}

int jadd_null(json_object *o, const char *key)
{
	return jadd_nullable(o, key, NULL);
}

int jadd_str(json_object *o, const char *key, const char *s)
{
	return s ? jadd(o, key, json_object_new_string(s)) : jadd_null(o, key);
}

int jadd_u64(json_object *o, const char *key, uint64_t v)
{
	return jadd(o, key, json_object_new_uint64(v));
}

int jadd_i64(json_object *o, const char *key, int64_t v)
{
	return jadd(o, key, json_object_new_int64(v));
}

int jadd_int(json_object *o, const char *key, int v)
{
	return jadd(o, key, json_object_new_int(v));
}

int jadd_double(json_object *o, const char *key, double v)
{
	return jadd(o, key, json_object_new_double(v));
}

int jadd_bool(json_object *o, const char *key, bool v)
{
	return jadd(o, key, json_object_new_boolean(v));
}

static int push_nullable(json_object *a, json_object *v)
{
	if (!a || json_object_array_add(a, v))
		return fail(v);
	return 0;
}

int jpush(json_object *a, json_object *v)
{
	return v ? push_nullable(a, v) : fail(NULL);
}

int jpush_null(json_object *a)
{
	return push_nullable(a, NULL);
}

int jpush_str(json_object *a, const char *s)
{
	return s ? jpush(a, json_object_new_string(s)) : jpush_null(a);
}

int jpush_u64(json_object *a, uint64_t v)
{
	return jpush(a, json_object_new_uint64(v));
}

int jpush_int(json_object *a, int v)
{
	return jpush(a, json_object_new_int(v));
}

json_object *jdone(json_object *o, int err)
{
	if (!err)
		return o;
	json_object_put(o);
	return NULL;
}
