/*
 * rmap.c — the shadow MMU's reverse map (see rmap.h): adding a key, with compaction of
 * stale keys when a frame's set is full.
 */
#include "rmap.h"

#include <stdlib.h>

int rmap_init(struct rmap *r, u32 nframes)
{
	r->nframes = nframes;
	r->key = calloc((size_t)nframes * RMAP_WAYS, sizeof(u32));
	r->n = calloc(nframes, 1);
	return r->key && r->n ? 0 : -1;
}

void rmap_fini(struct rmap *r)
{
	free(r->key);
	free(r->n);
	r->key = NULL;
	r->n = NULL;
}

void rmap_add(struct rmap *r, u32 frame, u32 key, rmap_live_fn live, void *ctx)
{
	if (frame >= r->nframes || r->n[frame] == RMAP_OVER)
		return;
	u32 *k = &r->key[(size_t)frame * RMAP_WAYS];
	unsigned n = r->n[frame];
	for (unsigned w = 0; w < n; w++)
		if (k[w] == key)
			return;
	if (n == RMAP_WAYS) {
		unsigned keep = 0;
		for (unsigned w = 0; w < n; w++)
			if (live(ctx, frame, k[w]))
				k[keep++] = k[w];
		n = keep;
		if (n == RMAP_WAYS) {
			r->n[frame] = RMAP_OVER;
			return;
		}
	}
	k[n] = key;
	r->n[frame] = (u8)(n + 1);
}
