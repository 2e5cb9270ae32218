/*
 * scen_load.c — the scenario loader's entry points (scenario-format 2, 11.9): reading a file
 * within the size limit, refusing binary or non-UTF-8 input, the top-level keys (name,
 * description, seed, duration, end), the order in which sections are loaded, error printing,
 * and the small lookups the runner uses on a loaded scenario.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/limits.h"
#include "sim/scen_internal.h"
#include "sim/units.h"

__extension__ typedef unsigned __int128 u128;

#define SETTLE_DEFAULT_US (60 * INT64_C(1000000))

static const char *const top_keys[] = {
	"name", "description", "seed", "duration", "end", "cluster", "topics", "producers",
	"consumers", "faults", "nemesis", "expect", NULL,
};

static const char *const end_keys[] = {"heal", "settle", NULL};

/* The line and column of byte `off`, for errors found before YAML parsing. */
static struct scen_pos pos_of_offset(const char *buf, size_t off)
{
	struct scen_pos p = {1, 1};
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			p.line++;
			p.col = 1;
		} else {
			p.col++;
		}
	}
	return p;
}

static bool check_bytes(struct scen_ld *ld, const char *buf, size_t len)
{
	if (len > LIMIT_FILE_BYTES) {
		scen_err(ld, (struct scen_pos){0, 0}, "the file is %zu bytes, above the limit of "
			 "16 MiB (11.9)", len);
		return false;
	}
	const char *nul = memchr(buf, '\0', len);
	if (nul != NULL) {
		scen_err(ld, pos_of_offset(buf, (size_t)(nul - buf)),
			 "the file holds a NUL byte: a scenario is UTF-8 text, not binary data");
		return false;
	}
	size_t ok = scen_utf8_prefix((const unsigned char *)buf, len);
	if (ok != len) {
		scen_err(ld, pos_of_offset(buf, ok), "the file is not valid UTF-8 (byte 0x%02x)",
			 (unsigned)(unsigned char)buf[ok]);
		return false;
	}
	return true;
}

static void missing(struct scen_ld *ld, const struct ynode *map, const char *key,
		    const char *where)
{
	scen_errn(ld, map, "missing required key `%s` %s", key, where);
}

/* --- top level -------------------------------------------------------------------------- */

static void load_end(struct scen_ld *ld, const struct ynode *n)
{
	struct scenario *s = ld->s;
	s->end_heal = true;
	s->settle_us = SETTLE_DEFAULT_US;
	if (n == NULL || ynode_is_null(n))
		return;
	const struct map_spec spec = {end_keys, MAP_CFG_NONE, "in `end`"};
	if (!scen_map_check(ld, n, &spec))
		return;
	const struct ynode *v = ymap_get(n, "heal");
	if (v != NULL)
		scen_get_bool(ld, v, "`end.heal`", &s->end_heal);
	v = ymap_get(n, "settle");
	if (v != NULL)
		scen_get_time(ld, v, "`end.settle`", false, false, &s->settle_us);
}

static void check_run_length(struct scen_ld *ld, const struct ynode *at)
{
	struct scenario *s = ld->s;
	if (s->duration_us <= LIMIT_RUN_US - s->settle_us)
		return;
	char d[48], st[48];
	scen_errn(ld, at, "duration + settle is %s + %s, above the limit of 366d (11.9)",
		  units_format_time(s->duration_us, d, sizeof(d)),
		  units_format_time(s->settle_us, st, sizeof(st)));
	s->settle_us = 0;
	s->duration_us = 1;
}

static void load_header(struct scen_ld *ld, const struct ynode *root)
{
	struct scenario *s = ld->s;
	const struct ynode *v = ymap_get(root, "name");
	if (v == NULL)
		missing(ld, root, "name", "at the top level");
	else if (scen_get_string(ld, v, "`name`", &s->name) && s->name[0] == '\0')
		scen_errn(ld, v, "`name` must not be empty");
	v = ymap_get(root, "description");
	if (v != NULL && !ynode_is_null(v))
		scen_get_string(ld, v, "`description`", &s->description);
	s->seed = 1;
	v = ymap_get(root, "seed");
	if (v != NULL)
		scen_get_u64(ld, v, "`seed`", 0, UINT64_MAX, &s->seed);
	v = ymap_get(root, "duration");
	s->duration_us = 1;
	if (v == NULL)
		missing(ld, root, "duration", "at the top level");
	else
		scen_get_time(ld, v, "`duration`", false, true, &s->duration_us);
	load_end(ld, ymap_get(root, "end"));
	check_run_length(ld, v != NULL ? v : root);
}

/* 11.9 counts partitions in all: with consumer groups, __consumer_offsets is created too. */
static void check_partitions_with_offsets(struct scen_ld *ld)
{
	const struct scenario *s = ld->s;
	if (s->group_count == 0)
		return;
	uint64_t total = s->offsets_partitions;
	for (uint32_t i = 0; i < s->topic_count; i++)
		total += s->topics[i].partitions;
	if (total <= LIMIT_PARTITIONS_TOTAL)
		return;
	scen_errn(ld, ld->consumers_node, "topics and __consumer_offsets (offsets.topic.num."
		  "partitions: %u, created for consumer groups) hold %llu partitions, above the "
		  "limit of %d (11.9)", s->offsets_partitions, (unsigned long long)total,
		  LIMIT_PARTITIONS_TOTAL);
}

static void load_sections(struct scen_ld *ld, const struct ynode *root)
{
	const struct map_spec spec = {top_keys, MAP_CFG_NONE, "at the top level"};
	if (root->kind != YN_MAP) {
		scen_errn(ld, root, "the top level of a scenario must be a mapping (name: ..., "
			  "duration: ..., cluster: ...), not %s",
			  root->kind == YN_SEQ ? "a list" : "a single value");
		return;
	}
	if (!scen_map_check(ld, root, &spec))
		return;
	ld->root = root;
	load_header(ld, root);
	scen_load_cluster(ld, ymap_get(root, "cluster"));
	scen_load_topics(ld, ymap_get(root, "topics"));
	ld->producers_node = ymap_get(root, "producers");
	ld->consumers_node = ymap_get(root, "consumers");
	scen_load_clients(ld);
	check_partitions_with_offsets(ld);
	scen_load_faults(ld, ymap_get(root, "faults"));
	scen_load_nemesis(ld, ymap_get(root, "nemesis"));
	scen_load_expect(ld, ymap_get(root, "expect"));
}

/* What a loaded scenario promises the runner; only reached without errors, so a failure here
 * is a loader bug (the fuzz target checks the same and more). */
static void assert_whole(const struct scenario *s)
{
	assert(s->name != NULL);
	assert(s->duration_us > 0);
	assert(s->cluster.broker_count >= 1);
	assert(s->client_count <= LIMIT_CLIENTS);
	assert(s->fault_count <= LIMIT_FAULTS);
	assert(s->records_total <= LIMIT_RECORDS_TOTAL);
	for (uint32_t i = 0; i < s->producer_count; i++)
		assert(s->producers[i].client < s->client_count);
	for (uint32_t i = 0; i < s->topic_count; i++)
		assert(s->topics[i].replicas != NULL);
	for (uint32_t i = 0; i < s->fault_count; i++)
		assert(s->faults[i].index == i);
	for (uint32_t i = 0; i < s->expect_count; i++)
		assert(s->expects[i].text != NULL);
}

/* --- entry points ----------------------------------------------------------------------- */

static void errors_reset(struct scen_errors *errs, const char *name)
{
	memset(errs, 0, sizeof(*errs));
	snprintf(errs->file, sizeof(errs->file), "%s", name != NULL ? name : "(scenario)");
}

static struct scenario *scenario_new(struct scen_ld *ld, const char *name)
{
	struct scen_arena *a = scen_arena_new();
	if (a == NULL)
		return NULL;
	struct scenario *s = scen_arena_array(a, 1, sizeof(*s));
	if (s == NULL) {
		scen_arena_free(a);
		return NULL;
	}
	s->arena = a;
	s->file = scen_arena_strndup(a, name, strlen(name));
	ld->s = s;
	ld->a = a;
	return s->file != NULL ? s : NULL;
}

int scen_load_buffer(const char *name, const char *buf, size_t len, struct scenario **out,
		     struct scen_errors *errs)
{
	assert(out != NULL && errs != NULL);
	*out = NULL;
	name = name != NULL ? name : "(scenario)";
	errors_reset(errs, name);
	struct scen_ld ld = {.errs = errs, .buf = buf, .len = len};
	if (buf == NULL && len > 0) {
		scen_err(&ld, (struct scen_pos){0, 0}, "no input");
		return 1;
	}
	if (!check_bytes(&ld, buf != NULL ? buf : "", len))
		return 1;
	ld.tmp = scen_arena_new();
	struct scenario *s = ld.tmp != NULL ? scenario_new(&ld, name) : NULL;
	if (s == NULL) {
		scen_oom(&ld);
	} else {
		const struct ynode *root = scen_yaml_parse(&ld, buf != NULL ? buf : "", len);
		if (root != NULL && !ld.oom)
			load_sections(&ld, root);
	}
	scen_arena_free(ld.tmp);
	if (scen_err_count(&ld) > 0) {
		if (s != NULL)
			scen_free(s);
		else if (ld.a != NULL)
			scen_arena_free(ld.a);
		return 1;
	}
	assert_whole(s);
	*out = s;
	return 0;
}

static int read_all(int fd, size_t size_hint, char **buf, size_t *len)
{
	size_t cap = size_hint + 1, n = 0;
	char *b = malloc(cap);
	if (b == NULL)
		return ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > LIMIT_FILE_BYTES) {
				break;  /* grew while we read: the caller reports the size */
			}
			char *nb = realloc(b, cap * 2);
			if (nb == NULL) {
				free(b);
				return ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(b);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

static int file_error(struct scen_errors *errs, const char *msg, int e)
{
	errs->count = 1;
	errs->items[0].pos = (struct scen_pos){0, 0};
	if (e != 0)
		snprintf(errs->items[0].msg, sizeof(errs->items[0].msg), "%s: %s", msg,
			 strerror(e));
	else
		snprintf(errs->items[0].msg, sizeof(errs->items[0].msg), "%s", msg);
	return 1;
}

int scen_load_file(const char *path, struct scenario **out, struct scen_errors *errs)
{
	assert(out != NULL && errs != NULL && path != NULL);
	*out = NULL;
	errors_reset(errs, path);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return file_error(errs, "cannot open the file", errno);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return file_error(errs, "cannot stat the file", e);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return file_error(errs, "not a regular file", 0);
	}
	if (st.st_size > (off_t)LIMIT_FILE_BYTES) {
		close(fd);
		char msg[128];
		snprintf(msg, sizeof(msg), "the file is %lld bytes, above the limit of 16 MiB "
			 "(11.9)", (long long)st.st_size);
		return file_error(errs, msg, 0);
	}
	char *buf = NULL;
	size_t len = 0;
	int e = read_all(fd, (size_t)st.st_size, &buf, &len);
	close(fd);
	if (e != 0)
		return file_error(errs, "cannot read the file", e);
	int rc = scen_load_buffer(path, buf, len, out, errs);
	free(buf);
	return rc;
}

void scen_free(struct scenario *s)
{
	if (s != NULL)
		scen_arena_free(s->arena);
}

void scen_errors_print(const struct scen_errors *errs, FILE *f)
{
	for (uint32_t i = 0; i < errs->count; i++) {
		const struct scen_error *e = &errs->items[i];
		if (e->pos.line == 0)
			fprintf(f, "%s: %s\n", errs->file, e->msg);
		else
			fprintf(f, "%s:%u:%u: %s\n", errs->file, e->pos.line, e->pos.col, e->msg);
	}
	if (errs->dropped > 0)
		fprintf(f, "%s: %u more error%s not shown\n", errs->file, errs->dropped,
			errs->dropped == 1 ? "" : "s");
}

void scen_errors_free(struct scen_errors *errs)
{
	if (errs != NULL) {
		errs->count = 0;
		errs->dropped = 0;
	}
}

/* --- lookups for the runner ------------------------------------------------------------- */

int64_t scen_record_due_us(const struct scen_producer *p, uint64_t i)
{
	assert(p->rate.count > 0 && p->rate.per_us > 0);
	u128 off = (u128)i * p->rate.per_us / p->rate.count;
	u128 due = (u128)(uint64_t)p->start_us + off;
	return due > (u128)INT64_MAX ? INT64_MAX : (int64_t)due;
}

int scen_topic_find(const struct scenario *s, const char *name)
{
	for (uint32_t i = 0; i < s->topic_count; i++)
		if (strcmp(s->topics[i].name, name) == 0)
			return (int)i;
	return -1;
}

int scen_client_find(const struct scenario *s, const char *id)
{
	for (uint32_t i = 0; i < s->client_count; i++)
		if (strcmp(s->clients[i].id, id) == 0)
			return (int)i;
	return -1;
}

int scen_broker_index(const struct scenario *s, int32_t id)
{
	uint32_t lo = 0, hi = s->cluster.broker_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int32_t m = s->cluster.brokers[mid].id;
		if (m == id)
			return (int)mid;
		if (m < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
