/*
 * Shared helpers of the browser tests (tests/browser/test_*.js): TAP
 * output, Debian's headless Chromium driven by playwright-core, the
 * stockhub command line, the test database, the sandbox marketplaces'
 * control APIs, and the admin route table read from cgi-bin/admin.c.
 *
 * The tests run against the stack tests/run.sh started: $STOCKHUB_URL
 * (nginx), $STOCKHUB_STACK (its directory), $STOCKHUB_BUILD (the programs),
 * $STOCKHUB_CONFIG, $SANDBOX_ETSY_URL and $SANDBOX_SHOPIFY_URL.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');

const top = path.resolve(__dirname, '..', '..');
const env = process.env;
const base = env.STOCKHUB_URL;
const stack = env.STOCKHUB_STACK;
const build = env.STOCKHUB_BUILD ? path.resolve(top, env.STOCKHUB_BUILD) : path.join(top, 'build');

/* ---- TAP ---- */

let n = 0;
let failed = 0;

function ok(name) {
	n++;
	console.log(`ok ${n} - ${name}`);
}

function notOk(name, ...diag) {
	n++;
	failed++;
	console.log(`not ok ${n} - ${name}`);
	for (const d of diag)
		for (const l of String(d).split('\n'))
			console.log(`#   ${l}`);
}

function check(cond, name, ...diag) {
	if (cond)
		ok(name);
	else
		notOk(name, ...diag);
	return !!cond;
}

function skip(name, why) {
	n++;
	console.log(`ok ${n} - ${name} # SKIP ${why}`);
}

function finish() {
	console.log(`1..${n}`);
	process.exitCode = failed === 0 ? 0 : 1;
}

/* Run main(); an exception is one failure, and the browser is closed. */
function run(main) {
	let browser = null;
	const launch = async () => {
		browser = await chromium.launch({
			executablePath: env.CHROMIUM || '/usr/bin/chromium',
			timeout: 60000,
		});
		return browser;
	};
	main(launch).catch((e) => {
		notOk('the test ran to its end', e && e.stack ? e.stack : String(e));
	}).finally(async () => {
		if (browser !== null)
			await browser.close().catch(() => {});
		finish();
	});
}

/* ---- the command line and the database ---- */

/* stockhub ARGS (stdin given or empty): { status, out } with stderr in out */
function cli(args, input) {
	try {
		const out = execFileSync(path.join(build, 'bin', 'stockhub'), args, {
			input: input || '', env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'],
		});
		return { status: 0, out };
	} catch (e) {
		return { status: e.status, out: `${e.stdout || ''}${e.stderr || ''}` };
	}
}

function dbName() {
	const conf = fs.readFileSync(env.STOCKHUB_CONFIG, 'utf8');
	const m = conf.match(/^db_name\s*=\s*(\S+)/m);
	return m ? m[1] : 'stockhub';
}

/* SQL statements through the mariadb client, on its standard input
 * (test setup and checks only); rows as arrays of strings. */
function sql(query) {
	const out = execFileSync('mariadb', ['--no-defaults',
		`--socket=${stack}/run/mysqld.sock`, '-N', '-B', dbName()],
	{ encoding: 'utf8', input: query });
	return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/* A string as an SQL literal (test data only: hex, so nothing in it is
 * ever read as SQL). */
function sqlStr(s) {
	return `CONVERT(X'${Buffer.from(s, 'utf8').toString('hex')}' USING utf8mb4) COLLATE utf8mb4_unicode_ci`;
}

function secret(key) {
	const s = fs.readFileSync(path.join(stack, 'secrets.conf'), 'utf8');
	const m = s.match(new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm'));
	return m ? m[1] : '';
}

/* POST /jobs/tick as the timer does */
async function tick() {
	const r = await fetch(`${base}/jobs/tick`, {
		method: 'POST', headers: { Authorization: `Bearer ${secret('timer_token')}` },
	});
	return r.status;
}

/* ---- the sandboxes ---- */

/* which: 'ETSY' or 'SHOPIFY'; the answer's JSON (or null) and status */
async function sbx(which, method, p, body) {
	const url = env[`SANDBOX_${which}_URL`];
	const r = await fetch(`${url}${p}`, {
		method,
		headers: { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch (e) { json = null; }
	return { status: r.status, json, text };
}

/* ---- the admin ---- */

/* The route table of cgi-bin/admin.c: [{ method, path }] in its order. */
function routes() {
	const src = fs.readFileSync(path.join(top, 'cgi-bin', 'admin.c'), 'utf8');
	const out = [];
	const re = /^\s*\{\s*"([A-Z]+)",\s*"(\/[^"]*)"/gm;
	let m;
	while ((m = re.exec(src)) !== null)
		out.push({ method: m[1], path: m[2] });
	return out;
}

/* The first route whose path matches re (a RegExp), or null. */
function findRoute(method, re) {
	return routes().find((r) => r.method === method && re.test(r.path)) || null;
}

/* A new admin user made with the command line; its password. */
function addUser(name) {
	const pw = `correct horse battery ${process.pid}`;
	const r = cli(['user', 'add', name], `${pw}\n`);
	if (r.status !== 0)
		throw new Error(`stockhub user add ${name}: ${r.out}`);
	return pw;
}

/* A phone-sized browser context (390x844, as an iPhone 12-15); more
 * context options may be given. */
async function phone(browser, more) {
	return browser.newContext({
		viewport: { width: 390, height: 844 }, deviceScaleFactor: 1,
		isMobile: true, hasTouch: true, baseURL: base, ...(more || {}),
	});
}

/* Sign in through the form, by its labels; the page after it. */
async function signIn(page, user, pw) {
	await page.goto('/admin/login');
	await page.getByLabel('User name').fill(user);
	await page.getByLabel('Password').fill(pw);
	await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: 'Sign in' }).click(),
	]);
}

/*
 * The form controls of the page a person types into or picks from that
 * have no accessible name from a <label>, aria-label or aria-labelledby:
 * a short description of each (empty when all are labelled).
 */
async function unlabelled(page) {
	return page.evaluate(() => {
		const bad = [];
		for (const el of document.querySelectorAll('input, select, textarea')) {
			const t = (el.getAttribute('type') || '').toLowerCase();
			if (['hidden', 'submit', 'button', 'reset', 'image'].includes(t))
				continue;
			const named = (el.labels && Array.from(el.labels).some((l) =>
				l.textContent.trim() !== '')) ||
			    (el.getAttribute('aria-label') || '').trim() !== '' ||
			    (el.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) =>
				id && document.getElementById(id) &&
				document.getElementById(id).textContent.trim() !== '');
			if (!named)
				bad.push(el.outerHTML.slice(0, 120));
		}
		return bad;
	});
}

/*
 * What GET url answers, asked from inside page (same origin, with the
 * page's session cookie, redirects not followed; the page must show one
 * of ours): { status, type, disposition, download }, download true for
 * an attachment or anything but HTML (CSV, JSON, scripts), which a
 * browser would save rather than show.
 */
async function probe(page, url) {
	const h = await page.evaluate(async (u) => {
		const r = await fetch(u, { redirect: 'manual', credentials: 'same-origin' });
		await r.arrayBuffer();
		return { status: r.status, type: r.headers.get('Content-Type') || '',
		    disposition: r.headers.get('Content-Disposition') || '' };
	}, url);
	h.download = /^\s*attachment/i.test(h.disposition) || (h.status === 200 && !/^text\/html/i.test(h.type));
	return h;
}

/* Where the run's screenshots go: $BROWSER_SHOTS, else the build directory
 * ($STOCKHUB_BUILD/screenshots), kept after the run. */
function shotDir() {
	const d = env.BROWSER_SHOTS || path.join(build, 'screenshots');
	fs.mkdirSync(d, { recursive: true });
	return d;
}

module.exports = {
	ok, notOk, check, skip, finish, run, cli, sql, sqlStr, secret, tick,
	sbx, routes, findRoute, addUser, phone, signIn, unlabelled, probe, shotDir,
	base, stack, build, top,
};
