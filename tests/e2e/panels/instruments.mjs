// The instruments panel on shipped checkpoints: probes, head ablation, the logit lens,
// activation patching and length curves measured in the worker, each drawn with its table, and
// exported as SVG (parses, the model's config in <metadata>), PNG and CSV (rows that parse).
import { resolve } from "node:path";
import { catchDownloads } from "../downloads.mjs";
import { withHarness, axeViolations } from "../harness.mjs";

export default (root, check) => withHarness(root, check, panel);

/** Load a gallery model and wait for the page to say so (a notice other than the last one). */
async function loadGallery(page, name) {
  const before = await page.textContent("#model-notice").catch(() => null);
  await page.click(`#model-${name} button`);
  return page.waitForFunction((was) => {
    const now = document.querySelector("#model-notice")?.textContent ?? "";
    return now !== was && /Loaded/.test(now);
  }, before, { timeout: 120_000 }).then(() => true, () => false);
}

/** Show a tab, measure, and wait for its result (or an error); the result's text. */
async function measure(page, tab, resultId) {
  await page.click(`#instrument-tab-${tab}`);
  await page.click("#instrument-measure");
  const done = await page.waitForFunction((id) => document.querySelector(`#${id}`) || document.querySelector("#instrument-error"),
    resultId, { timeout: 120_000 }).then(() => true, () => false);
  const error = await page.textContent("#instrument-error").catch(() => null);
  return { done, error };
}

/** Click a chart's export buttons and read the files back: SVG parsed, PNG signature, CSV text. */
async function exported(page, stem) {
  await page.evaluate(catchDownloads);
  for (const kind of ["svg", "png", "csv"]) await page.click(`#${stem}-export-${kind}`);
  await page.waitForFunction(() => window.__downloads.length >= 3, null, { timeout: 30_000 }).catch(() => {});
  return page.evaluate(async () => {
    const out = {};
    for (const d of window.__downloads) {
      const bytes = new Uint8Array(await (await fetch(d.href)).arrayBuffer());
      out[d.name.split(".").pop()] = { name: d.name, bytes: bytes.length, head: [...bytes.slice(0, 4)].join(","), text: new TextDecoder().decode(bytes) };
    }
    const svg = out.svg && new DOMParser().parseFromString(out.svg.text, "image/svg+xml");
    out.svgParsed = !!svg && !svg.querySelector("parsererror") && svg.documentElement.localName === "svg";
    out.metadata = svg?.querySelector("metadata")?.textContent ?? "";
    out.shapes = svg?.querySelectorAll("rect, polyline, circle, polygon").length ?? 0;
    return out;
  });
}

function checkExport(check, files, stem, task, minRows, header) {
  let config = null;
  try { config = JSON.parse(files.metadata); } catch { /* reported below */ }
  check(files.svgParsed && config?.train?.task?.task === task || files.svgParsed && config?.task?.task === task,
    `${stem}: the SVG parses and holds the model's config (${files.metadata.slice(0, 50)}…; ${files.shapes} shapes)`);
  check(files.png?.head === "137,80,78,71" && files.png.bytes > 1000, `${stem}: the PNG (${files.png?.bytes} bytes)`);
  const lines = (files.csv?.text ?? "").trim().split("\n");
  const rows = lines.filter((l) => !l.startsWith("#"));
  check(lines[0]?.startsWith("# {") && rows[0] === header && rows.length - 1 >= minRows,
    `${stem}: the CSV has the config as a comment, the header ${header} and ${rows.length - 1} rows (≥ ${minRows})`);
  return rows.slice(1).map((r) => r.split(","));
}

async function panel(h) {
  const { check, openPage } = h;
  const { page, errors } = await openPage();
  check((await page.$("#instrument-measure[disabled]")) !== null, "before a model is kept, Measure is disabled and says why");

  // MAJORITY, 1 layer × 4 heads of softmax attention.
  check(await loadGallery(page, "majority-softmax"), "the MAJORITY model loads");
  // The attention map of the shown head leaves the page too.
  const mapFiles = await exported(page, "attention");
  const mapRows = checkExport(check, mapFiles, "attention", "majority", 10, "layer,head,query,query_token,key,key_token,weight");
  const tokens = Number(await page.getAttribute("#attention-map canvas.heatmap-cells", "data-tokens"));
  check(mapRows.length === tokens * (tokens + 1) / 2 && mapFiles.shapes > mapRows.length,
    `attention map: a CSV row and an SVG cell per attended pair (${mapRows.length} rows for ${tokens} tokens, ${mapFiles.shapes} shapes)`);
  const rowSums = new Map();
  for (const row of mapRows) rowSums.set(row[2], (rowSums.get(row[2]) ?? 0) + Number(row.at(-1)));
  check([...rowSums.values()].every((v) => Math.abs(v - 1) < 1e-3), "attention map: each query's exported weights sum to 1");
  // So does the agreement grid (a cell per head).
  await page.waitForSelector("#agreement-caption", { timeout: 60_000 }).catch(() => {});
  const agreementRows = checkExport(check, await exported(page, "agreement"), "agreement", "majority", 4,
    "layer,head,mass,mass_low,mass_high,argmax,argmax_low,argmax_high,chance");
  check(agreementRows.length === 4 && agreementRows.every((r) => Number(r[3]) <= Number(r[2]) + 1e-9 && Number(r[2]) <= Number(r[4]) + 1e-9),
    `agreement grid: a row per head, each estimate inside its interval (${agreementRows.map((r) => r[2]).join(", ")})`);
  await page.locator("#instruments-panel").scrollIntoViewIfNeeded();

  let r = await measure(page, "probes", "probes-result");
  const probeRows = await page.$$eval("#probes-table tbody tr", (rows) => rows.map((tr) => [...tr.cells].map((c) => c.textContent)));
  check(r.done && !r.error && probeRows.length === 1 && /running count/.test(await page.textContent("#probes-result")),
    `probes: the running count, one row per layer (${JSON.stringify(probeRows)}) ${r.error ?? ""}`);
  const probeCsv = checkExport(check, await exported(page, "probes"), "probes", "majority", 1, "variable,after_layer,r2,exact,control_r2");
  check(probeCsv.every((row) => Number.isFinite(Number(row[2])) && Number.isFinite(Number(row[4]))), "probes: R² and the control in every CSV row");

  r = await measure(page, "ablation", "ablation-result");
  const heads = await page.$$("#ablation-table tbody tr:not(.layer-row)");
  const layerRows = await page.$$("#ablation-table tbody tr.layer-row");
  check(r.done && !r.error && heads.length === 4 && layerRows.length === 1, `ablation: a row per head (${heads.length} of 4) and one for the whole layer (${layerRows.length}) ${r.error ?? ""}`);
  const ablationCsv = checkExport(check, await exported(page, "ablation"), "ablation", "majority", 5,
    "layer,head,exact_without,answer_without,exact_drop,exact_drop_low,exact_drop_high,answer_drop,answer_drop_low,answer_drop_high");
  check(ablationCsv.at(-1)?.[1] === "all" && Number(ablationCsv.at(-1)[3]) <= 0.75,
    `ablation: without its only attention layer MAJORITY's answer falls toward chance (${ablationCsv.at(-1)?.[3]})`);

  r = await measure(page, "lens", "lens-result");
  const lensRows = await page.$$eval("#lens-table tbody tr", (rows) => rows.map((tr) => tr.cells[2].textContent));
  check(r.done && !r.error && lensRows.length === 2, `logit lens: the embedding and the one layer (${lensRows.join(" / ")}) ${r.error ?? ""}`);
  const lensCsv = checkExport(check, await exported(page, "logit-lens"), "logit-lens", "majority", 2, "after_layer,reference_probability,top1,answer_top1");
  check(lensCsv.length === 2 && Number(lensCsv[1][3]) >= 0.9, `logit lens: the last stream is the model's own output, answers right (${lensCsv.map((row) => row[3]).join(", ")})`);

  // Patching: the shown example with every bit flipped (the majority flips with it).
  await page.click("#instrument-tab-patching");
  const clean = await page.inputValue("#patch-corrupt");
  const corrupt = clean.split(" ").map((t) => (t === "1" ? "0" : t === "0" ? "1" : t)).join(" ");
  await page.fill("#patch-corrupt", corrupt);
  r = await measure(page, "patching", "patching-result");
  const cells = await page.$$("#patching-result rect.patch-cell");
  check(r.done && !r.error && cells.length > 10, `patching: a cell per layer input and position (${cells.length}) ${r.error ?? ""}`);
  checkExport(check, await exported(page, "patching"), "patching", "majority", 10, "layer_input,position,clean_token,corrupt_token,recovered");
  await page.fill("#patch-corrupt", "1 1 <q>");
  r = await measure(page, "patching", "patching-never");
  check(r.error !== null && /corrupted prompt/.test(r.error), `patching: a malformed corrupted prompt is refused with the reason: ${r.error}`);

  r = await measure(page, "length", "length-result");
  const points = await page.$$("#length-result circle.point");
  check(r.done && !r.error && points.length >= 4 && (await page.$$("#length-result circle.trained-size")).length === 1,
    `length curve: ${points.length} sizes with the training size marked ${r.error ?? ""}`);
  const lengthCsv = checkExport(check, await exported(page, "length-curve"), "length-curve", "majority", 4,
    "row,series,seeds,size,examples,answer,answer_low,answer_high,whole,whole_low,whole_high");
  check(lengthCsv.every((row) => Number(row.at(-5)) <= Number(row.at(-6)) + 1e-9 && Number(row.at(-6)) <= Number(row.at(-4)) + 1e-9),
    "length curve: every interval holds its estimate");

  await page.locator("#instruments-panel").screenshot({ path: resolve("target/e2e-instruments.png") });

  // A recurrent model: its probes measure; ablation says it has no heads; the curve of the
  // first model stays and a second joins it.
  check(await loadGallery(page, "majority-ssm"), "the MAJORITY SSM loads");
  await page.click("#instrument-tab-probes");
  check((await page.$("#probes-result")) === null, "another model forgets the last one's results");
  r = await measure(page, "probes", "probes-result");
  check(r.done && !r.error, `probes on the SSM ${r.error ?? ""}`);
  await page.click("#instrument-tab-ablation");
  check((await page.$("#instrument-measure[disabled]")) !== null && /no attention heads/.test(await page.textContent("#instrument-ablation")),
    "ablation on a recurrent model: disabled, and says why");
  r = await measure(page, "length", "length-result");
  const series = await page.$$("#length-legend li");
  check(r.done && series.length === 2, `length curves overlay: ${series.length} series`);
  await page.click("#length-clear");
  check((await page.$("#length-result")) === null, "Clear curves empties the chart");

  const violations = await axeViolations(page);
  check(violations.length === 0, `axe-core finds no violation with the instruments shown: ${violations.join(" | ") || "none"}`);
  check(errors.length === 0, `no console errors (${errors.join(" | ")})`);
}
