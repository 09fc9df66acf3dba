/*
 * famcap.js — the portal's part of SPEC E2: under each relative the
 * authorizer bound, his monthly limit (or none), what was used of it this
 * month, and a field to set, change or remove it.  Amounts are typed in
 * yuan and sent in fen (parseYuan: no floating point touches money).
 */
import { enc } from "./api.js";
import { h, announce, showMessage, busy, formatFen, t } from "./ui.js";
import { parseYuan } from "./money.js";

function capLine(b) {
	if (b.monthly_cap_fen === null || b.monthly_cap_fen === undefined) return t("family.cap_none");
	return t("family.cap_line", {
		cap: formatFen(b.monthly_cap_fen), used: formatFen(b.cap_used_this_month_fen),
		left: formatFen(b.cap_left_fen),
	});
}

/* The controls of binding b; msgBox gets the outcome, reload() redraws. */
export function capControls(api, b, name, msgBox, reload) {
	const id = `cap-${b.binding_id}`;
	const input = h("input", { id, type: "text", inputmode: "decimal", class: "cap-input", autocomplete: "off" });
	if (b.monthly_cap_fen !== null && b.monthly_cap_fen !== undefined)
		input.value = formatFen(b.monthly_cap_fen).replace(/[¥,]/g, "");
	const set = h("button", { type: "submit", class: "btn btn-small", text: t("family.cap_set") });
	const form = h("form", { class: "cap-form", novalidate: "" },
		h("p", { class: "small cap-line", text: capLine(b) }),
		h("label", { for: id, class: "small", text: t("family.cap_label", { name }) }),
		h("div", { class: "cap-row" }, input, set));
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		const fen = parseYuan(input.value);
		if (fen === null) {
			input.setAttribute("aria-invalid", "true");
			showMessage(msgBox, "family.cap_invalid");
			input.focus();
			return;
		}
		input.removeAttribute("aria-invalid");
		await busy(set, async () => {
			try {
				await api.put(`/api/v1/me/bindings/${enc(b.binding_id)}/cap`, { monthly_cap_fen: fen });
				const what = { key: "family.cap_saved", vars: { name, cap: formatFen(fen) } };
				showMessage(msgBox, what, "ok");
				announce(t(what.key, what.vars));
				await reload();
			} catch (err) {
				showMessage(msgBox, err);
			}
		});
	});
	if (b.monthly_cap_fen !== null && b.monthly_cap_fen !== undefined) {
		const rm = h("button", { type: "button", class: "btn btn-small btn-danger-outline", text: t("family.cap_remove") });
		rm.setAttribute("aria-label", t("family.cap_remove_named", { name }));
		rm.addEventListener("click", () => busy(rm, async () => {
			try {
				await api.del(`/api/v1/me/bindings/${enc(b.binding_id)}/cap`);
				showMessage(msgBox, { key: "family.cap_removed", vars: { name } }, "ok");
				announce(t("family.cap_removed", { name }));
				await reload();
			} catch (err) {
				showMessage(msgBox, err);
			}
		}));
		form.querySelector(".cap-row").append(rm);
	}
	return form;
}
