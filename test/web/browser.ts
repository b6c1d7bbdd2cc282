/**
 * Headless Chromium for the browser tests, driven by playwright-core. Debian's `chromium`
 * package is used (no browser download). Where it is missing, the tests are skipped with a
 * message — except in CI, where a missing browser fails the run.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { execSync } from "node:child_process";
import { type Browser, type BrowserContext, type ConsoleMessage, type Page, chromium } from "playwright-core";

export const ARTIFACTS = resolve(import.meta.dirname, "../../test-results/web");

export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const path of candidates) if (path && existsSync(path)) return path;
  try {
    const found = execSync("command -v chromium || command -v chromium-browser", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
}

export const CHROMIUM = findChromium();
export const BROWSER_MISSING_MESSAGE = "browser tests skipped: no chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)";

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Playwright gives every launch a fresh temporary profile (its own --user-data-dir), so runs
 *  share no cookies, storage or cache; it refuses the flag from the caller. */
export async function launchBrowser(executablePath: string): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** A page that records console errors, uncaught exceptions and dialogs (an XSS would open one). */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
  dialogs: string[];
}

export async function watchedPage(
  browser: Browser,
  options: { width?: number; height?: number; mobile?: boolean; permissions?: string[] } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    deviceScaleFactor: options.mobile ? 2 : 1,
    isMobile: options.mobile ?? false,
    hasTouch: options.mobile ?? false,
    acceptDownloads: true,
  });
  if (options.permissions) await context.grantPermissions(options.permissions);
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { page, context, errors, dialogs };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}
