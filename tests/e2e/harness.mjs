// What every end-to-end test of the built page shares: the browser's launch, a fresh page with
// its console errors, foreign requests and long tasks recorded, `check`, training from a click,
// Stop timed in the page, axe-core, and the re-measure rule for timings. Each panel's test
// (tests/e2e/panels/*.mjs) gets one `Harness`: its own browser process (a fresh, empty profile)
// and its own static server over dist/.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";

// Training, evaluation and inspection run in a Web Worker: the main thread only renders.
export const LONGTASK_LIMIT_MS = 50;
// The same bound as total blocking time (web vitals' TBT: what each long task spends beyond
// 50 ms, summed) over a training window: on a slow or shared machine one frame of an evaluation
// (the map and the player redrawn) can cross 50 ms (54-62 ms in CI, 50-90 ms here under 4x CPU
// throttling, 50-140 ms under 6x: a TBT of 75 ms at 4x, 140-190 ms at 6x), while training on the
// main thread, the regression the training checks guard against, blocks it for seconds (118-141
// long tasks per 20 s before the worker). Those checks bound this and show the longest task.
export const BLOCKING_LIMIT_MS = 250;
// The Claims panel (a construction loaded, its attention mode switched, live checks to their
// verdicts: each result redraws a card's plot on the main thread) measured 0 ms and 55 ms in two
// full runs on one 2-core machine: 50 ms is within noise there, so it gets its own limit until
// its cards are redrawn incrementally (issue 14's 50 ms covers training, loading and the player).
export const CLAIMS_LONGTASK_LIMIT_MS = 100;

/** Headless Debian Chromium; `webgpu`: with the software adapter (SwiftShader) allowed. */
export function launchOptions({ webgpu = true } = {}) {
  return {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", ...(webgpu ? ["--enable-unsafe-webgpu"] : []), "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
    // playwright gives every launch a fresh, empty user-data-dir of its own.
  };
}

export const launch = (options) => chromium.launch(launchOptions(options));

/** A list of checks: `check(ok, message)` prints the line and keeps the failures. */
export function checkList(prefix = "") {
  const failures = [];
  const check = (ok, message) => {
    if (!ok) failures.push(`${prefix}${message}`);
    console.log(`${ok ? "ok  " : "FAIL"} ${prefix}${message}`);
  };
  return { failures, check };
}

export const ms = (v) => `${v.toFixed(0)} ms`;

// axe-core's WCAG 2 A and AA rules (2.0 and 2.1).
const axeSource = await readFile(resolve("tests/e2e/node_modules/axe-core/axe.min.js"), "utf8");

export class Harness {
  /** A browser and a static server over `root` (dist/), with `check` as the panel's checks. */
  static async open(root, check) {
    const { server, base } = await serve(root);
    const browser = await launch();
    return new Harness(root, check, server, base, browser);
  }

  constructor(root, check, server, base, browser) {
    Object.assign(this, { root, check, server, base, browser });
    // Bound, so that a panel can take them apart: `const { openPage, train } = h;`.
    for (const name of ["openPage", "train", "onFreshPage"]) this[name] = this[name].bind(this);
  }

  async close() {
    await this.browser.close();
    this.server.close();
  }

  /** A new page at `query`, once its Train button shows: its console errors, requests that
   *  leave the origin, and the time to first render. */
  async openPage(query = "", viewport = { width: 1400, height: 1000 }) {
    const { base } = this;
    const page = await this.browser.newPage({ viewport });
    const errors = [];
    const foreign = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); else if (process.env.E2E_VERBOSE) console.log(`console: ${m.text()}`); });
    page.on("pageerror", (e) => errors.push(String(e)));
    // The training worker's first script is a blob: URL of the page's own origin.
    page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:") && !r.url().startsWith(`blob:${new URL(base).origin}/`)) foreign.push(r.url()); });
    await page.addInitScript(() => {
      window.__longtasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
      // Times at which the progress label shows a training step: the training window.
      window.__trainMarks = [];
      new MutationObserver(() => {
        const label = document.querySelector("#progress .progress-label span");
        if (label && label.textContent.startsWith("Training")) window.__trainMarks.push(performance.now());
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const t0 = Date.now();
    await page.goto(base + query);
    await page.waitForSelector("#train", { timeout: 60_000 });
    const firstRender = Date.now() - t0;
    return { page, errors, foreign, firstRender };
  }

  /** Click Train and wait for the run's end and its inspection: seconds, the longest
   *  main-thread task and the total blocking time while steps ran, steps and the page's rate. */
  async train(page, timeoutMs) {
    const clickAt = await page.evaluate(() => performance.now());
    const t0 = Date.now();
    // noWaitAfter: on the software WebGPU adapter the first shader compiles block the page.
    await page.click("#train", { noWaitAfter: true });
    // The CoT player shows the model at every evaluation while it trains: wait for the end.
    await page.waitForFunction(() => /Done|Stopped|Failed/.test(document.querySelector("#progress")?.textContent ?? ""), null, { timeout: timeoutMs });
    await page.waitForSelector("#cot-player .controls", { timeout: timeoutMs });
    const seconds = (Date.now() - t0) / 1000;
    // Steady-state training: between the first and the last progress update of the run. Its
    // longest task, and its total blocking time (web vitals' TBT: what each long task spends
    // beyond 50 ms, summed).
    const [from, to] = await page.evaluate((since) => {
      const marks = window.__trainMarks.filter((m) => m >= since);
      return [marks[0] ?? since, marks[marks.length - 1] ?? since];
    }, clickAt);
    const { longest, blocking } = await blockingBetween(page, from, to);
    const longestOverall = await longestTaskSince(page, clickAt);
    console.log(`longest main-thread task from click to inspection (start-up and end of run included): ${longestOverall.toFixed(0)} ms`);
    const steps = parseInt((await page.textContent("#progress .progress-label span:last-child")).split("/")[1], 10);
    const rate = await page.textContent("#steps-per-second");
    if (process.env.E2E_VERBOSE) {
      const timeline = await page.evaluate((since) => [
        ...window.__longtasks.filter((t) => t.start >= since).map((t) => [t.start, `LONG TASK ${Math.round(t.duration)} ms`]),
        ...performance.getEntriesByType("mark").filter((m) => m.name.startsWith("run:") && !m.name.startsWith("run:checkpoint")).map((m) => [m.startTime, m.name]),
      ].sort((a, b) => a[0] - b[0]).map(([t, what]) => `${t.toFixed(0).padStart(8)} ms  ${what}`), clickAt);
      console.log(`timeline of the run:\n${timeline.join("\n")}`);
    }
    return { seconds, longest, blocking, steps, rate };
  }

  // `work(page)` on a fresh page once its start-up is over (no main-thread task for a second:
  // its first tasks, 100-330 ms while the wasm starts, would otherwise count in a timing
  // window), closed after; its console errors and foreign requests join `into`'s (a page from
  // openPage), so the checks on those see the re-measurement's too.
  async onFreshPage(query, work, into) {
    const fresh = await this.openPage(query);
    try {
      await fresh.page.waitForFunction(() => performance.now() - Math.max(0, ...window.__longtasks.map((t) => t.start + t.duration)) > 1000, null, { timeout: 60_000 });
      return await work(fresh.page);
    } finally {
      await fresh.page.close();
      into.errors.push(...fresh.errors);
      into.foreign.push(...fresh.foreign);
    }
  }
}

/** `body(h)` on a Harness of its own, closed after: a panel's test. */
export async function withHarness(root, check, body) {
  const h = await Harness.open(root, check);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

/** axe-core's WCAG 2 A/AA violations on the page as it is, each with its rule, impact and
 *  first nodes. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return result.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")})`);
}

// Click Stop and time it in the page, from the click's dispatch to the DOM saying "Stopped at
// step" (the worker's answer, or the page ending it, and the page's update; not Playwright's
// round trips): milliseconds, or Infinity when it is not shown within `timeoutMs`.
export async function clickStop(page, timeoutMs) {
  await page.evaluate(() => {
    window.__stop = {};
    document.addEventListener("click", (e) => { if (e.target.closest("#train")) window.__stop.clicked ??= performance.now(); }, { capture: true });
    new MutationObserver((_, observer) => {
      if (/Stopped at step/.test(document.querySelector("#progress")?.textContent ?? "")) {
        window.__stop.shown = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.click("#train", { noWaitAfter: true });
  const shownInTime = await page.waitForFunction(() => window.__stop.shown !== undefined, null, { timeout: timeoutMs }).then(() => true, () => false);
  const { clicked, shown } = await page.evaluate(() => window.__stop);
  return shownInTime ? shown - clicked : Infinity;
}

/** The longest main-thread task and the total blocking time of the page's tasks that started
 *  between `from` and `to` (its performance.now()). */
export function blockingBetween(page, from, to = Infinity) {
  return page.evaluate(([from, to, limit]) => {
    const tasks = window.__longtasks.filter((t) => t.start >= from && t.start <= to).map((t) => t.duration);
    return { longest: Math.max(0, ...tasks), blocking: tasks.reduce((sum, d) => sum + Math.max(0, d - limit), 0) };
  }, [from, to, LONGTASK_LIMIT_MS]);
}

/** A blocking measurement as the checks show it. */
export const showBlocking = (r) => `${ms(r.blocking)} (longest task ${ms(r.longest)})`;

/** The longest main-thread task the page has seen since `since` (its performance.now()). */
export function longestTaskSince(page, since) {
  return page.evaluate((t) => Math.max(0, ...window.__longtasks.filter((x) => x.start >= t).map((x) => x.duration)), since);
}

// A timing check measured while other processes share the 2 cores sometimes crosses its limit
// once: the longest main-thread task while training (69-137 ms against 50 in 4 of 12 runs on one
// machine, one task each, at the first evaluation; traced, it is the frame that first lays out
// the attention map and the CoT player, 198 boxes, 18-43 ms of layout and 10-17 ms of paint
// while the worker trains on the other core; with one more core busy it crossed in both
// measurements, and mounting the CoT player a frame later did not help: that check bounds the
// total blocking time instead), the Claims panel (123
// ms against 100 in 1 of 5), Stop (485 ms against 368 once in CI). When the first measurement
// crosses its limit (`within` is false), `again()` measures once more on a fresh page and that
// one decides: the regressions these checks guard against (training or drawing on the main
// thread, a Stop the worker only sees at the end of the run) cross the limit every time. The
// text shows the deciding measurement, and the first one when there were two.
export async function remeasured(first, within, show, again) {
  if (within(first)) return { ok: true, text: show(first) };
  const second = await again();
  return { ok: within(second), text: `${show(second)} (measured twice; the first: ${show(first)})` };
}
