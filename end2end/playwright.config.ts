import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The test script picks a free port, so a developer's own server on 3000 never collides.
const port = Number(process.env.E2E_PORT ?? 3456);
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "tweestap-e2e-"));
process.env.E2E_DATA_DIR = dataDir; // workers load this file again: keep one directory

// A second server, past the mandatory date.
const mandatoryPort = Number(process.env.E2E_MANDATORY_PORT ?? port + 1);
process.env.E2E_MANDATORY_PORT = String(mandatoryPort);
// A third, whose sessions end after one idle minute: the warning before it.
const idlePort = Number(process.env.E2E_IDLE_PORT ?? port + 2);
process.env.E2E_IDLE_PORT = String(idlePort);

// A fourth, with a public origin on "localhost" (WebAuthn refuses IP addresses): passkeys.
const passkeyPort = Number(process.env.E2E_PASSKEY_PORT ?? port + 3);
process.env.E2E_PASSKEY_PORT = String(passkeyPort);

function server(listen: number, database: string, extra: Record<string, string>) {
  return {
    command: "./target/release/server serve",
    cwd: resolve(__dirname, ".."),
    url: `http://127.0.0.1:${listen}/inloggen`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: {
      DATABASE_URL: `sqlite://${join(dataDir, database)}?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${listen}`,
      LEPTOS_SITE_ROOT: "target/site",
      TWEESTAP_DEMO: "true",
      TWEESTAP_SECRET_KEY: "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
      RUST_LOG: "warn",
      ...extra,
    },
  };
}

export default defineConfig({
  testDir: "./tests",
  timeout: 150_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  // One more try on CI, as Playwright's own template has: a test that fails and then passes is
  // reported as "flaky" in the output, to be looked into; one that fails twice fails the run.
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // A Dutch clinician's browser (Accept-Language: nl-NL): the pages speak the browser's
    // language since issue 24, and the tests read the manual's Dutch. english.spec.ts asks for
    // English.
    locale: "nl-NL",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: [
    // The release binary built by `cargo leptos build --release`, on fresh SQLite databases:
    // one in the optional period (the default rollout) with SMS and mail through outboxes, one
    // past the mandatory date without SMS.
    server(port, "e2e.db", {
      TWEESTAP_SMS_PROVIDER: "outbox",
      TWEESTAP_SMS_OUTBOX: join(dataDir, "sms-outbox.jsonl"),
      // A short cooldown, so the test can watch the countdown end.
      TWEESTAP_SMS_COOLDOWN_SECONDS: "3",
      TWEESTAP_PUBLIC_HOST: "127.0.0.1",
      TWEESTAP_MAIL_PROVIDER: "outbox",
      TWEESTAP_MAIL_OUTBOX: join(dataDir, "mail-outbox.jsonl"),
    }),
    server(mandatoryPort, "e2e-verplicht.db", {
      TWEESTAP_2FA_OPTIONAL_FROM: "2020-01-01",
      TWEESTAP_2FA_MANDATORY_FROM: "2020-02-01",
      TWEESTAP_MAIL_PROVIDER: "outbox",
      TWEESTAP_MAIL_OUTBOX: join(dataDir, "mail-outbox-verplicht.jsonl"),
    }),
    server(idlePort, "e2e-inactief.db", {
      TWEESTAP_SESSION_IDLE_MINUTES: "1",
    }),
    server(passkeyPort, "e2e-passkey.db", {
      TWEESTAP_PUBLIC_ORIGIN: `http://localhost:${passkeyPort}`,
      TWEESTAP_PASSKEY_SIGN_IN: "on",
      TWEESTAP_MAIL_PROVIDER: "outbox",
      TWEESTAP_MAIL_OUTBOX: join(dataDir, "mail-outbox-passkey.jsonl"),
    }),
  ],
});
