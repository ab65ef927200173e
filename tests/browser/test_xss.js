/*
 * A corpus of XSS payloads (tests/data/xss-payloads.txt, one a line)
 * stored everywhere the admin shows text that came from outside: SKU
 * titles, SKUs, a channel account's name and its listings' variation
 * names (through the command line, as a seller would), and a Shopify
 * sandbox buyer's order for payload SKUs the map does not know (the
 * unmapped-sale alert on the dashboard carries the SKU; the buyer's
 * e-mail is in the stored webhook). The hub keeps no buyer names of its
 * own (no column in sql/), so that is as far as buyer text goes.
 *
 * Then every admin page is loaded in Chromium: the dashboard, the stock
 * page of every payload item and every payload SKU, the SKU search with
 * every payload, the sign-in form sent back with a payload user name, and
 * every GET route of cgi-bin/admin.c, the pages about one record with
 * real ones that carry payloads (an item, a BOM parent, an Etsy account,
 * a reconciliation run: see records() and withIds). Each payload calls __xss(its line number), alert() or the
 * like when it runs: a page binding and a dialog listener record that.
 * The first pass runs with the pages' Content-Security-Policy bypassed,
 * so escaping alone must keep every payload inert; the second keeps the
 * CSP and also fails on any CSP violation report. Every payload must
 * also show up literally, character for character, where it is
 * displayed.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const t = require('./lib');

const tag = process.pid;
const payloads = fs.readFileSync(path.join(t.top, 'tests', 'data', 'xss-payloads.txt'), 'utf8')
    .split('\n').filter((l) => l !== '');
const itemSku = (i) => `XSS-${tag}-${i + 1}`;
const acctName = `"><svg onload=__xss(-1)> ${tag}`;

/* the first few of a list, for a diagnostic */
const some = (xs) => xs.slice(0, 8).map((x) => JSON.stringify(x));

/*
 * Each payload is an item's SKU and its title at once; a payload the SKU
 * rules refuse (over 64 characters, control characters) is the title of
 * the item XSS-<tag>-<line>. Every payload is also the variation name of
 * that item's listing on a (paused) account whose name is a payload.
 * [{ p, sku, refused }] per payload.
 */
function store() {
	const items = [];
	const refused = [];

	payloads.forEach((p, i) => {
		t.cli(['item', 'add', p, p]);
		if (t.cli(['item', 'show', p]).status === 0) {
			items.push({ p, sku: p });
			return;
		}
		refused.push(p);
		if (t.cli(['item', 'add', itemSku(i), p]).status === 0)
			items.push({ p, sku: itemSku(i), refused: true });
	});
	t.check(items.length === payloads.length, `all ${payloads.length} payloads are stored as SKU titles`,
	    `${items.length} stored`);
	/* SKUs are 1 to 64 printable characters */
	t.check(payloads.length - refused.length >= 200,
	    `${payloads.length - refused.length} payloads are stored as SKUs (the rest break the SKU rules)`,
	    ...some(refused));

	const r = t.cli(['account', 'add', 'amazon', acctName, 'https://sellingpartnerapi.invalid', `XSS${tag}`], '{}');
	if (r.status !== 0)
		throw new Error(`account add: ${r.out}`);
	/* paused: the listings below are for display only, never pushed */
	t.sql(`UPDATE channel_accounts SET paused = 1 WHERE name = ${t.sqlStr(acctName)}`);
	let mapped = 0;
	items.forEach((it, i) => {
		if (t.cli(['map', acctName, it.sku, `L${i + 1}`, it.p]).status === 0)
			mapped++;
	});
	t.check(mapped === payloads.length, `all ${payloads.length} payloads are stored as variation names of listings`,
	    `${mapped} mapped`);
	return items;
}

/* Run fn(page, x) for every x on n pages of ctx at once; an exception
 * (a page that did not load or lacks what fn reads) goes to errors. */
async function pool(ctx, n, xs, fn, errors) {
	let next = 0;
	const worker = async () => {
		const page = await ctx.newPage();
		page.setDefaultTimeout(15000);
		while (next < xs.length) {
			const x = xs[next++];
			try {
				await fn(page, x);
			} catch (e) {
				errors.push([x, String(e.message).split('\n')[0]]);
			}
		}
		await page.close();
	};
	await Promise.all(Array.from({ length: n }, worker));
}

/* Orders on the Shopify sandbox for variants whose SKUs are payloads
 * and that nobody mapped: the webhooks raise unmapped-sale alerts. */
async function buyerOrders() {
	const dom = `xss${tag}.myshopify.com`, secret = `xss-secret-${tag}`;
	const chosen = payloads.filter((p) => p.length <= 60 && !/[\x00-\x1f]/.test(p)).slice(0, 60);

	await t.sbx('SHOPIFY', 'POST', '/_sandbox/reset');
	await t.sbx('SHOPIFY', 'POST', '/_sandbox/config', { shop_domain: dom, client_secret: secret,
	    throttle: { maximum_available: 100000, restore_rate: 10000 } });
	const r = t.cli(['account', 'add', 'shopify', `xss shop ${tag}`, process.env.SANDBOX_SHOPIFY_URL, dom],
	    JSON.stringify({ access_token: 'shpat_sandbox_token', webhook_secret: secret, location_id: '1' }));
	if (r.status !== 0)
		throw new Error(`account add shopify: ${r.out}`);
	/* subscribe this stack's hook URL (the config's public address is
	 * another port, see test_admin_ui.js) */
	const q = 'mutation($t: WebhookSubscriptionTopic!, $u: String!) { webhookSubscriptionCreate(topic: $t, ' +
	    'webhookSubscription: { uri: $u, format: JSON }) { userErrors { message } } }';
	const gq = await fetch(`${process.env.SANDBOX_SHOPIFY_URL}/admin/api/2026-04/graphql.json`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': 'shpat_sandbox_token' },
		body: JSON.stringify({ query: q, variables: { t: 'ORDERS_CREATE', u: `${t.base}/hooks/shopify` } }),
	});
	const gj = await gq.json();
	if (!gj.data || gj.data.webhookSubscriptionCreate.userErrors.length !== 0)
		throw new Error(`subscribe: ${JSON.stringify(gj)}`);
	const p = await t.sbx('SHOPIFY', 'POST', '/_sandbox/products', { title: 'XSS corpus',
	    variants: chosen.map((sku) => ({ sku, available: 5 })) });
	if (p.status >= 300)
		throw new Error(`products: ${p.text}`);
	let placed = 0;
	for (let i = 0; i < chosen.length; i++) {
		const o = await t.sbx('SHOPIFY', 'POST', '/_sandbox/orders', {
			email: payloads[i].slice(0, 120), line_items: [{ sku: chosen[i], quantity: 1 }] });
		if (o.status === 201)
			placed++;
	}
	await t.sbx('SHOPIFY', 'POST', '/_sandbox/webhooks/flush');
	await t.tick();
	const n = t.sql(`SELECT COUNT(*) FROM alerts a JOIN channel_accounts ca ON ca.id = a.account_id WHERE ` +
	    `ca.name = ${t.sqlStr(`xss shop ${tag}`)} AND a.kind = 'unmapped_sale' AND a.resolved_at IS NULL`)[0][0];
	t.check(placed === chosen.length && Number(n) === chosen.length,
	    `${chosen.length} buyers' orders of payload SKUs become unmapped-sale alerts`,
	    `${placed} orders, ${n} alerts`);
	return chosen;
}

/*
 * The records the pages about one record are shown with, all carrying
 * payloads: an item stored with a payload SKU, a BOM (a kit of two
 * payload items), a paused Etsy account whose name is a payload, and a
 * reconciliation run over the Shopify shop whose unmapped SKUs are
 * payloads (buyerOrders). { sku, bomParent, etsyAcct, runId }
 */
function records(items, chosen) {
	const plain = items.filter((it) => !it.refused && !/[:\s]/.test(it.sku));
	const out = { sku: plain[0].sku, bomParent: plain[1].sku };
	let r = t.cli(['bom', 'set', plain[1].sku, `${plain[2].sku}:1`, `${plain[3].sku}:2`, 'kit']);
	t.check(r.status === 0, 'a kit of payload items is stored as a BOM', r.out);
	const name = `"><img src=x onerror=__xss(-2)> etsy ${tag}`;
	r = t.cli(['account', 'add', 'etsy', name, 'http://127.0.0.1:9', `66${tag}`], '{}');
	const m = r.out.match(/^account (\d+):/m);
	t.check(m !== null, 'an Etsy account with a payload name is stored', r.out);
	out.etsyAcct = m ? m[1] : '0';
	t.sql(`UPDATE channel_accounts SET paused = 1 WHERE name = ${t.sqlStr(name)}`);
	const shop = t.sql(`SELECT id FROM channel_accounts WHERE name = ${t.sqlStr(`xss shop ${tag}`)}`)[0][0];
	r = t.cli(['reconcile', shop]);
	const run = r.out.match(/^reconciliation run (\d+):/m);
	t.check(run !== null, `a reconciliation run over the payload shop (${chosen.length} unmapped payload SKUs)`, r.out);
	out.runId = run ? run[1] : '0';
	return out;
}

/* A context whose pages report any payload that runs into hits. */
async function watched(browser, bypassCSP, hits) {
	const ctxOpts = await t.phone(browser, { bypassCSP });
	await ctxOpts.exposeBinding('__xss', (src, n) => {
		hits.push(`__xss(${n}) ran on ${src.page ? src.page.url() : '?'}`);
	});
	/* a violation means markup from data reached the page */
	await ctxOpts.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			window.__xss(`CSP ${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
		});
	});
	ctxOpts.on('page', (page) => {
		page.on('dialog', (d) => {
			hits.push(`${d.type()}(${d.message()}) on ${page.url()}`);
			d.dismiss().catch(() => {});
		});
		page.on('console', (m) => {
			if (/Content.Security.Policy/i.test(m.text()))
				hits.push(`console: ${m.text()} on ${page.url()}`);
		});
	});
	return ctxOpts;
}

/* Load a page and let any timer or autofocus handler fire. */
async function visit(page, p) {
	const r = await page.goto(p, { waitUntil: 'load' });
	await page.waitForTimeout(20);
	return r;
}

async function signIn(ctx, user, pw) {
	const page = await ctx.newPage();
	await t.signIn(page, user, pw);
	return page;
}

t.run(async (launch) => {
	t.check(payloads.length >= 200 && new Set(payloads).size === payloads.length,
	    `the corpus has at least 200 distinct payloads (${payloads.length})`);
	const items = store();
	const chosen = await buyerOrders();
	const user = `xss${tag}`;
	const pw = t.addUser(user);
	const browser = await launch();

	/* ---- pass 1: CSP bypassed, escaping alone ---- */
	const hits = [];
	const ctx = await watched(browser, true, hits);
	const page = await signIn(ctx, user, pw);

	await visit(page, '/admin/');
	const lowRows = await page.locator('table[aria-labelledby="low"] tbody tr').evaluateAll((trs) =>
		trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]));
	const listed = lowRows.filter(([s]) => payloads.includes(s));
	const wrong = listed.filter(([s, title]) => s !== title);
	t.check(listed.length > 0 && wrong.length === 0,
	    `the dashboard's low-stock table shows the ${listed.length} payload SKUs and titles it lists exactly`, ...some(wrong));
	const alerts = (await page.locator('ul.alerts li').allTextContents()).join('\n');
	const lost = chosen.filter((s) => !alerts.includes(`SKU '${s}'`));
	t.check(lost.length === 0, `the dashboard's alerts show the ${chosen.length} buyers' payload SKUs literally`,
	    ...some(lost));

	/* each payload item's page: SKU and title, also in its forms, and
	 * its listing: account name and variation; a refused SKU searched
	 * for: "no such SKU", quoting it */
	const badItem = [], badSearch = [], badVariant = [], badAcct = [], broken = [];
	await pool(ctx, 3, items, async (pg, it) => {
		await visit(pg, `/admin/stock?sku=${encodeURIComponent(it.sku)}`);
		const head = await pg.locator('main > p').first().textContent();
		const hidden = await pg.locator('input[name="sku"]').first().inputValue();
		if (head !== `${it.sku}: ${it.p}` || hidden !== it.sku)
			badItem.push([it.p, head, hidden]);
		const row = await pg.locator('table[aria-labelledby="listings"] tbody tr').first()
		    .evaluate((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]).catch(() => ['', '']);
		if (row[1] !== `L${items.indexOf(it) + 1} ${it.p}`)
			badVariant.push([it.p, row[1]]);
		if (!row[0].startsWith(`${acctName} (amazon)`))
			badAcct.push(row[0]);
		if (!it.refused)
			return;
		await visit(pg, `/admin/stock?sku=${encodeURIComponent(it.p)}`);
		const msg = await pg.getByRole('alert').textContent();
		const typed = await pg.getByLabel('Find a SKU').inputValue();
		if (!msg.includes(`"${it.p}"`) || typed !== it.p)
			badSearch.push([it.p, msg, typed]);
	}, broken);
	t.check(broken.length === 0, `each of the ${items.length} payload items' pages loads with its figures and forms`,
	    ...some(broken));
	t.check(badItem.length === 0, `the stock page of each of the ${items.length} payload items shows its SKU and title exactly`,
	    ...some(badItem));
	t.check(badVariant.length === 0, `the stock page shows each of the ${items.length} payload variation names exactly`,
	    ...some(badVariant));
	t.check(badAcct.length === 0, 'the stock page shows a payload account name exactly', ...some(badAcct));
	const nref = items.filter((it) => it.refused).length;
	t.check(badSearch.length === 0, `a search for each of the ${nref} payloads refused as SKUs says so, quoting it exactly`,
	    ...some(badSearch));

	/* the sign-in form sent back with a payload as the user name (an
	 * empty password: refused before any sign-in attempt is counted) */
	const lp = await ctx.newPage();
	lp.setDefaultTimeout(15000);
	const badName = [];
	for (const p of payloads.filter((x) => x.length <= 64).slice(0, 20)) {
		try {
			await ctx.clearCookies();
			await visit(lp, '/admin/login');
			await lp.getByLabel('User name').evaluate((el, v) => { el.value = v; }, p);
			await Promise.all([lp.waitForNavigation(), lp.locator('form[action="/admin/login"]')
			    .evaluate((f) => f.submit())]);
			await lp.waitForTimeout(20);
			const v = await lp.getByLabel('User name').inputValue();
			if (v !== p)
				badName.push([p, v]);
		} catch (e) {
			badName.push([p, String(e.message).split('\n')[0]]);
		}
	}
	t.check(badName.length === 0, 'the sign-in form sent back keeps 20 payload user names exactly', ...some(badName));
	await lp.close();

	/* every GET page of the route table. The pages about one record get
	 * real ones that carry payloads: an item whose SKU and title are a
	 * payload (history, map, audit), a BOM parent with payload parts, the
	 * payload-named Amazon and Etsy accounts (channel, Etsy status), a
	 * reconciliation run over the shop whose SKUs are payloads; any other
	 * route gets its bare path and a query of every usual parameter. A
	 * download (an attachment, or not HTML) is fetched, not shown. */
	await ctx.clearCookies();
	const page2 = await signIn(ctx, user, pw);
	const ids = t.sql(`SELECT id, sku FROM stock_items WHERE sku LIKE 'XSS-${tag}-%' ORDER BY id LIMIT 5`);
	const acct = t.sql(`SELECT id FROM channel_accounts WHERE name = ${t.sqlStr(acctName)}`)[0][0];
	const rec = records(items, chosen);
	const enc = encodeURIComponent;
	const withIds = {
		'/admin/sku': [`sku=${enc(rec.sku)}`],
		'/admin/map/item': [`sku=${enc(rec.sku)}`],
		'/admin/audit': [`sku=${enc(rec.sku)}`],
		'/admin/bom': [`sku=${enc(rec.bomParent)}`],
		'/admin/channel': [`id=${acct}`, `id=${rec.etsyAcct}`],
		'/admin/etsy/status': [`account=${rec.etsyAcct}`],
		'/admin/recon/': [`${rec.runId}`],
	};
	const visited = [], statuses = [], downloads = [];
	for (const r of t.routes()) {
		if (r.method !== 'GET' || /\.(css|js)$/.test(r.path) || r.path === '/admin/login')
			continue;
		const targets = [];
		if (withIds[r.path] && r.path.endsWith('/'))
			for (const id of withIds[r.path])
				targets.push(`${r.path}${id}`);
		else if (withIds[r.path])
			for (const q of withIds[r.path])
				targets.push(`${r.path}?${q}`);
		else if (r.path.endsWith('/') && r.path !== '/admin/')
			for (const [id, sku] of ids)
				targets.push(`${r.path}${id}`, `${r.path}${enc(sku)}`);
		else
			targets.push(r.path, `${r.path}?sku=${enc(payloads[0])}&account=${acct}&id=${ids[0][0]}`);
		for (const p of targets) {
			if ((await t.probe(page2, p).catch(() => ({ download: false }))).download) {
				downloads.push(p);
				continue;
			}
			const resp = await visit(page2, p).catch(() => null);
			if (withIds[r.path])
				statuses.push(`${p}: ${resp ? resp.status() : 'no answer'}`);
			visited.push(p);
		}
	}
	const notFound = statuses.filter((x) => !/: 200$/.test(x));
	t.check(statuses.length >= 8 && notFound.length === 0,
	    `the ${statuses.length} pages about one record were loaded with real ids (each answered 200)`,
	    ...notFound, ...statuses);
	t.check(rec.runId && statuses.some((x) => x.startsWith(`/admin/recon/${rec.runId}:`)),
	    'a reconciliation run over the payload shop is among them', JSON.stringify(rec));
	t.check(visited.length >= 4, `every GET route was loaded (${visited.length} pages)`, ...visited);
	t.check(hits.length === 0, 'no payload ran on any page with the CSP bypassed (escaping alone)', ...hits.slice(0, 20));
	await ctx.close();

	/* ---- pass 2: the CSP as served; no payload runs, no violation ---- */
	const hits2 = [];
	const ctx2 = await watched(browser, false, hits2);
	const p2 = await signIn(ctx2, user, pw);
	await visit(p2, '/admin/');
	for (let i = 0; i < items.length; i += 7)
		await visit(p2, `/admin/stock?sku=${encodeURIComponent(items[i].sku)}`);
	for (const p of visited)
		await visit(p2, p).catch(() => {});
	t.check(hits2.length === 0, 'with the CSP as served no payload ran and no CSP violation was reported', ...hits2.slice(0, 20));
	await ctx2.close();

	/* the display-only listings and the payload items go again (they
	 * never moved stock), so the tests after this one, and the ASan
	 * suite on the same database, see the dashboard they expect */
	const a = Number(acct);
	t.sql(`DELETE pq FROM push_queue pq JOIN channel_listings cl ON cl.id = pq.listing_id WHERE cl.account_id = ${a}`);
	t.sql(`DELETE FROM push_log WHERE listing_id IN (SELECT id FROM channel_listings WHERE account_id = ${a})`);
	t.sql(`DELETE FROM channel_listings WHERE account_id = ${a}`);
	t.sql(items.map((it) => `DELETE FROM stock_items WHERE sku = ${t.sqlStr(it.sku)} AND title = ${t.sqlStr(it.p)} ` +
	    'AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.item_id = stock_items.id) ' +
	    'AND NOT EXISTS (SELECT 1 FROM bom_lines b WHERE stock_items.id IN (b.parent_id, b.component_id)) ' +
	    'AND NOT EXISTS (SELECT 1 FROM bom_audit b WHERE b.parent_id = stock_items.id)').join(';\n'));
	t.sql(`UPDATE alerts SET resolved_at = CURRENT_TIMESTAMP(6) WHERE account_id = (SELECT id FROM channel_accounts ` +
	    `WHERE name = ${t.sqlStr(`xss shop ${tag}`)}) AND resolved_at IS NULL`);
});
