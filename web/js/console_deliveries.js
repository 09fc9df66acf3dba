/*
 * console_deliveries.js — the console's #deliveries view (E3): webhook
 * deliveries that ran out of attempts (dead), for the agency window to
 * retry once the receiver is repaired.  Adding and removing webhooks is
 * the administrator's, on the command line or the API.
 */
import "./i18n_notify.js";
import { $, h, announce, showMessage, busy, fmtDateTime, pagedTable, pageQuery, t } from "./ui.js";

export function makeDeliveries(api) {
	const box = $("#dl-msg");
	let table;

	async function retry(d, button) {
		await busy(button, async () => {
			try {
				await api.post(`/api/v1/webhook-deliveries/${encodeURIComponent(d.delivery_id)}/retry`, {});
				const what = { key: "console.retried", vars: { id: d.delivery_id } };
				showMessage(box, what, "ok");
				announce(t(what.key, what.vars));
			} catch (err) {
				showMessage(box, err);
			}
		});
		await table.reload().catch(() => {});
	}

	table = pagedTable({
		mount: $("#dl-table"), caption: "console.deliveries_dead", emptyKey: "console.deliveries_empty",
		fetchPage: (cursor) => api.get(`/api/v1/webhook-deliveries${pageQuery(cursor)}&state=dead`),
		columns: [
			{ key: "col.delivery", cell: (d) => h("span", { class: "mono", text: String(d.delivery_id) }) },
			{ key: "col.url", cell: (d) => h("span", { class: "mono small", text: d.url }) },
			{ key: "col.attempts", num: true, cell: (d) => String(d.attempts) },
			{ key: "col.last_error", cell: (d) => d.last_error || (d.last_status ? `HTTP ${d.last_status}` : "—") },
			{ key: "col.time", cell: (d) => fmtDateTime(d.created_at) },
			{ key: "console.retry", cell: (d) => {
				const b = h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("console.retry") });
				b.setAttribute("aria-label", `${t("console.retry")} ${d.delivery_id}`);
				b.addEventListener("click", () => retry(d, b));
				return b;
			} },
		],
	});
	return table;
}
