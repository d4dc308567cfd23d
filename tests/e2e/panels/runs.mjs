// The runs panel: a finished run exports its resumable snapshot (scripts/test continues it
// natively); every run is stored at each evaluation, survives a reload, resumes to where the
// uninterrupted run ends, renames, overlays, exports all, deletes and clears; a full storage
// quota is reported while training goes on.
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { withHarness } from "../harness.mjs";

export default (root, check) => withHarness(root, check, panel);

async function panel(h) {
  const { check, base, openPage, train } = h;
  // A finished CPU run exports its resumable snapshot (optimizer state and data stream
  // included): scripts/test continues it natively with `lab train --resume`.
  {
    const r = await openPage("?steps=200&width=32&layers=1&seed=7");
    await train(r.page, 300_000);
    const [download] = await Promise.all([r.page.waitForEvent("download", { timeout: 60_000 }), r.page.click("#export-model")]);
    await download.saveAs(resolve("target/e2e-resumable.safetensors"));
    // Before it ran, the form said what a run of this config keeps: the snapshot it exports.
    const said = (await r.page.textContent("#run-storage-estimate").catch(() => "")) ?? "";
    const [, amount, unit] = said.match(/about ([\d.]+) (KB|MB|GB)/) ?? [];
    const estimate = parseFloat(amount) * { KB: 1e3, MB: 1e6, GB: 1e9 }[unit];
    const real = (await stat(resolve("target/e2e-resumable.safetensors"))).size;
    check(Math.abs(estimate / real - 1) < 0.25, `the form's storage estimate matches what the run keeps (“${said}”; its snapshot is ${real} bytes)`);
    check(r.errors.length === 0, `export of a run: no console errors (${r.errors.join(" | ")})`);
    await r.page.close();
  }

  // Runs table: every run is stored in IndexedDB at each evaluation. A run cut off by a
  // reload is listed after it (stopped, resumable, with its curves) and Resume ends it where
  // the same run uninterrupted ends; renaming survives a reload; the diff against the previous
  // run, overlaid curves, export all, delete and clear all work.
  {
    const query = "?steps=400&width=32&layers=1&seed=7";
    const r = await openPage(query);
    const rows = () => r.page.$$eval("#runs-panel tr.run-row[data-run]", (trs) => trs.map((tr) => ({
      id: tr.dataset.run,
      name: tr.querySelector(".run-name")?.textContent ?? "",
      steps: tr.querySelectorAll("td.num")[0]?.textContent ?? "",
      status: tr.querySelector("td.status")?.textContent ?? "",
      diff: tr.querySelector("td.diff")?.textContent ?? "",
      resumable: [...tr.querySelectorAll("button")].some((b) => b.textContent === "Resume"),
    })));
    await train(r.page, 300_000);
    const uninterrupted = await r.page.textContent("#metrics-readout");
    await r.page.waitForFunction(() => /finished/.test(document.querySelector("#runs-panel tr.run-row td.status")?.textContent ?? ""), null, { timeout: 30_000 }).catch(() => {});
    let list = await rows();
    check(list.length === 1 && list[0].status === "finished" && list[0].steps === "400 / 400", `a finished run is listed: ${JSON.stringify(list)}`);
    // The same run again, cut off by a reload once its evaluation at step 200 is stored.
    await r.page.click("#train");
    const saved = await r.page.waitForFunction(() => {
      const row = document.querySelector("#runs-panel tr.run-row td.num");
      return row && parseInt(row.textContent, 10) >= 200 && /running/.test(document.querySelector("#runs-panel tr.run-row td.status")?.textContent ?? "");
    }, null, { timeout: 180_000 }).then(() => true, () => false);
    check(saved, "a run in training is stored at its evaluations");
    await r.page.reload();
    await r.page.waitForFunction(() => document.querySelectorAll("#runs-panel tr.run-row[data-run]").length === 2, null, { timeout: 30_000 }).catch(() => {});
    list = await rows();
    check(list.length === 2 && list[0].status === "stopped" && list[0].resumable && /^(200|300) \/ 400$/.test(list[0].steps),
      `after a reload the cut-off run is listed as stopped and resumable: ${JSON.stringify(list)}`);
    // The tab showed the cut-off run: the reload opens it again (its last stored evaluation).
    const reopened = await r.page.waitForFunction((name) => document.body.textContent.includes(`Loaded run “${name}”`)
      && document.querySelector("#attention-map canvas.heatmap-cells") !== null, list[0]?.name ?? "", { timeout: 60_000 }).then(() => true, () => false);
    check(reopened, `after a reload the page shows the run it showed (“${list[0]?.name}”), its attention map included: ${await r.page.textContent("#model-notice").catch(() => "no notice")}`);
    await r.page.waitForFunction(() => document.querySelector("#train")?.textContent === "Train", null, { timeout: 60_000 }).catch(() => {});
    check(list[0]?.diff === "same config" && list[1]?.diff === "first run", `the diff column compares each run with the one before (${list.map((x) => x.diff).join(" | ")})`);
    check(list.length === 2 && list[0].name !== list[1].name && / #2$/.test(list[0].name), `runs of the same config get different names (${list.map((x) => x.name).join(" | ")})`);
    for (const box of await r.page.$$("#runs-panel tr.run-row input[type=checkbox]")) await box.check();
    const lines = await r.page.$$eval("#runs-chart polyline.run-line", (ls) => new Set(ls.map((l) => l.dataset.run)).size);
    check(lines === 2, `ticking both runs overlays their curves (${lines} runs drawn)`);
    // The loss overlay on a log scale: its scale in powers of ten, both runs still drawn.
    await r.page.click("#runs-log-loss");
    await r.page.waitForTimeout(200);
    const logTicks = await r.page.$$eval("#runs-chart figure:first-of-type svg text.tick[text-anchor=end]", (ts) => ts.map((t) => t.textContent).filter((t) => !/steps/.test(t)));
    const logLines = await r.page.$$eval("#runs-chart figure:first-of-type polyline.run-line", (ls) => ls.filter((l) => l.getAttribute("points").trim().length > 0).length);
    check(logTicks.length >= 2 && logTicks.every((t) => /^(1e-\d+|0\.0*1|10*)$/.test(t)) && logLines === 2,
      `the loss overlay switches to a log scale (ticks ${logTicks.join(", ")}; ${logLines} runs drawn)`);
    // On a wall-clock axis: both runs recorded the training time of each evaluation.
    await r.page.click("#runs-time-axis");
    await r.page.waitForTimeout(200);
    const timeTicks = await r.page.$$eval("#runs-chart figure:first-of-type svg text.tick", (ts) => ts.map((t) => t.textContent).filter((t) => /^\d+ s$|min/.test(t)));
    const timeLines = await r.page.$$eval("#runs-chart figure:first-of-type polyline.run-line", (ls) => ls.filter((l) => l.getAttribute("points").trim().split(" ").length >= 2).length);
    check(timeTicks.length === 1 && timeLines === 2 && (await r.page.$("#runs-untimed")) === null,
      `the overlay switches to a wall-clock axis (${timeTicks.join(", ")}; ${timeLines} runs drawn)`);
    await r.page.click("#runs-time-axis");
    // The checked runs' configs side by side: these two share every setting.
    const configs = await r.page.$eval("#runs-configs", (t) => ({ caption: t.caption?.textContent ?? "", columns: t.querySelectorAll("thead th").length, text: t.tBodies[0].textContent })).catch(() => null);
    check(configs !== null && configs.columns === 3 && /settings shared/.test(configs.caption) && /Same config/.test(configs.text),
      `the checked runs' configs side by side (${JSON.stringify(configs)})`);
    const caption = await r.page.textContent("#runs-accuracy-caption").catch(() => "");
    check(/free generation/.test(caption ?? ""), `the overlay compares the runs on free generation (they recorded it at every evaluation): "${caption}"`);
    // Notes on both runs (the one about to be resumed too: its new evaluations keep them).
    const noted = { [list[0].id]: "cut off by a reload, then resumed", [list[1].id]: "the reference, uninterrupted" };
    for (const [id, text] of Object.entries(noted)) {
      await r.page.fill(`#runs-configs textarea[data-run="${id}"]`, text);
      await r.page.press(`#runs-configs textarea[data-run="${id}"]`, "Tab");
      // Each note is saved (and the table re-drawn with it) before the next is typed.
      await r.page.waitForTimeout(300);
    }
    // Rename the first run; the name survives a reload.
    await r.page.click(`#runs-panel tr.run-row[data-run="${list[1].id}"] button[aria-label=rename]`);
    await r.page.fill("#runs-panel input.run-name-input", "reference run");
    await r.page.keyboard.press("Enter");
    await r.page.waitForTimeout(300);
    // Resume the cut-off run: it ends exactly where the uninterrupted run ended.
    await r.page.click(`#runs-panel tr.run-row[data-run="${list[0].id}"] button:has-text("Resume")`);
    const resumed = await r.page.waitForFunction((id) => {
      const row = document.querySelector(`#runs-panel tr.run-row[data-run="${id}"]`);
      return /Done/.test(document.querySelector("#progress")?.textContent ?? "") && /finished/.test(row?.querySelector("td.status")?.textContent ?? "");
    }, list[0].id, { timeout: 300_000 }).then(() => true, () => false);
    const readout = await r.page.textContent("#metrics-readout");
    check(resumed && readout === uninterrupted, `a reloaded run resumed in the page ends as the uninterrupted run: "${readout}" vs "${uninterrupted}"`);
    await r.page.reload();
    await r.page.waitForFunction(() => document.querySelectorAll("#runs-panel tr.run-row[data-run]").length === 2, null, { timeout: 30_000 }).catch(() => {});
    list = await rows();
    check(list.some((x) => x.name === "reference run") && list[0].status === "finished" && list[0].steps === "400 / 400",
      `renaming and the resumed run's end survive a reload: ${JSON.stringify(list)}`);
    for (const box of await r.page.$$("#runs-panel tr.run-row input[type=checkbox]")) await box.check();
    const notes = {};
    for (const id of Object.keys(noted)) notes[id] = await r.page.inputValue(`#runs-configs textarea[data-run="${id}"]`).catch(() => null);
    check(Object.entries(noted).every(([id, text]) => notes[id] === text),
      `each run's notes are stored with it and survive its resumption and a reload (${JSON.stringify(notes)})`);
    for (const box of await r.page.$$("#runs-panel tr.run-row input[type=checkbox]")) await box.uncheck();
    // The resumed run was on screen: the reload shows it again; wait for that before picking another.
    const again = await r.page.waitForFunction((name) => document.body.textContent.includes(`Loaded run “${name}”`), list[0]?.name ?? "", { timeout: 60_000 }).then(() => true, () => false);
    check(again, `the reload shows the resumed run again (“${list[0]?.name}”)`);
    await r.page.waitForFunction(() => document.querySelector("#train")?.textContent === "Train", null, { timeout: 60_000 }).catch(() => {});
    // Selecting a run loads its stored weights for inspection.
    await r.page.click(`#runs-panel tr.run-row[data-run="${list[1].id}"] td.settings`);
    const loaded = await r.page.waitForFunction(() => /Loaded run “reference run”/.test(document.body.textContent), null, { timeout: 60_000 }).then(() => true, () => false);
    check(loaded, "selecting a run loads its stored checkpoint");
    await r.page.waitForSelector("#cot-player .controls", { timeout: 60_000 });
    const [zip] = await Promise.all([r.page.waitForEvent("download", { timeout: 60_000 }), r.page.click("#runs-export-all")]);
    const zipPath = resolve("target/e2e-runs.zip");
    await zip.saveAs(zipPath);
    const zipBytes = await readFile(zipPath);
    check(zipBytes.length > 1000 && zipBytes.subarray(0, 2).toString() === "PK", `export all gives a zip (${zipBytes.length} bytes)`);
    await r.page.click(`#runs-panel tr.run-row[data-run="${list[0].id}"] button:has-text("Delete")`);
    await r.page.waitForFunction(() => document.querySelectorAll("#runs-panel tr.run-row[data-run]").length === 1, null, { timeout: 10_000 }).catch(() => {});
    check((await rows()).length === 1, "Delete removes a run");
    await r.page.click("#runs-clear");
    await r.page.click("#runs-clear-confirm");
    await r.page.waitForFunction(() => document.querySelectorAll("#runs-panel tr.run-row[data-run]").length === 0, null, { timeout: 10_000 }).catch(() => {});
    await r.page.reload();
    await r.page.waitForSelector("#runs-panel", { timeout: 30_000 });
    await r.page.waitForTimeout(1000);
    check((await rows()).length === 0, "Clear all (after asking) empties the table, also after a reload");
    check(r.errors.length === 0, `runs table: no console errors (${r.errors.join(" | ")})`);
    await r.page.close();
    // A full storage quota (set through the DevTools protocol on a fresh page) is shown in the
    // table, and training goes on.
    const q = await openPage("?steps=200&width=32&layers=1");
    const cdp = await q.page.context().newCDPSession(q.page);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: new URL(base).origin, quotaSize: 1000 });
    await train(q.page, 300_000);
    const full = await q.page.waitForSelector("#runs-panel .error.storage", { timeout: 30_000 }).then((e) => e.textContent(), () => "");
    check(/full/.test(full) && /Done/.test(await q.page.textContent("#progress")), `a full storage quota is reported and the run still finishes: ${full.slice(0, 160)}`);
    await q.page.close();
  }
}
