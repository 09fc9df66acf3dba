/*
 * kiosk.js — the self-service terminal at /kiosk/ (SPEC F5, channel
 * terminal).  The authorizer "inserts" his card (the card number field
 * stands in for the reader) and gives his SSN and ID number; then the
 * relative's SSN, ID number and relationship, and the relative's card or
 * ID card.  The API checks that the cards are the persons' own, valid and
 * financially activated; its refusals are said in plain words.
 *
 * The terminal's API key is entered once by an administrator and kept in
 * localStorage (the terminal is a fixed machine, not a person's browser).
 */
import { makeApi } from "./api.js";
import {
	$, $$, h, announce, showMessage, clearMessage, busy, confirmDialog, RELATIONSHIPS,
	initLanguage, t, enumText, errorText, onLangChange,
} from "./ui.js";
import { isValidIdNumber, isValidSsn } from "./idnum.js";

const KEY = "yb.kiosk.key";
const RESULT_TIMEOUT_MS = 60 * 1000;     /* back to the start screen, for the next person */
const key = () => localStorage.getItem(KEY);
const api = makeApi(key, { onUnauthorized: () => showSetup("kiosk.key_rejected") });

let step = 1, resultTimer = null, lastResult = null;

/* ---- setup ------------------------------------------------------------- */

function showSetup(messageKey) {
	localStorage.removeItem(KEY);
	$("#flow").hidden = true;
	$("#k-reconfigure").hidden = true;
	$("#setup-view").hidden = false;
	if (messageKey) showMessage($("#setup-msg"), messageKey, "info");
}

async function saveKey(e) {
	e.preventDefault();
	const input = $("#setup-key"), box = $("#setup-msg"), value = input.value.trim();
	if (!value) { showMessage(box, "console.key_missing"); input.focus(); return; }
	await busy(e.submitter || $("#setup-form button"), async () => {
		/* A terminal may not look persons up: 403 proves the key is a valid
		 * key of a non-operator role; 404 means an operator's key. */
		try {
			await fetchProbe(value);
			localStorage.setItem(KEY, value);
			input.value = "";
			clearMessage(box);
			startFlow();
		} catch (err) {
			showMessage(box, err.code ? err : "kiosk.key_rejected");
			input.focus();
		}
	});
}

/* A terminal's key, as the server says (GET /whoami); nothing else. */
async function fetchProbe(value) {
	const who = await makeApi(() => value).get("/api/v1/whoami");
	if (who.role !== "terminal") throw { code: "kiosk.not_terminal_key" };
}

async function reconfigure() {
	const yes = await confirmDialog({ title: "kiosk.reconfigure", body: "kiosk.reconfigure_body", confirm: "kiosk.reconfigure" });
	if (yes) showSetup();
}

/* ---- the steps ------------------------------------------------------------ */

function startFlow() {
	$("#setup-view").hidden = true;
	$("#flow").hidden = false;
	$("#k-reconfigure").hidden = false;
	showStep(1, false);
}

function showStep(n, focus = true) {
	step = n;
	if (resultTimer) { clearTimeout(resultTimer); resultTimer = null; }
	for (const id of ["step-1", "step-2", "step-3", "step-result"])
		$(`#${id}`).hidden = id !== (n === "result" ? "step-result" : `step-${n}`);
	/* After a success every step is done; after a refusal step 3 stays current. */
	const at = n === "result" ? (lastResult && lastResult.ok ? 4 : 3) : n;
	for (const li of $$("#steps li")) {
		const s = Number(li.dataset.step);
		li.classList.toggle("done", s < at);
		if (s === at) li.setAttribute("aria-current", "step");
		else li.removeAttribute("aria-current");
	}
	const heading = $(n === "result" ? "#k-result-title" : `#step-${n} h1`);
	if (focus && heading) {
		heading.setAttribute("tabindex", "-1");
		heading.focus();
	}
}

const val = (sel) => $(sel).value.trim();
const proof = () => ($('input[name="proof"]:checked') || {}).value || "card";
const relationship = () => ($('input[name="relationship"]:checked') || {}).value || "";

function check(box, rules) {
	for (const [ok, sel, what] of rules)
		if (!ok) { showMessage(box, what); $(sel).focus(); return false; }
	clearMessage(box);
	return true;
}

function step1(e) {
	e.preventDefault();
	$("#k-idn").value = val("#k-idn").toUpperCase();
	if (check($("#s1-msg"), [
		[val("#k-card") !== "", "#k-card", "kiosk.check_card"],
		[isValidSsn(val("#k-ssn")), "#k-ssn", "check.ssn"],
		[isValidIdNumber(val("#k-idn")), "#k-idn", "check.id_number"],
	])) showStep(2);
}

function step2(e) {
	e.preventDefault();
	$("#k-rel-idn").value = val("#k-rel-idn").toUpperCase();
	if (check($("#s2-msg"), [
		[isValidSsn(val("#k-rel-ssn")), "#k-rel-ssn", "check.ssn"],
		[isValidIdNumber(val("#k-rel-idn")), "#k-rel-idn", "check.id_number"],
		[relationship() !== "", 'input[name="relationship"]', "check.relationship"],
		[proof() !== "card" || val("#k-rel-card") !== "", "#k-rel-card", "kiosk.check_rel_card"],
	])) {
		renderReview();
		showStep(3);
	}
}

function renderReview() {
	const mask = (id) => id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : id;
	const pairs = [
		["kiosk.review_card", val("#k-card")],
		["kiosk.review_you", `${val("#k-ssn")} · ${mask(val("#k-idn"))}`],
		["kiosk.review_relative", `${val("#k-rel-ssn")} · ${mask(val("#k-rel-idn"))}`],
		["field.relationship", relationship() ? enumText("relationship", relationship()) : "—"],
		["kiosk.proof", proof() === "card" ? `${t("kiosk.proof_card")} ${val("#k-rel-card")}` : t("kiosk.proof_id")],
	];
	$("#k-review").replaceChildren(...pairs.flatMap(([k, v]) => [h("dt", { text: t(k) }), h("dd", { text: v })]));
}

async function submit(e) {
	e.preventDefault();
	const materials = { authorizer_card_no: val("#k-card") };
	if (proof() === "card") materials.relative_card_no = val("#k-rel-card");
	else materials.relative_id_number = val("#k-rel-idn");
	await busy($("#k-submit"), async () => {
		try {
			const res = await api.post("/api/v1/bindings", {
				authorizer: { ssn: val("#k-ssn"), id_number: val("#k-idn") },
				relatives: [{ ssn: val("#k-rel-ssn"), id_number: val("#k-rel-idn"), relationship: relationship() }],
				channel: "terminal",
				materials,
			});
			const row = res.results[0];
			lastResult = row.ok ? { ok: true, binding: row.binding } : { ok: false, error: row.error };
		} catch (err) {
			lastResult = { ok: false, error: err };
		}
		showResult();
	});
}

function renderResult() {
	const r = lastResult;
	if (!r) return;
	$("#step-result").classList.toggle("is-ok", r.ok);
	$("#step-result").classList.toggle("is-error", !r.ok);
	$("#k-result-icon").textContent = r.ok ? "✓" : "!";
	$("#k-result-title").textContent = t(r.ok ? "kiosk.ok_title" : "kiosk.fail_title");
	$("#k-result-text").textContent = r.ok
		? t("kiosk.ok_text", { name: r.binding.relative_name, rel: enumText("relationship", r.binding.relationship) })
		: errorText(r.error);
	$("#k-fix").hidden = r.ok;
}

function showResult() {
	renderResult();
	showStep("result");
	announce(`${$("#k-result-title").textContent} ${$("#k-result-text").textContent}`);
	resultTimer = setTimeout(finish, RESULT_TIMEOUT_MS);
}

/* Done: forget everything typed, for the next person. */
function finish() {
	for (const f of ["#step-1", "#step-2"]) $(f).reset();
	for (const b of $$(".kiosk .msg")) clearMessage(b);
	lastResult = null;
	proofChanged();
	showStep(1);
}

function proofChanged() {
	const byCard = proof() === "card";
	$("#k-rel-card-field").hidden = !byCard;
	$("#k-proof-id-note").hidden = byCard;
}

function renderTiles() {
	const chosen = relationship();
	$("#k-rel-tiles").replaceChildren(...RELATIONSHIPS.map((r) => h("label", { class: "tile" },
		h("input", { type: "radio", name: "relationship", value: r, checked: r === chosen }),
		h("span", { text: enumText("relationship", r) }))));
}

function start() {
	initLanguage();
	renderTiles();
	$("#setup-form").addEventListener("submit", saveKey);
	$("#step-1").addEventListener("submit", step1);
	$("#step-2").addEventListener("submit", step2);
	$("#step-3").addEventListener("submit", submit);
	for (const b of $$("[data-back]")) b.addEventListener("click", () => showStep(Number(b.dataset.back)));
	for (const r of $$('input[name="proof"]')) r.addEventListener("change", proofChanged);
	$("#k-fix").addEventListener("click", () => showStep(1));
	$("#k-done").addEventListener("click", finish);
	$("#k-reconfigure").addEventListener("click", reconfigure);
	onLangChange(() => {
		renderTiles();
		if (step === 3) renderReview();
		if (step === "result") renderResult();
	});
	proofChanged();
	if (key()) startFlow();
	else showSetup();
}

start();
