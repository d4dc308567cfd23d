// A plain static file server for the built page (dist/), as any static host would serve it:
// `prefix` is the sub-path the site lives under ("/" or e.g. "/some/where/lab/"); requests
// outside it are refused and recorded in `outside`.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml",
  ".safetensors": "application/octet-stream",
};

export async function serve(root, prefix = "/") {
  const outside = [];
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!pathname.startsWith(prefix)) {
      outside.push(pathname);
      res.writeHead(404); res.end("outside the site's folder"); return;
    }
    let file = join(root, normalize(pathname.slice(prefix.length)).replace(/^(\.\.[/\\])+/, ""));
    try { if ((await stat(file)).isDirectory()) file = join(file, "index.html"); } catch { /* 404 below */ }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch { res.writeHead(404); res.end("not found"); }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, outside, base: `http://127.0.0.1:${server.address().port}${prefix}` };
}
