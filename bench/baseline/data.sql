-- data.sql — the baseline's population (psql -v nhouse=H): H households of
-- ten, members 0–6 in employee_tier1 with a funded personal account,
-- members 7–9 residents with none.  Bindings (SPEC F1): 0 authorizes 1
-- (spouse) and 7 (child), 2 authorizes 8 (child), 3 authorizes 9
-- (parent) — 3 of 7 tier-1 persons authorize someone, every resident has
-- a relative whose account he may use.  Balances are ¥1–¥20,000 (4% at
-- zero), posted as one balanced opening ledger transaction.  bench/
-- baseline/settle.pgbench picks its patients by the same arithmetic.

\set ON_ERROR_STOP on

INSERT INTO persons (id, ssn, id_number, name, scheme)
SELECT pid, (100000000 + pid)::text, '44030' || lpad(pid::text, 13, '0'),
       'P' || pid,
       CASE WHEN (pid - 1) % 10 < 7 THEN 'employee_tier1' ELSE 'resident' END
  FROM generate_series(1, :nhouse * 10) AS pid;

INSERT INTO accounts (kind, person_id, balance_fen)
SELECT 'personal', pid,
       CASE WHEN pid * 2654435761 % 25 = 0 THEN 0
            ELSE (pid * 2654435761 % 20000 + 1) * 100 END
  FROM generate_series(1, :nhouse * 10) AS pid
 WHERE (pid - 1) % 10 < 7;

INSERT INTO ledger_txns (kind, ref, at) VALUES ('opening', 'opening balances', now());
INSERT INTO ledger_entries (txn_id, account_id, amount_fen, balance_after_fen)
SELECT 1, id, balance_fen, balance_fen FROM accounts
 WHERE kind = 'personal' AND balance_fen > 0;
UPDATE accounts SET balance_fen = -(SELECT sum(balance_fen) FROM accounts
                                     WHERE kind = 'personal')
 WHERE kind = 'contribution_income';
INSERT INTO ledger_entries (txn_id, account_id, amount_fen, balance_after_fen)
SELECT 1, id, balance_fen, balance_fen FROM accounts
 WHERE kind = 'contribution_income';

INSERT INTO bindings (authorizer_id, relative_id, relationship, created_at)
SELECT h * 10 + a + 1, h * 10 + r + 1, rel, now() - interval '1 day' * (h % 365)
  FROM generate_series(0, :nhouse - 1) AS h,
       (VALUES (0, 1, 'spouse'), (0, 7, 'child'), (2, 8, 'child'),
               (3, 9, 'parent')) AS b(a, r, rel);

-- 300 institutions, each with its receivable account.
WITH acc AS (
  INSERT INTO accounts (kind)
  SELECT 'institution_receivable' FROM generate_series(1, 300)
  RETURNING id
)
INSERT INTO institutions (code, receivable_account_id)
SELECT 'I' || lpad((row_number() OVER (ORDER BY id))::text, 5, '0'), id FROM acc;

VACUUM ANALYZE;
