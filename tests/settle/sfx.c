/*
 * sfx.c — the settle suite's fixtures (see sfx.h).
 */
#include "sfx.h"

#include <stdio.h>

yb_person sfx_insured(fx *f, int n, int64_t balance)
{
	yb_person p = fx_person(f, n, "employee_tier1");

	if (balance > 0)
		fx_credit(f, p.ssn, "2026-01", balance);
	return p;
}

yb_person sfx_other(fx *f, int n, const char *scheme)
{
	return fx_person(f, n, scheme);
}

yb_card sfx_card(fx *f, const yb_person *p, bool activate)
{
	yb_actor saved = f->ctx.actor;
	yb_card_apply_req req = { 0 };
	yb_card_application app;
	yb_card card;
	yb_err e;

	fx_admin(f);
	req.ssn = p->ssn;
	req.route = "center";
	assert_ok(yb_card_apply(&f->ctx, &req, &app, &card, &e), e);
	assert_int_equal(card.state, YB_CARD_ISSUED);
	if (activate)
		assert_ok(yb_card_activate(&f->ctx, card.card_no, &card, &e),
			  e);
	f->ctx.actor = saved;
	return card;
}

void sfx_institution(fx *f, const char *code)
{
	yb_actor saved = f->ctx.actor;
	yb_institution inst;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_institution_register(&f->ctx, code, "Test Hospital",
					  "hospital", &inst, &e), e);
	assert_true(inst.receivable_account_id > 0);
	f->ctx.actor = saved;
}

void sfx_as_person(fx *f, const yb_person *p)
{
	char id[YB_ACTOR_SZ];

	snprintf(id, sizeof id, "person:%s", p->ssn);
	fx_act(f, YB_ROLE_PERSON, YB_CHAN_WEB, id);
	f->ctx.actor.person_id = p->id;
}

void sfx_as_inst(fx *f, const char *code)
{
	char id[YB_ACTOR_SZ];

	snprintf(id, sizeof id, "key:%s", code);
	fx_act(f, YB_ROLE_INSTITUTION, YB_CHAN_API, id);
	snprintf(f->ctx.actor.institution_code,
		 sizeof f->ctx.actor.institution_code, "%s", code);
}

void sfx_as_operator(fx *f, yb_role role)
{
	yb_channel ch = role == YB_ROLE_TERMINAL ? YB_CHAN_TERMINAL
		      : role == YB_ROLE_HOSPITAL_OFFICE ? YB_CHAN_HOSPITAL_OFFICE
		      : YB_CHAN_AGENCY_WINDOW;
	char id[YB_ACTOR_SZ];

	snprintf(id, sizeof id, "key:op-%d", (int)role);
	fx_act(f, role, ch, id);
}

yb_binding sfx_bind(fx *f, const yb_person *authorizer,
		    const yb_person *relative, const char *relationship)
{
	yb_actor saved = f->ctx.actor;
	yb_bind_row row = { relative->ssn, relative->id_number, relationship };
	yb_bind_req req = { 0 };
	yb_bind_result res;
	yb_err e;

	req.nrows = 1;
	req.rows = &row;
	sfx_as_person(f, authorizer);
	assert_ok(yb_bind(&f->ctx, &req, &res, &e), e);
	if (!res.ok)
		fail_msg("bind: %s: %s", res.error.code, res.error.message);
	f->ctx.actor = saved;
	return res.binding;
}

int sfx_settle(fx *f, const char *txn, const char *cred_type,
	       const char *cred_value, const char *visit, int64_t total,
	       int64_t fund, yb_settlement *out, bool *repeat, yb_err *err)
{
	yb_settle_req req = { txn, cred_type, cred_value, visit, total, fund };

	yb_err_clear(err);
	return yb_settle(&f->ctx, &req, false, out, repeat, err);
}

const yb_share *sfx_share_of(const yb_settlement *s, yb_id person_id)
{
	for (int i = 0; i < s->nshares; i++)
		if (s->shares[i].payer_person_id == person_id)
			return &s->shares[i];
	return NULL;
}

void sfx_ledger_ok(fx *f)
{
	yb_actor saved = f->ctx.actor;
	yb_ledger_report rep;
	bool ok = false;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_ledger_check(&f->ctx, &rep, &ok, &e), e);
	assert_true(ok);
	assert_int_equal(rep.sum_balances_fen, 0);
	assert_int_equal(rep.negative_personal, 0);
	f->ctx.actor = saved;
}
