import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, freshCode, hydrated, lastSmsCode, newUser, smsTo } from "./helpers";

// A number of its own: the outbox and the per-number limit are shared with the other specs.
const number = "+31687654321";
const masked = "+31 6 ** ** ** 21";

async function passwordStep(page: Page, email: string, password: string) {
  await page.goto("/inloggen");
  await page.getByLabel("E-mailadres", { exact: true }).fill(email);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Inloggen" }).click();
}

async function logOut(page: Page) {
  await page.locator(".user-menu summary").click();
  await page.getByRole("button", { name: "Uitloggen" }).click();
  await expect(page).toHaveURL(/\/inloggen$/);
}

/** The wizard with the app, from the introduction; returns the secret and the step it used. */
async function enrolWithApp(page: Page, password: string) {
  await page.getByRole("link", { name: "Twee-staps-authenticatie instellen" }).click();
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  // In the browser the next step replaces this one without a page load: wait for it.
  await expect(page.getByRole("heading", { name: /^2\. Kies hoe/ })).toBeVisible();
  await page.getByRole("button", { name: "Doorgaan" }).click();
  const secret = (await page.locator("#sleutel").textContent())!.replace(/ /g, "");
  await page.getByRole("link", { name: "Doorgaan" }).click();
  const { code, step } = await freshCode(secret, undefined);
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await page.getByLabel("Ik heb mijn herstelcodes veilig opgeslagen").check();
  await page.getByRole("button", { name: "Gedaan" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  return { secret, step };
}

test("Methode wijzigen: from the app to SMS with the code from the outbox, log in with SMS, and back to a new app", async ({
  page,
}) => {
  const user = newUser();
  await passwordStep(page, user.email, user.password);
  const enrolled = await enrolWithApp(page, user.password);

  // A new login with the app: the password entered in the wizard no longer counts.
  await logOut(page);
  await passwordStep(page, user.email, user.password);
  await page.getByLabel("Code", { exact: true }).fill((await freshCode(enrolled.secret, enrolled.step)).code);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // Instellingen -> the tile -> "Methode wijzigen": the password first (SEC-20).
  await page.goto("/profiel/instellingen");
  const tile = page.getByRole("region", { name: "Twee-staps-authenticatie" });
  await tile.getByRole("link", { name: "Methode wijzigen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Methode wijzigen" })).toBeVisible();
  await expect(page.getByText("Je herstelcodes en onthouden apparaten blijven geldig.", { exact: false })).toBeVisible();
  await expect(page.getByText("Vul voor de zekerheid eerst je wachtwoord opnieuw in.")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Doorgaan" }).click();

  // The choice, as in the wizard: the app recommended, SMS with its cost notice.
  await expect(page.getByText("Je huidige methode: code van authenticatie-applicatie.")).toBeVisible();
  await expect(page.getByLabel(/Code van authenticatie-applicatie.*Aanbevolen/)).toBeChecked();
  await expect(page.getByText(/In verband met bijkomende kosten/)).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel(/SMS met code/).check();
  await page.getByRole("button", { name: "Doorgaan" }).click();

  await expect(page.getByRole("heading", { name: "Vul je mobiele telefoonnummer in" })).toBeVisible();
  await expectAccessible(page);
  const before = smsTo(number).length;
  await page.getByLabel("Mobiel telefoonnummer").fill("06 87 65 43 21");
  await page.getByRole("button", { name: "Code versturen" }).click();

  await expect(page.getByRole("heading", { name: "Vul de code in die je per SMS hebt ontvangen" })).toBeVisible();
  await expect(page.getByText(`We hebben een SMS met een code gestuurd naar ${masked}.`, { exact: false })).toBeVisible();
  await expect(page.getByText("Tot die tijd log je in met je huidige methode.", { exact: false })).toBeVisible();
  expect(smsTo(number)).toHaveLength(before + 1);
  await expectAccessible(page);
  const code = lastSmsCode(number);
  await page.getByLabel("Code", { exact: true }).fill(code === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Bevestigen" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Deze code klopt niet." })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Bevestigen" }).click();

  // Back at the settings: the tile names SMS, and the security log has the change (SEC-21).
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  await expect(tile.getByText(`Methode: SMS met code naar ${masked}`, { exact: false })).toBeVisible();
  await expect(tile.getByText("Je hebt nog 10 herstelcodes over.")).toBeVisible();
  await expect(page.getByRole("cell", { name: `Authenticatie-methode gewijzigd (van app naar SMS (${masked}))` })).toBeVisible();

  // Logging out and in again: an SMS code to the new number.
  await logOut(page);
  // Let the server's 3-second cooldown after the change's SMS pass.
  await page.waitForTimeout(3_500);
  const sent = smsTo(number).length;
  await passwordStep(page, user.email, user.password);
  await expect(page.getByRole("heading", { level: 1, name: "Vul de code in die je per SMS hebt ontvangen" })).toBeVisible();
  await expect.poll(() => smsTo(number).length).toBe(sent + 1);
  await page.getByLabel("Code", { exact: true }).fill(lastSmsCode(number));
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // And back to an app, on a new phone: "Annuleren" first keeps SMS.
  await page.goto("/profiel/instellingen");
  await tile.getByRole("link", { name: "Methode wijzigen" }).click();
  // The page's code loads on its first visit; Instellingen stays until it is there.
  await expect(page.getByRole("heading", { level: 1, name: "Methode wijzigen" })).toBeVisible();
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByText(`Je huidige methode: SMS met code naar ${masked}.`)).toBeVisible();
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: /Scan deze QR-code/ })).toBeVisible();
  await page.getByRole("button", { name: "Annuleren" }).click();
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  await expect(tile.getByText(`Methode: SMS met code naar ${masked}`, { exact: false })).toBeVisible();

  await tile.getByRole("link", { name: "Methode wijzigen" }).click();
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: /Scan deze QR-code/ })).toBeVisible();
  await expect(page.locator(".qr svg")).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  const secret = (await page.locator("#sleutel").textContent())!.replace(/ /g, "");
  await page.getByRole("link", { name: "Doorgaan" }).click();
  await expect(page.getByRole("heading", { name: "Vul de code in van de authenticatie-applicatie" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Code", { exact: true }).fill((await freshCode(secret, undefined)).code);
  await page.getByRole("button", { name: "Bevestigen" }).click();
  await expect(page).toHaveURL(/\/profiel\/instellingen$/);
  await expect(tile.getByText("Methode: code van authenticatie-applicatie", { exact: false })).toBeVisible();
  await expect(page.getByRole("cell", { name: `Authenticatie-methode gewijzigd (van SMS (${masked}) naar app)` })).toBeVisible();
  await expectAccessible(page);
});
