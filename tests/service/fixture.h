/*
 * fixture.h — what every service test starts from: a fresh store on the
 * engine the run asks for (tests/common/testdb.h), default settings, a
 * clock the test moves by hand, and a context acting as the CLI admin.
 * Helpers make valid ID numbers and register the people a test needs.
 */
#ifndef YB_TEST_SERVICE_FIXTURE_H
#define YB_TEST_SERVICE_FIXTURE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/settings.h"
#include "service/ctx.h"
#include "service/person.h"

typedef struct fx {
	yb_store *st;
	char url[512];
	yb_settings settings;
	yb_time now;                     /* what the injected clock says */
	yb_ctx ctx;
} fx;

/* cmocka setup / teardown: *state becomes a fresh fx. The clock starts at
 * 2026-03-02 10:00 local time, a Monday. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Local date and time → instant, for setting fx->now. */
yb_time fx_local(int y, int m, int d, int hh, int mm);

/* Act as `role` through `channel`, with actor id `id`. */
void fx_act(fx *f, yb_role role, yb_channel channel, const char *id);
/* Back to the CLI admin. */
void fx_admin(fx *f);

/* A valid ID number: region + YYYYMMDD + 3-digit sequence + check. */
void fx_idnum(char out[YB_IDNUM_SZ], const char *region, const char *ymd,
	      int seq);

/* Register a person (as admin, whatever the current actor) and return
 * him; fails the test on error.  `n` picks a distinct SSN / ID number. */
yb_person fx_person(fx *f, int n, const char *scheme);

/* Register an employer (as admin). */
void fx_employer(fx *f, const char *code);

/* A person's personal account balance (fails if he has none). */
int64_t fx_balance(fx *f, yb_id person_id);
/* The balance of a system account. */
int64_t fx_system_balance(fx *f, yb_account_kind kind);

/* Credit a person's account through a contribution (as admin). */
void fx_credit(fx *f, const char *ssn, const char *period, int64_t fen);

/* Load data/calendar-YYYY.txt from the source tree into the store. */
void fx_calendar(fx *f, int year);

/* Number of audit records. */
int64_t fx_audit_count(fx *f);

/* Assert a call failed with `code`. */
#define assert_err(call, e, want) do {                                   \
		yb_err_clear(&(e));                                       \
		assert_int_equal((call), -1);                             \
		if (!(e).code || strcmp((e).code, (want)) != 0)            \
			fail_msg("want %s, got %s: %s", (want),            \
				 (e).code ? (e).code : "(none)",           \
				 (e).message);                             \
	} while (0)

/* Assert a call succeeded. */
#define assert_ok(call, e) do {                                          \
		yb_err_clear(&(e));                                       \
		if ((call) < 0)                                           \
			fail_msg("unexpected %s: %s",                      \
				 (e).code ? (e).code : "(none)",           \
				 (e).message);                             \
	} while (0)

/* Group-commit tests (service/batch.h): a job that holds the writer in
 * a gate until the test opens it, so that the jobs submitted meanwhile
 * make one batch; and the count of jobs done, under the same lock. */
typedef struct fx_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open, inside;
	int done;
} fx_gate;

void fx_gate_init(fx_gate *g);
void fx_gate_destroy(fx_gate *g);
/* The calling thread waits in the gate until it opens. */
void fx_gate_hold(fx_gate *g);
/* The job (arg: the fx_gate): fx_gate_hold on the writer. */
int fx_gate_job(yb_ctx *ctx, void *arg, yb_err *err);
/* Until the writer is in the gate. */
void fx_gate_wait_inside(fx_gate *g);
/* A job's completion callback calls it: one more job done. */
void fx_gate_done(fx_gate *g);
/* Open the gate, then wait until n jobs are done. */
void fx_gate_open_until_done(fx_gate *g, int n);
/* A job that writes (a meta row, FX_WRITTEN_THEN_REFUSED_KEY, and an
 * audit record), then fails and rolls back its own transaction with
 * "test.refused": on an engine with undo on demand, what makes a batch
 * of replayable jobs undo and run again. */
#define FX_WRITTEN_THEN_REFUSED_KEY "test.written_then_refused"
int fx_job_written_then_refused(yb_ctx *ctx, void *arg, yb_err *err);

#endif
