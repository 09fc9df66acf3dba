/*
 * console_family.test.mjs — the rest of the family policy in the operator
 * console, at phone and desktop width (SPEC E1, E2, E4 at the operator
 * channels).  agency_window: binds a relative with the materials ticked
 * and attaches the scans (a PNG shown as a preview, a PDF as a link that
 * opens the very bytes); pays a grandmother's resident premium for her
 * son without a binding — the materials prove it — after confirming the
 * year's amount, and attaches a scan to the payment; sets a ¥150 monthly
 * limit for the authorizer from the person's list of bindings and removes
 * it; a scan that is not an image or PDF is refused in plain words.
 * hospital_office: may not take premiums (said on the page); attaches a
 * scan to the binding it makes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, seedPerson, idNumber, newPage, shot, consoleLogin, VIEWPORTS,
	assertNoHorizontalScroll, assertNoPageErrors, axeViolations, launch,
} from "./harness.mjs";

let agencyKey, officeKey, png, jpeg;
const families = {};
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const ctx = useServer(async () => {
	for (const [n, label] of [[5, "phone"], [6, "desktop"]]) {
		const f = await seedFamily(ctx.srv, n);
		f.gran = await seedPerson(ctx.srv, { ssn: `6${n}000006`, id_number: idNumber("19500210", 10 * n + 6),
			name: "张桂兰", scheme: "resident", card: false });
		families[label] = f;
	}
	agencyKey = ctx.srv.key("agency_window");
	officeKey = ctx.srv.key("hospital_office");
	/* real images for the scans: the browser draws them */
	const b = await launch();
	const p = await b.newPage({ viewport: { width: 240, height: 150 } });
	await p.setContent("<body style='margin:0;background:#e8f0fe;font:20px sans-serif'><p style='margin:40px'>身份证 正面</p></body>");
	png = await p.screenshot({ type: "png" });
	jpeg = await p.screenshot({ type: "jpeg" });
	await b.close();
});

const file = (name, mimeType, buffer) => ({ name, mimeType, buffer });

for (const [label, viewport] of VIEWPORTS) {
	test(`console family desk (agency window) at ${label} width: scans with a binding, a premium without one, a monthly limit`, async () => {
		const { father, child, gran } = families[label];
		const page = await newPage(ctx.browser, viewport);
		const view = (name) => page.locator(`[data-view="${name}"]`);
		await consoleLogin(page, ctx.srv, agencyKey);

		/* E4: bind the son at the window, then attach the scans of the materials */
		await page.getByRole("link", { name: "共济绑定" }).click();
		const form = page.locator("#cbind-form");
		const who = form.getByRole("group", { name: "授权人（账户所有人）" });
		await who.getByLabel("社保电脑号").fill(father.ssn);
		await who.getByLabel("身份证号").fill(father.id_number);
		const row = form.getByRole("group", { name: "亲属 1", exact: true });
		await row.getByLabel("社保电脑号").fill(child.ssn);
		await row.getByLabel("身份证号").fill(child.id_number);
		await row.getByLabel("关系").selectOption("child");
		for (const m of ["已核验双方身份证", "已核验双方社会保障卡原件", "已收取双方社会保障卡复印件"]) await form.getByLabel(m).check();
		await page.getByRole("button", { name: "提交绑定" }).click();
		await row.locator(".row-result", { hasText: "✓ 绑定成功" }).waitFor();
		const bindings = await ctx.srv.admin("GET", `/api/v1/persons/${father.ssn}/bindings`);
		const bid = bindings.authorized[0].binding_id;
		const panel = view("bind").locator(".materials-panel");
		await panel.getByRole("heading", { name: `绑定 ${bid} 的材料扫描件` }).waitFor();
		await panel.getByText("尚未上传扫描件。").waitFor();
		await panel.getByLabel("材料类别").selectOption({ label: "身份证" });
		await panel.getByLabel("选择文件").setInputFiles(file("id-card.png", "image/png", png));
		await panel.getByRole("button", { name: "上传" }).click();
		await panel.locator(".msg", { hasText: "已上传：身份证" }).waitFor();
		await panel.getByLabel("材料类别").selectOption({ label: "社保卡复印件" });
		await panel.getByLabel("选择文件").setInputFiles(file("copies.pdf", "application/pdf", PDF));
		await panel.getByRole("button", { name: "上传" }).click();
		await panel.locator(".msg", { hasText: "已上传：社保卡复印件" }).waitFor();
		const img = panel.getByRole("img", { name: "身份证 扫描件" });
		await img.waitFor();
		assert.match(await img.getAttribute("src"), /^data:image\/png;base64,/);
		assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), "the preview is drawn");
		const link = panel.getByRole("link", { name: "打开 PDF：社保卡复印件" });
		const href = await link.getAttribute("href");
		assert.match(href, /^blob:/);
		const [tab] = await Promise.all([page.waitForEvent("popup"), link.click()]);
		assert.equal(tab.url(), href, "the link opens the scan in a new tab");
		await tab.close();

		/* a file that is not a scan: refused in plain words, nothing added */
		await panel.getByLabel("选择文件").setInputFiles(file("notes.png", "image/png", Buffer.from("<html>not an image</html>")));
		await panel.getByRole("button", { name: "上传" }).click();
		await panel.locator(".msg", { hasText: "只能上传 JPEG、PNG 图片或 PDF 文件。" }).waitFor();
		assert.equal(await panel.locator("li.material").count(), 2);
		await assertNoHorizontalScroll(page, "bind with scans");
		await shot(page, `console-materials-${label}`);

		/* the same scans with the binding in the person's list */
		await page.getByRole("link", { name: "人员查询" }).click();
		await view("person").getByLabel("社保电脑号").fill(father.ssn);
		await page.getByRole("button", { name: "查询" }).click();
		await page.getByRole("button", { name: `查看绑定 ${bid} 的材料扫描件` }).click();
		await view("person").locator(".materials-panel li.material").nth(1).waitFor();
		assert.deepEqual(await view("person").locator("li.material .material-kind").allTextContents(), ["身份证", "社保卡复印件"]);
		assert.deepEqual(await axeViolations(page), [], "axe: serious or critical (person with scans)");

		/* E2: a monthly limit for the authorizer, from the list */
		await page.getByRole("button", { name: `设置绑定 ${bid} 的每月限额` }).click();
		await page.getByRole("heading", { level: 1, name: "代办：设置每月限额" }).waitFor();
		assert.equal(await page.locator("#cap-id").inputValue(), String(bid));
		assert.equal(await page.locator("#cap-idn").inputValue(), father.id_number);
		await page.getByLabel("每月限额（元）").fill("150");
		const capForm = page.locator("#cap-form");
		assert.ok(await capForm.getByRole("button", { name: "设置限额" }).isDisabled(), "materials first");
		for (const m of ["已核验双方身份证", "已核验双方社会保障卡原件", "已收取双方社会保障卡复印件"]) await capForm.getByLabel(m).check();
		await capForm.getByRole("button", { name: "设置限额" }).click();
		await page.locator("#cap-msg", { hasText: `绑定 ${bid} 的每月限额已设为 ¥150.00（本月已用 ¥0.00）。` }).waitFor();
		for (const name of ["设置限额", "取消限额"])
			assert.ok(await capForm.getByRole("button", { name }).isDisabled(), `${name}: the materials again first`);
		const audit = (await ctx.srv.admin("GET", "/api/v1/audit?limit=1")).items[0];
		assert.deepEqual([audit.action, audit.target, audit.role], ["binding.cap_set", `binding:${bid} cap_fen=15000`, "agency_window"]);
		await assertNoHorizontalScroll(page, "monthly limit");
		await shot(page, `console-cap-${label}`);
		await page.getByRole("link", { name: "人员查询" }).click();
		await page.getByRole("button", { name: "查询" }).click();
		await page.locator("#person-bindings td", { hasText: "¥150.00" }).waitFor();
		await page.getByRole("button", { name: `设置绑定 ${bid} 的每月限额` }).click();
		for (const m of ["已核验双方身份证", "已核验双方社会保障卡原件", "已收取双方社会保障卡复印件"]) await capForm.getByLabel(m).check();
		await capForm.getByRole("button", { name: "取消限额" }).click();
		await page.locator("#cap-msg", { hasText: `绑定 ${bid} 已取消每月限额。` }).waitFor();

		/* E1: the grandmother's premium, paid from her son's account — no binding, the materials prove it */
		await page.getByRole("link", { name: "代缴保费" }).click();
		const pm = page.locator("#premium-form");
		await pm.getByRole("group", { name: "授权人（账户所有人）" }).getByLabel("社保电脑号").fill(father.ssn);
		await pm.getByRole("group", { name: "授权人（账户所有人）" }).getByLabel("身份证号").fill(father.id_number);
		const rel = pm.getByRole("group", { name: "被缴费的亲属" });
		await rel.getByLabel("社保电脑号").fill(gran.ssn);
		await rel.getByLabel("缴费年度").selectOption({ label: "2026 年度（¥400.00）" });
		for (const m of ["已核验双方身份证", "已核验双方社会保障卡原件", "已收取双方社会保障卡复印件"]) await pm.getByLabel(m).check();
		/* without a binding, without the relationship: refused in plain words */
		await pm.getByRole("button", { name: "确认缴费" }).click();
		await page.getByRole("dialog", { name: "确认缴费" }).getByRole("button", { name: "确认缴费" }).click();
		await page.locator("#pm-msg", { hasText: "这位亲属未与该账户绑定家庭共济，不能代缴。" }).waitFor();
		await rel.getByLabel("亲属身份证号（未绑定时必填）").fill(gran.id_number);
		await rel.getByLabel("与授权人的关系（未绑定时必填）").selectOption({ label: "父母" });
		await pm.getByRole("button", { name: "确认缴费" }).click();
		const dlg = page.getByRole("dialog", { name: "确认缴费" });
		await dlg.getByText(`从 ${father.ssn} 的个人账户支付亲属 ${gran.ssn} 的 2026 年度城乡居民医保个人缴费 ¥400.00？`).waitFor();
		await dlg.getByRole("button", { name: "确认缴费" }).click();
		await page.locator("#pm-msg", { hasText: /缴费成功：编号 \d+，张桂兰（\d+）2026 年度 ¥400\.00，由 李建国（\d+）的个人账户支付。/ }).waitFor();
		assert.ok(await pm.getByRole("button", { name: "确认缴费" }).isDisabled(), "the next payment's materials are checked again");
		const pay = (await ctx.srv.admin("GET", `/api/v1/persons/${gran.ssn}/contributions`)).items[0];
		assert.deepEqual([pay.period, pay.personal_fen, pay.paid_by.ssn], ["2026", 40000, father.ssn]);
		const ppanel = view("premium").locator(".materials-panel");
		await ppanel.getByLabel("材料类别").selectOption({ label: "其他材料" });
		await ppanel.getByLabel("选择文件").setInputFiles(file("household.jpg", "image/jpeg", jpeg));
		await ppanel.getByRole("button", { name: "上传" }).click();
		await ppanel.getByRole("img", { name: "其他材料 扫描件" }).waitFor();
		assert.deepEqual(await axeViolations(page), [], "axe: serious or critical (premium)");
		await assertNoHorizontalScroll(page, "premium at the window");
		await shot(page, `console-premium-${label}`);
		assertNoPageErrors(page);
		await page.context().close();
	});
}

test("console family desk (hospital office): no premiums here; scans with the binding it makes", async () => {
	const { mother, child } = families.desktop;
	const page = await newPage(ctx.browser, VIEWPORTS[1][1]);
	await consoleLogin(page, ctx.srv, officeKey);
	await page.getByRole("link", { name: "代缴保费" }).click();
	await page.getByText("代缴保费仅在医保经办窗口办理。").waitFor();
	const pm = page.locator("#premium-form");
	for (const m of ["已核验双方身份证", "已核验双方社会保障卡"]) await pm.getByLabel(m, { exact: true }).check();
	assert.ok(await pm.getByRole("button", { name: "确认缴费" }).isDisabled(), "the office cannot pay");
	/* a binding at the hospital's office, and its scan */
	await page.getByRole("link", { name: "共济绑定" }).click();
	const form = page.locator("#cbind-form");
	const who = form.getByRole("group", { name: "授权人（账户所有人）" });
	await who.getByLabel("社保电脑号").fill(mother.ssn);
	await who.getByLabel("身份证号").fill(mother.id_number);
	const row = form.getByRole("group", { name: "亲属 1", exact: true });
	await row.getByLabel("社保电脑号").fill(child.ssn);
	await row.getByLabel("身份证号").fill(child.id_number);
	await row.getByLabel("关系").selectOption("child");
	for (const m of ["已核验双方身份证", "已核验双方社会保障卡"]) await form.getByLabel(m, { exact: true }).check();
	await page.getByRole("button", { name: "提交绑定" }).click();
	await row.locator(".row-result", { hasText: "✓ 绑定成功" }).waitFor();
	const panel = page.locator('[data-view="bind"] .materials-panel');
	await panel.getByLabel("选择文件").setInputFiles(file("id.jpg", "image/jpeg", jpeg));
	await panel.getByRole("button", { name: "上传" }).click();
	await panel.getByRole("img", { name: "身份证 扫描件" }).waitFor();
	const m = (await ctx.srv.admin("GET", `/api/v1/persons/${mother.ssn}/bindings`)).authorized[0];
	assert.equal(m.channel, "hospital_office");
	const scans = await ctx.srv.admin("GET", `/api/v1/bindings/${m.binding_id}/materials`);
	assert.deepEqual(scans.items.map((x) => [x.kind, x.content_type, x.channel]), [["id_card", "image/jpeg", "hospital_office"]]);
	assertNoPageErrors(page);
	await page.context().close();
});
