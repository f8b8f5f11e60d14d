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
  await page.getByLabel("E-mailadres").fill(email);
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

/** The server's own command line on the given server's database. */
function serverCommand(database: string, args: string[], input?: string) {
  return execFileSync(resolve(__dirname, "../../target/release/server"), args, {
    input,
    cwd: resolve(__dirname, "../.."),
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(process.env.E2E_DATA_DIR!, database)}?mode=rwc`,
      TWEESTAP_SECRET_KEY: "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
      RUST_LOG: "warn",
    },
  }).toString();
}

/** The helpdesk's reset for a clinician who lost their phone: `server user reset-2fa`. */
export function resetTwoFactor(email: string, reason: string) {
  return serverCommand("e2e.db", ["user", "reset-2fa", "--email", email, "--reason", reason]);
}

/** A new professional on the given server's database, made with the server's own command. */
export function newUser(database: "e2e.db" | "e2e-verplicht.db" = "e2e.db") {
  userCount += 1;
  const email = `clinicus-${Date.now()}-${userCount}@example.nl`;
  const user = { email, password: "Een-goed-wachtwoord-42", name: `Clinicus ${userCount}` };
  serverCommand(database, ["user", "add", "--email", user.email, "--name", user.name], `${user.password}\n`);
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
