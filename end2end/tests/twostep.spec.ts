import { expect, test } from "@playwright/test";
import {
  currentStep,
  enrol,
  expectAccessible,
  freshCode,
  hydrated,
  logOut,
  mandatoryBase,
  newUser,
  passwordStep,
  totp,
} from "./helpers";

test("the manual in the optional period: introduction, Niet nu, settings, wizard, code, Onthoud mij, recovery codes", async ({
  page,
  browser,
}) => {
  const user = newUser();

  // The introduction after the password, with the last day; "Niet nu" goes on.
  await passwordStep(page, user.email, user.password);
  await expect(page.getByRole("heading", { level: 1, name: "Introductie van twee-staps-authenticatie" })).toBeVisible();
  for (const heading of ["Hoe werkt het?", "Waarom is dit veiliger?", "Moet ik dat iedere keer gebruiken?"]) {
    await expect(page.getByRole("heading", { name: heading })).toBeVisible();
  }
  await expect(page.getByText(/Stel het uiterlijk \d+ \w+ \d{4} in\./)).toBeVisible();
  await expect(page.getByText("instellen dat je 12 uur, 1 dag, 3 dagen of een week onthouden wilt worden")).toBeVisible();
  await expect(page.getByRole("link", { name: "Twee-staps-authenticatie instellen" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Niet nu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // Later, from the profile: name -> Instellingen -> the tile -> "inschakelen".
  await page.locator(".user-menu summary").click();
  await page.getByRole("link", { name: "Instellingen" }).click();
  const tile = page.getByRole("region", { name: "Twee-staps-authenticatie" });
  await expect(tile.getByText("Twee-staps-authenticatie is uitgeschakeld.")).toBeVisible();
  await tile.getByRole("link", { name: "Twee-staps-authenticatie inschakelen" }).click();
  const { secret, step, codes } = await enrol(page, user.password);

  // Done: back at the settings, where the tile says it is on.
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  await expect(tile.getByText("Twee-staps-authenticatie is ingeschakeld.")).toBeVisible();
  await expect(tile.getByText("Je hebt nog 10 herstelcodes over.")).toBeVisible();

  // The next login asks for the code after the password; the code that enrolled cannot be reused.
  await logOut(page);
  await passwordStep(page, user.email, user.password);
  await expect(page).toHaveURL(/\/inloggen\/code$/);
  await expect(page.getByRole("heading", { level: 1, name: "Vul de code in van de authenticatie-applicatie" })).toBeVisible();
  // "Onthoud mij" with how long, as the introduction promises: enabled once the box is ticked.
  const howLong = page.getByLabel("Hoe lang");
  await expect(howLong.getByRole("option")).toHaveText(["12 uur", "1 dag", "3 dagen", "een week"]);
  await expect(howLong).toBeDisabled();
  await expectAccessible(page);
  // Nothing else opens before the second step (SEC-01).
  await page.goto("/profiel");
  await expect(page).toHaveURL(/\/inloggen\/code$/);
  await page.getByLabel("Code", { exact: true }).fill(totp(secret, step));
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Deze code klopt niet" })).toBeVisible();
  const second = await freshCode(secret, step);
  await page.getByLabel("Code", { exact: true }).fill(second.code);
  await page.getByLabel(/Onthoud mij/).check();
  await howLong.selectOption({ label: "3 dagen" });
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // "Onthoud mij": on this browser the password is enough for now.
  await logOut(page);
  await passwordStep(page, user.email, user.password);
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // Another browser is not remembered; the phone is "lost": a recovery code, typed loosely.
  const other = await browser.newContext();
  const page2 = await other.newPage();
  await passwordStep(page2, user.email, user.password);
  await expect(page2).toHaveURL(/\/inloggen\/code$/);
  await page2.getByRole("link", { name: "Telefoon kwijt? Gebruik een herstelcode" }).click();
  await expect(page2.getByRole("heading", { level: 1, name: "Inloggen met een herstelcode" })).toBeVisible();
  await expectAccessible(page2);
  await page2.getByLabel("Herstelcode", { exact: true }).fill(codes[0].replace(/-/g, "").toLowerCase());
  await page2.getByRole("button", { name: "Inloggen" }).click();
  await expect(page2.getByText("Je hebt nog 9 herstelcodes over.")).toBeVisible();
  await expectAccessible(page2);
  await page2.getByRole("link", { name: "Doorgaan" }).click();
  await expect(page2.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // The same recovery code a second time is refused.
  await logOut(page2);
  await passwordStep(page2, user.email, user.password);
  await page2.getByRole("link", { name: "Telefoon kwijt? Gebruik een herstelcode" }).click();
  await page2.getByLabel("Herstelcode", { exact: true }).fill(codes[0]);
  await page2.getByRole("button", { name: "Inloggen" }).click();
  await expect(page2.getByRole("alert").filter({ hasText: "al gebruikt" })).toBeVisible();
  await expect(page2).toHaveURL(/\/inloggen\/herstelcode/);
  await other.close();
});

test("the mandatory period: straight into the wizard, no Niet nu, nothing else opens", async ({ page }) => {
  const user = newUser("e2e-verplicht.db");
  await passwordStep(page, user.email, user.password, mandatoryBase);
  await expect(page).toHaveURL(/\/twee-staps\/instellen$/);
  await expect(page.getByRole("button", { name: "Twee-staps-authenticatie niet nu instellen" })).toHaveCount(0);
  // Every other page leads back to the wizard (SEC-04).
  await page.goto(`${mandatoryBase}/profiel/instellingen`);
  await expect(page).toHaveURL(/\/twee-staps\/instellen$/);
  await enrol(page, user.password);
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  await page.goto(`${mandatoryBase}/profiel/instellingen`);
  await expect(page.getByText("Twee-staps-authenticatie is ingeschakeld.")).toBeVisible();
});

test("the copy and print buttons work in the browser", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const user = newUser();
  await passwordStep(page, user.email, user.password);
  await page.getByRole("link", { name: "Twee-staps-authenticatie instellen" }).click();
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: /^2\. Kies hoe/ })).toBeVisible();
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await hydrated(page);
  const shown = (await page.locator("#sleutel").textContent())!;
  await page.getByRole("button", { name: "Sleutel kopiëren" }).click();
  await expect(page.getByRole("button", { name: "Gekopieerd" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown.replace(/ /g, ""));

  // On to the recovery codes: "Kopiëren" copies them all, "Afdrukken" opens the print dialog.
  await page.getByRole("link", { name: "Doorgaan" }).click();
  const { code } = await freshCode(shown.replace(/ /g, ""), undefined);
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "5. Bewaar je herstelcodes op een veilige manier" })).toBeVisible();
  const codes = await page.locator(".recovery-codes code").allTextContents();
  await page.getByRole("button", { name: "Kopiëren" }).click();
  await expect(page.getByRole("button", { name: "Gekopieerd" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join("\n"));
  await page.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => {
      (window as unknown as { printed: number }).printed += 1;
    };
  });
  await page.getByRole("button", { name: "Afdrukken" }).click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
});

test("the settings tile: new recovery codes after the password again, remembered devices, switching off", async ({
  page,
}) => {
  const user = newUser();
  await passwordStep(page, user.email, user.password);
  await page.getByRole("link", { name: "Twee-staps-authenticatie instellen" }).click();
  const { secret, step, codes: oldCodes } = await enrol(page, user.password);
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // A new login: the password entered in the wizard no longer counts.
  await logOut(page);
  await passwordStep(page, user.email, user.password);
  await page.getByLabel("Code", { exact: true }).fill((await freshCode(secret, step)).code);
  await page.getByLabel(/Onthoud mij/).check();
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  await page.goto("/profiel/instellingen");
  const tile = page.getByRole("region", { name: "Twee-staps-authenticatie" });
  await tile.getByRole("link", { name: "Herstelcodes opnieuw aanmaken" }).click();
  await expect(page.getByText("Vul voor de zekerheid eerst je wachtwoord opnieuw in.")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Wachtwoord").fill("niet-mijn-wachtwoord");
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Het wachtwoord is onjuist." })).toBeVisible();
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Doorgaan" }).click();

  await expect(page.getByText("Je hebt nog 10 herstelcodes over.", { exact: false })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Herstelcodes opnieuw aanmaken" }).click();
  await expect(page.getByText("Je nieuwe herstelcodes zijn aangemaakt. De vorige werken niet meer.")).toBeVisible();
  const newCodes = await page.locator(".recovery-codes code").allTextContents();
  expect(newCodes).toHaveLength(10);
  for (const code of newCodes) expect(oldCodes).not.toContain(code);
  await expectAccessible(page);
  await page.getByLabel("Ik heb mijn herstelcodes veilig opgeslagen").check();
  await page.getByRole("button", { name: "Gedaan" }).click();
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  await expect(tile.getByText("Je hebt nog 10 herstelcodes over.")).toBeVisible();
  await expect(page.getByText("Nieuwe herstelcodes aangemaakt")).toBeVisible();

  // The remembered browser is listed by name, and forgotten (the password is still fresh).
  await tile.getByRole("link", { name: "Onthouden apparaten" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Onthouden apparaten" })).toBeVisible();
  await expect(page.getByText("Chrome op Linux (deze browser)")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Alle apparaten vergeten" }).click();
  await expect(page.getByText("Er zijn geen onthouden apparaten.")).toBeVisible();
  await page.goto("/profiel/instellingen");
  await expect(page.getByText("Onthouden apparaat vergeten (alle apparaten (1))")).toBeVisible();

  // Switching it off (the optional period; the password is still fresh).
  await tile.getByRole("link", { name: "Twee-staps-authenticatie uitschakelen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Twee-staps-authenticatie uitschakelen" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Twee-staps-authenticatie uitschakelen" }).click();
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  await expect(tile.getByText("Twee-staps-authenticatie is uitgeschakeld.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "Twee-staps-authenticatie uitgeschakeld" })).toBeVisible();
});
