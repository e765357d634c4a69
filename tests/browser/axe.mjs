// Run axe-core on pages of a built book in the system Chromium (offline) and print one
// JSON object: {"pages": {page: [{id, impact, nodes, targets}]}}.
//   node axe.mjs CHROMIUM BOOK_HTML_DIR [page.html ...]   (no pages: every *.html)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [chromium, root, ...only] = process.argv.slice(2);

function pages(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith("_") ? [] : pages(full, base);
    return e.name.endsWith(".html") ? [path.relative(base, full)] : [];
  });
}

const list = only.length ? only : pages(root).sort();
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "ecoreport-axe-"));
const browser = await puppeteer.launch({
  executablePath: chromium, headless: true, userDataDir: profile,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
});
const out = { pages: {} };
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  // offline, as a reader without network has it: only file:// and data: requests
  await page.setRequestInterception(true);
  page.on("request", (r) => (/^(file|data|blob):/.test(r.url()) ? r.continue() : r.abort()));
  for (const rel of list) {
    await page.goto("file://" + path.resolve(root, rel), { waitUntil: "load", timeout: 60000 });
    // every chart drawn: vegaEmbed has put an svg in its container, and the page's script
    // has then moved the image role from the container to the svg (render.chart_html)
    await page.waitForFunction(
      () => [...document.querySelectorAll(".ecoreport-chart")].every(
        (c) => c.querySelector("svg") && !c.hasAttribute("role")),
      { timeout: 60000 }).catch(() => {});
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
        targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    });
    out.pages[rel] = result;
  }
} finally {
  await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
