// The built page as a static site: served from a sub-path of a plain static server, it loads
// with no request outside that path, registers its service worker, and a second visit with the
// network cut still starts the page and reads its files (app, gallery) from the cache.
//
//   node tests/e2e/run.mjs [dist-dir] offline
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { launch } from "../harness.mjs";
import { serve } from "../serve.mjs";

const SUB = "/some/where/lab/";

export default async function offline(root, check) {
  const { server, outside, base } = await serve(root, SUB);
  // Without --enable-unsafe-webgpu: the page must start offline on the CPU build alone.
  const browser = await launch({ webgpu: false });
  const context = await browser.newContext();
  try {
    const errors = [];
    const page = await context.newPage();
    const wasmAtStart = [];
    page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasmAtStart.push(r.url().split("/").pop()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(base + "?task=majority&size=9");
    await page.waitForSelector("#train", { timeout: 120_000 });
    // Issue 15: all wasm the page loads at start ≤ 3 MB gzipped; the WebGPU build stays unloaded.
    const startWasm = [...wasmAtStart];
    const gzipped = startWasm.reduce((sum, f) => sum + gzipSync(readFileSync(resolve(root, f)), { level: 9 }).length, 0);
    check(startWasm.length === 1 && !startWasm[0].startsWith("expressivity-lab-gpu"),
      `at start the page loads only its CPU build (${startWasm.join(", ")})`);
    check(gzipped <= 3_000_000, `wasm loaded at start: ${gzipped} bytes gzipped (≤ 3,000,000)`);
    const gpuWasm = readdirSync(root).find((f) => f.startsWith("expressivity-lab-gpu") && f.endsWith(".wasm"));
    check(Boolean(gpuWasm), `the WebGPU build is in the site (${gpuWasm})`);
    check(outside.length === 0, `first visit requests nothing outside ${SUB} (${outside.join(", ") || "none"})`);
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      // Controlled only once the worker has claimed the page (a worker started before would
      // bypass it).
      if (!navigator.serviceWorker.controller) {
        await new Promise((ok) => navigator.serviceWorker.addEventListener("controllerchange", ok, { once: true }));
      }
      return registration.active?.scriptURL ?? "";
    });
    check(worker.endsWith(`${SUB}sw.js`), `service worker active: ${worker}`);
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys.find((k) => k.startsWith("expressivity-lab-")));
      return { keys, files: (await cache.keys()).length };
    });
    check(cached.keys.length === 1 && cached.files > 5, `one versioned cache with the whole build (${JSON.stringify(cached)})`);
    // The WebGPU build is cached when a worker first loads it (as the worker of a WebGPU run
    // does: a module worker from a blob URL), not at install.
    const lazy = await page.evaluate(async (file) => {
      const inCache = async () => {
        const keys = await caches.keys();
        const cache = await caches.open(keys.find((k) => k.startsWith("expressivity-lab-")));
        return (await cache.keys()).some((r) => r.url.endsWith("/" + file));
      };
      const before = await inCache();
      const url = new URL(file, location.href).href;
      const source = `const r = await fetch(${JSON.stringify(url)}); postMessage((await r.arrayBuffer()).byteLength);`;
      const blob = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      const bytes = await new Promise((done) => {
        const worker = new Worker(blob, { type: "module" });
        worker.onmessage = (e) => { done(e.data); worker.terminate(); };
        worker.onerror = (e) => { done(`error ${e.message}`); worker.terminate(); };
      });
      // The service worker stores it in the background while the response streams.
      let after = await inCache();
      for (let i = 0; i < 50 && !after; i++) {
        await new Promise((ok) => setTimeout(ok, 100));
        after = await inCache();
      }
      return { before, bytes, after };
    }, gpuWasm);
    check(!lazy.before && lazy.bytes > 1_000_000 && lazy.after,
      `the WebGPU build joins the cache when a worker first loads it (${JSON.stringify(lazy)})`);
    await page.close();

    // Second visit, offline.
    await context.setOffline(true);
    const offline = await context.newPage();
    const offlineErrors = [];
    offline.on("pageerror", (e) => offlineErrors.push(String(e)));
    await offline.goto(base + "?task=majority&size=9");
    await offline.waitForSelector("#train", { timeout: 120_000 });
    check(true, "offline: the page starts from the cache");
    const gallery = await offline.evaluate(async () => {
      const r = await fetch("./models/lis-standard.safetensors");
      return { ok: r.ok, bytes: (await r.arrayBuffer()).byteLength };
    });
    check(gallery.ok && gallery.bytes > 1000, `offline: a gallery checkpoint reads from the cache (${gallery.bytes} bytes)`);
    const gpuOffline = await offline.evaluate(async (file) => {
      const r = await fetch(file);
      return { ok: r.ok, bytes: (await r.arrayBuffer()).byteLength };
    }, gpuWasm);
    check(gpuOffline.ok && gpuOffline.bytes > 1_000_000, `offline: the WebGPU build reads from the cache once used (${gpuOffline.bytes} bytes)`);
    check(offlineErrors.length === 0, `offline: no page errors (${offlineErrors.join(" | ")})`);
    check(errors.length === 0, `online: no page errors (${errors.join(" | ")})`);
  } finally {
    await browser.close();
    server.close();
  }
}
