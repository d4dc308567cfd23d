// temp: training rate and start-up of a dist variant
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";
const root = resolve(process.argv[2]);
const { server, base } = await serve(root, "/");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"] });
for (let i = 0; i < 2; i++) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  await page.goto(base + "?steps=400&backend=cpu");
  await page.waitForSelector("#train");
  const t0 = Date.now();
  await page.click("#train");
  await page.waitForFunction(() => /Done|Stopped|Failed/.test(document.querySelector("#progress")?.textContent ?? ""), null, { timeout: 300000 });
  console.log(`${process.argv[2]} run ${i}: ${(Date.now() - t0) / 1000} s, page reports ${await page.textContent("#steps-per-second")}`);
  await context.close();
}
await browser.close(); server.close();
