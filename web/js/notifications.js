/*
 * notifications.js — the portal's #notifications view (E3): every use of
 * my account by a relative, newest first, with a "more" button; the
 * unread count as a badge in the navigation; mark one or all read.
 */
import "./i18n_notify.js";
import { $, h, announce, showMessage, clearMessage, busy, fmtDateTime, badge, pageQuery, formatFen, t, enumText } from "./ui.js";

/* The sentence of one notification, in the current language. */
export function noteText(n) {
	const place = n.institution ? (n.institution.name || n.institution.code) : "";
	const reason = t(`notes.reason.${n.detail}`) === `notes.reason.${n.detail}` ? n.detail : t(`notes.reason.${n.detail}`);
	return t(`notes.kind.${n.kind}`, {
		name: n.relative.name, rel: enumText("relationship", n.relative.relationship),
		place, amount: formatFen(n.amount_fen), year: n.detail,
		channel: enumText("channel", n.detail), reason,
	});
}

export function makeNotifications(api) {
	const items = [];
	let cursor = null, unread = 0;
	const list = $("#note-list"), more = $("#note-more"), box = $("#note-msg");

	function renderBadge() {
		const b = $("#unread-badge");
		b.hidden = unread === 0;
		b.textContent = String(unread);
		b.setAttribute("aria-label", t("notes.unread_badge", { n: unread }));
		$("#note-count").textContent = unread ? t("notes.unread", { n: unread }) : t("notes.all_read");
		$("#note-mark-all").disabled = unread === 0;
	}

	function item(n) {
		const text = noteText(n);
		const li = h("li", { class: `note${n.read_at ? "" : " unread"}`, "data-kind": n.kind, "data-id": String(n.id) },
			h("div", { class: "note-main" },
				h("p", { class: "note-text", text }),
				h("p", { class: "muted small" }, fmtDateTime(n.created_at), n.read_at ? null : " · ",
					n.read_at ? null : badge("info", t("notes.new")))));
		if (!n.read_at) {
			const b = h("button", { type: "button", class: "btn btn-secondary btn-small", text: t("notes.mark_one") });
			b.setAttribute("aria-label", t("notes.mark_one_named", { text }));
			b.addEventListener("click", () => markOne(n, b));
			li.append(b);
		}
		return li;
	}

	function render() {
		list.replaceChildren(...items.map(item));
		$("#note-empty").hidden = items.length > 0;
		more.hidden = !cursor;
		renderBadge();
	}

	async function load(reset) {
		if (reset) { items.length = 0; cursor = null; }
		clearMessage(box);
		try {
			const page = await api.get(`/api/v1/me/notifications${pageQuery(cursor)}`);
			items.push(...page.items);
			cursor = page.next_cursor;
			unread = page.unread_count;
			render();
		} catch (err) {
			showMessage(box, err);
		}
	}

	/* Only the count (first page, one item): for the badge on any view. */
	async function refreshCount() {
		try {
			unread = (await api.get("/api/v1/me/notifications?limit=1")).unread_count;
			renderBadge();
		} catch { /* keep the old count */ }
	}

	async function markOne(n, button) {
		await busy(button, async () => {
			try {
				await api.post(`/api/v1/me/notifications/${encodeURIComponent(n.id)}/read`, {});
				announce(t("notes.marked"));
				await load(true);
				$("#notes-h").focus();
			} catch (err) {
				showMessage(box, err);
			}
		});
	}

	async function markAll() {
		let marked = null;
		await busy($("#note-mark-all"), async () => {
			try {
				marked = (await api.post("/api/v1/me/notifications/read", {})).marked;
			} catch (err) {
				showMessage(box, err);
			}
		});
		if (marked === null) return;
		/* After busy() gave the button back: the reload disables it when
		 * nothing is left unread. */
		await load(true);
		showMessage(box, { key: "notes.marked_all", vars: { n: marked } }, "ok");
		announce(t("notes.marked_all", { n: marked }));
	}

	$("#note-mark-all").addEventListener("click", markAll);
	more.addEventListener("click", () => load(false));
	return { reload: () => load(true), refreshCount, render };
}
