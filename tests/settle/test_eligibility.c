/*
 * test_eligibility.c — the reads the FHIR edge adds to the services
 * (src/service/eligibility.c, binding_read.c): the eligibility check
 * answers as settlement would decide (C4/C5, S2, S3 step 2) and keeps
 * nothing; a binding read by id or by SSN follows binding.list's rule
 * (Q1: a person sees only his own).
 */
#include "sfx.h"

#include <stdlib.h>

#include "service/eligibility.h"

/* A resident son without an account, whom his father authorized. */
typedef struct family {
	yb_person father, son;
	yb_card card;
	yb_binding bind;
} family;

static family family_make(fx *f)
{
	family fam;

	fam.father = sfx_insured(f, 1, 50000);
	fam.son = sfx_other(f, 2, "resident");
	fam.card = sfx_card(f, &fam.son, true);
	fam.bind = sfx_bind(f, &fam.father, &fam.son, "child");
	sfx_institution(f, "H1");
	sfx_as_inst(f, "H1");
	return fam;
}

/* S3 step 2: the visit type and the bound authorizers decide. */
static void test_family_can_pay(void **state)
{
	fx *f = *state;
	family fam = family_make(f);
	int64_t audits = fx_audit_count(f);
	yb_eligibility el;
	yb_err e;

	assert_ok(yb_eligibility_check(&f->ctx, "card", fam.card.card_no,
				       "outpatient", &el, &e), e);
	assert_true(el.insured);
	assert_int_equal(el.patient.id, fam.son.id);
	assert_false(el.has_own_account);           /* P2: resident */
	assert_true(el.family_visit_allowed);
	assert_int_equal(el.family_payers, 1);
	/* inpatient: relatives do not pay (setting family_visit_types) */
	assert_ok(yb_eligibility_check(&f->ctx, "id_number",
				       fam.son.id_number, "inpatient", &el, &e),
		  e);
	assert_true(el.insured);
	assert_false(el.family_visit_allowed);
	assert_int_equal(el.family_payers, 0);
	/* a read: no audit record, nothing kept */
	assert_int_equal(fx_audit_count(f), audits);
}

/* F6, P3: an ended binding or a suspended authorizer pays no more. */
static void test_no_payers(void **state)
{
	fx *f = *state;
	family fam = family_make(f);
	yb_eligibility el;
	yb_binding b;
	yb_person p;
	yb_err e;

	fx_admin(f);
	assert_ok(yb_person_suspend(&f->ctx, fam.father.ssn, &p, &e), e);
	sfx_as_inst(f, "H1");
	assert_ok(yb_eligibility_check(&f->ctx, "card", fam.card.card_no,
				       "pharmacy", &el, &e), e);
	assert_int_equal(el.family_payers, 0);
	fx_admin(f);
	assert_ok(yb_person_resume(&f->ctx, fam.father.ssn, &p, &e), e);
	sfx_as_person(f, &fam.father);
	assert_ok(yb_unbind(&f->ctx, fam.bind.id, NULL, &b, &e), e);
	sfx_as_inst(f, "H1");
	assert_ok(yb_eligibility_check(&f->ctx, "card", fam.card.card_no,
				       "pharmacy", &el, &e), e);
	assert_true(el.insured);
	assert_int_equal(el.family_payers, 0);
}

/* S2, C5, X1: a terminated patient is an answer, a bad card an error. */
static void test_refusals(void **state)
{
	fx *f = *state;
	family fam = family_make(f);
	yb_eligibility el;
	yb_person p;
	yb_err e;

	assert_err(yb_eligibility_check(&f->ctx, "card", "YB9999999999",
					"outpatient", &el, &e),
		   e, "settlement.credential_invalid");
	assert_err(yb_eligibility_check(&f->ctx, "card", fam.card.card_no,
					"dental", &el, &e),
		   e, "settlement.invalid_visit_type");
	assert_err(yb_eligibility_check(&f->ctx, "passport", "x",
					"outpatient", &el, &e),
		   e, "request.invalid_field");
	sfx_as_person(f, &fam.son);
	assert_err(yb_eligibility_check(&f->ctx, "id_number",
					fam.son.id_number, "outpatient", &el,
					&e),
		   e, "auth.forbidden");
	fx_admin(f);
	assert_ok(yb_person_terminate(&f->ctx, fam.son.ssn, "emigrated", &p,
				      &e), e);
	sfx_as_inst(f, "H1");
	assert_ok(yb_eligibility_check(&f->ctx, "id_number",
				       fam.son.id_number, "outpatient", &el,
				       &e), e);
	assert_false(el.insured);
	assert_int_equal(el.patient.id, fam.son.id);
}

/* Q1: a binding by id, by SSN; a person only his own. */
static void test_binding_reads(void **state)
{
	fx *f = *state;
	family fam = family_make(f);
	yb_person other = sfx_insured(f, 3, 0);
	yb_binding b, *mine = NULL, *theirs = NULL;
	int nmine = 0, ntheirs = 0;
	yb_err e;

	sfx_as_person(f, &fam.son);
	assert_ok(yb_binding_get(&f->ctx, fam.bind.id, &b, &e), e);
	assert_int_equal(b.authorizer_id, fam.father.id);
	assert_int_equal(b.relationship, YB_REL_CHILD);
	sfx_as_person(f, &other);
	assert_err(yb_binding_get(&f->ctx, fam.bind.id, &b, &e), e,
		   "binding.not_found");
	assert_err(yb_bindings_of_ssn(&f->ctx, fam.son.ssn, &mine, &nmine,
				      &theirs, &ntheirs, &e),
		   e, "auth.forbidden");
	sfx_as_operator(f, YB_ROLE_HOSPITAL_OFFICE);
	assert_ok(yb_binding_get(&f->ctx, fam.bind.id, &b, &e), e);
	assert_ok(yb_bindings_of_ssn(&f->ctx, fam.son.ssn, &mine, &nmine,
				     &theirs, &ntheirs, &e), e);
	assert_int_equal(nmine, 0);
	assert_int_equal(ntheirs, 1);
	assert_int_equal(theirs[0].id, fam.bind.id);
	free(mine);
	free(theirs);
	assert_err(yb_bindings_of_ssn(&f->ctx, "699999999", &mine, &nmine,
				      &theirs, &ntheirs, &e),
		   e, "person.not_found");
	assert_err(yb_binding_get(&f->ctx, 999999, &b, &e), e,
		   "binding.not_found");
	sfx_as_inst(f, "H1");
	assert_err(yb_binding_get(&f->ctx, fam.bind.id, &b, &e), e,
		   "auth.forbidden");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_family_can_pay, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_payers, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_binding_reads, fx_setup,
						fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
