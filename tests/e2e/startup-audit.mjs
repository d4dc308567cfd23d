// Start-up audit of the built page (issue 15): how soon it renders and becomes usable, and how
// long the main thread is blocked on the way. A benchmark that prints figures (median of RUNS
// fresh visits, no cache), not a test; it exits non-zero only when the page fails to start.
//
//   node tests/e2e/startup-audit.mjs [dist-dir]      (RUNS=5 by default)
//
// Per visit: first render (navigation → the Train button in the DOM), the largest contentful
// paint, every main-thread task over 50 ms until 3 s after the first render (PerformanceObserver
// "longtask"), and the wasm fetched (the WebGPU build must not be among them).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { launch } from "./harness.mjs";
import { serve } from "./serve.mjs";

const root = resolve(process.argv[2] ?? "dist");
const RUNS = parseInt(process.env.RUNS ?? "5", 10);
const { server, base } = await serve(root, "/");
const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const visits = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ serviceWorkers: "block", viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const wasm = [];
    page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(r.url().split("/").pop()); });
    await page.addInitScript(() => {
      window.__longtasks = [];
      window.__lcp = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__lcp = Math.max(window.__lcp, e.startTime);
      }).observe({ type: "largest-contentful-paint", buffered: true });
    });
    await page.goto(base);
    await page.waitForSelector("#train", { timeout: 60_000 });
    const firstRender = await page.evaluate(() => performance.now());
    await page.waitForTimeout(3000);
    const { tasks, lcp } = await page.evaluate(() => ({ tasks: window.__longtasks, lcp: window.__lcp }));
    const longest = Math.max(0, ...tasks.map((t) => t.duration));
    visits.push({ firstRender, lcp, longest, tasks, wasm });
    console.log(`visit ${i + 1}: first render ${firstRender.toFixed(0)} ms, largest paint ${lcp.toFixed(0)} ms, ` +
      `long tasks ${JSON.stringify(tasks.map((t) => [Math.round(t.start), Math.round(t.duration)]))} ` +
      `([start, ms]), wasm ${wasm.join(", ")}`);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const wasmFiles = [...new Set(visits.flatMap((v) => v.wasm))];
const gz = wasmFiles.reduce((s, f) => s + gzipSync(readFileSync(resolve(root, f)), { level: 9 }).length, 0);
console.log(`\nmedian of ${RUNS} visits: first render ${median(visits.map((v) => v.firstRender)).toFixed(0)} ms, ` +
  `largest paint ${median(visits.map((v) => v.lcp)).toFixed(0)} ms, ` +
  `longest main-thread task ${median(visits.map((v) => v.longest)).toFixed(0)} ms ` +
  `(worst visit ${Math.max(...visits.map((v) => v.longest)).toFixed(0)} ms)`);
console.log(`wasm loaded at start: ${wasmFiles.join(", ")}: ${gz} bytes gzipped`);
if (wasmFiles.some((f) => f.startsWith("expressivity-lab-gpu"))) {
  console.error("the WebGPU build was loaded at start");
  process.exit(1);
}
