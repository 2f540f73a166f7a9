/* SPDX-License-Identifier: ISC */
/*
 * Worker threads for the expensive part of a responder's IKE_SA_INIT, its
 * key exchange (libike's struct ike_job), so that one daemon uses every
 * core while the engine stays on the event loop's single thread, in the
 * order its input came. A worker runs a job, which touches nothing but
 * itself, and puts it on the done list; an ev_async wakes the loop, which
 * hands each finished job to the engine. The queue has no bound of its
 * own: each job belongs to a half-open IKE SA, and the engine bounds those
 * (daemon.limits.init_limit_half_open).
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto_pool.h"
#include "daemon.h"
#include "ike.h"

struct job_node {
	struct ike_job *job;
	struct job_node *next;
};

struct job_list {
	struct job_node *head, **tail;
};

struct crypto_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct job_list todo, done; /* under lock */
	bool stop;                  /* under lock */
	unsigned n_threads;
	pthread_t *threads;
	struct ev_loop *loop;
	ev_async wake;
	crypto_pool_done_fn *done_fn;
	void *ctx;
	size_t queued;
	uint64_t finished;
};

static void
list_init(struct job_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void
list_push(struct job_list *l, struct job_node *n)
{
	n->next = NULL;
	*l->tail = n;
	l->tail = &n->next;
}

static struct job_node *
list_pop(struct job_list *l)
{
	struct job_node *n = l->head;

	if (n && !(l->head = n->next))
		l->tail = &l->head;
	return n;
}

static void *
worker(void *arg)
{
	struct crypto_pool *p = arg;
	struct job_node *n;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && !p->todo.head)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		n = list_pop(&p->todo);
		pthread_mutex_unlock(&p->lock);
		ike_job_run(n->job);
		pthread_mutex_lock(&p->lock);
		list_push(&p->done, n);
		/* libev's async send is safe from any thread; several before
		 * the loop looks make one wake-up. */
		ev_async_send(p->loop, &p->wake);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Hand what l holds to the engine, in the order the jobs finished. */
static void
give_back(struct crypto_pool *p, struct job_node *n)
{
	struct job_node *next;

	for (; n; n = next) {
		next = n->next;
		p->queued--;
		p->finished++;
		p->done_fn(p->ctx, n->job);
		free(n);
	}
}

static void
on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
	struct crypto_pool *p = w->data;
	struct job_node *n;

	pthread_mutex_lock(&p->lock);
	n = p->done.head;
	list_init(&p->done);
	pthread_mutex_unlock(&p->lock);
	give_back(p, n);
	(void)loop;
	(void)revents;
}

struct crypto_pool *
crypto_pool_new(struct ev_loop *loop, unsigned workers,
		crypto_pool_done_fn *done, void *ctx)
{
	struct crypto_pool *p = calloc(1, sizeof(*p));
	sigset_t all, old;
	int rc = 0;

	if (!p || !(p->threads = calloc(workers, sizeof(*p->threads)))) {
		free(p);
		log_msg(IKE_LOG_ERROR, "crypto workers: out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	list_init(&p->todo);
	list_init(&p->done);
	p->loop = loop;
	p->done_fn = done;
	p->ctx = ctx;
	ev_async_init(&p->wake, on_wake);
	p->wake.data = p;
	ev_async_start(loop, &p->wake);
	/* Signals are the loop's business: the workers block them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	while (
	    p->n_threads < workers &&
	    !(rc = pthread_create(&p->threads[p->n_threads], NULL, worker, p)))
		p->n_threads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		log_msg(IKE_LOG_ERROR,
			"crypto workers: cannot start thread %u of %u: %s",
			p->n_threads + 1, workers, strerror(rc));
		crypto_pool_free(p);
		return NULL;
	}
	return p;
}

void
crypto_pool_submit(struct crypto_pool *p, struct ike_job *job)
{
	struct job_node *n = malloc(sizeof(*n));

	p->queued++;
	if (!n) {
		/* Unrun, it fails its SA: the engine logs that. This hands
		 * the job back from inside the engine's offload call, which
		 * ends right after it and touches the SA no more. */
		p->queued--;
		p->finished++;
		p->done_fn(p->ctx, job);
		return;
	}
	n->job = job;
	pthread_mutex_lock(&p->lock);
	list_push(&p->todo, n);
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void
crypto_pool_free(struct crypto_pool *p)
{
	unsigned i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	ev_async_stop(p->loop, &p->wake);
	give_back(p, p->done.head);
	give_back(p, p->todo.head);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

void
crypto_pool_stats(const struct crypto_pool *p, struct crypto_pool_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!p)
		return;
	out->workers = p->n_threads;
	out->queued = p->queued;
	out->finished = p->finished;
}
