// Copied from the project's shared benchmark kit (shared/bench/searchperf.mjs, which is not part of
// this repository) so that scripts/searchperf.sh can run it with scripts/node_modules; unchanged below.

// Measure a static search page in headless Chromium over HTTP on loopback:
// bytes transferred from navigation until results are shown for a typed query, and the time from the
// last keystroke to the result list's last change (debounce included: that is what a user waits for).
// usage: node searchperf.mjs URL QUERY RESULT_SELECTOR [INPUT_SELECTOR]
//   (run from a folder whose node_modules holds playwright-core; Chromium from Debian's packages)
import { chromium } from "playwright-core";

const [url, query, resultSel, inputSel = "input[type=search], input[name=q]"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
let bytes = 0, requests = 0;
page.on("response", async (r) => {
  try { const b = await r.body(); bytes += b.length; requests += 1; } catch (e) { /* redirects */ }
});
await page.goto(url, { waitUntil: "load" });
await page.waitForTimeout(500);
const loadBytes = bytes;
const input = page.locator(inputSel).first();
await input.click();
await input.pressSequentially(query.slice(0, -1), { delay: 40 });
await page.waitForTimeout(1500);
await page.evaluate((sel) => {
  window.__last = null;
  new MutationObserver(() => {
    if (document.querySelectorAll(sel).length > 0) window.__last = performance.now();
  }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  window.__tkey = performance.now();
}, resultSel);
await input.pressSequentially(query.slice(-1));
await page.waitForTimeout(4000);
const r = await page.evaluate((sel) => ({ n: document.querySelectorAll(sel).length,
  ms: window.__last === null ? null : window.__last - window.__tkey }), resultSel);
console.log(JSON.stringify({ url, query, results: r.n, page_load_bytes: loadBytes,
  bytes_after_query: bytes, requests, keystroke_to_results_ms: r.ms === null ? null : Math.round(r.ms) }));
await browser.close();
