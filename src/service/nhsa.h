/*
 * nhsa.h — the use cases behind the national-interface gateway
 * (src/nhsa/, docs/NHSA.md): institution credentials and the gateway's
 * replay defences, the message log (msgid idempotency), operator sign-in,
 * visits and fee details, and settlement through the same settlement core
 * as the JSON API (settle_int.h) with the fund part from the N-rule
 * policy (core/fundpolicy.h) and the person's yearly totals.
 *
 * Visits, fee batches, yearly totals and settlement records live in the
 * store's typed tables (store.h, migration 9); the rest in its
 * nhsa_records table, one kind per subject, whose JSON is this module's
 * own business.
 */
#ifndef YB_SERVICE_NHSA_H
#define YB_SERVICE_NHSA_H

#include "service/ctx.h"

/* ---- credentials and replay defences (nhsa.c) ---------------------------- */

#define YB_NHSA_PAASID_SZ 41
#define YB_NHSA_TOKEN_SZ  65

typedef struct yb_nhsa_cred {
	char paasid[YB_NHSA_PAASID_SZ];
	char token[YB_NHSA_TOKEN_SZ];    /* the shared secret of the signature */
	char institution_code[YB_CODE_SZ];
	yb_time created_at;
} yb_nhsa_cred;

/* Issue a paasid + token for a registered institution (admin). */
int yb_nhsa_credential_issue(yb_ctx *ctx, const char *institution_code,
			     yb_nhsa_cred *out, yb_err *err);
/* The credential of a paasid, before anyone is authenticated (as
 * yb_authenticate): nhsa.auth_unknown_paasid, also once revoked. */
int yb_nhsa_credential_find(yb_ctx *ctx, const char *paasid,
			    yb_nhsa_cred *out, yb_err *err);

/* What an operator sees of a credential: never the token. */
typedef struct yb_nhsa_cred_info {
	char paasid[YB_NHSA_PAASID_SZ];
	char institution_code[YB_CODE_SZ];
	yb_time created_at;
	yb_time revoked_at;              /* 0 while in use */
} yb_nhsa_cred_info;

/* An institution's credentials, newest first (admin); *out malloc'd.
 * institution.not_found for an unknown code. */
int yb_nhsa_credential_list(yb_ctx *ctx, const char *institution_code,
			    yb_nhsa_cred_info **out, int *n, yb_err *err);
/* Revoke (admin, audited nhsa.credential.revoke): the gateway refuses
 * the paasid from the next request on.  Again is harmless (the first
 * revocation's time stays).  nhsa.credential_not_found. */
int yb_nhsa_credential_revoke(yb_ctx *ctx, const char *paasid,
			      yb_nhsa_cred_info *out, yb_err *err);

/* A nonce is good once per paasid within the window (and old ones are
 * forgotten after it): nhsa.auth_nonce_replayed. */
int yb_nhsa_nonce_use(yb_ctx *ctx, const char *paasid, const char *nonce,
		      yb_err *err);

/* ---- the message log (nhsa_msg.c) ------------------------------------------ */

typedef struct yb_nhsa_msg {
	const char *institution_code;    /* "" before authentication */
	const char *msgid;
	const char *infno;
	const char *opter;
	const char *inf_refmsgid;
	char body_hash[YB_HASH_HEX_SZ];
	int64_t received_ms;
	int64_t responded_ms;
	int infcode;
	const char *err_code;            /* "" on success */
	const char *response;            /* the reply text */
	/* What 2601 needs to undo this message (JSON text), NULL if none. */
	const char *effect;
	/* The facts above known before the answer, institution to
	 * received_ms, as the record writes them (yb_nhsa_msg_head: made
	 * off the writer); NULL: written with the rest. */
	const char *head;
} yb_nhsa_msg;

/*
 * Claim (institution, msgid) for this message, in the transaction that
 * then acts on it (so a second message with the msgid waits for the
 * first to commit, on PostgreSQL at the unique key).  With `final` the
 * message is kept complete at once (m->response set: a read, whose
 * answer was made before), else as pending until yb_nhsa_msg_finish.
 * 0: new, go on; 1: the same body was answered before, *response is that
 * answer (malloc'd).  Errors: nhsa.msgid_reused (another body),
 * nhsa.msgid_in_progress (the first is not answered), nhsa.msgid_reversed
 * (undone by 2601).  With a nonce (not NULL), the nonce of paasid is
 * spent first, in the same transaction (one savepoint on the writer, not
 * two): a replayed one is refused (nhsa.auth_nonce_replayed) and claims
 * nothing; one refused for its msgid stays spent.  `text`: the record's
 * text made already (yb_nhsa_msg_pending_text, off the writer; taken), or
 * NULL to make it here.
 */
int yb_nhsa_msg_claim(yb_ctx *ctx, const yb_nhsa_msg *m, const char *paasid,
		      const char *nonce, bool final, char *text,
		      char **response, yb_err *err);
/* m->head's text (malloc'd; NULL: out of memory). */
char *yb_nhsa_msg_head(const yb_nhsa_msg *m);
/* The pending record of m as yb_nhsa_msg_claim keeps it (malloc'd; NULL:
 * out of memory). */
char *yb_nhsa_msg_pending_text(const yb_nhsa_msg *m);
/* The claim on a store whose write transactions run one at a time
 * (store ops one_writer: SQLite), in the write transaction: the msgid is
 * read, not written — no other transaction can keep it before this one
 * commits — and the message row is written once, by yb_nhsa_msg_finish,
 * with its reply (docs/NHSA.md step 5).  The nonce as yb_nhsa_msg_claim,
 * after the read; no savepoint (nothing is written before the nonce).
 * Results and errors as yb_nhsa_msg_claim. */
int yb_nhsa_msg_check(yb_ctx *ctx, const yb_nhsa_msg *m, const char *paasid,
		      const char *nonce, char **response, yb_err *err);
/* Keep the answer of a claimed message (or, with claimed = false, log a
 * message refused before it could claim anything).  `pending`: after
 * yb_nhsa_msg_check, the pending record (yb_nhsa_msg_pending_text),
 * kept instead if the whole one cannot be; else NULL. */
int yb_nhsa_msg_finish(yb_ctx *ctx, const yb_nhsa_msg *m, bool claimed,
		       const char *pending, yb_err *err);
/* An operator reads a kept message: its JSON record (malloc'd). */
/* A kept reply's text: 2207/2304 keep theirs as facts, rendered by the
 * gateway (nhsa/nhsa.h yb_nhsa_reply_text); NULL shows it as kept. */
typedef char *yb_nhsa_render_fn(const char *kept, size_t *len);
int yb_nhsa_msg_get(yb_ctx *ctx, const char *institution_code,
		    const char *msgid, yb_nhsa_render_fn *render, char **json,
		    yb_err *err);

/* 2601 冲正: undo what the message (institution, omsgid) of infno oinfno
 * did for person psn_no, where that means something (docs/NHSA.md
 * "2601"); *what says what was done ("settlement.revoke", "visit.cancel",
 * "fee.delete", "none", "tombstone").  nhsa.reversal_refused when it
 * cannot be undone. */
int yb_nhsa_reverse(yb_ctx *ctx, const char *psn_no, const char *omsgid,
		    const char *oinfno, const char *by_msgid,
		    const char **what, yb_err *err);

/* ---- sign-in (nhsa_sign.c) ------------------------------------------------------ */

int yb_nhsa_sign_in(yb_ctx *ctx, const char *opter_no, const char *ip,
		    const char *mac, char sign_no[31], yb_time *at,
		    yb_err *err);
int yb_nhsa_sign_out(yb_ctx *ctx, const char *sign_no, const char *opter_no,
		     yb_time *at, yb_err *err);
/* Is sign_no a live sign-in of this institution's operator today?
 * nhsa.sign_required, nhsa.sign_invalid. */
int yb_nhsa_sign_check(yb_ctx *ctx, const char *sign_no, const char *opter,
		       yb_err *err);

/* ---- persons, visits, fee details (nhsa_visit.c) --------------------------- */

typedef struct yb_nhsa_person {
	yb_person person;
	bool has_account;
	int64_t balance_fen;
	const char *insutype;            /* "310" / "390" */
	const char *psn_type;
} yb_nhsa_person;

/* 1101: who a credential (01 e-credential, 02 ID number, 03 card) names. */
int yb_nhsa_person_info(yb_ctx *ctx, const char *cert_type,
			const char *cert_no, yb_nhsa_person *out, yb_err *err);

/* yb_nhsa_visit: store/store.h (table nhsa_visits). */

/* 2201: fields of `in` except mdtrt_id/person_id/state/at; C4 checked. */
int yb_nhsa_visit_register(yb_ctx *ctx, const yb_nhsa_visit *in,
			   yb_nhsa_visit *out, yb_err *err);
/* 2202 */
int yb_nhsa_visit_cancel(yb_ctx *ctx, const char *psn_no,
			 const char *mdtrt_id, const char *ipt_otp_no,
			 yb_err *err);
/* 2203 */
int yb_nhsa_visit_info(yb_ctx *ctx, const char *mdtrt_id, const char *psn_no,
		       const char *med_type, const char *dise_codg,
		       yb_err *err);

typedef struct yb_nhsa_fee {
	char feedetl_sn[31];
	char mdtrt_id[31];
	char psn_no[YB_SSN_SZ];
	char chrg_bchno[31];
	char med_list_codg[51];
	int64_t amount_fen;
	int64_t cnt;                     /* 1e-4 */
	int64_t pric;                    /* 1e-6 */
	char msgid[31];                  /* the 2204/2301 that uploaded it */
} yb_nhsa_fee;

/* 2204/2301: all lines or none; each line remembers `msgid` (2601).
 * A batch (chrg_bchno) already settled takes no more lines
 * (nhsa.batch_settled). */
int yb_nhsa_fee_upload(yb_ctx *ctx, const yb_nhsa_fee *lines, int n,
		       const char *msgid, yb_err *err);
/* 2205: the unsettled lines of one batch, or of all ("0000"). */
int yb_nhsa_fee_cancel(yb_ctx *ctx, const char *mdtrt_id,
		       const char *chrg_bchno, const char *psn_no,
		       int *removed, yb_err *err);
/* 2302: one unsettled line by feedetl_sn, or all unsettled ("0000");
 * a named line that is settled: nhsa.batch_settled; unknown:
 * nhsa.fee_not_found. */
int yb_nhsa_fee_cancel_line(yb_ctx *ctx, const char *mdtrt_id,
			    const char *feedetl_sn, const char *psn_no,
			    int *removed, yb_err *err);

/* ---- settlement (nhsa_settle.c) ----------------------------------------------- */

typedef struct yb_nhsa_setl_req {
	const char *psn_no;
	const char *cert_type;
	const char *cert_no;             /* "" → the registration's */
	const char *med_type;
	const char *mdtrt_id;
	const char *chrg_bchno;
	const char *insutype;
	bool acct_used;
	int64_t medfee_fen;
	bool has_inscp;
	int64_t inscp_fen;
	const char *msgid;               /* medins_setl_id */
	/* 2303/2304: every unsettled batch of the stay, med_type the
	 * visit's (chrg_bchno and med_type ""); mid_setl 中途结算 leaves
	 * the stay open. */
	bool inpatient;
	bool mid_setl;
	/* Its S4 hash, made off the writer by yb_nhsa_setl_req_hash ("":
	 * yb_nhsa_settle makes it). */
	char hash[YB_HASH_HEX_SZ];
} yb_nhsa_setl_req;

/* r->hash, the S4 hash of the request's content: work that needs no
 * database, done before the write transaction (the gateway's begin). */
void yb_nhsa_setl_req_hash(yb_nhsa_setl_req *r);

/* Everything setlinfo / setldetail say. */
typedef struct yb_nhsa_setl {
	yb_settlement s;
	yb_person person;
	char setl_id[31];
	char mdtrt_id[31];
	char chrg_bchno[31];
	char insutype[7];
	char med_type[7];
	char cert_type[4];
	char msgid[31];
	int64_t medfee_fen;
	int64_t inscp_fen;
	int64_t fulamt_ownpay_fen;
	int64_t dedc_fen;
	int64_t fund_fen;
	int64_t ratio_bp;
	int64_t acct_fen;
	int64_t mulaid_fen;
	int64_t cash_fen;
	int64_t balc_fen;
	bool revoked;
	yb_time at;
	yb_time revoked_at;
	char req_hash[65];               /* S4: the request's hash */
} yb_nhsa_setl;

/* 2206/2303 (preview) and 2207/2304: S3 order, S4 on (institution,
 * mdtrt_id/chrg_bchno; a stay: its final settlement), N1–N6, totals =
 * fee details. */
int yb_nhsa_settle(yb_ctx *ctx, const yb_nhsa_setl_req *req, bool preview,
		   yb_nhsa_setl *out, bool *repeat, yb_err *err);
/* 2208 (outpatient, pharmacy) and 2305 (inpatient: its fee lines are
 * unsettled again): S5, yearly totals given back; again is harmless.
 * nhsa.setl_not_found also for a settlement of the other family. */
int yb_nhsa_revoke(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		   const char *psn_no, bool inpatient, yb_nhsa_setl *out,
		   yb_err *err);
/* 5203 */
int yb_nhsa_setl_get(yb_ctx *ctx, const char *setl_id, const char *mdtrt_id,
		     const char *psn_no, yb_nhsa_setl *out, yb_err *err);

/* 5206: a person's totals of a year, per insurance type and visit family. */
typedef struct yb_nhsa_cum {
	char insutype[7];
	int year;
	int visit;                       /* yb_visit_type */
	int64_t dedc_fen;
	int64_t fund_fen;
	int64_t medfee_fen;
	int64_t count;
} yb_nhsa_cum;

#define YB_NHSA_CUM_MAX 6
int yb_nhsa_cum_get(yb_ctx *ctx, const char *psn_no, int year,
		    yb_nhsa_cum *out, int *n, yb_err *err);

/* 3201/3202: our totals of the institution's settlements in [begin, end]
 * (local dates) of one insutype ("" = all); revoked ones left out. */
typedef struct yb_nhsa_totals {
	int64_t count;
	int64_t medfee_fen;
	int64_t fund_fen;
	int64_t acct_fen;
	int64_t cash_fen;
} yb_nhsa_totals;

int yb_nhsa_totals_get(yb_ctx *ctx, const char *insutype, yb_date begin,
		       yb_date end, yb_nhsa_totals *out, yb_err *err);

#endif
