/*
 * kiosk.test.mjs — the self-service terminal at /kiosk (SPEC F5, channel
 * terminal) at phone and desktop width: the one-time key setup (kept in
 * localStorage), a card that is not financially activated is refused in
 * plain words (422 binding.card_not_activated), and after going back with
 * the right (activated) card the binding is made, recorded as terminal.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

import {
	useServer, seedFamily, seedPerson, idNumber, newPage, shot, VIEWPORTS,
	assertNoHorizontalScroll, assertNoPageErrors,
} from "./harness.mjs";

let terminalKey;
const families = {}, unactivated = {};
const ctx = useServer(async () => {
	for (const [n, label] of [[1, "phone"], [2, "desktop"]]) {
		families[label] = await seedFamily(ctx.srv, n);
		unactivated[label] = await seedPerson(ctx.srv, {
			ssn: `6${n}000009`, id_number: idNumber("19700505", 10 * n + 7), name: "陈志强", months: 2, activated: false,
		});
	}
	terminalKey = ctx.srv.key("terminal");
});

async function stepOne(page, { card_no, ssn, id_number }) {
	await page.getByLabel("社保卡号（读卡器）", { exact: true }).fill(card_no);
	await page.getByLabel("社保电脑号", { exact: true }).fill(ssn);
	await page.getByLabel("身份证号", { exact: true }).fill(id_number);
	await page.getByRole("button", { name: "下一步" }).click();
	await page.getByRole("heading", { name: "请填写亲属信息" }).waitFor();
}

for (const [label, viewport] of VIEWPORTS) {
	test(`kiosk at ${label} width: setup, an unactivated card is refused, then a binding is made`, async () => {
		const { father, child } = families[label];
		const page = await newPage(ctx.browser, viewport);
		await page.goto(`${ctx.srv.url}/kiosk`);

		/* One-time setup by an administrator; a wrong key is refused. */
		await page.getByRole("heading", { name: "终端初始设置" }).waitFor();
		await page.getByLabel("终端 API 密钥").fill("wrong-key");
		await page.getByRole("button", { name: "保存并启用" }).click();
		await page.locator("#setup-msg[role=alert]").waitFor();
		await page.getByLabel("终端 API 密钥").fill(terminalKey);
		await page.getByRole("button", { name: "保存并启用" }).click();
		await page.getByRole("heading", { name: "请插入您本人的社保卡" }).waitFor();
		assert.equal(await page.evaluate(() => localStorage.getItem("yb.kiosk.key")), terminalKey);
		await assertNoHorizontalScroll(page, "kiosk step 1");
		await shot(page, `kiosk-step1-${label}`);

		/* The authorizer's card is not financially activated. */
		const who = unactivated[label];
		await stepOne(page, who);
		await page.getByLabel("亲属社保电脑号").fill(child.ssn);
		await page.getByLabel("亲属身份证号").fill(child.id_number);
		await page.getByRole("radio", { name: "子女" }).check();
		await page.getByRole("radio", { name: "亲属的身份证" }).check();
		assert.ok(await page.getByLabel("亲属社保卡号（读卡器）").isHidden());
		await shot(page, `kiosk-step2-${label}`);
		await page.getByRole("button", { name: "下一步" }).click();
		await page.getByRole("heading", { name: "请核对并确认" }).waitFor();
		assert.match(await page.locator("#k-review").textContent(), new RegExp(`${who.card_no}.*子女.*亲属的身份证`));
		await page.getByRole("button", { name: "确认绑定" }).click();
		await page.getByRole("heading", { name: "未能办理" }).waitFor();
		assert.match(await page.locator("#k-result-text").textContent(), /社保卡尚未激活金融功能/);
		await assertNoHorizontalScroll(page, "kiosk refusal");
		await shot(page, `kiosk-not-activated-${label}`);
		const none = await ctx.srv.admin("GET", `/api/v1/persons/${who.ssn}/bindings`);
		assert.equal(none.authorized.length, 0, "nothing bound");

		/* Back to step 1 (the rest is kept), with the father's activated card;
		 * this time the relative shows his own card. */
		await page.getByRole("button", { name: "返回修改" }).click();
		await page.getByRole("heading", { name: "请插入您本人的社保卡" }).waitFor();
		await stepOne(page, father);
		assert.equal(await page.getByLabel("亲属社保电脑号").inputValue(), child.ssn);
		await page.getByRole("radio", { name: "亲属的社保卡" }).check();
		await page.getByRole("button", { name: "下一步" }).click();
		await page.getByText("请插入亲属的社保卡，或改选“亲属的身份证”。").waitFor();
		await page.getByLabel("亲属社保卡号（读卡器）").fill(child.card_no);
		await page.getByRole("button", { name: "下一步" }).click();
		await page.getByRole("button", { name: "确认绑定" }).click();
		await page.getByRole("heading", { name: "绑定成功" }).waitFor();
		assert.match(await page.locator("#k-result-text").textContent(), /李\*（子女）现在可以使用您的个人账户/);
		await shot(page, `kiosk-done-${label}`);
		const made = await ctx.srv.admin("GET", `/api/v1/persons/${father.ssn}/bindings`);
		assert.equal(made.authorized.length, 1);
		assert.equal(made.authorized[0].channel, "terminal");

		/* Finish: everything typed is forgotten; the key stays across a reload. */
		await page.getByRole("button", { name: "完成，取回社保卡" }).click();
		await page.getByRole("heading", { name: "请插入您本人的社保卡" }).waitFor();
		assert.equal(await page.getByLabel("社保卡号（读卡器）", { exact: true }).inputValue(), "");
		await page.reload();
		await page.getByRole("heading", { name: "请插入您本人的社保卡" }).waitFor();
		/* English on the terminal too. */
		await page.getByRole("button", { name: "English" }).click();
		assert.equal(await page.getAttribute("html", "lang"), "en");
		await page.getByRole("heading", { name: "Please insert your own social security card" }).waitFor();
		await page.getByRole("button", { name: "中文" }).click();
		assertNoPageErrors(page);
		await page.context().close();
	});
}
