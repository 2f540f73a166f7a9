/* SPDX-License-Identifier: ISC */
#ifndef CHAROND_CRYPTO_POOL_H
#define CHAROND_CRYPTO_POOL_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

struct ike_job;
struct crypto_pool;

/* Called on the loop's thread for each job the workers are done with. */
typedef void crypto_pool_done_fn(void *ctx, struct ike_job *job);

/* workers threads (at least 1) whose finished jobs come back to done
 * through loop; NULL, logged, if a thread cannot be started. */
struct crypto_pool *crypto_pool_new(struct ev_loop *loop, unsigned workers,
				    crypto_pool_done_fn *done, void *ctx);
/* Queue a job (on the loop's thread). */
void crypto_pool_submit(struct crypto_pool *p, struct ike_job *job);
/* Stops and joins the workers, then hands every job still queued or done
 * to done, run or not, so that its owner can let it go. */
void crypto_pool_free(struct crypto_pool *p);

struct crypto_pool_stats {
	unsigned workers;
	size_t queued;     /* submitted, not yet back on the loop */
	uint64_t finished; /* handed back to done */
};
void crypto_pool_stats(const struct crypto_pool *p,
		       struct crypto_pool_stats *out);

#endif
