/*
 * kernel.h — the discrete-event kernel: one integer microsecond clock and a totally ordered
 * event queue.
 *
 * Events are ordered by (at_us, key). The key is (phase, rank, seq): the phase and rank
 * encode scenario-format 11.1's order within one instant (end actions, then `for:` undos in
 * file order, then scripted faults in file order, then nemesis faults in draw order, then
 * everything else), and seq is the insertion number, so ties within a phase run in the
 * order they were scheduled. The queue is an indexed binary heap: cancel is O(log n) and
 * frees the slot at once. Periodic events re-arm themselves after each firing. Event slots
 * live in one growable array with a free list: no allocation per event once warm.
 */
#ifndef KAFKASIM_KERNEL_H
#define KAFKASIM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sim_phase {
	SIM_PHASE_END     = 0,  /* `end:` actions at duration */
	SIM_PHASE_UNDO    = 1,  /* `for:` undos, rank = fault's file index */
	SIM_PHASE_FAULT   = 2,  /* scripted faults, rank = file index */
	SIM_PHASE_NEMESIS = 3,  /* nemesis faults, rank = draw index */
	SIM_PHASE_NORMAL  = 4,  /* everything else, in scheduling order */
};

#define SIM_RANK_MAX ((UINT32_C(1) << 20) - 1)

/* A handle names one scheduled event; stale handles are harmless (generation check). */
struct sim_handle {
	uint32_t slot;
	uint32_t gen;
};
#define SIM_HANDLE_NONE ((struct sim_handle){0, 0})

struct sim_event {
	int64_t  at_us;
	int64_t  period_us;    /* > 0: re-armed at at_us + period_us after each firing */
	uint32_t type;         /* the dispatcher's own event type */
	uint32_t node;         /* the node it concerns, or any value the dispatcher likes */
	uint64_t arg0;
	uint64_t arg1;
};

struct sim_kernel;
typedef void sim_dispatch_fn(void *ctx, struct sim_kernel *k, const struct sim_event *ev,
			     struct sim_handle self);

struct sim_slot;
struct sim_heap_entry;

struct sim_kernel {
	int64_t                now_us;
	uint64_t               seq;          /* next insertion number */
	uint64_t               fired;        /* events dispatched so far */
	struct sim_slot       *slots;
	uint32_t               slots_cap;
	uint32_t               free_head;    /* free list through slots; 0 = none (slot 0 unused) */
	struct sim_heap_entry *heap;
	uint32_t               heap_len;
	uint32_t               heap_cap;
	struct sim_handle      firing;       /* the event being dispatched, if any */
	bool                   firing_cancelled;
	bool                   halted;
	sim_dispatch_fn       *dispatch;
	void                  *ctx;
};

enum sim_stop {
	SIM_STOP_IDLE,      /* the queue ran dry */
	SIM_STOP_TIME,      /* the next event is after `until_us` */
	SIM_STOP_BUDGET,    /* `max_events` were dispatched */
	SIM_STOP_HALTED,    /* sim_halt() was called from a handler */
};

/* Returns 0, or -1 when memory could not be had. */
int  sim_init(struct sim_kernel *k, sim_dispatch_fn *dispatch, void *ctx);
void sim_free(struct sim_kernel *k);

/* Schedules `ev` (ev->at_us >= now) in phase/rank. Returns SIM_HANDLE_NONE only on
 * allocation failure, which the caller must treat as fatal. */
struct sim_handle sim_schedule(struct sim_kernel *k, const struct sim_event *ev,
			       enum sim_phase phase, uint32_t rank);
/* Shorthand: phase NORMAL, at now + delay_us. */
struct sim_handle sim_after(struct sim_kernel *k, int64_t delay_us, uint32_t type,
			    uint32_t node, uint64_t arg0, uint64_t arg1);
/* Cancels a pending event (or a periodic one from inside its own handler). Returns true if
 * it was pending. */
bool sim_cancel(struct sim_kernel *k, struct sim_handle h);
bool sim_pending(const struct sim_kernel *k, struct sim_handle h);
/* Time of the next pending event, or INT64_MAX. */
int64_t sim_next_at(const struct sim_kernel *k);
size_t sim_queue_len(const struct sim_kernel *k);

/* Dispatches events in order while their time is <= until_us, at most max_events of them
 * (0 = no budget). The clock ends at the last dispatched event's time, or at until_us when
 * the queue is exhausted up to it (SIM_STOP_TIME / SIM_STOP_IDLE with until_us finite). */
enum sim_stop sim_run(struct sim_kernel *k, int64_t until_us, uint64_t max_events);
/* From a handler: stop after the current event. */
void sim_halt(struct sim_kernel *k);

#endif
