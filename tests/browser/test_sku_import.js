/*
 * The SKU map's CSV import in the browser (issue #7): a file that maps a
 * listing already mapped to another SKU shows the conflict, the seller
 * picks which SKU wins, and the map follows that choice. The pages come
 * from another branch: this test skips (TAP # SKIP) only while
 * cgi-bin/admin.c has no /admin/map… or /admin/sku… route, and finds the
 * forms by their label and button texts, collected in SEL below so they
 * can be adjusted in one place.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const t = require('./lib');

const SEL = {
	page: /^\/admin\/(map|sku)/,		/* the SKU map page (GET) */
	file: /CSV|file/i,			/* the upload's label */
	upload: /import|upload|preview|check/i,	/* its button */
	conflict: /conflict|already mapped/i,	/* the page says so */
	choice: /file|new|replace|import/i,	/* the option "the file's SKU wins" */
	apply: /apply|confirm|save|resolve|import/i,	/* sends the choice */
};

const pid = process.pid;
const acct = `import shop ${pid}`;
const skuA = `IMP-A-${pid}`, skuB = `IMP-B-${pid}`, listing = `${900000 + (pid % 100000)}`;

function mappedTo() {
	const r = t.sql(`SELECT i.sku FROM channel_listings cl JOIN stock_items i ON i.id = cl.item_id ` +
	    `JOIN channel_accounts ca ON ca.id = cl.account_id WHERE ca.name = ${t.sqlStr(acct)} ` +
	    `AND cl.ext_listing = ${t.sqlStr(listing)}`);
	return r.map((x) => x[0]);
}

t.run(async (launch) => {
	const route = t.findRoute('GET', SEL.page);
	if (route === null) {
		t.skip('a SKU import with a conflict is resolved by the seller', 'no /admin/map or /admin/sku route in cgi-bin/admin.c yet');
		return;
	}
	const user = `imp${pid}`;
	const pw = t.addUser(user);
	t.cli(['item', 'add', skuA, 'Import mug A']);
	t.cli(['item', 'add', skuB, 'Import mug B']);
	let r = t.cli(['account', 'add', 'amazon', acct, 'https://sellingpartnerapi.invalid', `IMP${pid}`], '{}');
	if (r.status !== 0)
		throw new Error(`account add: ${r.out}`);
	t.sql(`UPDATE channel_accounts SET paused = 1 WHERE name = ${t.sqlStr(acct)}`);
	r = t.cli(['map', acct, skuA, listing]);
	t.check(r.status === 0 && mappedTo().join() === skuA, 'the listing starts mapped to the first SKU', r.out);

	const browser = await launch();
	const ctx = await t.phone(browser);
	const page = await ctx.newPage();
	await t.signIn(page, user, pw);
	await page.goto(route.path);
	t.check((await t.unlabelled(page)).length === 0, `every input on ${route.path} has a label`);

	/* the file maps the listing to the other SKU */
	const csv = path.join(t.shotDir(), `import-${pid}.csv`);
	fs.writeFileSync(csv, `account,sku,listing,variant\n${acct},${skuB},${listing},\n`);
	const input = page.getByLabel(SEL.file).first();
	if (await input.evaluate((el) => el.type === 'file'))
		await input.setInputFiles(csv);
	else
		await input.fill(fs.readFileSync(csv, 'utf8'));
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: SEL.upload }).first().click()]);
	const text = await page.textContent('main');
	t.check(SEL.conflict.test(text) && text.includes(skuA) && text.includes(skuB),
	    'the import shows the conflict with both SKUs', text.slice(0, 400));
	t.check(mappedTo().join() === skuA, 'nothing changes before the seller decides', mappedTo().join());
	await page.screenshot({ path: path.join(t.shotDir(), 'sku-import-conflict.png'), fullPage: true });

	/* the seller picks the file's SKU */
	await page.getByLabel(SEL.choice).first().check();
	await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: SEL.apply }).first().click()]);
	t.check(mappedTo().join() === skuB, "the seller's choice is applied: the listing maps to the file's SKU",
	    mappedTo().join());
	t.sql(`DELETE pq FROM push_queue pq JOIN channel_listings cl ON cl.id = pq.listing_id JOIN channel_accounts ca ` +
	    `ON ca.id = cl.account_id WHERE ca.name = ${t.sqlStr(acct)}`);
	await ctx.close();
});
