/*
 * console_records.js — records and proofs in the operator console (SPEC
 * R1, R2, R4), for the agency window:
 *   #arrears — employers whose registered employees have months without
 *     a contribution from them in a period; the table sorts by any column
 *     (the server sorts: GET /api/v1/arrears?sort=&order=) and exports
 *     the same list as CSV;
 *   the found person's card — his proof of insurance and statements of
 *     the last year, issued on his behalf, and his proofs, revocable.
 */
import "./i18n_records.js";
import { enc } from "./api.js";
import { $, h, announce, showMessage, clearMessage, busy, fmtDateTime, badge, pagedTable, pageQuery, t, onLangChange } from "./ui.js";
import { saveDownload } from "./records.js";

const COLUMNS = [
	{ key: "employer_code", title: "col.employer_code" },
	{ key: "employer_name", title: "col.employer_name" },
	{ key: "employees", title: "col.employees", num: true },
	{ key: "employees_in_arrears", title: "col.employees_in_arrears", num: true },
	{ key: "missing_months", title: "col.missing_months", num: true },
];

function thisMonth() {
	const p = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" }).formatToParts(new Date());
	return { y: Number(p.find((x) => x.type === "year").value), m: Number(p.find((x) => x.type === "month").value) };
}

function month(k) {
	return `${Math.floor(k / 12)}-${String(k % 12 + 1).padStart(2, "0")}`;
}

/* ---- #arrears -------------------------------------------------------------- */

export function makeArrears(api) {
	let sort = "missing_months", order = "desc", report = null;

	function query(format) {
		const q = new URLSearchParams({ from: $("#ar-from").value, to: $("#ar-to").value, sort, order });
		if (format) q.set("format", format);
		return `/api/v1/arrears?${q}`;
	}

	function header(col) {
		const b = h("button", { type: "button", class: "sort", text: t(col.title) });
		b.addEventListener("click", () => {
			order = sort === col.key ? (order === "asc" ? "desc" : "asc") : col.num ? "desc" : "asc";
			sort = col.key;
			load().then(() => announce(t("console.arrears_sorted", {
				col: t(col.title), dir: t(order === "asc" ? "console.sort_asc" : "console.sort_desc"),
			})));
		});
		const th = h("th", { scope: "col", class: col.num ? "num" : null }, b);
		if (sort === col.key) th.setAttribute("aria-sort", order === "asc" ? "ascending" : "descending");
		return th;
	}

	function render() {
		const mount = $("#ar-table");
		if (!report) return;
		$("#ar-period").textContent = t("console.arrears_period", { from: report.from, to: report.to });
		if (!report.items.length) {
			mount.replaceChildren(h("p", { class: "muted", text: t("console.arrears_none") }));
			return;
		}
		mount.replaceChildren(h("div", { class: "table-wrap" }, h("table", { class: "data", id: "ar-list" },
			h("caption", { class: "sr-only", text: t("console.arrears") }),
			h("thead", {}, h("tr", {}, COLUMNS.map(header))),
			h("tbody", {}, report.items.map((it) => h("tr", {}, COLUMNS.map((c) =>
				h("td", { class: c.num ? "num" : null, "data-label": t(c.title), text: String(it[c.key]) }))))))));
	}

	async function load() {
		const box = $("#ar-msg");
		clearMessage(box);
		try {
			report = await api.get(query());
			render();
		} catch (err) {
			showMessage(box, err);
		}
	}

	function show() {
		if (!$("#ar-to").value) {
			/* the last twelve closed months */
			const { y, m } = thisMonth(), last = y * 12 + (m - 1) - 1;
			$("#ar-to").value = month(last);
			$("#ar-from").value = month(last - 11);
		}
		return load();
	}

	$("#ar-form").addEventListener("submit", (e) => {
		e.preventDefault();
		busy(e.submitter || $("#ar-form button[type=submit]"), load);
	});
	$("#ar-csv").addEventListener("click", (e) => busy(e.currentTarget, async () => {
		try {
			const file = await saveDownload(api, query("csv"), "arrears.csv");
			announce(t("stmt.started", { file }));
		} catch (err) {
			showMessage($("#ar-msg"), err);
		}
	}));
	onLangChange(render);
	return { show };
}

/* ---- the found person's proofs and statements -------------------------------- */

export function makePersonRecords(api) {
	let ssn = null;
	const box = () => $("#pr-msg");

	const proofs = pagedTable({
		mount: $("#pr-proofs"), caption: "proof.list", emptyKey: "proof.none",
		fetchPage: (cursor) => api.get(`/api/v1/persons/${enc(ssn)}/proofs${pageQuery(cursor)}`),
		columns: [
			{ key: "col.code", cell: (p) => h("span", { class: "mono", text: p.code }) },
			{ key: "col.issued_at", cell: (p) => fmtDateTime(p.issued_at) },
			{ key: "col.proof_state", cell: (p) => badge(p.revoked_at ? "muted" : "ok", t(p.revoked_at ? "proof.revoked" : "proof.valid")) },
			{ key: "col.action", cell: (p) => p.revoked_at ? "—" : h("button", {
				type: "button", class: "btn btn-danger-outline btn-small", text: t("crec.revoke"),
				"aria-label": t("crec.revoke_named", { code: p.code }),
				onclick: (e) => revoke(p, e.currentTarget),
			}) },
		],
	});

	async function revoke(p, button) {
		await busy(button, async () => {
			try {
				await api.post(`/api/v1/proofs/${enc(p.code)}/revocation`, { reason: t("crec.revoke_reason") });
				showMessage(box(), { key: "crec.revoked", vars: { code: p.code } }, "ok");
				announce(t("crec.revoked", { code: p.code }));
			} catch (err) {
				showMessage(box(), err);
			}
		});
		await proofs.reload().catch(() => {});
	}

	function statement(kind) {
		return (e) => busy(e.currentTarget, async () => {
			const { y, m } = thisMonth(), now = y * 12 + (m - 1);
			try {
				const file = await saveDownload(api, `/api/v1/persons/${enc(ssn)}/statements/${kind}?from=${month(now - 11)}&to=${month(now)}&format=pdf`, `${kind}.pdf`);
				showMessage(box(), { key: "stmt.started", vars: { file } }, "ok");
			} catch (err) {
				showMessage(box(), err);
			}
		});
	}

	$("#pr-proof").addEventListener("click", (e) => busy(e.currentTarget, async () => {
		try {
			const p = await api.post(`/api/v1/persons/${enc(ssn)}/proofs`);
			await saveDownload(api, `/api/v1/proofs/${enc(p.code)}/pdf`, `proof-${p.code}.pdf`);
			showMessage(box(), { key: "proof.issued", vars: { code: p.code } }, "ok");
			announce(t("proof.issued", { code: p.code }));
			await proofs.reload();
		} catch (err) {
			showMessage(box(), err);
		}
	}));
	$("#pr-contrib").addEventListener("click", statement("contributions"));
	$("#pr-ledger").addEventListener("click", statement("ledger"));

	/* A person was found (or not: null); the agency window only. */
	function show(person, allowed) {
		ssn = person && person.ssn;
		$("#person-records").hidden = !(ssn && allowed);
		clearMessage(box());
		if (ssn && allowed) proofs.reload().catch(() => {});
	}
	return { show };
}
