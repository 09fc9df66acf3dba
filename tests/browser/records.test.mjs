/*
 * records.test.mjs — records and proofs in the browser (SPEC R1–R4):
 * a person sees his gaps and his employer's missing months beside his
 * payment records, issues a proof of insurance and downloads it (its
 * text read back with pdftotext, its QR code decoded with zbarimg to a
 * code that verifies), and downloads a statement as PDF and CSV; the
 * agency window's console lists the employers in arrears, sorts them and
 * exports them.  With YB_UPDATE_SCREENSHOTS=1 the proof's first page is
 * rendered (pdftoppm) into docs/screenshots/proof.png.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import {
	useServer, seedPerson, idNumber, newPage, shot, docShot, portalLogin, consoleLogin,
	PHONE, DESKTOP, OUT, SCREENSHOTS, EMPLOYER,
	assertNoHorizontalScroll, assertNoPageErrors, axeViolations,
} from "./harness.mjs";

function nowMonth() {
	const p = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" }).formatToParts(new Date());
	return `${p.find((x) => x.type === "year").value}-${p.find((x) => x.type === "month").value}`;
}
const toK = (m) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
const add = (m, n) => { const k = toK(m) + n; return `${Math.floor(k / 12)}-${String(k % 12 + 1).padStart(2, "0")}`; };
const NOW = nowMonth(), CLOSED = add(NOW, -1);
const GAP = [add(NOW, -5), add(NOW, -4)];

const ctx = useServer(async () => {
	const pay = (ssn, period) => ctx.srv.admin("POST", "/api/v1/contributions", {
		ssn, period, employer_code: EMPLOYER, base_fen: 1200000, employer_fen: 72000,
		personal_fen: 24000, account_credit_fen: 30000,
	});
	ctx.people = {};
	for (const [n, label] of [[1, "phone"], [2, "desktop"]]) {
		const p = await seedPerson(ctx.srv, {
			ssn: `65000000${n}`, id_number: idNumber("19850612", 40 + n), name: "陈大文", card: false,
		});
		for (let k = -30; k <= -1; k++) if (!GAP.includes(add(NOW, k))) await pay(p.ssn, add(NOW, k));
		ctx.people[label] = p;
	}
	/* two more employers in arrears, so the console's list has rows to sort */
	const others = [["E-NS-0021", "深圳市南山物流有限公司", [[-3, -1], [-2, -1], [-6, -4]]],
		["E-FT-0107", "福田区示范餐饮管理有限公司", [[-1, -1]]]];
	let n = 0;
	for (const [code, name, holes] of others) {
		await ctx.srv.admin("POST", "/api/v1/employers", { code, name });
		for (const [a, b] of holes) {
			n += 1;
			const ssn = `6510000${String(n).padStart(2, "0")}`;
			await ctx.srv.admin("POST", "/api/v1/persons", {
				ssn, id_number: idNumber("19900101", 60 + n), name: `职工${n}`, scheme: "employee_tier1", employer_code: code,
			});
			for (let k = -12; k <= -1; k++)
				if (k < a || k > b)
					await ctx.srv.admin("POST", "/api/v1/contributions", {
						ssn, period: add(NOW, k), employer_code: code, base_fen: 800000, employer_fen: 48000,
						personal_fen: 16000, account_credit_fen: 20000,
					});
		}
	}
	ctx.window = await ctx.srv.key("agency_window");
});

async function download(page, click) {
	const [dl] = await Promise.all([page.waitForEvent("download"), click()]);
	mkdirSync(OUT, { recursive: true });
	const file = join(OUT, `records-${Date.now()}-${dl.suggestedFilename()}`);
	await dl.saveAs(file);
	return { file, name: dl.suggestedFilename() };
}

const pdftotext = (file) => execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });

/* The first page as a PNG (at `dpi`), and the QR code read from it. */
function renderAndDecode(pdf, png, dpi) {
	execFileSync("pdftoppm", ["-r", String(dpi), "-png", "-singlefile", "-f", "1", "-l", "1", pdf, png]);
	return execFileSync("zbarimg", ["-q", "--raw", `${png}.png`], { encoding: "utf8" }).trim();
}

for (const [label, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
	test(`R1–R4 in the portal at ${label} width: gaps, employer check, a proof and a statement downloaded`, async () => {
		const p = ctx.people[label];
		const page = await newPage(ctx.browser, viewport);
		await portalLogin(page, ctx.srv, p.ssn);

		/* R3, R4 beside the payment records */
		await page.getByRole("link", { name: "缴费记录" }).first().click();
		await page.getByText(`共断缴 2 个月`).waitFor();
		const gaps = page.locator("#gap-list li");
		assert.deepEqual(await gaps.allTextContents(), [`${GAP[0]} 至 ${GAP[1]}（2 个月）`]);
		await page.getByText("已连续参保 3 个月。").waitFor();
		await page.getByText("断缴对我有什么影响？").click();
		await page.locator("#gaps-explain", { hasText: "断缴是指" }).waitFor();
		await page.locator("#arrears-box", { hasText: "有 2 个月未为您缴费" }).waitFor();
		assert.deepEqual(await page.locator("#arrears-list li").allTextContents(), [`${GAP[0]} 至 ${GAP[1]}（2 个月）`]);
		await assertNoHorizontalScroll(page, "contributions with gaps");
		assert.deepEqual(await axeViolations(page), [], "axe on #contributions");
		await shot(page, `records-gaps-${label}`);

		/* R2: issue a proof, download it, read it back */
		await page.getByRole("link", { name: "证明与明细" }).first().click();
		await page.getByRole("heading", { level: 1, name: "证明与明细" }).waitFor();
		const proof = await download(page, () => page.getByRole("button", { name: "开具参保证明（PDF）" }).click());
		const msg = await page.locator("#proof-msg").textContent();
		const code = /验证码 ([A-Z2-7]{26})/.exec(msg)?.[1];
		assert.ok(code, msg);
		assert.equal(proof.name, `proof-${code}.pdf`);
		const text = pdftotext(proof.file);
		for (const want of ["参保证明", "陈大文", p.ssn, `${p.id_number.slice(0, 6)}********${p.id_number.slice(14)}`,
			"深圳市医疗保障局", code])
			assert.ok(text.includes(want), `the proof says ${want}`);
		assert.match(text, /累计参保月数\s+28\s*个月/);
		assert.match(text, /断缴月数\s+2\s*个月/);
		const url = renderAndDecode(proof.file, join(OUT, `proof-${label}`), 150);
		assert.equal(url, `http://127.0.0.1:8080/verify/${code}`);
		const v = await (await fetch(`${ctx.srv.url}/api/v1/verify/${code}`)).json();
		assert.equal(v.genuine, true);
		assert.equal(v.stated.total_months, 28);
		await page.locator("#proof-list tbody tr", { hasText: code }).waitFor();
		if (label === "desktop" && process.env.YB_UPDATE_SCREENSHOTS === "1") {
			mkdirSync(SCREENSHOTS, { recursive: true });
			execFileSync("pdftoppm", ["-r", "110", "-png", "-singlefile", "-f", "1", "-l", "1", proof.file, join(SCREENSHOTS, "proof")]);
		}

		/* the verification page the QR code opens, on a phone, no login */
		const phone = await newPage(ctx.browser, PHONE);
		await phone.goto(`${ctx.srv.url}/verify/${code}`);
		await phone.getByText("✓ 真实有效").waitFor();
		await phone.getByText("陈*").waitFor();
		assert.deepEqual(await axeViolations(phone), [], "axe on /verify");
		await assertNoHorizontalScroll(phone, "verify page");
		await shot(phone, `verify-${label}`);
		await phone.context().close();

		/* R1: a statement of a chosen period, as PDF and as CSV */
		await page.getByLabel("明细", { exact: true }).selectOption("contributions");
		await page.getByLabel("起始月份").fill(add(NOW, -12));
		await page.getByLabel("截止月份").fill(CLOSED);
		const pdf = await download(page, () => page.getByRole("button", { name: "下载 PDF", exact: true }).click());
		assert.equal(pdf.name, `contributions-${p.ssn}-${add(NOW, -12)}-${CLOSED}.pdf`);
		const st = pdftotext(pdf.file);
		assert.match(st, /参保缴费明细/);
		assert.match(st, /共\s*10\s*条/, "twelve months less the two of the gap");
		const csv = await download(page, () => page.getByRole("button", { name: "下载 CSV", exact: true }).click());
		const bytes = readFileSync(csv.file);
		assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
		assert.equal(bytes.toString("utf8").trim().split("\r\n").length, 11);
		await page.getByLabel("明细", { exact: true }).selectOption("ledger");
		const ledger = await download(page, () => page.getByRole("button", { name: "下载 PDF", exact: true }).click());
		assert.match(pdftotext(ledger.file), /个人账户明细/);
		/* a bad period is refused with words, not a broken file */
		await page.getByLabel("起始月份").fill(add(NOW, 1));
		await page.getByLabel("截止月份").fill(NOW);
		await page.getByRole("button", { name: "下载 CSV", exact: true }).click();
		await page.locator("#stmt-msg", { hasText: "月份无效" }).waitFor();

		await assertNoHorizontalScroll(page, "records view");
		assert.deepEqual(await axeViolations(page), [], "axe on #records");
		await shot(page, `records-${label}`);
		if (label === "desktop") await docShot(page, "portal-records");
		assertNoPageErrors(page);
		await page.context().close();
	});
}

test("R4 in the console: the agency window lists employers in arrears, sorts them, exports CSV", async () => {
	const page = await newPage(ctx.browser, DESKTOP);
	await consoleLogin(page, ctx.srv, ctx.window);
	await page.getByRole("link", { name: "单位欠缴" }).click();
	await page.getByRole("heading", { level: 1, name: "单位欠缴" }).waitFor();
	await page.getByLabel("起始月份").fill(add(NOW, -12));
	await page.getByLabel("截止月份").fill(CLOSED);
	await page.getByRole("button", { name: "查询" }).click();
	const row = page.locator("#ar-list tbody tr", { hasText: EMPLOYER });
	await row.waitFor();
	/* two employees of E-BROWSER, both missing the two months of the gap */
	assert.deepEqual((await row.locator("td").allTextContents()).map((s) => s.trim()), [EMPLOYER, "测试单位", "2", "2", "4"]);
	await page.getByText(`核对期间：${add(NOW, -12)} 至 ${CLOSED}`).waitFor();
	/* largest arrears first */
	const codes = () => page.locator("#ar-list tbody tr td:first-child").allTextContents();
	assert.deepEqual(await codes(), ["E-NS-0021", EMPLOYER, "E-FT-0107"]);
	await docShot(page, "console-arrears");
	/* sorted by the column clicked, the header says how */
	const head = page.getByRole("button", { name: "单位代码" });
	await head.click();
	await page.locator("th[aria-sort=ascending]", { hasText: "单位代码" }).waitFor();
	assert.deepEqual(await codes(), [EMPLOYER, "E-FT-0107", "E-NS-0021"]);
	await head.click();
	await page.locator("th[aria-sort=descending]", { hasText: "单位代码" }).waitFor();
	assert.deepEqual(await codes(), ["E-NS-0021", "E-FT-0107", EMPLOYER]);
	const csv = await download(page, () => page.getByRole("button", { name: "导出 CSV" }).click());
	const lines = readFileSync(csv.file, "utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
	assert.equal(lines[0], "单位代码,单位名称,核对起始月,核对截止月,职工人数,欠缴人数,欠缴人月数");
	assert.ok(lines.includes(`${EMPLOYER},测试单位,${add(NOW, -12)},${CLOSED},2,2,4`), lines.join("\n"));
	assert.deepEqual(await axeViolations(page), [], "axe on #arrears");
	await shot(page, "console-arrears");
	assertNoPageErrors(page);
	await page.context().close();
});
