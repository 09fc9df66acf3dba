/*
 * portal.js — the insured person's portal at / (SPEC Q1, F1–F7, C1, C5;
 * channel web, or wechat inside WeChat's browser).
 *
 * Login with SSN or ID number; the session token lives in sessionStorage
 * (gone when the tab closes).  Views by hash: #home (balance, card, the
 * electronic credential's QR code), #family (bindings both ways, add
 * relatives in rows, end a binding, family usage), #contributions,
 * #ledger, #settlements (paged with a "more" button), #notifications
 * (every use of my account by a relative, E3; notifications.js); in
 * #family also the monthly limits (E2, famcap.js) and a relative's
 * resident premium (E1, premium.js); #records
 * (statements and proofs, R1–R2; gaps and my employer's payments beside
 * the contributions, R3–R4; records.js).
 */
import { makeApi, enc } from "./api.js";
import { makeNotifications } from "./notifications.js";
import {
	$, h, announce, showMessage, clearMessage, busy, confirmDialog, fmtDateTime, fmtDateOf, badge,
	makeViews, pagedTable, pageQuery, relativeRows, initLanguage, formatFen, t, enumText, onLangChange, dataUrl,
} from "./ui.js";
import { capControls } from "./famcap.js";   /* family: E2 */
import { makePremiums } from "./premium.js"; /* family: E1 */
import { makeRecords } from "./records.js";  /* records: R1–R4 */

const TOKEN_KEY = "yb.portal.token";
/* The credential lives 5 minutes by default (SPEC C1 setting): a fresh
 * one every 4 minutes keeps the code on screen always valid. */
/* Refresh this long before the credential lapses (the server says when,
 * from the agency's lifetime setting); 240 s if it does not say. */
const ECERT_MARGIN_SECONDS = 60, ECERT_REFRESH_SECONDS = 240;
/* Inside WeChat's built-in browser the binding is recorded as channel wechat (F5). */
const CHANNEL = /MicroMessenger/i.test(navigator.userAgent) ? "wechat" : "web";

const token = () => sessionStorage.getItem(TOKEN_KEY);
const api = makeApi(token, {
	onUnauthorized: () => { if (token()) showLogin("portal.session_expired"); },
});

let me = null;
let notes;       /* notify (E3): #notifications and the unread badge */
let premiums;    /* family (E1): a relative's resident premium */
let records;     /* records (R1–R4): #records, gaps beside #contributions */
let bindings = { authorized: [], authorized_by: [] };
let views;

/* ---- login and logout ---------------------------------------------- */

function showLogin(messageKey) {
	sessionStorage.removeItem(TOKEN_KEY);
	me = null;
	stopEcert();
	for (const v of document.querySelectorAll("[data-view]")) v.hidden = true;
	$("#nav").hidden = true;
	$("#logout").hidden = true;
	$("#who").hidden = true;
	$("#login-view").hidden = false;
	const box = $("#login-error");
	if (messageKey) showMessage(box, messageKey, "info");
	else clearMessage(box);
}

async function login(e) {
	e.preventDefault();
	const id = $("#login-id"), pw = $("#login-password"), box = $("#login-error");
	id.value = id.value.trim();
	if (!id.value || !pw.value) {
		showMessage(box, "login.missing");
		(id.value ? pw : id).focus();
		return;
	}
	await busy(e.submitter || $("#login-form button[type=submit]"), async () => {
		try {
			const s = await api.post("/api/v1/sessions", { login: id.value, password: pw.value });
			sessionStorage.setItem(TOKEN_KEY, s.token);
			pw.value = "";
			clearMessage(box);
			await enter();
		} catch (err) {
			showMessage(box, err);
			pw.select();
		}
	});
}

async function logout() {
	try { await api.del("/api/v1/sessions/current"); } catch { /* gone already */ }
	showLogin("portal.logged_out");
	$("#login-id").focus();
}

/* After login (or a reload with a live session): the person, then the view. */
async function enter() {
	me = await api.get("/api/v1/me");
	$("#login-view").hidden = true;
	$("#nav").hidden = false;
	$("#logout").hidden = false;
	const who = $("#who");
	who.hidden = false;
	who.textContent = me.name;
	renderHome();
	views.show(views.current());
	notes.refreshCount();
}

/* ---- home ------------------------------------------------------------ */

function renderHome() {
	if (!me) return;
	$("#home-title").textContent = t("home.hello", { name: me.name });
	$("#home-sub").textContent = [
		`${t("field.ssn")} ${me.ssn}`, enumText("scheme", me.scheme), enumText("status", me.status),
	].join(" · ");
	const bal = $("#balance"), note = $("#balance-note");
	if (me.account && !me.account.closed) {
		bal.textContent = formatFen(me.account.balance_fen);
		note.textContent = t("home.balance_note");
	} else {
		bal.textContent = "—";
		note.textContent = t(me.account ? "home.account_closed" : "home.no_account");
	}
	const facts = $("#card-facts"), card = me.card;
	const fact = (k, ...v) => [h("dt", { text: t(k) }), h("dd", {}, ...v)];
	if (card) {
		facts.replaceChildren(
			...fact("home.card_no", h("span", { class: "mono", text: card.card_no })),
			...fact("home.card_state", badge(card.state === "issued" ? "ok" : card.state === "lost" || card.state === "cancelled" ? "bad" : "info",
				enumText("card_state", card.state))),
			...fact("home.card_activated", badge(card.activated ? "ok" : "warn", t(card.activated ? "home.activated_yes" : "home.activated_no"))));
	} else {
		facts.replaceChildren(h("p", { class: "muted", text: t("home.no_card") }));
	}
	$("#report-loss").hidden = !(card && (card.state === "issued" || card.state === "ready"));
	renderFamilySummary();
}

function renderFamilySummary() {
	const active = (list) => list.filter((b) => !b.ended_at).length;
	$("#family-summary").textContent = t("home.family_summary", {
		out: active(bindings.authorized), in: active(bindings.authorized_by),
	});
}

async function refreshMe() {
	try {
		me = await api.get("/api/v1/me");
		renderHome();
	} catch { /* the 401 handler shows the login; other errors keep the old view */ }
}

async function reportLoss() {
	const card = me && me.card;
	if (!card) return;
	const yes = await confirmDialog({
		title: "loss.confirm_title",
		body: () => t("loss.confirm_body", { card: card.card_no }),
		confirm: "loss.confirm",
	});
	if (!yes) return;
	const box = $("#card-msg");
	await busy($("#report-loss"), async () => {
		try {
			me.card = await api.post(`/api/v1/cards/${enc(card.card_no)}/loss`);
			renderHome();
			showMessage(box, "loss.done", "ok");
			announce(t("loss.done"));
		} catch (err) {
			showMessage(box, err);
		}
	});
}

/* ---- the electronic credential (QR code) ----------------------------- */

let ecertDue = 0, ecertTimer = null, ecertLoading = false;

async function refreshEcert() {
	if (ecertLoading) return;
	ecertLoading = true;
	const img = $("#ecert-img"), box = $("#ecert-msg");
	try {
		const svg = await api.blob("/api/v1/me/ecert.svg");
		img.src = await dataUrl(svg);
		img.alt = t("home.ecert_alt");
		img.hidden = false;
		$("#ecert-placeholder").hidden = true;
		const lapses = Date.parse(svg.expiresAt || "");
		ecertDue = Number.isNaN(lapses)
			? Date.now() + ECERT_REFRESH_SECONDS * 1000
			: Math.max(Date.now() + 10 * 1000, lapses - ECERT_MARGIN_SECONDS * 1000);
		clearMessage(box);
	} catch (err) {
		img.hidden = true;
		ecertDue = Date.now() + 30 * 1000;    /* try again soon */
		showMessage(box, err);
	} finally {
		ecertLoading = false;
		tick();
	}
}

function tick() {
	const left = Math.max(0, Math.ceil((ecertDue - Date.now()) / 1000));
	const mm = Math.floor(left / 60), ss = String(left % 60).padStart(2, "0");
	$("#ecert-countdown").textContent = t("home.ecert_countdown", { time: `${mm}:${ss}` });
	if (left === 0) refreshEcert();
}

function startEcert() {
	stopEcert();
	ecertDue = 0;
	refreshEcert();
	ecertTimer = setInterval(tick, 1000);
}

function stopEcert() {
	if (ecertTimer) clearInterval(ecertTimer);
	ecertTimer = null;
}

/* ---- family ------------------------------------------------------------ */

let relRows;     /* the rows of relatives to bind */

function bindingItem(b, mine) {
	const name = mine ? b.relative_name : b.authorizer_name || b.authorizer_ssn;
	const ssn = mine ? b.relative_ssn : b.authorizer_ssn;
	const meta = [
		`${t("field.ssn")} ${ssn}`,
		t("family.via", { channel: enumText("channel", b.channel) }),
		b.ended_at ? t("family.ended_on", { date: fmtDateOf(b.ended_at) }) : t("family.since", { date: fmtDateOf(b.created_at) }),
	].join(" · ");
	const li = h("li", { class: "binding" },
		h("div", { class: "binding-main" },
			h("span", { class: "binding-name", text: name }),
			badge(b.ended_at ? "muted" : "info", enumText("relationship", b.relationship)),
			h("p", { class: "muted small", text: meta })));
	if (mine && !b.ended_at) {
		const end = h("button", { type: "button", class: "btn btn-danger-outline btn-small", text: t("family.end") });
		end.setAttribute("aria-label", t("family.end_named", { name }));
		end.addEventListener("click", () => endBinding(b, end));
		li.append(end);
		/* family: E2 — the monthly limit of this relative */
		li.append(capControls(api, b, name, $("#bind-msg"), async () => {
			await loadBindings();
			usage.reload().catch(() => {});
		}));
	}
	return li;
}

function renderBindingList(mount, list, mine) {
	const active = list.filter((b) => !b.ended_at), ended = list.filter((b) => b.ended_at);
	const parts = [];
	parts.push(active.length
		? h("ul", { class: "binding-list" }, active.map((b) => bindingItem(b, mine)))
		: h("p", { class: "muted", text: t(mine ? "family.none_authorized" : "family.none_authorized_by") }));
	if (ended.length)
		parts.push(h("details", { class: "history" },
			h("summary", { text: t("family.history", { n: ended.length }) }),
			h("ul", { class: "binding-list" }, ended.map((b) => bindingItem(b, mine)))));
	mount.replaceChildren(...parts);
}

function renderBindings() {
	renderBindingList($("#authorized-list"), bindings.authorized, true);
	renderBindingList($("#authorized-by-list"), bindings.authorized_by, false);
	renderFamilySummary();
}

/* Only the newest load renders: opening the family view right after
 * the home view (which loads the bindings too) sent two, and the later
 * answer re-drew the lists under a limit the person had begun to type,
 * wiping it. */
let bindingsLoads = 0;

async function loadBindings() {
	const mine = ++bindingsLoads;
	try {
		const got = await api.get("/api/v1/me/bindings");
		if (mine !== bindingsLoads) return;   /* a newer one renders */
		bindings = got;
		renderBindings();
		premiums.setRelatives(bindings.authorized);
	} catch (err) {
		if (mine === bindingsLoads) showMessage($("#bind-msg"), err);
	}
}

async function endBinding(b, button) {
	const yes = await confirmDialog({
		title: "family.end_title",
		body: () => t("family.end_body", { name: b.relative_name, rel: enumText("relationship", b.relationship) }),
		confirm: "family.end_confirm",
	});
	if (!yes) { button.focus(); return; }
	try {
		await api.del(`/api/v1/me/bindings/${enc(b.binding_id)}`);
		announce(t("family.ended", { name: b.relative_name }));
		showMessage($("#bind-msg"), { key: "family.ended", vars: { name: b.relative_name } }, "ok");
	} catch (err) {
		showMessage($("#bind-msg"), err);
	}
	await loadBindings();
	usage.reload().catch(() => {});
	$("#authorized-h").setAttribute("tabindex", "-1");
	$("#authorized-h").focus();
}

async function submitBindings(e) {
	e.preventDefault();
	const box = $("#bind-msg");
	const sent = relRows.collect();
	if (!sent) { showMessage(box, "family.fix_rows"); return; }
	if (!sent.length) { showMessage(box, "family.nothing_to_send", "info"); return; }
	await busy($("#bind-submit"), async () => {
		try {
			const res = await api.post("/api/v1/me/bindings", { relatives: sent.map((s) => s.body), channel: CHANNEL });
			const { ok, failed } = relRows.showResults(sent, res.results);
			const what = { key: failed ? "family.result_mixed" : "family.result_ok", vars: { ok, failed } };
			showMessage(box, what, failed ? "warn" : "ok");
			announce(t(what.key, what.vars));
			await loadBindings();
		} catch (err) {
			showMessage(box, err);
		}
	});
}

/* ---- paged lists ------------------------------------------------------- */

const list = (path) => (cursor) => api.get(path + pageQuery(cursor));
let usage, contributions, ledger, settlements;

function makeTables() {
	usage = pagedTable({
		mount: $("#usage-table"), caption: "family.usage", emptyKey: "family.usage_empty",
		fetchPage: list("/api/v1/me/family-usage"),
		columns: [
			{ key: "col.time", cell: (u) => fmtDateTime(u.at) },
			{ key: "col.relative", cell: (u) => `${u.relative_name}（${enumText("relationship", u.relationship)}）` },
			{ key: "col.institution", cell: (u) => u.institution_name || u.institution_code },
			{ key: "col.visit_type", cell: (u) => enumText("visit_type", u.visit_type) },
			{ key: "col.amount", num: true, cell: (u) => formatFen(u.amount_fen) },
			/* family: E2 — what the monthly limit held back */
			{ key: "col.cap_cut", num: true, cell: (u) => (u.cap_cut_fen ? formatFen(u.cap_cut_fen) : "—") },
			{ key: "col.state", cell: (u) => badge(u.state === "settled" ? "ok" : "muted", enumText("settlement_state", u.state)) },
		],
	});
	contributions = pagedTable({
		mount: $("#contrib-table"), caption: "contrib.title", emptyKey: "contrib.empty",
		fetchPage: list("/api/v1/me/contributions"),
		columns: [
			{ key: "col.period", cell: (c) => c.period },
			/* family: E1 — a premium a relative paid: from whose account */
			{ key: "col.employer", cell: (c) => (c.paid_by
				? t("contrib.paid_by", { name: c.paid_by.name, ssn: c.paid_by.ssn }) : c.employer_code) },
			{ key: "col.base", num: true, cell: (c) => formatFen(c.base_fen) },
			{ key: "col.employer_part", num: true, cell: (c) => formatFen(c.employer_fen) },
			{ key: "col.personal_part", num: true, cell: (c) => formatFen(c.personal_fen) },
			{ key: "col.account_credit", num: true, cell: (c) => formatFen(c.account_credit_fen) },
		],
	});
	ledger = pagedTable({
		mount: $("#ledger-table"), caption: "ledger.title", emptyKey: "ledger.empty",
		fetchPage: list("/api/v1/me/ledger"),
		columns: [
			{ key: "col.time", cell: (l) => fmtDateTime(l.at) },
			{ key: "col.kind", cell: (l) => enumText("ledger_kind", l.kind) },
			{ key: "col.change", num: true, cell: (l) => h("span", { class: l.amount_fen < 0 ? "neg" : "pos", text: formatFen(l.amount_fen, { signed: true }) }) },
			{ key: "col.balance_after", num: true, cell: (l) => formatFen(l.balance_after_fen) },
		],
	});
	settlements = pagedTable({
		mount: $("#settle-table"), caption: "settle.title", emptyKey: "settle.empty",
		fetchPage: list("/api/v1/me/settlements"),
		columns: [
			{ key: "col.time", cell: (s) => fmtDateTime(s.settled_at) },
			{ key: "col.institution", cell: (s) => s.institution_name || s.institution_code },
			{ key: "col.visit_type", cell: (s) => enumText("visit_type", s.visit_type) },
			{ key: "col.total", num: true, cell: (s) => formatFen(s.total_fen) },
			{ key: "col.fund", num: true, cell: (s) => formatFen(s.fund_pay_fen) },
			{ key: "col.account", num: true, cell: (s) => formatFen(s.account_pay_fen) },
			{ key: "col.cash", num: true, cell: (s) => formatFen(s.cash_pay_fen) },
			{ key: "col.state", cell: (s) => badge(s.state === "settled" ? "ok" : "muted", enumText("settlement_state", s.state)) },
		],
	});
}

/* ---- views --------------------------------------------------------------- */

function onView(name) {
	if (!me) return;
	if (name === "home") {
		startEcert();
		refreshMe();
		loadBindings();
	} else {
		stopEcert();
	}
	if (name === "family") {
		loadBindings();
		usage.reload().catch(() => {});
		premiums.reload();
	}
	if (name === "contributions") {
		contributions.reload().catch(() => {});
		records.loadContributions();
	}
	if (name === "records") records.showRecords();
	if (name === "ledger") ledger.reload().catch(() => {});
	if (name === "settlements") settlements.reload().catch(() => {});
	if (name === "notifications") notes.reload();
	else notes.refreshCount();
}

async function start() {
	initLanguage();
	makeTables();
	notes = makeNotifications(api);
	premiums = makePremiums(api, {
		mount: $("#premium-mount"), listMount: $("#premium-table"),
		onPaid: () => { refreshMe(); notes.refreshCount(); },
	});
	records = makeRecords(api);
	relRows = relativeRows($("#bind-rows"), { idPrefix: "rel" });
	views = makeViews({ defaultView: "home", onShow: onView, active: () => !!me });
	$("#login-form").addEventListener("submit", login);
	$("#logout").addEventListener("click", logout);
	$("#report-loss").addEventListener("click", reportLoss);
	$("#ecert-refresh").addEventListener("click", () => { refreshEcert(); announce(t("home.ecert_refreshed")); });
	$("#bind-form").addEventListener("submit", submitBindings);
	onLangChange(() => {
		renderHome();
		renderBindings();
		notes.render();
		if (ecertTimer) tick();
		const img = $("#ecert-img");
		if (!img.hidden) img.alt = t("home.ecert_alt");
	});
	if (token()) {
		try {
			await enter();
			return;
		} catch { /* expired: log in again */ }
	}
	showLogin();
}

start();
