// The release page in WebKit (Debian's WebKitGTK MiniBrowser, the engine of Safari, under Xvfb),
// driven over classic WebDriver by WebKitWebDriver (it speaks no BiDi; tests/e2e/webdriver.mjs):
// it opens from a sub-path, says that there is no WebGPU and trains the default run's first
// evaluation on the CPU in its worker with the page responsive, draws the attention map, steps
// the CoT player, exports the model, loads a construction from the Claims panel, and with the
// server stopped reloads from the service worker's cache, with no error reported after load
// (classic WebDriver has no console log: the page's `error` events and `console.error` calls are
// recorded from the first moment a script can run after navigation).
//
//   node tests/e2e/run.mjs [dist-dir] webkit       (needs webkit2gtk-driver and xvfb: scripts/ensure-browser)
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { serve } from "../serve.mjs";
import { catchDownloads, firstDownload } from "../downloads.mjs";
import { Session, freePort, startDriver } from "../webdriver.mjs";

const SUB = "/some/where/lab/";
const MINIBROWSER = process.env.WEBKIT_MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

// Record errors from now on (a reload forgets them: install again after each navigation).
const recordErrors = () => {
  if (window.__errors) return true;
  window.__errors = [];
  addEventListener("error", (e) => window.__errors.push(String(e.message ?? e)));
  addEventListener("unhandledrejection", (e) => window.__errors.push(`unhandled rejection: ${e.reason}`));
  const original = console.error.bind(console);
  console.error = (...a) => { window.__errors.push(a.map(String).join(" ")); original(...a); };
  return true;
};

export default async function webkit(root, check) {
  if (!existsSync(MINIBROWSER)) throw new Error(`no WebKitGTK MiniBrowser at ${MINIBROWSER} (scripts/ensure-browser installs webkit2gtk-driver)`);
  const { server, base, outside } = await serve(root, SUB);
  const port = await freePort();
  const driver = await startDriver("xvfb-run", ["-a", "-s", "-screen 0 1366x900x24", "WebKitWebDriver", `--port=${port}`], port);
  let session = null;
  const errors = [];
  try {
    session = await Session.create(port, { "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] } });
    const engine = `${session.capabilities.browserName} ${session.capabilities.browserVersion}`;
    const t0 = Date.now();
    await session.goto(base);
    await session.run(recordErrors);
    const started = await session.waitFor(() => !!document.querySelector("#train"), 60_000);
    check(started, `the page starts from a sub-path in ${engine} (${Date.now() - t0} ms)`);
    // Main-thread stalls while training: the largest gap between 10 ms timer ticks.
    await session.run(() => { window.__gap = 0; let last = performance.now(); setInterval(() => { const now = performance.now(); window.__gap = Math.max(window.__gap, now - last); last = now; }, 10); });
    await session.click("#train");
    const firstEval = await session.waitFor(() => document.querySelectorAll("#loss-chart polyline.loss").length > 0
      && /step \d+ · loss/.test(document.querySelector("#metrics-readout")?.textContent ?? ""), 300_000);
    const backend = await session.text("#backend");
    check(firstEval, `the default run trains to its first evaluation in a worker (${await session.text("#metrics-readout")})`);
    check(/CPU/.test(backend) && /WebGPU/.test(backend), `without WebGPU the page says so and trains on the CPU: “${backend}”`);
    await session.click("#train");
    const stopped = await session.waitFor(() => /Done|Stopped|Failed/.test(document.querySelector("#progress")?.textContent ?? ""), 300_000);
    check(stopped && /Stopped/.test(await session.text("#progress")), `Stop ends the run (${await session.text("#progress")})`);
    const gap = await session.run(() => window.__gap);
    check(gap < 250, `the page stays responsive while training (longest gap between 10 ms timer ticks: ${Number(gap).toFixed(0)} ms)`);
    check(await session.waitFor(() => !!document.querySelector("#attention-map canvas.heatmap-cells"), 60_000), "the attention map is drawn");
    await session.waitFor(() => !!document.querySelector("#cot-player .controls"), 60_000);
    const before = await session.text("#cot-step");
    await session.click("#cot-next");
    const after = await session.waitFor((b) => { const t = document.querySelector("#cot-step")?.textContent ?? ""; return t !== b && t; }, 5_000, before);
    check(!!after, `the CoT player steps (“${before.slice(0, 40)}” → “${String(after).slice(0, 40)}”)`);
    // Export: the page makes a blob URL and clicks a download link; read the blob back.
    await session.run(catchDownloads);
    const enabled = await session.waitFor(() => document.querySelector("#export-model")?.disabled === false, 60_000);
    await session.click("#export-model");
    await session.waitFor(() => window.__downloads.length > 0, 30_000);
    const exported = await session.runAsync(firstDownload);
    check(exported && exported.bytes > 1000 && /\.safetensors$/.test(exported.name), `the model exports (${JSON.stringify(exported)}; the button was ${enabled ? "enabled" : "still disabled"}: ${await session.text("#model-notice")})`);
    await session.click("#construct-majority");
    const built = await session.waitFor(() => /Loaded construction/.test(document.querySelector("#model-notice")?.textContent ?? ""), 120_000);
    check(built, `a construction loads from the Claims panel (${await session.text("#model-notice")})`);
    mkdirSync("target", { recursive: true });
    writeFileSync("target/e2e-webkit.png", await session.screenshot());
    errors.push(...(await session.run(() => window.__errors ?? [])));
    // Offline: the service worker serves the page once the server is gone.
    const controlled = await session.waitFor(() => navigator.serviceWorker?.controller !== null && navigator.serviceWorker?.controller !== undefined, 60_000);
    server.close(); server.closeAllConnections?.();
    await session.refresh();
    const offline = await session.waitFor(() => !!document.querySelector("#train"), 60_000);
    check(controlled && offline, `with the server stopped, a reload starts the page from the service worker's cache (controlled: ${!!controlled})`);
    await session.run(recordErrors);
    await new Promise((r) => setTimeout(r, 1000));
    errors.push(...(await session.run(() => window.__errors ?? [])));
    check(outside.length === 0, `no request outside the sub-path (${outside.join(", ")})`);
    check(errors.length === 0, `no error reported after load (${errors.join(" | ")})`);
  } finally {
    await session?.end();
    driver.stop();
    server.close();
  }
}
