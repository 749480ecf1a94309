// Browser checks of a built casebook site, run by scripts/check-html.sh:
//
//   node scripts/axe.mjs SITE_DIR
//
// Opens the home page, a case page, a force page and the matrix in headless Chromium, twice:
// from file:// (the site on a shared drive) and over HTTP under a sub-path (python3's
// http.server serving the site at /kb/). On every page it asserts that
//   - no Content-Security-Policy violation, console error or page error occurs,
//   - nothing is requested from outside the site and nothing fails to load,
//   - the stylesheet applied (the body's computed font-family is the CJK-first stack),
//   - axe-core finds no serious or critical accessibility violation.
// Exits 1 listing every failure, 0 when all pass. Needs Debian's `chromium` (or CHROMIUM=path)
// and `npm ci` in scripts/.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SUB_PATH = 'kb';

const site = resolve(process.argv[2] ?? '');
if (!process.argv[2] || !existsSync(join(site, 'index.html'))) {
  console.error(`usage: node scripts/axe.mjs SITE_DIR [PAGE…] (a built site with index.html); got ${process.argv[2] ?? 'nothing'}`);
  process.exit(2);
}

// The pages to check: home, the first case, the first force (profile vocabulary), the matrix.
const data = JSON.parse(readFileSync(join(site, 'cases.json'), 'utf8'));
const firstCase = data.cases[0]?.id;
const forces = data.vocabularies.find((v) => v.name === 'forces') ?? data.vocabularies[0];
// Pages named after the site's folder are checked too (a case with images beside it).
const kinds = ['index.html', `cases/${firstCase}.html`, `${forces.name}/${forces.terms[0].id}.html`, 'matrix.html', ...process.argv.slice(3)];
// In each language's tree: the default at the root, the others in a folder named after them.
const trees = (data.languages ?? [data.language]).map((lang, i) => (i === 0 ? '' : `${lang}/`));
const pages = trees.flatMap((tree) => kinds.map((p) => tree + p));

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

/** Serves the site under /kb/ with python3's http.server; resolves to { origin, stop }. */
async function serveUnderSubPath() {
  const parent = mkdtempSync(join(tmpdir(), 'casebook-axe-'));
  symlinkSync(site, join(parent, SUB_PATH), 'dir');
  const server = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', parent], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise((ok, ko) => {
    const timer = setTimeout(() => ko(new Error('python3 -m http.server did not start within 15 s')), 15000);
    let seen = '';
    server.stdout.on('data', (chunk) => {
      seen += chunk;
      const m = seen.match(/port (\d+)/);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    server.on('exit', (code) => ko(new Error(`python3 -m http.server exited with ${code}`)));
  });
  server.stderr.resume(); // request log
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () => {
      server.kill();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** Checks one page; `url` is absolute, `isInside` says whether a request belongs to the site. */
async function checkPage(context, label, url, isInside) {
  const page = await context.newPage();
  const where = `${label} ${url}`;
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' || /Content Security Policy/i.test(text)) fail(where, `console ${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => fail(where, `page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (isInside(req.url())) fail(where, `failed to load ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) fail(where, `HTTP ${res.status()} for ${res.url()}`);
  });
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (isInside(u) || u.startsWith('data:')) return route.continue();
    fail(where, `request outside the site: ${u}`);
    return route.abort();
  });
  // Record CSP violations as the page sees them (init scripts are not subject to the page's CSP).
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });

  const response = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  if (response && !response.ok()) fail(where, `HTTP ${response.status()}`);
  await page.waitForTimeout(100); // let deferred scripts run and late violations arrive

  const violations = await page.evaluate(() => window.__cspViolations ?? []);
  for (const v of violations) fail(where, `CSP violation: ${v}`);

  const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  if (!font.includes('PingFang SC')) fail(where, `the stylesheet did not apply: body font-family is ${font}`);

  // axe-core, evaluated through the DevTools protocol (the page's CSP forbids injected scripts).
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    // No preload: axe would fetch the stylesheets itself, which the page's CSP (rightly) blocks.
    const r = await axe.run(document, { resultTypes: ['violations'], preload: false });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`),
      count: v.nodes.length,
    }));
  });
  for (const v of result) {
    const line = `axe ${v.impact} ${v.id} (${v.help}), ${v.count} node(s):\n      ${v.nodes.join('\n      ')}`;
    if (v.impact === 'serious' || v.impact === 'critical') fail(where, line);
    else console.log(`note: ${where}: ${line}`);
  }
  await page.close();
}

const browser = await chromium.launch({
  executablePath,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage', // containers often have a tiny /dev/shm
  ],
});
let server;
try {
  const context = await browser.newContext({ bypassCSP: false, serviceWorkers: 'block' });

  const fileRoot = pathToFileURL(site).href + '/';
  for (const p of pages) await checkPage(context, 'file://', fileRoot + p, (u) => u.startsWith(fileRoot));

  server = await serveUnderSubPath();
  const httpRoot = `${server.origin}/${SUB_PATH}/`;
  for (const p of pages) await checkPage(context, `http /${SUB_PATH}/`, httpRoot + p, (u) => u.startsWith(httpRoot));
  await context.close();
} finally {
  server?.stop();
  await browser.close();
}

if (failures.length) {
  console.error(`browser checks: ${failures.length} failure(s)`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`browser checks: ${pages.length} pages × 2 modes (file://, http under /${SUB_PATH}/): no CSP violation, styles applied, no serious or critical axe violation`);
