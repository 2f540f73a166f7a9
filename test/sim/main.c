/* SPDX-License-Identifier: ISC */
/*
 * The simulation's runner:
 *
 *   sim --seeds N [--start S] [--collisions] [--twice]
 *       runs seeds S..S+N-1 and sums them up; each failing seed gets a
 *       line with the command that replays it
 *   sim --seed S [-v] [--collisions]
 *       replays one seed, with -v every log line, datagram and action
 *
 * --twice runs every seed a second time and fails if the two runs differ
 * in anything the network saw: a seed must replay exactly.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

/* The sanitizers' hook, when linked with them: a crash in a run still
 * says which seed replays it. */
extern void __sanitizer_set_death_callback(void (*cb)(void))
    __attribute__((weak));

static char replay_line[256];

static void
say_replay(void)
{
	ssize_t rc = write(2, replay_line, strlen(replay_line));

	(void)rc;
}

static void
on_crash(int sig)
{
	say_replay();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s --seeds N [--start S] [--collisions] [--twice]\n"
		"       %s --seed S [-v] [--collisions]\n",
		argv0, argv0);
	return 2;
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct run_opts o = {0};
	struct sim_stats st, sum = {0};
	uint64_t start = 1, n = 0, i, digest, again, failed = 0;
	bool one = false, twice = false;
	char why[512];
	double t0;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--seeds") == 0 && a + 1 < argc)
			n = strtoull(argv[++a], NULL, 0);
		else if (strcmp(argv[a], "--start") == 0 && a + 1 < argc)
			start = strtoull(argv[++a], NULL, 0);
		else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc) {
			start = strtoull(argv[++a], NULL, 0);
			n = 1;
			one = true;
		} else if (strcmp(argv[a], "-v") == 0)
			o.verbose = true;
		else if (strcmp(argv[a], "--collisions") == 0)
			o.collisions = true;
		else if (strcmp(argv[a], "--twice") == 0)
			twice = true;
		else
			return usage(argv[0]);
	}
	if (!n || (o.verbose && !one))
		return usage(argv[0]);
	signal(SIGSEGV, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(say_replay);
	t0 = seconds();
	for (i = start; i - start < n; i++) {
		int rc;

		snprintf(
		    replay_line, sizeof(replay_line),
		    "sim: seed %llu crashed; replay: %s --seed %llu -v%s\n",
		    (unsigned long long)i, argv[0], (unsigned long long)i,
		    o.collisions ? " --collisions" : "");
		rc = sim_run(i, &o, &st, &digest, why, sizeof(why));
		if (rc == 0 && twice &&
		    sim_run(i, &o, &st, &again, why, sizeof(why)) == 0 &&
		    again != digest) {
			snprintf(why, sizeof(why),
				 "not deterministic: digests %016llx and "
				 "%016llx",
				 (unsigned long long)digest,
				 (unsigned long long)again);
			rc = -1;
		}
		sum.sent += st.sent;
		sum.lost += st.lost;
		sum.duplicated += st.duplicated;
		sum.injected += st.injected;
		sum.actions += st.actions;
		sum.skipped += st.skipped;
		sum.events += st.events;
		sum.ext_checked += st.ext_checked;
		sum.hook_refused += st.hook_refused;
		sum.child_moved += st.child_moved;
		sum.reinitiated += st.reinitiated;
		sum.timers_fired += st.timers_fired;
		sum.v1_pairs += st.v1_pairs;
		sum.v1_ike_up += st.v1_ike_up;
		sum.v1_child_up += st.v1_child_up;
		sum.v1_crossed += st.v1_crossed;
		sum.v1_one_sided += st.v1_one_sided;
		sum.v1_replaced_events += st.v1_replaced_events;
		if (rc < 0) {
			failed++;
			printf("FAIL seed %llu: %s\n  replay: %s --seed %llu "
			       "-v%s\n",
			       (unsigned long long)i, why, argv[0],
			       (unsigned long long)i,
			       o.collisions ? " --collisions" : "");
			fflush(stdout);
		}
	}
	printf(
	    "sim: %llu seeds (%llu..%llu)%s, %llu failed, %.1f s; %llu "
	    "datagrams (%llu lost, %llu duplicated), %llu injected, %llu "
	    "actions (%llu refused), %llu events; hooks: %llu peer notifies "
	    "checked, %llu refusals, %llu CHILD SAs moved, %llu SAs "
	    "re-initiated, %llu host timers fired; IKEv1: %llu pairs, %llu "
	    "ISAKMP and %llu CHILD SAs up, %llu crossed phase 2 rekeys, "
	    "%llu SAs on one side only after the drain, %llu events on "
	    "replaced ISAKMP SAs\n",
	    (unsigned long long)n, (unsigned long long)start,
	    (unsigned long long)(start + n - 1),
	    o.collisions ? " with collisions" : "", (unsigned long long)failed,
	    seconds() - t0, (unsigned long long)sum.sent,
	    (unsigned long long)sum.lost, (unsigned long long)sum.duplicated,
	    (unsigned long long)sum.injected, (unsigned long long)sum.actions,
	    (unsigned long long)sum.skipped, (unsigned long long)sum.events,
	    (unsigned long long)sum.ext_checked,
	    (unsigned long long)sum.hook_refused,
	    (unsigned long long)sum.child_moved,
	    (unsigned long long)sum.reinitiated,
	    (unsigned long long)sum.timers_fired,
	    (unsigned long long)sum.v1_pairs, (unsigned long long)sum.v1_ike_up,
	    (unsigned long long)sum.v1_child_up,
	    (unsigned long long)sum.v1_crossed,
	    (unsigned long long)sum.v1_one_sided,
	    (unsigned long long)sum.v1_replaced_events);
	return failed ? 1 : 0;
}
