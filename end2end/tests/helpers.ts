import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const judith = {
  email: "judith@example.nl",
  password: "Welkom-bij-het-platform-1",
  name: "Judith van Haare",
};

/** Waits until the page is hydrated, so clicks go to the app and not to a dead page. */
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated=true]").waitFor({ state: "attached" });
}

export async function logIn(page: Page, email: string, password: string) {
  await page.goto("/inloggen");
  await hydrated(page);
  await page.getByLabel("E-mailadres").fill(email);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Inloggen" }).click();
}

/** axe-core on the page as it is now: no violations at all. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}
