// End-to-end tests of the release build, one file per panel (tests/e2e/panels/), each on
// fresh pages of its own browser process over its own static server, so that any one runs
// alone. `scripts/test` runs them all after `trunk build --release`.
//
//   node tests/e2e/run.mjs [dist-dir] [panel ...]     every panel, or the ones named
//   node tests/e2e/run.mjs dist claims                 only the Claims panel
//   node tests/e2e/run.mjs dist bench                  not a check: the default run's speed on
//                                                      the CPU and the software WebGPU adapter
//   E2E_VERBOSE=1 …                                    the page's console and each run's timeline
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { checkList } from "./harness.mjs";

// The order of a full run: offline first (a cold cache), the WebGPU panel last (its software
// adapter keeps the machine's cores busy compiling).
const PANELS = ["offline", "training", "layout", "runs", "models", "instruments", "claims", "firefox", "webkit", "webgpu"];
const EXTRA = ["bench"];

const args = process.argv.slice(2);
const root = resolve(args[0] && !PANELS.includes(args[0]) && !EXTRA.includes(args[0]) ? args.shift() : "dist");
const asked = args.length ? args : PANELS;
const unknown = asked.filter((p) => !PANELS.includes(p) && !EXTRA.includes(p));
if (unknown.length || !existsSync(resolve(root, "index.html"))) {
  console.error(unknown.length
    ? `unknown panel(s): ${unknown.join(", ")}; the panels: ${[...PANELS, ...EXTRA].join(", ")}`
    : `${root} holds no built page (index.html): run \`trunk build --release\` first`);
  process.exit(2);
}

const failures = [];
const times = [];
for (const name of asked) {
  console.log(`\n== ${name}`);
  const { failures: own, check } = checkList(`${name}: `);
  const t0 = Date.now();
  try {
    const { default: panel } = await import(`./panels/${name}.mjs`);
    await panel(root, check);
  } catch (e) {
    check(false, `stopped by an error: ${e?.stack ?? e}`);
  }
  times.push(`${name} ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  failures.push(...own);
}
console.log(`\ntime per panel: ${times.join(", ")}`);
if (failures.length) {
  console.log(`\n${failures.length} e2e check(s) failed:\n${failures.map((f) => `  ${f.split("\n")[0]}`).join("\n")}`);
  process.exit(1);
}
console.log("\nall e2e checks passed");
