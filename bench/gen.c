/*
 * gen.c — the benchmark's data generator: a whole insured population
 * written straight through the store interface (store.h), on either
 * engine, in batched transactions.
 *
 *   gen --db URL [-n N] [--seed S] [--families PCT] [--institutions K]
 *       [--keys-out FILE] [--workload FILE] [--sample K] [--batch B]
 *
 * What it makes (all of it valid under SPEC, so the server's rules hold on
 * it and `yibao ledger check` stays at zero):
 *  - employers (one per ~2,000 persons) and K designated institutions
 *    (10% hospitals, 40% clinics, 50% pharmacies), each institution with
 *    an API key made by the service (yb_apikey_create; only the hash is
 *    stored, so the secrets go to --keys-out), plus one agency_window key
 *    and one admin key;
 *  - N persons in households of 1–5 (head, spouse, children, a parent of
 *    the head), with ages that fit their place in the household and a
 *    scheme that fits the age (~70% employee_tier1 overall);
 *  - for every tier-1 person the personal account and one contribution
 *    record whose ledger posting credits a realistic balance (¥1 to
 *    ¥20,000, a few at zero): double entry through ledger_post;
 *  - for everyone a card applied for at the center, issued and
 *    financially activated (card numbers from the store's "card_no"
 *    sequence, as the service takes them);
 *  - family mutual aid: a tier-1 member of a household of two or more
 *    authorizes, with probability PCT% (default 40), one to three other
 *    members whose relationship the default settings allow (spouse,
 *    parent, child);
 *  - one audit record "bench.generate" naming what was generated (the
 *    rows themselves are generated data, not operators' actions).
 *
 * Uniqueness with constant memory: person i gets the ID number
 *   region   districts[i % 9]
 *   sequence (i / 9) % 1000
 *   birth    D0 + r·W + (i / 9000)       (W = ceil(N / 9000) days)
 * where r picks the W-day bucket nearest the age the household wants.
 * (district, sequence, i / 9000) differs for distinct i and the date
 * keeps i / 9000 as its residue mod W, so no two persons share an ID
 * number; and the SSN is 100000000 + (A·i + B) mod 900000000 with A prime
 * to 900000000, a permutation.  Nothing is remembered per person except
 * a fixed-size random sample for the workload file.
 *
 * The workload file (--workload) is what the load generator reads
 * (bench/wrk/yibao.lua): a sample of patients who pay from their own
 * account ("own"), of patients who have no balance of their own but
 * relatives who authorized them ("family"), and of persons to look up
 * ("person"), each with SSN, ID number and card number.
 *
 * PostgreSQL (issue 16): through the store, a person costs a dozen
 * round trips (~600 persons/s).  So on a PostgreSQL URL the population is
 * generated exactly as above into a scratch SQLite file (--scratch DIR,
 * default $TMPDIR or /tmp; no fsync: it is thrown away), which is then
 * streamed into PostgreSQL with COPY by the code of `yibao migrate`
 * (yb_store_migrate_to_pg: one COPY per table, one transaction).  The
 * data are the SQLite path's by construction — the same generator wrote
 * them — and the target gets all of them or nothing.  The target must
 * hold no data yet (run `yibao init` after gen, not before).
 *
 * Progress goes to stderr as a bar when it is a terminal; the summary
 * (with persons/s) is printed to stdout as key=value pairs.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/date.h"
#include "core/enums.h"
#include "core/hash.h"
#include "core/idnum.h"
#include "core/settings.h"
#include "service/auth.h"
#include "service/ctx.h"
#include "store/store.h"

#define NDISTRICTS      9
#define MAX_HOUSEHOLD   5
#define DEFAULT_PERSONS 1000000L
#define DEFAULT_BATCH   20000L
#define DEFAULT_SAMPLE  20000L
#define SSN_SPACE       900000000LL    /* 2^8 · 3^2 · 5^8 */
#define SSN_MUL         48271LL        /* prime, coprime to SSN_SPACE */
#define PERSONS_PER_EMPLOYER 2000

static const char *const districts[NDISTRICTS] = {
	"440303", "440304", "440305", "440306", "440307",
	"440308", "440309", "440310", "440311",
};

/* Surnames and given-name characters to draw from (common ones). */
static const char *const family_names[] = {
	"陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨", "郑", "谢",
	"郭", "洪", "邱", "曾", "廖", "赖", "徐", "周", "叶", "苏", "庄", "吕",
	"江", "何", "萧", "罗", "高", "潘", "简", "朱", "钟", "游", "彭", "詹",
};
static const char *const name_chars[] = {
	"志", "伟", "俊", "明", "家", "文", "建", "宏", "冠", "嘉", "雅", "淑",
	"美", "惠", "玲", "婷", "怡", "君", "宗", "信", "德", "豪", "杰", "荣",
	"芬", "秀", "珍", "凤", "丽", "晓", "梅", "琪", "欣", "瑜", "佩", "宇",
};
#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* The places in a household, by slot number. */
enum slot { SLOT_HEAD, SLOT_SPOUSE, SLOT_CHILD1, SLOT_CHILD2, SLOT_ELDER };

typedef struct options {
	const char *db;
	long persons;
	unsigned long seed;
	int families_pct;
	int institutions;
	long batch;
	long sample;
	const char *keys_out;
	const char *workload;
	const char *scratch;           /* PostgreSQL: scratch directory */
	bool quiet;
} options;

/* One person of the household being written. */
typedef struct member {
	yb_person p;
	int age;
	bool has_account;
	int64_t balance_fen;
	char card_no[YB_CARD_NO_SZ];
	bool authorized;               /* someone authorized him */
} member;

/* A person kept in a workload sample. */
typedef struct sample_row {
	char ssn[YB_SSN_SZ];
	char id_number[YB_IDNUM_SZ];
	char card_no[YB_CARD_NO_SZ];
} sample_row;

/* A fixed-size uniform sample of a stream (reservoir sampling). */
typedef struct reservoir {
	const char *kind;
	long cap, seen, n;
	sample_row *rows;
} reservoir;

typedef struct stats {
	long persons, tier1, accounts, cards, bindings, contributions;
	long zero_balance;
	int64_t balance_fen;
} stats;

typedef struct gen {
	options o;
	yb_ctx ctx;
	yb_settings settings;
	unsigned short rng[3];         /* nrand48 state */
	yb_time now;
	yb_date today;
	yb_date first_day;             /* D0: the earliest birth date */
	long bucket_days;              /* W */
	long nbuckets;
	long nemployers;
	char period[8];                /* contribution period: last month */
	yb_id income_acc, fund_acc;
	reservoir own, family, lookup;
	stats st;
	bool tty;
	struct timespec t0;
	/* PostgreSQL: the target, and the scratch SQLite file written first */
	const char *pg_url;
	char scratch_dir[4096], scratch_db[4200];
	double copy_seconds;
} gen;

/* ---- small helpers ----------------------------------------------------- */

static long rnd(gen *g, long n)        /* uniform in [0, n) */
{
	return n > 0 ? nrand48(g->rng) % n : 0;
}

static bool chance(gen *g, int pct)
{
	return rnd(g, 100) < pct;
}

static double elapsed(const gen *g)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - g->t0.tv_sec) +
	       (double)(t.tv_nsec - g->t0.tv_nsec) / 1e9;
}

static void die_err(const char *what, const yb_err *err)
{
	fprintf(stderr, "\ngen: %s: %s: %s\n", what,
		err->code ? err->code : "?", err->message);
	exit(1);
}

static void usage(int status)
{
	fputs("usage: gen --db URL [-n N] [--seed S] [--families PCT]\n"
	      "           [--institutions K] [--keys-out FILE]\n"
	      "           [--workload FILE] [--sample K] [--batch B]\n"
	      "           [--scratch DIR] [--quiet]\n"
	      "\n"
	      "Generate N insured persons (default 1,000,000) with accounts,\n"
	      "contributions, activated cards and family bindings, K\n"
	      "institutions (default 300) with API keys, straight through the\n"
	      "store.  --keys-out gets the keys (\"ROLE CODE KEY\" lines),\n"
	      "--workload a sample of K (default 20,000) patients and persons\n"
	      "per kind for bench/wrk/yibao.lua.  --families is the share of\n"
	      "tier-1 persons in households of two or more who authorize\n"
	      "relatives (default 40).\n"
	      "\n"
	      "On PostgreSQL the population is generated into a scratch SQLite\n"
	      "file in --scratch DIR (default $TMPDIR or /tmp), then copied in\n"
	      "with COPY; the database must hold no data yet (yibao init after).\n"
	      "\n"
	      "Example:\n"
	      "  gen --db sqlite:/tmp/b.db -n 20000 --keys-out keys.txt \\\n"
	      "      --workload workload.txt\n", status ? stderr : stdout);
	exit(status);
}

static long parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "gen: %s must be a number from %ld to %ld\n",
			opt, min, max);
		exit(2);
	}
	return v;
}

static void parse_options(int argc, char **argv, options *o)
{
	memset(o, 0, sizeof *o);
	o->persons = DEFAULT_PERSONS;
	o->seed = 1;
	o->families_pct = 40;
	o->institutions = 300;
	o->batch = DEFAULT_BATCH;
	o->sample = DEFAULT_SAMPLE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			usage(0);
		if (strcmp(a, "--quiet") == 0) {
			o->quiet = true;
			continue;
		}
		if (!v)
			usage(2);
		i++;
		if (strcmp(a, "--db") == 0)
			o->db = v;
		else if (strcmp(a, "-n") == 0 || strcmp(a, "--persons") == 0)
			o->persons = parse_long(a, v, 1, 100000000L);
		else if (strcmp(a, "--seed") == 0)
			o->seed = (unsigned long)parse_long(a, v, 0, LONG_MAX);
		else if (strcmp(a, "--families") == 0)
			o->families_pct = (int)parse_long(a, v, 0, 100);
		else if (strcmp(a, "--institutions") == 0)
			o->institutions = (int)parse_long(a, v, 1, 99999);
		else if (strcmp(a, "--batch") == 0)
			o->batch = parse_long(a, v, 1, 10000000L);
		else if (strcmp(a, "--sample") == 0)
			o->sample = parse_long(a, v, 1, 10000000L);
		else if (strcmp(a, "--keys-out") == 0)
			o->keys_out = v;
		else if (strcmp(a, "--workload") == 0)
			o->workload = v;
		else if (strcmp(a, "--scratch") == 0)
			o->scratch = v;
		else
			usage(2);
	}
	if (!o->db)
		usage(2);
}

/* ---- progress ---------------------------------------------------------- */

static void progress(gen *g, bool last)
{
	double t = elapsed(g), rate = t > 0 ? g->st.persons / t : 0;
	long done = g->st.persons, total = g->o.persons;
	int width = 30, fill = (int)(width * done / (total ? total : 1));
	char bar[64];

	if (!g->tty || g->o.quiet)
		return;
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(width - fill));
	bar[width] = '\0';
	fprintf(stderr, "\r[%s] %3ld%% %ld/%ld persons  %.0f/s  ETA %.0fs ",
		bar, 100 * done / (total ? total : 1), done, total, rate,
		rate > 0 ? (double)(total - done) / rate : 0.0);
	if (last)
		fputc('\n', stderr);
}

/* ---- the workload sample ---------------------------------------------- */

static void reservoir_init(reservoir *r, const char *kind, long cap)
{
	r->kind = kind;
	r->cap = cap;
	r->seen = r->n = 0;
	r->rows = calloc((size_t)cap, sizeof *r->rows);
	if (!r->rows) {
		fputs("gen: out of memory for the workload sample\n", stderr);
		exit(1);
	}
}

static void reservoir_offer(gen *g, reservoir *r, const member *m)
{
	long slot;

	r->seen++;
	if (r->n < r->cap)
		slot = r->n++;
	else if ((slot = rnd(g, r->seen)) >= r->cap)
		return;
	snprintf(r->rows[slot].ssn, YB_SSN_SZ, "%s", m->p.ssn);
	snprintf(r->rows[slot].id_number, YB_IDNUM_SZ, "%s", m->p.id_number);
	snprintf(r->rows[slot].card_no, YB_CARD_NO_SZ, "%s", m->card_no);
}

static void reservoir_write(FILE *f, const reservoir *r)
{
	for (long i = 0; i < r->n; i++)
		fprintf(f, "%s %s %s %s\n", r->kind, r->rows[i].ssn,
			r->rows[i].id_number, r->rows[i].card_no);
}

static void write_workload(gen *g)
{
	FILE *f;

	if (!g->o.workload)
		return;
	f = fopen(g->o.workload, "w");
	if (!f) {
		perror(g->o.workload);
		exit(1);
	}
	fprintf(f, "# yibao bench workload: KIND SSN ID_NUMBER CARD_NO\n"
		   "# own: pays from his own account; family: no balance of "
		   "his own, authorized by relatives; person: anyone\n");
	reservoir_write(f, &g->own);
	reservoir_write(f, &g->family);
	reservoir_write(f, &g->lookup);
	if (fclose(f) != 0) {
		perror(g->o.workload);
		exit(1);
	}
}

/* ---- transactions ------------------------------------------------------ */

static yb_store *store(gen *g)
{
	return g->ctx.store;
}

static void tx_begin(gen *g)
{
	yb_err err;
	if (yb_tx_begin(&g->ctx, true, &err) < 0)
		die_err("begin", &err);
}

static void tx_commit(gen *g)
{
	yb_err err;
	if (yb_tx_commit(&g->ctx, &err) < 0)
		die_err("commit", &err);
}

/* ---- employers and institutions --------------------------------------- */

static void employer_code(long k, char out[YB_CODE_SZ])
{
	snprintf(out, YB_CODE_SZ, "E4403%06ld", k + 1);
}

static void make_employers(gen *g)
{
	yb_employer e;
	yb_err err;

	tx_begin(g);
	for (long k = 0; k < g->nemployers; k++) {
		memset(&e, 0, sizeof e);
		employer_code(k, e.code);
		snprintf(e.name, sizeof e.name, "深圳市第%ld科技有限公司",
			 k + 1);
		e.created_at = g->now;
		if (store(g)->ops->employer_insert(store(g), &e, &err) < 0)
			die_err("employer", &err);
	}
	tx_commit(g);
}

/*
 * Make one API key (X2) inside the open transaction, as yb_apikey_create
 * does, and write the secret to the keys file: only its hash is stored.
 * One transaction for all keys instead of one commit each.
 */
static void make_key(gen *g, FILE *keys, yb_role role, const char *code,
		     const char *label)
{
	char key[YB_TOKEN_SZ], target[YB_TEXT_SZ];
	yb_api_key k;
	yb_err err;

	memset(&k, 0, sizeof k);
	k.role = role;
	if (code)
		snprintf(k.institution_code, sizeof k.institution_code, "%s",
			 code);
	snprintf(k.label, sizeof k.label, "%s", label);
	k.created_at = g->now;
	yb_random_token(32, key, sizeof key);
	yb_sha256_hex_str(key, k.key_hash);
	if (store(g)->ops->apikey_insert(store(g), &k, &err) < 0)
		die_err("key", &err);
	snprintf(target, sizeof target, "apikey:%lld", (long long)k.id);
	if (yb_audit(&g->ctx, "apikey.create", target, "ok", &err) < 0)
		die_err("audit", &err);
	if (keys)
		fprintf(keys, "%s %s %s\n", yb_role_str(role),
			code ? code : "-", key);
}

static void make_institutions(gen *g)
{
	static const struct { const char *prefix, *type, *name; } kinds[] = {
		{ "H", "hospital", "人民医院" },
		{ "C", "clinic",   "社区健康服务中心" },
		{ "P", "pharmacy", "大药房" },
	};
	FILE *keys = NULL;
	yb_institution inst;
	yb_err err;

	if (g->o.keys_out) {
		keys = fopen(g->o.keys_out, "w");
		if (!keys) {
			perror(g->o.keys_out);
			exit(1);
		}
		fputs("# yibao bench keys: ROLE CODE KEY\n", keys);
	}
	tx_begin(g);
	for (int k = 0; k < g->o.institutions; k++) {
		int pick = k % 10 == 0 ? 0 : k % 10 < 5 ? 1 : 2;
		memset(&inst, 0, sizeof inst);
		snprintf(inst.code, sizeof inst.code, "%s4403%05d",
			 kinds[pick].prefix, k + 1);
		snprintf(inst.name, sizeof inst.name, "深圳市%s第%d号",
			 kinds[pick].name, k + 1);
		yb_inst_type_from_str(kinds[pick].type, &inst.type);
		inst.created_at = g->now;
		if (store(g)->ops->institution_insert(store(g), &inst,
						      &err) < 0)
			die_err("institution", &err);
		make_key(g, keys, YB_ROLE_INSTITUTION, inst.code,
			 "bench HIS gateway");
	}
	make_key(g, keys, YB_ROLE_AGENCY_WINDOW, NULL, "bench agency window");
	make_key(g, keys, YB_ROLE_ADMIN, NULL, "bench admin");
	tx_commit(g);
	if (keys && fclose(keys) != 0) {
		perror(g->o.keys_out);
		exit(1);
	}
}

/* ---- persons ----------------------------------------------------------- */

/* The ID number of person i, born about `age` years before today. */
static void id_number_of(gen *g, long i, int age, char out[YB_IDNUM_SZ])
{
	long k = i / NDISTRICTS, block = k / 1000;
	long target = (long)(g->today - g->first_day) -
		      (long)age * 365 - rnd(g, 365);
	long r = target / g->bucket_days;
	int y, m, d;

	if (r < 0)
		r = 0;
	if (r >= g->nbuckets)
		r = g->nbuckets - 1;
	yb_date_to_ymd(g->first_day + (yb_date)(r * g->bucket_days + block),
		       &y, &m, &d);
	snprintf(out, YB_IDNUM_SZ, "%s%04d%02d%02d%03ld",
		 districts[i % NDISTRICTS], y, m, d, k % 1000);
	out[17] = yb_idnum_check_char(out);
	out[18] = '\0';
}

static void ssn_of(gen *g, long i, char out[YB_SSN_SZ])
{
	long long off = (long long)(g->o.seed * 7919ULL % SSN_SPACE);
	snprintf(out, YB_SSN_SZ, "%lld",
		 100000000LL + (SSN_MUL * i + off) % SSN_SPACE);
}

static yb_scheme scheme_for_age(gen *g, int age)
{
	if (age < 18)
		return YB_SCHEME_RESIDENT;
	if (age >= 65)
		return chance(g, 50) ? YB_SCHEME_EMPLOYEE_TIER1
				     : YB_SCHEME_RESIDENT;
	long r = rnd(g, 100);
	return r < 84 ? YB_SCHEME_EMPLOYEE_TIER1
		      : r < 92 ? YB_SCHEME_EMPLOYEE_TIER2 : YB_SCHEME_RESIDENT;
}

/* A balance skewed towards small amounts: ¥1 to ¥20,000, a few at 0. */
static int64_t balance_of(gen *g)
{
	if (chance(g, 4))
		return 0;
	return (int64_t)(rnd(g, 500) + 1) * (rnd(g, 40) + 1) * 100;
}

static void fill_member(gen *g, long i, int slot, int age,
			const char *surname, member *m)
{
	yb_person *p = &m->p;
	yb_idnum idn;
	yb_err err;

	memset(m, 0, sizeof *m);
	m->age = age;
	ssn_of(g, i, p->ssn);
	id_number_of(g, i, age, p->id_number);
	if (yb_idnum_parse(p->id_number, g->today, &idn, &err) < 0)
		die_err("generated ID number", &err);   /* a bug here */
	p->sex = idn.sex;
	p->birth_date = idn.birth_date;
	snprintf(p->name, sizeof p->name, "%s%s%s",
		 slot == SLOT_SPOUSE
			 ? family_names[rnd(g, COUNT(family_names))] : surname,
		 name_chars[rnd(g, COUNT(name_chars))],
		 chance(g, 70) ? name_chars[rnd(g, COUNT(name_chars))] : "");
	snprintf(p->region, sizeof p->region, "%s", g->settings.region);
	p->scheme = scheme_for_age(g, age);
	p->status = YB_STATUS_ACTIVE;
	p->term_reason = YB_TERM_NONE;
	if (p->scheme != YB_SCHEME_RESIDENT)
		employer_code(i % g->nemployers, p->employer_code);
	p->created_at = p->updated_at = g->now;
}

/* The personal account and the contribution that funds it (A1, A4). */
static void fund_account(gen *g, member *m)
{
	yb_store *st = store(g);
	yb_account a;
	yb_contribution c;
	yb_posting post;
	int64_t total;
	yb_err err;

	memset(&a, 0, sizeof a);
	a.kind = YB_ACC_PERSONAL;
	a.person_id = m->p.id;
	a.created_at = g->now;
	if (st->ops->account_insert(st, &a, &err) < 0)
		die_err("account", &err);
	m->has_account = true;
	m->balance_fen = balance_of(g);
	g->st.accounts++;

	memset(&c, 0, sizeof c);
	c.person_id = m->p.id;
	snprintf(c.ssn, sizeof c.ssn, "%s", m->p.ssn);
	snprintf(c.period, sizeof c.period, "%s", g->period);
	snprintf(c.employer_code, sizeof c.employer_code, "%s",
		 m->p.employer_code);
	c.base_fen = 500000 + rnd(g, 2500000);
	c.employer_fen = c.base_fen * 6 / 100;
	c.personal_fen = c.base_fen * 2 / 100;
	/* The accumulated balance arrives as this period's credit. */
	if (m->balance_fen > c.employer_fen + c.personal_fen)
		c.personal_fen = m->balance_fen - c.employer_fen;
	c.account_credit_fen = m->balance_fen;
	c.created_at = g->now;
	total = c.employer_fen + c.personal_fen;

	memset(&post, 0, sizeof post);
	post.kind = "contribution";
	snprintf(post.ref, sizeof post.ref, "contribution:%s:%s:%s", c.ssn,
		 c.period, c.employer_code);
	post.entries[post.n++] = (yb_entry){ g->income_acc, -total };
	if (c.account_credit_fen)
		post.entries[post.n++] = (yb_entry){ a.id,
						     c.account_credit_fen };
	if (total - c.account_credit_fen)
		post.entries[post.n++] = (yb_entry){
			g->fund_acc, total - c.account_credit_fen };
	if (st->ops->ledger_post(st, &post, g->now, &c.ledger_txn_id,
				 &err) < 0 ||
	    st->ops->contribution_insert(st, &c, &err) < 0)
		die_err("contribution", &err);
	g->st.contributions++;
	g->st.balance_fen += m->balance_fen;
	if (m->balance_fen == 0)
		g->st.zero_balance++;
}

/* A card applied for at the center (C3a), issued on the spot, then
 * financially activated by the bank (C1). */
static void issue_card(gen *g, member *m)
{
	yb_store *st = store(g);
	yb_card_application app;
	yb_card card;
	int64_t seq;
	yb_err err;

	memset(&app, 0, sizeof app);
	app.person_id = m->p.id;
	app.route = YB_ROUTE_CENTER;
	snprintf(app.materials_json, sizeof app.materials_json,
		 "{\"route\":\"center\",\"holder_id_number\":\"%s\"}",
		 m->p.id_number);
	app.applied_on = g->today;
	snprintf(app.operator_id, sizeof app.operator_id, "bench:gen");
	app.created_at = g->now;
	if (st->ops->card_application_insert(st, &app, &err) < 0 ||
	    st->ops->next_seq(st, "card_no", &seq, &err) < 0)
		die_err("card application", &err);

	memset(&card, 0, sizeof card);
	snprintf(card.card_no, sizeof card.card_no, "YB%010" PRId64, seq);
	card.person_id = m->p.id;
	card.state = YB_CARD_ISSUED;
	card.activated = true;
	card.application_id = app.id;
	card.created_at = card.updated_at = g->now;
	if (st->ops->card_insert(st, &card, &err) < 0 ||
	    st->ops->card_application_set_card(st, app.id, card.id, &err) < 0)
		die_err("card", &err);
	snprintf(m->card_no, sizeof m->card_no, "%s", card.card_no);
	g->st.cards++;
}

/*
 * What `to` is to `from` in a household, as a binding names it, or -1
 * when the default settings do not allow binding them (in-laws,
 * grandparents, siblings).
 */
static int relation(int from, int to)
{
	bool adult_from = from == SLOT_HEAD || from == SLOT_SPOUSE;
	bool adult_to = to == SLOT_HEAD || to == SLOT_SPOUSE;
	bool child_from = from == SLOT_CHILD1 || from == SLOT_CHILD2;
	bool child_to = to == SLOT_CHILD1 || to == SLOT_CHILD2;

	if (adult_from && adult_to)
		return YB_REL_SPOUSE;
	if (adult_from && child_to)
		return YB_REL_CHILD;
	if (child_from && adult_to)
		return YB_REL_PARENT;
	if (from == SLOT_HEAD && to == SLOT_ELDER)
		return YB_REL_PARENT;
	if (from == SLOT_ELDER && to == SLOT_HEAD)
		return YB_REL_CHILD;
	return -1;
}

static void bind(gen *g, member *auth, member *rel, int relationship)
{
	yb_binding b;
	yb_err err;

	memset(&b, 0, sizeof b);
	b.authorizer_id = auth->p.id;
	b.relative_id = rel->p.id;
	b.relationship = (yb_relationship)relationship;
	b.channel = YB_CHAN_AGENCY_WINDOW;
	snprintf(b.materials_json, sizeof b.materials_json,
		 "{\"id_cards\":true,\"social_security_cards\":true,"
		 "\"card_copies\":true}");
	snprintf(b.operator_id, sizeof b.operator_id, "bench:gen");
	b.created_at = g->now;
	if (store(g)->ops->binding_insert(store(g), &b, &err) < 0)
		die_err("binding", &err);
	rel->authorized = true;
	g->st.bindings++;
}

/* F1: each tier-1 member may authorize 1–3 others he may bind. */
static void household_bindings(gen *g, member *hh, int size)
{
	for (int a = 0; a < size; a++) {
		int cand[MAX_HOUSEHOLD], ncand = 0, want;

		if (!hh[a].has_account || !chance(g, g->o.families_pct))
			continue;
		for (int r = 0; r < size; r++)
			if (r != a && relation(a, r) >= 0)
				cand[ncand++] = r;
		if (ncand == 0)
			continue;
		want = 1 + (int)rnd(g, ncand < 3 ? ncand : 3);
		for (int k = 0; k < want; k++) {
			/* a random one of the candidates not taken yet */
			int j = k + (int)rnd(g, ncand - k), t = cand[j];
			cand[j] = cand[k];
			cand[k] = t;
			bind(g, &hh[a], &hh[t], relation(a, t));
		}
	}
}

/* Ages of a household of `size`: head 25–64, spouse near him, children
 * 22–35 years younger, the head's parent 22–35 years older. */
static void household_ages(gen *g, int size, int ages[MAX_HOUSEHOLD])
{
	int head = 25 + (int)rnd(g, 40);

	ages[SLOT_HEAD] = head;
	if (size > SLOT_SPOUSE)
		ages[SLOT_SPOUSE] = head - 5 + (int)rnd(g, 11);
	for (int s = SLOT_CHILD1; s <= SLOT_CHILD2 && s < size; s++) {
		int age = head - 22 - (int)rnd(g, 14);
		ages[s] = age < 0 ? (int)rnd(g, 3) : age;
	}
	if (size > SLOT_ELDER) {
		int age = head + 22 + (int)rnd(g, 14);
		ages[SLOT_ELDER] = age > 95 ? 95 : age;
	}
}

static int household_size(gen *g)
{
	long r = rnd(g, 100);
	return r < 30 ? 1 : r < 55 ? 2 : r < 80 ? 3 : r < 95 ? 4 : 5;
}

/* Write one household of persons i .. i+size-1 (inside a transaction). */
static void household(gen *g, long i, int size)
{
	member hh[MAX_HOUSEHOLD];
	int ages[MAX_HOUSEHOLD];
	const char *surname = family_names[rnd(g, COUNT(family_names))];
	yb_store *st = store(g);
	yb_err err;

	household_ages(g, size, ages);
	for (int s = 0; s < size; s++) {
		member *m = &hh[s];
		fill_member(g, i + s, s, ages[s], surname, m);
		if (st->ops->person_insert(st, &m->p, &err) < 0)
			die_err("person", &err);
		if (g->settings.scheme_has_account[m->p.scheme]) {
			fund_account(g, m);
			g->st.tier1 += m->p.scheme == YB_SCHEME_EMPLOYEE_TIER1;
		}
		issue_card(g, m);
	}
	household_bindings(g, hh, size);
	for (int s = 0; s < size; s++) {
		member *m = &hh[s];
		if (m->has_account && m->balance_fen > 0)
			reservoir_offer(g, &g->own, m);
		else if (m->authorized)
			reservoir_offer(g, &g->family, m);
		reservoir_offer(g, &g->lookup, m);
	}
	g->st.persons += size;
}

static void make_persons(gen *g)
{
	long i = 0, in_batch = 0;

	tx_begin(g);
	while (i < g->o.persons) {
		int size = household_size(g);
		if (size > g->o.persons - i)
			size = (int)(g->o.persons - i);
		household(g, i, size);
		i += size;
		in_batch += size;
		if (in_batch >= g->o.batch) {
			tx_commit(g);
			tx_begin(g);
			in_batch = 0;
			progress(g, false);
		}
	}
	tx_commit(g);
	progress(g, true);
}

/* ---- PostgreSQL: a scratch SQLite file, then COPY ----------------------- */

static char scratch_dir_at_exit[4096];

/* The scratch file goes on any exit, a failed one included. */
static void scratch_remove(void)
{
	static const char *const files[] = { "gen.db", "gen.db-wal",
					     "gen.db-shm", "gen.db-journal" };
	char path[4200];

	if (!scratch_dir_at_exit[0])
		return;
	for (size_t i = 0; i < COUNT(files); i++) {
		snprintf(path, sizeof path, "%s/%s", scratch_dir_at_exit,
			 files[i]);
		unlink(path);
	}
	rmdir(scratch_dir_at_exit);
}

/* Refuse a target that holds data before minutes of generating: the copy
 * needs an empty database (every change is audited, so an empty audit
 * log says so). */
static void pg_target_check(const char *url)
{
	yb_audit_record *recs = NULL;
	yb_store *st = NULL;
	int n = 0;
	yb_err err;

	if (yb_store_open(url, &st, &err) < 0)
		die_err(url, &err);
	if (st->ops->begin(st, false, &err) < 0 ||
	    st->ops->audit_list(st, 0, 1, &recs, &n, &err) < 0)
		die_err("reading the target", &err);
	st->ops->rollback(st);
	free(recs);
	yb_store_close(st);
	if (n > 0) {
		fputs("gen: the PostgreSQL database already holds data; gen "
		      "needs an empty one (run yibao init after gen)\n",
		      stderr);
		exit(1);
	}
}

/* Generate into a scratch SQLite file instead of the PostgreSQL URL. */
static void scratch_begin(gen *g)
{
	const char *dir = g->o.scratch ? g->o.scratch : getenv("TMPDIR");

	pg_target_check(g->o.db);
	snprintf(g->scratch_dir, sizeof g->scratch_dir, "%s/yb-gen.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	if (!mkdtemp(g->scratch_dir)) {
		perror(g->scratch_dir);
		exit(1);
	}
	snprintf(scratch_dir_at_exit, sizeof scratch_dir_at_exit, "%s",
		 g->scratch_dir);
	atexit(scratch_remove);
	snprintf(g->scratch_db, sizeof g->scratch_db, "%s/gen.db",
		 g->scratch_dir);
	/* thrown away after the copy: no fsync */
	setenv("YB_SQLITE_SYNC", "OFF", 1);
	g->pg_url = g->o.db;
	g->o.db = g->scratch_db;
}

/* Stream the scratch file into PostgreSQL: `yibao migrate`'s COPY. */
static void copy_to_pg(gen *g)
{
	double t0 = elapsed(g);
	yb_err err;

	if (g->tty && !g->o.quiet)
		fputs("copying into PostgreSQL (COPY, one transaction) ...\n",
		      stderr);
	if (yb_store_migrate_to_pg(g->scratch_db, g->pg_url, &err) < 0)
		die_err("copy into PostgreSQL", &err);
	g->copy_seconds = elapsed(g) - t0;
}

/* ---- setup ------------------------------------------------------------- */

static void system_account_id(gen *g, yb_account_kind kind, yb_id *out)
{
	yb_account a;
	yb_err err;
	int found = store(g)->ops->account_system(store(g), kind, &a, &err);

	if (found < 0)
		die_err("system account", &err);
	if (!found) {
		fputs("gen: a system account is missing\n", stderr);
		exit(1);
	}
	*out = a.id;
}

static void setup(gen *g)
{
	yb_store *st = NULL;
	yb_err err;
	int y, m, d;

	yb_settings_defaults(&g->settings);
	if (yb_store_open(g->o.db, &st, &err) < 0)
		die_err(g->o.db, &err);
	g->ctx.store = st;
	g->ctx.settings = &g->settings;
	g->ctx.clock = yb_clock_system();
	g->ctx.actor = yb_actor_cli();
	snprintf(g->ctx.actor.id, sizeof g->ctx.actor.id, "bench:gen");

	g->rng[0] = 0x330E;
	g->rng[1] = (unsigned short)g->o.seed;
	g->rng[2] = (unsigned short)(g->o.seed >> 16);
	g->now = yb_ctx_now(&g->ctx);
	g->today = yb_date_of(g->now);
	g->first_day = yb_date_from_ymd(1930, 1, 1);
	g->bucket_days = (g->o.persons + NDISTRICTS * 1000 - 1) /
			 (NDISTRICTS * 1000);
	g->nbuckets = (long)(g->today - g->first_day) / g->bucket_days;
	g->nemployers = g->o.persons / PERSONS_PER_EMPLOYER + 1;
	yb_date_to_ymd(g->today, &y, &m, &d);
	if (--m == 0) {
		m = 12;
		y--;
	}
	snprintf(g->period, sizeof g->period, "%04d-%02d", y, m);

	if (st->ops->begin(st, false, &err) < 0)
		die_err("begin", &err);
	system_account_id(g, YB_ACC_CONTRIBUTION_INCOME, &g->income_acc);
	system_account_id(g, YB_ACC_FUND_POOL, &g->fund_acc);
	st->ops->rollback(st);

	reservoir_init(&g->own, "own", g->o.sample);
	reservoir_init(&g->family, "family", g->o.sample);
	reservoir_init(&g->lookup, "person", g->o.sample);
	g->tty = isatty(STDERR_FILENO);
}

static void finish(gen *g)
{
	char target[YB_TEXT_SZ];
	yb_err err;

	tx_begin(g);
	snprintf(target, sizeof target,
		 "persons:%ld institutions:%d bindings:%ld seed:%lu",
		 g->st.persons, g->o.institutions, g->st.bindings, g->o.seed);
	if (yb_audit(&g->ctx, "bench.generate", target, "ok", &err) < 0)
		die_err("audit", &err);
	tx_commit(g);
}

int main(int argc, char **argv)
{
	gen *g = calloc(1, sizeof *g);
	double t;

	if (!g)
		return 1;
	parse_options(argc, argv, &g->o);
	clock_gettime(CLOCK_MONOTONIC, &g->t0);
	if (strcmp(yb_store_engine_of(g->o.db), "postgresql") == 0)
		scratch_begin(g);
	setup(g);
	make_employers(g);
	make_institutions(g);
	make_persons(g);
	finish(g);
	yb_store_close(g->ctx.store);
	g->ctx.store = NULL;
	if (g->pg_url)
		copy_to_pg(g);
	t = elapsed(g);
	write_workload(g);

	printf("persons=%ld tier1=%ld accounts=%ld zero_balance=%ld "
	       "cards=%ld bindings=%ld family_patients=%ld "
	       "institutions=%d employers=%ld balance_fen=%" PRId64
	       " seconds=%.2f copy_seconds=%.2f persons_per_s=%.0f\n",
	       g->st.persons, g->st.tier1, g->st.accounts,
	       g->st.zero_balance, g->st.cards, g->st.bindings,
	       g->family.seen, g->o.institutions, g->nemployers,
	       g->st.balance_fen, t, g->copy_seconds,
	       t > 0 ? g->st.persons / t : 0.0);
	free(g->own.rows);
	free(g->family.rows);
	free(g->lookup.rows);
	free(g);
	return 0;
}
