// The supervisor's join page in real headless Chromium: a single-use invite code in the link's
// fragment, exchanged at a fake connect API, and a fake LiveKit that records the attempts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { close, closedPort, config, fakeConnectApi, fakeLiveKit, launch, screenshot, serveSite } from "./harness.mjs";

const CODE = "Qm4_x-7rTz0aBcDeFgHiJkLmNoPq";
const TOKEN = "supervisor-agent-token-0123456789";
const CALL_ID = "call-0123456789ab";

const joinButton = (page) => page.getByRole("button", { name: "Join call" });
const section = (page) => page.locator("section[data-state]");
const errorKind = (page) => page.locator("[data-error]").getAttribute("data-error");

describe("the supervisor's join page", () => {
  let browser;
  const servers = [];

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await Promise.all(servers.map(close));
  });

  /**
   * Opens `link` on the built page. Everything the page's scripts (its own and LiveKit's) write
   * with console.* is kept, and so are uncaught errors, to check them for secrets. Chromium's
   * own network messages are not: they are the browser's, not the page's.
   */
  async function open(link, configBody) {
    const site = await serveSite(configBody);
    servers.push(site.server);
    const page = await browser.newPage({ viewport: { width: 1024, height: 720 } });
    await page.addInitScript(() => {
      const text = (value) => {
        if (value instanceof Error) return `${value.message} ${value.stack ?? ""}`;
        if (typeof value === "string") return value;
        try {
          return JSON.stringify(value) ?? String(value);
        } catch {
          return String(value);
        }
      };
      window.__written = [];
      for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
        const original = console[level];
        console[level] = (...args) => {
          window.__written.push(args.map(text).join(" "));
          return original.apply(console, args);
        };
      }
    });
    const errors = [];
    page.on("pageerror", (error) => errors.push(`${error.message} ${error.stack ?? ""}`));
    await page.goto(`${site.origin}${link}`);
    const written = async () => [...(await page.evaluate(() => window.__written)), ...errors].join("\n");
    return { page, origin: site.origin, written };
  }

  async function inviteApi(respond) {
    const api = await fakeConnectApi(respond);
    servers.push(api.server);
    return api;
  }

  /** Everything the page could have kept: storage of both kinds and the session history. */
  const kept = (page) =>
    page.evaluate(() =>
      JSON.stringify({
        local: { ...localStorage },
        session: { ...sessionStorage },
        href: location.href,
        state: history.state,
      }),
    );

  test("an invite: the code leaves the address bar, Join exchanges it once, then LiveKit is tried", async () => {
    const livekit = await fakeLiveKit();
    servers.push(livekit.server);
    const api = await inviteApi(async (req) =>
      req.url === "/api/invite"
        ? {
            status: 200,
            delayMs: 300,
            body: { url: livekit.url, token: TOKEN, call_id: CALL_ID, expires_in: 300 },
          }
        : { status: 404, body: { error: "not_found", message: "no such route" } },
    );
    const { page, origin, written } = await open(`/join#invite=${CODE}`, config({ connectApiUrl: api.url }));

    // Right after load: the address is a bare /join, and nothing has been sent anywhere.
    assert.equal(await page.evaluate(() => location.href), `${origin}/join`);
    assert.equal(page.url(), `${origin}/join`);
    await joinButton(page).waitFor();
    assert.equal(await section(page).getAttribute("data-state"), "ready");
    assert.equal(api.requests.length, 0, "opening the link must not use the invite");
    assert.ok(!(await kept(page)).includes(CODE));
    await screenshot(page, "20-supervisor-ready");

    await joinButton(page).click();
    await page.locator('section[data-state="exchanging"], section[data-state="joining"]').first().waitFor();

    // The exchange: exactly {"code"} as JSON, to /api/invite on the connect API's origin.
    await page.waitForFunction(() => document.querySelector("section[data-state]")?.dataset.state !== "exchanging");
    assert.equal(api.requests.length, 1);
    const [exchange] = api.requests;
    assert.equal(exchange.method, "POST");
    assert.equal(exchange.path, "/api/invite");
    assert.equal(exchange.origin, origin);
    assert.match(exchange.contentType, /^application\/json\b/);
    assert.deepEqual(JSON.parse(exchange.body), { code: CODE });

    // Then LiveKit at the returned url, with the returned token; the fake refuses it.
    await page.locator('section[data-state="failed"]').waitFor({ timeout: 30_000 });
    assert.ok(livekit.attempts.length >= 1, "the page never tried the returned LiveKit url");
    const attempts = JSON.stringify(livekit.attempts);
    assert.ok(livekit.attempts.every((a) => a.token === TOKEN && a.path.startsWith("/rtc")), attempts);
    assert.ok(livekit.attempts.some((a) => a.kind === "websocket"));
    assert.equal(await page.getByRole("heading", { level: 2 }).textContent(), `Escalated call ${CALL_ID}`);
    assert.equal(await errorKind(page), "livekit");
    assert.match(await page.getByRole("alert").textContent(), /press Join call to try again/);
    assert.match(await page.getByRole("alert").textContent(), /You can join with this invite until \d/);
    // The code is spent, the grant is held: Join call joins with it, no exchange is offered.
    assert.ok(await joinButton(page).isVisible());
    assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 0);
    assert.equal(api.requests.length, 1);
    await screenshot(page, "21-supervisor-livekit-unreachable");

    const logged = await written();
    assert.match(logged, /signal connecting/, "LiveKit's log was not captured");
    const everything = (await kept(page)) + logged;
    assert.ok(!everything.includes(CODE), "the invite code was stored or logged");
    assert.ok(!everything.includes(TOKEN), "the token was stored or logged");
  });

  /** A connect API whose /api/invite grants `expiresIn` seconds on `livekit`, and LiveKit refusing. */
  async function grantingApi(expiresIn) {
    const livekit = await fakeLiveKit();
    servers.push(livekit.server);
    const api = await inviteApi(async () => ({
      status: 200,
      body: { url: livekit.url, token: TOKEN, call_id: CALL_ID, expires_in: expiresIn },
    }));
    return { api, livekit };
  }

  test("LiveKit refuses: Join call tries the same grant again, with no second exchange", async () => {
    const { api, livekit } = await grantingApi(300);
    const { page, written } = await open(`/join#invite=${CODE}`, config({ connectApiUrl: api.url }));
    await joinButton(page).click();
    await page.locator('section[data-state="failed"] [data-error="livekit"]').waitFor({ timeout: 30_000 });
    assert.equal(api.requests.length, 1);
    const first = livekit.attempts.length;
    assert.ok(first >= 1);

    await joinButton(page).click();
    await page.locator('section[data-state="joining"], section[data-state="failed"]').first().waitFor();
    await page.locator('section[data-state="failed"] [data-error="livekit"]').waitFor({ timeout: 30_000 });
    const again = livekit.attempts.slice(first);
    const attempts = JSON.stringify(livekit.attempts);
    assert.ok(again.some((a) => a.kind === "websocket" && a.path.startsWith("/rtc")), attempts);
    assert.ok(livekit.attempts.every((a) => a.token === TOKEN), attempts);
    assert.equal(api.requests.length, 1, "the invite was exchanged a second time");
    assert.ok(await joinButton(page).isVisible(), "the grant's time is not up: Join call is still offered");
    await screenshot(page, "25-supervisor-join-again");

    const everything = (await kept(page)) + (await written());
    assert.ok(!everything.includes(CODE), "the invite code was stored or logged");
    assert.ok(!everything.includes(TOKEN), "the token was stored or logged");
  });

  test("the grant's time runs out: it says so, offers nothing to press, and tries nothing more", async () => {
    const { api, livekit } = await grantingApi(2);
    const { page } = await open(`/join#invite=${CODE}`, config({ connectApiUrl: api.url }));
    await joinButton(page).click();
    await page.locator('[data-error="grant_expired"]').waitFor({ timeout: 30_000 });
    const alert = await page.getByRole("alert").textContent();
    assert.match(alert, /The time to join has run out/);
    assert.match(alert, /If the caller asks for a supervisor again, a new alert with a new link will be sent\./);
    assert.doesNotMatch(alert, /new invite/);
    assert.equal(await page.getByRole("button").count(), 0);
    const tried = livekit.attempts.length;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(livekit.attempts.length, tried);
    assert.equal(api.requests.length, 1);
    await screenshot(page, "26-supervisor-grant-expired");
  });

  test("a used invite (410 invite_used): the used message, no retry", async () => {
    const api = await inviteApi(async () => ({
      status: 410,
      body: { error: "invite_used", message: "This invite was already used." },
    }));
    const { page } = await open(`/join#invite=${CODE}`, config({ connectApiUrl: api.url }));
    await joinButton(page).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "invite_used");
    assert.match(
      await page.getByRole("alert").textContent(),
      /This invite was already used\. Each invite works once\. If the caller asks for a supervisor again, a new alert with a new link will be sent\./,
    );
    assert.equal(await joinButton(page).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 0);
    assert.equal(api.requests.length, 1);
    await screenshot(page, "22-supervisor-invite-used");
  });

  test("an expired invite (410 invite_expired): ten minutes", async () => {
    const api = await inviteApi(async () => ({
      status: 410,
      body: { error: "invite_expired", message: "This invite has expired (invites work for 10 minutes)." },
    }));
    const { page } = await open(`/join#invite=${CODE}`, config({ connectApiUrl: api.url }));
    await joinButton(page).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "invite_expired");
    assert.match(await page.getByRole("alert").textContent(), /invites work for 10 minutes/);
  });

  test("rate limited (429): how long to wait, and Try again sends the same code", async () => {
    let calls = 0;
    const api = await inviteApi(async () => {
      calls += 1;
      return calls === 1
        ? {
            status: 429,
            headers: { "retry-after": "20", "access-control-expose-headers": "retry-after" },
            body: { error: "rate_limited", message: "Too many attempts from your address." },
          }
        : { status: 410, body: { error: "invite_expired", message: "expired" } };
    });
    const { page } = await open(`/join#invite=${CODE}`, config({ connectApiUrl: api.url }));
    await joinButton(page).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "rate_limited");
    assert.match(await page.getByRole("alert").textContent(), /Please wait 20 seconds, then try again\./);
    assert.match(await page.getByRole("alert").textContent(), /Too many attempts from your address\./);
    await page.getByRole("button", { name: "Try again" }).click();
    await page.locator('[data-error="invite_expired"]').waitFor();
    assert.equal(api.requests.length, 2);
    assert.deepEqual(api.requests.map((r) => JSON.parse(r.body)), [{ code: CODE }, { code: CODE }]);
  });

  test("connect API down: a network error, and the invite kept for Try again", async () => {
    const down = await closedPort();
    const connectApiUrl = `http://127.0.0.1:${down}/api/connect`;
    const { page } = await open(`/join#invite=${CODE}`, config({ connectApiUrl }));
    await joinButton(page).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "network");
    assert.match(await page.getByRole("alert").textContent(), /Cannot reach the support line/);
    assert.ok(await page.getByRole("button", { name: "Try again" }).isVisible());
    await screenshot(page, "23-supervisor-network");
  });

  test("an old ?token= link is refused: no request, no LiveKit, and it leaves the address bar", async () => {
    const livekit = await fakeLiveKit();
    servers.push(livekit.server);
    const api = await inviteApi(async () => ({ status: 500, body: {} }));
    const old = `/join?room=${CALL_ID}&token=${TOKEN}&url=${encodeURIComponent(livekit.url)}`;
    const { page, origin } = await open(old, config({ connectApiUrl: api.url }));
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "legacy");
    assert.match(await page.getByRole("alert").textContent(), /This join link is no longer accepted/);
    assert.equal(await page.getByRole("button").count(), 0);
    assert.equal(await page.evaluate(() => location.href), `${origin}/join`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(api.requests.length, 0);
    assert.equal(livekit.attempts.length, 0);
    await screenshot(page, "24-supervisor-old-link");
  });

  test("a link whose code is not a code: not valid, no request", async () => {
    const api = await inviteApi(async () => ({ status: 500, body: {} }));
    const { page } = await open("/join#invite=short", config({ connectApiUrl: api.url }));
    await page.getByRole("alert").waitFor();
    assert.equal(await errorKind(page), "malformed");
    assert.match(await page.getByRole("alert").textContent(), /This join link is not valid/);
    assert.equal(await joinButton(page).count(), 0);
    assert.equal(api.requests.length, 0);
  });
});
