/*
 * The admin web UI in headless Chromium on a phone-sized screen
 * (390x844): signing in (a wrong password says so), signing in with the
 * keyboard only, a form whose CSRF field was tampered with refused with
 * the 403 page, a shelf count typed into the stock page reaching the
 * sandbox Shopify and Etsy shops, every input labelled, no page wider
 * than the phone (every GET page of the route table, with real ids where
 * a page takes one; a download is told apart by its response and only
 * checked to be one), and screenshots of the main pages.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const t = require('./lib');

const pid = process.pid;
const user = `brw${pid}`;
const sku = `BRW-${pid}`;
const shopDomain = `brw${pid}.myshopify.com`;
const shopifyName = `browser shopify ${pid}`;
const etsyName = `browser etsy ${pid}`;
const etsyShop = 7800000 + (pid % 100000);
const etsyUser = 9800000 + (pid % 100000);

/* Check a page: every input labelled, nothing wider than the phone. */
async function pageChecks(page, what) {
	const bad = await t.unlabelled(page);
	t.check(bad.length === 0, `every input on ${what} has a label`, ...bad);
	const w = await page.evaluate(() => document.documentElement.scrollWidth);
	t.check(w <= 390, `${what} fits the phone's width (no sideways scrolling)`, `scrollWidth ${w}`);
}

async function shot(page, name) {
	const f = path.join(t.shotDir(), `${name}.png`);
	await page.screenshot({ path: f, fullPage: true });
	t.check(fs.statSync(f).size > 1000, `a screenshot of ${name} is saved`, f);
}

/* Connect hub accounts to both sandbox shops, each listing our SKU. */
async function channels() {
	let r;

	await t.sbx('SHOPIFY', 'POST', '/_sandbox/reset');
	await t.sbx('SHOPIFY', 'POST', '/_sandbox/config',
	    { shop_domain: shopDomain, client_secret: `brw-secret-${pid}` });
	r = await t.sbx('SHOPIFY', 'POST', '/_sandbox/products',
	    { title: 'Browser mug', variants: [{ sku, available: 0 }] });
	if (r.status >= 300)
		throw new Error(`shopify product: ${r.text}`);
	r = t.cli(['account', 'add', 'shopify', shopifyName, process.env.SANDBOX_SHOPIFY_URL, shopDomain],
	    JSON.stringify({ access_token: 'shpat_sandbox_token', webhook_secret: `brw-secret-${pid}`, location_id: '1' }));
	if (r.status !== 0)
		throw new Error(`account add shopify: ${r.out}`);
	r = t.cli(['shopify', 'map', shopifyName, sku]);
	if (r.status !== 0)
		throw new Error(`shopify map: ${r.out}`);

	const key = 'brwkeystring0001', sec = 'brwsharedsecret1';
	await t.sbx('ETSY', 'POST', '/_sandbox/reset');
	await t.sbx('ETSY', 'POST', '/_sandbox/credentials', { keystring: key, shared_secret: sec });
	await t.sbx('ETSY', 'POST', '/_sandbox/rate-limits', { per_second: 1000, per_day: 1000000 });
	await t.sbx('ETSY', 'POST', '/_sandbox/shops', { shop_id: etsyShop, user_id: etsyUser, shop_name: `Browser${pid}` });
	await t.sbx('ETSY', 'POST', '/_sandbox/oauth', { auto_approve: true, user_id: etsyUser });
	r = t.cli(['account', 'add', 'etsy', etsyName, process.env.SANDBOX_ETSY_URL, String(etsyShop)],
	    JSON.stringify({ keystring: key, shared_secret: sec }));
	const m = r.out.match(/^account (\d+):/m);
	if (!m)
		throw new Error(`account add etsy: ${r.out}`);
	r = await t.sbx('ETSY', 'POST', '/_sandbox/listings', { shop_id: etsyShop, title: 'Browser mug',
	    products: [{ sku, quantity: 1, price: 28.0 }] });
	const listing = r.json && r.json.listing_id;
	if (!listing)
		throw new Error(`etsy listing: ${r.text}`);
	return { etsyAcct: m[1], listing };
}

async function etsyShown(listing) {
	const st = (await t.sbx('ETSY', 'GET', '/_sandbox/state')).json;
	for (const l of st.listings || []) {
		if (l.listing_id !== listing)
			continue;
		for (const p of (l.inventory && l.inventory.products) || []) {
			if (p.sku !== sku)
				continue;
			const of = p.offerings[0];
			return l.state === 'active' && of.is_enabled ? of.quantity : 0;
		}
	}
	return -1;
}

async function shopifyShown() {
	const st = (await t.sbx('SHOPIFY', 'GET', '/_sandbox/state')).json;
	const l = (st.levels || []).find((x) => x.sku === sku);
	return l ? l.available : -999;
}

t.run(async (launch) => {
	const browser = await launch();
	const pw = t.addUser(user);
	t.cli(['item', 'add', sku, 'Browser mug']);
	t.cli(['move', sku, 'receive', '5', 'first batch']);

	const ctx = await t.phone(browser);
	const page = await ctx.newPage();

	/* an anonymous visitor lands on the sign-in page */
	await page.goto('/admin/');
	t.check(new URL(page.url()).pathname === '/admin/login',
	    'an anonymous visitor of the dashboard is sent to the sign-in page', page.url());
	await pageChecks(page, 'the sign-in page');
	await shot(page, 'login');

	/* a wrong password */
	await page.getByLabel('User name').fill(user);
	await page.getByLabel('Password').fill('not the password');
	const [bad] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: 'Sign in' }).click(),
	]);
	const alert = await page.getByRole('alert').allTextContents();
	t.check(bad.status() === 401 && alert.some((a) => a.includes('user name or the password is wrong')),
	    'a wrong password is refused with a message saying so', `status ${bad.status()}`, alert.join(' | '));
	t.check(await page.getByLabel('User name').inputValue() === user,
	    'the refused sign-in keeps the user name typed');

	/* keyboard only: Tab to the user name, type, Tab, type, Enter */
	await page.goto('/admin/login');
	const order = [];
	for (let i = 0; i < 6; i++) {
		await page.keyboard.press('Tab');
		const id = await page.evaluate(() => document.activeElement.id ||
		    document.activeElement.textContent.trim());
		order.push(id);
		if (id === 'name')
			break;
	}
	t.check(order[0] === 'Skip to the content', 'the first Tab stop skips to the content', order.join(', '));
	t.check(order[order.length - 1] === 'name', 'the user name field is reached with Tab', order.join(', '));
	await page.keyboard.type(user);
	await page.keyboard.press('Tab');
	t.check(await page.evaluate(() => document.activeElement.id) === 'password',
	    'Tab goes on to the password field');
	await page.keyboard.type(pw);
	await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
	t.check(new URL(page.url()).pathname === '/admin/' &&
	    (await page.getByRole('heading', { level: 1 }).textContent()) === 'Dashboard',
	    'Enter signs in and opens the dashboard (keyboard only)', page.url());
	const cookies = await ctx.cookies();
	const sid = cookies.find((c) => c.name === '__Host-sid');
	t.check(sid && sid.httpOnly && sid.sameSite === 'Strict', 'the browser keeps an HttpOnly, SameSite=Strict session cookie',
	    JSON.stringify(cookies.map((c) => c.name)));

	/* the channels: Shopify by the command line, Etsy connected from the
	 * dashboard through the sandbox's consent page */
	const ch = await channels();
	/* the stack's public_base_url names port 8080 (tools/stack.sh writes
	 * the config before the test's port is known), so Etsy sends the
	 * browser back there: answer for that address as DNS for the real
	 * public address would, with a redirect to this stack */
	const here = new URL(t.base);
	await ctx.route((u) => u.pathname === '/admin/etsy/callback' && u.host !== here.host, (route) => {
		const u = new URL(route.request().url());
		route.fulfill({ status: 302, headers: { Location: `${t.base}${u.pathname}${u.search}` } });
	});
	await page.goto('/admin/');
	await pageChecks(page, 'the dashboard');
	await page.getByRole('row', { name: new RegExp(etsyName) }).getByRole('link', { name: 'Connect' }).click();
	await page.waitForURL(/\/admin\/\?done=etsy_connected/, { timeout: 20000 }).catch(() => {});
	t.check(/\/admin\/\?done=etsy_connected$/.test(page.url()) &&
	    (await page.getByRole('status').allTextContents()).some((s) => s.includes('Etsy shop is connected')),
	    'Connect on the dashboard connects the Etsy shop through its consent page', page.url());
	const mapped = t.cli(['map', etsyName, sku, String(ch.listing)]);
	t.check(mapped.status === 0, 'the Etsy listing is mapped', mapped.out);

	/* the stock page: count the shelf */
	await page.goto('/admin/');
	await page.getByLabel('Find a SKU').fill(sku);
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Show stock' }).click()]);
	t.check((await page.textContent('main')).includes(sku), 'the SKU search opens the stock page');
	await pageChecks(page, 'the stock page');
	const count = page.locator('fieldset', { has: page.locator('legend', { hasText: 'Count' }) });
	await count.getByLabel('Units').fill('7');
	await count.getByLabel('Reason').fill('shelf count');
	const [counted] = await Promise.all([
		page.waitForNavigation(),
		count.getByRole('button', { name: 'Count' }).click(),
	]);
	const figures = await page.locator('dl.figures').innerText();
	t.check(counted.ok() && (await page.getByRole('status').textContent()).includes('Counted') &&
	    /On hand\s*7/.test(figures), 'a count typed in the stock page sets on hand', figures);
	t.check(/on_hand=7 /.test(t.cli(['item', 'show', sku]).out), 'the count is in the ledger');

	/* the channels follow: the push after the answer, then the timer */
	let shop = -999, etsy = -1;
	for (let i = 0; i < 40 && (shop !== 7 || etsy !== 7); i++) {
		if (i % 5 === 0)
			await t.tick();
		shop = await shopifyShown();
		etsy = await etsyShown(ch.listing);
		if (shop !== 7 || etsy !== 7)
			await new Promise((res) => setTimeout(res, 250));
	}
	t.check(shop === 7, 'the count reaches the sandbox Shopify shop', `Shopify shows ${shop}`);
	t.check(etsy === 7, 'the count reaches the sandbox Etsy shop', `Etsy shows ${etsy}`);
	await page.reload();
	const rows = await page.locator('table[aria-labelledby="listings"] tbody tr').allInnerTexts();
	t.check(rows.length === 2 && rows.every((r) => /\t7\t7\t/.test(r.replace(/ +/g, ' '))),
	    'the stock page shows both channels should show 7 and were sent 7', ...rows);
	await shot(page, 'stock');
	await page.goto('/admin/');
	await shot(page, 'dashboard');
	await page.goto('/admin/stock');
	await pageChecks(page, 'the SKU search page');

	/* a tampered CSRF field: the 403 page, nothing moved */
	await page.goto(`/admin/stock?sku=${encodeURIComponent(sku)}`);
	const recv = page.locator('fieldset', { has: page.locator('legend', { hasText: 'Receive' }) });
	await recv.locator('input[name="csrf"]').evaluate((el) => { el.value = `0${el.value.slice(1)}`; });
	await recv.getByLabel('Units').fill('3');
	await recv.getByLabel('Reason').fill('tampered');
	const [refused] = await Promise.all([
		page.waitForNavigation(),
		recv.getByRole('button', { name: 'Receive' }).click(),
	]);
	t.check(refused.status() === 403 &&
	    (await page.getByRole('heading', { level: 1 }).textContent()) === 'Refused' &&
	    (await page.getByRole('alert').textContent()).includes('did not come from this site'),
	    'a form with a tampered CSRF field is refused with the 403 page', `status ${refused.status()}`);
	t.check(/on_hand=7 /.test(t.cli(['item', 'show', sku]).out), 'the refused form moved nothing');
	await shot(page, 'refused');

	/* every other page in the route table: labelled, phone-wide; a page
	 * taking a parameter gets a real one. A download (an attachment, or
	 * anything but HTML: CSV, JSON, scripts) is no page to look at: the
	 * response is asked for first, with the browser's session, and a
	 * download is only checked to be one. */
	const params = {
		'/admin/map/item': `sku=${encodeURIComponent(sku)}`,
		'/admin/sku': `sku=${encodeURIComponent(sku)}`,
		'/admin/bom': `sku=${encodeURIComponent(sku)}`,
		'/admin/channel': `id=${ch.etsyAcct}`,
		'/admin/etsy/status': `account=${ch.etsyAcct}`,
	};
	const downloads = [];
	for (const r of t.routes()) {
		if (r.method !== 'GET' || r.path.endsWith('/') ||
		    ['/admin/login', '/admin/stock', '/admin/etsy/connect', '/admin/etsy/callback'].includes(r.path))
			continue;
		const url = params[r.path] ? `${r.path}?${params[r.path]}` : r.path;
		if (new URL(page.url()).host !== here.host)
			await page.goto('/admin/');
		const head = await t.probe(page, url);
		if (head.download) {
			downloads.push(`${r.path} (${head.status} ${head.type}${head.disposition ? `; ${head.disposition}` : ''})`);
			t.check(head.status === 200 && (/^\s*attachment/i.test(head.disposition) || /\.(css|js|json|csv)$/.test(r.path)),
			    `${r.path} is a download or an asset, not a page (attachment, or named for its type)`,
			    `status ${head.status}`, `Content-Type: ${head.type}`, `Content-Disposition: ${head.disposition}`);
			continue;
		}
		const resp = await page.goto(url);
		if (new URL(page.url()).host !== here.host || !resp)
			continue;
		t.check(resp.status() < 400, `the page ${url} opens`, `status ${resp.status()}`);
		await pageChecks(page, `the page ${r.path}`);
		await shot(page, r.path.replace(/^\/admin\//, '').replace(/[^A-Za-z0-9]+/g, '-'));
	}
	t.check(downloads.some((d) => d.startsWith('/admin/map/export ')),
	    'the walk told the SKU map export apart as a download', ...downloads);

	/* sign out with the header's button */
	await page.goto('/admin/');
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /^Sign out/ }).click()]);
	t.check(new URL(page.url()).pathname === '/admin/login', 'Sign out returns to the sign-in page', page.url());
	await page.goto('/admin/');
	t.check(new URL(page.url()).pathname === '/admin/login', 'after signing out the dashboard asks to sign in again');
	await ctx.close();
	/* the later tests reset the sandboxes: these accounts rest */
	t.sql(`UPDATE channel_accounts SET paused = 1 WHERE name IN (${t.sqlStr(shopifyName)}, ${t.sqlStr(etsyName)})`);
});
