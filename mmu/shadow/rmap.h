/*
 * rmap.h — a reverse map for the shadow MMU: for each guest frame, where shadow state
 * that refers to it may be.
 *
 * When a guest frame becomes a page table, the VMM must find every writable shadow
 * entry that maps it (shadow.c: track). Scanning every table of every cached shadow
 * costs ~80,000 host instructions; the reverse map names the few places to look. It
 * holds, per frame, up to RMAP_WAYS keys (the shadow's encoding of a location) and is
 * allowed to be stale: a key may name a place that no longer refers to the frame, so
 * the user verifies each one against the shadow itself. What it must be is complete:
 * every place that refers to the frame is among its keys, or the frame is marked
 * overflowed and the user scans everything as before. Host-side only: whichever way
 * the places are found, the VMM does (and charges) the same work on the same entries.
 */
#ifndef RINGLAB_SHADOW_RMAP_H
#define RINGLAB_SHADOW_RMAP_H

#include <stdbool.h>

#include "core/types.h"

#define RMAP_WAYS 8
#define RMAP_OVER 0xff /* n[frame]: more places than RMAP_WAYS: scan everything */

struct rmap {
	u32 *key;     /* [frame * RMAP_WAYS + w] */
	u8 *n;        /* keys held per frame, or RMAP_OVER */
	u32 nframes;  /* frames covered; others are never recorded */
};

/* Is the place `key` still referring to `frame`? (The user's check, for compaction.) */
typedef bool (*rmap_live_fn)(void *ctx, u32 frame, u32 key);

/* Allocate a map for `nframes` frames, all empty. Returns 0, or -1 (host memory). */
int rmap_init(struct rmap *r, u32 nframes);
void rmap_fini(struct rmap *r);

/* Record that the place `key` refers to `frame`. A full set first drops the keys that
 * `live` says are stale; if it is still full, the frame overflows. */
void rmap_add(struct rmap *r, u32 frame, u32 key, rmap_live_fn live, void *ctx);

/* The keys of `frame` (*n of them), or NULL when it overflowed (or is not covered):
 * then every place must be scanned. */
static inline const u32 *rmap_keys(const struct rmap *r, u32 frame, unsigned *n)
{
	if (frame >= r->nframes || r->n[frame] == RMAP_OVER)
		return NULL;
	*n = r->n[frame];
	return &r->key[(size_t)frame * RMAP_WAYS];
}

/* Nothing refers to `frame` any more (the user has just removed every reference). */
static inline void rmap_clear(struct rmap *r, u32 frame)
{
	if (frame < r->nframes)
		r->n[frame] = 0;
}

#endif
