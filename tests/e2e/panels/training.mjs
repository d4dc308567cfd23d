// The training panel: the default run from a click (curves, attention map, agreement grid,
// CoT player, stale markers, accessibility, the main thread while training), the inference
// attention switch and the cost meter, refused configurations, Stop within a step, every
// architecture and another task from a link, your own data, junk in the URL.
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { catchDownloads } from "../downloads.mjs";
import { withHarness, BLOCKING_LIMIT_MS, axeViolations, clickStop, remeasured, showBlocking } from "../harness.mjs";

const shot = resolve("target/e2e-screenshot.png");

export default (root, check) => withHarness(root, check, panel);

/** Click the CSV export of chart `stem` (downloads caught) and read the file back ("" if none came). */
async function csvExport(page, stem) {
  await page.click(`#${stem}-export-csv`);
  await page.waitForFunction((n) => window.__downloads.some((d) => d.name === n), `${stem}.csv`, { timeout: 30_000 }).catch(() => {});
  return page.evaluate(async (n) => {
    const d = window.__downloads.find((x) => x.name === n);
    return d ? (await (await fetch(d.href)).text()) : "";
  }, `${stem}.csv`);
}

async function panel(h) {
  const { check, openPage, train, onFreshPage } = h;
  // Default page: render, train, inspect.
  // A short run keeps CI quick; the bench (`run.mjs dist bench`) times the default configuration.
  const first = await openPage("?steps=300");
  const { page, errors, foreign, firstRender } = first;
  console.log(`first render (navigation → Train button visible): ${firstRender} ms`);
  check(await page.isVisible("h1"), "page renders its title");
  const run = await train(page, 300_000);
  console.log(`training ${run.steps} steps + inspection: ${run.seconds.toFixed(1)} s; page reports ${run.rate}`);
  const backendText = await page.textContent("#backend");
  console.log(`backend: ${backendText}`);
  const readout = await page.textContent("#metrics-readout");
  console.log(`metrics: ${readout}`);
  check(/step \d+ · loss/.test(readout), "the chart readout shows metrics");
  check((await page.$$("#loss-chart polyline.loss")).length === 1, "the loss curve is drawn");
  // Free generation at every evaluation (3 of them in 300 steps), drawn and read out beside the
  // teacher-forced figures, which say what they are.
  const freePoints = (await page.getAttribute("#loss-chart polyline.accuracy.free", "points").catch(() => "") ?? "").trim().split(/\s+/).filter(Boolean).length;
  check(freePoints === 3 && /free generation: whole CoT \+ answer \d/.test(readout) && /teacher-forced: whole CoT \+ answer exact/.test(readout),
    `free-generation accuracy is plotted at each evaluation (${freePoints} points) and the readout labels both kinds: ${readout}`);
  // The map's cells are a canvas (one pixel per cell): data-cells counts them, and a cell is
  // hovered by its position.
  const map = "#attention-map canvas.heatmap-cells";
  const cells = parseInt(await page.getAttribute(map, "data-cells"), 10);
  check(cells > 20, `the attention map shows ${cells} cells`);
  await page.locator(map).scrollIntoViewIfNeeded();
  const grid = await page.locator(map).boundingBox();
  const t = parseInt(await page.getAttribute(map, "data-tokens"), 10);
  await page.mouse.move(grid.x + grid.width * 1.5 / t, grid.y + grid.height * (t - 0.5) / t);
  check(/weight \d\.\d{3}/.test(await page.textContent("#attention-readout")), "hovering a cell shows its weight");
  const labels = await page.$$eval("#attention-map text.axis-label", (els) => els.length);
  check(labels > 10, `attention axes carry token labels (${labels})`);
  // Agreement with the algorithm: one cell per layer × head, scored in the worker; a click
  // shows that head in the map.
  const agreeing = await page.waitForSelector("#agreement .agreement-cell", { timeout: 60_000 }).then(() => true, () => false);
  const agreementCells = await page.$$eval("#agreement .agreement-cell", (els) => els.map((e) => [e.id, e.textContent]));
  check(agreeing && agreementCells.length >= 3 && agreementCells.every(([, text]) => /^\d+ %$/.test(text)),
    `the agreement grid scores every head (${agreementCells.length}: ${agreementCells.slice(0, 4).map(([, t]) => t).join(", ")} …): ${await page.textContent("#agreement-caption").catch(() => "")}`);
  if (agreementCells.length > 0) {
    const [lastId] = agreementCells[agreementCells.length - 1];
    const [, l, h] = lastId.split("-").map(Number);
    await page.click(`#${lastId}`);
    await page.waitForTimeout(100);
    const shown = [await page.inputValue("#attn-layer"), await page.inputValue("#attn-head")].map(Number);
    check(shown[0] === l - 1 && shown[1] === h - 1 && (await page.getAttribute(`#${lastId}`, "aria-pressed")) === "true",
      `clicking agreement cell L${l} H${h} shows that head in the map (pickers at ${shown.map((x) => x + 1).join(", ")})`);
    await page.selectOption("#attn-layer", "0");
    await page.selectOption("#attn-head", "0");
  }
  const tokens = (await page.$$("#cot-player .tok")).length;
  check(tokens > 10, `the CoT player shows ${tokens} tokens`);
  const before = await page.textContent("#cot-step");
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  // Rendered by the next frame; on a busy machine later, so wait for it (bounded).
  await page.waitForFunction(() => /^step 3/.test(document.querySelector("#cot-step")?.textContent ?? ""), null, { timeout: 5_000 }).catch(() => {});
  const after = await page.textContent("#cot-step");
  check(before !== after && after.startsWith("step 3"), `→ steps through the CoT (${before} → ${after})`);
  check((await page.$$("#cot-player .tok.current")).length === 1, "the current DP cell is highlighted");
  await page.click("#cot-prev");
  await page.waitForFunction(() => /^step 2/.test(document.querySelector("#cot-step")?.textContent ?? ""), null, { timeout: 5_000 }).catch(() => {});
  check((await page.textContent("#cot-step")).startsWith("step 2"), "the Previous button steps back");
  // The training curves leave the page: SVG (the config in its metadata), PNG, CSV.
  await page.evaluate(catchDownloads);
  for (const kind of ["svg", "png", "csv"]) await page.click(`#training-curves-export-${kind}`);
  await page.waitForFunction(() => window.__downloads.length >= 3, null, { timeout: 30_000 }).catch(() => {});
  const exported = await page.evaluate(async () => {
    const out = {};
    for (const d of window.__downloads) {
      const bytes = new Uint8Array(await (await fetch(d.href)).arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      out[d.name.split(".").pop()] = { name: d.name, bytes: bytes.length, png: [...bytes.slice(0, 4)].join(","), text: d.name.endsWith(".png") ? "" : text };
    }
    const svg = out.svg && new DOMParser().parseFromString(out.svg.text, "image/svg+xml");
    out.svgParsed = !!svg && !svg.querySelector("parsererror") && svg.documentElement.localName === "svg";
    out.svgMetadata = svg?.querySelector("metadata")?.textContent ?? "";
    out.svgLines = svg?.querySelectorAll("polyline").length ?? 0;
    out.svgStyled = [...(svg?.querySelectorAll("polyline") ?? [])].some((l) => /stroke:\s*rgb/.test(l.getAttribute("style") ?? ""));
    return out;
  });
  let config = null;
  try { config = JSON.parse(exported.svgMetadata); } catch { /* reported below */ }
  check(exported.svgParsed && config?.task?.task === "lis" && config?.steps === 300 && exported.svgLines >= 3 && exported.svgStyled,
    `the curves export as SVG: it parses, ${exported.svgLines} curves with their colours inlined, the run's config in <metadata> (${exported.svgMetadata.slice(0, 60)}…)`);
  check(exported.png?.png === "137,80,78,71" && exported.png.bytes > 2000, `… as PNG (${exported.png?.bytes} bytes, signature ${exported.png?.png})`);
  const csvLines = (exported.csv?.text ?? "").trim().split("\n");
  const csvRows = csvLines.filter((l) => !l.startsWith("#")).slice(1).map((l) => l.split(","));
  check(csvLines[0]?.startsWith("# {") && csvLines.includes("step,loss,teacher_forced_exact,teacher_forced_answer,free_whole,free_answer")
    && csvRows.length === 3 && csvRows.every((r) => r.length === 6 && Number.isFinite(Number(r[1]))) && csvRows.at(-1)[0] === "300",
    `… and its data as CSV, the config as a # comment (${csvRows.length} evaluations: ${csvRows.map((r) => r[0]).join(", ")})`);
  // The agreement grid over training: a point per evaluation, recorded by the run.
  const agreementCsv = await csvExport(page, "agreement-over-training");
  const agreementRows = agreementCsv.trim().split("\n").filter((l) => !l.startsWith("#"));
  check(agreementRows[0] === "step,layer,head,mass,chance" && agreementRows.length === 4
    && agreementRows.slice(1).every((l) => { const v = l.split(",").map(Number); return v[3] >= 0 && v[3] <= 1 && v[4] > 0 && v[4] < 1; })
    && agreementRows.at(-1).startsWith("300,"),
    `the best head's agreement with the algorithm is recorded at each evaluation and exports (${agreementRows.slice(1).join(" | ")})`);
  // The cost meter's curves as CSV: a column per architecture.
  const costCsv = await csvExport(page, "cost-per-token");
  const costLines = costCsv.trim().split("\n").filter((l) => !l.startsWith("#"));
  check(costLines[0] === "position,standard,sparse,linear,lstm,gru,ssm" && costLines.length > 10
    && costLines.slice(1).every((l) => l.split(",").length === 7 && l.split(",").every((v) => Number.isFinite(Number(v)))),
    `the cost meter exports its curves as CSV (${costLines.length - 1} positions × 6 architectures)`);
  // Settings changed after the run: the panels say they show the last model, not these.
  check((await page.$("#stale-attention")) === null, "no stale marker while the panels show the current settings");
  await page.fill("#cfg-size", "7");
  await page.dispatchEvent("#cfg-size", "change");
  const stale = await page.waitForFunction(() => /not the current settings: size 5→7/.test(document.querySelector("#stale-attention")?.textContent ?? "")
    && document.querySelector("#stale-cot") && document.querySelector("#stale-chart"), null, { timeout: 10_000 }).then(() => true, () => false);
  check(stale, `after a settings change each panel says which model it shows: ${await page.textContent("#stale-attention").catch(() => "")}`);
  await page.fill("#cfg-size", "5");
  await page.dispatchEvent("#cfg-size", "change");
  await page.waitForFunction(() => !document.querySelector("#stale-attention"), null, { timeout: 10_000 }).catch(() => {});
  check((await page.$("#stale-attention")) === null, "the marker goes once the settings are the shown model's again");
  // Accessibility: every panel of the trained page (map, player, DP table, runs, claims,
  // models, gallery) against WCAG 2 A/AA.
  const violations = await axeViolations(page);
  check(violations.length === 0, `axe-core (WCAG 2 A/AA) finds no violation on the trained page: ${violations.join(" | ") || "none"}`);
  // The main thread while training steps run (see BLOCKING_LIMIT_MS), measured again on a fresh
  // page when the first crosses the bound (see `remeasured`) …
  const within = (r) => r.blocking < BLOCKING_LIMIT_MS;
  const again = () => onFreshPage("?steps=300", async (p) => train(p, 300_000), first);
  const quiet = await remeasured(run, within, showBlocking, again);
  check(quiet.ok, `total blocking time while training steps run: ${quiet.text} (< ${BLOCKING_LIMIT_MS} ms)`);
  // … and with one more core kept busy (as a laptop running other work would be).
  const busy = await withBusyCore(async () => remeasured(await again(), within, showBlocking, again));
  check(busy.ok, `total blocking time while training with another core kept busy: ${busy.text} (< ${BLOCKING_LIMIT_MS} ms)`);
  check(errors.length === 0, `no console errors (${errors.join(" | ")})`);
  check(foreign.length === 0, `no request leaves the origin (${foreign.join(", ")})`);
  await mkdir("target", { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);

  // The same trained weights under hard attention, in one click: every weight is 0 or 1.
  check(await page.isVisible("#mode-switch"), "the inference attention switch is offered after training");
  await page.click("#mode-hard");
  await page.waitForSelector("#mode-hard.on", { timeout: 60_000 });
  // Every painted cell has the colour of weight 0 (white) or 1 (24, 70, 160).
  await page.waitForFunction(() => {
    const c = document.querySelector("#attention-map canvas.heatmap-cells");
    if (!c) return false;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 0) continue;
      const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
      if (!((r === 255 && g === 255 && b === 255) || (r === 24 && g === 70 && b === 160))) return false;
    }
    return true;
  }, null, { timeout: 60_000 }).then(() => true, () => false).then((ok) =>
    check(ok, "switching to hard attention re-inspects the same model with 0/1 weights"));
  check((await page.$$("#cost-meter .curve")).length === 6, "the cost meter draws one curve per architecture");
  check((await page.getAttribute("#cost-meter .curve.current", "data-arch")) === "standard", "the cost meter highlights the chosen architecture");

  // An impossible configuration shows an error and keeps the previous one.
  await page.fill("#cfg-heads", "5");
  await page.dispatchEvent("#cfg-heads", "change");
  check(/not divisible/.test((await page.textContent("#config-error")) ?? ""), "an impossible width/heads pair is refused with a message");
  check(!page.url().includes("heads=5"), "the refused value does not reach the URL");
  await page.close();

  // Training runs in a Web Worker: Stop takes effect within one step (the WebGPU panel ends a
  // run whose worker cannot answer).
  {
    const stepsDone = (p) => p.evaluate(() => parseInt((document.querySelector("#progress .progress-label span:last-child")?.textContent ?? "0").split("/")[0], 10) || 0);
    // Measured in the page (see `clickStop`).
    const stopQuery = "?steps=5000&width=32&layers=2";
    const stopLatency = async (p) => {
      await p.click("#train");
      await p.waitForFunction(() => /Training/.test(document.querySelector("#progress")?.textContent ?? "")
        && parseInt(document.querySelector("#progress .progress-label span:last-child")?.textContent ?? "0", 10) >= 20, null, { timeout: 180_000 });
      await p.waitForTimeout(2000);
      const rate = parseFloat(await p.textContent("#steps-per-second"));
      const ms = await clickStop(p, 60_000);
      return { ms, oneStep: 1000 / rate, rate };
    };
    const s = await openPage(stopQuery);
    const stopped = await remeasured(await stopLatency(s.page), (m) => m.ms <= m.oneStep + 300,
      (m) => `${m.ms.toFixed(0)} ms (one step ≈ ${m.oneStep.toFixed(0)} ms at ${m.rate} steps/s)`,
      () => onFreshPage(stopQuery, stopLatency, s));
    check(stopped.ok, `Stop takes effect within one step and 300 ms for messages and the page's update: ${stopped.text}`);
    check((await stepsDone(s.page)) < 5000, "the stopped run ends before its last step");
    check(s.errors.length === 0, `stop: no console errors (${s.errors.join(" | ")})`);
    await s.page.close();
  }

  // Every architecture of the zoo trains from the page and shows its inside.
  for (const [arch, query, what] of [
    ["lstm", "?arch=lstm&positional=none&steps=30&width=32&layers=1", "#state-summary polyline.state-line"],
    ["ssm", "?arch=ssm&positional=none&steps=20&width=16&layers=1", "#state-summary polyline.state-line"],
    ["sparse", "?arch=sparse&block=3&steps=30&width=32&layers=1", "#attention-map canvas.heatmap-cells"],
    ["linear", "?arch=linear&steps=30&width=32&layers=1", "#attention-map canvas.heatmap-cells"],
  ]) {
    const zoo = await openPage(query);
    check((await zoo.page.inputValue("#cfg-arch")) === arch, `the link selects the ${arch} architecture`);
    const r = await train(zoo.page, 300_000);
    const shown = (await zoo.page.$$(what)).length;
    check(shown > 0, `${arch}: trains (${r.steps} steps, ${r.seconds.toFixed(1)} s) and shows ${what} (${shown})`);
    check(zoo.errors.length === 0, `${arch}: no console errors (${zoo.errors.join(" | ")})`);
    if (arch === "ssm") await zoo.page.screenshot({ path: "target/e2e-ssm.png", fullPage: true });
    await zoo.page.close();
  }

  // Another task from a link: edit distance trains and its CoT player shows 2-D DP cells.
  {
    const ed = await openPage("?task=ed&size=3&steps=20&width=32&layers=1");
    check((await ed.page.inputValue("#cfg-task")) === "ed", "the link selects the edit-distance task");
    const r = await train(ed.page, 300_000);
    const cells = await ed.page.$$eval("#cot-player .tok-index", (els) => els.map((e) => e.textContent));
    check(cells.some((c) => /^\(\d+, \d+\)$/.test(c)), `ed: trains (${r.steps} steps) and the CoT player labels 2-D DP cells`);
    check(ed.errors.length === 0, `ed: no console errors (${ed.errors.join(" | ")})`);
    await ed.page.close();
  }

  // Your own data: a pasted file with a bad line is refused naming the line; a good one
  // trains and the attention map shows its tokens.
  {
    const c = await openPage("?steps=300&width=32&layers=1");
    await c.page.selectOption("#cfg-task", "custom");
    // No data read yet: Train is refused, with the reason.
    const refused = await c.page.isDisabled("#train");
    const why = await c.page.textContent("#train-refused").catch(() => "");
    check(refused && /Read your data first/.test(why ?? ""), `with "Your own data" chosen and no data read, Train is refused with the reason ("${why}")`);
    await c.page.fill("#custom-text", "w0 w1 => odd\nw1 w1 => even\na b c\n");
    await c.page.click("#custom-use");
    check(/line 3/.test((await c.page.textContent("#custom-error").catch(() => "")) ?? ""), `a bad line is refused by number: ${await c.page.textContent("#custom-error").catch(() => "")}`);
    const lines = Array.from({ length: 64 }, (_, i) => `w${i >> 3} w${i & 7} => ${i % 2 ? "odd" : "even"}`).join("\n");
    await c.page.fill("#custom-text", lines);
    await c.page.click("#custom-use");
    check(/64 examples/.test((await c.page.textContent("#custom-result").catch(() => "")) ?? ""), `pasted data is read: ${await c.page.textContent("#custom-result").catch(() => "")}`);
    check(!(await c.page.isDisabled("#train")), "once data is read, Train is offered");
    await train(c.page, 300_000);
    const axis = await c.page.$$eval("#attention-map text.axis-label", (els) => els.map((e) => e.textContent));
    check(axis.some((t) => /^w\d$/.test(t)) && axis.some((t) => /^(odd|even)$/.test(t)), `the attention map shows the file's tokens (${axis.slice(0, 6).join(" ")} …)`);
    check(c.errors.length === 0, `custom data: no console errors (${c.errors.join(" | ")})`);
    await c.page.close();
  }

  // Junk in the URL: a notice, defaults, a working page.
  const junk = await openPage("?size=abc&width=7&steps=-3&backend=tpu&lr=1e9&seed=5&arch=mamba9&block=0");
  const notice = await junk.page.textContent(".notice");
  check(/Ignored invalid link parameters/.test(notice ?? ""), `junk URL parameters are reported (${notice})`);
  check((await junk.page.inputValue("#cfg-seed")) === "5", "valid URL parameters are kept");
  check(junk.errors.length === 0, "no console errors with a junk URL");
  await junk.page.close();
  // Each ignored parameter says why (the memory cap, not "invalid"); a 5,000-character junk
  // parameter is cut short and does not widen the page.
  const capped = await openPage(`?layers=12&width=1024&batch=4096&${"x".repeat(5000)}=1`);
  const cappedNotice = (await capped.page.textContent(".notice")) ?? "";
  const pageWidth = await capped.page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(/memory/.test(cappedNotice) && !/\.\.=/.test(cappedNotice) && cappedNotice.length < 1000 && pageWidth[0] <= pageWidth[1],
    `ignored link parameters come with reasons, cut short (${cappedNotice.length} characters, page ${pageWidth[0]} px in a ${pageWidth[1]} px window): ${cappedNotice.slice(0, 240)}`);
  await capped.page.close();
}

/** `work()` while a `yes > /dev/null` process keeps one core busy; the process ends after. */
async function withBusyCore(work) {
  const busy = spawn("yes", { stdio: "ignore" });
  try {
    return await work();
  } finally {
    busy.kill();
  }
}
