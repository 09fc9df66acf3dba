/*
 * premium.js — the portal's part of SPEC E1: the authorizer pays the
 * yearly resident-scheme premium of a relative he authorized, from his
 * personal account.  He picks the relative and an open year (the amount
 * is the year's setting, GET /api/v1/premium-years), confirms the amount,
 * and sees the result — or the refusal — in plain words; the premiums he
 * paid are listed under family usage.
 *
 * A payment carries a client request id, the same for every try of the
 * same choice until it succeeds: a reply lost to the network and a second
 * click pay once (the server answers the first payment again).
 */
import "./i18n_family.js";
import { requestId } from "./api.js";
import {
	$, h, announce, showMessage, clearMessage, busy, confirmDialog, fmtDateTime, pagedTable, pageQuery,
	formatFen, t, enumText, onLangChange,
} from "./ui.js";

export function makePremiums(api, { mount, listMount, onPaid }) {
	let years = [], relatives = [], pending = null;   /* pending: {key, id} */
	let known = { years: false, relatives: false };   /* loaded at least once */
	const relSelect = h("select", { id: "pm-relative" });
	const yearSelect = h("select", { id: "pm-year" });
	const amount = h("p", { class: "premium-amount", id: "pm-amount", "aria-live": "polite" });
	const submit = h("button", { type: "submit", class: "btn btn-primary", id: "pm-submit" });
	const msg = h("p", { class: "msg", id: "pm-msg", hidden: true });
	const lead = h("p", { class: "muted" });
	const relLabel = h("label", { for: "pm-relative" }), yearLabel = h("label", { for: "pm-year" });
	const form = h("form", { id: "premium-form", novalidate: true },
		h("div", { class: "row-fields" },
			h("div", { class: "field" }, relLabel, relSelect),
			h("div", { class: "field" }, yearLabel, yearSelect)),
		amount, h("div", { class: "actions" }, submit), msg);
	mount.replaceChildren(lead, form);

	const list = pagedTable({
		mount: listMount, caption: "premium.list", emptyKey: "premium.empty",
		fetchPage: (cursor) => api.get("/api/v1/me/premiums" + pageQuery(cursor)),
		columns: [
			{ key: "col.paid_at", cell: (p) => fmtDateTime(p.paid_at) },
			{ key: "col.relative", cell: (p) => `${p.relative_name}（${enumText("relationship", p.relationship)}）` },
			{ key: "col.year", cell: (p) => String(p.year) },
			{ key: "col.amount", num: true, cell: (p) => formatFen(p.amount_fen) },
			{ key: "col.channel", cell: (p) => enumText("channel", p.channel) },
		],
	});

	const chosen = () => ({
		b: relatives.find((x) => String(x.binding_id) === relSelect.value),
		y: years.find((x) => String(x.year) === yearSelect.value),
	});

	function option(value, text, selected) {
		return h("option", { value, selected: selected || null, text });
	}

	function render() {
		const keepRel = relSelect.value, keepYear = yearSelect.value;
		lead.textContent = t("premium.lead");
		relLabel.textContent = t("premium.relative");
		yearLabel.textContent = t("premium.year");
		submit.textContent = t("premium.submit");
		relSelect.replaceChildren(option("", t("premium.choose")), ...relatives.map((b) =>
			option(String(b.binding_id), `${b.relative_name}（${enumText("relationship", b.relationship)}）`,
				String(b.binding_id) === keepRel)));
		yearSelect.replaceChildren(option("", t("premium.choose")), ...years.map((y) =>
			option(String(y.year), t("premium.year_option", { year: y.year, amount: formatFen(y.amount_fen) }),
				String(y.year) === keepYear)));
		const { y } = chosen();
		amount.textContent = y ? `${t("premium.amount")}：${formatFen(y.amount_fen)}` : "";
		form.hidden = false;
		showWhyNot();
	}

	/* "No relative" or "no open year" once that is known, and gone when it
	 * no longer holds: the bindings and the years arrive in either order. */
	const WHY_NOT = ["premium.no_relatives", "premium.no_years"];
	function showWhyNot() {
		const why = known.relatives && !relatives.length ? WHY_NOT[0]
			: known.years && !years.length ? WHY_NOT[1] : null;
		if (why) showMessage(msg, why, "info");
		else if (WHY_NOT.includes(msg._what)) clearMessage(msg);
	}

	async function pay(e) {
		e.preventDefault();
		const { b, y } = chosen();
		if (!b) { showMessage(msg, "premium.pick_relative"); relSelect.focus(); return; }
		if (!y) { showMessage(msg, "premium.pick_year"); yearSelect.focus(); return; }
		const vars = {
			name: b.relative_name, rel: enumText("relationship", b.relationship),
			year: y.year, amount: formatFen(y.amount_fen),
		};
		const yes = await confirmDialog({
			title: "premium.confirm_title", body: () => t("premium.confirm_body", vars),
			confirm: "premium.confirm", danger: false,
		});
		if (!yes) { submit.focus(); return; }
		const key = `${b.relative_ssn}/${y.year}`;
		if (!pending || pending.key !== key) pending = { key, id: requestId("web") };
		await busy(submit, async () => {
			try {
				const p = await api.post("/api/v1/me/premiums", {
					relative_ssn: b.relative_ssn, year: y.year, client_request_id: pending.id,
				});
				pending = null;
				const what = { key: "premium.paid", vars: { ...vars, amount: formatFen(p.amount_fen) } };
				showMessage(msg, what, "ok");
				announce(t(what.key, what.vars));
				list.reload().catch(() => {});
				if (onPaid) onPaid(p);
			} catch (err) {
				/* refused: nothing was paid, a new try is a new request */
				if (err.status && err.status < 500) pending = null;
				showMessage(msg, err);
			}
		});
	}

	form.addEventListener("submit", pay);
	yearSelect.addEventListener("change", render);
	relSelect.addEventListener("change", () => clearMessage(msg));
	onLangChange(render);

	return {
		/* The active bindings in which I am the authorizer. */
		setRelatives(authorized) {
			relatives = authorized.filter((b) => !b.ended_at);
			known.relatives = true;
			render();
		},
		async reload() {
			try {
				years = (await api.get("/api/v1/premium-years")).items.filter((y) => y.open);
				known.years = true;
			} catch (err) {
				years = [];
				showMessage(msg, err);
			}
			render();
			list.reload().catch(() => {});
		},
	};
}
