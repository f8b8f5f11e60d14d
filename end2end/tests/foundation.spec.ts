import { expect, test } from "@playwright/test";
import { expectAccessible, hydrated, judith, logIn } from "./helpers";

const sections = [
  "Home",
  "Catalogus",
  "Taken",
  "Gesprekken",
  "Cliënten",
  "Professionals",
  "Data",
  "Configuratie",
];

test("a visitor is sent to the login page, which is Dutch and accessible", async ({ page }) => {
  await page.goto("/profiel/instellingen");
  await expect(page).toHaveURL(/\/inloggen\?volgende=(%2F|\/)profiel(%2F|\/)instellingen$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "nl");
  await expect(page.getByRole("heading", { level: 1, name: "Inloggen" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Hoofdmenu" })).toHaveCount(0);
  await expect(page.getByRole("contentinfo")).toContainText("Vragen?");
  await expect(page.getByRole("contentinfo")).toContainText("Helpdesk");
  await expectAccessible(page);
});

test("a wrong password gets one generic Dutch message and no session", async ({ page, context }) => {
  await logIn(page, judith.email, "niet-het-goede-wachtwoord");
  await expect(page.getByRole("alert")).toHaveText("Het e-mailadres of het wachtwoord is onjuist.");
  await expect(page).toHaveURL(/\/inloggen/);
  expect((await context.cookies()).filter((c) => c.name === "tweestap_sessie")).toEqual([]);
  await expectAccessible(page);

  // An unknown address gets the very same words (SEC-15).
  await page.getByLabel("E-mailadres", { exact: true }).fill("niemand@example.nl");
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("alert")).toHaveText("Het e-mailadres of het wachtwoord is onjuist.");
});

test("Judith logs in, finds every section and her settings, and logs out", async ({ page, context }) => {
  await page.goto("/profiel/instellingen");
  await hydrated(page);
  await page.getByLabel("E-mailadres", { exact: true }).fill(judith.email);
  await page.getByLabel("Wachtwoord").fill(judith.password);
  await page.getByRole("button", { name: "Inloggen" }).click();

  // The optional period: the introduction first, then "Niet nu" goes where she wanted to go.
  await expect(page.getByRole("heading", { level: 1, name: "Introductie van twee-staps-authenticatie" })).toBeVisible();
  await page.getByRole("button", { name: "Niet nu" }).click();
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  const cookie = (await context.cookies()).find((c) => c.name === "tweestap_sessie");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.secure).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
  await expect(page.getByRole("heading", { level: 1, name: "Instellingen" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Huidige sessie" })).toBeVisible();
  await expect(page.getByText(/Ingelogd sinds \d+ \w+ \d{4} om \d\d:\d\d\./)).toBeVisible();
  await expectAccessible(page);

  // The navigation bar, in the manual's order, and every section.
  const nav = page.getByRole("navigation", { name: "Hoofdmenu" });
  await expect(nav.getByRole("link")).toHaveText(sections);
  for (const section of sections) {
    await nav.getByRole("link", { name: section, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: section })).toBeVisible();
    await expect(nav.getByRole("link", { name: section, exact: true })).toHaveAttribute("aria-current", "page");
    await expectAccessible(page);
  }
  await nav.getByRole("link", { name: "Home", exact: true }).click();
  await expect(page.getByText(`Welkom, ${judith.name}.`)).toBeVisible();

  // Name at top right -> Instellingen, then the profile's tabs.
  await page.getByText(judith.name, { exact: true }).first().click();
  await page.getByRole("link", { name: "Instellingen" }).click();
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  const tabs = page.getByRole("navigation", { name: "Profiel" });
  await tabs.getByRole("link", { name: "Details" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Details" })).toBeVisible();
  await expect(page.getByText(judith.email)).toBeVisible();
  await expectAccessible(page);
  await tabs.getByRole("link", { name: "Caseload" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Caseload" })).toBeVisible();
  await expectAccessible(page);

  // Logging out ends the session on the server: the old cookie opens nothing any more.
  await page.getByText(judith.name, { exact: true }).first().click();
  await page.getByRole("button", { name: "Uitloggen" }).click();
  await expect(page).toHaveURL(/\/inloggen$/);
  await context.addCookies([{ ...cookie!, expires: -1 }]);
  await page.goto("/profiel");
  await expect(page).toHaveURL(/\/inloggen\?volgende=(%2F|\/)profiel$/);
});

test("the shell works on a phone screen and with the keyboard", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await logIn(page, judith.email, judith.password);
  await page.getByRole("button", { name: "Niet nu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  await hydrated(page);
  // The first Tab reaches the skip link, which jumps to the content.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Naar de inhoud" })).toBeFocused();
  // The user menu opens from the keyboard.
  await page.locator(".user-menu summary").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("link", { name: "Instellingen" })).toBeVisible();
  await expectAccessible(page);
});

test("after too many wrong passwords the login page says to wait and names the helpdesk (SEC-25)", async ({ page }) => {
  // On the third server, where no other test types a wrong password: from this browser's
  // address, five wrong passwords for one account are free, the sixth attempt has to wait.
  await page.goto(`http://127.0.0.1:${process.env.E2E_IDLE_PORT}/inloggen`);
  await hydrated(page);
  await page.getByLabel("E-mailadres", { exact: true }).fill("raden@example.nl");
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel("Wachtwoord").fill(`geraden-wachtwoord-${attempt}`);
    const answered = page.waitForResponse((r) => r.url().endsWith("/api/open/login"));
    await page.getByRole("button", { name: "Inloggen" }).click();
    expect((await answered).status()).toBe(401);
    await expect(page.getByRole("alert")).toHaveText("Het e-mailadres of het wachtwoord is onjuist.");
    // After an error the app moves the focus to the form's first field, a frame later; typing
    // the next password before that would land in the e-mail field.
    await expect(page.getByLabel("E-mailadres", { exact: true })).toBeFocused();
  }
  await page.getByLabel("Wachtwoord").fill("geraden-wachtwoord-6");
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/open/login"));
  await page.getByRole("button", { name: "Inloggen" }).click();
  expect((await answered).status()).toBe(429);
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Te veel onjuiste wachtwoorden achter elkaar.");
  await expect(alert).toContainText("Wacht een paar minuten");
  await expect(alert).toContainText("helpdesk");
  await expect(page.getByRole("contentinfo")).toContainText("Helpdesk");
  await expectAccessible(page);
});
