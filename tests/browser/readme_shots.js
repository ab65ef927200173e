/*
 * The README's two pictures (docs/admin-dashboard.png, docs/admin-stock.png)
 * taken again from the stack `make run` started, signed in as its demo
 * user, at phone width. Not a test: run it by hand after a page changed.
 *
 *   node tests/browser/readme_shots.js [BASE_URL [STACK_DIR]]
 *
 * BASE_URL defaults to http://127.0.0.1:8080, STACK_DIR (where
 * admin-password is) to var/.
 */
'use strict';

const fs = require('fs');
const path = require('path');

process.env.STOCKHUB_URL = process.argv[2] || process.env.STOCKHUB_URL || 'http://127.0.0.1:8080';
const t = require('./lib');

(async () => {
	const dir = process.argv[3] || path.join(t.top, 'var');
	const pw = fs.readFileSync(path.join(dir, 'admin-password'), 'utf8').trim();
	const { chromium } = require('playwright-core');
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
	const page = await (await t.phone(browser)).newPage();
	await t.signIn(page, 'demo', pw);
	const docs = path.join(t.top, 'docs');
	fs.mkdirSync(docs, { recursive: true });
	await page.goto('/admin/');
	await page.screenshot({ path: path.join(docs, 'admin-dashboard.png'), fullPage: true });
	await page.goto('/admin/stock?sku=MUG-CERAMIC-01');
	await page.screenshot({ path: path.join(docs, 'admin-stock.png'), fullPage: true });
	await browser.close();
	console.log(`saved ${docs}/admin-dashboard.png and admin-stock.png`);
})().catch((e) => {
	console.error(e);
	process.exit(1);
});
