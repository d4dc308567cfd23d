// Not a check: the default run's speed on the CPU (wasm) and on the software WebGPU adapter, as
// the page reports it (`node tests/e2e/run.mjs dist bench`).
import { withHarness } from "../harness.mjs";

export default (root, check) => withHarness(root, check, run);

async function run(h) {
  const { openPage, train } = h;

  const cpu = await openPage("?steps=300");
  const c = await train(cpu.page, 900_000);
  console.log(`BENCH CPU (wasm), default config, 300 steps: ${c.steps} steps in ${c.seconds.toFixed(1)} s incl. inspection; page reports ${c.rate}; ${await cpu.page.textContent("#metrics-readout")}`);
  await cpu.page.close();
  const gpu = await openPage("?backend=webgpu&steps=100");
  const g = await train(gpu.page, 900_000);
  console.log(`BENCH WebGPU: ${await gpu.page.textContent("#backend")}`);
  console.log(`BENCH WebGPU (software adapter), default config, 100 steps: ${g.seconds.toFixed(1)} s incl. inspection; page reports ${g.rate}; longest task ${g.longest.toFixed(0)} ms`);
  await gpu.page.close();
}
