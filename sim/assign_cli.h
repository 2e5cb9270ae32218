/*
 * assign_cli.h — `kafkasim assign` (scenario-format 10): prints the assignment a consumer
 * group assignor produces, through the same model/assignor.c the simulation uses.
 *
 *   kafkasim assign --strategy S --topics T:P[,T:P...] --members M1[:T1+T2],M2,... [--json]
 *   kafkasim assign --input FILE|- [--strategy S] [--json]
 *
 * A member without ":topics" subscribes to every topic of --topics. Members are given in
 * JoinGroup order (it breaks ties between member ids that share a Java hash bucket, see
 * model/assignor.h). The --input question:
 *   {"assignor": "sticky", "topics": {"t0": 6},
 *    "members": [{"member_id": "c-1", "topics": ["t0"], "owned_partitions": [["t0", 0]],
 *                 "generation": 1, "group_instance_id": null}]}
 * where "assignor" may be left out when --strategy is given (which wins), a member's "topics"
 * defaults to every topic, "owned_partitions" to none, "generation" to -1 (none). Topics a
 * member names that are not in "topics" exist for Kafka as names without metadata.
 *
 * The answer: one line per member, members sorted by id as Java Strings ("c-1: t0-0 t0-1",
 * "c-2:" when idle), or with --json one line {"c-1": [["t0", 0], ["t0", 1]], "c-2": []}.
 * cooperative-sticky answers leave out partitions still to be revoked by their owner.
 * Exit 0 on success; 2 on bad usage or input, with the reason on stderr (FILE:LINE:COL: for
 * JSON) and nothing on stdout.
 */
#ifndef KAFKASIM_ASSIGN_CLI_H
#define KAFKASIM_ASSIGN_CLI_H

#include <stdio.h>

/* argv[0] is "assign". Prints to stdout and stderr. */
int assign_cli_main(int argc, char **argv);

/* The same with explicit streams (tests). */
int assign_cli_run(int argc, char **argv, FILE *out, FILE *err);

#endif
