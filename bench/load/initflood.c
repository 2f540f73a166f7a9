/* SPDX-License-Identifier: ISC */
/*
 * initflood: a cheap IKEv2 initiator for measuring how many IKE_SA_INIT
 * exchanges a responder answers per second, the part of an IKE SA whose
 * key exchange charond computes on worker threads. strongSwan's
 * load-tester costs three to four times a responder's CPU per SA, so on
 * a 2-core machine it, not the responder, sets the pace; this initiator
 * sends requests built once from a template (PSK suites' proposal
 * aes128gcm16-prfsha256-ecp256, one P-256 key pair for the whole run:
 * the responder still generates and derives for every SA) and only reads
 * the answers' headers, so nearly all the CPU is left to the responder.
 * The responder's half-open SAs then expire; nothing reaches IKE_AUTH.
 *
 *   initflood -n N [-w WINDOW] [-t TIMEOUT_MS] -o DIR ADDRESS
 *
 * Up to WINDOW (64) requests are in flight, one per IKE SA, each with
 * its own SPI; one unanswered for TIMEOUT_MS (2000) is counted lost.
 * DIR receives what bench/load/run.sh reads from load-tester's charon:
 * ini.log (one "initiating" and one "answered" line per SA, with
 * millisecond epoch times), up (answers so far, every 100) and up.t (the
 * time of the N-th answer); the totals go to stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ_LEN  176
#define KE_AT    (28 + 40 + 8)
#define N_AT     (28 + 40 + 72 + 4)
#define MAX_WIN  4096
#define BATCH    64

struct slot {
	uint32_t k; /* 0: free */
	double sent;
};

static uint8_t req[REQ_LEN];
static uint8_t spi_prefix[4];

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Header, SA (one proposal: AES-GCM-16/128, PRF-HMAC-SHA2-256, group 19),
 * KE, Nonce: RFC 7296 3.1, 3.3, 3.4, 3.9. */
static int
template(void)
{
	static const uint8_t sa[40] = {
	    34, 0, 0, 40,                       /* next KE */
	    0, 0, 0, 36, 1, 1, 0, 3,            /* last proposal, IKE */
	    3, 0, 0, 12, 1, 0, 0, 20, 0x80, 14, 0, 128, /* ENCR GCM16/128 */
	    3, 0, 0, 8, 2, 0, 0, 5,             /* PRF HMAC-SHA2-256 */
	    0, 0, 0, 8, 4, 0, 0, 19,            /* DH 19 */
	};
	uint8_t pub[65];
	size_t len = sizeof(pub);
	EVP_PKEY *key = EVP_EC_gen("P-256");

	if (!key ||
	    !EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub,
					     sizeof(pub), &len) ||
	    len != 65 || RAND_bytes(spi_prefix, 4) != 1 ||
	    RAND_bytes(req + N_AT, 32) != 1) {
		EVP_PKEY_free(key);
		return -1;
	}
	EVP_PKEY_free(key);
	req[16] = 33;   /* next: SA */
	req[17] = 0x20; /* IKEv2 */
	req[18] = 34;   /* IKE_SA_INIT */
	req[19] = 0x08; /* initiator */
	req[24] = 0;
	req[25] = 0;
	put16(req + 26, REQ_LEN);
	memcpy(req + 28, sa, sizeof(sa));
	req[68] = 40; /* next: Nonce */
	put16(req + 70, 72);
	put16(req + 72, 19);
	memcpy(req + KE_AT, pub + 1, 64);
	put16(req + 140 + 2, 36);
	return 0;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[4096], tmp[4112];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

int
main(int argc, char **argv)
{
	unsigned long n = 0, win = 64, timeout_ms = 2000;
	unsigned long sent = 0, answered = 0, refused = 0, lost = 0, done = 0;
	const char *dir = NULL;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(500)};
	struct slot *slots;
	char path[4096], line[64];
	FILE *log;
	struct rusage ru;
	int c, fd;
	double start, cpu;

	while ((c = getopt(argc, argv, "n:w:t:o:")) != -1) {
		switch (c) {
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			win = strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout_ms = strtoul(optarg, NULL, 10);
			break;
		case 'o':
			dir = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc || !n || n > 0xfffffffeUL || !win ||
	    win > MAX_WIN || !dir ||
	    inet_pton(AF_INET, argv[optind], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: initflood -n N [-w WINDOW (1..%d)] "
				"[-t TIMEOUT_MS] -o DIR IPV4ADDRESS\n",
			MAX_WIN);
		return 2;
	}
	if (template() < 0) {
		fprintf(stderr, "initflood: no P-256 key from OpenSSL\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/ini.log", dir);
	log = fopen(path, "w");
	slots = calloc(win, sizeof(*slots));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (!log || !slots || fd < 0 ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("initflood");
		return 1;
	}
	start = mono();
	while (done < n) {
		struct mmsghdr mm[BATCH];
		struct iovec iov[BATCH];
		uint8_t buf[BATCH][64];
		struct pollfd p = {fd, POLLIN, 0};
		double now = mono(), tw = wall();
		unsigned long i;
		int got, j;

		/* Fill every free slot, and expire the late. */
		for (i = 0; i < win; i++) {
			struct slot *s = &slots[i];

			if (s->k && now - s->sent > timeout_ms / 1e3) {
				fprintf(log,
					"%.3f 00[IKE] giving up after %lu ms "
					"on IKE_SA flood[%u]\n",
					tw, timeout_ms, s->k);
				s->k = 0;
				lost++;
				done++;
			}
			if (s->k || sent >= n)
				continue;
			s->k = (uint32_t)++sent;
			s->sent = now;
			memcpy(req, spi_prefix, 4);
			req[4] = (uint8_t)(s->k >> 24);
			req[5] = (uint8_t)(s->k >> 16);
			req[6] = (uint8_t)(s->k >> 8);
			req[7] = (uint8_t)s->k;
			memcpy(req + N_AT, req + 4, 4);
			if (send(fd, req, REQ_LEN, 0) != REQ_LEN &&
			    errno != EAGAIN && errno != ECONNREFUSED)
				perror("initflood: send");
			fprintf(log, "%.3f 00[IKE] initiating IKE_SA flood[%u]\n",
				tw, s->k);
		}
		if (poll(&p, 1, 50) <= 0)
			continue;
		for (j = 0; j < BATCH; j++) {
			iov[j].iov_base = buf[j];
			iov[j].iov_len = sizeof(buf[j]);
			memset(&mm[j], 0, sizeof(mm[j]));
			mm[j].msg_hdr.msg_iov = &iov[j];
			mm[j].msg_hdr.msg_iovlen = 1;
		}
		got = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		tw = wall();
		for (j = 0; j < got; j++) {
			const uint8_t *b = buf[j];
			uint32_t k;

			if (mm[j].msg_len < 28 || b[18] != 34 ||
			    !(b[19] & 0x20) || memcmp(b, spi_prefix, 4) != 0)
				continue;
			k = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
			    (uint32_t)b[6] << 8 | b[7];
			for (i = 0; i < win && slots[i].k != k; i++)
				;
			if (!k || i == win)
				continue; /* late, already counted lost */
			slots[i].k = 0;
			done++;
			/* SA first: an answer; a notify: COOKIE or refusal. */
			if (b[16] != 33) {
				fprintf(log,
					"%.3f 00[IKE] establishing IKE_SA "
					"failed: flood[%u] refused\n",
					tw, k);
				refused++;
				continue;
			}
			answered++;
			fprintf(log, "%.3f 00[IKE] IKE_SA flood[%u] answered\n",
				tw, k);
			if (answered % 100 == 0) {
				snprintf(line, sizeof(line), "%lu\n", answered);
				write_file(dir, "up", line);
			}
		}
	}
	snprintf(line, sizeof(line), "%.9f\n", wall());
	write_file(dir, "up.t", line);
	snprintf(line, sizeof(line), "%lu\n", answered);
	write_file(dir, "up", line);
	fclose(log);
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	printf("initflood: %lu sent, %lu answered, %lu refused, %lu lost in "
	       "%.2f s\ncpu_ticks %.0f\n",
	       sent, answered, refused, lost, mono() - start,
	       cpu * (double)sysconf(_SC_CLK_TCK));
	return 0;
}
