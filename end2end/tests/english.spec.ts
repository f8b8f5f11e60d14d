import { expect, test } from "@playwright/test";
import { expectAccessible, freshCode, hydrated, mailsTo, newUser } from "./helpers";

// A browser that asks for English (Accept-Language: en-GB) meets the whole tour in English:
// login, the introduction, the wizard, the code at the next login and the settings; the switch
// on the login page and the choice in the profile change it, with a reload.
test.use({ locale: "en-GB" });

test("an English tour: log in, the introduction, the wizard, the code and the settings, then back to Dutch", async ({
  page,
}) => {
  const user = newUser();
  await page.goto("/inloggen");
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
  await expect(page.getByText("Log in with your email address and password.")).toBeVisible();
  await expectAccessible(page);
  // A wrong password: the refusal in English, worded in the browser.
  await page.getByLabel("Email address", { exact: true }).fill(user.email);
  await page.getByLabel("Password").fill("not-my-password");
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The email address or the password is incorrect." })).toBeVisible();
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();

  // The introduction, over Home.
  const intro = page.getByRole("dialog", { name: "Introducing two-step authentication" });
  await expect(intro).toBeVisible();
  await expect(intro.getByRole("heading", { name: "How does it work?" })).toBeVisible();
  await expect(intro.getByRole("button", { name: "Not now" })).toBeVisible();
  await expectAccessible(page);
  await intro.getByRole("link", { name: "Set up two-step authentication" }).click();

  // The wizard.
  await expect(page.getByRole("heading", { level: 1, name: "Turn on two-step authentication" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "1. Enter your password" })).toBeVisible();
  await page.getByLabel("Password").fill("not-my-password");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The password is incorrect." })).toBeVisible();
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "2. Choose how you want to receive authentication codes" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: /^3\. Scan this QR code/ })).toBeVisible();
  const secret = (await page.locator("#sleutel").textContent())!.replace(/ /g, "");
  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "4. Enter the code from the authenticator app" })).toBeVisible();
  await expectAccessible(page);
  const first = await freshCode(secret, undefined);
  await page.getByLabel("Code", { exact: true }).fill(first.code);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Two-step authentication is now turned on for your account.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "5. Store your recovery codes somewhere safe" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Done" }).click();

  // The settings: the tile in English.
  await page.goto("/profiel/instellingen");
  const tile = page.getByRole("region", { name: "Two-step authentication" });
  await expect(tile.getByText("Two-step authentication is turned on.")).toBeVisible();
  await expectAccessible(page);
  // The security email went out in Dutch: she has not chosen a language, and mails follow
  // only a stored choice.
  expect(mailsTo(user.email).some((m) => m.subject.startsWith("Beveiliging van je account"))).toBe(true);

  // She chooses English in the profile: stored with her (the HTTP tests show her mails follow).
  await page.goto("/profiel");
  await page.getByRole("radio", { name: "English" }).check();
  await page.getByRole("button", { name: "Save language" }).click();
  await expect(page).toHaveURL(/\/profiel$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  // The next login asks for the code, in English.
  await page.locator(".user-menu summary").click();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/inloggen$/);
  await page.getByLabel("Email address", { exact: true }).fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page).toHaveURL(/\/inloggen\/code/);
  await expect(page.getByLabel(/Remember me/)).toBeVisible();
  await expectAccessible(page);
  const second = await freshCode(secret, first.step);
  await page.getByLabel("Code", { exact: true }).fill(second.code);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page.getByText(`Welcome, ${user.name}.`)).toBeVisible();

  // Back to Dutch from the login page's switch: the page loads again in Dutch.
  await page.locator(".user-menu summary").click();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/inloggen$/);
  await page.getByRole("button", { name: "Nederlands" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "nl");
  await expect(page.getByRole("heading", { level: 1, name: "Inloggen" })).toBeVisible();
});
