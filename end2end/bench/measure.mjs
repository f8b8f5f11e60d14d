// Measures, in headless Chromium against a running release server (BASE), the Largest
// Contentful Paint of /inloggen and the time from submitting the wizard's password step to the
// next step being visible, once as a page load (JavaScript off: the plain form) and once in the
// app (JavaScript on: a server-function call and a client-side step), in the same run; and
// /inloggen on a slow line (1.5 Mbit/s, 150 ms, the browser's own emulation): when the form
// shows (first contentful paint) and when the app has loaded (hydrated), from navigation start.
// Run through scripts/measure, which starts the server and makes the users.
import { chromium } from "@playwright/test";

const base = process.env.BASE;
const users = JSON.parse(process.env.USERS);
const runs = Number(process.env.RUNS ?? 7);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});

async function lcp() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/inloggen`, { waitUntil: "load" });
  const value = await page.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries[entries.length - 1].startTime);
        }).observe({ type: "largest-contentful-paint", buffered: true });
      }),
  );
  await context.close();
  return value;
}

async function slowLine() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.5 * 1024 * 1024) / 8,
    uploadThroughput: (1.5 * 1024 * 1024) / 8,
  });
  // The moment the app marks the page hydrated, on the page's own clock.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === "true") {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-hydrated"] });
  });
  await page.goto(`${base}/inloggen`, { waitUntil: "commit" });
  await page.locator("body[data-hydrated=true]").waitFor({ state: "attached", timeout: 60_000 });
  const times = await page.evaluate(() => ({
    form: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
    app: window.__hydratedAt,
  }));
  await context.close();
  return times;
}

async function passwordStep(user, javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${base}/inloggen`);
  if (javaScriptEnabled) await page.locator("body[data-hydrated=true]").waitFor({ state: "attached" });
  await page.getByLabel("E-mailadres", { exact: true }).fill(user.email);
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await page.getByRole("heading", { name: "1. Vul je wachtwoord in" }).waitFor();
  if (javaScriptEnabled) await page.locator("body[data-hydrated=true]").waitFor({ state: "attached" });
  await page.getByLabel("Wachtwoord").fill(user.password);
  const start = Date.now();
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await page.getByRole("heading", { name: /^2\. Kies hoe/ }).waitFor();
  const took = Date.now() - start;
  await context.close();
  return took;
}

const lcps = [];
for (let i = 0; i < runs; i++) lcps.push(await lcp());
const slow = [];
for (let i = 0; i < runs; i++) slow.push(await slowLine());
const pageLoads = [];
const inApp = [];
for (let i = 0; i < runs; i++) {
  // Alternated, so that the machine's noise falls on both alike.
  pageLoads.push(await passwordStep(users[2 * i], false));
  inApp.push(await passwordStep(users[2 * i + 1], true));
}
await browser.close();
const fmt = (xs) => xs.map((x) => Math.round(x)).join(", ");
console.log(`LCP of /inloggen (ms), ${runs} runs: ${fmt(lcps)}; median ${Math.round(median(lcps))}`);
console.log(
  `slow line, /inloggen: form shown (ms) ${fmt(slow.map((t) => t.form))}; median ${Math.round(median(slow.map((t) => t.form)))}`,
);
console.log(
  `slow line, /inloggen: app loaded (ms) ${fmt(slow.map((t) => t.app))}; median ${Math.round(median(slow.map((t) => t.app)))}`,
);
console.log(`wizard step as a page load (ms): ${fmt(pageLoads)}; median ${median(pageLoads)}`);
console.log(`wizard step in the app (ms): ${fmt(inApp)}; median ${median(inApp)}`);
console.log(`ratio page load / app: ${(median(pageLoads) / median(inApp)).toFixed(2)}`);
