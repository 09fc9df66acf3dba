/*
 * nhsa_kept.c — a settlement's reply kept as its facts, not its text
 * (docs/NHSA.md "Storage"): the values a 2207/2304 reply is rendered
 * from — envelope times and ids, setlinfo's numbers and codes, the
 * region — in a short fixed-order record, made on the group-commit
 * writer; the reply's text is rendered from it on a connection's thread,
 * for the first answer, for a repeated msgid and for the message
 * look-up, always by the same code, so a repeat is byte-identical.
 *
 * Why: rendering the reply (~29,000 instructions) and keeping its ~1,400
 * bytes were the writer's and the checkpoint's largest 2207 surplus
 * (docs/BENCHMARKS.md, gw5 round).
 *
 * The form: "~S1" then each field in a fixed order, a string as
 * <length>:<bytes>, an integer as <decimal>;.  A reply kept as text
 * starts with '{' (every version before this one kept only text): a
 * record says which form it holds by its first byte.
 */
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "nhsa/nhsa.h"
#include "nhsa/nhsa_env.h"
#include "nhsa/nhsa_json.h"
#include "nhsa/nhsa_txn.h"

#define KEPT_TAG "~S1"
/* A 2207's rendered reply is ~1,400 bytes (a long name or certno more). */
#define KEPT_TEXT_CAP 2048

static void put_str(yb_jw *w, const char *s)
{
	size_t n = strlen(s);

	yb_jw_int(w, (int64_t)n);
	yb_jw_rawn(w, ":", 1);
	yb_jw_rawn(w, s, n);
}

static void put_int(yb_jw *w, int64_t v)
{
	yb_jw_int(w, v);
	yb_jw_rawn(w, ";", 1);
}

char *yb_nhsa_kept_setl(const yb_nhsa_reply *r, const char *region,
			const yb_nhsa_setl *s)
{
	yb_jw w = YB_JW_INIT;
	const int64_t n[] = {
		s->person.sex, s->person.birth_date, s->person.scheme, s->at,
		s->medfee_fen, s->fulamt_ownpay_fen, s->inscp_fen, s->dedc_fen,
		s->fund_fen, s->ratio_bp, s->acct_fen, s->cash_fen, s->balc_fen,
		s->mulaid_fen,
	};

	yb_jw_raw(&w, KEPT_TAG);
	put_str(&w, r->inf_refmsgid);
	put_str(&w, r->refmsg_time);
	put_str(&w, r->respond_time);
	put_str(&w, region);
	put_str(&w, s->setl_id);
	put_str(&w, s->mdtrt_id);
	put_str(&w, s->person.ssn);
	put_str(&w, s->person.name);
	put_str(&w, s->person.id_number);
	put_str(&w, s->insutype);
	put_str(&w, s->cert_type);
	put_str(&w, s->med_type);
	put_str(&w, s->msgid);
	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
		put_int(&w, n[i]);
	return yb_jw_take(&w, NULL);
}

/* ---- reading it back ---------------------------------------------------- */

static bool get_str(const char **p, char *out, size_t size)
{
	char *end;
	unsigned long n = strtoul(*p, &end, 10);

	if (end == *p || *end != ':' || n >= size || strnlen(end + 1, n) < n)
		return false;
	memcpy(out, end + 1, n);
	out[n] = '\0';
	*p = end + 1 + n;
	return true;
}

static bool get_int(const char **p, int64_t *v)
{
	char *end;

	*v = strtoll(*p, &end, 10);
	if (end == *p || *end != ';')
		return false;
	*p = end + 1;
	return true;
}

static bool kept_read(const char *p, yb_nhsa_reply *r, char *region,
		      yb_nhsa_setl *s)
{
	int64_t n[14];

	p += strlen(KEPT_TAG);
	if (!get_str(&p, r->inf_refmsgid, sizeof r->inf_refmsgid) ||
	    !get_str(&p, r->refmsg_time, sizeof r->refmsg_time) ||
	    !get_str(&p, r->respond_time, sizeof r->respond_time) ||
	    !get_str(&p, region, YB_REGION_SZ) ||
	    !get_str(&p, s->setl_id, sizeof s->setl_id) ||
	    !get_str(&p, s->mdtrt_id, sizeof s->mdtrt_id) ||
	    !get_str(&p, s->person.ssn, sizeof s->person.ssn) ||
	    !get_str(&p, s->person.name, sizeof s->person.name) ||
	    !get_str(&p, s->person.id_number, sizeof s->person.id_number) ||
	    !get_str(&p, s->insutype, sizeof s->insutype) ||
	    !get_str(&p, s->cert_type, sizeof s->cert_type) ||
	    !get_str(&p, s->med_type, sizeof s->med_type) ||
	    !get_str(&p, s->msgid, sizeof s->msgid))
		return false;
	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
		if (!get_int(&p, &n[i]))
			return false;
	s->person.sex = (yb_sex)n[0];
	s->person.birth_date = (yb_date)n[1];
	s->person.scheme = (yb_scheme)n[2];
	s->at = n[3];
	s->medfee_fen = n[4];
	s->fulamt_ownpay_fen = n[5];
	s->inscp_fen = n[6];
	s->dedc_fen = n[7];
	s->fund_fen = n[8];
	s->ratio_bp = n[9];
	s->acct_fen = n[10];
	s->cash_fen = n[11];
	s->balc_fen = n[12];
	s->mulaid_fen = n[13];
	return *p == '\0';
}

bool yb_nhsa_kept_is_facts(const char *kept)
{
	return kept && strncmp(kept, KEPT_TAG, strlen(KEPT_TAG)) == 0;
}

/* A kept text answered as it is. */
static char *text_copy(const char *kept, size_t *len)
{
	char *text = strdup(kept);

	if (text && len)
		*len = strlen(text);
	return text;
}

/*
 * The envelope and its output written into one buffer, of about the size
 * of the text at once: rendering the output into a buffer of its own,
 * made a JSON value and copied into the envelope's (yb_nhsa_reply_encode),
 * cost two copies, the value and six reallocs as each buffer grew —
 * ~10,000 of the ~38,600 instructions of this renderer on a connection
 * thread (docs/BENCHMARKS.md, gw6 round).  The bytes are
 * yb_nhsa_reply_encode's, to the last one (tests/service/
 * test_nhsa_gateway.c, test_gateway_kept_s1_rendering).
 */
static char *render(const yb_nhsa_reply *r, const char *region,
		    const yb_nhsa_setl *s, size_t *len)
{
	yb_jw w = YB_JW_INIT;

	yb_jw_reserve(&w, KEPT_TEXT_CAP);
	yb_nhsa_reply_open(&w, r);
	yb_nhsa_setl_render(&w, region, s);
	yb_jw_raw(&w, "}");
	return yb_jw_take(&w, len);
}

char *yb_nhsa_reply_text(const char *kept, size_t *len)
{
	yb_nhsa_reply r;
	/* On the stack (8 KiB, the settlement row with it): a malloc of it
	 * is past the thread's cache, 4,900 instructions a 2207; not
	 * zeroed (as calloc, 13,600): what the renderer reads and
	 * kept_read does not set is set here. */
	yb_nhsa_setl s;
	char region[YB_REGION_SZ], *text = NULL;

	if (!yb_nhsa_kept_is_facts(kept))     /* kept as text */
		return text_copy(kept ? kept : "", len);
	s.revoked = false;
	s.revoked_at = 0;
	s.person.region[0] = '\0';
	memset(&r, 0, sizeof r);
	if (kept_read(kept, &r, region, &s)) {
		text = render(&r, region, &s, len);
	} else {                 /* not ours: shown as it is */
		text = text_copy(kept, len);
	}
	return text;
}
