/*
 * console_family.js — the console's part of the rest of the family
 * policy, done at a desk on the authorizer's behalf with the channel's
 * materials checked (SPEC F5):
 *  - #premium (agency window): pay a relative's resident premium from the
 *    authorizer's account (E1) — bound relatives need no more; without a
 *    binding the relative's ID number and the relationship, proven by the
 *    materials; the amount is the year's setting, confirmed first; the
 *    scans of the materials can then be attached (E4, materials.js);
 *  - #cap (agency window, hospital office): set or remove a binding's
 *    monthly limit (E2), audited with the operator.
 */
import "./i18n_family.js";
import { enc, requestId } from "./api.js";
import {
	$, h, announce, showMessage, clearMessage, busy, confirmDialog, materialsChecklist, RELATIONSHIPS,
	formatFen, t, enumText, onLangChange,
} from "./ui.js";
import { isValidIdNumber, isValidSsn } from "./idnum.js";
import { parseYuan } from "./money.js";
import { materialsPanel } from "./materials.js";

/* The trimmed value of an input if check() accepts it; else a message,
 * focus on the input and null. */
function valid(input, check, box, key) {
	input.value = input.value.trim().toUpperCase();
	if (check(input.value)) return input.value;
	showMessage(box, key);
	input.focus();
	return null;
}

/* ---- E1: a relative's premium at the window -------------------------- */

export function makePremiumDesk(api) {
	const box = $("#pm-msg"), submit = $("#pm-submit");
	const yearSel = $("#pm-year"), relSel = $("#pm-rel");
	let years = [], pending = null, role = null, mats = null;

	function render() {
		const keepY = yearSel.value, keepR = relSel.value;
		yearSel.replaceChildren(h("option", { value: "", text: t("premium.choose") }), ...years.map((y) =>
			h("option", { value: String(y.year), selected: String(y.year) === keepY || null,
				text: t("premium.year_option", { year: y.year, amount: formatFen(y.amount_fen) }) })));
		relSel.replaceChildren(h("option", { value: "", text: t("cpremium.no_relationship") }),
			...RELATIONSHIPS.map((r) => h("option", { value: r, selected: r === keepR || null, text: enumText("relationship", r) })));
	}

	async function reload() {
		try {
			years = (await api.get("/api/v1/premium-years")).items.filter((y) => y.open);
		} catch (err) {
			years = [];
			if (role === "agency_window") showMessage(box, err);
		}
		render();
	}

	function collect() {
		const ssn = valid($("#pm-ssn"), isValidSsn, box, "check.ssn");
		const idn = ssn && valid($("#pm-idn"), isValidIdNumber, box, "check.id_number");
		const rel = idn && valid($("#pm-rel-ssn"), isValidSsn, box, "check.ssn");
		if (!rel) return null;
		const relIdn = $("#pm-rel-idn");
		relIdn.value = relIdn.value.trim().toUpperCase();
		if (relIdn.value && !isValidIdNumber(relIdn.value)) { showMessage(box, "check.id_number"); relIdn.focus(); return null; }
		const y = years.find((x) => String(x.year) === yearSel.value);
		if (!y) { showMessage(box, "premium.pick_year"); yearSel.focus(); return null; }
		const body = {
			authorizer: { ssn, id_number: idn }, channel: role, materials: mats.materials(),
			relative_ssn: rel, year: y.year,
		};
		if (relIdn.value) body.relative_id_number = relIdn.value;
		if (relSel.value) body.relationship = relSel.value;
		return { body, y };
	}

	async function pay(e) {
		e.preventDefault();
		if (!mats.allTicked()) { showMessage(box, "cbind.gate"); return; }
		const c = collect();
		if (!c) return;
		const vars = { payer: c.body.authorizer.ssn, relative: c.body.relative_ssn, year: c.y.year, amount: formatFen(c.y.amount_fen) };
		const yes = await confirmDialog({
			title: "premium.confirm_title", body: () => t("cpremium.confirm_body", vars), confirm: "cpremium.submit", danger: false,
		});
		if (!yes) return;
		const key = JSON.stringify(c.body);
		if (!pending || pending.key !== key) pending = { key, id: requestId("desk") };
		let paid = false;
		await busy(submit, async () => {
			try {
				const p = await api.post("/api/v1/premiums", { ...c.body, client_request_id: pending.id });
				pending = null;
				const what = { key: "cpremium.done", vars: {
					id: p.premium_id, relative: `${p.relative_name}（${p.relative_ssn}）`, year: p.year,
					amount: formatFen(p.amount_fen), payer: `${p.payer.name}（${p.payer.ssn}）`,
				} };
				showMessage(box, what, "ok");
				announce(t(what.key, what.vars));
				materialsPanel(api, $("#pm-materials-panel"), "premium", p.premium_id);
				paid = true;
			} catch (err) {
				if (err.status && err.status < 500) pending = null;
				showMessage(box, err);
			}
		});
		/* the next payment is checked again; after busy(), which would
		 * otherwise give the button back its state from before */
		if (paid) mats.reset();
	}

	$("#premium-form").addEventListener("submit", pay);
	onLangChange(render);
	return {
		reload,
		/* The workstation's role: its materials (F5); only the window pays. */
		enter(r) {
			role = r;
			mats = materialsChecklist($("#pm-materials"), role, (all) => {
				submit.disabled = !all || role !== "agency_window";
				$("#pm-gate").hidden = all;
			}, "pmm");
			$("#pm-window-only").hidden = role === "agency_window";
		},
	};
}

/* ---- E2: a binding's monthly limit at a desk ---------------------------- */

export function makeCapDesk(api) {
	const box = $("#cap-msg"), setBtn = $("#cap-set"), rmBtn = $("#cap-remove");
	let role = null, mats = null;

	function who() {
		const idInput = $("#cap-id"), id = idInput.value.trim();
		if (!/^[1-9][0-9]*$/.test(id)) { showMessage(box, "check.binding_id"); idInput.focus(); return null; }
		const ssn = valid($("#cap-ssn"), isValidSsn, box, "check.ssn");
		const idn = ssn && valid($("#cap-idn"), isValidIdNumber, box, "check.id_number");
		if (!idn) return null;
		return { id, body: { authorizer: { ssn, id_number: idn }, channel: role, materials: mats.materials() } };
	}

	async function send(remove, button) {
		if (!mats.allTicked()) { showMessage(box, "cbind.gate"); return; }
		const w = who();
		if (!w) return;
		let fen = null;
		if (!remove) {
			const input = $("#cap-amount");
			fen = parseYuan(input.value);
			if (fen === null) { showMessage(box, "ccap.invalid"); input.focus(); return; }
		}
		let done = false;
		await busy(button, async () => {
			try {
				const path = `/api/v1/bindings/${enc(w.id)}/cap`;
				const b = remove ? await api.del(path, w.body)
					: await api.put(path, { ...w.body, monthly_cap_fen: fen });
				const what = remove ? { key: "ccap.removed", vars: { id: b.binding_id } }
					: { key: "ccap.set_done", vars: { id: b.binding_id, cap: formatFen(b.monthly_cap_fen),
						used: formatFen(b.cap_used_this_month_fen) } };
				showMessage(box, what, "ok");
				announce(t(what.key, what.vars));
				done = true;
			} catch (err) {
				showMessage(box, err);
			}
		});
		if (done) mats.reset();          /* after busy(), as for a premium */
	}

	$("#cap-form").addEventListener("submit", (e) => { e.preventDefault(); send(false, setBtn); });
	rmBtn.addEventListener("click", () => send(true, rmBtn));
	return {
		enter(r) {
			role = r;
			mats = materialsChecklist($("#cap-materials"), role, (all) => {
				setBtn.disabled = rmBtn.disabled = !all;
				$("#cap-gate").hidden = all;
			}, "capm");
		},
		/* From the person view: a binding of the person found there. */
		prefill(b, person) {
			$("#cap-id").value = b.binding_id;
			$("#cap-ssn").value = b.authorizer_ssn;
			$("#cap-idn").value = person && person.ssn === b.authorizer_ssn && !person.id_number.includes("*")
				? person.id_number : "";
			$("#cap-amount").value = b.monthly_cap_fen === null || b.monthly_cap_fen === undefined
				? "" : formatFen(b.monthly_cap_fen).replace(/[¥,]/g, "");
			clearMessage(box);
			location.hash = "#cap";
		},
	};
}
