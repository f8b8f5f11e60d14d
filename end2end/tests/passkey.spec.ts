import { expect, test, type CDPSession, type Page } from "@playwright/test";
import { expectAccessible, hydrated, mailsTo, newUser, passwordStep } from "./helpers";

// The server whose public origin is http://localhost:PORT (playwright.config.ts): WebAuthn
// needs a host name, and the RP ID is that host.
const base = `http://localhost:${process.env.E2E_PASSKEY_PORT}`;

/** Chromium's virtual authenticator, as a phone or laptop with a fingerprint reader would be:
 * CTAP 2.1, built in, user verification that succeeds; with discoverable keys unless
 * `discoverable` is false. Chromium answers a request from the login page's autofill at once
 * when it has a discoverable key, as if the user picked it there. */
async function virtualAuthenticator(page: Page, cdp?: CDPSession, discoverable = true) {
  const session = cdp ?? (await page.context().newCDPSession(page));
  await session.send("WebAuthn.enable");
  const { authenticatorId } = await session.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport: "internal",
      hasResidentKey: discoverable,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp: session, authenticatorId };
}

/** The wizard, past its first step (the password again). */
async function wizardAfterPassword(page: Page, password: string) {
  await page.goto(`${base}/twee-staps/instellen`);
  await hydrated(page);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Doorgaan" }).click();
}

async function logOutHere(page: Page) {
  await page.locator(".user-menu summary").click();
  await page.getByRole("button", { name: "Uitloggen" }).click();
  await expect(page).toHaveURL(/\/inloggen$/);
}

/** The password again on a settings page, when the page asks for it. */
async function passwordAgainIfAsked(page: Page, password: string) {
  const asked = page.getByText("Vul voor de zekerheid eerst je wachtwoord opnieuw in.");
  await expect(page.getByRole("heading", { level: 1, name: "Passkeys en beveiligingssleutels" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  if (await asked.isVisible()) {
    await page.getByLabel("Wachtwoord").fill(password);
    await page.getByRole("button", { name: "Doorgaan" }).click();
    await expect(asked).toBeHidden();
  }
}

// SEC-33: enrolling with a passkey in the wizard, the second step with it (and "Andere manier"),
// a second key added in the settings and the first removed, and the next login with the second.
test("a passkey in the wizard, at login, and a second one in the settings (SEC-33)", async ({ page }) => {
  const user = newUser("e2e-passkey.db");
  // Keys that are not discoverable: the login page's autofill (passwordless sign-in is on on
  // this server) has nothing to offer, stays pending, and is aborted when the page is left.
  const phone = await virtualAuthenticator(page, undefined, false);

  await passwordStep(page, user.email, user.password, base);
  await expect(page).not.toHaveURL(/\/inloggen/);
  await wizardAfterPassword(page, user.password);

  // The third choice, recommended above the app where the browser has passkeys.
  const choice = page.getByLabel(/Passkey of beveiligingssleutel/);
  await expect(choice).toBeVisible();
  await expect(page.locator(".choice", { has: choice }).getByText("Aanbevolen")).toBeVisible();
  await expect(page.locator(".choice", { has: page.getByLabel(/Code van authenticatie-applicatie/) }).getByText("Aanbevolen")).toBeHidden();
  await expectAccessible(page);
  await choice.check();
  await page.getByRole("button", { name: "Doorgaan" }).click();

  await expect(page.getByRole("heading", { name: "3. Maak een passkey aan" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Passkey aanmaken" }).click();
  await expect(page.getByText("De passkey is toegevoegd.")).toBeVisible();
  // The suggestion: the authenticator's name where it is known, else the day.
  const name = page.getByLabel("Naam", { exact: true });
  await expect(name).toHaveValue(/^Passkey van \d+ \w+ \d{4}$/);
  await expectAccessible(page);
  await name.fill("Telefoon");
  await page.getByRole("button", { name: "Opslaan" }).click();

  // Recovery codes, as for the other methods.
  await expect(page.getByRole("heading", { name: "5. Bewaar je herstelcodes op een veilige manier" })).toBeVisible();
  await expect(page.locator(".recovery-codes code")).toHaveCount(10);
  await page.getByLabel("Ik heb mijn herstelcodes veilig opgeslagen").check();
  await page.getByRole("button", { name: "Gedaan" }).click();
  await expect(page).not.toHaveURL(/instellen/);
  // The security email names the new passkey (SEC-21); the mail worker sends it shortly after.
  await expect
    .poll(() => mailsTo(user.email, "e2e-passkey.db").map((mail) => mail.subject))
    .toContain("Beveiliging van je account: passkey toegevoegd");

  // The next login asks for the passkey after the password; "Andere manier" leads to a
  // recovery code (this user has no code method), and back.
  await logOutHere(page);
  await passwordStep(page, user.email, user.password, base);
  await expect(page).toHaveURL(/\/inloggen\/code/);
  await expect(page.getByRole("heading", { name: "Bevestig met je passkey" })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByRole("link", { name: "Andere manier: een herstelcode" }).click();
  await expect(page.getByRole("heading", { name: "Inloggen zonder je passkey" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Gebruik een herstelcode" })).toBeVisible();
  await page.getByRole("link", { name: "Toch met je passkey inloggen" }).click();
  await page.getByRole("button", { name: "Inloggen met passkey" }).click();
  await expect(page).not.toHaveURL(/\/inloggen/);

  // The settings: the only passkey of a passkey-only user is warned about and cannot go.
  await page.goto(`${base}/profiel/passkeys`);
  await hydrated(page);
  await passwordAgainIfAsked(page, user.password);
  await expect(page.getByText("Dit is je enige passkey")).toBeVisible();
  await expect(page.getByRole("row", { name: /Telefoon/ })).toContainText(/\d{4}/);
  await expect(page.getByRole("button", { name: "Telefoon verwijderen" })).toHaveCount(0);
  await expectAccessible(page);
  // "Methode wijzigen" names the passkey as the method in use, and can switch to the app.
  await page.goto(`${base}/profiel/methode`);
  await hydrated(page);
  await expect(page.getByText("Je huidige methode: passkey.")).toBeVisible();
  await expect(page.getByLabel(/Code van authenticatie-applicatie/)).toBeVisible();
  await page.goto(`${base}/profiel/passkeys`);
  await hydrated(page);

  // A new device: the phone's authenticator goes, a security key comes.
  await phone.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: phone.authenticatorId });
  await virtualAuthenticator(page, phone.cdp, false);
  await page.getByRole("button", { name: "Passkey toevoegen" }).click();
  await expect(page.getByText("De passkey is toegevoegd.")).toBeVisible();
  await page.getByLabel("Naam", { exact: true }).fill("YubiKey");
  await page.getByRole("button", { name: "Opslaan" }).click();
  await expect(page.getByRole("row", { name: /YubiKey/ })).toBeVisible();
  await expect(page.getByText("Dit is je enige passkey")).toBeHidden();
  await page.getByRole("button", { name: "Telefoon verwijderen" }).click();
  await expect(page.getByRole("row", { name: /Telefoon/ })).toHaveCount(0);
  await expect(page.getByRole("row", { name: /YubiKey/ })).toBeVisible();

  // The next login signs in with the security key.
  await logOutHere(page);
  await passwordStep(page, user.email, user.password, base);
  await expect(page.getByRole("heading", { name: "Bevestig met je passkey" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Inloggen met passkey" }).click();
  await expect(page).not.toHaveURL(/\/inloggen/);
});

// SEC-33, SEC-34: with TWEESTAP_PASSKEY_SIGN_IN=on, a discoverable passkey alone signs in from
// the login page, with the button and from the email field's autofill, and the login is
// recorded as such.
test("passwordless sign-in with a discoverable passkey: the button and the autofill (SEC-33, SEC-34)", async ({
  page,
}) => {
  // A browser without passkeys in its autofill, until the test turns it on: Chromium's virtual
  // authenticator would answer the autofill's request before the button could be used.
  await page.addInitScript(() => {
    const real = PublicKeyCredential.isConditionalMediationAvailable?.bind(PublicKeyCredential);
    PublicKeyCredential.isConditionalMediationAvailable = async () =>
      sessionStorage.getItem("autofill") === "ja" && real !== undefined && (await real());
  });
  const user = newUser("e2e-passkey.db");
  await virtualAuthenticator(page);
  await passwordStep(page, user.email, user.password, base);
  await expect(page).not.toHaveURL(/\/inloggen/);
  await wizardAfterPassword(page, user.password);
  await page.getByLabel(/Passkey of beveiligingssleutel/).check();
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await page.getByRole("button", { name: "Passkey aanmaken" }).click();
  await page.getByRole("button", { name: "Opslaan" }).click();
  await page.getByLabel("Ik heb mijn herstelcodes veilig opgeslagen").check();
  await page.getByRole("button", { name: "Gedaan" }).click();
  await expect(page).not.toHaveURL(/instellen/);
  await logOutHere(page);

  // The button: no email, no password.
  await page.goto(`${base}/inloggen`);
  await hydrated(page);
  const button = page.getByRole("button", { name: "Inloggen met een passkey" });
  await expect(button).toBeVisible();
  await expectAccessible(page);
  await button.click();
  await expect(page).not.toHaveURL(/\/inloggen/);
  await page.goto(`${base}/profiel/instellingen`);
  await expect(page.getByRole("cell", { name: /Passkey zonder wachtwoord/ }).first()).toBeVisible();

  // The autofill, in a browser that has it: the passkey picked there signs in, and the browser
  // goes where it was going.
  await page.evaluate(() => sessionStorage.setItem("autofill", "ja"));
  await page.context().clearCookies();
  await page.goto(`${base}/inloggen?volgende=%2Fprofiel%2Finstellingen`);
  await expect(page).toHaveURL(`${base}/profiel/instellingen`);
  await expect(page.getByRole("cell", { name: /Passkey zonder wachtwoord/ }).nth(1)).toBeVisible();
});
