/*
 * net.c — the simulated network's state: links and their in-order delivery rule, fault rules,
 * packet and blob pools, and the connection table (see net.h for the rules it decides).
 *
 * Nothing here depends on pointer values or on hash iteration order: the hash maps are only
 * ever probed by key, and every list that is walked (rules, a node's connection ends) is kept
 * in creation order.
 */
#include "sim/net.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define POOL_CHUNK_SHIFT 10
#define POOL_CHUNK       (UINT32_C(1) << POOL_CHUNK_SHIFT)
#define BLOB_MIN_SHIFT   6
#define BLOB_CLASSES     26
#define BLOB_MAX         (UINT32_C(1) << (BLOB_MIN_SHIFT + BLOB_CLASSES - 1))

struct net_link {
	uint64_t    key;              /* (from << 32) | to */
	int64_t     last_arrival_us;  /* the FIFO floor: no later packet arrives before it */
	struct prng prng;             /* this direction's own stream: jitter and drop draws */
};

enum rule_kind { RULE_PARTITION, RULE_ISOLATE, RULE_LINK };

struct rule_member {
	uint32_t node;
	uint32_t group;
};

struct net_rule {
	net_fault_id           id;
	enum rule_kind         kind;
	uint32_t               a;         /* isolate: the node; link: from */
	uint32_t               b;         /* link: to */
	struct net_link_params link;
	struct rule_member    *members;   /* partition: sorted by node */
	uint32_t               nmembers;
};

struct net_conn_entry {
	conn_id  id;      /* 0 = empty */
	uint32_t slot;
};

static uint64_t link_key(uint32_t from, uint32_t to)
{
	return ((uint64_t)from << 32) | to;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/* ---- pools -------------------------------------------------------------------------------- */

void net_pool_init(struct net_pool *p, uint32_t elem_size)
{
	assert(elem_size > 0);
	memset(p, 0, sizeof(*p));
	p->elem_size = elem_size;
}

void net_pool_free(struct net_pool *p)
{
	for (uint32_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	free(p->free_idx);
	memset(p, 0, sizeof(*p));
}

void *net_pool_at(const struct net_pool *p, uint32_t slot)
{
	assert(slot < p->fresh);
	char *chunk = p->chunks[slot >> POOL_CHUNK_SHIFT];
	return chunk + (size_t)(slot & (POOL_CHUNK - 1)) * p->elem_size;
}

/* Adds one chunk; the free stack grows with it, so releasing a slot never allocates. */
static bool pool_grow(struct net_pool *p)
{
	if (p->nchunks == (NET_NONE >> POOL_CHUNK_SHIFT))
		return false;
	uint32_t cap = (p->nchunks + 1) * POOL_CHUNK;
	uint32_t *idx = realloc(p->free_idx, sizeof(*idx) * cap);
	if (idx == NULL)
		return false;
	p->free_idx = idx;
	p->free_cap = cap;
	char **chunks = realloc(p->chunks, sizeof(*chunks) * (p->nchunks + 1));
	if (chunks == NULL)
		return false;
	p->chunks = chunks;
	char *chunk = calloc(POOL_CHUNK, p->elem_size);
	if (chunk == NULL)
		return false;
	p->chunks[p->nchunks++] = chunk;
	return true;
}

uint32_t net_pool_alloc(struct net_pool *p)
{
	uint32_t slot;
	if (p->free_len > 0) {
		slot = p->free_idx[--p->free_len];
	} else {
		if (p->fresh == p->nchunks * POOL_CHUNK && !pool_grow(p))
			return NET_NONE;
		slot = p->fresh++;
	}
	p->live++;
	return slot;
}

void net_pool_release(struct net_pool *p, uint32_t slot)
{
	assert(slot < p->fresh);
	assert(p->live > 0);
	assert(p->free_len < p->free_cap);
	p->free_idx[p->free_len++] = slot;
	p->live--;
}

/* ---- setup -------------------------------------------------------------------------------- */

int net_init(struct net *n, uint64_t root_seed, const struct net_params *defaults)
{
	assert(defaults->latency_us >= 0);
	assert(defaults->client_latency_us >= 0);
	assert(defaults->jitter_us >= 0);
	assert(defaults->drop_ratio <= PRNG_RATIO_ONE);
	memset(n, 0, sizeof(*n));
	n->root_seed = root_seed;
	n->defaults = *defaults;
	n->next_fault = 1;
	n->next_conn = 1;
	net_pool_init(&n->packets, sizeof(struct net_packet));
	net_pool_init(&n->conns, sizeof(struct net_conn));
	n->link_mask = 63;
	n->link_index = calloc(n->link_mask + 1, sizeof(*n->link_index));
	n->conn_mask = 63;
	n->conn_index = calloc(n->conn_mask + 1, sizeof(*n->conn_index));
	if (n->link_index == NULL || n->conn_index == NULL) {
		net_free(n);
		return NET_ERR_NOMEM;
	}
	return NET_OK;
}

void net_free(struct net *n)
{
	for (uint32_t i = 0; i < n->packets.fresh; i++) {
		struct net_packet *pk = net_pool_at(&n->packets, i);
		free(pk->blob);   /* freed slots keep blob = NULL */
	}
	for (uint32_t c = 0; c < BLOB_CLASSES; c++) {
		while (n->blob_free[c] != NULL) {
			void *next;
			memcpy(&next, n->blob_free[c], sizeof(next));
			free(n->blob_free[c]);
			n->blob_free[c] = next;
		}
	}
	net_heal(n);
	free(n->rules);
	free(n->links);
	free(n->link_index);
	free(n->client);
	free(n->end_head);
	free(n->end_tail);
	free(n->conn_index);
	net_pool_free(&n->packets);
	net_pool_free(&n->conns);
	memset(n, 0, sizeof(*n));
}

static bool grow_nodes(struct net *n)
{
	uint32_t cap = n->node_cap ? n->node_cap * 2 : 16;
	bool *client = realloc(n->client, sizeof(*client) * cap);
	if (client == NULL)
		return false;
	n->client = client;
	uint32_t *head = realloc(n->end_head, sizeof(*head) * cap);
	if (head == NULL)
		return false;
	n->end_head = head;
	uint32_t *tail = realloc(n->end_tail, sizeof(*tail) * cap);
	if (tail == NULL)
		return false;
	n->end_tail = tail;
	n->node_cap = cap;
	return true;
}

int net_add_node(struct net *n, bool client)
{
	if (n->node_count == n->node_cap && !grow_nodes(n))
		return NET_ERR_NOMEM;
	n->client[n->node_count] = client;
	n->end_head[n->node_count] = NET_NONE;
	n->end_tail[n->node_count] = NET_NONE;
	n->node_count++;
	return NET_OK;
}

/* ---- links -------------------------------------------------------------------------------- */

static uint32_t link_lookup(const struct net *n, uint64_t key)
{
	uint32_t i = (uint32_t)mix64(key) & n->link_mask;
	for (;;) {
		uint32_t v = n->link_index[i];
		if (v == 0)
			return NET_NONE;
		if (n->links[v - 1].key == key)
			return v - 1;
		i = (i + 1) & n->link_mask;
	}
}

static void link_index_put(uint32_t *index, uint32_t mask, uint64_t key, uint32_t link)
{
	uint32_t i = (uint32_t)mix64(key) & mask;
	while (index[i] != 0)
		i = (i + 1) & mask;
	index[i] = link + 1;
}

/* Keeps the index at most half full. */
static bool link_index_grow(struct net *n)
{
	uint32_t mask = n->link_mask * 2 + 1;
	uint32_t *index = calloc((size_t)mask + 1, sizeof(*index));
	if (index == NULL)
		return false;
	for (uint32_t l = 0; l < n->link_count; l++)
		link_index_put(index, mask, n->links[l].key, l);
	free(n->link_index);
	n->link_index = index;
	n->link_mask = mask;
	return true;
}

static uint32_t link_create(struct net *n, uint32_t from, uint32_t to)
{
	if ((n->link_count + 1) * 2 > n->link_mask + 1 && !link_index_grow(n))
		return NET_NONE;
	if (n->link_count == n->link_cap) {
		uint32_t cap = n->link_cap ? n->link_cap * 2 : 64;
		struct net_link *links = realloc(n->links, sizeof(*links) * cap);
		if (links == NULL)
			return NET_NONE;
		n->links = links;
		n->link_cap = cap;
	}
	uint32_t l = n->link_count++;
	struct net_link *lk = &n->links[l];
	lk->key = link_key(from, to);
	lk->last_arrival_us = INT64_MIN;
	/* Its own stream: the order in which links are created does not matter. */
	prng_child(&lk->prng, n->root_seed, PRNG_STREAM_NETWORK, lk->key);
	link_index_put(n->link_index, n->link_mask, lk->key, l);
	return l;
}

uint32_t net_link(struct net *n, uint32_t from, uint32_t to)
{
	assert(from < n->node_count);
	assert(to < n->node_count);
	uint32_t l = link_lookup(n, link_key(from, to));
	if (l != NET_NONE)
		return l;
	return link_create(n, from, to);
}

static uint32_t link_from(const struct net_link *lk)
{
	return (uint32_t)(lk->key >> 32);
}

static uint32_t link_to(const struct net_link *lk)
{
	return (uint32_t)lk->key;
}

int64_t net_link_arrival(struct net *n, uint32_t link, int64_t now_us)
{
	assert(link < n->link_count);
	struct net_link *lk = &n->links[link];
	uint32_t from = link_from(lk);
	uint32_t to = link_to(lk);
	int64_t at = now_us + net_latency_us(n, from, to);
	int64_t jitter = net_jitter_us(n, from, to);
	if (jitter > 0)
		at += prng_range(&lk->prng, 0, jitter);
	if (at < lk->last_arrival_us)
		at = lk->last_arrival_us;   /* one TCP connection: never overtake */
	lk->last_arrival_us = at;
	assert(at >= now_us);
	return at;
}

enum net_verdict net_link_verdict(struct net *n, uint32_t link)
{
	assert(link < n->link_count);
	struct net_link *lk = &n->links[link];
	uint32_t from = link_from(lk);
	uint32_t to = link_to(lk);
	if (net_is_cut(n, from, to))
		return NET_LOST_CUT;
	uint64_t drop = net_drop_ratio(n, from, to);
	if (drop == 0)
		return NET_PASS;
	if (drop >= PRNG_RATIO_ONE)
		return NET_LOST_DROP;
	return prng_chance(&lk->prng, drop) ? NET_LOST_DROP : NET_PASS;
}

/* ---- effective values under the active rules ---------------------------------------------- */

static bool rule_links(const struct net_rule *r, uint32_t from, uint32_t to)
{
	return r->kind == RULE_LINK && r->a == from && r->b == to;
}

/* The newest active link fault on from -> to that sets the field at `offset`, else NET_KEEP. */
static int64_t link_override(const struct net *n, uint32_t from, uint32_t to, size_t offset)
{
	for (uint32_t i = n->rule_count; i-- > 0;) {
		const struct net_rule *r = &n->rules[i];
		if (!rule_links(r, from, to))
			continue;
		int64_t v;
		memcpy(&v, (const char *)&r->link + offset, sizeof(v));
		if (v != NET_KEEP)
			return v;
	}
	return NET_KEEP;
}

int64_t net_latency_us(const struct net *n, uint32_t from, uint32_t to)
{
	int64_t v = NET_KEEP;
	if (n->rule_count > 0)
		v = link_override(n, from, to, offsetof(struct net_link_params, latency_us));
	if (v != NET_KEEP)
		return v;
	if (n->client[from] || n->client[to])
		return n->defaults.client_latency_us;
	return n->defaults.latency_us;
}

int64_t net_jitter_us(const struct net *n, uint32_t from, uint32_t to)
{
	int64_t v = NET_KEEP;
	if (n->rule_count > 0)
		v = link_override(n, from, to, offsetof(struct net_link_params, jitter_us));
	return v != NET_KEEP ? v : n->defaults.jitter_us;
}

uint64_t net_drop_ratio(const struct net *n, uint32_t from, uint32_t to)
{
	int64_t v = NET_KEEP;
	if (n->rule_count > 0)
		v = link_override(n, from, to, offsetof(struct net_link_params, drop_ratio));
	return v != NET_KEEP ? (uint64_t)v : n->defaults.drop_ratio;
}

/* The group of `node` in a partition rule, or NET_NONE if it is not listed. */
static uint32_t member_group(const struct net_rule *r, uint32_t node)
{
	uint32_t lo = 0;
	uint32_t hi = r->nmembers;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (r->members[mid].node < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->nmembers && r->members[lo].node == node)
		return r->members[lo].group;
	return NET_NONE;
}

static bool rule_cuts(const struct net_rule *r, uint32_t from, uint32_t to)
{
	switch (r->kind) {
	case RULE_PARTITION: {
		uint32_t gf = member_group(r, from);
		uint32_t gt = member_group(r, to);
		return gf != NET_NONE && gt != NET_NONE && gf != gt;
	}
	case RULE_ISOLATE:
		return from != to && (from == r->a || to == r->a);
	case RULE_LINK:
		return rule_links(r, from, to) && r->link.drop_ratio == (int64_t)PRNG_RATIO_ONE;
	}
	assert(false && "unknown rule kind");
	return false;
}

bool net_is_cut(const struct net *n, uint32_t from, uint32_t to)
{
	for (uint32_t i = 0; i < n->rule_count; i++)
		if (rule_cuts(&n->rules[i], from, to))
			return true;
	return false;
}

/* ---- faults ------------------------------------------------------------------------------- */

static struct net_rule *rule_push(struct net *n, enum rule_kind kind, net_fault_id *id)
{
	if (n->rule_count == n->rule_cap) {
		uint32_t cap = n->rule_cap ? n->rule_cap * 2 : 8;
		struct net_rule *rules = realloc(n->rules, sizeof(*rules) * cap);
		if (rules == NULL)
			return NULL;
		n->rules = rules;
		n->rule_cap = cap;
	}
	assert(n->next_fault != 0);
	struct net_rule *r = &n->rules[n->rule_count++];
	memset(r, 0, sizeof(*r));
	r->id = n->next_fault++;
	r->kind = kind;
	*id = r->id;
	return r;
}

static int member_cmp(const void *a, const void *b)
{
	const struct rule_member *x = a;
	const struct rule_member *y = b;
	return (x->node > y->node) - (x->node < y->node);
}

/* The listed nodes, sorted by node; NULL with *err set on a bad list or no memory. */
static struct rule_member *members_make(const struct net *n, const struct net_group *groups,
					uint32_t ngroups, uint32_t *count, int *err)
{
	uint64_t total = 0;
	for (uint32_t g = 0; g < ngroups; g++) {
		*err = NET_ERR_INVALID;
		if (groups[g].count == 0)
			return NULL;
		total += groups[g].count;
	}
	*err = NET_ERR_NOMEM;
	struct rule_member *m = malloc(sizeof(*m) * (size_t)total);
	if (m == NULL)
		return NULL;
	uint32_t k = 0;
	for (uint32_t g = 0; g < ngroups; g++) {
		for (uint32_t i = 0; i < groups[g].count; i++) {
			assert(groups[g].nodes[i] < n->node_count);
			m[k++] = (struct rule_member){groups[g].nodes[i], g};
		}
	}
	qsort(m, k, sizeof(*m), member_cmp);
	for (uint32_t i = 1; i < k; i++) {
		if (m[i].node == m[i - 1].node) {
			free(m);
			*err = NET_ERR_INVALID;
			return NULL;
		}
	}
	*count = k;
	return m;
}

int net_partition(struct net *n, const struct net_group *groups, uint32_t ngroups,
		  net_fault_id *id)
{
	if (ngroups < 2)
		return NET_ERR_INVALID;
	uint32_t count = 0;
	int err = NET_OK;
	struct rule_member *m = members_make(n, groups, ngroups, &count, &err);
	if (m == NULL)
		return err;
	struct net_rule *r = rule_push(n, RULE_PARTITION, id);
	if (r == NULL) {
		free(m);
		return NET_ERR_NOMEM;
	}
	r->members = m;
	r->nmembers = count;
	return NET_OK;
}

int net_isolate(struct net *n, uint32_t node, net_fault_id *id)
{
	assert(node < n->node_count);
	struct net_rule *r = rule_push(n, RULE_ISOLATE, id);
	if (r == NULL)
		return NET_ERR_NOMEM;
	r->a = node;
	return NET_OK;
}

static bool link_params_valid(const struct net_link_params *p)
{
	if (p->latency_us < 0 && p->latency_us != NET_KEEP)
		return false;
	if (p->jitter_us < 0 && p->jitter_us != NET_KEEP)
		return false;
	if (p->drop_ratio < 0 && p->drop_ratio != NET_KEEP)
		return false;
	return p->drop_ratio <= (int64_t)PRNG_RATIO_ONE;
}

int net_link_fault(struct net *n, uint32_t from, uint32_t to, const struct net_link_params *p,
		   net_fault_id *id)
{
	assert(from < n->node_count);
	assert(to < n->node_count);
	if (from == to || !link_params_valid(p))
		return NET_ERR_INVALID;
	struct net_rule *r = rule_push(n, RULE_LINK, id);
	if (r == NULL)
		return NET_ERR_NOMEM;
	r->a = from;
	r->b = to;
	r->link = *p;
	return NET_OK;
}

bool net_undo(struct net *n, net_fault_id id)
{
	for (uint32_t i = 0; i < n->rule_count; i++) {
		if (n->rules[i].id != id)
			continue;
		free(n->rules[i].members);
		/* Keep creation order: "most recent wins" reads it. */
		memmove(&n->rules[i], &n->rules[i + 1],
			sizeof(*n->rules) * (n->rule_count - i - 1));
		n->rule_count--;
		return true;
	}
	return false;
}

void net_heal(struct net *n)
{
	for (uint32_t i = 0; i < n->rule_count; i++)
		free(n->rules[i].members);
	n->rule_count = 0;
}

uint32_t net_active_faults(const struct net *n)
{
	return n->rule_count;
}

/* ---- packets and blobs -------------------------------------------------------------------- */

static uint32_t blob_class(uint32_t len)
{
	uint32_t c = 0;
	while ((UINT32_C(1) << (BLOB_MIN_SHIFT + c)) < len)
		c++;
	assert(c < BLOB_CLASSES);
	return c;
}

static void *blob_get(struct net *n, uint32_t len)
{
	uint32_t c = blob_class(len);
	void *b = n->blob_free[c];
	if (b != NULL) {
		memcpy(&n->blob_free[c], b, sizeof(void *));
		return b;
	}
	return malloc((size_t)1 << (BLOB_MIN_SHIFT + c));
}

static void blob_put(struct net *n, void *b, uint32_t len)
{
	uint32_t c = blob_class(len);
	memcpy(b, &n->blob_free[c], sizeof(void *));
	n->blob_free[c] = b;
}

uint32_t net_packet_new(struct net *n, enum net_pkt_kind kind, uint32_t link, uint32_t conn,
			uint8_t side)
{
	assert(link < n->link_count);
	assert(side <= 1);
	uint32_t p = net_pool_alloc(&n->packets);
	if (p == NET_NONE)
		return NET_NONE;
	struct net_packet *pk = net_packet_at(n, p);
	memset(pk, 0, offsetof(struct net_packet, blob));
	pk->blob = NULL;
	pk->blob_len = 0;
	pk->kind = (uint8_t)kind;
	pk->link = link;
	pk->from = link_from(&n->links[link]);
	pk->to = link_to(&n->links[link]);
	pk->conn = conn;
	pk->side = side;
	net_conn_hold(n, conn);
	return p;
}

struct net_packet *net_packet_at(const struct net *n, uint32_t pkt)
{
	return net_pool_at(&n->packets, pkt);
}

int net_packet_set_blob(struct net *n, uint32_t pkt, const void *blob, uint32_t len)
{
	struct net_packet *pk = net_packet_at(n, pkt);
	assert(pk->blob == NULL);
	if (len == 0)
		return NET_OK;
	if (len > BLOB_MAX)
		return NET_ERR_INVALID;
	void *b = blob_get(n, len);
	if (b == NULL)
		return NET_ERR_NOMEM;
	memcpy(b, blob, len);
	pk->blob = b;
	pk->blob_len = len;
	return NET_OK;
}

void net_packet_free(struct net *n, uint32_t pkt)
{
	struct net_packet *pk = net_packet_at(n, pkt);
	uint32_t conn = pk->conn;
	if (pk->blob != NULL)
		blob_put(n, pk->blob, pk->blob_len);
	pk->blob = NULL;
	pk->blob_len = 0;
	net_pool_release(&n->packets, pkt);
	net_conn_release(n, conn);
}

/* ---- connection id map: open addressing, linear probing, backward-shift deletion ---------- */

static uint32_t conn_home(const struct net *n, conn_id id)
{
	return (uint32_t)(mix64(id) & n->conn_mask);
}

static uint32_t conn_probe(const struct net *n, conn_id id)
{
	uint32_t i = conn_home(n, id);
	while (n->conn_index[i].id != 0 && n->conn_index[i].id != id)
		i = (i + 1) & n->conn_mask;
	return i;
}

static bool conn_index_grow(struct net *n)
{
	uint32_t old_mask = n->conn_mask;
	struct net_conn_entry *old = n->conn_index;
	struct net_conn_entry *index = calloc((size_t)old_mask * 2 + 2, sizeof(*index));
	if (index == NULL)
		return false;
	n->conn_index = index;
	n->conn_mask = old_mask * 2 + 1;
	for (uint32_t i = 0; i <= old_mask; i++)
		if (old[i].id != 0)
			n->conn_index[conn_probe(n, old[i].id)] = old[i];
	free(old);
	return true;
}

static bool conn_index_put(struct net *n, conn_id id, uint32_t slot)
{
	if ((n->conn_index_len + 1) * 2 > n->conn_mask + 1 && !conn_index_grow(n))
		return false;
	uint32_t i = conn_probe(n, id);
	assert(n->conn_index[i].id == 0);
	n->conn_index[i] = (struct net_conn_entry){id, slot};
	n->conn_index_len++;
	return true;
}

/* True if h lies cyclically in (i, j]. */
static bool cyclic_between(uint32_t i, uint32_t h, uint32_t j)
{
	return i <= j ? (i < h && h <= j) : (i < h || h <= j);
}

static void conn_index_del(struct net *n, conn_id id)
{
	uint32_t i = conn_probe(n, id);
	assert(n->conn_index[i].id == id);
	uint32_t j = i;
	for (;;) {
		j = (j + 1) & n->conn_mask;
		if (n->conn_index[j].id == 0)
			break;
		if (cyclic_between(i, conn_home(n, n->conn_index[j].id), j))
			continue;   /* already as close to home as it can be */
		n->conn_index[i] = n->conn_index[j];
		i = j;
	}
	n->conn_index[i] = (struct net_conn_entry){0, 0};
	n->conn_index_len--;
}

/* ---- connections -------------------------------------------------------------------------- */

struct net_conn *net_conn_at(const struct net *n, uint32_t slot)
{
	return net_pool_at(&n->conns, slot);
}

uint32_t net_conn_find(const struct net *n, conn_id id)
{
	if (id == 0)
		return NET_NONE;
	uint32_t i = conn_probe(n, id);
	return n->conn_index[i].id == id ? n->conn_index[i].slot : NET_NONE;
}

uint32_t net_conn_new(struct net *n, uint32_t from, uint32_t to)
{
	assert(from < n->node_count);
	assert(to < n->node_count);
	assert(from != to);
	if (n->next_conn == 0)
		return NET_NONE;   /* 2^32 - 1 connections in one run: ids would repeat */
	uint32_t slot = net_pool_alloc(&n->conns);
	if (slot == NET_NONE)
		return NET_NONE;
	if (!conn_index_put(n, n->next_conn, slot)) {
		net_pool_release(&n->conns, slot);
		return NET_NONE;
	}
	struct net_conn *c = net_conn_at(n, slot);
	memset(c, 0, sizeof(*c));
	c->id = n->next_conn++;
	c->node[0] = from;
	c->node[1] = to;
	c->state[0] = NET_END_NONE;
	c->state[1] = NET_END_NONE;
	c->known[0] = true;
	c->timeout = SIM_HANDLE_NONE;
	c->prev[0] = c->prev[1] = c->next[0] = c->next[1] = NET_NONE;
	net_conn_set_state(n, slot, 0, NET_END_CONNECTING);
	return slot;
}

uint8_t net_conn_side(const struct net *n, uint32_t slot, uint32_t node)
{
	const struct net_conn *c = net_conn_at(n, slot);
	assert(c->node[0] == node || c->node[1] == node);
	return c->node[0] == node ? 0 : 1;
}

static bool end_listed(enum net_end_state st)
{
	return st == NET_END_CONNECTING || st == NET_END_OPEN;
}

static uint32_t *end_next(const struct net *n, uint32_t end)
{
	return &net_conn_at(n, end >> 1)->next[end & 1];
}

static uint32_t *end_prev(const struct net *n, uint32_t end)
{
	return &net_conn_at(n, end >> 1)->prev[end & 1];
}

static void end_link(struct net *n, uint32_t node, uint32_t end)
{
	uint32_t tail = n->end_tail[node];
	*end_prev(n, end) = tail;
	*end_next(n, end) = NET_NONE;
	if (tail == NET_NONE)
		n->end_head[node] = end;
	else
		*end_next(n, tail) = end;
	n->end_tail[node] = end;
}

static void end_unlink(struct net *n, uint32_t node, uint32_t end)
{
	uint32_t prev = *end_prev(n, end);
	uint32_t next = *end_next(n, end);
	if (prev == NET_NONE)
		n->end_head[node] = next;
	else
		*end_next(n, prev) = next;
	if (next == NET_NONE)
		n->end_tail[node] = prev;
	else
		*end_prev(n, next) = prev;
}

/* An end nobody can observe any more: closed, never opened, or open on a model that was never
 * told the id while the other end can no longer send or reset it. */
static bool end_done(const struct net_conn *c, uint8_t side)
{
	uint8_t st = c->state[side];
	if (st == NET_END_NONE || st == NET_END_CLOSED)
		return true;
	uint8_t other = c->state[side ^ 1];
	return st == NET_END_OPEN && !c->known[side] &&
	       (other == NET_END_NONE || other == NET_END_CLOSED);
}

static void conn_maybe_free(struct net *n, uint32_t slot)
{
	struct net_conn *c = net_conn_at(n, slot);
	if (c->inflight > 0 || !end_done(c, 0) || !end_done(c, 1))
		return;
	for (uint8_t side = 0; side < 2; side++)
		if (end_listed(c->state[side]))
			end_unlink(n, c->node[side], slot * 2 + side);
	conn_index_del(n, c->id);
	net_pool_release(&n->conns, slot);
}

void net_conn_set_state(struct net *n, uint32_t slot, uint8_t side, enum net_end_state st)
{
	struct net_conn *c = net_conn_at(n, slot);
	assert(side <= 1);
	enum net_end_state old = c->state[side];
	assert(old != NET_END_CLOSED);
	bool was = end_listed(old);
	bool is = end_listed(st);
	c->state[side] = (uint8_t)st;
	if (was && !is)
		end_unlink(n, c->node[side], slot * 2 + side);
	if (!was && is)
		end_link(n, c->node[side], slot * 2 + side);
	if (st == NET_END_CLOSED)
		conn_maybe_free(n, slot);
}

void net_conn_hold(struct net *n, uint32_t slot)
{
	struct net_conn *c = net_conn_at(n, slot);
	c->inflight++;
	assert(c->inflight > 0);
}

void net_conn_release(struct net *n, uint32_t slot)
{
	struct net_conn *c = net_conn_at(n, slot);
	assert(c->inflight > 0);
	c->inflight--;
	conn_maybe_free(n, slot);
}

uint32_t net_node_first_end(const struct net *n, uint32_t node)
{
	assert(node < n->node_count);
	return n->end_head[node];
}

uint32_t net_conn_live(const struct net *n)
{
	return n->conns.live;
}
