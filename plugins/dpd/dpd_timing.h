/* SPDX-License-Identifier: ISC */
/*
 * The dpd plugin's clock arithmetic, apart from charond so that it can be
 * tested alone: given when the peer was last heard from and whether our
 * liveness check is out, what to do now and when to look again.
 */
#ifndef DPD_TIMING_H
#define DPD_TIMING_H

#include <stdint.h>

struct dpd_timing {
	uint64_t delay, timeout; /* ms; both > 0 */
	uint64_t asked; /* when our liveness check went out; 0: none is */
};

enum dpd_do {
	DPD_WAIT, /* look again in *next ms */
	DPD_ASK,  /* send a liveness check, then look again in *next ms */
	DPD_DEAD, /* timeout since our check and nothing heard */
};

/*
 * At now, with the peer last heard at `last` (IKE or ESP, engine clock):
 * a check that was answered (something heard since it went out) is
 * forgotten; without one out, the peer is asked once `delay` passed in
 * silence; with one out, it is dead once `timeout` passed since. *next is
 * the time to the next moment anything can change: never later than
 * `delay`, so an answer to a check is noticed that soon, and one timer per
 * SA does (no polling).
 */
enum dpd_do dpd_step(struct dpd_timing *t, uint64_t now, uint64_t last,
		     uint64_t *next);

#endif
