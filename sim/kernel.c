/*
 * kernel.c — the event kernel: an indexed binary min-heap of event slots.
 *
 * Heap entries carry their ordering key inline (at_us, key) so sift operations touch only
 * the heap array; each slot remembers its heap position so cancel can remove it in
 * O(log n). Slot 0 is never used, so a zero handle means "none".
 */
#include "sim/kernel.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/limits.h"

struct sim_slot {
	struct sim_event ev;
	uint32_t         gen;
	uint32_t         heap_pos;   /* index in heap, or UINT32_MAX when not queued */
	uint32_t         next_free;
	uint32_t         phase_rank; /* phase << 20 | rank, kept to re-arm periodic events */
};

struct sim_heap_entry {
	int64_t  at_us;
	uint64_t key;                /* phase (4 bits) | rank (20 bits) | seq (40 bits) */
	uint32_t slot;
};

#define NOT_QUEUED UINT32_MAX

static bool entry_before(const struct sim_heap_entry *a, const struct sim_heap_entry *b)
{
	if (a->at_us != b->at_us)
		return a->at_us < b->at_us;
	return a->key < b->key;
}

static void heap_place(struct sim_kernel *k, uint32_t pos, struct sim_heap_entry e)
{
	k->heap[pos] = e;
	k->slots[e.slot].heap_pos = pos;
}

static void sift_up(struct sim_kernel *k, uint32_t pos)
{
	struct sim_heap_entry e = k->heap[pos];
	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;
		if (!entry_before(&e, &k->heap[parent]))
			break;
		heap_place(k, pos, k->heap[parent]);
		pos = parent;
	}
	heap_place(k, pos, e);
}

static void sift_down(struct sim_kernel *k, uint32_t pos)
{
	struct sim_heap_entry e = k->heap[pos];
	uint32_t n = k->heap_len;
	for (;;) {
		uint32_t child = 2 * pos + 1;
		if (child >= n)
			break;
		if (child + 1 < n && entry_before(&k->heap[child + 1], &k->heap[child]))
			child++;
		if (!entry_before(&k->heap[child], &e))
			break;
		heap_place(k, pos, k->heap[child]);
		pos = child;
	}
	heap_place(k, pos, e);
}

static void heap_remove(struct sim_kernel *k, uint32_t pos)
{
	assert(pos < k->heap_len);
	uint32_t slot = k->heap[pos].slot;
	k->slots[slot].heap_pos = NOT_QUEUED;
	k->heap_len--;
	if (pos == k->heap_len)
		return;
	struct sim_heap_entry last = k->heap[k->heap_len];
	heap_place(k, pos, last);
	if (pos > 0 && entry_before(&last, &k->heap[(pos - 1) / 2]))
		sift_up(k, pos);
	else
		sift_down(k, pos);
}

static int grow(struct sim_kernel *k)
{
	uint32_t cap = k->slots_cap ? k->slots_cap * 2 : 1024;
	if (cap <= k->slots_cap)
		return -1;
	struct sim_slot *slots = realloc(k->slots, (size_t)cap * sizeof(*slots));
	if (slots == NULL)
		return -1;
	struct sim_heap_entry *heap = realloc(k->heap, (size_t)cap * sizeof(*heap));
	if (heap == NULL) {
		k->slots = slots;
		return -1;
	}
	k->slots = slots;
	k->heap = heap;
	k->heap_cap = cap;
	/* New slots join the free list in index order, lowest first. */
	uint32_t first = k->slots_cap ? k->slots_cap : 1;
	for (uint32_t i = cap; i-- > first;) {
		memset(&k->slots[i], 0, sizeof(k->slots[i]));
		k->slots[i].heap_pos = NOT_QUEUED;
		k->slots[i].next_free = k->free_head;
		k->free_head = i;
	}
	if (k->slots_cap == 0)
		memset(&k->slots[0], 0, sizeof(k->slots[0]));
	k->slots_cap = cap;
	return 0;
}

int sim_init(struct sim_kernel *k, sim_dispatch_fn *dispatch, void *ctx)
{
	assert(dispatch != NULL);
	memset(k, 0, sizeof(*k));
	k->dispatch = dispatch;
	k->ctx = ctx;
	return grow(k);
}

void sim_free(struct sim_kernel *k)
{
	free(k->slots);
	free(k->heap);
	memset(k, 0, sizeof(*k));
}

static uint64_t make_key(uint32_t phase_rank, uint64_t seq)
{
	assert(seq <= LIMIT_EVENT_SEQ);
	return ((uint64_t)phase_rank << 40) | seq;
}

static struct sim_handle enqueue(struct sim_kernel *k, uint32_t slot)
{
	struct sim_slot *s = &k->slots[slot];
	assert(s->heap_pos == NOT_QUEUED);
	assert(s->ev.at_us >= k->now_us);
	assert(k->heap_len < k->heap_cap);
	struct sim_heap_entry e = {s->ev.at_us, make_key(s->phase_rank, k->seq), slot};
	k->seq++;
	k->heap_len++;
	heap_place(k, k->heap_len - 1, e);
	sift_up(k, k->heap_len - 1);
	return (struct sim_handle){slot, s->gen};
}

struct sim_handle sim_schedule(struct sim_kernel *k, const struct sim_event *ev,
			       enum sim_phase phase, uint32_t rank)
{
	assert(ev->at_us >= k->now_us);
	assert(ev->period_us >= 0);
	assert(rank <= SIM_RANK_MAX);
	assert(phase == SIM_PHASE_NORMAL || ev->period_us == 0);
	if (k->seq > LIMIT_EVENT_SEQ)
		return SIM_HANDLE_NONE;
	if (k->free_head == 0 && grow(k) != 0)
		return SIM_HANDLE_NONE;
	uint32_t slot = k->free_head;
	struct sim_slot *s = &k->slots[slot];
	k->free_head = s->next_free;
	s->ev = *ev;
	s->gen++;
	if (s->gen == 0)
		s->gen = 1;
	s->phase_rank = ((uint32_t)phase << 20) | rank;
	return enqueue(k, slot);
}

struct sim_handle sim_after(struct sim_kernel *k, int64_t delay_us, uint32_t type,
			    uint32_t node, uint64_t arg0, uint64_t arg1)
{
	assert(delay_us >= 0);
	struct sim_event ev = {
		.at_us = k->now_us + delay_us, .type = type, .node = node,
		.arg0 = arg0, .arg1 = arg1,
	};
	return sim_schedule(k, &ev, SIM_PHASE_NORMAL, 0);
}

static bool handle_live(const struct sim_kernel *k, struct sim_handle h)
{
	return h.slot != 0 && h.slot < k->slots_cap && k->slots[h.slot].gen == h.gen;
}

static void release(struct sim_kernel *k, uint32_t slot)
{
	struct sim_slot *s = &k->slots[slot];
	assert(s->heap_pos == NOT_QUEUED);
	s->gen++;
	if (s->gen == 0)
		s->gen = 1;
	s->next_free = k->free_head;
	k->free_head = slot;
}

bool sim_cancel(struct sim_kernel *k, struct sim_handle h)
{
	if (!handle_live(k, h))
		return false;
	if (h.slot == k->firing.slot && h.gen == k->firing.gen) {
		bool was = !k->firing_cancelled;
		k->firing_cancelled = true;
		return was;
	}
	struct sim_slot *s = &k->slots[h.slot];
	if (s->heap_pos == NOT_QUEUED)
		return false;
	heap_remove(k, s->heap_pos);
	release(k, h.slot);
	return true;
}

bool sim_pending(const struct sim_kernel *k, struct sim_handle h)
{
	return handle_live(k, h) && k->slots[h.slot].heap_pos != NOT_QUEUED;
}

int64_t sim_next_at(const struct sim_kernel *k)
{
	return k->heap_len ? k->heap[0].at_us : INT64_MAX;
}

size_t sim_queue_len(const struct sim_kernel *k)
{
	return k->heap_len;
}

void sim_halt(struct sim_kernel *k)
{
	k->halted = true;
}

/* Pops the first event and runs it; a periodic event is re-armed after its handler unless
 * the handler cancelled it. */
static void fire_first(struct sim_kernel *k)
{
	uint32_t slot = k->heap[0].slot;
	int64_t at_us = k->heap[0].at_us;
	assert(at_us >= k->now_us);
	heap_remove(k, 0);
	k->now_us = at_us;
	k->fired++;
	struct sim_slot *s = &k->slots[slot];
	struct sim_event ev = s->ev;
	struct sim_handle self = {slot, s->gen};
	k->firing = self;
	k->firing_cancelled = false;
	k->dispatch(k->ctx, k, &ev, self);
	k->firing = SIM_HANDLE_NONE;
	s = &k->slots[slot];   /* the handler may have grown the slot array */
	if (ev.period_us > 0 && !k->firing_cancelled) {
		s->ev.at_us = at_us + ev.period_us;
		enqueue(k, slot);
		return;
	}
	release(k, slot);
}

enum sim_stop sim_run(struct sim_kernel *k, int64_t until_us, uint64_t max_events)
{
	assert(until_us >= k->now_us);
	k->halted = false;
	uint64_t budget_end = max_events ? k->fired + max_events : UINT64_MAX;
	for (;;) {
		if (k->halted)
			return SIM_STOP_HALTED;
		if (k->heap_len == 0) {
			if (until_us != INT64_MAX)
				k->now_us = until_us;
			return SIM_STOP_IDLE;
		}
		if (k->heap[0].at_us > until_us) {
			k->now_us = until_us;
			return SIM_STOP_TIME;
		}
		if (k->fired >= budget_end)
			return SIM_STOP_BUDGET;
		fire_first(k);
	}
}
