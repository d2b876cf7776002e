// Firefox ESR and WebKit for the page tests, through W3C WebDriver: geckodriver (crates.io) for
// Debian's firefox-esr, WebKitWebDriver (Debian webkit2gtk-driver) for WebKitGTK's MiniBrowser
// under a virtual display (xvfb-run). The client is selenium-webdriver from npm, pointed at the
// driver this file starts (no Selenium Manager, nothing downloaded). scripts/lib/toolchain.sh
// installs them (ensure_firefox, ensure_webkit, ensure_webdriver_client).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

// The client lives in its own small package (tests/webdriver/, its own lock file), installed by
// scripts/lib/toolchain.sh's ensure_webdriver_client.
const require = createRequire(new URL('../webdriver/package.json', import.meta.url));
let client = null;
try {
  client = require('selenium-webdriver');
} catch {
  // not installed: unavailable() says so
}
const { Builder, By, until } = client ?? {};

export { By, until };

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** The browsers, their driver and the capabilities of a fresh headless session. */
export const BROWSERS = {
  firefox: {
    name: 'Firefox ESR',
    driver: () => [join(homedir(), '.cargo/bin/geckodriver'), '/usr/local/bin/geckodriver', '/usr/bin/geckodriver'].find((p) => existsSync(p)),
    available: () => existsSync('/usr/bin/firefox-esr'),
    command: (bin, port) => [bin, ['--host', '127.0.0.1', '--port', String(port)]],
    capabilities: () => ({
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: '/usr/bin/firefox-esr',
        args: ['-headless', '-width=1280', '-height=900'],
        prefs: {
          // No network of its own: no updates, telemetry, captive portal or safe-browsing lists.
          'app.update.enabled': false,
          'browser.safebrowsing.malware.enabled': false,
          'browser.safebrowsing.phishing.enabled': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'network.captive-portal-service.enabled': false,
          'network.connectivity-service.enabled': false,
          'toolkit.telemetry.enabled': false,
          'browser.shell.checkDefaultBrowser': false,
        },
      },
    }),
  },
  webkit: {
    name: 'WebKitGTK',
    driver: () => ['/usr/bin/WebKitWebDriver'].find((p) => existsSync(p)),
    available: () => existsSync(MINIBROWSER) && existsSync('/usr/bin/xvfb-run'),
    // WebKitGTK draws on a display: a virtual one. -a picks a free display number.
    command: (bin, port) => ['xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', bin, `--port=${port}`]],
    capabilities: () => ({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }),
  },
};

/** Why `kind` cannot run here (a sentence), or null when it can. */
export function unavailable(kind) {
  const b = BROWSERS[kind];
  if (!client) return 'the WebDriver client is not installed (tests/webdriver: npm install)';
  if (!b.available()) return `${b.name} is not installed (scripts/lib/toolchain.sh installs it)`;
  if (!b.driver()) return `the WebDriver of ${b.name} is not installed (scripts/lib/toolchain.sh installs it)`;
  return null;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitForDriver(url, child, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the driver exited (${child.exitCode}):\n${log.join('')}`);
    try {
      const r = await fetch(`${url}/status`);
      if (r.ok && (await r.json())?.value?.ready !== false) return;
    } catch {
      // not listening yet
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
  throw new Error(`the driver did not start:\n${log.join('')}`);
}

/**
 * Starts `kind`'s driver and one browser session. Returns `{ driver, name, log, stop() }`:
 * `driver` is a selenium WebDriver; `stop()` ends the session and the driver (and its display).
 */
export async function startBrowser(kind) {
  const b = BROWSERS[kind];
  const port = await freePort();
  const [cmd, args] = b.command(b.driver(), port);
  // Its own process group, so that stop() ends the driver, the browser and the display together.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const kill = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  let driver;
  try {
    await waitForDriver(url, child, log);
    driver = await new Builder().usingServer(url).withCapabilities(b.capabilities()).build();
    await driver.manage().setTimeouts({ script: 120_000, pageLoad: 120_000 });
  } catch (e) {
    kill();
    throw e;
  }
  return {
    driver,
    name: b.name,
    log,
    async stop() {
      await driver.quit().catch(() => {});
      kill();
      await new Promise((ok) => setTimeout(ok, 300));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}

/** The browser's version, as its own command says (for the report). */
export function browserVersion(kind) {
  const out = kind === 'firefox'
    ? spawnSync('/usr/bin/firefox-esr', ['--version'], { encoding: 'utf8' }).stdout
    : spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' }).stdout;
  return String(out ?? '').trim();
}

/** Waits until `f()` (run in the page, returning a value) is truthy; returns that value. */
export async function waitInPage(driver, f, args = [], timeout = 120_000, what = String(f)) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await driver.executeScript(`return (${f})(...arguments)`, ...args);
    } catch (e) {
      // A script sent while the page navigates (e.g. the reload after Back) may never answer:
      // with a short script timeout (see `settling`), ask again.
      if (!/ScriptTimeout|JavascriptError|NoSuchWindow|timeout/i.test(`${e.name} ${e.message}`)) throw e;
      last = `${e.name}: ${e.message.split('\n')[0]}`;
      continue;
    }
    if (last) return last;
    await new Promise((ok) => setTimeout(ok, 150));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * Runs `action()` (a navigation) with a short script timeout, so that `waitInPage` polls through
 * a page that reloads; restores the usual timeouts after.
 */
export async function settling(driver, action) {
  await driver.manage().setTimeouts({ script: 5_000 });
  try {
    return await action();
  } finally {
    await driver.manage().setTimeouts({ script: 120_000 });
  }
}

/** Saves a screenshot of the window to `path`. */
export async function saveScreenshot(driver, path) {
  writeFileSync(path, Buffer.from(await driver.takeScreenshot(), 'base64'));
  return path;
}
