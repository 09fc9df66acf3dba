/*
 * store_test.h — shared fixture and helpers of the store suite
 * (tests/store/test_*.c), which runs every operation of store.h against
 * a fresh store of the engine YB_TEST_ENGINE names.
 */
#ifndef YB_STORE_TEST_H
#define YB_STORE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdb.h"

/* What each test gets in *state. */
typedef struct ts_fixture {
	yb_store *st;
	char url[512];
} ts_fixture;

int ts_setup(void **state);
int ts_teardown(void **state);

#define TS_STORE(state) (((ts_fixture *)*(state))->st)

/* Assert that a store call succeeded (rc ≥ 0), printing its error if not. */
#define TS_OK(rc, e) ts_check_ok((rc), (e), __FILE__, __LINE__)
/* Assert that a store call failed with this error code: for database
 * errors (a broken constraint the services never reach), whose text is
 * the engine's own. */
#define TS_FAILS(rc, e, code) ts_check_fails((rc), (e), (code), __FILE__, __LINE__)
/* Assert that a store call was refused with this code AND this message:
 * every refusal reads the same on both engines (src/store/check.c). */
#define TS_REFUSED(rc, e, code, msg) \
	ts_check_refused((rc), (e), (code), (msg), __FILE__, __LINE__)

int ts_check_ok(int rc, const yb_err *e, const char *file, int line);
void ts_check_fails(int rc, const yb_err *e, const char *code,
		    const char *file, int line);
void ts_check_refused(int rc, const yb_err *e, const char *code,
		      const char *msg, const char *file, int line);
/* printf into a buffer of its own (one of a few, used round robin), for
 * an expected message that names an id. */
const char *ts_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A registered person (active, employee_tier1) with this SSN; the ID
 * number is derived from the SSN so that each one is unique. */
yb_id ts_person(yb_store *st, const char *ssn, const char *name);
/* The same, registered with an employer ("" none) at `at` (records, R4). */
yb_id ts_employee(yb_store *st, const char *ssn, const char *name,
		  const char *employer_code, yb_time at);
/* Open a personal account for the person. */
yb_id ts_account(yb_store *st, yb_id person_id);
/* The id of a system account. */
yb_id ts_system(yb_store *st, yb_account_kind kind);
/* Post fund pool → account. */
void ts_fund(yb_store *st, yb_id account_id, int64_t fen);
/* An account's balance. */
int64_t ts_balance(yb_store *st, yb_id account_id);
/* The books' report, asserting the check itself ran. */
yb_ledger_report ts_check(yb_store *st);
/* Remove a SQLite database file with its -wal and -shm companions. */
void ts_remove_db(const char *path);
/* Is the engine SQLite?  (Some tests are about SQLite files.) */
bool ts_sqlite(void);

/* --- family (E2): fixtures of test_store_settle.c, shared --- */
/* An institution H100, a patient 3100001 and a payer 3100002 with
 * accounts, and a binding payer -> patient. */
typedef struct family {
	yb_institution inst;
	yb_id patient, payer, patient_acc, payer_acc, binding;
} family;
family ts_family(yb_store *st);
/* A settled settlement: own share 1000, the payer's (bound) share 2000. */
yb_settlement ts_settlement(const family *f, const char *txn, yb_time at);
int ts_run_family(void);
/* E1: a premium paid for f's patient by f's payer for `year` (with its
 * ledger transaction and contribution record); its id. */
yb_id ts_premium(yb_store *st, const family *f, int year);
int ts_run_materials(void);

/* The groups, one per file; each returns its number of failures. */
int ts_run_basic(void);
int ts_run_ledger(void);
int ts_run_cards(void);
int ts_run_settle(void);
int ts_run_concurrency(void);
int ts_run_nhsa(void);          /* nhsa gateway records */
int ts_run_nhsa_tables(void);   /* and its typed tables */
int ts_run_nhsa_files(void);    /* and its files (migration 10) */
int ts_run_records(void);       /* records and proofs (R1–R4) */
int ts_run_notify(void);        /* notify (E3): the outbox's refusals */
int ts_run_deferred(void);      /* pg5: writes deferred in a lazy batch */

#endif
