// The models panel and the task gallery: every task renders a sample; a shipped checkpoint
// loads in one click, exports, imports back; damaged files are refused without losing the model
// on screen; the player browses held-out examples, takes a typed prompt and draws the DP table.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { withHarness, axeViolations } from "../harness.mjs";

export default (root, check) => withHarness(root, check, panel);

async function panel(h) {
  const { check, root, openPage } = h;
  const first = await openPage();
  const { page, errors } = first;
  // The task gallery: every task renders a sample with its segments coloured apart.
  await page.selectOption("#gallery-task", "ed");
  check((await page.$$("#gallery-sample .seg-cot")).length > 10, "the gallery shows an ED sample with a chain of thought");
  check((await page.textContent("#gallery-claim")).includes("edit-distance"), "the gallery explains the task's claim");
  await page.hover("#gallery-sample .seg-cot >> nth=8");
  check((await page.$$("#gallery-sample .gtok.dep")).length >= 1, "hovering a DP token highlights the cells it reads");
  const sampleBefore = await page.textContent("#gallery-sample");
  await page.fill("#gallery-size", "99");
  await page.dispatchEvent("#gallery-size", "change");
  check(/out of range/.test((await page.textContent("#gallery-error")) ?? ""), "an out-of-range gallery size is refused with a message");
  check((await page.textContent("#gallery-sample")) === sampleBefore, "the last good sample stays on screen");
  await page.selectOption("#gallery-task", "dyck");
  check((await page.$$("#gallery-sample .seg-cot")).length === 0 && (await page.$$("#gallery-sample .seg-answer")).length === 1, "a decision task shows a prompt and one answer token");
  for (const name of ["arithmetic", "lis", "index-lookup", "equality", "disjointness", "nearest-neighbor", "majority", "parity"]) {
    await page.selectOption("#gallery-task", name);
    const answer = (await page.$$("#gallery-sample .seg-answer")).length;
    if (answer !== 1) check(false, `the gallery renders ${name}`);
  }
  check(errors.length === 0, `no console errors after using the gallery (${errors.join(" | ")})`);

  await page.close();

  // Models: load a shipped checkpoint in one click, export it, import it back, refuse
  // damaged files without losing the model on screen.
  {
    const m = await openPage();
    const gallery = JSON.parse(await readFile(join(root, "models", "gallery.json"), "utf8"));
    check(gallery.length >= 7 && (await m.page.$$("#models .model-card")).length === gallery.length, `the model gallery lists the ${gallery.length} shipped checkpoints`);
    const t0 = Date.now();
    await m.page.click("#model-majority-softmax button");
    const loaded = await m.page.waitForFunction(() => /Loaded/.test(document.querySelector("#model-notice")?.textContent ?? "")
      && document.querySelector("#attention-map canvas.heatmap-cells") !== null, null, { timeout: 120_000 }).then(() => true, () => false);
    check(loaded, `a gallery model loads in one click and shows its attention map (${((Date.now() - t0) / 1000).toFixed(1)} s): ${await m.page.textContent("#model-notice").catch(() => "")}`);
    check(!/format v1/.test(await m.page.textContent("#model-notice").catch(() => "")), "the gallery ships the current checkpoint format (no format-v1 notice)");
    const byDesign = await m.page.waitForFunction(() => /near chance by design/.test(document.querySelector("#agreement-caption")?.textContent ?? ""), null, { timeout: 60_000 }).then(() => true, () => false);
    check(byDesign, `MAJORITY's uniform head: the agreement grid says it sits at chance by design (${await m.page.textContent("#agreement-caption").catch(() => "none")})`);
    check((await m.page.inputValue("#cfg-task")) === "majority" && (await m.page.inputValue("#cfg-layers")) === "1", "loading adopts the checkpoint's config");
    check(m.page.url().includes("task=majority"), "the loaded config reaches the URL");
    const [download] = await Promise.all([m.page.waitForEvent("download", { timeout: 60_000 }), m.page.click("#export-model")]);
    const exported = resolve("target/e2e-exported.safetensors");
    await download.saveAs(exported);
    const bytes = await readFile(exported);
    check(bytes.length > 1000 && download.suggestedFilename() === "majority-15-standard.safetensors", `the model exports as ${download.suggestedFilename()} (${bytes.length} bytes)`);
    const [jsonDownload] = await Promise.all([m.page.waitForEvent("download", { timeout: 60_000 }), m.page.click("#export-json")]);
    const meta = JSON.parse(await readFile(await jsonDownload.path(), "utf8"));
    check(meta.train?.task?.task === "majority" && meta.model?.n_layers === 1 && meta.history?.length > 0, "the config exports as JSON with the task, model and history");
    const cellsBefore = await m.page.getAttribute("#attention-map canvas.heatmap-cells", "data-cells");
    for (const [name, content, pattern] of [
      ["truncated.safetensors", bytes.subarray(0, bytes.length >> 1), /not a safetensors file/],
      ["flipped.safetensors", Buffer.from(bytes.map((b, i) => (i === bytes.length - 3 ? b ^ 1 : b))), /checksum/],
      ["notes.safetensors", Buffer.from("these are my notes, not a model"), /not a checkpoint: it looks like a text file/],
      // The page's own "Export all" zip and a config JSON are named for what they are.
      ["e2e-runs.zip", await runsZip(), /a zip archive/],
      ["majority.json", Buffer.from(JSON.stringify(meta)), /a JSON file/],
    ]) {
      await importFile(m.page, { name, mimeType: "application/octet-stream", buffer: content });
      const refused = await m.page.waitForFunction((n) => (document.querySelector("#model-error")?.textContent ?? "").includes(n), name, { timeout: 60_000 }).then(() => true, () => false);
      const message = (await m.page.textContent("#model-error").catch(() => "")) ?? "";
      check(refused && pattern.test(message), `a damaged file (${name}) is refused: ${message}`);
      check((await m.page.getAttribute("#attention-map canvas.heatmap-cells", "data-cells")) === cellsBefore && (await m.page.inputValue("#cfg-task")) === "majority", `after ${name} the loaded model stays on screen`);
    }
    await importFile(m.page, exported);
    const reimported = await m.page.waitForFunction(() => /Loaded “e2e-exported.safetensors”: majority/.test(document.querySelector("#model-notice")?.textContent ?? ""), null, { timeout: 120_000 }).then(() => true, () => false);
    check(reimported, "the exported file imports back");
    // A file of format v1 (the gallery as it first shipped) still loads, with a notice that its
    // checksum does not cover its metadata.
    await importFile(m.page, resolve("tests/fixtures/v1/majority-softmax.safetensors"));
    const v1 = await m.page.waitForFunction(() => /format v1: its checksum covers the weights only/.test(document.querySelector("#model-notice")?.textContent ?? ""), null, { timeout: 120_000 }).then(() => true, () => false);
    check(v1, `a file of format v1 loads with a notice that its metadata is not covered: ${await m.page.textContent("#model-notice").catch(() => "")}`);
    await m.page.click("#model-lis-standard button");
    // Wait for the LIS inspection itself (the majority model's map is on screen until then):
    // its CoT has several steps and the free-generation readout is back.
    const lis = await m.page.waitForFunction(() => /Loaded .*LIS/.test(document.querySelector("#model-notice")?.textContent ?? "")
      && /step 1 \/ ([2-9]|\d\d)/.test(document.querySelector("#cot-player")?.textContent ?? "")
      && /free generation on 128 held-out prompts/.test(document.querySelector("#greedy-readout")?.textContent ?? ""), null, { timeout: 120_000 }).then(() => true, () => false);
    // (On failure: the page's status and notice, and where the player is, to tell a stalled
    // inspection from a slow one.)
    const lisState = lis ? "" : ` — status "${await m.page.textContent("#progress").catch(() => "")}", notice "${await m.page.textContent("#model-notice").catch(() => "")}", player "${(await m.page.textContent("#cot-step").catch(() => "none")) ?? "none"}"`;
    check(lis, `the LIS gallery model loads, its chain of thought plays and its free-generation accuracy shows (${await m.page.textContent("#greedy-readout").catch(() => "")})${lisState}`);
    check((await m.page.inputValue("#cfg-task")) === "lis", "the LIS config is adopted");
    // The player browses the held-out set and takes a typed prompt (checked by the task's parser).
    const where = () => m.page.textContent("#example-where").catch(() => "");
    await m.page.waitForFunction(() => /held-out example 1 of 128/.test(document.querySelector("#example-where")?.textContent ?? ""), null, { timeout: 30_000 }).catch(() => {});
    check(/held-out example 1 of 128 · (right|wrong)/.test(await where()), `the player says which held-out example it shows: "${await where()}"`);
    await m.page.click("#example-next");
    const second = await m.page.waitForFunction(() => /held-out example 2 of 128/.test(document.querySelector("#example-where")?.textContent ?? ""), null, { timeout: 30_000 }).then(() => true, () => false);
    check(second, `Example → shows the next held-out example: "${await where()}"`);
    check((await m.page.$$("#dp-table table.one-d td.dp-cell")).length >= 3, "LIS: the DP table is one row of dp_i under the numbers");
    const hint = ((await m.page.getAttribute("#example-prompt-input", "placeholder")) ?? "").replace(/^e\.g\. /, "");
    await m.page.fill("#example-prompt-input", "seven apples");
    await m.page.click("#example-prompt-run");
    const refusedPrompt = await m.page.waitForFunction(() => /not a lis prompt/.test(document.querySelector("#example-error")?.textContent ?? ""), null, { timeout: 30_000 }).then(() => true, () => false);
    check(refusedPrompt && /held-out example 2/.test(await where()), `a malformed prompt is refused with the parser's reason, the example stays: ${await m.page.textContent("#example-error").catch(() => "")}`);
    await m.page.fill("#example-prompt-input", hint);
    await m.page.click("#example-prompt-run");
    const typedShown = await m.page.waitForFunction(() => /your prompt/.test(document.querySelector("#example-where")?.textContent ?? "") && !document.querySelector("#example-error"), null, { timeout: 30_000 }).then(() => true, () => false);
    check(typedShown, `a typed prompt ("${hint}") plays in the player`);
    // Arithmetic: the stack of rewrites — the prompt's expression, then one row per step, each
    // shorter than the one above (one operator evaluated).
    await m.page.click("#model-arithmetic-standard button");
    const stack = await m.page.waitForFunction(() => /Loaded .*arithmetic/i.test(document.querySelector("#model-notice")?.textContent ?? "")
      && document.querySelector("#dp-table table.rewrite-stack") !== null, null, { timeout: 120_000 }).then(() => true, () => false);
    const rows = stack ? await m.page.$$eval("#dp-table table.rewrite-stack tr", (trs) => trs.map((tr) => ({
      head: tr.querySelector("th")?.textContent, cells: tr.querySelectorAll("td").length, border: tr.querySelectorAll("td.border").length,
    }))) : [];
    const shrinking = rows.slice(1).every((r, i) => r.cells < rows[i].cells);
    check(stack && rows.length >= 3 && rows[0].head === "prompt" && rows[0].border === rows[0].cells && rows[1].head === "step 1" && shrinking,
      `arithmetic shows its rewrite stack: the prompt's expression, then a shorter row per step (${rows.map((r) => `${r.head}: ${r.cells}`).join(", ")})`);
    await m.page.locator("#dp-table").screenshot({ path: "target/e2e-rewrite-stack.png" }).catch(() => {});
    // Edit distance: a 2-D table with its border row and column; the first wrong example shows
    // the expected value beside each wrong cell.
    await m.page.click("#model-ed-linear button");
    const ed = await m.page.waitForFunction(() => /Loaded .*edit distance|Loaded .*ed-linear/i.test(document.querySelector("#model-notice")?.textContent ?? "")
      && document.querySelector("#dp-table table.two-d:not(.heat-map)") !== null && /of 128 held-out examples wrong/.test(document.querySelector("#example-picker")?.textContent ?? ""), null, { timeout: 120_000 }).then(() => true, () => false);
    check(ed, `the edit-distance gallery model shows a 2-D DP table (${await m.page.textContent("#model-notice").catch(() => "")})`);
    const border = await m.page.$$eval("#dp-table td.dp-cell.border", (tds) => tds.map((td) => td.textContent));
    check(border.length >= 4 && border[0] === "0", `the table draws its border row and column from the input: ${border.slice(0, 8).join(" ")}`);
    if (!(await m.page.isDisabled("#example-first-wrong"))) {
      await m.page.click("#example-first-wrong");
      const wrongShown = await m.page.waitForFunction(() => /· wrong/.test(document.querySelector("#example-where")?.textContent ?? "")
        && document.querySelectorAll("#dp-table td.dp-cell.wrong .dp-expected, #cot-player .tok-expected").length > 0, null, { timeout: 30_000 }).then(() => true, () => false);
      const expectedCells = await m.page.$$eval("#dp-table td.dp-cell.wrong", (tds) => tds.map((td) => td.title));
      check(wrongShown, `First wrong shows a wrong example with the expected value beside each wrong cell (${expectedCells.length} wrong cells, e.g. "${expectedCells[0] ?? ""}")`);
    } else {
      check(/0 of 128 held-out examples wrong/.test(await m.page.textContent("#example-picker")), "First wrong is disabled only when no held-out example is wrong");
    }
    // Where errors cluster over the whole held-out set: one shaded cell per DP cell, and the
    // tally agrees with the picker's count of wrong examples (none wrong: every cell at 0 %).
    const heat = await m.page.$$eval("#dp-errors td.dp-cell.heat", (tds) => tds.map((td) => parseFloat(td.dataset.rate)));
    const wrongExamples = parseInt((await m.page.textContent("#example-picker")).match(/(\d+) of 128 held-out examples wrong/)?.[1] ?? "-1", 10);
    const heatCaption = (await m.page.textContent("#dp-errors .dp-summary").catch(() => "")) ?? "";
    check(heat.length >= 9 && heat.every((r) => r >= 0 && r <= 1) && (wrongExamples > 0) === heat.some((r) => r > 0)
      && /128 held-out examples/.test(heatCaption),
      `the error map shades every DP cell by its error rate over the held-out set (${heat.length} cells, highest ${(100 * Math.max(...heat)).toFixed(1)} %, ${wrongExamples} examples wrong): ${heatCaption}`);
    await m.page.screenshot({ path: "target/e2e-dp-table.png", fullPage: false, clip: await m.page.locator("section.panel.cot").boundingBox() });
    const edViolations = await axeViolations(m.page);
    check(edViolations.length === 0, `axe-core finds no violation with a wrong edit-distance example and its 2-D table open: ${edViolations.join(" | ") || "none"}`);
    await m.page.screenshot({ path: "target/e2e-models.png", fullPage: true });
    check(m.errors.length === 0, `models: no console errors (${m.errors.join(" | ")})`);
    await m.page.close();
  }
}

// The runs panel's "Export all" zip when that panel ran first, else an empty zip archive (the
// page names both by their first bytes).
async function runsZip() {
  return readFile(resolve("target/e2e-runs.zip")).catch(() => Buffer.concat([Buffer.from("PK\x05\x06", "latin1"), Buffer.alloc(18)]));
}

// The file input is disabled while the page inspects a model (the agreement grid, the greedy
// readout): a file set on it then fires no change, so wait until it takes files again.
async function importFile(page, file) {
  await page.waitForFunction(() => document.querySelector("#import-file")?.disabled === false, null, { timeout: 120_000 });
  await page.setInputFiles("#import-file", file);
}
