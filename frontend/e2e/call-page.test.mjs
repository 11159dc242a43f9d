// The call page in real headless Chromium, against the built page and a fake connect API.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { close, closedPort, config, fakeConnectApi, launch, screenshot, serveSite } from "./harness.mjs";

const callButton = (page) => page.getByRole("button", { name: "Call Support" });
const errorKind = (page) => page.locator("[data-error]").getAttribute("data-error");
const closedNotice = (page) => page.getByTestId("closed");
const lineState = (page) => page.locator("section[data-line]").getAttribute("data-line");

/** "HH:MM" on the clocks of `timeZone` at `at`. */
function clockTime(at, timeZone) {
  const options = { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  return new Intl.DateTimeFormat("en-GB", options).format(at);
}

const HOUR = 3_600_000;
const INDIA_HOURS = { open: "06:00", close: "23:00", timeZone: "Asia/Kolkata" };

describe("the call page", () => {
  let browser;
  const servers = [];

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await Promise.all(servers.map(close));
  });

  async function open(configBody, viewport = { width: 1024, height: 720 }, { timezoneId, clock } = {}) {
    const site = await serveSite(configBody);
    servers.push(site.server);
    const page = await browser.newPage({ viewport, timezoneId });
    if (clock) await page.clock.install({ time: clock });
    await page.goto(`${site.origin}/`);
    return page;
  }

  test("idle: a labelled Call Support button, reachable by keyboard, and a phone number", async () => {
    const page = await open(config());
    await callButton(page).waitFor();
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Battery Smart Support");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Call Support");
    const phone = page.getByRole("link", { name: "+91 80 4718 1234" });
    assert.equal(await phone.getAttribute("href"), "tel:+918047181234");
    assert.equal(await page.locator("section[data-state]").getAttribute("data-state"), "idle");
    await screenshot(page, "01-idle");
  });

  test("microphone granted: the page connects and asks the connect API for a call", async () => {
    const livekit = await closedPort();
    const api = await fakeConnectApi(async () => ({
      status: 200,
      delayMs: 1500,
      body: { url: `ws://127.0.0.1:${livekit}`, token: "caller-token", call_id: "call-0123456789ab" },
    }));
    servers.push(api.server);
    const page = await open(config({ connectApiUrl: api.url }));
    await callButton(page).click();
    await page.locator('section[data-state="connecting"]').waitFor();
    assert.match(await page.getByTestId("announcer").textContent(), /Connecting/);
    assert.ok(await page.getByRole("button", { name: "Hang up" }).isVisible());
    await screenshot(page, "02-connecting");
    // LiveKit itself is not there: the call cannot be set up, and the page says so.
    await page.locator('section[data-state="error"]').waitFor({ timeout: 20_000 });
    assert.equal(await errorKind(page), "livekitUnreachable");
    assert.equal(api.requests.length, 1);
    assert.equal(api.requests[0].method, "POST");
    assert.equal(api.requests[0].origin, new URL(page.url()).origin);
    await screenshot(page, "03-livekit-unreachable");
  });

  test("connect API busy (503): the busy state with the server's message and a retry", async () => {
    const api = await fakeConnectApi(async () => ({
      status: 503,
      body: { error: "busy", message: "All our agents are busy right now." },
    }));
    servers.push(api.server);
    const page = await open(config({ connectApiUrl: api.url }));
    await callButton(page).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "busy");
    assert.match(await page.getByRole("alert").textContent(), /All our agents are busy/);
    assert.ok(await page.getByRole("button", { name: "Try again" }).isVisible());
    assert.ok(await page.getByRole("link", { name: "+91 80 4718 1234" }).isVisible());
    await screenshot(page, "04-busy");
  });

  test("connect API down: the unreachable state, and Try again calls again", async () => {
    const down = await closedPort();
    const page = await open(config({ connectApiUrl: `http://127.0.0.1:${down}/api/connect` }));
    await callButton(page).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "apiUnreachable");
    assert.match(await page.getByRole("alert").textContent(), /Cannot reach Battery Smart support/);
    await screenshot(page, "05-api-unreachable");
    const retry = page.getByRole("button", { name: "Try again" });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Try again");
    await retry.click();
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "apiUnreachable");
  });

  test("bad config: a clear configuration error, no call button", async () => {
    const page = await open(JSON.stringify({ connectApiUrl: "not a url", supportPhone: "x" }));
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "config");
    assert.match(await page.getByRole("alert").textContent(), /not set up correctly/);
    assert.equal(await callButton(page).count(), 0);
    await screenshot(page, "06-bad-config");
  });

  test("missing config.json: the same configuration error", async () => {
    const page = await open(null);
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "config");
    assert.match(await page.getByRole("alert").textContent(), /\(404\)/);
  });

  test("on a phone screen nothing overflows and the button is thumb-sized", async () => {
    const page = await open(config(), { width: 360, height: 740 });
    await callButton(page).waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    assert.equal(overflow, false);
    const box = await callButton(page).boundingBox();
    assert.ok(box.height >= 44 && box.width >= 280, JSON.stringify(box));
    await screenshot(page, "07-phone");
  });

  test("outside opening hours: the closed notice and the phone number, no Call Support", async () => {
    // Hours that open two hours from now on India's clocks: the line is closed now.
    const opensAt = new Date(Math.floor((Date.now() + 2 * HOUR) / 60_000) * 60_000);
    const hours = {
      open: clockTime(opensAt, "Asia/Kolkata"),
      close: clockTime(new Date(opensAt.getTime() + 2 * HOUR), "Asia/Kolkata"),
      timeZone: "Asia/Kolkata",
    };
    const page = await open(config({ hours }), undefined, { timezoneId: "Europe/London" });
    await closedNotice(page).waitFor();
    assert.equal(await lineState(page), "closed");
    const notice = page.getByRole("status").filter({ has: closedNotice(page) });
    assert.match(await notice.textContent(), /Support line is closed/);
    assert.match(
      await notice.textContent(),
      new RegExp(`Call back at ${hours.open} India time \\(${clockTime(opensAt, "Europe/London")} your time\\)\\.`),
    );
    assert.equal(await callButton(page).count(), 0);
    const phone = page.getByRole("link", { name: "+91 80 4718 1234" });
    assert.ok(await phone.isVisible());
    assert.equal(await phone.getAttribute("href"), "tel:+918047181234");
    // The phone number is the first stop for the keyboard.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("href")), "tel:+918047181234");
    await screenshot(page, "10-closed");
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    assert.equal(overflow, false);
    await screenshot(page, "11-closed-phone");
  });

  test("at the opening time the page opens by itself and says so", async () => {
    // 05:59 in India; the browser's clock is Playwright's, so the test can move it on.
    const page = await open(config({ hours: INDIA_HOURS }), undefined, {
      timezoneId: "Asia/Kolkata",
      clock: new Date("2025-01-15T00:29:00Z"),
    });
    await closedNotice(page).waitFor();
    assert.match(await closedNotice(page).textContent(), /Call back at 06:00 India time\./);
    assert.equal(await callButton(page).count(), 0);
    await closedNotice(page).focus();
    await page.clock.fastForward("01:00");
    await callButton(page).waitFor();
    // The notice that had the focus is gone: the button that took its place has it.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Call Support");
    assert.equal(await lineState(page), "open");
    assert.equal(await closedNotice(page).count(), 0);
    assert.equal(await page.getByTestId("announcer").textContent(), "The support line is open now.");
  });

  test("a call under way at closing time goes on; the next one waits for the opening", async () => {
    const api = await fakeConnectApi(async () => ({
      status: 503,
      delayMs: 3000,
      body: { error: "busy", message: "All our agents are busy right now." },
    }));
    servers.push(api.server);
    // 22:59:50 in India: ten seconds before closing.
    const page = await open(config({ connectApiUrl: api.url, hours: INDIA_HOURS }), undefined, {
      timezoneId: "Asia/Kolkata",
      clock: new Date("2025-01-15T17:29:50Z"),
    });
    await callButton(page).click();
    await page.locator('section[data-state="connecting"]').waitFor();
    await page.clock.fastForward("00:15");
    await page.waitForFunction(() => document.querySelector("section[data-line]")?.dataset.line === "closed");
    assert.equal(await page.locator("section[data-state]").getAttribute("data-state"), "connecting");
    assert.ok(await page.getByRole("button", { name: "Hang up" }).isVisible());
    assert.equal(await closedNotice(page).count(), 0);
    // The attempt ends (the line is busy): no Try again now, the notice and the phone instead.
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "busy");
    await closedNotice(page).waitFor();
    assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 0);
    assert.ok(await page.getByRole("link", { name: "+91 80 4718 1234" }).isVisible());
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "closed");
    await screenshot(page, "12-closed-after-call");
  });

  test("a supervisor link without its token says the link is incomplete", async () => {
    const site = await serveSite(config());
    servers.push(site.server);
    const page = await browser.newPage();
    await page.goto(`${site.origin}/join?room=call-0123456789ab`);
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").textContent(), /join link is incomplete/);
  });
});

describe("microphone denied", () => {
  test("the denied state says how to allow it and offers a retry", async () => {
    const browser = await launch({ microphone: "deny" });
    const site = await serveSite(config());
    try {
      const page = await browser.newPage();
      await page.goto(`${site.origin}/`);
      await callButton(page).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await errorKind(page), "micDenied");
      assert.match(await page.getByRole("alert").textContent(), /Allow microphone access/);
      assert.ok(await page.getByRole("button", { name: "Try again" }).isVisible());
      await screenshot(page, "09-mic-denied");
    } finally {
      await browser.close();
      await close(site.server);
    }
  });
});
