-- schema.sql — the baseline: the same settlement (SPEC S2–S4, S8) as
-- yibao computes it, written the way a database-centric shop would, as
-- one PL/pgSQL function called over a connection pool.  bench/baseline/
-- run.sh loads this into a throwaway PostgreSQL 15 and drives it with
-- pgbench; the figure it gives is what yibao is compared against.
--
-- Same work per settlement as yibao's service (src/service/settle.c):
--   resolve the patient by ID number; S4 idempotency on (institution,
--   txn_id) with a request fingerprint; lock every account the settlement
--   may touch in ascending id order; pay from the patient's own account
--   first, then — only when his own balance is zero or he has none, and
--   the visit type allows it — from the authorizers' accounts by balance,
--   largest first (ties: the older binding), each above the share floor;
--   the rest in cash; insert the settlement, its shares and a balanced
--   ledger transaction; move the balances.
-- Not done here (yibao does it): the hash-chained audit record (X3) and
-- the card/e-credential paths of credential resolution.
--
-- No hot rows (pgha, issue 16): the fund pool and patient cash, which
-- every settlement touches, are neither locked nor updated — their
-- entries are inserted and their balance is the sum of their entries
-- (run.sh checks the books that way), as a competent database team
-- would write it.  Only personal accounts and the institution's
-- receivable are locked rows, as in yibao's PostgreSQL engine.

\set ON_ERROR_STOP on

CREATE TABLE persons (
  id         bigint PRIMARY KEY,
  ssn        text NOT NULL UNIQUE,
  id_number  text NOT NULL UNIQUE,
  name       text NOT NULL,
  scheme     text NOT NULL,
  status     text NOT NULL DEFAULT 'active'
);

CREATE TABLE accounts (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL,
  person_id   bigint REFERENCES persons(id),
  balance_fen bigint NOT NULL DEFAULT 0,
  closed_at   timestamptz,
  CONSTRAINT personal_not_negative CHECK (kind <> 'personal' OR balance_fen >= 0)
);
CREATE UNIQUE INDEX accounts_personal ON accounts(person_id) WHERE kind = 'personal';

CREATE TABLE institutions (
  code                  text PRIMARY KEY,
  receivable_account_id bigint NOT NULL REFERENCES accounts(id)
);

CREATE TABLE bindings (
  id            bigserial PRIMARY KEY,
  authorizer_id bigint NOT NULL REFERENCES persons(id),
  relative_id   bigint NOT NULL REFERENCES persons(id),
  relationship  text NOT NULL,
  created_at    timestamptz NOT NULL,
  ended_at      timestamptz
);
CREATE INDEX bindings_relative ON bindings(relative_id) WHERE ended_at IS NULL;

CREATE TABLE ledger_txns (
  id   bigserial PRIMARY KEY,
  kind text NOT NULL,
  ref  text NOT NULL,
  at   timestamptz NOT NULL
);
CREATE TABLE ledger_entries (
  id                bigserial PRIMARY KEY,
  txn_id            bigint NOT NULL REFERENCES ledger_txns(id),
  account_id        bigint NOT NULL REFERENCES accounts(id),
  amount_fen        bigint NOT NULL,
  balance_after_fen bigint          -- NULL for the system accounts
);
CREATE INDEX ledger_entries_account ON ledger_entries(account_id, id);

CREATE TABLE settlements (
  id               bigserial PRIMARY KEY,
  institution_code text NOT NULL REFERENCES institutions(code),
  txn_id           text NOT NULL,
  patient_id       bigint NOT NULL REFERENCES persons(id),
  visit_type       text NOT NULL,
  total_fen        bigint NOT NULL,
  fund_pay_fen     bigint NOT NULL,
  account_pay_fen  bigint NOT NULL,
  cash_pay_fen     bigint NOT NULL,
  request_hash     text NOT NULL,
  ledger_txn_id    bigint NOT NULL REFERENCES ledger_txns(id),
  settled_at       timestamptz NOT NULL,
  UNIQUE (institution_code, txn_id)
);
CREATE INDEX settlements_patient ON settlements(patient_id, id);

CREATE TABLE settlement_shares (
  settlement_id   bigint NOT NULL REFERENCES settlements(id),
  seq             int NOT NULL,
  payer_person_id bigint NOT NULL REFERENCES persons(id),
  account_id      bigint NOT NULL REFERENCES accounts(id),
  binding_id      bigint REFERENCES bindings(id),
  relationship    text NOT NULL,
  amount_fen      bigint NOT NULL,
  PRIMARY KEY (settlement_id, seq)
);

-- The system accounts, as in yibao's schema.
INSERT INTO accounts (kind) VALUES
  ('fund_pool'), ('contribution_income'), ('patient_cash');

-- Add `amount` to account `acc` and append its ledger entry.  A system
-- account (p_system) only gets its entry: its balance is their sum.
CREATE FUNCTION bench_move(p_txn bigint, p_acc bigint, p_amount bigint,
                           p_system boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_after bigint;
BEGIN
  IF p_amount = 0 THEN
    RETURN;
  END IF;
  IF p_system THEN
    INSERT INTO ledger_entries (txn_id, account_id, amount_fen)
    VALUES (p_txn, p_acc, p_amount);
    RETURN;
  END IF;
  UPDATE accounts SET balance_fen = balance_fen + p_amount
   WHERE id = p_acc RETURNING balance_fen INTO v_after;
  INSERT INTO ledger_entries (txn_id, account_id, amount_fen, balance_after_fen)
  VALUES (p_txn, p_acc, p_amount, v_after);
END $$;

CREATE FUNCTION bench_settle(p_inst text, p_txn text, p_id_number text,
                             p_visit text, p_total bigint, p_fund bigint,
                             p_floor bigint DEFAULT 0,
                             OUT settlement_id bigint,
                             OUT account_pay_fen bigint,
                             OUT cash_pay_fen bigint,
                             OUT repeat boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_patient   persons%ROWTYPE;
  v_prev      settlements%ROWTYPE;
  v_hash      text;
  v_recv      bigint;
  v_fund      bigint;
  v_cash      bigint;
  v_own       accounts%ROWTYPE;
  v_has_own   boolean;
  v_family_ok boolean := p_visit IN ('outpatient', 'pharmacy');
  v_left      bigint;
  v_share     bigint;
  v_seq       int := 0;
  v_txn       bigint;
  v_ids       bigint[];
  v_acc       bigint[] := '{}';
  v_amt       bigint[] := '{}';
  v_payer     bigint[] := '{}';
  v_bind      bigint[] := '{}';
  v_rel       text[] := '{}';
  r           record;
BEGIN
  IF p_total <= 0 OR p_fund < 0 OR p_fund > p_total THEN
    RAISE EXCEPTION 'settlement.invalid_amounts';
  END IF;
  SELECT * INTO v_patient FROM persons WHERE id_number = p_id_number;
  IF NOT FOUND OR v_patient.status <> 'active' THEN
    RAISE EXCEPTION 'settlement.patient_not_insured';
  END IF;
  v_hash := encode(sha256(convert_to(concat_ws(E'\n', v_patient.id, p_visit,
                   p_total, p_fund), 'UTF8')), 'hex');

  -- S4: the same (institution, txn_id) settles once.
  SELECT * INTO v_prev FROM settlements
   WHERE institution_code = p_inst AND txn_id = p_txn;
  IF FOUND THEN
    IF v_prev.request_hash <> v_hash THEN
      RAISE EXCEPTION 'settlement.txn_id_reused';
    END IF;
    settlement_id := v_prev.id;
    account_pay_fen := v_prev.account_pay_fen;
    cash_pay_fen := v_prev.cash_pay_fen;
    repeat := true;
    RETURN;
  END IF;

  SELECT receivable_account_id INTO v_recv FROM institutions WHERE code = p_inst;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'institution.not_found';
  END IF;
  SELECT id INTO v_fund FROM accounts WHERE kind = 'fund_pool';
  SELECT id INTO v_cash FROM accounts WHERE kind = 'patient_cash';

  -- S8: lock every account this settlement may touch, in id order —
  -- but not the system accounts (no hot rows).
  SELECT array_agg(id ORDER BY id) INTO v_ids FROM (
    SELECT a.id FROM accounts a
     WHERE a.kind = 'personal' AND a.person_id = v_patient.id
       AND a.closed_at IS NULL
    UNION
    SELECT a.id FROM bindings b
      JOIN persons p ON p.id = b.authorizer_id
      JOIN accounts a ON a.kind = 'personal' AND a.person_id = b.authorizer_id
     WHERE v_family_ok AND b.relative_id = v_patient.id
       AND b.ended_at IS NULL AND p.status = 'active' AND a.closed_at IS NULL
    UNION SELECT v_recv) s;
  PERFORM 1 FROM accounts WHERE id = ANY (v_ids) ORDER BY id FOR UPDATE;

  -- S3 1.: the patient's own account, up to its balance.
  v_left := p_total - p_fund;
  SELECT * INTO v_own FROM accounts
   WHERE kind = 'personal' AND person_id = v_patient.id AND closed_at IS NULL;
  v_has_own := FOUND;
  IF v_has_own AND v_left > 0 AND v_own.balance_fen > 0 THEN
    v_share := least(v_left, v_own.balance_fen);
    v_acc := v_acc || v_own.id;
    v_amt := v_amt || v_share;
    v_payer := v_payer || v_patient.id;
    v_bind := v_bind || NULL::bigint;
    v_rel := v_rel || 'self'::text;
    v_left := v_left - v_share;
  END IF;

  -- S3 2.: relatives who authorized him, largest balance first (ties:
  -- the older binding), each above the share floor (F9).
  IF v_left > 0 AND v_family_ok AND (NOT v_has_own OR v_own.balance_fen = 0) THEN
    FOR r IN
      SELECT b.id AS binding_id, b.relationship, a.id AS account_id,
             a.balance_fen, b.authorizer_id
        FROM bindings b
        JOIN persons p ON p.id = b.authorizer_id
        JOIN accounts a ON a.kind = 'personal' AND a.person_id = b.authorizer_id
       WHERE b.relative_id = v_patient.id AND b.ended_at IS NULL
         AND p.status = 'active' AND a.closed_at IS NULL
       ORDER BY a.balance_fen DESC, b.created_at, b.id
    LOOP
      EXIT WHEN v_left = 0;
      v_share := least(v_left, greatest(r.balance_fen - p_floor, 0));
      CONTINUE WHEN v_share = 0;
      v_acc := v_acc || r.account_id;
      v_amt := v_amt || v_share;
      v_payer := v_payer || r.authorizer_id;
      v_bind := v_bind || r.binding_id;
      v_rel := v_rel || r.relationship;
      v_left := v_left - v_share;
    END LOOP;
  END IF;

  -- S3 3.: the rest in cash.
  cash_pay_fen := v_left;
  account_pay_fen := p_total - p_fund - v_left;

  -- A1: one balanced ledger transaction.
  INSERT INTO ledger_txns (kind, ref, at)
  VALUES ('settlement', 'settlement:' || p_inst || '/' || p_txn, now())
  RETURNING id INTO v_txn;
  FOR i IN 1 .. coalesce(array_length(v_acc, 1), 0) LOOP
    PERFORM bench_move(v_txn, v_acc[i], -v_amt[i]);
  END LOOP;
  PERFORM bench_move(v_txn, v_fund, -p_fund, true);
  PERFORM bench_move(v_txn, v_cash, -cash_pay_fen, true);
  PERFORM bench_move(v_txn, v_recv, p_total);

  INSERT INTO settlements (institution_code, txn_id, patient_id, visit_type,
                           total_fen, fund_pay_fen, account_pay_fen,
                           cash_pay_fen, request_hash, ledger_txn_id,
                           settled_at)
  VALUES (p_inst, p_txn, v_patient.id, p_visit, p_total, p_fund,
          account_pay_fen, cash_pay_fen, v_hash, v_txn, now())
  RETURNING id INTO settlement_id;
  FOR i IN 1 .. coalesce(array_length(v_acc, 1), 0) LOOP
    v_seq := v_seq + 1;
    INSERT INTO settlement_shares (settlement_id, seq, payer_person_id,
                                   account_id, binding_id, relationship,
                                   amount_fen)
    VALUES (settlement_id, v_seq, v_payer[i], v_acc[i], v_bind[i], v_rel[i],
            v_amt[i]);
  END LOOP;
  repeat := false;
END $$;
