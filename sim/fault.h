/*
 * fault.h — the fault plan: scripted faults (scenario `faults:`), the nemesis schedule drawn
 * from the seed (scenario-format 8), their firing and `for:` undos, and `end.heal`.
 *
 * Nemesis draws become concrete faults (kinds, nodes by name, µs times) appended after the
 * scripted ones, so a drawn schedule replayed as plain `faults:` gives the same run: fault i
 * fires in phase FAULT (scripted) or NEMESIS (drawn) with rank i, its undo in phase UNDO
 * with rank i (scenario-format 11.1).
 *
 * Node references resolve when a fault fires; its undo targets the same nodes. A reference
 * with no node then (no leader, no coordinator) makes the fault and its undo do nothing,
 * and the trace says so ("fault_skipped").
 */
#ifndef KAFKASIM_FAULT_H
#define KAFKASIM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/net.h"
#include "sim/scenario.h"
#include "sim/world.h"

/* The runner's answer to "which node is this reference now": a node index, or NET_NONE. */
typedef uint32_t fault_resolve_fn(void *ctx, const struct scen_ref *r);
/* Consumer-only actions (leave, stall) are the client model's; `for_us` < 0: no `for:`. */
typedef void fault_client_fn(void *ctx, enum scen_fault_kind kind, uint32_t node,
			     int64_t for_us);

struct fault_state {
	bool         fired;
	bool         skipped;        /* a reference did not resolve: the undo does nothing too */
	uint32_t     node;           /* the resolved target (NET_NONE for network-wide faults) */
	uint32_t     node2;          /* link: the `to` node */
	net_fault_id net_id;
	int64_t      prev_skew_us;
};

struct fault_plan {
	const struct scenario *s;
	struct scen_fault     *faults;       /* scripted, then nemesis draws */
	uint32_t               scripted;
	uint32_t               count;
	uint32_t               cap;
	struct fault_state    *state;
	/* storage for the drawn faults' partition groups */
	struct scen_ref       *refs;
	uint32_t              *starts;
	uint32_t               refs_len, refs_cap, starts_len, starts_cap;
	fault_resolve_fn      *resolve;
	fault_client_fn       *client_action;
	void                  *ctx;
};

/* Copies the scripted faults and draws the nemesis schedule from `seed`. Returns 0 or -1
 * (out of memory). */
int  fault_plan_init(struct fault_plan *p, const struct scenario *s, uint64_t seed,
		     fault_resolve_fn *resolve, fault_client_fn *client_action, void *ctx);
void fault_plan_free(struct fault_plan *p);

/* Schedules every fault and the `end:` actions on the world's kernel. */
int  fault_plan_schedule(struct fault_plan *p, struct world *w);
/* The runner forwards WORLD_EV_RUNNER events of the fault plan here; returns false if the
 * event is not the plan's. */
bool fault_plan_handle(struct fault_plan *p, struct world *w, const struct sim_event *ev);

/* Writes fault i as a scenario `faults:` item, e.g. "{at: 12500us, crash: 2, for: 3s}". */
char *fault_format(const struct fault_plan *p, uint32_t i, char *buf, size_t cap);

#endif
