/*
 * cmd_records.c — records and proofs on the command line (SPEC R1–R4),
 * for the agency's staff:
 *
 *   yibao statement contributions|ledger SSN   [--from] [--to] [--format] [--out]
 *   yibao statement employer CODE              ...
 *   yibao proof issue|show|verify|revoke|list
 *   yibao gaps SSN
 *   yibao arrears [--employer CODE] [--from] [--to] [--sort] [--order] [--format]
 *
 * Files (CSV, PDF) are the same bytes the HTTP API sends (src/render);
 * everything else prints as the API's JSON with --json, or as a table.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/render.h"
#include "service/records.h"

/* ---- writing a file -------------------------------------------------------- */

/* Where a document goes: --out FILE, or stdout ("-" or none), which must
 * not be a terminal for a PDF. */
static FILE *open_out(yb_cli *cli, const char *path, yb_format fmt,
		      int *rc)
{
	FILE *f;

	*rc = CLI_GO;
	if (!path || strcmp(path, "-") == 0) {
		if (fmt == YB_FMT_PDF && isatty(STDOUT_FILENO)) {
			*rc = cli_usage(cli, "a PDF needs --out FILE (or a pipe)");
			return NULL;
		}
		return stdout;
	}
	f = fopen(path, "wb");
	if (!f)
		*rc = cli_usage(cli, "cannot write %s", path);
	return f;
}

/* Close the file; `report` says what was written (JSON with --json). */
static int close_out(yb_cli *cli, FILE *f, const char *path, int64_t bytes,
		     bool report)
{
	if (f == stdout)
		return fflush(f) == 0 ? CLI_OK : CLI_REFUSED;
	if (fclose(f) != 0) {
		fprintf(stderr, "error: writing %s failed\n", path);
		return CLI_REFUSED;
	}
	if (!report)
		return CLI_OK;
	if (cli->json)
		return cli_emit(cli, json_pack("{s:s, s:I}", "file", path,
					       (json_int_t)bytes));
	cli_note(cli, "wrote %s (%lld bytes)\n", path, (long long)bytes);
	return CLI_OK;
}

static int write_all(yb_cli *cli, const char *path, yb_format fmt,
		     const char *data, size_t len, bool report)
{
	int rc;
	FILE *f = open_out(cli, path, fmt, &rc);

	if (!f)
		return rc;
	if (fwrite(data, 1, len, f) != len) {
		if (f != stdout)
			fclose(f);
		fprintf(stderr, "error: writing failed\n");
		return CLI_REFUSED;
	}
	return close_out(cli, f, path, (int64_t)len, report);
}

/* ---- R1 statements --------------------------------------------------------------- */

static const char statement_help[] =
	"usage: yibao statement (contributions | ledger) SSN [options]\n"
	"       yibao statement employer CODE [options]\n"
	"\n"
	"A statement of a period (SPEC R1): a person's contribution records or\n"
	"personal-account entries, or an employer's employees' records, as CSV\n"
	"(UTF-8 with BOM) or PDF, written as it is read.\n"
	"\n"
	"Options:\n"
	"  --from YYYY-MM    first month (default: eleven months before --to)\n"
	"  --to YYYY-MM      last month (default: this month)\n"
	"  --format csv|pdf  (default csv)\n"
	"  --out FILE        write there (default: standard output)\n"
	"\n"
	"Examples:\n"
	"  yibao statement contributions 600000001 --from 2016-01 --to 2025-12\n"
	"  yibao statement ledger 600000001 --format pdf --out ledger.pdf\n";

/* Read the stream to the end into f; the bytes written, or -1. */
static int64_t pump(yb_cli *cli, yb_stream *st, FILE *f, yb_err *err)
{
	char buf[32768];
	int64_t total = 0;
	ssize_t n;

	while ((n = yb_stream_read(st, &cli->ctx, buf, sizeof buf, err)) > 0) {
		if (fwrite(buf, 1, (size_t)n, f) != (size_t)n)
			return yb_errf(err, "internal", "writing failed");
		total += n;
	}
	return n < 0 ? -1 : total;
}

int cmd_statement(yb_cli *cli, int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *format = NULL, *out = NULL;
	const cli_opt opts[] = {
		{ "from", CLI_OPT_STR, &from, false },
		{ "to", CLI_OPT_STR, &to, false },
		{ "format", CLI_OPT_STR, &format, false },
		{ "out", CLI_OPT_STR, &out, false },
		{ NULL, 0, NULL, false },
	};
	yb_statement_kind kind;
	yb_stream *st = NULL;
	yb_statement s;
	yb_format fmt;
	int64_t bytes;
	char **pos;
	yb_err err;
	FILE *f;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, opts, statement_help, 2, 2,
			    &pos)) != CLI_GO)
		return rc;
	if (strcmp(pos[0], "contributions") == 0)
		kind = YB_STATEMENT_CONTRIBUTIONS;
	else if (strcmp(pos[0], "ledger") == 0)
		kind = YB_STATEMENT_LEDGER;
	else if (strcmp(pos[0], "employer") == 0)
		kind = YB_STATEMENT_EMPLOYER;
	else
		return cli_usage(cli, "contributions, ledger or employer, "
				 "not '%s'", pos[0]);
	if (!yb_format_parse(format, false, YB_FMT_CSV, &fmt))
		return cli_usage(cli, "--format: csv or pdf");
	if ((rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (yb_statement_open(&cli->ctx, kind, pos[1], from, to, &s, &err) < 0 ||
	    yb_stream_new(&s, fmt, &cli->settings, &st, &err) < 0)
		return cli_fail(cli, &err);
	f = open_out(cli, out, fmt, &rc);
	if (!f) {
		yb_stream_free(st);
		return rc;
	}
	bytes = pump(cli, st, f, &err);
	yb_stream_free(st);
	if (bytes < 0) {
		if (f != stdout)
			fclose(f);
		return cli_fail(cli, &err);
	}
	return close_out(cli, f, out, bytes, true);
}

/* ---- R3 gaps ------------------------------------------------------------------------ */

static const char gaps_help[] =
	"usage: yibao gaps SSN\n"
	"\n"
	"A person's gaps (断缴, SPEC R3): the months since his first\n"
	"contribution, up to the last closed month, with none posted; and the\n"
	"months insured in a row up to now.\n";

int cmd_gaps(yb_cli *cli, int argc, char **argv)
{
	char **pos;
	yb_gaps g;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL, gaps_help, 1, 1,
				 &pos)) != CLI_GO)
		return rc;
	if (yb_gaps_of(&cli->ctx, pos[0], &g, &err) < 0)
		return cli_fail(cli, &err);
	rc = cli_emit(cli, yb_json_gaps(&g, cli->settings.gap_explanation));
	yb_gaps_release(&g);
	return rc;
}

/* ---- R4 arrears ------------------------------------------------------------------------ */

static const char arrears_help[] =
	"usage: yibao arrears [--employer CODE] [options]\n"
	"\n"
	"Employer arrears (SPEC R4): without --employer, every employer that\n"
	"posted no contribution for some employee in some month of the period,\n"
	"with its counts; with --employer, its employees in arrears and their\n"
	"missing months.\n"
	"\n"
	"Options:\n"
	"  --from YYYY-MM     first month (default: eleven months before --to)\n"
	"  --to YYYY-MM       last month (default: the last closed month)\n"
	"  --sort KEY         missing_months (default), employees_in_arrears,\n"
	"                     employees, employer_code, employer_name\n"
	"  --order asc|desc   (default: desc for counts, asc for codes, names)\n"
	"  --format csv       CSV (UTF-8 with BOM) on standard output\n";

static int arrears_one(yb_cli *cli, const char *code, const char *from,
		       const char *to, yb_format fmt)
{
	yb_arrears a;
	char *csv;
	size_t len;
	yb_err err;
	int rc = CLI_OK;

	if (yb_arrears_of_employer(&cli->ctx, code, from, to, &a, &err) < 0)
		return cli_fail(cli, &err);
	if (fmt != YB_FMT_CSV)
		rc = cli_emit(cli, yb_json_arrears(&a, false));
	else if (yb_arrears_csv(&a, &csv, &len, &err) < 0)
		rc = cli_fail(cli, &err);
	else {
		rc = write_all(cli, NULL, fmt, csv, len, true);
		free(csv);
	}
	yb_arrears_release(&a);
	return rc;
}

int cmd_arrears(yb_cli *cli, int argc, char **argv)
{
	const char *employer = NULL, *from = NULL, *to = NULL, *sort = NULL,
		   *order = NULL, *format = NULL;
	const cli_opt opts[] = {
		{ "employer", CLI_OPT_STR, &employer, false },
		{ "from", CLI_OPT_STR, &from, false },
		{ "to", CLI_OPT_STR, &to, false },
		{ "sort", CLI_OPT_STR, &sort, false },
		{ "order", CLI_OPT_STR, &order, false },
		{ "format", CLI_OPT_STR, &format, false },
		{ NULL, 0, NULL, false },
	};
	char pf[YB_MONTH_SZ], pt[YB_MONTH_SZ];
	yb_employer_arrears *list = NULL;
	yb_format fmt;
	char *csv;
	size_t len;
	int n, rc;
	yb_err err;
	bool asc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, arrears_help, 0, 0,
				 NULL)) != CLI_GO)
		return rc;
	if (!yb_format_parse(format, true, YB_FMT_JSON, &fmt) ||
	    fmt == YB_FMT_PDF)
		return cli_usage(cli, "--format: csv");
	if (order && strcmp(order, "asc") && strcmp(order, "desc"))
		return cli_usage(cli, "--order: asc or desc");
	if (employer)
		return arrears_one(cli, employer, from, to, fmt);
	asc = order ? strcmp(order, "asc") == 0
		    : sort && (strcmp(sort, "employer_code") == 0 ||
			       strcmp(sort, "employer_name") == 0);
	if (yb_arrears_employers(&cli->ctx, from, to, sort, asc, pf, pt, &list,
				 &n, &err) < 0)
		return cli_fail(cli, &err);
	if (fmt != YB_FMT_CSV)
		rc = cli_emit(cli, yb_json_employers_arrears(list, n, pf, pt));
	else if (yb_arrears_employers_csv(list, n, pf, pt, &csv, &len,
					  &err) < 0)
		rc = cli_fail(cli, &err);
	else {
		rc = write_all(cli, NULL, fmt, csv, len, true);
		free(csv);
	}
	free(list);
	return rc == CLI_GO ? CLI_OK : rc;
}

/* ---- R2 proofs ------------------------------------------------------------------------- */

static const char proof_help[] =
	"usage: yibao proof <subcommand> ...\n"
	"\n"
	"Proofs of insurance (参保证明, SPEC R2): a PDF with a verification code\n"
	"and a QR code; anyone checks it at /verify/{code}.\n";

/* Print the proof; with --out, write its PDF there too (and say so in
 * the answer's "file"). */
static int show_proof(yb_cli *cli, const yb_proof_view *v, const char *out)
{
	json_t *o;
	char *pdf;
	size_t len;
	yb_err err;
	int rc;

	if (out) {
		if (yb_proof_pdf(v, &pdf, &len, &err) < 0)
			return cli_fail(cli, &err);
		rc = write_all(cli, out, YB_FMT_PDF, pdf, len, false);
		free(pdf);
		if (rc != CLI_OK)
			return rc;
	}
	o = yb_json_proof(v);
	if (o && out)
		json_object_set_new(o, "file", json_string(out));
	return cli_emit(cli, o);
}

/* `proof issue SSN` makes a proof, `proof show CODE` reads one; both
 * print it and, with --out, write its PDF. */
static int proof_doc(yb_cli *cli, int argc, char **argv, bool issue)
{
	const char *out = NULL;
	const cli_opt opts[] = { { "out", CLI_OPT_STR, &out, false },
				 { NULL, 0, NULL, false } };
	yb_proof_view v;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts, issue
			? "usage: yibao proof issue SSN [--out FILE.pdf]\n"
			: "usage: yibao proof show CODE [--out FILE.pdf]\n",
			1, 1, &pos)) != CLI_GO)
		return rc;
	rc = issue ? yb_proof_issue(&cli->ctx, pos[0], &v, &err)
		   : yb_proof_get(&cli->ctx, pos[0], &v, &err);
	if (rc < 0)
		return cli_fail(cli, &err);
	return show_proof(cli, &v, out);
}

static int proof_issue(yb_cli *cli, int argc, char **argv)
{
	return proof_doc(cli, argc, argv, true);
}

static int proof_show(yb_cli *cli, int argc, char **argv)
{
	return proof_doc(cli, argc, argv, false);
}

/* Exit 0 only for a genuine proof, 1 for any other verdict. */
static int proof_verify(yb_cli *cli, int argc, char **argv)
{
	yb_proof_view v;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, NULL,
				 "usage: yibao proof verify CODE\n"
				 "Exit 0 when genuine, 1 otherwise.\n",
				 1, 1, &pos)) != CLI_GO)
		return rc;
	if (yb_proof_verify(&cli->ctx, pos[0], &v, &err) < 0)
		return cli_fail(cli, &err);
	if ((rc = cli_emit(cli, yb_json_verify(pos[0], &v))) != CLI_OK)
		return rc;
	return v.verdict == YB_PROOF_GENUINE ? CLI_OK : CLI_REFUSED;
}

static int proof_revoke(yb_cli *cli, int argc, char **argv)
{
	const char *reason = NULL;
	const cli_opt opts[] = { { "reason", CLI_OPT_STR, &reason, true },
				 { NULL, 0, NULL, false } };
	yb_proof_view v;
	char **pos;
	yb_err err;
	int rc;

	if ((rc = cli_parse_open(cli, argc, argv, opts,
				 "usage: yibao proof revoke CODE --reason TEXT\n",
				 1, 1, &pos)) != CLI_GO)
		return rc;
	if (yb_proof_revoke(&cli->ctx, pos[0], reason, &v, &err) < 0)
		return cli_fail(cli, &err);
	return cli_emit(cli, yb_json_proof(&v));
}

static int proof_list(yb_cli *cli, int argc, char **argv)
{
	const char *limit_s = NULL, *before_s = NULL;
	const cli_opt opts[] = {
		{ "limit", CLI_OPT_STR, &limit_s, false },
		{ "before", CLI_OPT_STR, &before_s, false },
		{ NULL, 0, NULL, false },
	};
	yb_proof *items = NULL;
	int n = 0, limit, rc;
	yb_id before;
	char **pos;
	yb_err err;

	if ((rc = cli_parse(cli, argc, argv, opts,
			    "usage: yibao proof list SSN [--limit N] [--before ID]\n",
			    1, 1, &pos)) != CLI_GO ||
	    (rc = cli_page(cli, limit_s, before_s, &limit, &before)) != CLI_GO ||
	    (rc = cli_open(cli)) != CLI_GO)
		return rc;
	if (yb_proofs_list(&cli->ctx, pos[0], before, limit, &items, &n,
			   &err) < 0) {
		free(items);
		return cli_fail(cli, &err);
	}
	rc = cli_emit(cli, CLI_RENDER_LIST(items, n, yb_json_proof_item));
	free(items);
	return rc;
}

int cmd_proof(yb_cli *cli, int argc, char **argv)
{
	static const cli_cmd table[] = {
		{ "issue", proof_issue, "issue a proof for a person (--out PDF)" },
		{ "show", proof_show, "a proof, and its PDF (--out)" },
		{ "verify", proof_verify, "is a code genuine (exit 0) or not (1)" },
		{ "revoke", proof_revoke, "revoke a proof, with a reason" },
		{ "list", proof_list, "the proofs issued for a person" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, argc, argv, table, proof_help);
}
