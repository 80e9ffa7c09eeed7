// SPDX-License-Identifier: GPL-2.0
/* Unit tests for lib/json_build.c: each adder writes what json-c's own
 * constructor writes, NULL where a value is required fails and a JSON null
 * is said so, a failure (NULL object, NULL value) releases the value and
 * leaves the object as it was, jdone() drops an object that failed.  (The
 * plan is printed last, after the points.) */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json_build.h"
#include "tap.h"

static const char *text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

/* A value whose release we can see: an array holding a counted object. */
static int released;

static void count_release(json_object *o, void *userdata)
{
	(void)o;
	(void)userdata;
	released++;
}

static json_object *watched(void)
{
	json_object *v = json_object_new_object();

	json_object_set_userdata(v, NULL, count_release);
	return v;
}

int main(void)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array(), *p;
	int err = 0;

	err |= jadd_u64(o, "u", UINT64_MAX);
	err |= jadd_i64(o, "i", -5);
	err |= jadd_int(o, "n", 7);
	err |= jadd_double(o, "d", 0.5);
	err |= jadd_bool(o, "b", true);
	err |= jadd_str(o, "s", "x\"y");
	err |= jadd_str(o, "snull", NULL);
	err |= jadd_null(o, "null");
	err |= jadd_nullable(o, "nullable", NULL);
	err |= jpush_u64(a, 1);
	err |= jpush_int(a, -1);
	err |= jpush_str(a, "z");
	err |= jpush_null(a);
	err |= jpush(a, json_object_new_array());
	err |= jadd(o, "a", a);
	ok(err == 0, "every adder of a valid value returns 0");
	ok(!strcmp(text(o), "{\"u\":18446744073709551615,\"i\":-5,\"n\":7,\"d\":0.5,"
		   "\"b\":true,\"s\":\"x\\\"y\",\"snull\":null,\"null\":null,"
		   "\"nullable\":null,\"a\":[1,-1,\"z\",null,[]]}"),
	   "the members in order, json-c's text for each: %s", text(o));

	errno = 0;
	ok(jadd(o, "missing", NULL) == -1 && errno == ENOMEM &&
	   !json_object_object_get_ex(o, "missing", NULL),
	   "jadd of NULL (a failed constructor) fails with ENOMEM, adds nothing");
	ok(jpush(a, NULL) == -1 && json_object_array_length(a) == 5,
	   "jpush of NULL fails, appends nothing");

	released = 0;
	ok(jadd(NULL, "k", watched()) == -1 && released == 1,
	   "jadd to a NULL object fails and releases the value");
	released = 0;
	ok(jpush(NULL, watched()) == -1 && released == 1,
	   "jpush to a NULL array fails and releases the value");
	ok(jadd_u64(NULL, "k", 1) == -1 && jadd_str(NULL, "k", "s") == -1 &&
	   jadd_null(NULL, "k") == -1 && jpush_str(NULL, "s") == -1,
	   "every adder fails on a NULL object");

	ok(jdone(o, 0) == o, "jdone(o, 0) is o");
	released = 0;
	p = json_object_new_object();
	jadd(p, "w", watched());
	ok(jdone(p, -1) == NULL && released == 1,
	   "jdone(o, err) releases o and what it holds, returns NULL");
	json_object_put(o);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
