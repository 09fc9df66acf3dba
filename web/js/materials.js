/*
 * materials.js — the console's scans of F5 materials (SPEC E4): a panel
 * that lists what is attached to a binding, a card application or a
 * premium paid at the window, shows images as previews and PDFs as a link
 * to open, and uploads more (kind + file).  The bytes are fetched with the
 * operator's key: an image becomes a data: URL (the pages' policy allows
 * images from 'self' and data: only), a PDF a blob: URL opened in a new
 * tab.  The server decides what a file is by its bytes; the page only
 * says what it accepts.
 */
import "./i18n_family.js";
import { h, announce, showMessage, clearMessage, busy, fmtDateTime, t, enumText, onLangChange, dataUrl } from "./ui.js";

const KINDS = ["id_card", "social_security_card", "card_copy", "other"];
const TITLE = { binding: "mat.of_binding", card_application: "mat.of_application", premium: "mat.of_premium" };
const BASE = { binding: "/api/v1/bindings", card_application: "/api/v1/card-applications", premium: "/api/v1/premiums" };

function sizeText(n) {
	return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : n >= 1024 ? `${Math.ceil(n / 1024)} KB` : `${n} B`;
}

/* One scan: a preview or a link, and what it is. */
async function item(api, m, urls) {
	const kind = enumText("material_kind", m.kind);
	const meta = h("p", { class: "muted small", text: t("mat.meta", {
		type: m.content_type, size: sizeText(m.size_bytes), at: fmtDateTime(m.uploaded_at), sha: m.sha256.slice(0, 12),
	}) });
	const li = h("li", { class: "material", "data-material": String(m.material_id), "data-sha256": m.sha256 },
		h("p", { class: "material-kind", text: kind }));
	try {
		const blob = await api.blob(m.href);
		if (m.content_type === "application/pdf") {
			const url = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
			urls.push(url);
			li.append(h("a", { href: url, target: "_blank", rel: "noopener", class: "btn btn-secondary btn-small",
				text: t("mat.open_pdf", { kind }) }));
		} else {
			li.append(h("img", { src: await dataUrl(blob), alt: t("mat.preview", { kind }), class: "material-preview" }));
		}
	} catch (err) {
		const box = h("p", { class: "msg" });
		li.append(box);
		showMessage(box, err);
	}
	li.append(meta);
	return li;
}

/*
 * materialsPanel(api, mount, target, id) — the panel of target
 * ("binding", "card_application", "premium") number id; returns
 * {reload()}.
 */
export function materialsPanel(api, mount, target, id) {
	const prefix = `mat-${target}-${id}`;
	const list = h("ul", { class: "material-list" });
	const none = h("p", { class: "muted", hidden: true });
	const kind = h("select", { id: `${prefix}-kind` });
	const file = h("input", { id: `${prefix}-file`, type: "file", accept: "image/jpeg,image/png,application/pdf" });
	const upload = h("button", { type: "submit", class: "btn btn-primary btn-small" });
	const msg = h("p", { class: "msg", hidden: true });
	const title = h("h3", { id: `${prefix}-h` }), hint = h("p", { class: "muted small" });
	const kindLabel = h("label", { for: kind.id }), fileLabel = h("label", { for: file.id });
	const form = h("form", { class: "material-upload", novalidate: true },
		h("div", { class: "row-fields" },
			h("div", { class: "field" }, kindLabel, kind),
			h("div", { class: "field" }, fileLabel, file)),
		h("div", { class: "actions" }, upload), msg);
	const panel = h("section", { class: "materials-panel", "aria-labelledby": title.id }, title, hint, list, none, form);
	mount.replaceChildren(panel);
	let urls = [];

	function labels() {
		title.textContent = t(TITLE[target], { id });
		hint.textContent = t("mat.hint");
		kindLabel.textContent = t("mat.kind");
		fileLabel.textContent = t("mat.file");
		upload.textContent = t("mat.upload");
		none.textContent = t("mat.none");
		const keep = kind.value;
		kind.replaceChildren(...KINDS.map((k) => h("option", { value: k, selected: k === keep || null,
			text: enumText("material_kind", k) })));
	}

	async function reload() {
		try {
			const { items } = await api.get(`${BASE[target]}/${encodeURIComponent(id)}/materials`);
			for (const u of urls) URL.revokeObjectURL(u);
			urls = [];
			list.replaceChildren(...await Promise.all(items.map((m) => item(api, m, urls))));
			none.hidden = items.length > 0;
		} catch (err) {
			showMessage(msg, err);
		}
	}

	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		const f = file.files[0];
		if (!f) { showMessage(msg, "mat.pick_file"); file.focus(); return; }
		await busy(upload, async () => {
			try {
				const m = await api.upload(`${BASE[target]}/${encodeURIComponent(id)}/materials?kind=${kind.value}`, f);
				const what = { key: "mat.uploaded", vars: {
					kind: enumText("material_kind", m.kind), size: sizeText(m.size_bytes), sha: m.sha256.slice(0, 12),
				} };
				showMessage(msg, what, "ok");
				announce(t(what.key, what.vars));
				file.value = "";
				await reload();
			} catch (err) {
				showMessage(msg, err);
			}
		});
	});
	onLangChange(labels);
	labels();
	clearMessage(msg);
	reload();
	return { reload };
}
