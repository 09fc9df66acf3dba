/*
 * test_nhsa_gateway.c — the gateway's write job (nhsa/nhsa.h step 2) in
 * the group commit.  It is submitted replayable (service/batch.h, "Undo
 * on demand"): a batch undone and run again runs it twice, and the
 * second run must keep and answer what one run would have — one
 * settlement, one debit, one kept message whose reply is the one sent,
 * the nonce spent once (NHSA.md: a repeated msgid acts once, X3, S4).
 * The messages are built as an HIS sends them (tests/nhsa/client.mjs):
 * signed headers, envelope, sign-in first.
 */
#include "fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/hash.h"
#include "nhsa/nhsa.h"
#include "service/batch.h"
#include "service/ledger.h"
#include "service/nhsa.h"
#include "service/settle.h"

#define INST "H44030000001"

typedef struct gw {
	fx *f;
	yb_nhsa_cred cred;
	char sign_no[64];
	int seq;                         /* msgid and nonce serial */
} gw;

typedef struct sent {
	char msgid[31];
	char nonce[40];
	char ts[24];
	char sig[YB_HASH_HEX_SZ];
	char body[4096];
	yb_nhsa_call call;
} sent;

/* s's headers with `nonce`: x-tif-signature = hex(SHA-256(timestamp +
 * token + nonce + timestamp)). */
static void sign(gw *g, sent *s, const char *nonce)
{
	char plain[256];

	snprintf(s->nonce, sizeof s->nonce, "%s", nonce);
	snprintf(s->ts, sizeof s->ts, "%lld", (long long)g->f->now);
	snprintf(plain, sizeof plain, "%s%s%s%s", s->ts, g->cred.token,
		 s->nonce, s->ts);
	yb_sha256_hex_str(plain, s->sig);
	s->call.body = s->body;
	s->call.body_len = strlen(s->body);
	s->call.paasid = g->cred.paasid;
	s->call.timestamp = s->ts;
	s->call.nonce = s->nonce;
	s->call.signature = s->sig;
}

/* A signed message of `infno` with `input` (JSON text); the nonce
 * `nonce` if not NULL (a replay), else a fresh one. */
static void make(gw *g, sent *s, const char *infno, const char *input,
		 const char *nonce)
{
	char fresh[40];

	g->seq++;
	snprintf(s->msgid, sizeof s->msgid, INST "20260302100000%04u",
		 (unsigned)g->seq % 10000u);
	snprintf(s->body, sizeof s->body,
		 "{\"infno\":\"%s\",\"msgid\":\"%s\",\"mdtrtarea_admvs\":"
		 "\"440300\",\"insuplc_admdvs\":\"\",\"recer_sys_code\":"
		 "\"YBXT\",\"dev_no\":\"\",\"dev_safe_info\":\"\",\"cainfo\":"
		 "\"\",\"signtype\":\"\",\"infver\":\"V1.0\",\"opter_type\":"
		 "\"1\",\"opter\":\"OP0001\",\"opter_name\":\"王经办\","
		 "\"inf_time\":\"2026-03-02 10:00:00\",\"fixmedins_code\":\""
		 INST "\",\"fixmedins_name\":\"测试医院\",\"sign_no\":\"%s\","
		 "\"input\":%s}",
		 infno, s->msgid, strcmp(infno, "9001") ? g->sign_no : "",
		 input);
	memset(&s->call, 0, sizeof s->call);
	s->call.path_infno = infno;
	snprintf(fresh, sizeof fresh, "nonce-%d", g->seq);
	sign(g, s, nonce ? nonce : fresh);
}

/* Steps 1–3 with the write transaction on the caller's connection (no
 * batcher): the reply, parsed; `text` (if not NULL) the reply as sent. */
static json_t *send_alone(gw *g, sent *s, char **text)
{
	yb_ctx c = g->f->ctx;
	yb_nhsa_exchange *x = yb_nhsa_begin(&c, &s->call);
	json_t *reply;
	size_t len;
	char *out;
	int rc;
	yb_err err;

	assert_non_null(x);
	yb_err_clear(&err);
	rc = yb_batch_alone(&c, yb_nhsa_commit, x, &err);
	out = yb_nhsa_end(x, rc, &err, &len);
	assert_non_null(out);
	reply = json_loads(out, 0, NULL);
	assert_non_null(reply);
	if (text)
		*text = out;
	else
		free(out);
	return reply;
}

static int infcode(const json_t *reply)
{
	return (int)json_integer_value(json_object_get(reply, "infcode"));
}

static const char *err_msg(const json_t *reply)
{
	return json_string_value(json_object_get(reply, "err_msg"));
}

/* The output of a reply that must be infcode 0 (borrowed). */
static json_t *ok_output(const json_t *reply)
{
	if (infcode(reply) != 0)
		fail_msg("refused: %s", err_msg(reply));
	return json_object_get(reply, "output");
}

static gw *gw_setup(fx *f)
{
	gw *g = calloc(1, sizeof *g);
	yb_institution inst;
	sent s;
	json_t *r;
	yb_err err;

	assert_non_null(g);
	g->f = f;
	assert_ok(yb_institution_register(&f->ctx, INST, "测试医院", "hospital",
					  &inst, &err), err);
	assert_ok(yb_nhsa_credential_issue(&f->ctx, INST, &g->cred, &err),
		  err);
	make(g, &s, "9001", "{\"signIn\":{\"opter_no\":\"OP0001\",\"mac\":"
	     "\"00-16-3E-00-00-01\",\"ip\":\"10.0.0.8\"}}", NULL);
	r = send_alone(g, &s, NULL);
	snprintf(g->sign_no, sizeof g->sign_no, "%s",
		 json_string_value(json_object_get(json_object_get(
			 ok_output(r), "signinoutb"), "sign_no")));
	json_decref(r);
	return g;
}

/* 2201 and 2204 (one batch "B1", 120.00) for person p: the mdtrt_id. */
static void visit_with_fees(gw *g, const yb_person *p, char mdtrt_id[32])
{
	char input[2048];
	sent s;
	json_t *r;

	snprintf(input, sizeof input,
		 "{\"data\":{\"psn_no\":\"%s\",\"insutype\":\"310\","
		 "\"begntime\":\"2026-03-02 09:00:00\",\"mdtrt_cert_type\":"
		 "\"02\",\"mdtrt_cert_no\":\"%s\",\"ipt_otp_no\":\"MZ%d\","
		 "\"atddr_no\":\"D001\",\"dr_name\":\"李医生\",\"dept_code\":"
		 "\"K01\",\"dept_name\":\"内科\",\"caty\":\"A03\"}}",
		 p->ssn, p->id_number, g->seq);
	make(g, &s, "2201", input, NULL);
	r = send_alone(g, &s, NULL);
	snprintf(mdtrt_id, 32, "%s", json_string_value(json_object_get(
		json_object_get(ok_output(r), "data"), "mdtrt_id")));
	json_decref(r);
	snprintf(input, sizeof input,
		 "{\"feedetail\":[{\"feedetl_sn\":\"F1\",\"mdtrt_id\":\"%s\","
		 "\"psn_no\":\"%s\",\"chrg_bchno\":\"B1\",\"rx_circ_flag\":"
		 "\"0\",\"fee_ocur_time\":\"2026-03-02 09:30:00\","
		 "\"med_list_codg\":\"XA01AAA001\",\"medins_list_codg\":"
		 "\"YP0001\",\"det_item_fee_sumamt\":120.00,\"cnt\":1,"
		 "\"pric\":120.00,\"bilg_dept_codg\":\"K01\",\"bilg_dept_name\":"
		 "\"内科\",\"bilg_dr_codg\":\"D001\",\"bilg_dr_name\":\"李医生\","
		 "\"hosp_appr_flag\":\"0\"}]}", mdtrt_id, p->ssn);
	make(g, &s, "2204", input, NULL);
	r = send_alone(g, &s, NULL);
	(void)ok_output(r);
	json_decref(r);
}

static void settle_input(const yb_person *p, const char *mdtrt_id,
			 char *out, size_t size)
{
	snprintf(out, size,
		 "{\"data\":{\"psn_no\":\"%s\",\"mdtrt_cert_type\":\"02\","
		 "\"mdtrt_cert_no\":\"%s\",\"med_type\":\"11\","
		 "\"medfee_sumamt\":120.00,\"psn_setlway\":\"01\","
		 "\"mdtrt_id\":\"%s\",\"chrg_bchno\":\"B1\",\"insutype\":"
		 "\"310\",\"acct_used_flag\":\"1\"}}",
		 p->ssn, p->id_number, mdtrt_id);
}

/* A setlinfo amount in fen (the reply's numbers have 2 decimals). */
static int64_t setl_fen(const json_t *reply, const char *name)
{
	json_t *v = json_object_get(json_object_get(json_object_get(reply,
		"output"), "setlinfo"), name);

	assert_non_null(v);
	return (int64_t)(json_number_value(v) * 100 + 0.5);
}

/* ---- a batch undone and run again ------------------------------------- */

typedef struct replay {
	fx_gate gate;                    /* holds the writer: one batch */
	int gw_runs;                     /* runs of the gateway's jobs */
	struct gw_job {
		struct replay *r;
		yb_nhsa_exchange *x;
		int rc;
		yb_err err;
	} jobs[2];
} replay;

static int gateway_job(yb_ctx *ctx, void *arg, yb_err *err)
{
	struct gw_job *j = arg;

	j->r->gw_runs++;
	return yb_nhsa_commit(ctx, j->x, err);
}

static void job_done(void *arg, int rc, const yb_err *err)
{
	(void)rc;
	(void)err;
	fx_gate_done(arg);
}

static void gateway_done(void *arg, int rc, const yb_err *err)
{
	struct gw_job *j = arg;

	j->rc = rc;
	if (rc < 0)
		j->err = *err;
	job_done(&j->r->gate, rc, err);
}

/* Messages s[0] and s[1] in one batch with a job that spoils it, after
 * them: their replies as sent (out[i], malloc'd). */
static void send_in_spoiled_batch(gw *g, sent *s, char *out[2],
				  yb_batch_stats *stats)
{
	replay r = { .gw_runs = 0 };
	yb_ctx c = g->f->ctx;
	yb_batcher *b;
	size_t len;
	yb_err err;

	fx_gate_init(&r.gate);
	for (int i = 0; i < 2; i++) {
		r.jobs[i].r = &r;
		r.jobs[i].x = yb_nhsa_begin(&c, &s[i].call);
		assert_non_null(r.jobs[i].x);
	}
	assert_ok(yb_batcher_start(g->f->url, 64, 1, &b, &err), err);
	for (int i = 0; i < 4; i++) {
		/* the last job spoils the batch (undo on demand) */
		yb_batch_fn fn = i == 0   ? fx_gate_job
				 : i == 3 ? fx_job_written_then_refused
					  : gateway_job;
		void *arg = i == 0 || i == 3 ? (void *)&r.gate
					     : (void *)&r.jobs[i - 1];

		assert_ok(yb_batch_submit_replayable(b, &c, fn, arg,
						     i == 0 || i == 3
							     ? job_done
							     : gateway_done,
						     arg, &err), err);
		if (i == 0)
			fx_gate_wait_inside(&r.gate);
	}
	fx_gate_open_until_done(&r.gate, 4);
	yb_batcher_stats(b, stats);
	yb_batcher_stop(b);
	assert_int_equal(r.gw_runs, 2 * (1 + (int)stats->replayed));
	if (g->f->ctx.store->ops->lazy_undo)
		assert_int_equal(stats->replayed, 1);   /* each ran twice */
	for (int i = 0; i < 2; i++) {
		out[i] = yb_nhsa_end(r.jobs[i].x, r.jobs[i].rc, &r.jobs[i].err,
				     &len);
		assert_non_null(out[i]);
		assert_int_equal(strlen(out[i]), len);
	}
	fx_gate_destroy(&r.gate);
}

/* The kept message of msgid: its record's reply (malloc'd). */
static char *kept_reply(fx *f, const char *msgid)
{
	char *json = NULL, *resp;
	json_t *v;
	yb_err err;

	assert_ok(yb_nhsa_msg_get(&f->ctx, INST, msgid, yb_nhsa_reply_text, &json,
				  &err), err);
	v = json_loads(json, 0, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "state")),
			    "done");
	resp = strdup(json_string_value(json_object_get(v, "response")));
	json_decref(v);
	free(json);
	return resp;
}

/* A 2207 whose batch was undone and run again has the effect of one run:
 * the same audit records and debit as a 2207 settled plainly, its kept
 * message is the reply sent, a repeat of its msgid answers that reply
 * byte for byte and settles nothing, its nonce stays spent.  In the same
 * batch, a repeat of the first 2207's msgid answers the first reply in
 * both runs and acts in neither. */
static void test_gateway_job_runs_twice_acts_once(void **state)
{
	fx *f = *state;
	gw *g = gw_setup(f);
	yb_person p1 = fx_person(f, 1, "employee_tier1");
	yb_person p2 = fx_person(f, 2, "employee_tier1");
	char v1[32], v2[32], input[1024], *plain_text, *out[2], *kept, *again;
	int64_t audits, plain_audits, bal1, bal2, plain_debit;
	yb_batch_stats stats;
	yb_audit_report rep;
	sent s[2], rep_s;
	json_t *r;
	yb_err err;

	fx_credit(f, p1.ssn, "2026-01", 50000);
	fx_credit(f, p2.ssn, "2026-01", 50000);
	visit_with_fees(g, &p1, v1);
	visit_with_fees(g, &p2, v2);

	/* the reference: p1's 2207, one run */
	settle_input(&p1, v1, input, sizeof input);
	make(g, &s[1], "2207", input, NULL);
	audits = fx_audit_count(f);
	bal1 = fx_balance(f, p1.id);
	r = send_alone(g, &s[1], &plain_text);
	(void)ok_output(r);
	plain_audits = fx_audit_count(f) - audits;
	plain_debit = bal1 - fx_balance(f, p1.id);
	assert_true(plain_debit > 0);
	assert_int_equal(plain_debit, setl_fen(r, "acct_pay"));
	json_decref(r);
	bal1 -= plain_debit;

	/* p2's, the same bill, and p1's again (its own nonce), in a batch
	 * undone and run again */
	settle_input(&p2, v2, input, sizeof input);
	make(g, &s[0], "2207", input, NULL);
	sign(g, &s[1], "repeat-1");
	audits = fx_audit_count(f);
	bal2 = fx_balance(f, p2.id);
	send_in_spoiled_batch(g, s, out, &stats);
	r = json_loads(out[0], 0, NULL);
	assert_non_null(r);
	(void)ok_output(r);
	assert_int_equal(fx_audit_count(f) - audits, plain_audits);
	assert_int_equal(bal2 - fx_balance(f, p2.id), plain_debit);
	assert_int_equal(setl_fen(r, "acct_pay"), plain_debit);
	json_decref(r);
	assert_string_equal(out[1], plain_text);          /* the first reply */
	assert_int_equal(fx_balance(f, p1.id), bal1);     /* not paid again */

	/* kept once, with the reply that was sent */
	kept = kept_reply(f, s[0].msgid);
	assert_string_equal(kept, out[0]);
	free(kept);

	/* the same message again (its own nonce): the first reply, nothing
	 * settled again */
	rep_s = s[0];
	sign(g, &rep_s, "again");
	audits = fx_audit_count(f);
	bal2 = fx_balance(f, p2.id);
	r = send_alone(g, &rep_s, &again);
	assert_string_equal(again, out[0]);
	assert_int_equal(fx_audit_count(f), audits);
	assert_int_equal(fx_balance(f, p2.id), bal2);
	json_decref(r);
	free(again);

	/* the nonces were spent (once: the second run's are the ones kept) */
	for (int i = 0; i < 2; i++) {
		make(g, &rep_s, "1101", "{\"data\":{\"mdtrt_cert_type\":"
		     "\"02\",\"mdtrt_cert_no\":\"x\"}}", s[i].nonce);
		r = send_alone(g, &rep_s, NULL);
		assert_int_equal(infcode(r), -1);
		assert_non_null(strstr(err_msg(r), "nhsa.auth_nonce_replayed"));
		json_decref(r);
	}

	assert_ok(yb_audit_verify(&f->ctx, &rep, &err), err);
	assert_true(rep.ok);
	free(out[0]);
	free(out[1]);
	free(plain_text);
	free(g);
}

/* Refused in the write job (on SQLite a message that acts is admitted
 * there: nhsa_gateway.c, "Admitted on the writer"), in a batch undone and
 * run again: each run refuses it the same way, nothing is settled, and
 * only the signed one spends its nonce. */
static void test_gateway_refused_in_job_runs_twice(void **state)
{
	fx *f = *state;
	gw *g = gw_setup(f);
	yb_person p1 = fx_person(f, 1, "employee_tier1");
	char v1[32], input[1024], good_sign[64], *out[2];
	int64_t audits, bal;
	yb_batch_stats stats;
	sent s[2], again;
	json_t *r;

	fx_credit(f, p1.ssn, "2026-01", 50000);
	visit_with_fees(g, &p1, v1);
	settle_input(&p1, v1, input, sizeof input);
	/* s[0]: signed, but a sign_no never issued; s[1]: an unknown paasid */
	snprintf(good_sign, sizeof good_sign, "%s", g->sign_no);
	snprintf(g->sign_no, sizeof g->sign_no, "S000000000099AAAA");
	make(g, &s[0], "2207", input, NULL);
	snprintf(g->sign_no, sizeof g->sign_no, "%s", good_sign);
	make(g, &s[1], "2207", input, NULL);
	s[1].call.paasid = "nobody";
	audits = fx_audit_count(f);
	bal = fx_balance(f, p1.id);
	send_in_spoiled_batch(g, s, out, &stats);
	for (int i = 0; i < 2; i++) {
		r = json_loads(out[i], 0, NULL);
		assert_non_null(r);
		assert_int_equal(infcode(r), -1);
		assert_non_null(strstr(err_msg(r), i == 0 ? "nhsa.sign_invalid"
						     : "nhsa.auth_unknown_paasid"));
		json_decref(r);
		free(out[i]);
	}
	assert_int_equal(fx_audit_count(f), audits);
	assert_int_equal(fx_balance(f, p1.id), bal);

	/* the signed one's nonce is spent, the stranger's is not */
	make(g, &again, "1101", "{\"data\":{\"mdtrt_cert_type\":\"02\","
	     "\"mdtrt_cert_no\":\"x\"}}", s[0].nonce);
	r = send_alone(g, &again, NULL);
	assert_non_null(strstr(err_msg(r), "nhsa.auth_nonce_replayed"));
	json_decref(r);
	make(g, &again, "1101", "{\"data\":{\"mdtrt_cert_type\":\"02\","
	     "\"mdtrt_cert_no\":\"x\"}}", s[1].nonce);
	r = send_alone(g, &again, NULL);
	assert_null(strstr(err_msg(r), "nhsa.auth_nonce_replayed"));
	json_decref(r);

	/* and the bill is still there to settle, once */
	make(g, &again, "2207", input, NULL);
	r = send_alone(g, &again, NULL);
	(void)ok_output(r);
	assert_true(fx_balance(f, p1.id) < bal);
	json_decref(r);
	free(g);
}

/* The kept record of msgid, as the store holds it (malloc'd). */
static char *kept_raw(fx *f, const char *msgid)
{
	char key[192];
	yb_nhsa_rec rec;
	yb_err err;

	snprintf(key, sizeof key, INST "|%s", msgid);
	assert_ok(yb_tx_begin(&f->ctx, false, &err), err);
	assert_int_equal(f->ctx.store->ops->nhsa_get(f->ctx.store, "msg", key,
						     &rec, &err), 1);
	yb_tx_rollback(&f->ctx);
	return rec.val;
}

/* Replace msgid's kept record by `val` (as an earlier version wrote it). */
static void kept_put(fx *f, const char *msgid, const char *val)
{
	yb_nhsa_rec rec;
	yb_err err;

	memset(&rec, 0, sizeof rec);
	snprintf(rec.kind, sizeof rec.kind, "msg");
	snprintf(rec.key, sizeof rec.key, INST "|%s", msgid);
	snprintf(rec.inst, sizeof rec.inst, INST);
	rec.at = f->now;
	rec.val = (char *)val;
	assert_ok(yb_tx_begin(&f->ctx, true, &err), err);
	assert_true(f->ctx.store->ops->nhsa_put(f->ctx.store, &rec,
						YB_NHSA_UPSERT, &err) >= 0);
	assert_ok(yb_tx_end(&f->ctx, 0, &err), err);
}

/* A 2207's reply is kept as its facts (docs/NHSA.md "Storage"), not its
 * text: the first answer, a repeat of its msgid and the operator's
 * look-up are the same bytes.  A record an earlier version kept as text
 * is answered and shown as that text, byte for byte. */
static void test_gateway_kept_forms(void **state)
{
	fx *f = *state;
	gw *g = gw_setup(f);
	yb_person p = fx_person(f, 1, "employee_tier1");
	char v[32], input[1024], *first, *again, *raw, *shown, *old, *nl;
	sent s, rep;
	json_t *r;
	int64_t bal;

	fx_credit(f, p.ssn, "2026-01", 50000);
	visit_with_fees(g, &p, v);
	settle_input(&p, v, input, sizeof input);
	make(g, &s, "2207", input, NULL);
	r = send_alone(g, &s, &first);
	(void)ok_output(r);
	json_decref(r);

	/* kept as facts: much shorter than the text, and no text in it */
	raw = kept_raw(f, s.msgid);
	nl = strchr(raw, '\n');
	assert_non_null(nl);
	assert_true(yb_nhsa_kept_is_facts(nl + 1));
	assert_null(strstr(nl + 1, "setlinfo"));
	assert_true(strlen(nl + 1) * 2 < strlen(first));

	/* a repeat and the look-up: the first answer, byte for byte (its
	 * respond_time too, though the clock moved) */
	f->now += 7;
	rep = s;
	sign(g, &rep, "again-1");
	bal = fx_balance(f, p.id);
	r = send_alone(g, &rep, &again);
	assert_string_equal(again, first);
	assert_int_equal(fx_balance(f, p.id), bal);
	json_decref(r);
	free(again);
	shown = kept_reply(f, s.msgid);
	assert_string_equal(shown, first);
	free(shown);

	/* an old row, kept as text (another respond_time, to tell it from
	 * a rendering): answered and shown as kept */
	old = malloc(strlen(raw) + strlen(first) + 1);
	assert_non_null(old);
	memcpy(old, raw, (size_t)(nl - raw) + 1);
	strcpy(old + (nl - raw) + 1, first);
	shown = strstr(old + (nl - raw) + 1, "\"respond_time\":\"");
	assert_non_null(shown);
	memcpy(shown + 16, "19990101000000000", 17);
	kept_put(f, s.msgid, old);
	sign(g, &rep, "again-2");
	r = send_alone(g, &rep, &again);
	assert_string_equal(again, old + (nl - raw) + 1);
	json_decref(r);
	free(again);
	shown = kept_reply(f, s.msgid);
	assert_string_equal(shown, old + (nl - raw) + 1);
	assert_string_not_equal(shown, first);
	free(shown);
	assert_int_equal(fx_balance(f, p.id), bal);

	free(old);
	free(raw);
	free(first);
	free(g);
}

/* A nonce is accepted once per paasid within the window (issue 15,
 * docs/NHSA.md step 2): the same nonce is refused again whether the
 * request is replayed as it was or signed again with another timestamp,
 * and after a restart; it is kept under "<paasid>|<nonce>". */
static void test_gateway_nonce_once_in_window(void **state)
{
	fx *f = *state;
	gw *g = gw_setup(f);
	const char *in = "{\"data\":{\"mdtrt_cert_type\":\"02\","
			 "\"mdtrt_cert_no\":\"x\"}}";
	char key[256];
	yb_nhsa_rec rec;
	sent s;
	json_t *r;
	yb_err err;

	make(g, &s, "1101", in, "n-once");
	r = send_alone(g, &s, NULL);
	assert_null(strstr(err_msg(r), "nhsa.auth_nonce_replayed"));
	json_decref(r);
	snprintf(key, sizeof key, "%s|n-once", g->cred.paasid);
	assert_ok(yb_tx_begin(&f->ctx, false, &err), err);
	assert_int_equal(f->ctx.store->ops->nhsa_get(f->ctx.store, "nonce",
						     key, &rec, &err), 1);
	free(rec.val);
	yb_tx_rollback(&f->ctx);

	make(g, &s, "1101", in, "n-once");               /* a replay */
	r = send_alone(g, &s, NULL);
	assert_non_null(strstr(err_msg(r), "nhsa.auth_nonce_replayed"));
	json_decref(r);

	f->now += 1;                    /* signed again, another timestamp */
	make(g, &s, "1101", in, "n-once");
	r = send_alone(g, &s, NULL);
	assert_non_null(strstr(err_msg(r), "nhsa.auth_nonce_replayed"));
	json_decref(r);

	/* a restart within the window (SQLite reads its set of spent
	 * nonces from the table again: store/sqlite/nhsa_nonce.c) */
	yb_store_close(f->st);
	f->st = NULL;
	assert_ok(yb_store_open(f->url, &f->st, &err), err);
	f->ctx.store = f->st;
	f->now += 1;
	make(g, &s, "1101", in, "n-once");
	r = send_alone(g, &s, NULL);
	assert_non_null(strstr(err_msg(r), "nhsa.auth_nonce_replayed"));
	json_decref(r);
	make(g, &s, "1101", in, "n-twice");              /* another: fresh */
	r = send_alone(g, &s, NULL);
	assert_null(strstr(err_msg(r), "nhsa.auth_nonce_replayed"));
	json_decref(r);
	free(g);
}

/* The rendering of a kept ~S1 record never changes (docs/NHSA.md
 * "Storage": a hospital repeating an old msgid after an upgrade gets the
 * first answer byte for byte).  Two records — an employee paying from
 * accounts, own and family, with a name to escape; a resident with no
 * account — and their texts as the renderer of main d885760 made
 * them.  A change that fails this needs a new form (~S2), not a new
 * expected text here. */
static void test_gateway_kept_s1_rendering(void **state)
{
	static const struct { const char *kept, *text; } cases[] = {
		{
			"~S130:H4403000000120260302100000000117:2026030210000000017:2026030"
			"21000012346:4403007:100012316:M20260302000000111:P000000000111:王"
			"\"小\\明18:1101011980010112343:3102:022:1130:H440300000012026030"
			"210000000010;3652;0;1772416801;12345;0;12345;1000;9876;8000;1500;9"
			"69;48500;700;",
			"{\"infcode\":0,\"inf_refmsgid\":\"H44030000001202603021000000001\""
			",\"refmsg_time\":\"20260302100000000\",\"respond_time\":\"20260302"
			"100001234\",\"err_msg\":\"\",\"warn_msg\":\"\",\"cainfo\":\"\",\"s"
			"igntype\":\"\",\"output\":{\"setlinfo\":{\"setl_id\":\"1000123\","
			"\"mdtrt_id\":\"M202603020000001\",\"psn_no\":\"P0000000001\",\"psn"
			"_name\":\"王\\\"小\\\\明\",\"psn_cert_type\":\"01\",\"certno\":"
			"\"110101198001011234\",\"gend\":\"1\",\"naty\":\"\",\"brdy\":\"198"
			"0-01-01\",\"age\":46,\"insutype\":\"310\",\"psn_type\":\"1101\",\""
			"cvlserv_flag\":\"0\",\"setl_time\":\"2026-03-02 10:00:01\",\"mdtrt"
			"_cert_type\":\"02\",\"med_type\":\"11\",\"medfee_sumamt\":123.45,"
			"\"fulamt_ownpay_amt\":0.00,\"overlmt_selfpay\":0.00,\"preselfpay_a"
			"mt\":0.00,\"inscp_scp_amt\":123.45,\"act_pay_dedc\":10.00,\"hifp_p"
			"ay\":98.76,\"pool_prop_selfpay\":0.8000,\"cvlserv_pay\":0.00,\"hif"
			"es_pay\":0.00,\"hifmi_pay\":0.00,\"hifob_pay\":0.00,\"maf_pay\":0."
			"00,\"oth_pay\":0.00,\"fund_pay_sumamt\":98.76,\"psn_part_amt\":24."
			"69,\"acct_pay\":15.00,\"psn_cash_pay\":9.69,\"hosp_part_amt\":0.00"
			",\"balc\":485.00,\"acct_mulaid_pay\":7.00,\"medins_setl_id\":\"H44"
			"030000001202603021000000001\",\"clr_optins\":\"440300\",\"clr_way"
			"\":\"1\",\"clr_type\":\"11\"},\"setldetail\":[{\"fund_pay_type\":"
			"\"310100\",\"inscp_scp_amt\":123.45,\"crt_payb_lmt_amt\":113.45,\""
			"fund_payamt\":98.76,\"fund_pay_type_name\":\"职工基本医疗保"
			"险统筹基金\",\"setl_proc_info\":\"符合范围123.45，起付"
			"线10.00，支付比例80.00%\"},{\"fund_pay_type\":\"310200\",\"i"
			"nscp_scp_amt\":15.00,\"crt_payb_lmt_amt\":15.00,\"fund_payamt\":15"
			".00,\"fund_pay_type_name\":\"职工个人账户\",\"setl_proc_info"
			"\":\"本人账户及家庭共济账户支付\"}]}}",
		},
		{
			"~S130:H4403000000120261207090000000217:2026120709000000017:2026120"
			"70900005126:4403007:200045616:M20261207000000211:P00000000026:李"
			"四18:4403011995123112343:3902:012:1430:H4403000000120261207090000"
			"00021;9495;1;1796605200;50001;101;49900;0;29940;6000;0;20061;0;0;",
			"{\"infcode\":0,\"inf_refmsgid\":\"H44030000001202612070900000002\""
			",\"refmsg_time\":\"20261207090000000\",\"respond_time\":\"20261207"
			"090000512\",\"err_msg\":\"\",\"warn_msg\":\"\",\"cainfo\":\"\",\"s"
			"igntype\":\"\",\"output\":{\"setlinfo\":{\"setl_id\":\"2000456\","
			"\"mdtrt_id\":\"M202612070000002\",\"psn_no\":\"P0000000002\",\"psn"
			"_name\":\"李四\",\"psn_cert_type\":\"01\",\"certno\":\"440301199"
			"512311234\",\"gend\":\"2\",\"naty\":\"\",\"brdy\":\"1995-12-31\","
			"\"age\":30,\"insutype\":\"390\",\"psn_type\":\"1101\",\"cvlserv_fl"
			"ag\":\"0\",\"setl_time\":\"2026-12-07 09:00:00\",\"mdtrt_cert_type"
			"\":\"01\",\"med_type\":\"14\",\"medfee_sumamt\":500.01,\"fulamt_ow"
			"npay_amt\":1.01,\"overlmt_selfpay\":0.00,\"preselfpay_amt\":0.00,"
			"\"inscp_scp_amt\":499.00,\"act_pay_dedc\":0.00,\"hifp_pay\":299.40"
			",\"pool_prop_selfpay\":0.6000,\"cvlserv_pay\":0.00,\"hifes_pay\":0"
			".00,\"hifmi_pay\":0.00,\"hifob_pay\":0.00,\"maf_pay\":0.00,\"oth_p"
			"ay\":0.00,\"fund_pay_sumamt\":299.40,\"psn_part_amt\":200.61,\"acc"
			"t_pay\":0.00,\"psn_cash_pay\":200.61,\"hosp_part_amt\":0.00,\"balc"
			"\":0.00,\"acct_mulaid_pay\":0.00,\"medins_setl_id\":\"H44030000001"
			"202612070900000002\",\"clr_optins\":\"440300\",\"clr_way\":\"1\","
			"\"clr_type\":\"11\"},\"setldetail\":[{\"fund_pay_type\":\"390100\""
			",\"inscp_scp_amt\":499.00,\"crt_payb_lmt_amt\":499.00,\"fund_payam"
			"t\":299.40,\"fund_pay_type_name\":\"城乡居民基本医疗保险"
			"统筹基金\",\"setl_proc_info\":\"符合范围499.00，起付线"
			"0.00，支付比例60.00%\"}]}}",
		},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = 0;
		char *text = yb_nhsa_reply_text(cases[i].kept, &len);

		assert_non_null(text);
		assert_string_equal(text, cases[i].text);
		assert_int_equal(len, strlen(cases[i].text));
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_gateway_job_runs_twice_acts_once, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_gateway_refused_in_job_runs_twice, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_gateway_kept_forms, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_gateway_nonce_once_in_window, fx_setup,
			fx_teardown),
		cmocka_unit_test(test_gateway_kept_s1_rendering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
