/*
 * console.test.mjs — the operator console at /console (SPEC F5, F6, C2,
 * C3, C5, P4) at phone and desktop width.  agency_window: find a person,
 * bind on his behalf — refused (button disabled) until every material
 * box is ticked, then bound; end the binding from the person's list;
 * apply for a card at a service point (ready_by shown), issue it, record
 * its activation; terminate a person after confirming.
 * hospital_office: two materials; a card application shows the API's 403.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, newPage, shot, consoleLogin, VIEWPORTS, PHONE,
	assertNoHorizontalScroll, assertNoPageErrors, signOut,
} from "./harness.mjs";

let agencyKey, officeKey;
const families = {};
const ctx = useServer(async () => {
	families.phone = await seedFamily(ctx.srv, 1);
	families.desktop = await seedFamily(ctx.srv, 2);
	families.office = await seedFamily(ctx.srv, 3);
	agencyKey = ctx.srv.key("agency_window");
	officeKey = ctx.srv.key("hospital_office");
});

for (const [label, viewport] of VIEWPORTS) {
	test(`console (agency window) at ${label} width: materials gate, bind, unbind, card, termination`, async () => {
		const { father, mother, child, stranger } = families[label];
		const page = await newPage(ctx.browser, viewport);
		const view = (name) => page.locator(`[data-view="${name}"]`);
		await consoleLogin(page, ctx.srv, agencyKey);
		await page.locator("#who", { hasText: "医保经办窗口" }).waitFor();

		/* Find a person: the agency sees the full ID number. */
		await view("person").getByLabel("社保电脑号").fill(father.ssn);
		await page.getByRole("button", { name: "查询" }).click();
		await page.locator("#person-facts", { hasText: father.id_number }).waitFor();
		assert.match(await page.locator("#person-facts").textContent(), /李建国.*男.*1978-03-15.*职工医保一档.*参保正常.*¥10,080\.00/);
		await page.getByText("此人没有家庭共济绑定。").waitFor();

		/* Bind: the button stays disabled until all three materials are ticked. */
		await page.getByRole("link", { name: "共济绑定" }).click();
		const form = page.locator("#cbind-form");
		await form.getByRole("group", { name: "授权人（账户所有人）" }).getByLabel("社保电脑号").fill(mother.ssn);
		await form.getByRole("group", { name: "授权人（账户所有人）" }).getByLabel("身份证号").fill(mother.id_number);
		const row = form.getByRole("group", { name: "亲属 1", exact: true });
		await row.getByLabel("社保电脑号").fill(child.ssn);
		await row.getByLabel("身份证号").fill(child.id_number);
		await row.getByLabel("关系").selectOption("child");
		const submit = page.getByRole("button", { name: "提交绑定" });
		assert.ok(await submit.isDisabled(), "no material ticked: disabled");
		await form.getByLabel("已核验双方身份证").check();
		await form.getByLabel("已核验双方社会保障卡原件").check();
		assert.ok(await submit.isDisabled(), "two of three ticked: still disabled");
		assert.ok(await form.getByText("请先核验并勾选全部材料。").isVisible());
		await shot(page, `console-bind-gate-${label}`);
		await form.getByLabel("已收取双方社会保障卡复印件").check();
		assert.ok(await submit.isEnabled(), "all ticked: enabled");
		await form.getByLabel("已收取双方社会保障卡复印件").uncheck();
		assert.ok(await submit.isDisabled(), "unticked again: disabled");
		await form.getByLabel("已收取双方社会保障卡复印件").check();
		await submit.click();
		await row.locator(".row-result", { hasText: "✓ 绑定成功" }).waitFor();
		await assertNoHorizontalScroll(page, "console bind");
		await shot(page, `console-bind-done-${label}`);
		const b = await ctx.srv.admin("GET", `/api/v1/persons/${mother.ssn}/bindings`);
		assert.equal(b.authorized.length, 1);
		assert.equal(b.authorized[0].channel, "agency_window");

		/* The binding in the person's list; "解除" fills in the unbind form. */
		await page.getByRole("link", { name: "人员查询" }).click();
		await view("person").getByLabel("社保电脑号").fill(mother.ssn);
		await page.getByRole("button", { name: "查询" }).click();
		const unbindButton = page.getByRole("button", { name: `解除绑定 ${b.authorized[0].binding_id}` });
		await unbindButton.click();
		await page.getByRole("heading", { name: "代办解除绑定" }).waitFor();
		assert.equal(await page.locator("#cu-id").inputValue(), String(b.authorized[0].binding_id));
		assert.equal(await page.locator("#cu-idn").inputValue(), mother.id_number);
		const end = page.getByRole("button", { name: "解除绑定", exact: true });
		assert.ok(await end.isDisabled());
		for (const m of ["已核验双方身份证", "已核验双方社会保障卡原件", "已收取双方社会保障卡复印件"])
			await page.locator("#cu-materials").getByLabel(m).check();
		await end.click();
		await page.getByRole("dialog", { name: "确认解除绑定？" }).getByRole("button", { name: "解除绑定" }).click();
		/* Q3: agency staff see names in full. */
		await page.locator("#cu-msg", { hasText: `绑定 ${b.authorized[0].binding_id}（${b.authorized[0].relative_name}）已于` }).waitFor();
		assert.ok(await end.isDisabled(), "the next one's materials are checked again");

		/* Card at a street service point: ready within 3 working days. */
		await page.getByRole("link", { name: "社保卡" }).click();
		await page.locator("#ap-ssn").fill(stranger.ssn);
		await page.getByLabel("申领途径").selectOption("service_point");
		await page.getByRole("button", { name: "提交申领" }).click();
		await page.locator("#ap-msg", { hasText: "请告知参保人于" }).waitFor();
		const readyBy = await page.locator("#ap-result strong").textContent();
		assert.match(readyBy, /^\d{4}-\d{2}-\d{2}$/);
		assert.match(await page.locator("#ap-result").textContent(), /制卡中/);
		/* The agent route asks for the agent's details. */
		await page.getByLabel("申领途径").selectOption("agent");
		assert.ok(await page.getByLabel("代办人身份证号").isVisible());
		await page.getByLabel("申领途径").selectOption("service_point");
		/* Issue the card of that application, then record its activation. */
		assert.notEqual(await page.locator("#is-id").inputValue(), "");
		await page.getByRole("button", { name: "发卡" }).click();
		await page.locator("#is-msg", { hasText: "已发卡，卡号" }).waitFor();
		await page.getByRole("button", { name: "办理", exact: true }).click();
		await page.locator("#co-msg", { hasText: "金融功能已激活" }).waitFor();
		await assertNoHorizontalScroll(page, "console cards");
		await shot(page, `console-cards-${label}`);

		/* Terminate the stranger (confirmation first). */
		await page.getByRole("link", { name: "参保终止" }).click();
		await page.locator("#tm-ssn").fill(stranger.ssn);
		await page.getByLabel("终止原因").selectOption("transferred_out");
		await page.getByRole("button", { name: "终止参保" }).click();
		await page.getByRole("dialog", { name: "确认终止参保关系？" }).getByRole("button", { name: "终止参保" }).click();
		await page.locator("#tm-msg", { hasText: "赵大海" }).waitFor();
		assert.equal((await ctx.srv.admin("GET", `/api/v1/persons/${stranger.ssn}`)).status, "terminated");
		assertNoPageErrors(page);
		await page.context().close();
	});
}

test("console (hospital office) at phone width: two materials; what it may not do shows the API's 403", async () => {
	const { father, mother } = families.office;
	const page = await newPage(ctx.browser, PHONE);
	await consoleLogin(page, ctx.srv, officeKey);
	await page.locator("#who", { hasText: "定点医院医保办" }).waitFor();

	await page.getByRole("link", { name: "共济绑定" }).click();
	const boxes = page.locator("#cb-materials input[type=checkbox]");
	assert.equal(await boxes.count(), 2);
	await page.locator("#cb-ssn").fill(father.ssn);
	await page.locator("#cb-idn").fill(father.id_number);
	const row = page.getByRole("group", { name: "亲属 1", exact: true });
	await row.getByLabel("社保电脑号").fill(mother.ssn);
	await row.getByLabel("身份证号").fill(mother.id_number);
	await row.getByLabel("关系").selectOption("spouse");
	const submit = page.getByRole("button", { name: "提交绑定" });
	assert.ok(await submit.isDisabled());
	await page.locator("#cb-materials").getByLabel("已核验双方身份证").check();
	assert.ok(await submit.isDisabled());
	await page.locator("#cb-materials").getByLabel("已核验双方社会保障卡").check();
	await submit.click();
	await row.locator(".row-result", { hasText: "✓ 绑定成功" }).waitFor();
	const b = await ctx.srv.admin("GET", `/api/v1/persons/${father.ssn}/bindings`);
	assert.equal(b.authorized[0].channel, "hospital_office");

	/* A hospital office may not apply for cards: the 403, clearly. */
	await page.getByRole("link", { name: "社保卡" }).click();
	await page.locator("#ap-ssn").fill(father.ssn);
	await page.getByRole("button", { name: "提交申领" }).click();
	const alert = page.locator("#ap-msg[role=alert]");
	await alert.waitFor();
	assert.match(await alert.textContent(), /您所在的岗位无权办理此项业务。系统答复：.*hospital_office/);
	await shot(page, "console-office-403-phone");

	/* English in the console too: the error is said again in English. */
	await page.getByRole("button", { name: "English" }).click();
	assert.equal(await page.getAttribute("html", "lang"), "en");
	await page.getByRole("link", { name: "Find person" }).waitFor();
	assert.match(await alert.textContent(), /^Your workstation may not do this\. The system says: .*hospital_office/);
	await page.getByRole("button", { name: "中文" }).click();

	/* Signing out forgets the key. */
	await signOut(page, { message: "已退出工作台。", storageKey: "yb.console.key" });
});

test("console: a wrong key is refused at sign-in", async () => {
	const page = await newPage(ctx.browser, PHONE);
	await page.goto(`${ctx.srv.url}/console`);
	await page.getByLabel("API 密钥").fill("not-a-key");
	await page.getByRole("button", { name: "进入工作台" }).click();
	await page.locator("#key-error", { hasText: "密钥无效或已停用" }).waitFor();
	assert.ok(await page.locator("#nav").isHidden());
	await page.context().close();
});
