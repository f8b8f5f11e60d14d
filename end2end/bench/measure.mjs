// Measures, in headless Chromium against a running release server (BASE), the Largest
// Contentful Paint of /inloggen and the time from submitting the wizard's password step to the
// next step being visible, once as a page load (JavaScript off: the plain form) and once in the
// app (JavaScript on: a server-function call and a client-side step), in the same run; and
// /inloggen on a slow line (1.5 Mbit/s, 150 ms, the browser's own emulation): when the form
// shows (first contentful paint) and when the app has loaded (hydrated), from navigation start.
// Run through scripts/measure, which starts the server and makes the users. With BASES
// ("before=http://…,after=http://…", each server with the same users) every measurement takes
// turns between the builds, so that the machine's noise falls on all alike, and the medians are
// compared as ratios to the first.
import { chromium } from "@playwright/test";

const bases = (process.env.BASES ?? `now=${process.env.BASE}`).split(",").map((entry) => {
  const [label, url] = entry.split("=");
  return { label, url };
});
const users = JSON.parse(process.env.USERS);
const runs = Number(process.env.RUNS ?? 7);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
// Dutch pages, the labels looked for below (a browser without a locale gets English).
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});

async function lcp(base) {
  const context = await browser.newContext({ locale: "nl-NL" });
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

async function slowLine(base) {
  const context = await browser.newContext({ locale: "nl-NL" });
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

async function passwordStep(base, user, javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled, locale: "nl-NL" });
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

const results = bases.map(() => ({ lcps: [], slow: [], pageLoads: [], inApp: [] }));
for (let i = 0; i < runs; i++) for (const [b, { url }] of bases.entries()) results[b].lcps.push(await lcp(url));
for (let i = 0; i < runs; i++) for (const [b, { url }] of bases.entries()) results[b].slow.push(await slowLine(url));
for (let i = 0; i < runs; i++) {
  for (const [b, { url }] of bases.entries()) {
    // Alternated, so that the machine's noise falls on both alike.
    results[b].pageLoads.push(await passwordStep(url, users[2 * i], false));
    results[b].inApp.push(await passwordStep(url, users[2 * i + 1], true));
  }
}
await browser.close();
const fmt = (xs) => xs.map((x) => Math.round(x)).join(", ");
const first = results[0];
const versus = (b, pick) =>
  b === 0 ? "" : ` (${(median(pick(results[b])) / median(pick(first))).toFixed(2)} times ${bases[0].label})`;
for (const [b, { label }] of bases.entries()) {
  const r = results[b];
  const tag = bases.length > 1 ? `[${label}] ` : "";
  const line = (what, pick) =>
    console.log(`${tag}${what} ${fmt(pick(r))}; median ${Math.round(median(pick(r)))}${versus(b, pick)}`);
  line(`LCP of /inloggen (ms), ${runs} runs:`, (x) => x.lcps);
  line("slow line, /inloggen: form shown (ms)", (x) => x.slow.map((t) => t.form));
  line("slow line, /inloggen: app loaded (ms)", (x) => x.slow.map((t) => t.app));
  line("wizard step as a page load (ms):", (x) => x.pageLoads);
  line("wizard step in the app (ms):", (x) => x.inApp);
  console.log(`${tag}ratio page load / app: ${(median(r.pageLoads) / median(r.inApp)).toFixed(2)}`);
}
