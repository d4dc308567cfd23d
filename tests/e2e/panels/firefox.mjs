// The release page in stock Firefox ESR (Debian's), driven over WebDriver BiDi by puppeteer-core
// (playwright drives only its own patched Firefox builds): it opens from a sub-path, says that
// there is no WebGPU and trains the default run's first evaluation on the CPU in its worker with
// the page responsive, draws the attention map, steps the CoT player, exports the model, loads a
// construction from the Claims panel, and with the server stopped reloads from the service
// worker's cache, with no console error. WebGPU is off by a pref (as in the wasm tests): the
// check must not depend on a later version's default.
//
//   node tests/e2e/run.mjs [dist-dir] firefox
import puppeteer from "puppeteer-core";
import { serve } from "../serve.mjs";
import { catchDownloads, firstDownload } from "../downloads.mjs";

const SUB = "/some/where/lab/";

export default async function firefox(root, check) {
  const { server, base, outside } = await serve(root, SUB);
  const browser = await puppeteer.launch({ browser: "firefox", executablePath: process.env.FIREFOX ?? "/usr/bin/firefox-esr", headless: true,
    extraPrefsFirefox: { "dom.webgpu.enabled": false } });
  const errors = [];
  try {
    const page = await browser.newPage();
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    const t0 = Date.now();
    await page.goto(base);
    await page.waitForSelector("#train", { timeout: 60_000 });
    check(true, `the page starts from a sub-path (${Date.now() - t0} ms)`);
    // Main-thread stalls while training: the largest gap between 10 ms timer ticks.
    await page.evaluate(() => { window.__gap = 0; let last = performance.now(); setInterval(() => { const now = performance.now(); window.__gap = Math.max(window.__gap, now - last); last = now; }, 10); });
    await page.click("#train");
    const firstEval = await page.waitForFunction(() => document.querySelectorAll("#loss-chart polyline.loss").length > 0
      && /step \d+ · loss/.test(document.querySelector("#metrics-readout")?.textContent ?? ""), { timeout: 300_000 }).then(() => true, () => false);
    const backend = await page.$eval("#backend", (e) => e.textContent).catch(() => "");
    check(firstEval, `the default run trains to its first evaluation in a worker (${await page.$eval("#metrics-readout", (e) => e.textContent).catch(() => "")})`);
    check(/CPU/.test(backend) && /WebGPU/.test(backend), `without WebGPU the page says so and trains on the CPU: “${backend}”`);
    // The default run (2,000 steps): Stop after its first evaluation.
    await page.click("#train");
    await page.waitForFunction(() => /Done|Stopped|Failed/.test(document.querySelector("#progress")?.textContent ?? ""), { timeout: 300_000 });
    check(/Stopped/.test(await page.$eval("#progress", (e) => e.textContent)), `Stop ends the run (${await page.$eval("#progress", (e) => e.textContent)})`);
    const gap = await page.evaluate(() => window.__gap);
    // A timer gap, not a long-task entry (Firefox has no longtask observer): one generous
    // bound that catches training on the main thread (seconds of stall), not frame jitter.
    check(gap < 250, `the page stays responsive while training (longest gap between 10 ms timer ticks: ${gap.toFixed(0)} ms)`);
    await page.waitForSelector("#attention-map canvas.heatmap-cells", { timeout: 60_000 });
    check(true, "the attention map is drawn");
    await page.waitForSelector("#cot-player .controls", { timeout: 60_000 });
    const before = await page.$eval("#cot-step", (e) => e.textContent).catch(() => "");
    await page.click("#cot-next");
    // The step is kept when the run's final inspection lands after the click; wait for the
    // text to change rather than a fixed time (a busy machine renders late).
    await page.waitForFunction((b) => (document.querySelector("#cot-step")?.textContent ?? b) !== b, { timeout: 5_000 }, before).catch(() => {});
    const after = await page.$eval("#cot-step", (e) => e.textContent).catch(() => "");
    check(before !== after, `the CoT player steps (“${before.slice(0, 40)}” → “${after.slice(0, 40)}”)`);
    // Export: the page makes a blob URL and clicks a download link; read the blob back.
    await page.evaluate(catchDownloads);
    await page.click("#export-model");
    await page.waitForFunction(() => window.__downloads.length > 0, { timeout: 30_000 }).catch(() => {});
    const exported = await page.evaluate(firstDownload);
    check(exported && exported.bytes > 1000 && /\.safetensors$/.test(exported.name), `the model exports (${JSON.stringify(exported)})`);
    // A construction from the Claims panel.
    await page.click("#construct-majority");
    const built = await page.waitForFunction(() => /Loaded construction/.test(document.querySelector("#model-notice")?.textContent ?? ""), { timeout: 120_000 }).then(() => true, () => false);
    check(built, `a construction loads from the Claims panel (${await page.$eval("#model-notice", (e) => e.textContent).catch(() => "")})`);
    // Offline: the service worker serves the page once the server is gone.
    const controlled = await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, { timeout: 60_000 }).then(() => true, () => false);
    server.close(); server.closeAllConnections?.();
    await page.reload();
    const offline = await page.waitForSelector("#train", { timeout: 60_000 }).then(() => true, () => false);
    check(controlled && offline, `with the server stopped, a reload starts the page from the service worker's cache`);
    check(outside.length === 0, `no request outside the sub-path (${outside.join(", ")})`);
    check(errors.length === 0, `no console errors (${errors.join(" | ")})`);
  } finally {
    await browser.close();
    server.close();
  }
}
