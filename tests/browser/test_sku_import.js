/*
 * The SKU map's CSV import in the browser (GET/POST /admin/map/import,
 * lib/admin_map.c): a listing mapped to one SKU, then a file (the hub's
 * own layout, chosen with the file picker) that maps the same listing to
 * another SKU. The review page (#import-apply-form) shows the conflict
 * side by side and changes nothing yet; the seller picks the CSV's side
 * (#p<N>-csv) and applies (#import-apply); the listing then maps to the
 * file's SKU, and the map page says the import was applied. A second
 * import of the same conflict where the seller keeps the hub's side
 * (the default) changes nothing.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const t = require('./lib');

const pid = process.pid;
const acct = `import shop ${pid}`;
const skuA = `IMP-A-${pid}`, skuB = `IMP-B-${pid}`, listing = `${900000 + (pid % 100000)}`;
const HEADER = 'sku,title,account,ext_listing,ext_variant,ext_location,channel_sku';

function mappedTo() {
	const r = t.sql(`SELECT i.sku FROM channel_listings cl JOIN stock_items i ON i.id = cl.item_id ` +
	    `JOIN channel_accounts ca ON ca.id = cl.account_id WHERE ca.name = ${t.sqlStr(acct)} ` +
	    `AND cl.ext_listing = ${t.sqlStr(listing)}`);
	return r.map((x) => x[0]).join();
}

/* Upload csv (a file path) from the import form; the review page's conflict
 * row for our listing: { index, text } or null. */
async function review(page, csv) {
	await page.goto('/admin/map/import');
	await page.locator('#import-source').selectOption('hub');
	await page.locator('#import-file').setInputFiles(csv);
	const [resp] = await Promise.all([page.waitForNavigation(), page.locator('#import-review').click()]);
	t.check(resp && resp.status() === 200 && await page.locator('#import-apply-form').count() === 1,
	    'the upload opens the review page, not yet applied', resp && resp.status());
	const rows = await page.locator('#import-apply-form table[aria-labelledby="import-conflicts"] tbody tr')
	    .evaluateAll((trs) => trs.map((tr) => {
		const r = tr.querySelector('input[type="radio"][value="csv"]');
		return { id: r ? r.id : '', text: tr.innerText };
	}));
	const row = rows.find((x) => x.text.includes(`listing ${listing}`));
	return row ? { index: row.id.replace(/^p(\d+)-csv$/, '$1'), text: row.text } : null;
}

t.run(async (launch) => {
	if (!t.check(t.findRoute('POST', /^\/admin\/map\/import$/) !== null,
	    'the route table has the SKU map import POST /admin/map/import'))
		return;
	const user = `imp${pid}`;
	const pw = t.addUser(user);
	t.cli(['item', 'add', skuA, 'Import mug A']);
	t.cli(['item', 'add', skuB, 'Import mug B']);
	/* eBay: no adapter polls it, so the listing stays as mapped */
	let r = t.cli(['account', 'add', 'ebay', acct, 'http://127.0.0.1:9', `imp${pid}`]);
	if (r.status !== 0)
		throw new Error(`account add: ${r.out}`);
	r = t.cli(['map', acct, skuA, listing]);
	t.check(r.status === 0 && mappedTo() === skuA, 'the listing starts mapped to the first SKU', r.out, mappedTo());

	const csv = path.join(t.shotDir(), `import-${pid}.csv`);
	fs.writeFileSync(csv, `${HEADER}\r\n${skuB},Import mug B,${acct},${listing},,,${skuB}\r\n`);

	const browser = await launch();
	const ctx = await t.phone(browser);
	const page = await ctx.newPage();
	await t.signIn(page, user, pw);
	await page.goto('/admin/map/import');
	const bad = await t.unlabelled(page);
	t.check(bad.length === 0, 'every input of the import form has a label', ...bad);

	/* keep the hub's side (the default): nothing changes */
	let row = await review(page, csv);
	t.check(row !== null && row.text.includes(skuA) && row.text.includes(skuB),
	    'the review shows the conflict with both SKUs side by side', row && row.text);
	t.check(mappedTo() === skuA, 'nothing changes before the seller decides', mappedTo());
	if (row !== null) {
		t.check(await page.locator(`#p${row.index}-hub`).isChecked(), "the hub's side is chosen unless the seller picks");
		await Promise.all([page.waitForNavigation(), page.locator('#import-apply').click()]);
		t.check(mappedTo() === skuA, "applying with the hub's side kept leaves the listing where it was", mappedTo());
	}

	/* pick the file's side: the listing moves to the file's SKU */
	row = await review(page, csv);
	t.check(row !== null, 'the same file shows the conflict again');
	if (row !== null) {
		const bad2 = await t.unlabelled(page);
		t.check(bad2.length === 0, 'every choice on the review page has a label', ...bad2);
		await page.screenshot({ path: path.join(t.shotDir(), 'sku-import-conflict.png'), fullPage: true });
		await page.getByLabel("the CSV's").and(page.locator(`#p${row.index}-csv`)).check();
		const [done] = await Promise.all([page.waitForNavigation(), page.locator('#import-apply').click()]);
		const u = new URL(page.url());
		t.check(done && done.ok() && u.pathname === '/admin/map' && u.searchParams.get('done') === 'import',
		    'applying returns to the SKU map, which says the import was applied', page.url());
		t.check(mappedTo() === skuB, "the seller's choice is applied: the listing maps to the file's SKU", mappedTo());
	}
	/* an eBay account has no adapter: drop the pushes the move queued */
	t.sql(`DELETE pq FROM push_queue pq JOIN channel_listings cl ON cl.id = pq.listing_id JOIN channel_accounts ca ` +
	    `ON ca.id = cl.account_id WHERE ca.name = ${t.sqlStr(acct)}`);
	t.sql(`UPDATE channel_accounts SET paused = 1 WHERE name = ${t.sqlStr(acct)}`);
	await ctx.close();
});
