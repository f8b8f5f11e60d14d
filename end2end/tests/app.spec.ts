import { expect, test, type Page } from "@playwright/test";
import {
  currentStep,
  expectAccessible,
  freshCode,
  hydrated,
  judith,
  logOut,
  newUser,
  totp,
} from "./helpers";

const idleBase = `http://127.0.0.1:${process.env.E2E_IDLE_PORT}`;

/** Everything this origin keeps in the browser's storage, as "key=value" lines. */
async function browserStorage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const all: string[] = [];
    for (const store of [localStorage, sessionStorage]) {
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i)!;
        all.push(`${key}=${store.getItem(key)}`);
      }
    }
    return all;
  });
}

/** SEC-27: nothing secret in localStorage or sessionStorage. */
async function expectNothingSecretStored(page: Page, secrets: string[]) {
  const stored = await browserStorage(page);
  const session = (await page.context().cookies()).find((c) => c.name === "tweestap_sessie");
  for (const entry of stored) {
    expect(entry).toMatch(/^tweestap\.(activiteit|uitgelogd|e-mailadres)=/);
    if (session) expect(entry).not.toContain(session.value);
    for (const secret of secrets) expect(entry).not.toContain(secret);
    // No phone number, no 6-digit code.
    expect(entry.replace(/^tweestap\.(activiteit|uitgelogd)=[\d.]+$/, "")).not.toMatch(/\d{6}/);
  }
}

test("the app runs in the browser: the introduction dialog, then Home to Instellingen, every wizard step and back to the tile in one document (SEC-27)", async ({
  page,
}) => {
  const user = newUser();
  await page.goto("/profiel");
  await hydrated(page);
  await page.getByLabel("E-mailadres", { exact: true }).fill(user.email);
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Inloggen" }).click();

  // The introduction is a notification: a modal dialog over the page she asked for.
  const intro = page.getByRole("dialog", { name: "Introductie van twee-staps-authenticatie" });
  await expect(intro).toBeVisible();
  await expect(page).toHaveURL(/\/profiel\?introductie=ja$/);
  await expect(page.getByRole("heading", { level: 1, name: "Details" })).toBeAttached();
  expect(await page.evaluate(() => !!document.activeElement?.closest("dialog"))).toBe(true);
  await expectAccessible(page);
  // Escape is "Niet nu": recorded, and the dialog closes over the same page, without a load.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await page.keyboard.press("Escape");
  await expect(intro).toBeHidden();
  await expect(page).toHaveURL(/\/profiel$/);

  // Home, then the name at top right -> Instellingen -> the tile.
  await page.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: "Home" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  await page.getByText(user.name, { exact: true }).first().click();
  await page.getByRole("link", { name: "Instellingen" }).click();
  const tile = page.getByRole("region", { name: "Twee-staps-authenticatie" });
  await expect(tile.getByText("Twee-staps-authenticatie is uitgeschakeld.")).toBeVisible();
  await tile.getByRole("link", { name: "Twee-staps-authenticatie inschakelen" }).click();

  // Every step appears without a page load, is accessible, and its errors are announced.
  await expect(page.getByRole("heading", { name: "1. Vul je wachtwoord in" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Wachtwoord").fill("niet-mijn-wachtwoord");
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Het wachtwoord is onjuist." })).toBeVisible();
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: "2. Kies hoe je authenticatie-codes wilt ontvangen" })).toBeVisible();
  // Focus moves to the new step's heading.
  await expect(page.getByRole("heading", { name: "2. Kies hoe je authenticatie-codes wilt ontvangen" })).toBeFocused();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: /3\. Scan deze QR-code/ })).toBeVisible();
  await expectAccessible(page);
  const secret = (await page.locator("#sleutel").textContent())!.replace(/ /g, "");
  await page.getByRole("link", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: "4. Vul de code in van de authenticatie-applicatie" })).toBeVisible();
  await expectAccessible(page);
  // The browser's Back goes to the previous step, and Forward returns.
  await page.goBack();
  await expect(page.getByRole("heading", { name: /3\. Scan deze QR-code/ })).toBeVisible();
  await page.goForward();
  await expect(page.getByRole("heading", { name: "4. Vul de code in van de authenticatie-applicatie" })).toBeVisible();
  await page.getByLabel("Code", { exact: true }).fill(totp(secret, currentStep() - 120));
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Deze code klopt niet" })).toBeVisible();
  const { code } = await freshCode(secret, undefined);
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: "5. Bewaar je herstelcodes op een veilige manier" })).toBeVisible();
  await expectAccessible(page);
  const codes = await page.locator(".recovery-codes code").allTextContents();
  expect(codes).toHaveLength(10);
  await expectNothingSecretStored(page, [secret, code, ...codes, ...codes.map((c) => c.replace(/-/g, ""))]);
  await page.getByLabel("Ik heb mijn herstelcodes veilig opgeslagen").check();
  await page.getByRole("button", { name: "Gedaan" }).click();

  // Back at the tile, which shows the new state in place.
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  await expect(tile.getByText(/Twee-staps-authenticatie is ingeschakeld/)).toBeVisible();
  await expect(tile.getByText("Je hebt nog 10 herstelcodes over.")).toBeVisible();

  // One document all along: the value set on the window survived every move.
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
  expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(1);
  await expectNothingSecretStored(page, [secret, ...codes]);
});

/** The lazily loaded chunks the page fetched (`--split`): every wasm file but the main one. */
function chunksLoaded(page: Page): string[] {
  const chunks: string[] = [];
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (path.endsWith(".wasm") && path !== "/pkg/tweestap.wasm") chunks.push(path);
  });
  return chunks;
}

test("code splitting: /inloggen loads no page's code; the settings and the wizard are fetched ahead after login, the other pages on their first visit", async ({
  page,
}) => {
  const chunks = chunksLoaded(page);
  const loadedFor = (group: string) => chunks.filter((c) => new RegExp(`_${group}_pages[_.]`).test(c));
  const user = newUser();
  await page.goto("/inloggen");
  await hydrated(page);
  // Passwordless sign-in is off here (TWEESTAP_PASSKEY_SIGN_IN): no button, and not its chunk.
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("button", { name: "Inloggen met een passkey" })).toBeHidden();
  expect(chunks).toEqual([]);
  await page.getByLabel("E-mailadres", { exact: true }).fill(user.email);
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Inloggen" }).click();

  // Logged in, with the introduction open: Instellingen and the wizard arrive in the background.
  const intro = page.getByRole("dialog", { name: "Introductie van twee-staps-authenticatie" });
  await expect(intro).toBeVisible();
  await expect.poll(() => loadedFor("settings").length).toBe(1);
  await expect.poll(() => loadedFor("enrolment").length).toBe(1);
  await intro.getByRole("button", { name: "Niet nu" }).click();
  await expect(intro).toBeHidden();
  expect(loadedFor("configuration")).toEqual([]);

  // Configuratie: its code comes on the first visit, once.
  const menu = page.getByRole("navigation", { name: "Hoofdmenu" });
  await menu.getByRole("link", { name: "Configuratie" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Configuratie" })).toBeVisible();
  expect(loadedFor("configuration")).toHaveLength(1);
  await menu.getByRole("link", { name: "Home" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole("heading", { level: 1, name: "Configuratie" })).toBeVisible();
  expect(loadedFor("configuration")).toHaveLength(1);
  expect(loadedFor("helpdesk")).toEqual([]);

  // A reload of a lazily loaded page shows it at once and hydrates it with its chunk; an error
  // then comes from the browser's call, without a page load.
  await page.goto("/profiel/wachtwoord");
  await hydrated(page);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  await page.getByLabel("Huidig wachtwoord").fill("niet-mijn-wachtwoord");
  await page.getByLabel("Nieuw wachtwoord").fill("Een-ander-goed-wachtwoord-7");
  await page.getByLabel("Herhaal het nieuwe wachtwoord").fill("Een-ander-goed-wachtwoord-7");
  await page.getByRole("button", { name: "Wachtwoord wijzigen" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Het wachtwoord is onjuist." })).toBeVisible();
  // Focus moves to the form's first field, to type it again.
  await expect(page.getByLabel("Huidig wachtwoord")).toBeFocused();
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(7);
});

test("without JavaScript: login, Niet nu, the wizard with the app and the code page work as plain forms", async ({
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const user = newUser();
  const passwordStep = async () => {
    await page.goto("/inloggen");
    await page.getByLabel("E-mailadres", { exact: true }).fill(user.email);
    await page.getByLabel("Wachtwoord").fill(user.password);
    await page.getByRole("button", { name: "Inloggen" }).click();
  };
  // A wrong password: the Dutch error on the page.
  await page.goto("/inloggen");
  await page.getByLabel("E-mailadres", { exact: true }).fill(user.email);
  await page.getByLabel("Wachtwoord").fill("niet-mijn-wachtwoord");
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Het e-mailadres of het wachtwoord is onjuist." })).toBeVisible();

  // The introduction is a page of its own; "Niet nu" goes on.
  await passwordStep();
  await expect(page).toHaveURL(/\/twee-staps\/introductie$/);
  await page.getByRole("button", { name: "Niet nu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // The wizard, step by step.
  await page.goto("/profiel/instellingen");
  await page.getByRole("link", { name: "Twee-staps-authenticatie inschakelen" }).click();
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: /^2\. Kies hoe/ })).toBeVisible();
  await page.getByRole("button", { name: "Doorgaan" }).click();
  const secret = (await page.locator("#sleutel").textContent())!.replace(/ /g, "");
  await page.getByRole("link", { name: "Doorgaan" }).click();
  await page.getByLabel("Code", { exact: true }).fill("000000");
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Deze code klopt niet" })).toBeVisible();
  const first = await freshCode(secret, undefined);
  await page.getByLabel("Code", { exact: true }).fill(first.code);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: "5. Bewaar je herstelcodes op een veilige manier" })).toBeVisible();
  await page.getByLabel("Ik heb mijn herstelcodes veilig opgeslagen").check();
  await page.getByRole("button", { name: "Gedaan" }).click();
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);

  // Logging out and in again: the code page.
  await page.locator(".user-menu summary").click();
  await page.getByRole("button", { name: "Uitloggen" }).click();
  await expect(page).toHaveURL(/\/inloggen$/);
  await passwordStep();
  await expect(page).toHaveURL(/\/inloggen\/code$/);
  const second = await freshCode(secret, first.step);
  await page.getByLabel("Code", { exact: true }).fill(second.code);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  await context.close();
});

test("logging out in one tab sends the other tabs to the login page; the e-mail address is remembered only when asked", async ({
  context,
}) => {
  const first = await context.newPage();
  const second = await context.newPage();
  await first.goto("/inloggen");
  await hydrated(first);
  await first.getByLabel("E-mailadres", { exact: true }).fill(judith.email);
  await first.getByLabel("Wachtwoord").fill(judith.password);
  await first.getByLabel("E-mailadres onthouden op dit apparaat").check();
  await first.getByRole("button", { name: "Inloggen" }).click();
  await first.getByRole("dialog").getByRole("button", { name: "Niet nu" }).click();
  await expect(first.getByRole("dialog")).toBeHidden();

  await second.goto("/profiel/instellingen");
  await hydrated(second);
  await expect(second.getByRole("heading", { level: 1, name: "Instellingen" })).toBeVisible();
  await logOut(first);
  // The other tab follows without a request of its own.
  await expect(second).toHaveURL(/\/inloggen$/);
  await expect(second.getByRole("heading", { level: 1, name: "Inloggen" })).toBeVisible();

  // The address is filled in, with "Ander account" to forget it.
  await first.reload();
  await hydrated(first);
  await expect(first.getByLabel("E-mailadres", { exact: true })).toHaveValue(judith.email);
  expect(await browserStorage(first)).toContain(`tweestap.e-mailadres="${judith.email}"`);
  await expectNothingSecretStored(first, [judith.password]);
  await first.getByRole("button", { name: "Ander account" }).click();
  await expect(first.getByLabel("E-mailadres", { exact: true })).toHaveValue("");
  expect((await browserStorage(first)).filter((e) => e.startsWith("tweestap.e-mailadres"))).toEqual([]);
});

test("the idle warning: Ingelogd blijven extends the session, ignoring it ends the session (WCAG 2.2.1)", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto(`${idleBase}/inloggen`);
  await hydrated(page);
  await page.getByLabel("E-mailadres", { exact: true }).fill(judith.email);
  await page.getByLabel("Wachtwoord").fill(judith.password);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await page.getByRole("dialog", { name: "Introductie van twee-staps-authenticatie" }).getByRole("button", { name: "Niet nu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // With one idle minute the warning comes halfway.
  const warning = page.getByRole("alertdialog", { name: /Je wordt over .* uitgelogd/ });
  await expect(warning).toBeVisible({ timeout: 45_000 });
  await expectAccessible(page);
  await warning.getByRole("button", { name: "Ingelogd blijven" }).click();
  await expect(warning).toBeHidden();
  // Past the first minute the session still works: the warning comes again, and this time
  // nobody answers it.
  await expect(warning).toBeVisible({ timeout: 45_000 });
  await expect(page).toHaveURL(/\/inloggen\?volgende=%2F$|\/inloggen$/, { timeout: 45_000 });
  await expect(page.getByRole("heading", { level: 1, name: "Inloggen" })).toBeVisible();
  // The server ended it too.
  await page.goto(`${idleBase}/profiel`);
  await expect(page).toHaveURL(/\/inloggen\?volgende=(%2F|\/)profiel$/);
});
