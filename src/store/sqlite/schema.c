/*
 * schema.c — the SQLite schema, as a list of migrations.
 *
 * The schema version is SQLite's PRAGMA user_version.  Migration i (from
 * 0) brings a database from version i to version i+1; each one ends by
 * setting user_version itself, so the version lives in the same literal
 * as the change it names and no SQL is built at run time.  Migrations are
 * append-only: once released, a migration is never edited; a change is a
 * new migration at the end of the list.
 *
 * The same tables exist in the PostgreSQL engine (pg/schema.c), which
 * mirrors this file.  Conventions:
 *  - enums are stored as their string forms (core/enums.c);
 *  - money is INTEGER fen; a CHECK on typeof() makes sure an arithmetic
 *    overflow (which SQLite would turn into a REAL) is refused instead of
 *    being stored;
 *  - instants are INTEGER seconds since the epoch, dates INTEGER day
 *    numbers (core/date.h); "none" is NULL (0 in the C structs);
 *  - names and ID numbers of the person are stored once, in persons, and
 *    joined in by the reads that show them;
 *  - enum CHECKs and partial-index conditions are written as chains of
 *    "col = 'a' OR col = 'b'", never "col IN ('a', 'b', 'c')": SQLite
 *    evaluates an IN list of three or more constants by building a
 *    temporary b-tree on every execution, which made each insert several
 *    times slower (a bulk import spent most of its time there).
 *
 * Opening: two processes may open the same new file at once.  The
 * migration takes the write lock (BEGIN IMMEDIATE) before it reads the
 * version, so the second one waits, then sees the schema already made.
 */
#include "store/sqlite/sqlite_int.h"

#include <stdio.h>

static const char *const migrations[] = {
	/* ---- version 1: the whole first schema ---- */
	"CREATE TABLE meta (\n"
	"  key   TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"

	/* Named counters (next_seq): card numbers and the like. */
	"CREATE TABLE sequences (\n"
	"  name  TEXT PRIMARY KEY,\n"
	"  value INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"

	"CREATE TABLE employers (\n"
	"  code       TEXT PRIMARY KEY,\n"
	"  name       TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"

	/* P1: SSN and ID number each unique.  employer_code is not a
	 * foreign key: imports may name an employer registered later. */
	"CREATE TABLE persons (\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  ssn           TEXT NOT NULL UNIQUE,\n"
	"  id_number     TEXT NOT NULL UNIQUE,\n"
	"  name          TEXT NOT NULL,\n"
	"  sex           TEXT NOT NULL CHECK (sex IN ('male', 'female')),\n"
	"  birth_date    INTEGER NOT NULL,\n"
	"  region        TEXT NOT NULL,\n"
	"  scheme        TEXT NOT NULL CHECK (\n"
	"                  scheme = 'employee_tier1' OR\n"
	"                  scheme = 'employee_tier2' OR scheme = 'resident'),\n"
	"  status        TEXT NOT NULL CHECK (\n"
	"                  status = 'active' OR status = 'suspended' OR\n"
	"                  status = 'terminated'),\n"
	"  term_reason   TEXT NOT NULL DEFAULT '' CHECK (\n"
	"                  term_reason = '' OR term_reason = 'emigrated' OR\n"
	"                  term_reason = 'transferred_out' OR\n"
	"                  term_reason = 'deceased'),\n"
	"  employer_code TEXT,\n"
	"  created_at    INTEGER NOT NULL,\n"
	"  updated_at    INTEGER NOT NULL\n"
	");\n"

	/* Kept apart from persons so that reading a person never reads
	 * (or logs) a password hash. */
	"CREATE TABLE person_passwords (\n"
	"  person_id INTEGER PRIMARY KEY REFERENCES persons(id),\n"
	"  hash      TEXT NOT NULL\n"
	");\n"

	/* A1–A3: one row per account; balance_fen is moved only by
	 * ledger_post, together with the entries that explain it.  A2 is
	 * the CHECK personal_not_negative: whatever the code above does, a
	 * personal account cannot be stored below zero. */
	"CREATE TABLE accounts (\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  kind             TEXT NOT NULL CHECK (\n"
	"                  kind = 'personal' OR kind = 'fund_pool' OR\n"
	"                  kind = 'contribution_income' OR\n"
	"                  kind = 'institution_receivable' OR\n"
	"                  kind = 'patient_cash' OR kind = 'closed_liability'),\n"
	"  person_id        INTEGER REFERENCES persons(id),\n"
	"  institution_code TEXT,\n"
	"  balance_fen      INTEGER NOT NULL DEFAULT 0,\n"
	"  closed_at        INTEGER,\n"
	"  created_at       INTEGER NOT NULL,\n"
	"  CONSTRAINT balance_integer CHECK (typeof(balance_fen) = 'integer'),\n"
	"  CONSTRAINT personal_not_negative\n"
	"    CHECK (kind <> 'personal' OR balance_fen >= 0),\n"
	"  CONSTRAINT personal_has_person\n"
	"    CHECK ((kind = 'personal') = (person_id IS NOT NULL)),\n"
	"  CONSTRAINT receivable_has_institution\n"
	"    CHECK ((kind = 'institution_receivable') =\n"
	"           (institution_code IS NOT NULL))\n"
	");\n"
	/* One personal account per person, one receivable per institution,
	 * one account of each system kind (the accounts with neither a
	 * person nor an institution). */
	"CREATE UNIQUE INDEX accounts_personal ON accounts(person_id)\n"
	"  WHERE kind = 'personal';\n"
	"CREATE UNIQUE INDEX accounts_receivable ON accounts(institution_code)\n"
	"  WHERE kind = 'institution_receivable';\n"
	"CREATE UNIQUE INDEX accounts_system ON accounts(kind)\n"
	"  WHERE person_id IS NULL AND institution_code IS NULL;\n"
	"INSERT INTO accounts (kind, created_at) VALUES\n"
	"  ('fund_pool', 0), ('contribution_income', 0),\n"
	"  ('patient_cash', 0), ('closed_liability', 0);\n"

	/* A1: a transaction and its entries are append-only; a correction
	 * is a reversing transaction.  The triggers make that a property of
	 * the database, not only of the code. */
	"CREATE TABLE ledger_txns (\n"
	"  id   INTEGER PRIMARY KEY,\n"
	"  kind TEXT NOT NULL,\n"
	"  ref  TEXT NOT NULL,\n"
	"  at   INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE ledger_entries (\n"
	"  id                INTEGER PRIMARY KEY,\n"
	"  txn_id            INTEGER NOT NULL REFERENCES ledger_txns(id),\n"
	"  account_id        INTEGER NOT NULL REFERENCES accounts(id),\n"
	"  amount_fen        INTEGER NOT NULL\n"
	"                    CHECK (typeof(amount_fen) = 'integer'),\n"
	"  balance_after_fen INTEGER NOT NULL\n"
	");\n"
	/* Statements (ledger_lines: newest first per account) and the
	 * per-account sums of ledger_check, both from this one index;
	 * amount_fen is in it so the check never reads the table. */
	"CREATE INDEX ledger_entries_account\n"
	"  ON ledger_entries(account_id, id, amount_fen);\n"
	/* The per-transaction sums of ledger_check (A1), also covering. */
	"CREATE INDEX ledger_entries_txn ON ledger_entries(txn_id, amount_fen);\n"
	"CREATE TRIGGER ledger_txns_no_update BEFORE UPDATE ON ledger_txns\n"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;\n"
	"CREATE TRIGGER ledger_txns_no_delete BEFORE DELETE ON ledger_txns\n"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;\n"
	"CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries\n"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;\n"
	"CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries\n"
	"  BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;\n"

	/* A4: the same (person, period, employer) only once. */
	"CREATE TABLE contributions (\n"
	"  id                 INTEGER PRIMARY KEY,\n"
	"  person_id          INTEGER NOT NULL REFERENCES persons(id),\n"
	"  period             TEXT NOT NULL,\n"
	"  employer_code      TEXT NOT NULL REFERENCES employers(code),\n"
	"  base_fen           INTEGER NOT NULL,\n"
	"  employer_fen       INTEGER NOT NULL,\n"
	"  personal_fen       INTEGER NOT NULL,\n"
	"  account_credit_fen INTEGER NOT NULL,\n"
	"  ledger_txn_id      INTEGER REFERENCES ledger_txns(id),\n"
	"  created_at         INTEGER NOT NULL,\n"
	"  UNIQUE (person_id, period, employer_code)\n"
	");\n"
	"CREATE INDEX contributions_person ON contributions(person_id, id);\n"
	"CREATE INDEX contributions_employer ON contributions(employer_code, id);\n"
	"CREATE INDEX contributions_employer_period\n"
	"  ON contributions(employer_code, period, id);\n"

	/* C2, C3.  Applications and cards point at each other: an
	 * application may exist before its card is made. */
	"CREATE TABLE card_applications (\n"
	"  id             INTEGER PRIMARY KEY,\n"
	"  person_id      INTEGER NOT NULL REFERENCES persons(id),\n"
	"  route          TEXT NOT NULL CHECK (\n"
	"                  route = 'center' OR route = 'service_point' OR\n"
	"                  route = 'agent' OR route = 'employer'),\n"
	"  materials_json TEXT NOT NULL,\n"
	"  applied_on     INTEGER NOT NULL,\n"
	"  ready_by       INTEGER,\n"
	"  card_id        INTEGER REFERENCES cards(id),\n"
	"  operator_id    TEXT NOT NULL,\n"
	"  created_at     INTEGER NOT NULL\n"
	");\n"
	"CREATE INDEX card_applications_person ON card_applications(person_id);\n"
	"CREATE TABLE cards (\n"
	"  id             INTEGER PRIMARY KEY,\n"
	"  card_no        TEXT NOT NULL UNIQUE,\n"
	"  person_id      INTEGER NOT NULL REFERENCES persons(id),\n"
	"  state          TEXT NOT NULL CHECK (\n"
	"                  state = 'in_production' OR state = 'ready' OR\n"
	"                  state = 'issued' OR state = 'lost' OR\n"
	"                  state = 'cancelled'),\n"
	"  activated      INTEGER NOT NULL DEFAULT 0 CHECK (activated IN (0, 1)),\n"
	"  application_id INTEGER REFERENCES card_applications(id),\n"
	"  created_at     INTEGER NOT NULL,\n"
	"  updated_at     INTEGER NOT NULL\n"
	");\n"
	/* C2: at most one valid card per person, under any concurrency. */
	"CREATE UNIQUE INDEX cards_one_valid ON cards(person_id)\n"
	"  WHERE (state = 'in_production' OR state = 'ready' OR\n"
	"         state = 'issued');\n"
	"CREATE INDEX cards_person ON cards(person_id, id);\n"

	/* C3b: a year is loaded when it has a row in calendar_years, even
	 * if it has no special days. */
	"CREATE TABLE calendar_years (\n"
	"  year INTEGER PRIMARY KEY\n"
	");\n"
	"CREATE TABLE calendar_days (\n"
	"  date INTEGER PRIMARY KEY,\n"
	"  year INTEGER NOT NULL REFERENCES calendar_years(year),\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday'))\n"
	");\n"
	"CREATE INDEX calendar_days_year ON calendar_days(year, date);\n"

	/* S1.  receivable_account_id is filled in the same step as the
	 * institution (institution_insert). */
	"CREATE TABLE institutions (\n"
	"  code                  TEXT PRIMARY KEY,\n"
	"  name                  TEXT NOT NULL,\n"
	"  type                  TEXT NOT NULL CHECK (\n"
	"                  type = 'hospital' OR type = 'clinic' OR\n"
	"                  type = 'pharmacy'),\n"
	"  receivable_account_id INTEGER REFERENCES accounts(id),\n"
	"  created_at            INTEGER NOT NULL\n"
	");\n"

	/* F1–F8.  An active binding has ended_at NULL; ended ones are kept
	 * as history, so the pair is unique only among active bindings. */
	"CREATE TABLE bindings (\n"
	"  id             INTEGER PRIMARY KEY,\n"
	"  authorizer_id  INTEGER NOT NULL REFERENCES persons(id),\n"
	"  relative_id    INTEGER NOT NULL REFERENCES persons(id),\n"
	"  relationship   TEXT NOT NULL CHECK (\n"
	"                  relationship = 'spouse' OR relationship = 'parent' OR\n"
	"                  relationship = 'child' OR relationship = 'sibling' OR\n"
	"                  relationship = 'grandparent' OR\n"
	"                  relationship = 'grandchild'),\n"
	"  channel        TEXT NOT NULL CHECK (\n"
	"                  channel = 'web' OR channel = 'wechat' OR\n"
	"                  channel = 'terminal' OR channel = 'hospital_office' OR\n"
	"                  channel = 'agency_window' OR channel = 'cli' OR\n"
	"                  channel = 'api'),\n"
	"  materials_json TEXT NOT NULL,\n"
	"  operator_id    TEXT NOT NULL,\n"
	"  created_at     INTEGER NOT NULL,\n"
	"  ended_at       INTEGER,\n"
	"  end_reason     TEXT NOT NULL DEFAULT ''\n"
	");\n"
	"CREATE UNIQUE INDEX bindings_active_pair\n"
	"  ON bindings(authorizer_id, relative_id) WHERE ended_at IS NULL;\n"
	"CREATE INDEX bindings_authorizer ON bindings(authorizer_id, id);\n"
	"CREATE INDEX bindings_relative ON bindings(relative_id, id);\n"

	/* S2–S7.  (institution, txn_id) settles once (S4). */
	"CREATE TABLE settlements (\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  institution_code TEXT NOT NULL REFERENCES institutions(code),\n"
	"  txn_id           TEXT NOT NULL,\n"
	"  patient_id       INTEGER NOT NULL REFERENCES persons(id),\n"
	"  cred_type        TEXT NOT NULL CHECK (\n"
	"                  cred_type = 'card' OR cred_type = 'ecert' OR\n"
	"                  cred_type = 'id_number'),\n"
	"  visit_type       TEXT NOT NULL CHECK (\n"
	"                  visit_type = 'outpatient' OR\n"
	"                  visit_type = 'pharmacy' OR visit_type = 'inpatient'),\n"
	"  total_fen        INTEGER NOT NULL,\n"
	"  fund_pay_fen     INTEGER NOT NULL,\n"
	"  account_pay_fen  INTEGER NOT NULL,\n"
	"  cash_pay_fen     INTEGER NOT NULL,\n"
	"  state            TEXT NOT NULL CHECK (\n"
	"                  state = 'settled' OR state = 'revoked' OR\n"
	"                  state = 'preview'),\n"
	"  request_hash     TEXT NOT NULL,\n"
	"  ledger_txn_id    INTEGER REFERENCES ledger_txns(id),\n"
	"  revoke_txn_id    INTEGER REFERENCES ledger_txns(id),\n"
	"  offline_id       INTEGER REFERENCES offline_settlements(id),\n"
	"  settled_at       INTEGER NOT NULL,\n"
	"  revoked_at       INTEGER,\n"
	"  UNIQUE (institution_code, txn_id)\n"
	");\n"
	"CREATE INDEX settlements_patient ON settlements(patient_id, id);\n"
	"CREATE INDEX settlements_recon\n"
	"  ON settlements(institution_code, settled_at);\n"
	/* One row per account a settlement drew on, in payment order (seq).
	 * binding_id is NULL for the patient's own account. */
	"CREATE TABLE settlement_shares (\n"
	"  settlement_id   INTEGER NOT NULL REFERENCES settlements(id),\n"
	"  seq             INTEGER NOT NULL,\n"
	"  payer_person_id INTEGER NOT NULL REFERENCES persons(id),\n"
	"  account_id      INTEGER NOT NULL REFERENCES accounts(id),\n"
	"  binding_id      INTEGER REFERENCES bindings(id),\n"
	"  relationship    TEXT NOT NULL CHECK (\n"
	"                  relationship = 'self' OR relationship = 'spouse' OR\n"
	"                  relationship = 'parent' OR relationship = 'child' OR\n"
	"                  relationship = 'sibling' OR\n"
	"                  relationship = 'grandparent' OR\n"
	"                  relationship = 'grandchild'),\n"
	"  amount_fen      INTEGER NOT NULL,\n"
	"  PRIMARY KEY (settlement_id, seq)\n"
	") WITHOUT ROWID;\n"
	/* F7: what relatives spent from a payer's account. */
	"CREATE INDEX settlement_shares_payer\n"
	"  ON settlement_shares(payer_person_id, settlement_id)\n"
	"  WHERE binding_id IS NOT NULL;\n"

	/* S6: visits paid in cash while the equipment failed. */
	"CREATE TABLE offline_settlements (\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  institution_code TEXT NOT NULL REFERENCES institutions(code),\n"
	"  txn_id           TEXT NOT NULL,\n"
	"  patient_id       INTEGER NOT NULL REFERENCES persons(id),\n"
	"  cred_type        TEXT NOT NULL CHECK (\n"
	"                  cred_type = 'card' OR cred_type = 'ecert' OR\n"
	"                  cred_type = 'id_number'),\n"
	"  visit_type       TEXT NOT NULL CHECK (\n"
	"                  visit_type = 'outpatient' OR\n"
	"                  visit_type = 'pharmacy' OR visit_type = 'inpatient'),\n"
	"  total_fen        INTEGER NOT NULL,\n"
	"  fund_pay_fen     INTEGER NOT NULL,\n"
	"  occurred_at      INTEGER NOT NULL,\n"
	"  recorded_at      INTEGER NOT NULL,\n"
	"  state            TEXT NOT NULL CHECK (state IN\n"
	"                     ('cash_paid', 'resettled')),\n"
	"  settlement_id    INTEGER REFERENCES settlements(id),\n"
	"  refund_fen       INTEGER NOT NULL DEFAULT 0,\n"
	"  resettled_at     INTEGER,\n"
	"  UNIQUE (institution_code, txn_id)\n"
	");\n"

	/* X3: the hash-chained audit log, append-only like the ledger. */
	"CREATE TABLE audit (\n"
	"  seq       INTEGER PRIMARY KEY,\n"
	"  at        INTEGER NOT NULL,\n"
	"  actor     TEXT NOT NULL,\n"
	"  role      TEXT NOT NULL CHECK (\n"
	"                  role = 'person' OR role = 'employer' OR\n"
	"                  role = 'institution' OR role = 'terminal' OR\n"
	"                  role = 'hospital_office' OR role = 'agency_window' OR\n"
	"                  role = 'admin'),\n"
	"  channel   TEXT NOT NULL CHECK (\n"
	"                  channel = 'web' OR channel = 'wechat' OR\n"
	"                  channel = 'terminal' OR channel = 'hospital_office' OR\n"
	"                  channel = 'agency_window' OR channel = 'cli' OR\n"
	"                  channel = 'api'),\n"
	"  action    TEXT NOT NULL,\n"
	"  target    TEXT NOT NULL,\n"
	"  result    TEXT NOT NULL,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash      TEXT NOT NULL\n"
	");\n"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
	"  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;\n"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
	"  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;\n"

	/* X2: secrets are stored only as hashes. */
	"CREATE TABLE api_keys (\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  key_hash         TEXT NOT NULL UNIQUE,\n"
	"  role             TEXT NOT NULL CHECK (\n"
	"                  role = 'person' OR role = 'employer' OR\n"
	"                  role = 'institution' OR role = 'terminal' OR\n"
	"                  role = 'hospital_office' OR role = 'agency_window' OR\n"
	"                  role = 'admin'),\n"
	"  institution_code TEXT,\n"
	"  employer_code    TEXT,\n"
	"  label            TEXT NOT NULL,\n"
	"  created_at       INTEGER NOT NULL,\n"
	"  revoked_at       INTEGER\n"
	");\n"
	"CREATE TABLE sessions (\n"
	"  token_hash TEXT PRIMARY KEY,\n"
	"  person_id  INTEGER NOT NULL REFERENCES persons(id),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  expires_at INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX sessions_expiry ON sessions(expires_at);\n"
	"CREATE TABLE login_throttle (\n"
	"  key          TEXT PRIMARY KEY,\n"
	"  failures     INTEGER NOT NULL,\n"
	"  window_start INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"

	"PRAGMA user_version = 1;\n",

	/* ---- nhsa: the national-interface gateway's records (credentials,
	 * nonces, messages, sign-ins, visits, fee lines, settlements, yearly
	 * totals; service/nhsa*.c) ---- */
	"CREATE TABLE nhsa_records (\n"
	"  kind TEXT NOT NULL,\n"
	"  key  TEXT NOT NULL,\n"
	"  grp  TEXT NOT NULL DEFAULT '',\n"
	"  inst TEXT NOT NULL DEFAULT '',\n"
	"  at   INTEGER NOT NULL,\n"
	"  val  TEXT NOT NULL,\n"
	"  PRIMARY KEY (kind, key)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX nhsa_records_grp ON nhsa_records(kind, grp);\n"
	"CREATE INDEX nhsa_records_at ON nhsa_records(kind, at);\n"
	"PRAGMA user_version = 2;\n",

	/* ---- pgha: nothing changes on SQLite (one writer: no hot rows to
	 * split, one audit chain); the version keeps step with
	 * pg/schema.c's, which `yibao migrate` requires ---- */
	"PRAGMA user_version = 3;\n",
	/* ---- notify: E3, the outbox of notifications to authorizers, the
	 * agency's webhooks and their delivery rows ---- */
	"CREATE TABLE notifications (\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  person_id        INTEGER NOT NULL REFERENCES persons(id),\n"
	"  kind             TEXT NOT NULL CHECK (kind IN ('settlement_share',\n"
	"                     'share_revoked', 'premium_payment',\n"
	"                     'binding_created', 'binding_ended')),\n"
	"  relative_id      INTEGER REFERENCES persons(id),\n"
	"  relative_ssn     TEXT NOT NULL,\n"
	"  relative_name    TEXT NOT NULL,\n"
	"  relationship     TEXT NOT NULL,\n"
	"  amount_fen       INTEGER NOT NULL DEFAULT 0,\n"
	"  institution_code TEXT,\n"
	"  institution_name TEXT,\n"
	"  ref              TEXT NOT NULL,\n"
	"  detail           TEXT,\n"
	"  created_at       INTEGER NOT NULL,\n"
	"  read_at          INTEGER\n"
	");\n"
	"CREATE INDEX notifications_person ON notifications(person_id, id);\n"
	"CREATE INDEX notifications_unread ON notifications(person_id)\n"
	"  WHERE read_at IS NULL;\n"
	"CREATE TABLE webhooks (\n"
	"  id         INTEGER PRIMARY KEY,\n"
	"  url        TEXT NOT NULL,\n"
	"  secret     TEXT NOT NULL,\n"
	"  label      TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL,\n"
	"  removed_at INTEGER\n"
	");\n"
	"CREATE TABLE webhook_deliveries (\n"
	"  id              INTEGER PRIMARY KEY,\n"
	"  webhook_id      INTEGER NOT NULL REFERENCES webhooks(id),\n"
	"  notification_id INTEGER NOT NULL REFERENCES notifications(id),\n"
	"  state           TEXT NOT NULL CHECK (state IN\n"
	"                    ('pending', 'delivered', 'dead')),\n"
	"  attempts        INTEGER NOT NULL DEFAULT 0,\n"
	"  next_at_ms      INTEGER NOT NULL,\n"
	"  last_status     INTEGER NOT NULL DEFAULT 0,\n"
	"  last_error      TEXT,\n"
	"  created_at      INTEGER NOT NULL,\n"
	"  delivered_at    INTEGER,\n"
	"  UNIQUE (webhook_id, notification_id)\n"
	");\n"
	"CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_at_ms)\n"
	"  WHERE state = 'pending';\n"
	"CREATE INDEX webhook_deliveries_state ON webhook_deliveries(state, id);\n"
	"PRAGMA user_version = 4;\n",
	/* ---- family: E1 premiums for relatives, E2 monthly caps per binding ---- */
	/* E1: once per (relative, year) by anyone; idempotent per payer's
	 * client request id.  The contribution record is the relative's. */
	"CREATE TABLE premium_payments (\n"
	"  id                INTEGER PRIMARY KEY,\n"
	"  relative_id       INTEGER NOT NULL REFERENCES persons(id),\n"
	"  year              INTEGER NOT NULL,\n"
	"  payer_id          INTEGER NOT NULL REFERENCES persons(id),\n"
	"  binding_id        INTEGER REFERENCES bindings(id),\n"
	"  amount_fen        INTEGER NOT NULL CHECK (typeof(amount_fen) =\n"
	"                                            'integer' AND amount_fen > 0),\n"
	"  ledger_txn_id     INTEGER NOT NULL REFERENCES ledger_txns(id),\n"
	"  contribution_id   INTEGER NOT NULL REFERENCES contributions(id),\n"
	"  client_request_id TEXT NOT NULL,\n"
	"  created_at        INTEGER NOT NULL,\n"
	"  CONSTRAINT premium_once UNIQUE (relative_id, year),\n"
	"  CONSTRAINT premium_request UNIQUE (payer_id, client_request_id)\n"
	");\n"
	"CREATE INDEX premium_payments_payer ON premium_payments(payer_id, id);\n"
	"CREATE INDEX premium_payments_contribution\n"
	"  ON premium_payments(contribution_id);\n"
	/* E2: at most one cap per binding; no row = no cap. */
	"CREATE TABLE binding_caps (\n"
	"  binding_id INTEGER PRIMARY KEY REFERENCES bindings(id),\n"
	"  cap_fen    INTEGER NOT NULL CHECK (typeof(cap_fen) = 'integer'\n"
	"                                     AND cap_fen >= 0),\n"
	"  set_at     INTEGER NOT NULL\n"
	");\n"
	/* E2: a cap that cut a binding's share of a settlement, kept so a
	 * repeat (S4) answers the same and family usage can show it. */
	"CREATE TABLE settlement_cap_cuts (\n"
	"  settlement_id   INTEGER NOT NULL REFERENCES settlements(id),\n"
	"  binding_id      INTEGER NOT NULL REFERENCES bindings(id),\n"
	"  payer_person_id INTEGER NOT NULL REFERENCES persons(id),\n"
	"  cut_fen         INTEGER NOT NULL CHECK (typeof(cut_fen) = 'integer'\n"
	"                                          AND cut_fen > 0),\n"
	"  PRIMARY KEY (settlement_id, binding_id)\n"
	") WITHOUT ROWID;\n"
	/* E2: what a binding used this month, read at every capped share. */
	"CREATE INDEX settlement_shares_binding\n"
	"  ON settlement_shares(binding_id, settlement_id)\n"
	"  WHERE binding_id IS NOT NULL;\n"
	"PRAGMA user_version = 5;\n",
	/* ---- nhsa (2): what a 2207 reads and writes, made smaller
	 * (docs/BENCHMARKS.md).  A record per fee batch (kind "feeb",
	 * service/nhsa_fee.c), so that a settlement reads its batch instead
	 * of every line of the visit; made here from the lines kept so far
	 * (a line's settlement_id becomes its batch's) ---- */
	"INSERT INTO nhsa_records (kind, key, grp, inst, at, val)\n"
	"  SELECT 'feeb', grp || '|' || json_extract(val, '$.chrg_bchno'),\n"
	"         grp, max(inst), max(at),\n"
	"         json_object('sum', sum(json_extract(val, '$.amount_fen')),\n"
	"                     'lines', count(*),\n"
	"                     'setl', max(coalesce(json_extract(val,\n"
	"                                  '$.settlement_id'), 0)))\n"
	"  FROM nhsa_records WHERE kind = 'fee'\n"
	"  GROUP BY grp, json_extract(val, '$.chrg_bchno');\n"
	/* and a kept message is its facts, a newline and the reply as
	 * sent, no longer the reply as a JSON string (service/nhsa_msg.c) */
	"UPDATE nhsa_records\n"
	"  SET val = json_remove(val, '$.response') || char(10) ||\n"
	"            coalesce(json_extract(val, '$.response'), '')\n"
	"  WHERE kind IN ('msg', 'msgx') AND json_valid(val);\n"
	/* Indexes only where a query reads them: a record not listed by a
	 * group (grp '') and any record but a nonce (the only kind purged by
	 * time) is one b-tree to write, not three (store/sqlite_nhsa.c). */
	"DROP INDEX nhsa_records_grp;\n"
	"CREATE INDEX nhsa_records_grp ON nhsa_records(kind, grp)\n"
	"  WHERE grp <> '';\n"
	"DROP INDEX nhsa_records_at;\n"
	"CREATE INDEX nhsa_records_at ON nhsa_records(at)\n"
	"  WHERE kind = 'nonce';\n"
	"PRAGMA user_version = 6;\n",
	/* ---- records: R2 proofs of insurance, R4 an employer's register ---- */
	/* R2: what each proof stated, signed by the agency; the code is the
	 * proof's public name (in its QR code), so it is unique. */
	"CREATE TABLE proofs (\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  code          TEXT NOT NULL UNIQUE,\n"
	"  person_id     INTEGER NOT NULL REFERENCES persons(id),\n"
	"  statement     TEXT NOT NULL,\n"
	"  signature     TEXT NOT NULL,\n"
	"  key_id        TEXT NOT NULL,\n"
	"  issued_at     INTEGER NOT NULL,\n"
	"  issued_by     TEXT NOT NULL,\n"
	"  revoked_at    INTEGER,\n"
	"  revoked_by    TEXT,\n"
	"  revoke_reason TEXT\n"
	");\n"
	"CREATE INDEX proofs_person ON proofs(person_id, id);\n"
	/* R4: an employer's employees, in the order the scan reads them. */
	"CREATE INDEX persons_employer ON persons(employer_code, id)\n"
	"  WHERE employer_code IS NOT NULL;\n"
	"PRAGMA user_version = 7;\n",
	/* ---- family: E1 at an operator's desk, E2 cuts in family usage,
	 * E4 uploaded materials ---- */
	/* E1: how a premium was paid — the portal, or an operator channel
	 * with its operator and F5 materials, as a binding records them; the
	 * relationship the binding or the materials proved. */
	"ALTER TABLE premium_payments ADD COLUMN relationship TEXT;\n"
	"ALTER TABLE premium_payments ADD COLUMN channel TEXT NOT NULL\n"
	"  DEFAULT 'web';\n"
	"ALTER TABLE premium_payments ADD COLUMN materials_json TEXT NOT NULL\n"
	"  DEFAULT '{}';\n"
	"ALTER TABLE premium_payments ADD COLUMN operator_id TEXT NOT NULL\n"
	"  DEFAULT '';\n"
	/* E2: family usage lists the cuts of settlements a cap left without
	 * a share, by payer */
	"CREATE INDEX settlement_cap_cuts_payer\n"
	"  ON settlement_cap_cuts(payer_person_id, settlement_id);\n"
	/* E4: a scan belongs to exactly one binding, card application or
	 * premium payment (real foreign keys, one set); the bytes live in the
	 * row, so they commit or roll back with the audit record. */
	"CREATE TABLE materials (\n"
	"  id             INTEGER PRIMARY KEY,\n"
	"  binding_id     INTEGER REFERENCES bindings(id),\n"
	"  application_id INTEGER REFERENCES card_applications(id),\n"
	"  premium_id     INTEGER REFERENCES premium_payments(id),\n"
	"  kind           TEXT NOT NULL CHECK (kind IN ('id_card',\n"
	"                   'social_security_card', 'card_copy', 'other')),\n"
	"  content_type   TEXT NOT NULL CHECK (content_type IN ('image/jpeg',\n"
	"                   'image/png', 'application/pdf')),\n"
	"  size_bytes     INTEGER NOT NULL CHECK (typeof(size_bytes) =\n"
	"                   'integer' AND size_bytes > 0),\n"
	"  sha256         TEXT NOT NULL CHECK (length(sha256) = 64),\n"
	"  data           BLOB NOT NULL CHECK (length(data) = size_bytes),\n"
	"  channel        TEXT NOT NULL,\n"
	"  operator_id    TEXT NOT NULL,\n"
	"  created_at     INTEGER NOT NULL,\n"
	"  CHECK ((binding_id IS NOT NULL) + (application_id IS NOT NULL) +\n"
	"         (premium_id IS NOT NULL) = 1)\n"
	");\n"
	"CREATE INDEX materials_binding ON materials(binding_id, id)\n"
	"  WHERE binding_id IS NOT NULL;\n"
	"CREATE INDEX materials_application ON materials(application_id, id)\n"
	"  WHERE application_id IS NOT NULL;\n"
	"CREATE INDEX materials_premium ON materials(premium_id, id)\n"
	"  WHERE premium_id IS NOT NULL;\n"
	"PRAGMA user_version = 8;\n",
	/* ---- nhsa (3): what every 2207 reads and writes, in typed tables
	 * (docs/NHSA.md, Storage; docs/BENCHMARKS.md): the visit, the fee
	 * batch, the yearly totals and the gateway's settlement record —
	 * fixed columns, no JSON to parse or write, one b-tree each (the
	 * settlement records also their day's index).  The records kept so
	 * far in nhsa_records are carried over and removed there. ---- */
	"CREATE TABLE nhsa_visits (\n"
	"  mdtrt_id   TEXT PRIMARY KEY,\n"
	"  inst       TEXT NOT NULL,\n"
	"  psn_no     TEXT NOT NULL,\n"
	"  person_id  INTEGER NOT NULL,\n"
	"  insutype   TEXT NOT NULL,\n"
	"  med_type   TEXT NOT NULL,\n"
	"  ipt_otp_no TEXT NOT NULL,\n"
	"  cert_type  TEXT NOT NULL,\n"
	"  cert_no    TEXT NOT NULL,\n"
	"  begntime   TEXT NOT NULL,\n"
	"  dise_codg  TEXT NOT NULL,\n"
	"  state      TEXT NOT NULL,\n"
	"  at         INTEGER NOT NULL,\n"
	"  ipt_count  INTEGER NOT NULL,\n"
	"  final_setl INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO nhsa_visits\n"
	"  SELECT key, inst,\n"
	"    coalesce(json_extract(val, '$.psn_no'), ''),\n"
	"    coalesce(json_extract(val, '$.person_id'), 0),\n"
	"    coalesce(json_extract(val, '$.insutype'), ''),\n"
	"    coalesce(json_extract(val, '$.med_type'), ''),\n"
	"    coalesce(json_extract(val, '$.ipt_otp_no'), ''),\n"
	"    coalesce(json_extract(val, '$.cert_type'), ''),\n"
	"    coalesce(json_extract(val, '$.cert_no'), ''),\n"
	"    coalesce(json_extract(val, '$.begntime'), ''),\n"
	"    coalesce(json_extract(val, '$.dise_codg'), ''),\n"
	"    coalesce(json_extract(val, '$.state'), ''),\n"
	"    coalesce(json_extract(val, '$.at'), 0),\n"
	"    coalesce(json_extract(val, '$.ipt_count'), 0),\n"
	"    coalesce(json_extract(val, '$.final_setl'), 0)\n"
	"  FROM nhsa_records WHERE kind = 'visit';\n"
	"CREATE TABLE nhsa_batches (\n"
	"  mdtrt_id   TEXT NOT NULL,\n"
	"  chrg_bchno TEXT NOT NULL,\n"
	"  sum_fen    INTEGER NOT NULL,\n"
	"  lines      INTEGER NOT NULL,\n"
	"  setl       INTEGER NOT NULL,\n"
	"  PRIMARY KEY (mdtrt_id, chrg_bchno)\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO nhsa_batches\n"
	"  SELECT grp, substr(key, length(grp) + 2),\n"
	"    coalesce(json_extract(val, '$.sum'), 0),\n"
	"    coalesce(json_extract(val, '$.lines'), 0),\n"
	"    coalesce(json_extract(val, '$.setl'), 0)\n"
	"  FROM nhsa_records WHERE kind = 'feeb';\n"
	"CREATE TABLE nhsa_cums (\n"
	"  key        TEXT PRIMARY KEY,\n"
	"  dedc_fen   INTEGER NOT NULL,\n"
	"  fund_fen   INTEGER NOT NULL,\n"
	"  medfee_fen INTEGER NOT NULL,\n"
	"  count      INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO nhsa_cums\n"
	"  SELECT key, coalesce(json_extract(val, '$.dedc'), 0),\n"
	"    coalesce(json_extract(val, '$.fund'), 0),\n"
	"    coalesce(json_extract(val, '$.medfee'), 0),\n"
	"    coalesce(json_extract(val, '$.count'), 0)\n"
	"  FROM nhsa_records WHERE kind = 'cum';\n"
	"CREATE TABLE nhsa_setls (\n"
	"  id          INTEGER PRIMARY KEY,\n"
	"  inst        TEXT NOT NULL,\n"
	"  day         TEXT NOT NULL,\n"
	"  mdtrt_id    TEXT NOT NULL,\n"
	"  chrg_bchno  TEXT NOT NULL,\n"
	"  insutype    TEXT NOT NULL,\n"
	"  med_type    TEXT NOT NULL,\n"
	"  cert_type   TEXT NOT NULL,\n"
	"  msgid       TEXT NOT NULL,\n"
	"  medfee_fen  INTEGER NOT NULL,\n"
	"  inscp_fen   INTEGER NOT NULL,\n"
	"  fulamt_fen  INTEGER NOT NULL,\n"
	"  dedc_fen    INTEGER NOT NULL,\n"
	"  fund_fen    INTEGER NOT NULL,\n"
	"  ratio_bp    INTEGER NOT NULL,\n"
	"  acct_fen    INTEGER NOT NULL,\n"
	"  mulaid_fen  INTEGER NOT NULL,\n"
	"  cash_fen    INTEGER NOT NULL,\n"
	"  balc_fen    INTEGER NOT NULL,\n"
	"  at          INTEGER NOT NULL,\n"
	"  revoked     INTEGER NOT NULL,\n"
	"  revoked_at  INTEGER NOT NULL,\n"
	"  person_id   INTEGER NOT NULL,\n"
	"  req_hash    TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX nhsa_setls_day ON nhsa_setls(inst, day);\n"
	"INSERT INTO nhsa_setls\n"
	"  SELECT CAST(key AS INTEGER), inst, substr(grp, length(inst) + 2),\n"
	"    coalesce(json_extract(val, '$.mdtrt_id'), ''),\n"
	"    coalesce(json_extract(val, '$.chrg_bchno'), ''),\n"
	"    coalesce(json_extract(val, '$.insutype'), ''),\n"
	"    coalesce(json_extract(val, '$.med_type'), ''),\n"
	"    coalesce(json_extract(val, '$.cert_type'), ''),\n"
	"    coalesce(json_extract(val, '$.msgid'), ''),\n"
	"    coalesce(json_extract(val, '$.medfee'), 0),\n"
	"    coalesce(json_extract(val, '$.inscp'), 0),\n"
	"    coalesce(json_extract(val, '$.fulamt'), 0),\n"
	"    coalesce(json_extract(val, '$.dedc'), 0),\n"
	"    coalesce(json_extract(val, '$.fund'), 0),\n"
	"    coalesce(json_extract(val, '$.ratio_bp'), 0),\n"
	"    coalesce(json_extract(val, '$.acct'), 0),\n"
	"    coalesce(json_extract(val, '$.mulaid'), 0),\n"
	"    coalesce(json_extract(val, '$.cash'), 0),\n"
	"    coalesce(json_extract(val, '$.balc'), 0),\n"
	"    coalesce(json_extract(val, '$.at'), 0),\n"
	"    coalesce(json_extract(val, '$.revoked'), 0),\n"
	"    coalesce(json_extract(val, '$.revoked_at'), 0),\n"
	"    coalesce(json_extract(val, '$.person_id'), 0),\n"
	"    coalesce(json_extract(val, '$.req_hash'), '')\n"
	"  FROM nhsa_records WHERE kind = 'setl';\n"
	"DELETE FROM nhsa_records\n"
	"  WHERE kind IN ('visit', 'feeb', 'cum', 'setl');\n"
	"PRAGMA user_version = 9;\n",
	/* ---- nhsa files (10): the national interface's files — 9101's
	 * uploaded detail files and 3202's result files (docs/NHSA.md
	 * "Files"), each with its bytes, its institution (the only one that
	 * may use it), the credential that sent or asked for it, and when it
	 * may no longer be downloaded.  Read by key only; the index lists an
	 * institution's files. ---- */
	"CREATE TABLE nhsa_files (\n"
	"  file_qury_no TEXT PRIMARY KEY,\n"
	"  inst         TEXT NOT NULL,\n"
	"  kind         TEXT NOT NULL,\n"
	"  filename     TEXT NOT NULL,\n"
	"  size         INTEGER NOT NULL,\n"
	"  sha256       TEXT NOT NULL,\n"
	"  lines        INTEGER NOT NULL,\n"
	"  paasid       TEXT NOT NULL,\n"
	"  at           INTEGER NOT NULL,\n"
	"  dld_end      INTEGER NOT NULL,\n"
	"  data         BLOB NOT NULL\n"
	");\n"
	"CREATE INDEX nhsa_files_inst ON nhsa_files(inst, at);\n"
	"PRAGMA user_version = 10;\n",
	/* ---- daymix (11): the enum CHECKs of notify (4) and family (8) as
	 * "=" chains, as the header says they must be.  Written as IN lists,
	 * every insert of a notification built a temporary b-tree for its
	 * kind (a third of the insert's instructions, on the writer, for one
	 * settlement in three of the day's mix; docs/BENCHMARKS.md).  The
	 * constraints are equivalent, so no row is touched: SQLite's own way
	 * of changing a CHECK (lang_altertable.html, "other kinds of table
	 * schema changes") rewrites the stored CREATE TABLE text.  RESET
	 * makes this connection read the new text; the scratch table's
	 * CREATE and DROP move the schema cookie, so every other connection
	 * reads it again too. ---- */
	"PRAGMA writable_schema = ON;\n"
	"UPDATE sqlite_schema SET sql =\n"
	"  'CREATE TABLE notifications (\n"
	"  id               INTEGER PRIMARY KEY,\n"
	"  person_id        INTEGER NOT NULL REFERENCES persons(id),\n"
	"  kind             TEXT NOT NULL CHECK (kind = ''settlement_share''\n"
	"                     OR kind = ''share_revoked''\n"
	"                     OR kind = ''premium_payment''\n"
	"                     OR kind = ''binding_created''\n"
	"                     OR kind = ''binding_ended''),\n"
	"  relative_id      INTEGER REFERENCES persons(id),\n"
	"  relative_ssn     TEXT NOT NULL,\n"
	"  relative_name    TEXT NOT NULL,\n"
	"  relationship     TEXT NOT NULL,\n"
	"  amount_fen       INTEGER NOT NULL DEFAULT 0,\n"
	"  institution_code TEXT,\n"
	"  institution_name TEXT,\n"
	"  ref              TEXT NOT NULL,\n"
	"  detail           TEXT,\n"
	"  created_at       INTEGER NOT NULL,\n"
	"  read_at          INTEGER\n"
	")'\n"
	"  WHERE type = 'table' AND name = 'notifications';\n"
	"UPDATE sqlite_schema SET sql =\n"
	"  'CREATE TABLE webhook_deliveries (\n"
	"  id              INTEGER PRIMARY KEY,\n"
	"  webhook_id      INTEGER NOT NULL REFERENCES webhooks(id),\n"
	"  notification_id INTEGER NOT NULL REFERENCES notifications(id),\n"
	"  state           TEXT NOT NULL CHECK (state = ''pending''\n"
	"                    OR state = ''delivered'' OR state = ''dead''),\n"
	"  attempts        INTEGER NOT NULL DEFAULT 0,\n"
	"  next_at_ms      INTEGER NOT NULL,\n"
	"  last_status     INTEGER NOT NULL DEFAULT 0,\n"
	"  last_error      TEXT,\n"
	"  created_at      INTEGER NOT NULL,\n"
	"  delivered_at    INTEGER,\n"
	"  UNIQUE (webhook_id, notification_id)\n"
	")'\n"
	"  WHERE type = 'table' AND name = 'webhook_deliveries';\n"
	"UPDATE sqlite_schema SET sql =\n"
	"  'CREATE TABLE materials (\n"
	"  id             INTEGER PRIMARY KEY,\n"
	"  binding_id     INTEGER REFERENCES bindings(id),\n"
	"  application_id INTEGER REFERENCES card_applications(id),\n"
	"  premium_id     INTEGER REFERENCES premium_payments(id),\n"
	"  kind           TEXT NOT NULL CHECK (kind = ''id_card''\n"
	"                   OR kind = ''social_security_card''\n"
	"                   OR kind = ''card_copy'' OR kind = ''other''),\n"
	"  content_type   TEXT NOT NULL CHECK (content_type = ''image/jpeg''\n"
	"                   OR content_type = ''image/png''\n"
	"                   OR content_type = ''application/pdf''),\n"
	"  size_bytes     INTEGER NOT NULL CHECK (typeof(size_bytes) =\n"
	"                   ''integer'' AND size_bytes > 0),\n"
	"  sha256         TEXT NOT NULL CHECK (length(sha256) = 64),\n"
	"  data           BLOB NOT NULL CHECK (length(data) = size_bytes),\n"
	"  channel        TEXT NOT NULL,\n"
	"  operator_id    TEXT NOT NULL,\n"
	"  created_at     INTEGER NOT NULL,\n"
	"  CHECK ((binding_id IS NOT NULL) + (application_id IS NOT NULL) +\n"
	"         (premium_id IS NOT NULL) = 1)\n"
	")'\n"
	"  WHERE type = 'table' AND name = 'materials';\n"
	"PRAGMA writable_schema = RESET;\n"
	"CREATE TABLE yb_schema_cookie (x);\n"
	"DROP TABLE yb_schema_cookie;\n"
	"PRAGMA user_version = 11;\n",
	/* ---- 12: PostgreSQL drops the foreign keys and the two indexes a
	 * settlement's writes maintain for no reader (pg/schema.c 12 says
	 * which).  SQLite keeps them: its foreign-key check is a probe of
	 * the parent's b-tree inside the writer, no query and no lock, and
	 * ledger_entries_txn is what lets its ledger check group the
	 * entries by transaction in one pass (sq_ledger_check); its entries'
	 * id is the rowid, no index.  The version keeps step, which `yibao
	 * migrate` requires. ---- */
	"PRAGMA user_version = 12;\n",
	/* ---- nhsa msgs (13): the kept messages (kinds "msg" and "msgx",
	 * service/nhsa_msg.c) in their own table, a rowid one.  A message
	 * is its facts and its reply, about two kilobytes; in nhsa_records,
	 * WITHOUT ROWID, a row keeps at most about a thousand bytes in its
	 * b-tree page and the rest goes to an overflow page of its own: every
	 * 2207 wrote a page of 4 KiB three-quarters empty, to the WAL at
	 * commit and again to the database at checkpoint
	 * (docs/BENCHMARKS.md).  A rowid table keeps a row of up to ~4 KiB
	 * in its leaf, and its rows are appended in arrival order; (kind,
	 * key) stays unique by an index of keys alone (an institution's
	 * msgids begin with the time, so they too are mostly appended).
	 * The messages kept so far are moved here. ---- */
	"CREATE TABLE nhsa_msgs (\n"
	"  kind TEXT NOT NULL,\n"
	"  key  TEXT NOT NULL,\n"
	"  inst TEXT NOT NULL,\n"
	"  at   INTEGER NOT NULL,\n"
	"  val  TEXT NOT NULL,\n"
	"  UNIQUE (kind, key)\n"
	");\n"
	"INSERT INTO nhsa_msgs (kind, key, inst, at, val)\n"
	"  SELECT kind, key, inst, at, val FROM nhsa_records\n"
	"  WHERE kind IN ('msg', 'msgx') ORDER BY at, kind, key;\n"
	"DELETE FROM nhsa_records WHERE kind IN ('msg', 'msgx');\n"
	/* And a gateway settlement record's day index goes: 3201 finds the
	 * day's records through the settlements' own (institution_code,
	 * settled_at) index, the record's id being its settlement's
	 * (nhsa_tables.c sq_nhsa_setl_list) — one b-tree fewer written by
	 * every 2207. */
	"DROP INDEX nhsa_setls_day;\n"
	/* And the nonces in a table of their own, key and time alone (a
	 * nonce's value was always "{}"): a row of about 70 bytes instead
	 * of 90, in a b-tree of nonces only, and the index of their time
	 * (by which they are purged) no longer a partial one over every
	 * record. */
	"CREATE TABLE nhsa_nonces (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  at  INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX nhsa_nonces_at ON nhsa_nonces(at);\n"
	"INSERT INTO nhsa_nonces (key, at)\n"
	"  SELECT key, at FROM nhsa_records WHERE kind = 'nonce';\n"
	"DELETE FROM nhsa_records WHERE kind = 'nonce';\n"
	"DROP INDEX nhsa_records_at;\n"
	"PRAGMA user_version = 13;\n",
	/* ---- 14: PostgreSQL drops the enum CHECKs of the tables a
	 * settlement writes (pg/schema.c 14 says why); nothing here: SQLite
	 * reads its CHECKs once per prepared statement.  The version keeps
	 * step. ---- */
	"PRAGMA user_version = 14;\n",
	/* ---- 15 (issue 15, gw7): the spent nonces in the order spent, in
	 * a rowid table with no index.  Keyed by the nonce (13), each spend
	 * was an insert into a random leaf of a window's worth of nonces: a
	 * page per 2207 to the WAL and again at checkpoint.  "Spent
	 * before?" is answered by a set in memory, read from this table at
	 * the first nonce operation of a connection (nhsa_nonce.c); here a
	 * spend appends and a purge cuts the front.  The nonces kept so far
	 * are moved in the order of their time. ---- */
	"CREATE TABLE nhsa_nonces_15 (\n"
	"  key TEXT NOT NULL,\n"
	"  at  INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO nhsa_nonces_15 (key, at)\n"
	"  SELECT key, at FROM nhsa_nonces ORDER BY at, key;\n"
	"DROP TABLE nhsa_nonces;\n"
	"ALTER TABLE nhsa_nonces_15 RENAME TO nhsa_nonces;\n"
	"PRAGMA user_version = 15;\n",

	/* ---- 16 (issue 16): PostgreSQL leaves room on the accounts'
	 * pages for their balance updates (pg/schema.c 16); SQLite
	 * rewrites a row in place, so nothing here.  The version keeps
	 * step. ---- */
	"PRAGMA user_version = 16;\n",
	/* ---- 17 (issue 16, pg9): PostgreSQL's triggers that NOTIFY the
	 * connections remembering token_by_hash's answers (pg/schema.c 17);
	 * nothing here: SQLite's memo is invalidated by data_version and
	 * the writer's own changes.  The version keeps step. ---- */
	"PRAGMA user_version = 17;\n",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* PRAGMA user_version, read through a fresh statement (a pragma's
 * result must not come from a statement prepared before the change). */
static int schema_version(sq_store *s, int *out, yb_err *err)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL)
	    != SQLITE_OK) {
		sq_fail(s, err);
		goto out;
	}
	if (sqlite3_step(q) != SQLITE_ROW) {
		sq_fail(s, err);
		goto out;
	}
	*out = sqlite3_column_int(q, 0);
	rc = 0;
out:
	sqlite3_finalize(q);
	return rc;
}

static int schema_exec(sq_store *s, const char *sql, yb_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int ret = yb_errf(err, "store.error", "schema: %s",
				  msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return ret;
	}
	return 0;
}

int sq_schema_migrate(sq_store *s, yb_err *err)
{
	int version = 0;
	int rc = -1;
	bool in_txn = false;

	/* Most opens find the schema current: no write lock needed. */
	if (schema_version(s, &version, err) < 0)
		return -1;
	if (version == NMIGRATIONS)
		return 0;

	/* Take the write lock, then look again: another connection may
	 * have migrated while we waited for it. */
	if (schema_exec(s, "BEGIN IMMEDIATE", err) < 0) {
		if (sqlite3_errcode(s->db) == SQLITE_BUSY)
			sq_fail(s, err);
		goto out;
	}
	in_txn = true;
	if (schema_version(s, &version, err) < 0)
		goto out;
	if (yb_check_schema_version(version, NMIGRATIONS, err) < 0)
		goto out;
	for (int i = version; i < NMIGRATIONS; i++) {
		int now = 0;

		if (schema_exec(s, migrations[i], err) < 0)
			goto out;
		if (schema_version(s, &now, err) < 0)
			goto out;
		if (now != i + 1) {
			yb_errf(err, "store.error",
				"schema migration %d did not set its version", i + 1);
			goto out;
		}
	}
	if (schema_exec(s, "COMMIT", err) < 0)
		goto out;
	in_txn = false;
	rc = 0;
out:
	if (in_txn)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
