/*
 * nhsa_in_base.c — the input decoders of 9001 sign-in, 9002 sign-out,
 * 1101 person information, 5206 yearly totals and 2601 reversal (NHSA.md
 * §2, names exactly as there), and the table of every decoder.
 */
#include "nhsa/nhsa_in.h"

#include <stdlib.h>
#include <string.h>

#include "nhsa/nhsa_in_file.h"
#include "nhsa/nhsa_json.h"

static const struct {
	const char *infno;
	yb_nhsa_decode_fn *fn;
	bool writes;
} decoders[] = {
	{ "9001", yb_nhsa_in_9001, true },
	{ "9002", yb_nhsa_in_9002, true },
	{ "1101", yb_nhsa_in_1101, false },
	{ "2201", yb_nhsa_in_2201, true },
	{ "2202", yb_nhsa_in_2202, true },
	{ "2203", yb_nhsa_in_2203, true },
	{ "2204", yb_nhsa_in_fee_lines, true },
	{ "2205", yb_nhsa_in_2205, true },
	{ "2206", yb_nhsa_in_setl_otp, false },
	{ "2207", yb_nhsa_in_setl_otp, true },
	{ "2208", yb_nhsa_in_setl_named, true },
	{ "2301", yb_nhsa_in_fee_lines, true },
	{ "2302", yb_nhsa_in_2302, true },
	{ "2303", yb_nhsa_in_setl_ipt, false },
	{ "2304", yb_nhsa_in_setl_ipt, true },
	{ "2305", yb_nhsa_in_setl_named, true },
	{ "2601", yb_nhsa_in_2601, true },
	{ "3201", yb_nhsa_in_3201, false },
	{ "3202", yb_nhsa_in_3202, true },
	{ "5203", yb_nhsa_in_setl_named, false },
	{ "5206", yb_nhsa_in_5206, false },
	{ "9101", yb_nhsa_in_9101, true },
	{ "9102", yb_nhsa_in_9102, false },
};

#define NDECODERS (sizeof decoders / sizeof decoders[0])

yb_nhsa_decode_fn *yb_nhsa_decoder_find(const char *infno, bool *writes)
{
	for (size_t i = 0; infno && i < NDECODERS; i++)
		if (strcmp(decoders[i].infno, infno) == 0) {
			if (writes)
				*writes = decoders[i].writes;
			return decoders[i].fn;
		}
	return NULL;
}

const char *yb_nhsa_decoder_at(int i, yb_nhsa_decode_fn **fn)
{
	if (i < 0 || (size_t)i >= NDECODERS)
		return NULL;
	if (fn)
		*fn = decoders[i].fn;
	return decoders[i].infno;
}

int yb_nhsa_get_datetime(const json_t *o, const char *where,
			 const char *name, bool required, const char **out,
			 yb_err *err)
{
	yb_time t;

	if (yb_nhsa_get_str(o, where, name, 19, required, out, err) < 0)
		return -1;
	if (**out && !yb_nhsa_parse_datetime(*out, &t))
		return yb_errf(err, "nhsa.invalid_field", "%s.%s", where, name);
	return 0;
}

size_t yb_nhsa_cert_no_max(const char *cert_type)
{
	return cert_type && strcmp(cert_type, "01") == 0 ? 255 : 50;
}

void *yb_nhsa_req_new(size_t size, yb_err *err)
{
	void *p = calloc(1, size);

	if (!p)
		yb_errf(err, "out_of_memory", "out of memory");
	return p;
}

int yb_nhsa_req_end(int rc, void *r, void **req)
{
	if (rc < 0) {
		free(r);
		*req = NULL;
		return -1;
	}
	*req = r;
	return 0;
}

int yb_nhsa_in_strings(const yb_nhsa_env *env, const yb_nhsa_field *f,
		       size_t n, size_t size, void **req, yb_err *err)
{
	char *r = yb_nhsa_req_new(size, err);
	json_t *d;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "data", true, &d, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (yb_nhsa_get_str(d, "input.data", f[i].name, f[i].max, true,
				    (const char **)(r + f[i].offset), err) < 0)
			goto out;
	rc = 0;
out:
	return yb_nhsa_req_end(rc, r, req);
}

int yb_nhsa_in_9001(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_in_sign_in *r = yb_nhsa_req_new(sizeof *r, err);
	json_t *in;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "signIn", true, &in, err) < 0 ||
	    yb_nhsa_get_str(in, "input.signIn", "opter_no", 20, true,
			    &r->opter_no, err) < 0 ||
	    yb_nhsa_get_str(in, "input.signIn", "mac", 20, false, &r->mac,
			    err) < 0 ||
	    yb_nhsa_get_str(in, "input.signIn", "ip", 20, true, &r->ip,
			    err) < 0)
		goto out;
	/* sign_no is per operator: the envelope's opter signs in as himself
	 * ([inferred], docs/NHSA.md). */
	if (strcmp(r->opter_no, env->opter) != 0) {
		yb_errf(err, "nhsa.invalid_field",
			"input.signIn.opter_no must be the envelope's opter");
		goto out;
	}
	rc = 0;
out:
	return yb_nhsa_req_end(rc, r, req);
}

int yb_nhsa_in_9002(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_in_sign_out *r = yb_nhsa_req_new(sizeof *r, err);
	json_t *in;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "signOut", true, &in,
			    err) < 0 ||
	    yb_nhsa_get_str(in, "input.signOut", "sign_no", 30, false,
			    &r->sign_no, err) < 0 ||
	    yb_nhsa_get_str(in, "input.signOut", "opter_no", 20, true,
			    &r->opter_no, err) < 0)
		goto out;
	if (!*r->sign_no)
		r->sign_no = env->sign_no;
	rc = 0;
out:
	return yb_nhsa_req_end(rc, r, req);
}

int yb_nhsa_in_1101(const yb_nhsa_env *env, void **req, yb_err *err)
{
	yb_nhsa_in_person *r = yb_nhsa_req_new(sizeof *r, err);
	const char *card_sn;
	json_t *in;
	int rc = -1;

	if (!r)
		return -1;
	if (yb_nhsa_get_obj(env->input, "input", "data", true, &in, err) < 0 ||
	    yb_nhsa_get_str(in, "input.data", "mdtrt_cert_type", 3, true,
			    &r->cert_type, err) < 0 ||
	    yb_nhsa_get_str(in, "input.data", "mdtrt_cert_no",
			    yb_nhsa_cert_no_max(r->cert_type), true, &r->cert_no,
			    err) < 0 ||
	    yb_nhsa_get_str(in, "input.data", "card_sn", 32, false, &card_sn,
			    err) < 0)
		goto out;
	/* card_sn is required with a card by NHSA.md; yibao's card number
	 * alone names the card, so the value is accepted and not compared. */
	if (strcmp(r->cert_type, "03") == 0 && !*card_sn) {
		yb_errf(err, "nhsa.missing_field", "input.data.card_sn");
		goto out;
	}
	rc = 0;
out:
	return yb_nhsa_req_end(rc, r, req);
}

int yb_nhsa_in_5206(const yb_nhsa_env *env, void **req, yb_err *err)
{
	static const yb_nhsa_field f[] = {
		YB_NHSA_FIELD(yb_nhsa_in_cum, psn_no, 30),
		YB_NHSA_FIELD(yb_nhsa_in_cum, cum_ym, 6),
	};
	yb_nhsa_in_cum *r;
	const char *ym;

	if (yb_nhsa_in_strings(env, f, 2, sizeof *r, req, err) < 0)
		return -1;
	r = *req;
	ym = r->cum_ym;
	if (strlen(ym) != 6 || strspn(ym, "0123456789") != 6 ||
	    strncmp(ym + 4, "01", 2) < 0 || strncmp(ym + 4, "12", 2) > 0)
		return yb_nhsa_req_end(yb_errf(err, "nhsa.invalid_field",
					       "input.data.cum_ym"), r, req);
	r->year = (ym[0] - '0') * 1000 + (ym[1] - '0') * 100 +
		  (ym[2] - '0') * 10 + (ym[3] - '0');
	return 0;
}

int yb_nhsa_in_2601(const yb_nhsa_env *env, void **req, yb_err *err)
{
	static const yb_nhsa_field f[] = {
		YB_NHSA_FIELD(yb_nhsa_in_reversal, psn_no, 30),
		YB_NHSA_FIELD(yb_nhsa_in_reversal, omsgid, 30),
		YB_NHSA_FIELD(yb_nhsa_in_reversal, oinfno, 6),
	};
	yb_nhsa_in_reversal *r;
	int rc = 0;

	if (yb_nhsa_in_strings(env, f, 3, sizeof *r, req, err) < 0)
		return -1;
	r = *req;
	if (strlen(r->oinfno) < 4 ||
	    strspn(r->oinfno, "0123456789") != strlen(r->oinfno))
		rc = yb_errf(err, "nhsa.invalid_field", "input.data.oinfno");
	else if (!yb_nhsa_msgid_ok(r->omsgid))
		rc = yb_errf(err, "nhsa.invalid_field", "input.data.omsgid");
	return yb_nhsa_req_end(rc, r, req);
}
