// Probe of the training worker: train for 20 s from a click, stop, and report the long tasks of
// the main thread and how long Stop took.  node tests/e2e/probe-worker.mjs dist [query]
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";
const root = resolve(process.argv[2] ?? "dist");
const { server, base } = await serve(root);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--enable-unsafe-webgpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on("console", (m) => { if (m.type() !== "warning") console.log(`console.${m.type()}: ${m.text()}`); });
page.on("pageerror", (e) => console.log(`pageerror: ${e}`));
await page.addInitScript(() => {
  window.__longtasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: "longtask", buffered: true });
});
await page.goto(base + (process.argv[3] ?? "?steps=5000"));
await page.waitForSelector("#train");
const t0 = await page.evaluate(() => performance.now());
await page.click("#train");
await page.waitForFunction(() => /Training/.test(document.querySelector("#progress")?.textContent ?? ""), null, { timeout: 120_000 });
await page.waitForTimeout(20_000);
const rate = await page.textContent("#steps-per-second");
const stopAt = Date.now();
await page.click("#train");
await page.waitForFunction(() => /Stopped at step/.test(document.querySelector("#progress")?.textContent ?? ""), null, { timeout: 120_000 });
const stopMs = Date.now() - stopAt;
console.log(`rate ${rate}; Stop took ${stopMs} ms; ${await page.textContent("#progress")}`);
await page.waitForSelector("#cot-player .controls", { timeout: 120_000 });
const tasks = await page.evaluate((t) => window.__longtasks.filter((x) => x.start >= t).map((x) => Math.round(x.duration)), t0);
console.log(`long tasks after the click: ${JSON.stringify(tasks)}`);
await page.screenshot({ path: "target/probe-worker.png", fullPage: false });
await browser.close();
server.close();
