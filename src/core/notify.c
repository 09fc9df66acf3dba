/*
 * notify.c — E3's pure rules: the string forms of the notification kinds
 * and delivery states, the retry schedule, the signature, and what a
 * webhook's URL and secret must look like.  See notify.h.
 */
#include "core/notify.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

static const char *const kind_names[YB_NOTE__N] = {
	"settlement_share", "share_revoked", "premium_payment",
	"binding_created", "binding_ended",
};

static const char *const state_names[YB_DELIV__N] = {
	"pending", "delivered", "dead",
};

static bool from_names(const char *const *names, int n, const char *s,
		       int *out)
{
	for (int i = 0; s && i < n; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

const char *yb_note_kind_str(yb_note_kind v)
{
	return (unsigned)v < YB_NOTE__N ? kind_names[v] : NULL;
}

bool yb_note_kind_from_str(const char *s, yb_note_kind *out)
{
	int v;
	if (!from_names(kind_names, YB_NOTE__N, s, &v))
		return false;
	*out = (yb_note_kind)v;
	return true;
}

const char *yb_deliv_state_str(yb_deliv_state v)
{
	return (unsigned)v < YB_DELIV__N ? state_names[v] : NULL;
}

bool yb_deliv_state_from_str(const char *s, yb_deliv_state *out)
{
	int v;
	if (!from_names(state_names, YB_DELIV__N, s, &v))
		return false;
	*out = (yb_deliv_state)v;
	return true;
}

int64_t yb_webhook_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms,
			      uint32_t rnd)
{
	int64_t d = base_ms > 0 ? base_ms : 1;

	if (max_ms < d)
		max_ms = d;
	/* Doubling stops at the cap, so no shift can overflow. */
	for (int i = 1; i < attempt && d < max_ms; i++)
		d = d > max_ms / 2 ? max_ms : d * 2;
	if (d > max_ms)
		d = max_ms;
	/* Half fixed, half random: d/2 + rnd·(d − d/2)/2^32. */
	return d / 2 + (int64_t)(((uint64_t)rnd * (uint64_t)(d - d / 2)) >> 32);
}

void yb_webhook_sign(const char *secret, const char *timestamp,
		     const char *body, size_t body_len, char out[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	/* The init form takes a key of any length (as RFC 2104 HMAC does),
	 * so a receiver verifies with any standard HMAC-SHA256. */
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp,
				      strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
				      body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
}

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

bool yb_webhook_url_valid(const char *url)
{
	size_t n = url ? strlen(url) : 0;
	const char *host;

	if (n == 0 || n >= YB_URL_SZ || !printable_ascii(url))
		return false;
	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return false;
	return *host && *host != '/';
}

bool yb_webhook_secret_valid(const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;

	return n >= YB_SECRET_MIN && n < YB_SECRET_SZ &&
	       printable_ascii(secret);
}
