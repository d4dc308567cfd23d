// The layout at a laptop's and a phone's size (1366×768 and 390×844), with a model trained so
// that every panel is filled (curves, attention map, the chain-of-thought player and its 2-D
// DP table, the instruments' logit lens, a run in the table): the document is no wider than the viewport, no element lies
// outside it or is clipped except inside a declared scroll area, no chart's label runs out of
// its drawing, no menu cuts off its choice,
// no text (charts' labels scaled to their drawn size included) is under 8 px, the section bar
// reaches the Claims panel, and on the phone a claim card opens on a tap with a readable plot.
// Screenshots of both go to target/e2e-layout-*.png.
//
//   node tests/e2e/run.mjs [dist-dir] layout
import { resolve } from "node:path";
import { axeViolations, withHarness } from "../harness.mjs";

const VIEWPORTS = [{ width: 1366, height: 768, name: "laptop" }, { width: 390, height: 844, name: "phone" }];
const MIN_TEXT_PX = 8;

export default (root, check) => withHarness(root, check, panel);

async function panel(h) {
  const { check } = h;
  for (const { width, height, name } of VIEWPORTS) {
    const at = `${name} ${width}×${height}`;
    const { page, errors } = await h.openPage("?task=ed&size=3&steps=100&eval=50", { width, height });
    await h.train(page, 300_000);
    await page.waitForSelector("#dp-table", { timeout: 60_000 });
    // The instruments panel with a result in it (the logit lens: a chart and a table).
    await page.click("#instrument-tab-lens");
    await page.click("#instrument-measure");
    await page.waitForSelector("#lens-result", { timeout: 120_000 });
    const report = await page.evaluate(audit, MIN_TEXT_PX);
    check(report.documentWidth <= report.viewport, `${at}: the document is no wider than the viewport (${report.documentWidth} px in ${report.viewport}; ${report.documentHeight} px tall)`);
    check(report.outside.length === 0, `${at}: no element outside the viewport except in a scroll area (${report.outside.length}: ${report.outside.slice(0, 5).join("; ")})`);
    check(report.clipped.length === 0, `${at}: no clipped text or cut-off menu (${report.clipped.length}: ${report.clipped.slice(0, 5).join("; ")})`);
    check(report.small.length === 0, `${at}: no text under ${MIN_TEXT_PX} px, chart labels at their drawn size (smallest ${report.smallest.toFixed(1)} px${report.small.length ? `; ${report.small.slice(0, 5).join("; ")}` : ""})`);
    await page.screenshot({ path: resolve(`target/e2e-layout-${width}.png`), fullPage: true });
    // The section bar: one tap to the Claims panel, which starts at the top of the window (under the bar).
    await page.click('.sections a[href="#claims-section"]');
    const reached = await page.waitForFunction(() => Math.abs(document.querySelector("#claims-section").getBoundingClientRect().top) < 120, null, { timeout: 5_000 }).then(() => true, () => false);
    check(reached, `${at}: the section bar's “Claims” scrolls to the Claims panel`);
    const folded = await page.evaluate(() => !document.querySelector("#claim-index-lookup details.claim-body").open);
    if (name === "phone") {
      check(folded, `${at}: claim cards start folded (statement, sides and verdict in view)`);
      await page.click("#claim-index-lookup details.claim-body > summary");
      const plot = await page.evaluate(audit, MIN_TEXT_PX);
      const opened = await page.isVisible("#claim-plot-index-lookup svg");
      check(opened && plot.small.length === 0 && plot.outside.length === 0 && plot.clipped.length === 0, `${at}: a claim card opens on a tap, its plot readable, whole and inside the page (smallest text ${plot.smallest.toFixed(1)} px; ${[...plot.small, ...plot.outside, ...plot.clipped].slice(0, 3).join("; ")})`);
      await page.screenshot({ path: resolve(`target/e2e-layout-${width}-claim.png`) });
    } else {
      check(!folded, `${at}: claim cards start open`);
    }
    const violations = await axeViolations(page);
    check(violations.length === 0, `${at}: axe-core finds no violation (${violations.join("; ")})`);
    check(errors.length === 0, `${at}: no console errors (${errors.join(" | ")})`);
    await page.close();
  }
}

/** In the page: what lies outside the viewport, what is clipped, what text is too small. */
function audit(minPx) {
  const vw = document.documentElement.clientWidth;
  const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.classList.length ? `.${[...el.classList].join(".")}` : ""}`;
  const inScrollArea = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && el.checkVisibility(); };
  const outside = [], clipped = [], small = [];
  let smallest = Infinity;
  const canvas = document.createElement("canvas").getContext("2d");
  for (const el of document.querySelectorAll("body *")) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    const scrolled = inScrollArea(el);
    if (!scrolled && (r.right > vw + 0.5 || r.left < -0.5)) outside.push(`${describe(el)} ${Math.round(r.left)}..${Math.round(r.right)}`);
    const style = getComputedStyle(el);
    if (!scrolled && /(hidden|clip)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1 && el.tagName !== "svg") clipped.push(`${describe(el)} ${el.scrollWidth} > ${el.clientWidth} px`);
    if (el.tagName === "SELECT") {
      // The chosen option's text against the box less its arrow.
      canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = el.selectedOptions[0]?.textContent ?? "";
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
      if (canvas.measureText(text).width > room) clipped.push(`${describe(el)} shows “${text}” cut off`);
    }
    // A chart's label that runs past its drawing (cut off by the SVG's own box).
    if (el.tagName === "text" && el.ownerSVGElement) {
      const box = el.ownerSVGElement.viewBox.baseVal;
      const b = el.getBBox();
      if (box && box.width && (b.x < box.x - 1 || b.x + b.width > box.x + box.width + 1)) {
        clipped.push(`“${el.textContent}” runs out of ${describe(el.ownerSVGElement.closest("[id]") ?? el)} (${b.x.toFixed(0)}..${(b.x + b.width).toFixed(0)} of ${box.width})`);
      }
    }
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    let px = parseFloat(style.fontSize);
    const svg = el.closest("svg");
    if (svg) {
      const box = svg.viewBox.baseVal;
      if (box && box.width) px *= svg.getBoundingClientRect().width / box.width;
    }
    smallest = Math.min(smallest, px);
    if (px < minPx - 0.05) small.push(`${describe(el)} in ${describe(el.closest("[id]") ?? el)} ${px.toFixed(1)} px`);
  }
  return { viewport: vw, documentWidth: document.documentElement.scrollWidth, documentHeight: document.documentElement.scrollHeight, outside, clipped, small, smallest };
}
