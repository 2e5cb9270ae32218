/*
 * main.c — the kafkasim command line (scenario-format 10).
 *
 *   kafkasim run FILE [--seed N] [--out DIR] [--json] [--trace FILE|-] [--quiet]
 *   kafkasim validate FILE...
 *   kafkasim partitioner --partitions N [--json] [--] KEY...
 *   kafkasim --version | --help
 *
 * Exit statuses: 0 every expectation held, 1 one failed, 2 bad input or usage, 3 the
 * simulator broke one of its own invariants. Output files are written under a temporary
 * name and renamed into place only when the run completes, so bad input or a crash
 * leaves nothing half-written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/partitioner.h"
#include "sim/assign_cli.h"
#include "sim/runner.h"
#include "sim/scenario.h"

static const char usage_text[] =
	"usage: kafkasim run FILE [--seed N] [--out DIR] [--json] [--trace FILE|-] [--quiet]\n"
	"       kafkasim validate FILE...\n"
	"       kafkasim report FILE [--seed N] --out DIR\n"
	"       kafkasim sweep FILE --seeds A..B [--jobs N] [--shard I/N] [--out DIR]\n"
	"       kafkasim partitioner --partitions N [--json] [--] KEY...\n"
	"       kafkasim assign [--strategy S --topics T:P,... --members M1,...] [--input FILE|-]"
	" [--json]\n"
	"       kafkasim --version | --help\n";

static const char help_text[] =
	"\n"
	"kafkasim simulates Apache Kafka 4.1 (KRaft) brokers, replication and clients over a\n"
	"virtual network with faults, deterministically from a seed.\n"
	"\n"
	"commands:\n"
	"  run FILE        run a scenario; print the timeline, topic state, metrics and\n"
	"                  expectations (or one JSON object with --json)\n"
	"    --seed N      override the scenario's seed (unsigned 64-bit)\n"
	"    --json        print the summary as one JSON object\n"
	"    --trace FILE  write the event trace as JSON Lines ('-' for stdout)\n"
	"    --out DIR     write trace.jsonl and summary.json into DIR\n"
	"    --quiet       print nothing; the exit status tells\n"
	"  validate FILE...  check scenario files, print every error\n"
	"  partitioner     print the partition Kafka's default partitioner picks per key\n"
	"    --partitions N  the topic's partition count\n"
	"    --json        one {\"key\": K, \"partition\": P} line per key\n"
	"  assign          print the assignment a strategy produces, one line per member\n"
	"    --strategy S  range | roundrobin | sticky | cooperative-sticky\n"
	"    --topics T:P,...  topics and partition counts\n"
	"    --members M1[:T1+T2],M2,...  member ids (and subscriptions; default all)\n"
	"    --input FILE|-  the whole question as JSON, with owned partitions\n"
	"    --json        {\"member\": [[\"topic\", partition], ...], ...}\n"
	"  report, sweep   not available in this version yet\n"
	"\n"
	"exit status: 0 expectations held, 1 an expectation failed, 2 bad input or usage,\n"
	"             3 the simulator broke one of its own invariants\n"
	"\n"
	"The scenario format is documented in docs/scenario-format.md.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kafkasim: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(usage_text, stderr);
	return EXIT_BAD_INPUT;
}

/* Parses a whole unsigned 64-bit decimal number. */
static bool parse_u64(const char *s, uint64_t *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* A file written under DIR/NAME.tmp and renamed into place by finish_file(). */
struct out_file {
	FILE *f;
	char  tmp[4200];
	char  path[4096];
};

static bool open_out(struct out_file *o, const char *dir, const char *name)
{
	int n = dir ? snprintf(o->path, sizeof(o->path), "%s/%s", dir, name)
		    : snprintf(o->path, sizeof(o->path), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(o->path) - 8)
		return false;
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", o->path);
	o->f = fopen(o->tmp, "w");
	return o->f != NULL;
}

static bool finish_out(struct out_file *o, bool keep)
{
	if (o->f == NULL)
		return true;
	bool ok = fclose(o->f) == 0;
	o->f = NULL;
	if (keep && ok)
		return rename(o->tmp, o->path) == 0;
	remove(o->tmp);
	return ok;
}

struct run_args {
	const char *file;
	const char *out_dir;
	const char *trace;
	uint64_t    seed;
	bool        seed_set;
	bool        json;
	bool        quiet;
};

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'},
		{"out", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{"trace", required_argument, NULL, 't'},
		{"quiet", no_argument, NULL, 'q'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!parse_u64(optarg, &a->seed))
				return usage_error("--seed needs an unsigned 64-bit integer, not '%s'",
						   optarg);
			a->seed_set = true;
			break;
		case 'o': a->out_dir = optarg; break;
		case 'j': a->json = true; break;
		case 't': a->trace = optarg; break;
		case 'q': a->quiet = true; break;
		case ':': return usage_error("option %s needs a value", argv[optind - 1]);
		default:  return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("run takes exactly one scenario FILE");
	a->file = argv[optind];
	if (a->json && a->trace && strcmp(a->trace, "-") == 0)
		return usage_error("--json and --trace - both want stdout");
	return -1;
}

static int make_dir(const char *dir)
{
	if (mkdir(dir, 0777) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "kafkasim: cannot create %s: %s\n", dir, strerror(errno));
	return -1;
}

static int cmd_run(int argc, char **argv)
{
	struct run_args a = {0};
	int rc = parse_run_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	if (scen_load_file(a.file, &s, &errs) != 0) {
		scen_errors_print(&errs, stderr);
		scen_errors_free(&errs);
		return EXIT_BAD_INPUT;
	}
	scen_errors_free(&errs);
	struct out_file trace = {0}, summary = {0};
	rc = EXIT_BAD_INPUT;
	if (a.out_dir != NULL && make_dir(a.out_dir) != 0)
		goto done;
	if (a.trace != NULL && strcmp(a.trace, "-") != 0 && !open_out(&trace, NULL, a.trace)) {
		fprintf(stderr, "kafkasim: cannot write %s: %s\n", a.trace, strerror(errno));
		goto done;
	}
	if (a.trace == NULL && a.out_dir != NULL && !open_out(&trace, a.out_dir, "trace.jsonl")) {
		fprintf(stderr, "kafkasim: cannot write into %s: %s\n", a.out_dir, strerror(errno));
		goto done;
	}
	if (a.out_dir != NULL && !open_out(&summary, a.out_dir, "summary.json")) {
		fprintf(stderr, "kafkasim: cannot write into %s: %s\n", a.out_dir, strerror(errno));
		goto done;
	}
	struct run_options o = {
		.file = a.file, .seed = a.seed, .seed_set = a.seed_set, .json = a.json,
		.quiet = a.quiet, .out = stdout,
		.trace = trace.f,
	};
	if (a.trace != NULL && strcmp(a.trace, "-") == 0) {
		/* The trace takes stdout; the human summary goes to stderr. */
		o.trace = stdout;
		o.out = stderr;
	}
	o.json_file = summary.f;
	rc = runner_run(s, &o);
done:
	if (!finish_out(&trace, rc != EXIT_BAD_INPUT) ||
	    !finish_out(&summary, rc != EXIT_BAD_INPUT)) {
		fprintf(stderr, "kafkasim: writing the output failed\n");
		rc = EXIT_BAD_INPUT;
	}
	scen_free(s);
	return rc;
}

static int cmd_validate(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("validate needs at least one FILE");
	int rc = EXIT_PASS;
	for (int i = 1; i < argc; i++) {
		struct scenario *s = NULL;
		struct scen_errors errs = {0};
		if (scen_load_file(argv[i], &s, &errs) != 0) {
			scen_errors_print(&errs, stderr);
			rc = EXIT_BAD_INPUT;
		} else {
			printf("%s: ok\n", argv[i]);
		}
		scen_errors_free(&errs);
		scen_free(s);
	}
	return rc;
}

static void print_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static int cmd_partitioner(int argc, char **argv)
{
	static const struct option opts[] = {
		{"partitions", required_argument, NULL, 'p'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	uint64_t partitions = 0;
	bool json = false;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_u64(optarg, &partitions) || partitions == 0 ||
			    partitions > INT32_MAX)
				return usage_error("--partitions needs an integer in [1, 2147483647],"
						   " not '%s'", optarg);
			break;
		case 'j': json = true; break;
		case ':': return usage_error("option %s needs a value", argv[optind - 1]);
		default:  return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (partitions == 0)
		return usage_error("partitioner needs --partitions N");
	if (optind >= argc)
		return usage_error("partitioner needs at least one KEY");
	for (int i = optind; i < argc; i++) {
		const char *k = argv[i];
		uint32_t p = part_for_key((const uint8_t *)k, strlen(k), (uint32_t)partitions);
		if (json) {
			fputs("{\"key\": ", stdout);
			print_json_string(stdout, k);
			printf(", \"partition\": %" PRIu32 "}\n", p);
		} else {
			printf("%s\t%" PRIu32 "\n", k, p);
		}
	}
	return EXIT_PASS;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("a command is needed");
	const char *cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("kafkasim %s (Kafka 4.1 semantics, scenario format 1)\n", KAFKASIM_VERSION);
		return EXIT_PASS;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		fputs(help_text, stdout);
		return EXIT_PASS;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "validate") == 0)
		return cmd_validate(argc - 1, argv + 1);
	if (strcmp(cmd, "partitioner") == 0)
		return cmd_partitioner(argc - 1, argv + 1);
	if (strcmp(cmd, "assign") == 0)
		return assign_cli_main(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0 || strcmp(cmd, "sweep") == 0) {
		fprintf(stderr, "kafkasim: '%s' is not available in version %s yet\n", cmd,
			KAFKASIM_VERSION);
		return EXIT_BAD_INPUT;
	}
	return usage_error("unknown command '%s'", cmd);
}
