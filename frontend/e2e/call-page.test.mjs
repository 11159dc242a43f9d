// The call page in real headless Chromium, against the built page and a fake connect API.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { close, closedPort, config, fakeConnectApi, launch, screenshot, serveSite } from "./harness.mjs";

const callButton = (page) => page.getByRole("button", { name: "Call Support" });
const errorKind = (page) => page.locator("[data-error]").getAttribute("data-error");

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

  async function open(configBody, viewport = { width: 1024, height: 720 }) {
    const site = await serveSite(configBody);
    servers.push(site.server);
    const page = await browser.newPage({ viewport });
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

  test("a supervisor link without its token says the link is incomplete", async () => {
    const site = await serveSite(config());
    servers.push(site.server);
    const page = await browser.newPage();
    await page.goto(`${site.origin}/join?room=call-0123456789ab`);
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").textContent(), /join link is incomplete/);
  });

  test("a supervisor link with a token offers to join the named call", async () => {
    const site = await serveSite(config());
    servers.push(site.server);
    const page = await browser.newPage();
    await page.goto(`${site.origin}/join?room=call-0123456789ab&token=t&url=wss%3A%2F%2Fx.example`);
    await page.getByRole("button", { name: "Join call" }).waitFor();
    assert.match(await page.getByRole("heading", { level: 2 }).textContent(), /call-0123456789ab/);
    await screenshot(page, "08-supervisor-join");
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
