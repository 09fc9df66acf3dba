/*
 * console_gateway.js — the console's views of the national-interface
 * gateway (docs/NHSA.md): an institution's gateway credentials — list
 * (never the token), issue (the token shown once, here), revoke after a
 * confirmation — for the administrator; and a kept message looked up by
 * msgid (the facts and the reply exactly as sent), for the administrator
 * and the agency window.  The same as `yibao nhsa credential|credentials|
 * revoke|message` on the command line.
 */
import "./i18n_gateway.js";
import { enc } from "./api.js";
import {
	$, h, announce, showMessage, clearMessage, busy, confirmDialog, fmtDateTime, badge, pagedTable, t,
} from "./ui.js";

export function makeGateway(api) {
	const box = $("#gw-msg");
	let inst = "", table;

	const state = (c) => c.revoked_at
		? badge("bad", t("gw.state_revoked", { time: fmtDateTime(c.revoked_at) }))
		: badge("ok", t("gw.state_active"));

	async function revoke(c, button) {
		const yes = await confirmDialog({
			title: "gw.confirm_title", body: () => t("gw.confirm_body", { paasid: c.paasid }), confirm: "gw.revoke",
		});
		if (!yes) return;
		await busy(button, async () => {
			try {
				await api.post(`/api/v1/nhsa/credentials/${enc(c.paasid)}/revocation`);
				const what = { key: "gw.revoked", vars: { paasid: c.paasid } };
				showMessage(box, what, "ok");
				announce(t(what.key, what.vars));
			} catch (err) {
				showMessage(box, err);
			}
		});
		await table.reload().catch(() => {});
	}

	table = pagedTable({
		mount: $("#gw-table"), caption: "gw.title", emptyKey: "gw.empty",
		fetchPage: async () => inst
			? { ...(await api.get(`/api/v1/nhsa/credentials?institution=${enc(inst)}`)), next_cursor: null }
			: { items: [], next_cursor: null },
		columns: [
			{ key: "col.paasid", cell: (c) => h("span", { class: "mono", text: c.paasid }) },
			{ key: "col.issued_at", cell: (c) => fmtDateTime(c.created_at) },
			{ key: "col.state", cell: state },
			{ key: "col.action", cell: (c) => {
				if (c.revoked_at) return "—";
				const b = h("button", { type: "button", class: "btn btn-danger btn-small", text: t("gw.revoke") });
				b.setAttribute("aria-label", t("gw.revoke_named", { paasid: c.paasid }));
				b.addEventListener("click", () => revoke(c, b));
				return b;
			} },
		],
	});

	/* The institution code typed, or null (and a message). */
	function institution() {
		const input = $("#gw-inst");
		input.value = input.value.trim();
		if (input.value) return input.value;
		showMessage(box, "check.institution_code");
		input.focus();
		return null;
	}

	async function list(e) {
		e.preventDefault();
		const code = institution();
		if (!code) return;
		await busy(e.submitter || $("#gw-find button[type=submit]"), async () => {
			clearMessage(box);
			inst = code;
			$("#gw-issued").hidden = true;
			try {
				const page = await table.reload();
				announce(t("gw.listed", { inst, n: page.items.length }));
			} catch { /* the table shows the error */ }
		});
	}

	async function issue(e) {
		const code = institution();
		if (!code) return;
		await busy(e.currentTarget, async () => {
			try {
				const c = await api.post("/api/v1/nhsa/credentials", { institution_code: code });
				inst = code;
				const dl = $("#gw-issued-facts");
				dl.replaceChildren(
					h("dt", { text: t("gw.institution") }), h("dd", { class: "mono", text: c.institution_code }),
					h("dt", { text: "paasid" }), h("dd", { class: "mono", text: c.paasid }),
					h("dt", { text: t("gw.token") }), h("dd", { class: "mono", id: "gw-token", text: c.token }));
				$("#gw-issued").hidden = false;
				const what = { key: "gw.issued", vars: { inst: code, paasid: c.paasid } };
				showMessage(box, what, "ok");
				announce(t(what.key, what.vars));
				await table.reload().catch(() => {});
			} catch (err) {
				showMessage(box, err);
			}
		});
	}

	/* ---- a kept message ------------------------------------------------- */

	function renderMessage(m) {
		const result = m.infcode === 0 ? badge("ok", t("gwm.ok"))
			: badge("bad", t("gwm.failed", { code: m.err_code || "" }));
		const rows = [
			["gw.institution", m.institution], ["gwm.msgid", m.msgid], ["gwm.infno", m.infno],
			["gwm.opter", m.opter], ["gwm.received", fmtDateTime(new Date(m.received_ms).toISOString())],
			["gwm.responded", m.responded_ms ? fmtDateTime(new Date(m.responded_ms).toISOString()) : "—"],
			["gwm.result", result], ["inf_refmsgid", m.inf_refmsgid],
			["gwm.body_sha256", m.body_sha256],
		];
		if (m.reversed_by) rows.push(["gwm.result", badge("warn", t("gwm.reversed_by", { msgid: m.reversed_by }))]);
		$("#gwm-facts").replaceChildren(...rows.filter(([, v]) => v !== undefined && v !== "")
			.flatMap(([k, v]) => [h("dt", { text: k.includes(".") ? t(k) : k }),
				h("dd", { class: typeof v === "string" ? "mono" : null }, v)]));
		$("#gwm-reply").textContent = m.response;
		$("#gwm-result").hidden = false;
	}

	async function findMessage(e) {
		e.preventDefault();
		const mbox = $("#gwm-msg"), id = $("#gwm-id"), code = $("#gwm-inst");
		id.value = id.value.trim();
		code.value = code.value.trim();
		if (!id.value) { showMessage(mbox, "check.msgid"); id.focus(); return; }
		await busy(e.submitter || $("#gwm-form button"), async () => {
			clearMessage(mbox);
			$("#gwm-result").hidden = true;
			try {
				const m = await api.get(`/api/v1/nhsa/messages/${enc(id.value)}?institution=${enc(code.value)}`);
				renderMessage(m);
				announce(t("gwm.found", { msgid: m.msgid || id.value }));
			} catch (err) {
				showMessage(mbox, err);
			}
		});
	}

	$("#gw-find").addEventListener("submit", list);
	$("#gw-issue").addEventListener("click", issue);
	$("#gwm-form").addEventListener("submit", findMessage);
	return { reload: () => table.reload() };
}
