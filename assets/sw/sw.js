// Expressivity Lab's service worker: the page works offline after its first visit.
//
// `scripts/sw-build` (a trunk post-build hook) fills in VERSION (a hash of every file of the
// build), FILES (every file of the build, relative to this script, but the WebGPU build) and
// LAZY (the WebGPU build of the page, which only the worker of a WebGPU run loads). Installing
// caches FILES at once under the version; LAZY files join that cache when first fetched.
// Requests are answered from that cache, so a tab never mixes files of two deploys, with one
// exception: a tab still on an old version that first trains on WebGPU after a new deploy gets
// the new deploy's WebGPU build (its names carry no hash). A new deploy installs beside the old one and takes
// over when no tab of the old one is open; the old cache is then deleted. Debug builds
// (`trunk serve`) get PASSTHROUGH = true: no caching, so a rebuild is seen on reload.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const LAZY = __LAZY__;
const PASSTHROUGH = __PASSTHROUGH__;
const PREFIX = "expressivity-lab-";
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  if (PASSTHROUGH) {
    self.skipWaiting();
    return;
  }
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith(PREFIX) && (PASSTHROUGH || key !== CACHE)) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (PASSTHROUGH || request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The page's own URL carries its configuration in the query: any navigation inside the
    // scope is the page itself.
    const key = request.mode === "navigate" ? new URL("./", self.registration.scope).href : request;
    const hit = await cache.match(key, { ignoreSearch: request.mode === "navigate" });
    if (hit) return hit;
    const lazy = LAZY.some((file) => new URL(file, self.registration.scope).href === url.href);
    if (!lazy) return fetch(request);
    // Revalidated with the server, so that the build joining this version's cache is not an
    // older one from the HTTP cache; stored in the background while the wasm streams in.
    const response = await fetch(request, { cache: "no-cache" });
    if (response.status === 200) {
      event.waitUntil(cache.put(request, response.clone()).catch(() => {}));
    }
    return response;
  })());
});
