/*
 * ui.js — small DOM helpers shared by the portal, the console and the
 * kiosk: an element builder, the live region, a confirmation dialog,
 * local-time formatting, hash views, paged tables with a "more" button,
 * the rows of relatives to bind (with per-row results), the checklist of
 * a channel's materials, and the language button.
 */
import { t, getLang, setLang, applyI18n, onLangChange, errorText, enumText } from "./i18n.js";
import { formatFen } from "./money.js";
import { isValidIdNumber, isValidSsn } from "./idnum.js";

/* h("p", {class: "x", onclick: f}, "text", child) — attributes, then children. */
export function h(tag, props = {}, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(props || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
		else if (k === "class") el.className = v;
		else if (k === "text") el.textContent = v;
		else if (k in el && typeof v !== "string") el[k] = v;
		else el.setAttribute(k, v === true ? "" : v);
	}
	for (const c of children.flat()) if (c !== null && c !== undefined && c !== false)
		el.append(c instanceof Node ? c : String(c));
	return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/* Say something to screen readers (the page's role=status region). */
export function announce(text) {
	const live = document.getElementById("live");
	if (!live) return;
	live.textContent = "";
	setTimeout(() => { live.textContent = text; }, 30);
}

/*
 * What a message says: an API error (translated by its code), an i18n
 * key, or {key, vars}.  Kept on the element so a language switch can say
 * it again in the other language.
 */
export function messageText(what) {
	if (what instanceof Error || (what && what.code)) return errorText(what);
	if (what && what.key) return t(what.key, what.vars);
	return t(what);
}

/* A message box: role=alert for errors, role=status otherwise. */
export function showMessage(box, what, kind = "error") {
	box.hidden = false;
	box.className = `msg msg-${kind}`;
	box.setAttribute("role", kind === "error" ? "alert" : "status");
	box._what = what;
	box.textContent = messageText(what);
}
export function clearMessage(box) {
	box.hidden = true;
	box.textContent = "";
	box._what = null;
}
onLangChange(() => {
	for (const box of $$(".msg, .row-result")) if (box._what) box.textContent = messageText(box._what);
});

/* A button that shows it is working and cannot be pressed twice. */
export async function busy(button, fn) {
	if (button.getAttribute("aria-busy") === "true") return;
	button.setAttribute("aria-busy", "true");
	const was = button.disabled;
	button.disabled = true;
	try {
		return await fn();
	} finally {
		button.removeAttribute("aria-busy");
		button.disabled = was;
	}
}

/* Ask before something that cannot be undone; resolves true or false. */
export function confirmDialog({ title, body, confirm, danger = true }) {
	return new Promise((resolve) => {
		const yes = h("button", { type: "button", class: danger ? "btn btn-danger" : "btn btn-primary", text: t(confirm) });
		const no = h("button", { type: "button", class: "btn btn-secondary", text: t("common.cancel") });
		const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
		const dlg = h("dialog", { class: "dialog", "aria-labelledby": titleId },
			h("h2", { id: titleId, text: t(title) }),
			h("p", { text: typeof body === "function" ? body() : t(body) }),
			h("div", { class: "actions" }, no, yes));
		const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
		yes.addEventListener("click", () => done(true));
		no.addEventListener("click", () => done(false));
		dlg.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
		document.body.append(dlg);
		dlg.showModal();
		no.focus();
	});
}

/* Instants (RFC 3339 UTC) in local time, Asia/Shanghai. */
const TZ = "Asia/Shanghai";
export function fmtDateTime(iso) {
	if (!iso) return "—";
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return iso;
	return new Intl.DateTimeFormat(getLang() === "en" ? "en-GB" : "zh-CN", {
		timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit",
		hour: "2-digit", minute: "2-digit", hour12: false,
	}).format(d);
}
export function fmtDateOf(iso) {
	if (!iso) return "—";
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return iso;
	return new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
}

/* A Blob as a data: URL.  The pages' Content-Security-Policy allows
 * images from 'self' and data: URLs only, so an image fetched with a
 * bearer token (the e-credential's QR code, a scan) is shown this way (a
 * blob: URL would be refused). */
export function dataUrl(blob) {
	return new Promise((resolve, reject) => {
		const r = new FileReader();
		r.onload = () => resolve(r.result);
		r.onerror = () => reject(r.error);
		r.readAsDataURL(blob);
	});
}

export function badge(kind, text) {
	return h("span", { class: `badge badge-${kind}`, text });
}

/*
 * Views switched by the location hash: showView(name) shows
 * <section data-view=name>, marks its nav link aria-current and moves
 * focus to its heading.  Nothing happens while active() is false
 * (logged out).
 */
export function makeViews({ defaultView, onShow, active = () => true }) {
	const views = $$("[data-view]");
	function show(name, { focus = true } = {}) {
		if (!active()) return;
		if (!views.some((v) => v.dataset.view === name)) name = defaultView;
		for (const v of views) v.hidden = v.dataset.view !== name;
		for (const a of $$("nav a[href^='#']"))
			if (a.getAttribute("href") === `#${name}`) a.setAttribute("aria-current", "page");
			else a.removeAttribute("aria-current");
		const heading = $(`[data-view="${name}"] h1`);
		if (focus && heading) {
			heading.setAttribute("tabindex", "-1");
			heading.focus();
		}
		if (onShow) onShow(name);
	}
	const current = () => (location.hash || "").slice(1) || defaultView;
	window.addEventListener("hashchange", () => show(current()));
	return { show, current };
}

/*
 * A paged table: columns = [{key: i18n key, cell: (item) => text|Node,
 * num: bool}], fetchPage(cursor) → {items, next_cursor}.  On a phone the
 * rows become cards, each cell labelled by its column (CSS data-label).
 */
export function pagedTable({ mount, caption, columns, fetchPage, emptyKey }) {
	const items = [];
	let cursor = null, loaded = false;
	const table = h("table", { class: "data" });
	const more = h("button", { type: "button", class: "btn btn-secondary more", hidden: true });
	const status = h("p", { class: "muted", hidden: true });
	const error = h("p", { class: "msg", hidden: true });
	mount.replaceChildren(h("div", { class: "table-wrap" }, table), status, error, more);

	function render() {
		const head = h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null, text: t(c.key) })));
		const body = items.map((it) => h("tr", {}, columns.map((c) =>
			h("td", { class: c.num ? "num" : null, "data-label": t(c.key) }, c.cell(it)))));
		table.replaceChildren(h("caption", { class: "sr-only", text: t(caption) }), h("thead", {}, head), h("tbody", {}, body));
		table.hidden = loaded && items.length === 0;
		status.hidden = !(loaded && items.length === 0);
		status.textContent = t(emptyKey);
		more.textContent = t("common.more");
	}
	async function load(reset = false) {
		if (reset) { items.length = 0; cursor = null; loaded = false; }
		clearMessage(error);
		try {
			const page = await fetchPage(cursor);
			items.push(...page.items);
			cursor = page.next_cursor;
			loaded = true;
			more.hidden = !cursor;
			render();
			return page;
		} catch (e) {
			showMessage(error, e);
			throw e;
		}
	}
	more.addEventListener("click", () => busy(more, async () => {
		const before = items.length;
		await load().catch(() => {});
		announce(t("common.loaded_more", { n: items.length - before }));
		const rows = table.tBodies[0]?.rows;
		if (rows && rows[before]) { rows[before].setAttribute("tabindex", "-1"); rows[before].focus(); }
	}));
	onLangChange(render);
	render();
	return { load, reload: () => load(true) };
}

/* "?limit=20&cursor=..." for the list endpoints. */
export function pageQuery(cursor, limit = 20) {
	return `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
}

/*
 * Relationships offered when binding.  The allowed set is a setting of
 * the server (SPEC F3, default spouse, parent, child); a city that allows
 * the wider "near relatives" set adds sibling, grandparent, grandchild here.
 */
export const RELATIONSHIPS = ["spouse", "parent", "child"];

/*
 * The rows of relatives to bind (the seeds' "enter ... in a loop"): SSN,
 * ID number and relationship per row, "add another row", remove a row,
 * client-side format checks, and each row's result shown beside it.
 */
export function relativeRows(mount, { max = 10, idPrefix = "rel" } = {}) {
	const rows = [];
	const list = h("div", { class: "rows" });
	const add = h("button", { type: "button", class: "btn btn-secondary", "data-i18n": "family.add_row", text: t("family.add_row") });
	mount.replaceChildren(list, add);
	let serial = 0;

	function renumber() {
		rows.forEach((r, i) => {
			r.legend.textContent = t("family.row_legend", { n: i + 1 });
			r.remove.hidden = rows.length === 1 || r.done;
			r.remove.setAttribute("aria-label", t("family.remove_row_n", { n: i + 1 }));
		});
		add.disabled = rows.length >= max;
	}
	function field(id, key, input) {
		return h("div", { class: "field" }, h("label", { for: id, "data-i18n": key, text: t(key) }), input);
	}
	function addRow() {
		const n = serial++;
		const id = (s) => `${idPrefix}-${s}-${n}`;
		const ssn = h("input", { id: id("ssn"), name: "ssn", inputmode: "numeric", autocomplete: "off", maxlength: "12", required: true });
		const idn = h("input", { id: id("idn"), name: "id_number", autocomplete: "off", maxlength: "18", required: true, class: "mono" });
		const rel = h("select", { id: id("rel"), name: "relationship", required: true },
			h("option", { value: "", "data-i18n": "family.choose", text: t("family.choose") }),
			RELATIONSHIPS.map((r) => h("option", { value: r, text: enumText("relationship", r) })));
		const result = h("p", { class: "row-result", id: id("res"), hidden: true });
		const legend = h("legend");
		const remove = h("button", { type: "button", class: "btn btn-link" , "data-i18n": "family.remove_row", text: t("family.remove_row") });
		const fs = h("fieldset", { class: "relative-row" }, legend,
			h("div", { class: "row-fields" },
				field(id("ssn"), "field.ssn", ssn),
				field(id("idn"), "field.id_number", idn),
				field(id("rel"), "field.relationship", rel)),
			h("div", { class: "row-foot" }, result, remove));
		for (const inp of [ssn, idn, rel]) inp.setAttribute("aria-describedby", id("res"));
		const row = { fs, ssn, idn, rel, result, legend, remove, done: false };
		remove.addEventListener("click", () => {
			rows.splice(rows.indexOf(row), 1);
			fs.remove();
			renumber();
			rows[rows.length - 1]?.ssn.focus();
		});
		rows.push(row);
		list.append(fs);
		renumber();
		return row;
	}
	function setResult(row, kind, what) {
		row.result.hidden = false;
		row.result.className = `row-result msg-${kind}`;
		row.result._what = what;
		row.result.textContent = messageText(what);
		row.fs.classList.toggle("is-error", kind === "error");
		row.fs.classList.toggle("is-ok", kind === "ok");
		for (const inp of [row.ssn, row.idn, row.rel]) inp.setAttribute("aria-invalid", kind === "error" ? "true" : "false");
	}
	onLangChange(() => {
		renumber();
		for (const r of rows) {
			for (const o of r.rel.options) if (o.value) o.textContent = enumText("relationship", o.value);
		}
	});
	add.addEventListener("click", () => addRow().ssn.focus());
	addRow();

	return {
		/* Rows still to send (a bound row is done), after format checks;
		 * null when a row is not valid (its message is shown). */
		collect() {
			const out = [];
			let bad = null;
			for (const r of rows) {
				if (r.done) continue;
				r.idn.value = r.idn.value.trim().toUpperCase();
				r.ssn.value = r.ssn.value.trim();
				let key = null;
				if (!isValidSsn(r.ssn.value)) key = "check.ssn";
				else if (!isValidIdNumber(r.idn.value)) key = "check.id_number";
				else if (!r.rel.value) key = "check.relationship";
				if (key) {
					setResult(r, "error", key);
					bad = bad || (key === "check.relationship" ? r.rel : key === "check.ssn" ? r.ssn : r.idn);
				} else {
					r.result.hidden = true;
					r.result._what = null;
					r.fs.classList.remove("is-error");
					out.push({ row: r, body: { ssn: r.ssn.value, id_number: r.idn.value, relationship: r.rel.value } });
				}
			}
			if (bad) { bad.focus(); return null; }
			return out;
		},
		/* results[] of the API by index into the rows that were sent. */
		showResults(sent, results) {
			let ok = 0, failed = 0;
			for (const res of results) {
				const r = sent[res.index]?.row;
				if (!r) continue;
				if (res.ok) {
					ok++;
					r.done = true;
					for (const inp of [r.ssn, r.idn, r.rel]) inp.disabled = true;
					setResult(r, "ok", "family.row_ok");
				} else {
					failed++;
					setResult(r, "error", res.error);
				}
			}
			renumber();
			return { ok, failed };
		},
		/* Start again with one empty row. */
		reset() {
			for (const r of rows.splice(0)) r.fs.remove();
			addRow();
		},
		pending: () => rows.filter((r) => !r.done).length,
	};
}

/*
 * The materials an operator channel must see (SPEC F5), as checkboxes;
 * onChange(allTicked) keeps the submit button disabled until every box is
 * ticked.  materials() gives the API's materials object.
 */
export const CHANNEL_MATERIALS = {
	hospital_office: ["id_cards", "social_security_cards"],
	agency_window: ["id_cards", "social_security_cards", "card_copies"],
};
export function materialsChecklist(mount, channel, onChange, idPrefix = "mat") {
	const boxes = [], rows = [];
	for (const name of CHANNEL_MATERIALS[channel] || []) {
		const id = `${idPrefix}-${name}`, key = `material.${channel}.${name}`;
		const box = h("input", { type: "checkbox", id, name });
		box.addEventListener("change", () => onChange(allTicked()));
		boxes.push(box);
		rows.push(h("div", { class: "check" }, box, h("label", { for: id, "data-i18n": key, text: t(key) })));
	}
	const allTicked = () => boxes.length > 0 && boxes.every((b) => b.checked);
	mount.replaceChildren(...rows);
	onChange(allTicked());
	return {
		allTicked,
		materials: () => Object.fromEntries(boxes.map((b) => [b.name, b.checked])),
		reset() { for (const b of boxes) b.checked = false; onChange(false); },
	};
}

/* The language button in every page's header: shows the other language. */
export function initLanguage() {
	const btn = document.getElementById("lang-btn");
	const label = () => {
		const other = getLang() === "en" ? "zh" : "en";
		btn.textContent = other === "en" ? "English" : "中文";
		btn.setAttribute("lang", other === "en" ? "en" : "zh-CN");
		btn.title = t("common.switch_language");
	};
	btn.addEventListener("click", () => {
		setLang(getLang() === "en" ? "zh" : "en");
		announce(t("common.language_switched"));
	});
	onLangChange(label);
	applyI18n(document);
	label();
}

export { formatFen, t, enumText, errorText, onLangChange, applyI18n };
