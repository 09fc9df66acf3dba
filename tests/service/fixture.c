/*
 * fixture.c — the shared setup of the service tests (see fixture.h).
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/idnum.h"
#include "service/card.h"
#include "service/ledger.h"
#include "testdb.h"

static yb_time fx_clock(void *arg)
{
	return ((fx *)arg)->now;
}

yb_time fx_local(int y, int m, int d, int hh, int mm)
{
	return yb_time_of_date(yb_date_from_ymd(y, m, d)) + hh * 3600 +
	       mm * 60;
}

int fx_setup(void **state)
{
	fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->st = yb_test_store_new(f->url);
	yb_settings_defaults(&f->settings);
	f->now = fx_local(2026, 3, 2, 10, 0);
	f->ctx.store = f->st;
	f->ctx.settings = &f->settings;
	f->ctx.clock.now = fx_clock;
	f->ctx.clock.arg = f;
	f->ctx.actor = yb_actor_cli();
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	fx *f = *state;

	yb_test_store_free(f->st);
	free(f);
	return 0;
}

void fx_act(fx *f, yb_role role, yb_channel channel, const char *id)
{
	memset(&f->ctx.actor, 0, sizeof f->ctx.actor);
	f->ctx.actor.role = role;
	f->ctx.actor.channel = channel;
	snprintf(f->ctx.actor.id, sizeof f->ctx.actor.id, "%s", id);
}

void fx_admin(fx *f)
{
	f->ctx.actor = yb_actor_cli();
}

void fx_idnum(char out[YB_IDNUM_SZ], const char *region, const char *ymd,
	      int seq)
{
	snprintf(out, YB_IDNUM_SZ, "%.6s%.8s%03d", region, ymd, seq % 1000);
	out[17] = yb_idnum_check_char(out);
	out[18] = '\0';
}

yb_person fx_person(fx *f, int n, const char *scheme)
{
	yb_actor saved = f->ctx.actor;
	char ssn[YB_SSN_SZ], idn[YB_IDNUM_SZ], ymd[16], name[32];
	yb_person_new in = { 0 };
	yb_person p;
	yb_err e;

	snprintf(ssn, sizeof ssn, "%d", 100000000 + n);
	snprintf(ymd, sizeof ymd, "%04d0101", 1950 + n / 1000);
	fx_idnum(idn, "440301", ymd, n % 1000);
	snprintf(name, sizeof name, "张三%d", n);
	in.ssn = ssn;
	in.id_number = idn;
	in.name = name;
	in.scheme = scheme;
	fx_admin(f);
	assert_ok(yb_person_register(&f->ctx, &in, &p, &e), e);
	f->ctx.actor = saved;
	return p;
}

void fx_employer(fx *f, const char *code)
{
	yb_actor saved = f->ctx.actor;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_employer_register(&f->ctx, code, "Test Employer Ltd",
				       NULL, &e), e);
	f->ctx.actor = saved;
}

int64_t fx_balance(fx *f, yb_id person_id)
{
	yb_account a;
	yb_err e;

	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->account_personal_of(f->st, person_id, &a,
							 &e), 1);
	f->st->ops->rollback(f->st);
	return a.balance_fen;
}

int64_t fx_system_balance(fx *f, yb_account_kind kind)
{
	yb_account a;
	yb_err e;

	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_int_equal(f->st->ops->account_system(f->st, kind, &a, &e), 1);
	f->st->ops->rollback(f->st);
	return a.balance_fen;
}

void fx_credit(fx *f, const char *ssn, const char *period, int64_t fen)
{
	yb_actor saved = f->ctx.actor;
	yb_contribution_new in = { 0 };
	yb_employer em;
	yb_err e;

	fx_admin(f);
	/* Every test's contributions come from one employer. */
	if (yb_employer_get(&f->ctx, "FXEMP", &em, &e) < 0)
		fx_employer(f, "FXEMP");
	in.ssn = ssn;
	in.period = period;
	in.employer_code = "FXEMP";
	in.base_fen = fen * 10;
	in.employer_fen = fen;
	in.personal_fen = fen;
	in.account_credit_fen = fen;
	assert_ok(yb_contribution_post(&f->ctx, &in, NULL, &e), e);
	f->ctx.actor = saved;
}

void fx_calendar(fx *f, int year)
{
	yb_actor saved = f->ctx.actor;
	const char *root = getenv("YB_SOURCE_ROOT");
	char path[1024], text[16384];
	yb_calendar_year y;
	yb_err e;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof path, "%s/data/calendar-%d.txt",
		 root ? root : ".", year);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[n] = '\0';
	assert_ok(yb_calendar_parse_year(text, &y, &e), e);
	fx_admin(f);
	assert_ok(yb_calendar_put(&f->ctx, &y, &e), e);
	f->ctx.actor = saved;
}

static int count_visit(void *arg, const yb_audit_record *rec, yb_err *e)
{
	(void)rec;
	(void)e;
	(*(int64_t *)arg)++;
	return 0;
}

/* Counted, not read off the newest seq: PostgreSQL numbers its chains
 * from one sequence, which a rolled-back write also advances (pgha). */
int64_t fx_audit_count(fx *f)
{
	int64_t n = 0;
	yb_err e;

	assert_ok(f->st->ops->begin(f->st, false, &e), e);
	assert_ok(f->st->ops->audit_scan(f->st, count_visit, &n, &e), e);
	f->st->ops->rollback(f->st);
	return n;
}

/* ---- group-commit tests: the gate ------------------------------------ */

void fx_gate_init(fx_gate *g)
{
	*g = (fx_gate){ .open = false };
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
}

void fx_gate_destroy(fx_gate *g)
{
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
}

void fx_gate_hold(fx_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->inside = true;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

int fx_gate_job(yb_ctx *ctx, void *arg, yb_err *err)
{
	(void)ctx;
	(void)err;
	fx_gate_hold(arg);
	return 0;
}

void fx_gate_wait_inside(fx_gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (!g->inside)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

void fx_gate_done(fx_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->done++;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

void fx_gate_open_until_done(fx_gate *g, int n)
{
	pthread_mutex_lock(&g->lock);
	g->open = true;
	pthread_cond_broadcast(&g->cond);
	while (g->done < n)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

int fx_job_written_then_refused(yb_ctx *ctx, void *arg, yb_err *err)
{
	(void)arg;
	if (yb_tx_begin(ctx, true, err) < 0)
		return -1;
	/* A row in a table, and an audit record (which the PostgreSQL
	 * engine keeps in memory until the commit: alone it would leave
	 * the database nothing to undo). */
	if (ctx->store->ops->meta_put(ctx->store, FX_WRITTEN_THEN_REFUSED_KEY,
				      "1", err) < 0 ||
	    yb_audit(ctx, "test.written_then_refused", "test:1", "ok",
		     err) < 0) {
		yb_tx_rollback(ctx);
		return -1;
	}
	yb_tx_rollback(ctx);
	return yb_errf(err, "test.refused", "refused after writing");
}
