import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { join, resolve } from "node:path";

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
  await page.getByLabel("E-mailadres", { exact: true }).fill(email);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Inloggen" }).click();
}

/** axe-core on the page as it is now: no violations at all. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

/** The server started past the mandatory date. */
export const mandatoryBase = `http://127.0.0.1:${process.env.E2E_MANDATORY_PORT}`;

let userCount = 0;

type Database = "e2e.db" | "e2e-verplicht.db" | "e2e-passkey.db";

/** Each server's mail outbox (playwright.config.ts). */
function mailOutbox(database: Database) {
  const name = {
    "e2e.db": "mail-outbox.jsonl",
    "e2e-verplicht.db": "mail-outbox-verplicht.jsonl",
    "e2e-passkey.db": "mail-outbox-passkey.jsonl",
  }[database];
  return join(process.env.E2E_DATA_DIR!, name);
}

/** The server's own command line on the given server's database, with its mail settings. */
function serverCommand(database: Database, args: string[], input?: string) {
  return execFileSync(resolve(__dirname, "../../target/release/server"), args, {
    input,
    cwd: resolve(__dirname, "../.."),
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(process.env.E2E_DATA_DIR!, database)}?mode=rwc`,
      TWEESTAP_SECRET_KEY: "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
      TWEESTAP_MAIL_PROVIDER: "outbox",
      TWEESTAP_MAIL_OUTBOX: mailOutbox(database),
      RUST_LOG: "warn",
    },
  }).toString();
}

/** The security emails the given server sent to `email`, oldest first. */
export function mailsTo(email: string, database: Database = "e2e.db"): { subject: string; body: string }[] {
  const file = mailOutbox(database);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { to: string; subject: string; body: string })
    .filter((mail) => mail.to.includes(email));
}

/** The helpdesk's reset for a clinician who lost their phone: `server user reset-2fa`. */
export function resetTwoFactor(email: string, reason: string) {
  return serverCommand("e2e.db", ["user", "reset-2fa", "--email", email, "--reason", reason]);
}

/** A new professional on the given server's database, made with the server's own command. */
export function newUser(database: Database = "e2e.db", { admin = false } = {}) {
  userCount += 1;
  const kind = admin ? "beheerder" : "clinicus";
  const email = `${kind}-${Date.now()}-${userCount}@example.nl`;
  const user = { email, password: "Een-goed-wachtwoord-42", name: `${admin ? "Beheerder" : "Clinicus"} ${userCount}` };
  const args = ["user", "add", "--email", user.email, "--name", user.name, ...(admin ? ["--admin"] : [])];
  serverCommand(database, args, `${user.password}\n`);
  return user;
}

function base32Decode(input: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of input.replace(/[\s=]/g, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 with SHA1, 6 digits, 30 s: what the authenticator app shows for a time step. */
export function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

export const currentStep = () => Math.floor(Date.now() / 1000 / 30);

/**
 * A code for a time step the server has not seen used yet: each step logs in once (SEC-07),
 * so after `lastStep` this waits for the next one, as a user would wait for the app's next code.
 */
export async function freshCode(secret: string, lastStep: number | undefined) {
  while (lastStep !== undefined && currentStep() <= lastStep) {
    await new Promise((r) => setTimeout(r, 500));
  }
  // Not in the last second of a step, so the code is still current when it arrives.
  while (Date.now() / 1000 - currentStep() * 30 > 28) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const step = currentStep();
  return { code: totp(secret, step), step };
}

/** The messages the server put in its SMS outbox for `to` (E.164), oldest first. */
export function smsTo(to: string): string[] {
  const file = join(process.env.E2E_DATA_DIR!, "sms-outbox.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { to: string; body: string; sent_at: string })
    .filter((message) => message.to === to)
    .map((message) => message.body);
}

/** The code in the latest SMS to `to`, from its WebOTP line (`@host #123456`). */
export function lastSmsCode(to: string): string {
  const body = smsTo(to).at(-1);
  const match = body?.match(/#(\d{6})$/);
  if (!match) throw new Error(`no SMS code for ${to}`);
  return match[1];
}

/**
 * Ages the user's SMS codes past their five minutes, in the server's database, as if the
 * clinician had waited: the server's own expiry check then refuses the code.
 */
export function ageSmsCodes(email: string) {
  const database = join(process.env.E2E_DATA_DIR!, "e2e.db");
  execFileSync("sqlite3", [
    "-cmd",
    ".timeout 5000",
    database,
    `UPDATE sms_codes SET expires_at = created_at WHERE user_id = (SELECT id FROM users WHERE email = '${email.replace(/'/g, "''")}')`,
  ]);
}

/** The password step of the login, on the given server. */
export async function passwordStep(page: Page, email: string, password: string, base = "") {
  await page.goto(`${base}/inloggen`);
  await page.getByLabel("E-mailadres", { exact: true }).fill(email);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Inloggen", exact: true }).click();
}

export async function logOut(page: Page) {
  await page.locator(".user-menu summary").click();
  await page.getByRole("button", { name: "Uitloggen" }).click();
  await expect(page).toHaveURL(/\/inloggen$/);
}

/** The wizard from step 1 to the recovery codes; returns the secret and the step it used. */
export async function enrol(page: Page, password: string) {
  await expect(page.getByRole("heading", { level: 1, name: "Twee-staps-authenticatie inschakelen" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "1. Vul je wachtwoord in" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Wachtwoord").fill("niet-mijn-wachtwoord");
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Het wachtwoord is onjuist." })).toBeVisible();
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Doorgaan" }).click();

  await expect(page.getByRole("heading", { name: "2. Kies hoe je authenticatie-codes wilt ontvangen" })).toBeVisible();
  await expect(page.getByLabel(/Code van authenticatie-applicatie/)).toBeChecked();
  await expect(page.getByText("bijkomende kosten")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Doorgaan" }).click();

  await expect(page.getByRole("heading", { name: /3\. Scan deze QR-code/ })).toBeVisible();
  await expect(page.locator(".qr svg")).toBeVisible();
  await expect(page.getByText("Microsoft Authenticator (Android, iOS, Windows Phone)")).toBeVisible();
  await expect(page.getByText("Google Authenticator (Android, iOS)")).toBeVisible();
  await expect(page.getByText("LastPass Authenticator (Android, iOS, Windows Phone)")).toBeVisible();
  const shown = (await page.locator("#sleutel").textContent())!;
  expect(shown).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  const secret = shown.replace(/ /g, "");
  await expectAccessible(page);
  // A reload shows the same secret: the wizard's state is on the server.
  await page.reload();
  await expect(page.locator("#sleutel")).toHaveText(shown);
  await page.getByRole("link", { name: "Doorgaan" }).click();

  await expect(page.getByRole("heading", { name: "4. Vul de code in van de authenticatie-applicatie" })).toBeVisible();
  const field = page.getByLabel("Code", { exact: true });
  await expect(field).toHaveAttribute("inputmode", "numeric");
  await expect(field).toHaveAttribute("autocomplete", "one-time-code");
  await expectAccessible(page);
  // A code from an hour ago is refused with a clear message.
  await field.fill(totp(secret, currentStep() - 120));
  await page.getByRole("button", { name: "Doorgaan" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Deze code klopt niet" })).toBeVisible();
  const { code, step } = await freshCode(secret, undefined);
  // Typed as the app shows it, with a space.
  await page.getByLabel("Code", { exact: true }).fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await page.getByRole("button", { name: "Doorgaan" }).click();

  await expect(page.getByText("Twee-staps-authenticatie is nu ingeschakeld voor jouw account.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "5. Bewaar je herstelcodes op een veilige manier" })).toBeVisible();
  const codes = await page.locator(".recovery-codes code").allTextContents();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
  await expectAccessible(page);
  // Downloading gives the same codes as a text file.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Downloaden" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("herstelcodes.txt");
  expect(readFileSync((await download.path())!, "utf8").trim().split("\n")).toEqual(codes);
  await page.getByLabel("Ik heb mijn herstelcodes veilig opgeslagen").check();
  await page.getByRole("button", { name: "Gedaan" }).click();
  return { secret, step, codes };
}
