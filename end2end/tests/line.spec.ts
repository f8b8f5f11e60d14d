import { expect, test, type Page, type Route } from "@playwright/test";
import { hydrated, logIn, newUser } from "./helpers";

// A clinician on a slow or flaky line: what she does before the app has loaded stays, a chunk
// that fails to load is fetched again or its page loaded as a document, and nothing panics.

/** 1.5 Mbit/s down and up with 150 ms latency, through the browser's own network emulation. */
async function slowLine(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.5 * 1024 * 1024) / 8,
    uploadThroughput: (1.5 * 1024 * 1024) / 8,
  });
}

/**
 * Holds every WebAssembly file until `release()`: on a slow line the page is there long before
 * its app; held, the test acts in that window for sure, however fast this machine is.
 */
async function holdTheApp(page: Page) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/pkg\/.*\.wasm$/, async (route: Route) => {
    await released;
    await route.continue();
  });
  return release;
}

/** Errors the page threw (a wasm panic is one: `RuntimeError: unreachable`). */
function pageErrors(page: Page) {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/** A new clinician, logged in, past "Niet nu", on Home. */
async function loggedIn(page: Page) {
  const user = newUser();
  await logIn(page, user.email, user.password);
  await page.getByRole("button", { name: "Niet nu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  return user;
}

test("on a slow line, the menu opened and the text typed before the app has loaded stay", async ({ page }) => {
  const errors = pageErrors(page);
  // This browser remembers an address; she types another one before the app is there.
  await page.goto("/inloggen");
  await hydrated(page);
  await page.evaluate(() => localStorage.setItem("tweestap.e-mailadres", JSON.stringify("oud@example.nl")));
  await slowLine(page);
  let release = await holdTheApp(page);
  await page.goto("/inloggen", { waitUntil: "domcontentloaded" });
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  await page.getByLabel("E-mailadres", { exact: true }).fill("nieuw@example.nl");
  await page.getByLabel("Wachtwoord").fill("half getypt");
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  release();
  await hydrated(page);
  await expect(page.getByLabel("E-mailadres", { exact: true })).toHaveValue("nieuw@example.nl");
  await expect(page.getByLabel("Wachtwoord")).toHaveValue("half getypt");
  await expect(page.getByLabel("E-mailadres onthouden op dit apparaat")).not.toBeChecked();

  // Logged in, on a page with a form: the menu opened and a field typed in before the app.
  await page.unrouteAll({ behavior: "wait" });
  await loggedIn(page);
  release = await holdTheApp(page);
  await page.goto("/profiel/wachtwoord", { waitUntil: "domcontentloaded" });
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  await page.locator(".user-menu summary").click();
  await expect(page.getByRole("link", { name: "Instellingen" }).first()).toBeVisible();
  await page.getByLabel("Huidig wachtwoord").fill("nog niet klaar");
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(0);
  release();
  await hydrated(page);
  // Hydration has run its effects by now; give them a frame to undo anything.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100))));
  await expect(page.locator(".user-menu")).toHaveAttribute("open", "");
  await expect(page.getByLabel("Huidig wachtwoord")).toHaveValue("nog niet klaar");
  expect(errors).toEqual([]);
});

test("a chunk whose first fetch fails is fetched again: Instellingen opens with one click, and nothing panics", async ({
  page,
}) => {
  const errors = pageErrors(page);
  const failed = new Set<string>();
  await page.route(/\/pkg\/.*\.wasm$/, async (route) => {
    const path = new URL(route.request().url()).pathname;
    // The main module is the app itself; every chunk fails once.
    if (path !== "/pkg/tweestap.wasm" && !failed.has(path)) {
      failed.add(path);
      return route.abort("failed");
    }
    return route.continue();
  });
  await loggedIn(page);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  await page.locator(".user-menu summary").click();
  await page.getByRole("link", { name: "Instellingen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Instellingen" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Twee-staps-authenticatie" })).toBeVisible();
  expect(failed.size).toBeGreaterThan(0);
  // Still the same document: the chunk came on a later try, not through a page load.
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(7);
  expect(errors).toEqual([]);
});

test("a chunk that keeps failing: the page asked for is loaded as a document instead of a dead click", async ({
  page,
}) => {
  const errors = pageErrors(page);
  await loggedIn(page);
  // From now on every chunk fails, until the browser loads a document.
  let failing = true;
  let aborted = 0;
  page.on("request", (request) => {
    if (request.isNavigationRequest()) failing = false;
  });
  await page.route(/\/pkg\/.*\.wasm$/, async (route) => {
    if (failing && new URL(route.request().url()).pathname !== "/pkg/tweestap.wasm") {
      aborted += 1;
      return route.abort("failed");
    }
    return route.continue();
  });
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  await page.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: "Configuratie" }).click();
  await expect(page).toHaveURL(/\/configuratie$/);
  await expect(page.getByRole("heading", { level: 1, name: "Configuratie" })).toBeVisible();
  await hydrated(page);
  // Three tries, then a new document.
  expect(aborted).toBeGreaterThanOrEqual(3);
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBeUndefined();
  expect(errors).toEqual([]);
});

test("the platform's icon: no 404 for it on any page", async ({ page, request }) => {
  const missing: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 404) missing.push(response.url());
  });
  await page.goto("/inloggen");
  await hydrated(page);
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  expect(icon).toBe("/favicon.svg");
  for (const path of [icon!, "/favicon.ico"]) {
    const answer = await request.get(path);
    expect(answer.status(), path).toBe(200);
    expect(answer.headers()["content-type"], path).toMatch(/^image\//);
  }
  expect(missing).toEqual([]);
});
