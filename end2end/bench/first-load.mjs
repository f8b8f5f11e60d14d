// Loads /inloggen in headless Chromium from a running release server (BASE) and prints each
// script and wasm file the page fetched until it was hydrated, with its size after brotli -q 11,
// then their sum: what a clinician's browser downloads before it can log in.
// Run through scripts/bundle-size, which builds nothing and starts the server.
import { chromium } from "@playwright/test";
import { brotliCompressSync, constants } from "node:zlib";

const base = process.env.BASE;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const page = await browser.newPage();
const responses = [];
page.on("response", (response) => {
  const path = new URL(response.url()).pathname;
  if (/\.(js|wasm)$/.test(path)) responses.push(response);
});
await page.goto(`${base}/inloggen`);
await page.locator("body[data-hydrated=true]").waitFor({ state: "attached", timeout: 30_000 });
// Whatever the page asks for right after hydration counts too.
await page.waitForLoadState("networkidle");
let total = 0;
for (const response of responses) {
  const body = await response.body();
  const size = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  total += size;
  console.log(`file ${new URL(response.url()).pathname} ${body.length} ${size}`);
}
console.log(`total ${total}`);
await browser.close();
