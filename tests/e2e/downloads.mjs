// Downloads the page offers (it clicks an `<a download>` on a blob or data URL), caught in the
// page instead of saved, then read back. Self-contained functions, run in the page by any
// driver: `page.evaluate(catchDownloads)` (playwright, puppeteer), `session.run(catchDownloads)`
// (WebDriver classic).

/** From now on, a download link's click is recorded in `window.__downloads` ({name, href}). */
export function catchDownloads() {
  window.__downloads = [];
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) window.__downloads.push({ name: this.download, href: this.href });
    else click.call(this);
  };
}

/** The first caught download's name and size in bytes, or null. */
export async function firstDownload() {
  const d = window.__downloads[0];
  if (!d) return null;
  const bytes = await (await fetch(d.href)).arrayBuffer();
  return { name: d.name, bytes: bytes.byteLength };
}
