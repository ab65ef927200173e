/*
 * The stock history page with its SVG chart in the browser (issue #7):
 * the movements of a SKU drawn as a labelled chart that fits a phone,
 * with the same figures readable as text. The page comes from another
 * branch: this test skips (TAP # SKIP) only while cgi-bin/admin.c has no
 * route with "history" in it; selectors are collected in SEL below.
 */
'use strict';

const path = require('path');
const t = require('./lib');

const SEL = {
	route: /history/,	/* the history page (GET) */
	chart: 'main svg',	/* the chart */
};

const pid = process.pid;
const sku = `HIST-${pid}`;

t.run(async (launch) => {
	const route = t.findRoute('GET', SEL.route);
	if (route === null) {
		t.skip('the history page draws a SKU\'s movements as a chart', 'no history route in cgi-bin/admin.c yet');
		return;
	}
	const user = `hist${pid}`;
	const pw = t.addUser(user);
	t.cli(['item', 'add', sku, 'History mug']);
	t.cli(['move', sku, 'receive', '12', 'kiln batch']);
	t.cli(['move', sku, 'count', '9', 'shelf count']);
	t.cli(['move', sku, 'adjust', '-2', 'two chipped']);
	const id = t.sql(`SELECT id FROM stock_items WHERE sku = ${t.sqlStr(sku)}`)[0][0];

	const browser = await launch();
	const ctx = await t.phone(browser);
	const page = await ctx.newPage();
	const errors = [];
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	await t.signIn(page, user, pw);
	/* a prefix route takes the item's id; a page takes ?sku= */
	const url = route.path.endsWith('/') && route.path !== '/admin/' ? `${route.path}${id}` :
	    `${route.path}?sku=${encodeURIComponent(sku)}`;
	const resp = await page.goto(url);
	t.check(resp && resp.status() === 200, `the history page of a SKU opens (${url})`, resp && resp.status());
	const chart = page.locator(SEL.chart).first();
	const info = await chart.evaluate((svg) => ({
		name: svg.getAttribute('aria-label') || (svg.querySelector('title') || {}).textContent ||
		    (svg.getAttribute('aria-labelledby') && document.getElementById(svg.getAttribute('aria-labelledby'))
			? document.getElementById(svg.getAttribute('aria-labelledby')).textContent : ''),
		role: svg.getAttribute('role'),
		marks: svg.querySelectorAll('path, polyline, line, rect, circle').length,
		width: svg.getBoundingClientRect().width,
	})).catch(() => null);
	t.check(info !== null, 'the page has an SVG chart');
	if (info !== null) {
		t.check(info.name && info.name.trim() !== '', 'the chart has an accessible name', JSON.stringify(info));
		t.check(info.marks >= 3, 'the chart draws the movements', JSON.stringify(info));
		t.check(info.width > 0 && info.width <= 390, "the chart fits the phone's width", JSON.stringify(info));
	}
	const text = await page.textContent('main');
	t.check(['kiln batch', 'shelf count', 'two chipped'].every((r) => text.includes(r)),
	    'the movements are also listed as text, with their reasons', text.slice(0, 400));
	t.check((await t.unlabelled(page)).length === 0, 'every input on the history page has a label');
	t.check(errors.length === 0, 'the history page logs no errors in the browser', ...errors);
	await page.screenshot({ path: path.join(t.shotDir(), 'history.png'), fullPage: true });
	await ctx.close();
});
