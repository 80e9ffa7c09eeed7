// SPDX-License-Identifier: GPL-2.0
/* daxstress: the crew of an iteration: its threads' logs, creation and
 * joining; see scenario.h. */
#include <stdlib.h>

#include "scenario.h"

/* Threads of a role for c. */
static unsigned crew_role_count(const struct sctx *c, const struct crew_role *r)
{
	switch (r->count) {
	case CREW_WRITERS:
		return c->cfg->writers;
	case CREW_OPTION:
		return sc_opt(c, r->n);
	case CREW_MAIN:
		return 1;
	default:
		return r->n;
	}
}

void crew_free(struct crew *cr)
{
	for (size_t i = 0; cr->t && i < cr->nt; i++) {
		slog_free(&cr->t[i].sl);
		ylog_free(&cr->t[i].yl);
		free(cr->t[i].priv);
	}
	free(cr->t);
	free(cr->first);
	free(cr->sl);
	free(cr->yl);
	*cr = (struct crew){ .c = cr->c, .roles = cr->roles,
			     .nroles = cr->nroles };
}

int crew_init(struct crew *cr, struct sctx *c, const struct crew_role *roles,
	      size_t nroles, void *shared)
{
	size_t k = 0;
	bool ok;

	*cr = (struct crew){ .c = c, .roles = roles, .nroles = nroles };
	for (size_t r = 0; r < nroles; r++)
		cr->nt += crew_role_count(c, &roles[r]);
	cr->t = calloc(cr->nt ? cr->nt : 1, sizeof(*cr->t));
	cr->first = calloc(nroles ? nroles : 1, sizeof(*cr->first));
	cr->sl = calloc(cr->nt ? cr->nt : 1, sizeof(*cr->sl));
	cr->yl = calloc(cr->nt ? cr->nt : 1, sizeof(*cr->yl));
	ok = cr->t && cr->first && cr->sl && cr->yl;
	for (size_t r = 0; ok && r < nroles; r++) {
		const struct crew_role *ro = &roles[r];
		unsigned n = crew_role_count(c, ro);

		cr->first[r] = k;
		for (unsigned i = 0; i < n; i++, k++) {
			struct sc_thread *t = &cr->t[k];

			*t = (struct sc_thread){ .c = c, .shared = shared,
						 .role = ro, .id = i };
			if (ro->slog_cap) {
				if (slog_init(&t->sl, ro->slog_cap))
					ok = false;
				cr->sl[cr->nsl++] = &t->sl;
			}
			if (ro->ylog_cap) {
				if (ylog_init(&t->yl, ro->ylog_cap))
					ok = false;
				cr->yl[cr->nyl++] = &t->yl;
			}
			if (ro->priv_size && !(t->priv = calloc(1, ro->priv_size)))
				ok = false;
		}
	}
	if (!ok) {
		crew_free(cr);
		return -1;
	}
	return 0;
}

static void *crew_thread_main(void *arg)
{
	struct sc_thread *t = arg;

	t->role->fn(t);
	return NULL;
}

static bool spawned(const struct sc_thread *t)
{
	return t->role->count != CREW_MAIN && t->role->fn;
}

void crew_run(struct crew *cr)
{
	for (size_t i = 0; i < cr->nt; i++)
		if (spawned(&cr->t[i]))
			wl_spawn(&cr->t[i].th, crew_thread_main, &cr->t[i]);
	for (size_t i = 0; i < cr->nt; i++)
		if (cr->t[i].role->count == CREW_MAIN && cr->t[i].role->fn)
			cr->t[i].role->fn(&cr->t[i]);
	for (size_t i = 0; i < cr->nt; i++)
		if (spawned(&cr->t[i]))
			pthread_join(cr->t[i].th, NULL);
}

struct sc_thread *crew_thread(const struct crew *cr, size_t role, unsigned id)
{
	return &cr->t[cr->first[role] + id];
}
