#!/usr/bin/env bash
# scenario.sh — the whole story through the real `yibao` binary on a fresh
# database (SQLite, or PostgreSQL with YB_TEST_ENGINE=pg): register a family, fund accounts, issue cards, bind,
# settle (own account first, then relatives richest first, then cash),
# revoke, settle offline and re-settle, reconcile, inquire, end bindings,
# terminate, and check the books and the audit chain at the end.
# Each check names the SPEC rule it proves.
source "$(dirname "$0")/lib.sh" "$@"

FATHER=600000001   MOTHER=600000002   CHILD=600000003   GRAN=600000004
F_ID=$(idnum 44030519780315001)
M_ID=$(idnum 44030519800722002)
C_ID=$(idnum 44030520120901003)
G_ID=$(idnum 44030519500210004)

# --- the database, the calendar, the register -----------------------------
ok --json init
check "the engine asked for" "$(j 'd["engine"]')" "$([ "$ENGINE" = pg ] && echo postgresql || echo sqlite)"
check "init loads the shipped calendars (C3b)" "$(j 'sorted(d["calendars_loaded"])')" "[2025, 2026]"
ok --json init
check "init is idempotent" "$(j 'd["calendars_loaded"]')" "[]"
ok --json calendar show 2026
check "calendar 2026 has holidays" "$(j 'len(d["holidays"]) > 5')" "true"
run 1 calendar show 1999
check_err "a year not loaded is an error, not a guess (C3b)" "calendar.year_not_loaded"

ok employer add --code E1 --name "深圳示范科技有限公司"
ok --json person add --ssn $FATHER --id-number "$F_ID" --name 李建国 --scheme employee_tier1 --employer E1
check "sex and birth date come from the ID number (U2)" "$(j 'd["sex"] + " " + d["birth_date"]')" "male 1978-03-15"
check "tier 1 has a personal account (P2)" "$(j 'd["account"]["balance_fen"]')" "0"
ok person add --ssn $MOTHER --id-number "$M_ID" --name 王秀英 --scheme employee_tier1 --employer E1
ok --json person add --ssn $CHILD --id-number "$C_ID" --name 李小明 --scheme resident
check "a resident has no personal account (P2)" "$(j 'd["account"]')" "null"
ok person add --ssn $GRAN --id-number "$G_ID" --name 张桂兰 --scheme resident
run 1 --json person add --ssn 600000009 --id-number 440305197803150019 --name 错号 --scheme resident
check "a wrong check character is refused (U2)" "$(j 'd["error"]["code"]')" "person.invalid_id_number"
run 1 person add --ssn 600000009 --id-number "$F_ID" --name 重复 --scheme resident
check_err "an ID number is unique (P1)" "person.duplicate"
ok --json person show "$M_ID"
check "lookup by ID number" "$(j 'd["ssn"]')" "$MOTHER"
# the API's person object with his card (GET /me); the operator at the
# machine sees the ID number in full (Q3 masks it for others only)
check "person show: the API's person, unmasked for the operator" "$(j 'd["id_number"], d["card"], "created_at" in d')" "[\"$M_ID\", null, false]"

# --- contributions fund the accounts (A4) ---------------------------------
ok --json contribution post --ssn $FATHER --period 2026-09 --employer E1 \
	--base 10000 --employer-part 600 --personal-part 200 --account-credit 250.00
check "contribution credited in fen (U1)" "$(j 'd["account_credit_fen"]')" "25000"
run 1 contribution post --ssn $FATHER --period 2026-09 --employer E1 \
	--base 10000 --employer-part 600 --personal-part 200 --account-credit 250.00
check_err "the same person, period and employer is posted once (A4)" "contribution.duplicate"
ok contribution post --ssn $MOTHER --period 2026-09 --employer E1 \
	--base-fen 300000 --employer-part-fen 18000 --personal-part-fen 6000 --account-credit-fen 3000

# --- cards (C2, C3, C5) -----------------------------------------------------
ok --json card apply $FATHER --route center
check "center issues on the spot (C3a)" "$(j 'd["state"]')" "issued"
F_CARD=$(j 'd["card_no"]')
ok card activate "$F_CARD"
run 1 card apply $FATHER --route center
check_err "at most one valid card (C2)" "card.already_has_valid_card"
ok --json card apply $MOTHER --route center
M_CARD=$(j 'd["card_no"]')
ok card activate "$M_CARD"
ok --json card apply $CHILD --route service_point
check "service point: in production (C3b)" "$(j 'd["state"]')" "in_production"
check "service point: a promised date (C3b)" "$(j 'd["ready_by"] is not None')" "true"
C_APP=$(j 'd["application_id"]')
ok card ready "$C_APP"
ok --json card issue "$C_APP"
check "collected at the service point (C2)" "$(j 'd["state"]')" "issued"
C_CARD=$(j 'd["card_no"]')
ok card activate "$C_CARD"
run 1 card apply $GRAN --route agent
check_err "an agent needs his certificate (C3c)" "card.materials_missing"
ok card apply $GRAN --route agent --agent-id-number "$F_ID" --agent-name 李建国

ok institution add --code H1 --name 深圳市示范人民医院 --type hospital
ok institution add --code P1 --name 示范大药房 --type pharmacy
run 1 institution add --code H1 --name again --type hospital
check_err "institution codes are unique (S1)" "institution.duplicate"

# --- bindings (F1-F5) ------------------------------------------------------
run 1 --json bind add --authorizer $FATHER \
	--relative "$MOTHER:$M_ID:spouse" \
	--relative "$CHILD:$C_ID:child" \
	--relative "$GRAN:$G_ID:parent" \
	--relative "$CHILD:$G_ID:child"
check "each row on its own: three bound (F4)" "$(j '[r["ok"] for r in d["results"]]')" "[true, true, true, false]"
check "SSN and ID number of different persons (F2)" "$(j 'd["results"][3]["error"]["code"]')" "binding.identity_mismatch"
check "the window is recorded as the channel (F5)" "$(j 'd["results"][0]["binding"]["channel"]')" "agency_window"
FC_BINDING=$(j 'd["results"][1]["binding"]["binding_id"]')
ok bind add --authorizer "$MOTHER:$M_ID" --relative "$CHILD:$C_ID:child"
run 1 --json bind add --authorizer $FATHER --relative "$CHILD:$C_ID:child"
check "no second active binding of a pair (F3)" "$(j 'd["results"][0]["error"]["code"]')" "binding.duplicate"
run 1 --json bind add --authorizer $CHILD --relative "$FATHER:$F_ID:parent"
check "a resident has no account to share (F3)" "$(j 'd["results"][0]["error"]["code"]')" "binding.authorizer_not_eligible"
run 1 --json bind add --authorizer $FATHER --relative "$FATHER:$F_ID:child"
check "not oneself (F3)" "$(j 'd["results"][0]["error"]["code"]')" "binding.self"
run 1 --json bind add --authorizer $MOTHER --relative "$GRAN:$G_ID:sibling"
check "relationship outside the default set (F3)" "$(j 'd["results"][0]["error"]["code"]')" "binding.relationship_not_allowed"
ok --json bind list $CHILD
check "the child may use two accounts (F1)" "$(j 'len(d["authorized_by"])')" "2"

# --- settlement (S2-S4) ------------------------------------------------------
# Mother's bill of 300.00: her own 30.00, then the father's 250.00, then
# 20.00 in cash — the worked example of S3.
ok --json settle --institution H1 --txn S1 --card "$M_CARD" --visit outpatient --total 300.00 --fund 0
S1=$(j 'd["settlement_id"]')
check "own account first (S3.1)" "$(j 'd["shares"][0]["relationship"] + " " + str(d["shares"][0]["amount_fen"])')" "self 3000"
check "then the relative (S3.2)" "$(j 'd["shares"][1]["payer_ssn"] + " " + str(d["shares"][1]["amount_fen"])')" "$FATHER 25000"
check "the rest in cash (S3.3)" "$(j 'd["cash_pay_fen"]')" "2000"
ok --json settle --institution H1 --txn S1 --card "$M_CARD" --visit outpatient --total 300.00 --fund 0
check "a repeat returns the first result (S4)" "$(j 'str(d["settlement_id"]) + " " + str(d.get("repeat"))')" "$S1 True"
run 1 settle --institution H1 --txn S1 --card "$M_CARD" --visit outpatient --total 310.00
check_err "a repeat with other content is refused (S4)" "settlement.txn_id_reused"
run 2 settle --institution H1 --txn S9 --card "$M_CARD" --id-number "$M_ID" --visit outpatient --total 1
check_err "one credential only" "usage"
run 1 settle --institution H1 --txn S9 --card "$F_CARD" --visit outpatient --total 1.00 --fund 2.00
check_err "the fund part cannot exceed the total" "settlement.invalid_amounts"

# --- revocation (S5) ---------------------------------------------------------------
run 1 settle revoke "$S1" --institution P1
check_err "only the settling institution revokes (S5)" "settlement.not_found"
ok --json settle revoke "$S1" --institution H1
check "revoked (S5)" "$(j 'd["state"]')" "revoked"
ok --json settle revoke "$S1" --institution H1
check "revoking twice is harmless (S5)" "$(j 'd["state"]')" "revoked"
ok --json person show $FATHER
check "the father's share went back (S5)" "$(j 'd["account"]["balance_fen"]')" "25000"
ok --json person show $MOTHER
check "the mother's share went back (S5)" "$(j 'd["account"]["balance_fen"]')" "3000"

# --- the child: relatives richest first; visit types (S3, F9) --------------
ok --json settle --institution P1 --txn P-1 --card "$C_CARD" --visit pharmacy --total 100.00 --preview
check "a preview computes (NHSA 2206)" "$(j 'd["state"] + " " + d["shares"][0]["payer_ssn"]')" "preview $FATHER"
check "a preview has no id and no time, as in the API" "$(j 'd["settlement_id"], d["settled_at"]')" "[null, null]"
ok --json person show $FATHER
check "a preview moves nothing" "$(j 'd["account"]["balance_fen"]')" "25000"
ok --json settle --institution P1 --txn P-1 --card "$C_CARD" --visit pharmacy --total 100.00
check "the richest authorizer pays first (S3.2)" "$(j 'd["shares"][0]["payer_ssn"] + " " + d["shares"][0]["relationship"]')" "$FATHER child"
check "no cash when the family covers it" "$(j 'd["cash_pay_fen"]')" "0"
ok --json settle --institution H1 --txn H-IN-1 --card "$C_CARD" --visit inpatient --total 50.00 --fund 20.00
check "inpatient: no family use by default, cash (S3 setting)" "$(j 'str(d["account_pay_fen"]) + " " + str(d["cash_pay_fen"])')" "0 3000"

# --- electronic credential (C1) ------------------------------------------------------
ok --json ecert $MOTHER
TOKEN=$(j 'd["token"]')
ok --json settle --institution H1 --txn E-1 --ecert "$TOKEN" --visit outpatient --total 5.00
check "an e-credential settles for its holder (C1)" "$(j 'd["patient"]["ssn"] + " " + str(d["account_pay_fen"])')" "$MOTHER 500"
run 1 settle --institution H1 --txn E-2 --ecert "${TOKEN}x" --visit outpatient --total 5.00
check_err "a tampered credential is refused (C1)" "settlement.credential_invalid"

# --- offline re-settlement (S6) ---------------------------------------------------------
YESTERDAY=$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)
ok --json offline record --institution H1 --txn OFF-1 --card "$C_CARD" --visit outpatient --total 80.00 --occurred-at "$YESTERDAY"
check "recorded as paid in cash (S6)" "$(j 'd["state"]')" "cash_paid"
check "not re-settled yet: the API's nulls" "$(j 'd["settlement_id"], d["refund_to_patient_fen"], d["resettled_at"]')" "[null, null, null]"
OFF=$(j 'd["offline_id"]')
run 1 offline resettle "$OFF" --institution P1
check_err "re-settled only where it was recorded (S6)" "offline.wrong_institution"
ok --json offline resettle "$OFF" --institution H1
check "the accounts pay now; the cash goes back (S6)" "$(j 'str(d["account_pay_fen"]) + " " + str(d["refund_to_patient_fen"])')" "8000 8000"
check "the re-settlement answers the API's record (S6)" "$(j 'd["txn_id"], d["cash_pay_fen"], d["settlement_id"] > 0, d["resettled_at"] is not None')" "[\"OFF-1\", 0, true, true]"
run 1 offline resettle "$OFF" --institution H1
check_err "once only (S6)" "offline.already_resettled"
run 2 offline record --institution H1 --txn OFF-2 --card "$C_CARD" --visit outpatient --total 1 --occurred-at yesterday
check_err "a malformed time is a usage error" "RFC 3339"

# --- reconciliation (S7) --------------------------------------------------------------------
ok --json reconcile today --institution H1
THEIRS=$(j '"%d,%s,%s,%s,%s" % (d["count"], *["%d.%02d" % divmod(d[k], 100) for k in ("total_fen", "fund_pay_fen", "account_pay_fen", "cash_pay_fen")])')
check "a revocation is counted (S7)" "$(j 'd["revoked_count"]')" "1"
ok --json reconcile today --institution H1 --theirs "$THEIRS"
check "the same totals match (S7)" "$(j 'd["match"]')" "true"
COUNT=${THEIRS%%,*}
run 1 --json reconcile today --institution H1 --theirs "$((COUNT + 1)),${THEIRS#*,}"
check "a different count is reported (S7)" "$(j 'd["differences"][0]["field"]')" "count"

# --- inquiries (Q1, F7) -----------------------------------------------------------------------
ok --json inquire $FATHER family-usage
check "the father sees what the child spent (F7)" "$(j 'sorted(set(u["relative_ssn"] for u in d["items"]))')" "[\"$MOTHER\", \"$CHILD\"]"
check "family usage names the relative by surname, as the API does (Q3)" "$(j 'sorted(set(u["relative_name"] for u in d["items"]))')" "[\"李*\", \"王*\"]"
ok --json inquire $MOTHER settlements
check "the mother's settlements (Q1)" "$(j 'len(d["items"])')" "2"
ok --json inquire $FATHER contributions
check "contribution records (Q1)" "$(j 'd["items"][0]["period"]')" "2026-09"
ok --json inquire $FATHER ledger --limit 2
check "ledger lines with running balance (Q1)" "$(j 'len(d["items"]) == 2 and "balance_after_fen" in d["items"][0]')" "true"
ok inquire $FATHER bindings
run 2 inquire $FATHER everything
check_err "an unknown record kind is a usage error" "unknown record kind"

# --- ending a binding (F6) ---------------------------------------------------------------------
ok --json bind end "$FC_BINDING" --authorizer $FATHER
check "ended now, history kept (F6)" "$(j 'd["ended_at"] is not None')" "true"
ENDED=$(j 'd["ended_at"]')
ok --json bind end "$FC_BINDING" --authorizer $FATHER
check "ending twice answers the ended binding (F6, retry-safe)" "$(j 'd["binding_id"], d["ended_at"]')" "[$FC_BINDING, \"$ENDED\"]"
ok --json settle --institution H1 --txn AFTER-END --card "$C_CARD" --visit outpatient --total 1.00
check "the ended binding no longer pays (F6)" "$(j '[s["payer_ssn"] for s in d["shares"]]')" "[\"$MOTHER\"]"

# --- a lost card (C5), the ID number instead (S2) ------------------------------------------
ok card loss "$C_CARD"
run 1 settle --institution H1 --txn LOST-1 --card "$C_CARD" --visit outpatient --total 1.00
check_err "a lost card is frozen at once (C5)" "settlement.credential_invalid"
ok --json settle --institution H1 --txn ID-1 --id-number "$C_ID" --visit outpatient --total 1.00
check "the ID number still identifies the patient (S2)" "$(j 'd["patient"]["ssn"]')" "$CHILD"

# --- a relative's resident premium (E1), at the window ------------------------------------
ok contribution post --ssn $FATHER --period 2026-10 --employer E1 \
	--base 10000 --employer-part 600 --personal-part 200 --account-credit 400.00
ok --json premium years
check "the years of the setting, with their window (E1)" "$(j '[(y["year"], y["amount_fen"]) for y in d["items"]]')" "[[2026, 40000], [2027, 40000]]"
ok --json premium pay --authorizer $FATHER --relative $GRAN --year 2026
check "the bound grandmother's 2026 premium, from his account (E1)" "$(j 'd["amount_fen"], d["relationship"], d["channel"]')" "[40000, \"parent\", \"agency_window\"]"
PREMIUM=$(j 'd["premium_id"]')
ok --json premium pay --authorizer $FATHER --relative $GRAN --year 2026
check "the same request again is the same payment (E1)" "$(j 'd["premium_id"]')" "$PREMIUM"
ok --json inquire $GRAN contributions
check "her contribution record says who paid (E1)" "$(j '[(c["period"], c["paid_by"]["ssn"], c["paid_by"]["name"]) for c in d["items"]]')" "[[\"2026\", \"$FATHER\", \"李*\"]]"
ok --json inquire $FATHER ledger --limit 1
check "his ledger shows the premium (E1)" "$(j 'd["items"][0]["kind"], d["items"][0]["amount_fen"]')" "[\"premium\", -40000]"
run 1 premium pay --authorizer $FATHER --relative $GRAN --year 2027
check_err "the balance above the floor must cover it (E1)" "premium.insufficient_balance"
run 1 premium pay --authorizer $MOTHER --relative "$GRAN:$G_ID:parent" --year 2026 --request-id m-1
check_err "once per relative and year, by anyone; the materials prove her relationship (E1)" "premium.already_paid"
run 1 premium pay --authorizer $FATHER --relative $CHILD --year 2026
check_err "no active binding any more, and no materials named (E1)" "premium.not_bound"
run 1 premium pay --authorizer $FATHER --relative $MOTHER --year 2027
check_err "only a resident's premium (E1)" "premium.relative_not_resident"
run 2 premium pay --authorizer $FATHER --relative $GRAN --year 26
check_err "a year is four digits" "--year"
run 2 premium pay --authorizer $FATHER --relative "$GRAN:$G_ID" --year 2026
check_err "an ID number comes with a relationship" "SSN[:ID_NUMBER:RELATIONSHIP]"

# --- termination (P4, F8, C6) --------------------------------------------------------------
ok --json person terminate $GRAN --reason deceased
check "terminated with its reason (P3)" "$(j 'd["status"] + " " + d["termination_reason"]')" "terminated deceased"
ok --json bind list $GRAN
check "her bindings ended (F8)" "$(j 'all(b["ended_at"] for b in d["authorized_by"])')" "true"
ok --json person terminate $FATHER --reason emigrated
check "the account is closed (P4)" "$(j 'd["account"]["closed"]')" "true"
check "his card is cancelled (C6)" "$(j 'd["card"]["state"]')" "cancelled"
run 1 person terminate $FATHER --reason emigrated
check_err "terminating twice is refused" "person.already_terminated"
run 1 person terminate $MOTHER --reason bored
check_err "only the listed reasons (P3)" "person.invalid_reason"

# --- the books and the chain (A1-A3, X3) ------------------------------------------------------
ok --json ledger check
check "the books balance (A1, A3)" "$(j 'd["ok"] and d["sum_balances_fen"] == 0')" "true"
check "no personal account below zero (A2)" "$(j 'd["negative_personal"]')" "0"
ok --json audit verify
check "the audit chain verifies (X3)" "$(j 'd["ok"]')" "true"
ok --json audit list --limit 3
check "audit records name the channel (X3)" "$(j 'len(d["items"]) == 3 and all("channel" in r for r in d["items"])')" "true"

# --- backup (SQLite's online backup; PostgreSQL has pg_dump) ------------------------------
if [ "$ENGINE" = sqlite ]; then
	ok backup "$TMP/copy.db"
	ok --db "$TMP/copy.db" --json ledger check
	check "the backup is a working database" "$(j 'd["ok"]')" "true"
fi

finish
