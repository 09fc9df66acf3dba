/*
 * console.js — the operator console at /console/ for the agency's window
 * (agency_window) and a hospital's medical-insurance office
 * (hospital_office): find a person, bind and unbind relatives on his
 * behalf with the channel's materials checked (SPEC F5, F6), card
 * applications by route and the card's life cycle (C2, C3, C5, C6), and
 * termination (P4); for the agency window, webhook deliveries that ran
 * out of attempts, to retry (E3, console_deliveries.js), employers in
 * arrears and a person's proofs and statements (R1, R2, R4,
 * console_records.js); for the administrator, institutions'
 * national-interface credentials, and for him and the agency window the
 * gateway's kept messages (console_gateway.js).
 *
 * The API key is pasted once per tab and kept in sessionStorage.  The
 * workstation's channel is found from the key: the agency-only bindings
 * lookup answers 404 for an unknown person to agency_window and admin,
 * 403 to the others.  Everything is shown to every operator; what his
 * role may not do is refused by the API, and its 403 is shown as is.
 */
import { makeApi, enc } from "./api.js";
import {
	$, h, announce, showMessage, clearMessage, busy, confirmDialog, fmtDateTime, fmtDateOf, badge,
	makeViews, relativeRows, materialsChecklist, initLanguage, formatFen, t, enumText, onLangChange,
} from "./ui.js";
import { isValidIdNumber, isValidSsn } from "./idnum.js";
import { makeDeliveries } from "./console_deliveries.js";
import { makeGateway } from "./console_gateway.js";
import { makeArrears, makePersonRecords } from "./console_records.js";  /* records: R1, R2, R4 */

const KEY = "yb.console.key", ROLE = "yb.console.role";
const key = () => sessionStorage.getItem(KEY);
const role = () => sessionStorage.getItem(ROLE);
const api = makeApi(key, {
	onUnauthorized: () => { if (key()) showLogin("console.key_rejected"); },
});

let views, bindRows, bindMats, unbindMats;
let deliveries;  /* notify (E3): dead webhook deliveries (agency window) */
let arrears, personRecords;  /* records (R4, R1–R2): agency window */

/* ---- key login --------------------------------------------------------- */

/* The workstation is the key's role, as the server says (GET /whoami);
 * the two operator roles work here, and the administrator for the
 * national-interface gateway's views only. */
async function detectRole() {
	const who = await api.get("/api/v1/whoami");
	if (["agency_window", "hospital_office", "admin"].includes(who.role)) return who.role;
	throw { code: "console.not_operator_key" };
}

/* The views of a role, the first its home. */
function viewsOf(r) {
	if (r === "admin") return ["gateway", "messages"];
	const v = ["person", "bind", "unbind", "cards", "termination"];
	return r === "agency_window" ? [...v, "deliveries", "arrears", "messages"] : v;
}

function showLogin(messageKey) {
	sessionStorage.removeItem(KEY);
	sessionStorage.removeItem(ROLE);
	for (const v of document.querySelectorAll("[data-view]")) v.hidden = true;
	for (const id of ["#nav", "#logout", "#who"]) $(id).hidden = true;
	$("#login-view").hidden = false;
	if (messageKey) showMessage($("#key-error"), messageKey, "info");
	else clearMessage($("#key-error"));
}

async function submitKey(e) {
	e.preventDefault();
	const input = $("#api-key"), box = $("#key-error");
	const value = input.value.trim();
	if (!value) { showMessage(box, "console.key_missing"); input.focus(); return; }
	await busy(e.submitter || $("#key-form button"), async () => {
		sessionStorage.setItem(KEY, value);
		try {
			sessionStorage.setItem(ROLE, await detectRole());
			input.value = "";
			clearMessage(box);
			enter();
		} catch (err) {
			sessionStorage.removeItem(KEY);
			showMessage(box, err.status === 401 ? "console.key_rejected" : err);
			input.focus();
		}
	});
}

function enter() {
	$("#login-view").hidden = true;
	for (const id of ["#nav", "#logout", "#who"]) $(id).hidden = false;
	renderWho();
	const materials = (mount, prefix, submit, gate) => materialsChecklist($(mount), role(), (all) => {
		$(submit).disabled = !all;
		$(gate).hidden = all;
	}, prefix);
	bindMats = materials("#cb-materials", "cbm", "#cb-submit", "#cb-gate");
	unbindMats = materials("#cu-materials", "cum", "#cu-submit", "#cu-gate");
	const mine = viewsOf(role());
	for (const li of document.querySelectorAll("#nav [data-operator]")) li.hidden = role() === "admin";
	$("#nav-deliveries").hidden = !mine.includes("deliveries");
	$("#nav-arrears").hidden = !mine.includes("arrears");
	$("#nav-gateway").hidden = !mine.includes("gateway");
	$("#nav-messages").hidden = !mine.includes("messages");
	views.show(mine.includes(views.current()) ? views.current() : mine[0]);
}

function renderWho() {
	if (role()) $("#who").textContent = t("console.who", { role: enumText("role", role()) });
}

function logout() {
	showLogin("console.logged_out");
	$("#api-key").focus();
}

/* ---- helpers ----------------------------------------------------------- */

/* The authorizer's SSN and ID number from two inputs, or null (and a message). */
function identity(ssnInput, idnInput, box) {
	const ssn = ssnOf(ssnInput, box);
	if (!ssn) return null;
	const id_number = idnInput.value = idnInput.value.trim().toUpperCase();
	if (!isValidIdNumber(id_number)) { showMessage(box, "check.id_number"); idnInput.focus(); return null; }
	return { ssn, id_number };
}

/* A trimmed SSN from an input, or null (and a message, focus on the input). */
function ssnOf(input, box) {
	input.value = input.value.trim();
	if (isValidSsn(input.value)) return input.value;
	showMessage(box, "check.ssn");
	input.focus();
	return null;
}

function facts(dl, pairs) {
	dl.replaceChildren(...pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
		.flatMap(([k, v]) => [h("dt", { text: t(k) }), h("dd", {}, v)]));
	dl.hidden = false;
}

/* ---- find a person ------------------------------------------------------ */

let person = null;

async function findPerson(e) {
	e.preventDefault();
	const box = $("#find-msg"), ssn = ssnOf($("#find-ssn"), box);
	if (!ssn) return;
	await busy(e.submitter || $("#find-form button"), async () => {
		clearMessage(box);
		try {
			person = await api.get(`/api/v1/persons/${enc(ssn)}`);
			renderPerson();
			$("#person-result").hidden = false;
			personRecords.show(person, role() === "agency_window");
			announce(t("cperson.found", { name: person.name }));
			await loadPersonBindings();
		} catch (err) {
			person = null;
			$("#person-result").hidden = true;
			showMessage(box, err);
		}
	});
}

function renderPerson() {
	if (!person) return;
	const p = person;
	facts($("#person-facts"), [
		["field.name", p.name],
		["field.ssn", p.ssn],
		["field.id_number", h("span", { class: "mono", text: p.id_number })],
		["field.sex", enumText("sex", p.sex)],
		["field.birth_date", p.birth_date],
		["field.scheme", enumText("scheme", p.scheme)],
		["field.status", badge(p.status === "active" ? "ok" : p.status === "terminated" ? "bad" : "warn",
			enumText("status", p.status) + (p.termination_reason ? ` · ${enumText("termination_reason", p.termination_reason)}` : ""))],
		["field.region", p.region],
		["field.employer", p.employer_code],
		["home.balance", p.account ? formatFen(p.account.balance_fen) : t("home.no_account")],
	]);
}

let personBindings = null;

async function loadPersonBindings() {
	const mount = $("#person-bindings");
	try {
		personBindings = await api.get(`/api/v1/persons/${enc(person.ssn)}/bindings`);
		renderPersonBindings();
	} catch (err) {
		personBindings = null;
		const box = h("p", { class: "msg" });
		mount.replaceChildren(box);
		showMessage(box, err);
	}
}

function renderPersonBindings() {
	if (!personBindings || !person) return;
	const rows = [
		...personBindings.authorized.map((b) => ({ b, dir: "out" })),
		...personBindings.authorized_by.map((b) => ({ b, dir: "in" })),
	];
	const mount = $("#person-bindings");
	if (!rows.length) {
		mount.replaceChildren(h("p", { class: "muted", text: t("cperson.no_bindings") }));
		return;
	}
	const cols = ["field.binding_id", "cperson.direction", "cperson.other", "field.relationship", "col.channel", "col.since", "col.ended"];
	const table = h("table", { class: "data" },
		h("caption", { class: "sr-only", text: t("cperson.bindings") }),
		h("thead", {}, h("tr", {}, cols.map((k) => h("th", { scope: "col", text: t(k) })), h("th", { scope: "col", text: t("col.action") }))),
		h("tbody", {}, rows.map(({ b, dir }) => {
			const other = dir === "out" ? `${b.relative_name} (${b.relative_ssn})` : `${b.authorizer_name || ""} (${b.authorizer_ssn})`.trim();
			const cells = [String(b.binding_id), t(dir === "out" ? "cperson.dir_out" : "cperson.dir_in"), other,
				enumText("relationship", b.relationship), enumText("channel", b.channel),
				fmtDateOf(b.created_at), b.ended_at ? fmtDateTime(b.ended_at) : "—"];
			const action = dir === "out" && !b.ended_at
				? h("button", { type: "button", class: "btn btn-small btn-danger-outline", text: t("cperson.unbind"),
					"aria-label": t("cperson.unbind_n", { id: b.binding_id }), onclick: () => prefillUnbind(b) })
				: "";
			return h("tr", {}, cells.map((c, i) => h("td", { "data-label": t(cols[i]), text: c })),
				h("td", { "data-label": t("col.action") }, action));
		})));
	mount.replaceChildren(h("div", { class: "table-wrap" }, table));
}

function prefillUnbind(b) {
	$("#cu-id").value = b.binding_id;
	$("#cu-ssn").value = b.authorizer_ssn;
	$("#cu-idn").value = person && person.ssn === b.authorizer_ssn && !person.id_number.includes("*") ? person.id_number : "";
	location.hash = "#unbind";
}

/* ---- bind and unbind ------------------------------------------------------ */

async function submitBind(e) {
	e.preventDefault();
	const box = $("#cb-msg");
	if (!bindMats.allTicked()) { showMessage(box, "cbind.gate"); return; }
	const authorizer = identity($("#cb-ssn"), $("#cb-idn"), box);
	if (!authorizer) return;
	const sent = bindRows.collect();
	if (!sent) { showMessage(box, "family.fix_rows"); return; }
	if (!sent.length) { showMessage(box, "family.nothing_to_send", "info"); return; }
	await busy($("#cb-submit"), async () => {
		try {
			const res = await api.post("/api/v1/bindings", {
				authorizer, relatives: sent.map((s) => s.body), channel: role(), materials: bindMats.materials(),
			});
			const { ok, failed } = bindRows.showResults(sent, res.results);
			const what = { key: failed ? "family.result_mixed" : "family.result_ok", vars: { ok, failed } };
			showMessage(box, what, failed ? "warn" : "ok");
			announce(t(what.key, what.vars));
		} catch (err) {
			showMessage(box, err);
		}
	});
}

function resetBind() {
	$("#cb-ssn").value = "";
	$("#cb-idn").value = "";
	bindRows.reset();
	bindMats.reset();
	clearMessage($("#cb-msg"));
	$("#cb-ssn").focus();
}

async function submitUnbind(e) {
	e.preventDefault();
	const box = $("#cu-msg"), idInput = $("#cu-id");
	if (!unbindMats.allTicked()) { showMessage(box, "cbind.gate"); return; }
	const id = idInput.value.trim();
	if (!/^[1-9][0-9]*$/.test(id)) { showMessage(box, "check.binding_id"); idInput.focus(); return; }
	const authorizer = identity($("#cu-ssn"), $("#cu-idn"), box);
	if (!authorizer) return;
	const yes = await confirmDialog({
		title: "cunbind.confirm_title", body: () => t("cunbind.confirm_body", { id }), confirm: "cunbind.submit",
	});
	if (!yes) return;
	await busy($("#cu-submit"), async () => {
		try {
			const b = await api.del(`/api/v1/bindings/${enc(id)}`, {
				authorizer, channel: role(), materials: unbindMats.materials(),
			});
			const what = { key: "cunbind.done", vars: { id: b.binding_id, name: b.relative_name, at: fmtDateTime(b.ended_at) } };
			showMessage(box, what, "ok");
			announce(t(what.key, what.vars));
			unbindMats.reset();
		} catch (err) {
			showMessage(box, err);
		}
	});
}

/* ---- cards ------------------------------------------------------------------ */

function routeChanged() {
	const route = $("#ap-route").value;
	$("#ap-agent").hidden = route !== "agent";
	$("#ap-employer").hidden = route !== "employer";
}

let lastApplication = null;

async function submitApply(e) {
	e.preventDefault();
	const box = $("#ap-msg"), ssn = ssnOf($("#ap-ssn"), box);
	if (!ssn) return;
	const route = $("#ap-route").value;
	const body = { ssn, route };
	if (route === "agent")
		body.agent = { id_number: $("#ap-agent-idn").value.trim().toUpperCase(), name: $("#ap-agent-name").value.trim() };
	if (route === "employer")
		body.employer = {
			code: $("#ap-emp-code").value.trim(), letter_ref: $("#ap-emp-letter").value.trim(),
			handler_id_number: $("#ap-emp-handler").value.trim().toUpperCase(),
		};
	await busy(e.submitter || $("#apply-form button[type=submit]"), async () => {
		$("#ap-result").hidden = true;
		try {
			lastApplication = await api.post("/api/v1/card-applications", body);
			renderApplication();
			const what = { key: lastApplication.ready_by ? "ccards.applied_ready_by" : "ccards.applied_issued",
				vars: { id: lastApplication.application_id, date: lastApplication.ready_by, card: lastApplication.card_no } };
			showMessage(box, what, "ok");
			announce(t(what.key, what.vars));
			if (lastApplication.state !== "issued") $("#is-id").value = lastApplication.application_id;
			if (lastApplication.card_no) $("#co-card").value = lastApplication.card_no;
		} catch (err) {
			showMessage(box, err);
		}
	});
}

function renderApplication() {
	const a = lastApplication;
	if (!a) return;
	facts($("#ap-result"), [
		["field.application_id", String(a.application_id)],
		["ccards.route", enumText("route", a.route)],
		["home.card_state", enumText("card_state", a.state)],
		["ccards.ready_by", a.ready_by ? h("strong", { text: a.ready_by }) : t("ccards.on_the_spot")],
		["field.card_no", a.card_no ? h("span", { class: "mono", text: a.card_no }) : null],
	]);
}

async function submitIssue(e) {
	e.preventDefault();
	const box = $("#is-msg"), input = $("#is-id"), id = input.value.trim();
	if (!/^[1-9][0-9]*$/.test(id)) { showMessage(box, "check.application_id"); input.focus(); return; }
	await busy(e.submitter || $("#issue-form button"), async () => {
		try {
			const card = await api.post(`/api/v1/card-applications/${enc(id)}/issue`);
			showMessage(box, { key: "ccards.issued", vars: { card: card.card_no } }, "ok");
			announce(t("ccards.issued", { card: card.card_no }));
			$("#co-card").value = card.card_no;
		} catch (err) {
			showMessage(box, err);
		}
	});
}

function opChanged() {
	$("#co-reason-field").hidden = $("#co-op").value !== "return";
}

async function submitCardOp(e) {
	e.preventDefault();
	const box = $("#co-msg"), input = $("#co-card"), no = input.value.trim(), op = $("#co-op").value;
	if (!no) { showMessage(box, "check.card_no"); input.focus(); return; }
	if (op !== "activation") {
		const yes = await confirmDialog({
			title: `ccards.confirm_${op}_title`, body: () => t(`ccards.confirm_${op}_body`, { card: no }), confirm: `ccards.op_${op}`,
		});
		if (!yes) return;
	}
	await busy(e.submitter || $("#cardop-form button[type=submit]"), async () => {
		try {
			const path = `/api/v1/cards/${enc(no)}/${op}`;
			const card = op === "return"
				? await api.post(path, { reason: $("#co-reason").value })
				: await api.post(path);
			const what = { key: "ccards.op_done", vars: {
				card: card.card_no, state: enumText("card_state", card.state),
				activated: t(card.activated ? "home.activated_yes" : "home.activated_no"),
			} };
			showMessage(box, what, "ok");
			announce(t(what.key, what.vars));
		} catch (err) {
			showMessage(box, err);
		}
	});
}

/* ---- termination ----------------------------------------------------------- */

async function submitTermination(e) {
	e.preventDefault();
	const box = $("#tm-msg"), reason = $("#tm-reason"), ssn = ssnOf($("#tm-ssn"), box);
	if (!ssn) return;
	if (!reason.value) { showMessage(box, "check.reason"); reason.focus(); return; }
	const yes = await confirmDialog({
		title: "cterm.confirm_title",
		body: () => t("cterm.confirm_body", { ssn, reason: enumText("termination_reason", reason.value) }),
		confirm: "cterm.submit",
	});
	if (!yes) return;
	await busy(e.submitter || $("#term-form button"), async () => {
		try {
			const p = await api.post(`/api/v1/persons/${enc(ssn)}/termination`, { reason: reason.value });
			const what = { key: "cterm.done", vars: { name: p.name, ssn: p.ssn, reason: enumText("termination_reason", p.termination_reason || reason.value) } };
			showMessage(box, what, "ok");
			announce(t(what.key, what.vars));
		} catch (err) {
			showMessage(box, err);
		}
	});
}

/* ---- start ------------------------------------------------------------------- */

function start() {
	initLanguage();
	deliveries = makeDeliveries(api);
	arrears = makeArrears(api);
	personRecords = makePersonRecords(api);
	makeGateway(api);
	views = makeViews({
		defaultView: "person", active: () => !!(key() && role()),
		onShow: (name) => {
			if (name === "deliveries") deliveries.reload().catch(() => {});
			if (name === "arrears") arrears.show();
		},
	});
	bindRows = relativeRows($("#cb-rows"), { idPrefix: "cbr" });
	const on = (sel, ev, fn) => $(sel).addEventListener(ev, fn);
	on("#key-form", "submit", submitKey);
	on("#logout", "click", logout);
	on("#find-form", "submit", findPerson);
	on("#cbind-form", "submit", submitBind);
	on("#cb-reset", "click", resetBind);
	on("#cunbind-form", "submit", submitUnbind);
	on("#apply-form", "submit", submitApply);
	on("#ap-route", "change", routeChanged);
	on("#issue-form", "submit", submitIssue);
	on("#cardop-form", "submit", submitCardOp);
	on("#co-op", "change", opChanged);
	on("#term-form", "submit", submitTermination);
	onLangChange(() => { renderWho(); renderPerson(); renderPersonBindings(); renderApplication(); });
	routeChanged();
	opChanged();
	if (key() && role()) enter();
	else showLogin();
}

start();
