import { expect, test } from "@playwright/test";
import { enrol, expectAccessible, freshCode, logOut, mailsTo, mandatoryBase, newUser, passwordStep } from "./helpers";

test("Wachtwoord wijzigen: with the current password, then only the new one logs in", async ({ page }) => {
  const user = newUser();
  await passwordStep(page, user.email, user.password);
  await page.getByRole("button", { name: "Niet nu" }).click();
  await page.goto("/profiel/instellingen");
  await page
    .getByRole("region", { name: "Wachtwoord" })
    .getByRole("link", { name: "Wachtwoord wijzigen" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Wachtwoord wijzigen" })).toBeVisible();
  await expectAccessible(page);

  const newPassword = "Mijn-nieuwe-wachtwoord-2026";
  await page.getByLabel("Huidig wachtwoord").fill("niet-mijn-wachtwoord");
  await page.getByLabel("Nieuw wachtwoord", { exact: true }).fill(newPassword);
  await page.getByLabel("Herhaal het nieuwe wachtwoord").fill(newPassword);
  await page.getByRole("button", { name: "Wachtwoord wijzigen" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Het wachtwoord is onjuist." })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel("Huidig wachtwoord").fill(user.password);
  await page.getByLabel("Nieuw wachtwoord", { exact: true }).fill(newPassword);
  await page.getByLabel("Herhaal het nieuwe wachtwoord").fill(newPassword);
  await page.getByRole("button", { name: "Wachtwoord wijzigen" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Je wachtwoord is gewijzigd." })).toBeVisible();
  await expectAccessible(page);
  await page.goto("/profiel/instellingen");
  await expect(page.getByRole("cell", { name: /^Wachtwoord gewijzigd/ })).toBeVisible();

  await logOut(page);
  await passwordStep(page, user.email, user.password);
  await expect(page.getByRole("alert").filter({ hasText: "Het e-mailadres of het wachtwoord is onjuist." })).toBeVisible();
  await passwordStep(page, user.email, newPassword);
  // The introduction: a page as a plain form's answer, a dialog over Home from the script.
  await expect(page).toHaveURL(/\/twee-staps\/introductie$|\/\?introductie=ja$/);
});

test("the helpdesk: the rollout, finding a clinician, a reset with a reason, and the clinician enrols again", async ({
  page,
  browser,
}) => {
  // The mandatory period: the clinician and the admin both have two-step authentication.
  const clinician = newUser("e2e-verplicht.db");
  await passwordStep(page, clinician.email, clinician.password, mandatoryBase);
  const first = await enrol(page, clinician.password);
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  const adminContext = await browser.newContext({ baseURL: mandatoryBase });
  const admin = await adminContext.newPage();
  const beheerder = newUser("e2e-verplicht.db", { admin: true });
  await passwordStep(admin, beheerder.email, beheerder.password, mandatoryBase);
  const adminFactor = await enrol(admin, beheerder.password);
  // The helpdesk's actions need a login with the admin's own second step: a new login, with
  // the app's next code.
  await logOut(admin);
  await passwordStep(admin, beheerder.email, beheerder.password, mandatoryBase);
  const { code } = await freshCode(adminFactor.secret, adminFactor.step);
  await admin.getByLabel("Code", { exact: true }).fill(code);
  await admin.getByRole("button", { name: "Inloggen" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  await admin.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: "Configuratie" }).click();
  await admin.getByRole("link", { name: "Twee-staps-authenticatie beheren" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Twee-staps-authenticatie beheren" })).toBeVisible();
  await expect(admin.getByText("Nu: Verplicht.")).toBeVisible();
  await expect(admin.getByRole("definition").nth(1)).not.toHaveText("0");
  // The rollout per day: one image with its summary, and the numbers in a table.
  await expect(admin.getByRole("img", { name: /^Grafiek van de invoering per dag/ })).toBeVisible();
  await admin.getByText("De cijfers per dag").click();
  await expect(admin.getByRole("table", { name: "De invoering per dag, de nieuwste eerst" })).toBeVisible();
  await expectAccessible(admin);

  await admin.getByLabel("Naam of e-mailadres").fill(clinician.email);
  await admin.getByRole("button", { name: "Zoeken" }).click();
  await expect(admin.getByRole("cell", { name: "Aan: authenticatie-applicatie" })).toBeVisible();
  await expectAccessible(admin);
  await admin.getByRole("link", { name: clinician.name }).click();
  await expect(admin.getByRole("heading", { level: 1, name: clinician.name })).toBeVisible();
  await expect(admin.getByRole("cell", { name: "Twee-staps-authenticatie ingeschakeld" })).toBeVisible();
  // The admin's own password opens the actions for 5 minutes (SEC-20).
  await expect(admin.getByText("Vul voor de zekerheid eerst je wachtwoord opnieuw in.")).toBeVisible();
  await expectAccessible(admin);
  await admin.getByLabel("Wachtwoord").fill(beheerder.password);
  await admin.getByRole("button", { name: "Doorgaan" }).click();

  await expect(admin.getByRole("heading", { name: "Twee-staps-authenticatie resetten" })).toBeVisible();
  await expectAccessible(admin);
  await admin.getByLabel("Reden").fill("Telefoon kwijt, identiteit telefonisch gecontroleerd");
  await admin.getByRole("button", { name: "Twee-staps-authenticatie resetten" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Twee-staps-authenticatie is gereset." })).toBeVisible();
  await expect(
    admin.getByRole("cell", { name: /gereset door de helpdesk \(door beheerder-.*: Telefoon kwijt/ }),
  ).toBeVisible();
  await expect(admin.getByText("Uit", { exact: true })).toBeVisible();
  await expectAccessible(admin);
  await adminContext.close();

  // The clinician is told by email, with the reason, and without any code.
  await expect
    .poll(() => mailsTo(clinician.email, "e2e-verplicht.db").map((mail) => mail.subject))
    .toContain("Beveiliging van je account: twee-staps-authenticatie gereset door de helpdesk");
  const resetMail = mailsTo(clinician.email, "e2e-verplicht.db").find((mail) => mail.subject.includes("gereset"))!;
  expect(resetMail.body).toContain("Telefoon kwijt, identiteit telefonisch gecontroleerd");
  for (const code of first.codes) expect(resetMail.body).not.toContain(code);
  expect(resetMail.body).not.toContain(first.secret);

  // The clinician was logged out everywhere, and sets it up again at the next login.
  await page.goto(`${mandatoryBase}/profiel`);
  await expect(page).toHaveURL(/\/inloggen/);
  await passwordStep(page, clinician.email, clinician.password, mandatoryBase);
  await expect(page).toHaveURL(/\/twee-staps\/instellen$/);
  const second = await enrol(page, clinician.password);
  expect(second.secret).not.toBe(first.secret);
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  await page.goto(`${mandatoryBase}/profiel/instellingen`);
  await expect(page.getByText("Twee-staps-authenticatie is ingeschakeld.")).toBeVisible();
  await expect(page.getByRole("cell", { name: /Twee-staps-authenticatie gereset door de helpdesk/ })).toBeVisible();
});
