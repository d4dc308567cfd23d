// Quick probe of the training worker: train from a click, stop, long tasks on the main thread.
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";
const root = resolve(process.argv[2] ?? "dist");
const { server, base } = await serve(root);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--enable-unsafe-webgpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on("console", (m) => console.log(`console.${m.type()}: ${m.text()}`));
page.on("pageerror", (e) => console.log(`pageerror: ${e}`));
page.on("worker", (w) => console.log(`worker started: ${w.url().slice(0, 60)}`));
await page.addInitScript(() => {
  window.__longtasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: "longtask", buffered: true });
});
await page.goto(base + (process.argv[3] ?? "?steps=200"));
await page.waitForSelector("#train");
const t0 = await page.evaluate(() => performance.now());
await page.click("#train");
const started = Date.now();
await page.waitForSelector("#cot-player .controls", { timeout: 600_000 });
console.log(`trained in ${(Date.now() - started) / 1000} s; progress: ${await page.textContent("#progress")}`);
const tasks = await page.evaluate((t) => window.__longtasks.filter((x) => x.start >= t).map((x) => Math.round(x.duration)), t0);
console.log(`long tasks after the click: ${JSON.stringify(tasks)}`);
await page.screenshot({ path: "target/probe-worker.png", fullPage: false });
await browser.close();
server.close();
