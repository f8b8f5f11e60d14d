import { expect, test, type Page } from "@playwright/test";
import {
  ageSmsCodes,
  expectAccessible,
  hydrated,
  lastSmsCode,
  mailsTo,
  newUser,
  resetTwoFactor,
  smsTo,
} from "./helpers";

const number = "+31612345678";

async function passwordStep(page: Page, email: string, password: string) {
  await page.goto("/inloggen");
  await page.getByLabel("E-mailadres", { exact: true }).fill(email);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Inloggen" }).click();
}

/** "Code opnieuw versturen" counts down in view and is enabled when the cooldown is over. */
async function resendAfterCountdown(page: Page) {
  await hydrated(page);
  const resend = page.getByRole("button", { name: "Code opnieuw versturen" });
  await expect(resend).toBeDisabled();
  await expect(page.getByText(/Je kunt over \d seconden? een nieuwe code laten versturen\./)).toBeVisible();
  await expect(resend).toBeEnabled({ timeout: 10_000 });
  await expect(page.getByText(/seconden? een nieuwe code/)).toHaveCount(0);
  await resend.click();
}

test("SMS: enrol with the code from the outbox, then log in with SMS codes: resend, wrong and expired codes", async ({
  page,
}) => {
  const user = newUser();
  await passwordStep(page, user.email, user.password);
  await page.getByRole("link", { name: "Twee-staps-authenticatie instellen" }).click();
  await page.getByLabel("Wachtwoord").fill(user.password);
  await page.getByRole("button", { name: "Doorgaan" }).click();

  // The method step recommends the app and says why: SMS costs money.
  await expect(page.getByLabel(/SMS met code/)).not.toBeChecked();
  await expect(page.getByLabel(/Code van authenticatie-applicatie.*Aanbevolen/)).toBeChecked();
  await expect(page.getByText(/In verband met bijkomende kosten/)).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel(/SMS met code/).check();
  await page.getByRole("button", { name: "Doorgaan" }).click();

  await expect(page.getByRole("heading", { name: "3. Vul je mobiele telefoonnummer in" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Mobiel telefoonnummer").fill("010 123 4567");
  await page.getByRole("button", { name: "Code versturen" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Dit is geen geldig mobiel nummer." })).toBeVisible();
  const before = smsTo(number).length;
  await page.getByLabel("Mobiel telefoonnummer").fill("06 12 34 56 78");
  await page.getByRole("button", { name: "Code versturen" }).click();

  await expect(page.getByRole("heading", { name: "4. Vul de code in die je per SMS hebt ontvangen" })).toBeVisible();
  await expect(page.getByText("We hebben een SMS met een code gestuurd naar +31 6 ** ** ** 78.", { exact: false })).toBeVisible();
  expect(smsTo(number)).toHaveLength(before + 1);
  const message = smsTo(number).at(-1)!;
  const enrolCode = lastSmsCode(number);
  expect(message).toContain("PRO Praktijksteun");
  expect(message.endsWith(`\n\n@127.0.0.1 #${enrolCode}`)).toBe(true);
  await expectAccessible(page);
  await page.getByLabel("Code", { exact: true }).fill(enrolCode);
  await page.getByRole("button", { name: "Doorgaan" }).click();

  await expect(page.getByText("Twee-staps-authenticatie is nu ingeschakeld voor jouw account.")).toBeVisible();
  await expect(page.locator(".recovery-codes code")).toHaveCount(10);
  await page.getByLabel("Ik heb mijn herstelcodes veilig opgeslagen").check();
  await page.getByRole("button", { name: "Gedaan" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();

  // The settings tile names the method with the masked number.
  await page.goto("/profiel/instellingen");
  await expect(page.getByText("Methode: SMS met code naar +31 6 ** ** ** 78", { exact: false })).toBeVisible();

  // Logging in again: one SMS after the password, and the code page says where it went.
  await page.context().clearCookies();
  // The enrolment's SMS went out moments ago: let this server's 3-second cooldown pass, as it
  // would have long passed for a clinician logging in later.
  await page.waitForTimeout(3_500);
  const sent = smsTo(number).length;
  await passwordStep(page, user.email, user.password);
  await expect(page.getByRole("heading", { level: 1, name: "Vul de code in die je per SMS hebt ontvangen" })).toBeVisible();
  await expect(page.getByText("We hebben een SMS met een code gestuurd naar +31 6 ** ** ** 78.", { exact: false })).toBeVisible();
  expect(smsTo(number)).toHaveLength(sent + 1);
  await expectAccessible(page);

  // A wrong code.
  const first = lastSmsCode(number);
  await page.getByLabel("Code", { exact: true }).fill(first === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Deze code klopt niet." })).toBeVisible();

  // Resend after the countdown: a new message, and the old code no longer works.
  await resendAfterCountdown(page);
  await expect(page.getByText("We hebben een SMS met een code gestuurd naar", { exact: false })).toBeVisible();
  await expect.poll(() => smsTo(number).length).toBe(sent + 2);
  const second = lastSmsCode(number);

  // An expired code: the clinician waited more than five minutes.
  ageSmsCodes(user.email);
  await page.getByLabel("Code", { exact: true }).fill(second);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Deze code is verlopen" })).toBeVisible();

  await resendAfterCountdown(page);
  await expect.poll(() => smsTo(number).length).toBe(sent + 3);
  await page.getByLabel("Code", { exact: true }).fill(lastSmsCode(number));
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  await expect(page.getByText(`Welkom, ${user.name}.`)).toBeVisible();

  // The phone is lost: the helpdesk resets two-step authentication. The session ends, the next
  // login sends no SMS and shows the introduction again, and the security log says why.
  expect(resetTwoFactor(user.email, "telefoon kwijt, gebeld op 25-11")).toContain("the user was emailed");
  const resetMail = mailsTo(user.email).at(-1);
  expect(resetMail?.subject).toBe("Beveiliging van je account: twee-staps-authenticatie gereset door de helpdesk");
  expect(resetMail?.body).toContain("telefoon kwijt, gebeld op 25-11");
  expect(resetMail?.body).toContain("Was jij dit niet? Neem dan direct contact op met de helpdesk");
  await page.goto("/profiel/instellingen");
  await expect(page).toHaveURL(/\/inloggen/);
  const beforeReset = smsTo(number).length;
  await passwordStep(page, user.email, user.password);
  await expect(page.getByRole("heading", { level: 1, name: "Introductie van twee-staps-authenticatie" })).toBeVisible();
  expect(smsTo(number)).toHaveLength(beforeReset);
  await page.getByRole("button", { name: "Niet nu" }).click();
  await page.goto("/profiel/instellingen");
  await expect(page.getByRole("heading", { name: "Beveiligingslog" })).toBeVisible();
  await expect(page.getByText("Twee-staps-authenticatie gereset door de helpdesk (door", { exact: false })).toBeVisible();
  await expect(page.getByText("Twee-staps-authenticatie is uitgeschakeld.")).toBeVisible();
  await expectAccessible(page);
});
