/*
 * records.c — the record identity store.
 */
#include "model/records.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void rec_store_init(struct rec_store *s)
{
	memset(s, 0, sizeof(*s));
}

void rec_store_free(struct rec_store *s)
{
	free(s->batches);
	free(s->idx);
	memset(s, 0, sizeof(*s));
}

static bool grow(void **p, uint64_t *cap, uint64_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint64_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, (size_t)n * elem);
	if (q == NULL)
		return false;
	*p = q;
	*cap = n;
	return true;
}

uint64_t commit_store_add(struct commit_store *s, const struct commit_rec *recs, uint32_t n)
{
	assert(n > 0);
	if (!grow((void **)&s->recs, &s->cap, s->n + n, sizeof(*s->recs)))
		return REC_REF_NONE;
	memcpy(&s->recs[s->n], recs, (size_t)n * sizeof(*recs));
	uint64_t ref = COMMIT_REF_BIT | s->n;
	s->n += n;
	return ref;
}

uint64_t groupmd_store_add(struct commit_store *s, const uint32_t *words, uint32_t n)
{
	assert(n > 0);
	if (!grow((void **)&s->md, &s->md_cap, s->md_n + n, sizeof(*s->md)))
		return REC_REF_NONE;
	memcpy(&s->md[s->md_n], words, (size_t)n * sizeof(*words));
	uint64_t ref = GROUPMD_REF_BIT | s->md_n;
	s->md_n += n;
	return ref;
}

uint64_t rec_store_add(struct rec_store *s, uint32_t producer, const uint32_t *indices,
		       uint32_t count)
{
	assert(count > 0);
	if (!grow((void **)&s->batches, &s->batches_cap, s->nbatches + 1, sizeof(*s->batches)) ||
	    !grow((void **)&s->idx, &s->idx_cap, s->nidx + count, sizeof(*s->idx)))
		return REC_REF_NONE;
	memcpy(&s->idx[s->nidx], indices, (size_t)count * sizeof(*indices));
	s->batches[s->nbatches] = (struct rec_batch){producer, count, s->nidx};
	s->nidx += count;
	return s->nbatches++;
}
