// A small W3C WebDriver (classic) client over fetch, for browsers whose driver speaks no BiDi
// (WebKitGTK's WebKitWebDriver): a session, navigation, scripts, screenshots, and polling.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

/** A free TCP port on the loopback interface. */
export async function freePort() {
  const probe = createServer();
  await new Promise((ok) => probe.listen(0, "127.0.0.1", ok));
  const { port } = probe.address();
  await new Promise((ok) => probe.close(ok));
  return port;
}

/** Start `command` (a driver listening on `port`) and wait until it answers /status. */
export async function startDriver(command, args, port, timeoutMs = 30_000) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited (${child.exitCode}): ${log}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${command} did not answer on port ${port} within ${timeoutMs} ms: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // The driver's process group (xvfb-run, Xvfb, the driver, the browser) ends together.
  return { child, log: () => log, stop: () => { try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ } } };
}

export class Session {
  constructor(port, id) { this.port = port; this.id = id; }

  static async create(port, capabilities) {
    const value = await call(port, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return Object.assign(new Session(port, value.sessionId), { capabilities: value.capabilities });
  }

  cmd(method, path, body) { return call(this.port, method, `/session/${this.id}${path}`, body); }
  goto(url) { return this.cmd("POST", "/url", { url }); }
  refresh() { return this.cmd("POST", "/refresh", {}); }
  /** Run `fn` (its source) in the page with `args`; returns its JSON result. */
  run(fn, ...args) { return this.cmd("POST", "/execute/sync", { script: `return (${fn}).apply(null, arguments)`, args }); }
  /** Run an async `fn` in the page (awaited). */
  runAsync(fn, ...args) {
    return this.cmd("POST", "/execute/async", {
      script: `const done = arguments[arguments.length - 1]; Promise.resolve((${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1))).then((v) => done({ ok: v }), (e) => done({ error: String(e) }));`,
      args,
    }).then((r) => { if (r && "error" in r) throw new Error(r.error); return r?.ok; });
  }
  /** Poll `fn` in the page until it returns something truthy; that value, or `null` on timeout. */
  async waitFor(fn, timeoutMs, ...args) {
    const t0 = Date.now();
    for (;;) {
      const v = await this.run(fn, ...args).catch(() => null);
      if (v) return v;
      if (Date.now() - t0 > timeoutMs) return null;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  click(selector) { return this.run((s) => { const e = document.querySelector(s); if (!e) return false; e.click(); return true; }, selector); }
  text(selector) { return this.run((s) => document.querySelector(s)?.textContent ?? "", selector); }
  async screenshot() { return Buffer.from(await this.cmd("GET", "/screenshot"), "base64"); }
  end() { return this.cmd("DELETE", "").catch(() => {}); }
}

async function call(port, method, path, body) {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, {
    method, headers: { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${r.status} ${JSON.stringify(json.value ?? json).slice(0, 500)}`);
  return json.value;
}
