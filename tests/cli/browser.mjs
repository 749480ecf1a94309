// Driver of the search-page browser tests (tests/cli/browser.rs): runs a list of tasks in one
// headless Chromium and prints what each page showed, as JSON, for the Rust side to assert on.
//
//   node tests/cli/browser.mjs TASKS.json
//
// TASKS.json: {"chromium": PATH, "playwright": PATH of playwright-core's index.mjs,
//              "tasks": [{"name", "url", "steps": [...]}]}
// Steps: {"type": TEXT} types into #q key by key; {"check": "NAME=VALUE"} ticks a facet box;
// {"follow": N} clicks the N-th result's link; {"eval": "JS expression"} evaluates in the page;
// {"click": "selector"} clicks the first element it selects.
// After the steps (and after opening the URL), the driver waits until the result list is no
// longer busy, then records the page's state. Every console error, page error, CSP violation,
// failed request and request leaving the site is recorded too.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { chromium } = await import(pathToFileURL(config.playwright).href);
const browser = await chromium.launch({
  executablePath: config.chromium,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function settled(page) {
  // Only the search page searches.
  if (!(await page.evaluate(() => !!document.getElementById("results")))) return;
  // Busy while a search runs; a search may start right after (typing), so wait for quiet.
  for (let quiet = 0; quiet < 3;) {
    await page.waitForFunction(() => document.getElementById("results")?.getAttribute("aria-busy") === "false",
      null, { timeout: 10000 });
    await page.waitForTimeout(60);
    const busy = await page.evaluate(() => document.getElementById("results").getAttribute("aria-busy"));
    quiet = busy === "false" ? quiet + 1 : 0;
  }
}

async function state(page) {
  return page.evaluate(() => {
    const out = { url: location.href, hash: location.hash, title: document.title };
    out.lang = document.documentElement.lang;
    out.bodyLang = document.querySelector(".case-body")?.getAttribute("lang") ?? null;
    out.notice = document.querySelector(".notice.untranslated")?.textContent ?? null;
    const q = document.getElementById("q");
    if (!q) {
      const id = decodeURIComponent(location.hash.slice(1));
      out.target = id ? !!document.getElementById(id) : null;
      out.highlights = Array.from(document.querySelectorAll("mark.highlight")).map((m) => m.textContent);
      return out;
    }
    out.q = q.value;
    out.status = document.getElementById("status").textContent;
    out.checked = Array.from(document.querySelectorAll("fieldset[data-facet] input:checked")).map((b) => b.name + "=" + b.value);
    out.counts = {};
    document.querySelectorAll("[data-count]").forEach((el) => { out.counts[el.getAttribute("data-count")] = el.textContent; });
    out.hits = Array.from(document.querySelectorAll("#results li[data-case]")).map((li) => ({
      case: li.getAttribute("data-case"),
      score: Number(li.getAttribute("data-score")),
      href: li.querySelector("a").getAttribute("href"),
      marked: Array.from(li.querySelectorAll("mark")).map((m) => m.textContent),
    }));
    out.more = !!document.querySelector("#results li.more button");
    const card = document.querySelector("#results li.answer-card");
    out.card = card?.getAttribute("data-term") ?? null;
    out.cardText = card?.textContent ?? null;
    out.notes = document.getElementById("notes")?.textContent ?? "";
    return out;
  });
}

const results = [];
for (const task of config.tasks) {
  // {"viewport": [width, height]} opens the page at that size (a phone: 390 × 844).
  const context = await browser.newContext(task.viewport ? { viewport: { width: task.viewport[0], height: task.viewport[1] } } : {});
  const page = await context.newPage();
  const problems = [];
  // The site's root: requests outside it are problems.
  const base = task.base ?? new URL(".", task.url).href;
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));
  });
  page.on("console", (m) => {
    const where = m.location()?.url ?? "";
    // Chromium asks the server for /favicon.ico by itself (the pages name no icon): not the page's doing.
    if (where.endsWith("/favicon.ico")) return;
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push("console: " + m.text() + " (" + where + ")");
  });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("requestfailed", (r) => problems.push("failed: " + r.url() + " " + (r.failure()?.errorText ?? "")));
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:")) problems.push("outside the site: " + r.url()); });
  page.on("response", (r) => { if (r.status() >= 400) problems.push("HTTP " + r.status() + ": " + r.url()); });
  const result = { name: task.name, steps: [] };
  try {
    await page.goto(task.url, { waitUntil: "load" });
    await settled(page);
    for (const step of task.steps ?? []) {
      if (step.type !== undefined) {
        await page.locator("#q").click();
        await page.locator("#q").pressSequentially(step.type, { delay: 25 });
        await settled(page);
      } else if (step.check !== undefined) {
        const [name, value] = step.check.split("=");
        await page.locator(`fieldset[data-facet] input[name="${name}"][value="${value}"]`).check();
        await settled(page);
      } else if (step.follow !== undefined) {
        await Promise.all([page.waitForEvent("load"), page.locator("#results li[data-case] a.hit-title").nth(step.follow).click()]);
      } else if (step.switch_to !== undefined) {
        await Promise.all([page.waitForEvent("load"), page.locator(`nav.languages a[hreflang="${step.switch_to}"]`).click()]);
        await settled(page);
      } else if (step.follow_card !== undefined) {
        await Promise.all([page.waitForEvent("load"), page.locator("#results li.answer-card a").first().click()]);
      } else if (step.queries !== undefined) {
        // Many questions on one page: each typed in at once (one input event), its results read.
        const answers = [];
        for (const q of step.queries) {
          await page.locator("#q").fill(q);
          await settled(page);
          answers.push(await state(page));
        }
        result.steps.push(answers);
        continue;
      } else if (step.click !== undefined) {
        await page.locator(step.click).first().click();
        await page.waitForTimeout(50);
        continue;
      } else if (step.eval !== undefined) {
        result.steps.push(await page.evaluate(step.eval));
        continue;
      }
      result.steps.push(await state(page));
    }
    result.final = await state(page);
  } catch (e) {
    problems.push("driver: " + e.message);
  }
  result.problems = problems;
  results.push(result);
  await context.close();
}
await browser.close();
console.log(JSON.stringify(results));
