/*
 * The per-SKU history page (GET /admin/sku?sku=…, lib/admin_history.c)
 * with its SVG chart in the browser: after stock movements and a real
 * push to the sandbox Shopify shop, the page draws an accessible step
 * chart (#stock-chart-title, #stock-chart-desc) with one series for the
 * hub's available stock and one for what the channel was sent, each
 * ending at the right figure; the same events are listed as text in
 * #history-table (rows .movement and .push, newest first); the page fits
 * a phone and logs no errors.
 */
'use strict';

const path = require('path');
const t = require('./lib');

const pid = process.pid;
const sku = `HIST-${pid}`;
const acct = `history shop ${pid}`;
const shopDomain = `hist${pid}.myshopify.com`;

t.run(async (launch) => {
	const route = t.findRoute('GET', /^\/admin\/sku$/);
	if (!t.check(route !== null, 'the route table has the history page GET /admin/sku'))
		return;
	const user = `hist${pid}`;
	const pw = t.addUser(user);

	/* a Shopify shop in the sandbox listing the SKU, mapped in the hub */
	await t.sbx('SHOPIFY', 'POST', '/_sandbox/reset');
	await t.sbx('SHOPIFY', 'POST', '/_sandbox/config',
	    { shop_domain: shopDomain, client_secret: `hist-secret-${pid}` });
	let r = await t.sbx('SHOPIFY', 'POST', '/_sandbox/products',
	    { title: 'History mug', variants: [{ sku, available: 0 }] });
	if (r.status >= 300)
		throw new Error(`shopify product: ${r.text}`);
	r = t.cli(['account', 'add', 'shopify', acct, process.env.SANDBOX_SHOPIFY_URL, shopDomain],
	    JSON.stringify({ access_token: 'shpat_sandbox_token', webhook_secret: `hist-secret-${pid}`, location_id: '1' }));
	if (r.status !== 0)
		throw new Error(`account add shopify: ${r.out}`);
	t.cli(['item', 'add', sku, 'History mug']);
	r = t.cli(['shopify', 'map', acct, sku]);
	if (r.status !== 0)
		throw new Error(`shopify map: ${r.out}`);
	t.cli(['move', sku, 'receive', '12', 'kiln batch']);
	t.cli(['move', sku, 'count', '9', 'shelf count']);
	t.cli(['move', sku, 'adjust', '-2', 'two chipped']);
	r = t.cli(['push']);
	const level = ((await t.sbx('SHOPIFY', 'GET', '/_sandbox/state')).json.levels || [])
	    .find((x) => x.sku === sku);
	t.check(level && level.available === 7, 'the push reached the sandbox Shopify shop (7 shown)',
	    r.out, JSON.stringify(level));
	/* the later tests reset the sandbox: this account rests */
	t.sql(`UPDATE channel_accounts SET paused = 1 WHERE name = ${t.sqlStr(acct)}`);

	const browser = await launch();
	const ctx = await t.phone(browser);
	const page = await ctx.newPage();
	const errors = [];
	/* (Chromium asks for /favicon.ico on its own; the hub has none) */
	page.on('console', (m) => {
		const at = (m.location() && m.location().url) || '';
		if (m.type() === 'error' && !/\/favicon\.ico$/.test(at))
			errors.push(`${m.text()} (${at})`);
	});
	page.on('pageerror', (e) => errors.push(String(e)));
	await t.signIn(page, user, pw);
	const url = `${route.path}?sku=${encodeURIComponent(sku)}`;
	const resp = await page.goto(url);
	t.check(resp && resp.status() === 200, `the history page of a SKU opens (${url})`, resp && resp.status());

	/* the chart: an <svg role="img"> named by its title and description */
	const chart = page.locator('main svg[role="img"]').first();
	const info = await chart.evaluate((svg) => {
		const ids = (svg.getAttribute('aria-labelledby') || '').split(/\s+/);
		return {
			labelledby: ids,
			title: (document.getElementById('stock-chart-title') || {}).textContent || '',
			desc: (document.getElementById('stock-chart-desc') || {}).textContent || '',
			paths: Array.from(svg.querySelectorAll('path')).map((p) => p.getAttribute('d')),
			legend: Array.from(svg.querySelectorAll('.legend text')).map((x) => x.textContent),
			width: svg.getBoundingClientRect().width,
			height: svg.getBoundingClientRect().height,
		};
	}).catch((e) => ({ error: String(e) }));
	const js = JSON.stringify(info);
	t.check(!info.error, 'the page has an SVG chart', js);
	t.check(info.labelledby && info.labelledby.includes('stock-chart-title') &&
	    info.labelledby.includes('stock-chart-desc') && info.title.includes(sku) && info.desc.trim() !== '',
	    'the chart is named by its title (with the SKU) and described', js);
	/* two series: the hub's available stock (12, 9, 7: three steps)
	 * and the channel's pushed quantity (7) */
	t.check(Array.isArray(info.paths) && info.paths.length === 2,
	    'the chart draws two series: the hub and the channel', js);
	t.check(Array.isArray(info.paths) && info.paths[0] && (info.paths[0].match(/V/g) || []).length === 2,
	    "the hub's line steps at each later movement", js);
	t.check(Array.isArray(info.legend) && info.legend.some((x) => x === 'available (hub): last 7') &&
	    info.legend.some((x) => x === `${acct} (pushed): last 7`),
	    "the legend names both series with their last figure", js);
	t.check(info.width > 0 && info.width <= 390, "the chart fits the phone's width", js);
	const w = await page.evaluate(() => document.documentElement.scrollWidth);
	t.check(w <= 390, "the page fits the phone's width", `scrollWidth ${w}`);

	/* the same events as text: the push first, then the movements */
	const rows = await page.locator('#history-table tbody tr').evaluateAll((trs) =>
		trs.map((tr) => ({ cls: tr.className, text: tr.innerText })));
	const kinds = rows.map((x) => x.cls).join(',');
	t.check(kinds === 'push,movement,movement,movement', 'the table lists the push and the three movements, newest first',
	    JSON.stringify(rows));
	t.check(rows.length === 4 && /push written/.test(rows[0].text) && rows[0].text.includes(acct),
	    'the push row says it was written, to which channel', JSON.stringify(rows[0]));
	t.check(rows.length === 4 && ['two chipped', 'shelf count', 'kiln batch'].every((x, i) => rows[i + 1].text.includes(x)),
	    'the movements are listed with their reasons', JSON.stringify(rows));
	t.check((await t.unlabelled(page)).length === 0, 'every input on the history page has a label');
	t.check(errors.length === 0, 'the history page logs no errors in the browser', ...errors);
	await page.screenshot({ path: path.join(t.shotDir(), 'history.png'), fullPage: true });
	await ctx.close();
});
