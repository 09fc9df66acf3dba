/*
 * records.js — records and proofs in the portal (SPEC R1–R4): the gaps
 * (断缴) and the employer check beside the payment records (#contributions),
 * and the downloads and proofs (#records): statements of a chosen period
 * as PDF or CSV, proofs of insurance with their verification codes.
 *
 * A download is fetched with the session token, then handed to the
 * browser as a file (a blob: link with the server's file name).
 */
import "./i18n_records.js";
import { enc } from "./api.js";
import { $, h, announce, showMessage, clearMessage, busy, fmtDateTime, badge, pagedTable, pageQuery, t, onLangChange } from "./ui.js";

/* "2026-12": this month in the agency's time zone (Asia/Shanghai). */
function thisMonth() {
	const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" }).formatToParts(new Date());
	return `${parts.find((p) => p.type === "year").value}-${parts.find((p) => p.type === "month").value}`;
}

function monthsBefore(month, n) {
	const [y, m] = month.split("-").map(Number);
	const k = y * 12 + (m - 1) - n;
	return `${Math.floor(k / 12)}-${String(k % 12 + 1).padStart(2, "0")}`;
}

/* Save a fetched file under the name the server gave it. */
export async function saveDownload(api, path, fallback) {
	const blob = await api.blob(path);
	const name = blob.filename || fallback;
	const url = URL.createObjectURL(blob);
	const a = h("a", { href: url, download: name, hidden: true });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
	return name;
}

export function makeRecords(api) {
	let gaps = null, arrears = null;

	/* ---- R3 gaps, beside the payment records ---- */
	function renderGaps() {
		const box = $("#gaps-box");
		if (!gaps) return;
		$("#gaps-explain").textContent = gaps.explanation;
		if (!gaps.first_month) {
			box.replaceChildren(h("p", { class: "muted", text: t("gaps.never") }));
			return;
		}
		const vars = { first: gaps.first_month, last: gaps.last_closed_month, n: gaps.gap_months };
		const parts = [];
		if (gaps.gap_months === 0) {
			parts.push(h("p", {}, badge("ok", t("gaps.none", vars))));
		} else {
			parts.push(h("p", {}, badge("warn", t("gaps.count", vars))));
			parts.push(h("ul", { class: "gap-list", id: "gap-list" }, gaps.gaps.map((g) => h("li", {
				text: g.months === 1 ? t("gaps.one", g) : t("gaps.run", { from: g.from, to: g.to, n: g.months }),
			}))));
		}
		parts.push(h("p", { class: "muted small", text: t("gaps.continuity", { n: gaps.continuity_months }) }));
		box.replaceChildren(...parts);
	}

	/* ---- R4 my employer's missing months, for me only ---- */
	function renderArrears() {
		const box = $("#arrears-box");
		if (!arrears) return;
		const it = arrears.items[0];
		if (!arrears.employer_code || !it) {
			box.replaceChildren(h("p", { class: "muted", text: t("arrears.no_employer") }));
			return;
		}
		const employer = arrears.employer_name || arrears.employer_code;
		const vars = { employer, from: arrears.from, to: arrears.to, n: it.missing_months };
		if (!it.counted_from) {
			box.replaceChildren(h("p", { class: "muted", text: t("arrears.mine_outside", vars) }));
			return;
		}
		box.replaceChildren(
			it.missing_months === 0
				? h("p", {}, badge("ok", t("arrears.mine_none", vars)))
				: h("p", {}, badge("warn", t("arrears.mine_some", vars))),
			it.missing.length ? h("ul", { class: "gap-list", id: "arrears-list" }, it.missing.map((g) => h("li", {
				text: g.months === 1 ? t("gaps.one", g) : t("gaps.run", { from: g.from, to: g.to, n: g.months }),
			}))) : null,
			h("p", { class: "muted small", text: t("arrears.mine_hint") }));
	}

	async function loadContributions() {
		try {
			[gaps, arrears] = await Promise.all([api.get("/api/v1/me/gaps"), api.get("/api/v1/me/arrears")]);
			renderGaps();
			renderArrears();
		} catch (err) {
			const box = h("p", { class: "msg" });
			$("#gaps-box").replaceChildren(box);
			showMessage(box, err);
		}
	}

	/* ---- R2 proofs ---- */
	const proofs = pagedTable({
		mount: $("#proof-list"), caption: "proof.list", emptyKey: "proof.none",
		fetchPage: (cursor) => api.get("/api/v1/me/proofs" + pageQuery(cursor)),
		columns: [
			{ key: "col.code", cell: (p) => h("span", { class: "mono", text: p.code }) },
			{ key: "col.issued_at", cell: (p) => fmtDateTime(p.issued_at) },
			{ key: "col.proof_state", cell: (p) => badge(p.revoked_at ? "muted" : "ok", t(p.revoked_at ? "proof.revoked" : "proof.valid")) },
			{ key: "col.action", cell: (p) => h("span", { class: "row-actions" },
				h("button", {
					type: "button", class: "btn btn-secondary btn-small", text: t("proof.download"),
					"aria-label": t("proof.download_named", { code: p.code }),
					onclick: (e) => busy(e.currentTarget, () => downloadProof(p.code).catch((err) => showMessage($("#proof-msg"), err))),
				}),
				h("a", { href: `/verify/${enc(p.code)}`, text: t("proof.verify"), target: "_blank", rel: "noopener" })) },
		],
	});

	function downloadProof(code) {
		return saveDownload(api, `/api/v1/proofs/${enc(code)}/pdf`, `proof-${code}.pdf`);
	}

	async function issueProof() {
		const box = $("#proof-msg");
		await busy($("#proof-issue"), async () => {
			try {
				const p = await api.post("/api/v1/me/proofs");
				await downloadProof(p.code);
				showMessage(box, { key: "proof.issued", vars: { code: p.code } }, "ok");
				announce(t("proof.issued", { code: p.code }));
				await proofs.reload();
			} catch (err) {
				showMessage(box, err);
			}
		});
	}

	/* ---- R1 statements ---- */
	async function downloadStatement(e) {
		e.preventDefault();
		const box = $("#stmt-msg"), from = $("#stmt-from").value, to = $("#stmt-to").value;
		const format = (e.submitter && e.submitter.dataset.format) || "pdf";
		if (!from || !to) { showMessage(box, "stmt.need_months"); return; }
		const kind = $("#stmt-kind").value;
		await busy(e.submitter || $("#stmt-pdf"), async () => {
			try {
				const q = `?from=${enc(from)}&to=${enc(to)}&format=${format}`;
				const file = await saveDownload(api, `/api/v1/me/statements/${kind}${q}`, `${kind}.${format}`);
				showMessage(box, { key: "stmt.started", vars: { file } }, "ok");
				announce(t("stmt.started", { file }));
			} catch (err) {
				showMessage(box, err);
			}
		});
	}

	function showRecords() {
		clearMessage($("#proof-msg"));
		if (!$("#stmt-to").value) {
			const now = thisMonth();
			$("#stmt-to").value = now;
			$("#stmt-from").value = monthsBefore(now, 11);
		}
		proofs.reload().catch(() => {});
	}

	$("#proof-issue").addEventListener("click", issueProof);
	$("#stmt-form").addEventListener("submit", downloadStatement);
	onLangChange(() => { renderGaps(); renderArrears(); });
	return { loadContributions, showRecords };
}
