// The supervisor dashboard in real headless Chromium against the real local backend:
// `autoqa serve` over a store seeded with scored calls and their recordings.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { close, fakeCognito, launch, screenshot, serveDashboard } from "./harness.mjs";

const ZONE = "Asia/Kolkata";
const rows = (page) => page.locator("table.calls tbody tr");
const heading = (page) => page.locator("#view-heading");

describe("the supervisor dashboard", () => {
  let browser;
  let site;
  const problems = [];

  before(async () => {
    site = await serveDashboard();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
  });

  /** A page in the viewer's zone (India); uncaught errors in it fail the test that opened it. */
  async function open(path, { width = 1280, height = 900 } = {}) {
    const context = await browser.newContext({ viewport: { width, height }, timezoneId: ZONE, locale: "en-US" });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${site.origin}${path}`);
    return page;
  }

  async function done(page) {
    await page.context().close();
    assert.deepEqual(problems.splice(0), [], "the page threw");
  }

  const api = async (path) => (await fetch(`${site.origin}${path}`)).json();

  test("the calls list loads, newest urgent calls first, times in the viewer's zone", async () => {
    const page = await open("/dashboard");
    await rows(page).first().waitFor();
    assert.equal(await heading(page).textContent(), "Calls");
    assert.equal(await rows(page).count(), 25);
    const first = await api("/api/calls?limit=25");
    const ids = await rows(page).evaluateAll((trs) => trs.map((tr) => tr.dataset.callId));
    assert.deepEqual(ids, first.items.map((call) => call.call_id), "the API's order");
    const shown = await rows(page).first().locator("time").textContent();
    const expected = new Intl.DateTimeFormat("en-US", {
      timeZone: ZONE,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short",
    }).format(new Date(first.items[0].timestamp));
    assert.equal(shown, expected);
    await screenshot(page, "dashboard-calls");
    await done(page);
  });

  test("pages go forward and back with the API's cursor", async () => {
    const page = await open("/dashboard");
    await rows(page).first().waitFor();
    const firstPage = await rows(page).first().getAttribute("data-call-id");
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByText("Page 2").waitFor();
    assert.match(page.url(), /[?&]cursor=/);
    const secondPage = await rows(page).first().getAttribute("data-call-id");
    assert.notEqual(secondPage, firstPage);
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByText("Page 1").waitFor();
    assert.equal(await rows(page).first().getAttribute("data-call-id"), firstPage);
    await page.goBack();
    await page.getByText("Page 2").waitFor();
    assert.equal(await rows(page).first().getAttribute("data-call-id"), secondPage);
    await done(page);
  });

  test("filters live in the address bar: a link shows the same view, back and forward work", async () => {
    const page = await open("/dashboard?flagged=true");
    await rows(page).first().waitFor();
    assert.equal(await page.getByLabel("Flagged only").isChecked(), true);
    const flagged = await rows(page).evaluateAll((trs) =>
      trs.map((tr) => tr.querySelectorAll(".chip.flag, .chip.risk").length > 0),
    );
    assert.ok(flagged.length > 0 && flagged.every(Boolean), "every row has a violation flag or a risk reason");

    await page.getByLabel("Violation flag").selectOption("SAFETY_INSTRUCTIONS_MISSED");
    await page.waitForURL(/flag=SAFETY_INSTRUCTIONS_MISSED/);
    assert.match(page.url(), /\/dashboard\?flagged=true&flag=SAFETY_INSTRUCTIONS_MISSED$/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll("table.calls tbody tr")].every((tr) =>
        tr.textContent.includes("S4 Safety instructions missed"),
      ),
    );

    await page.getByLabel("Agent").fill("agent-ravi");
    await page.getByLabel("Agent").press("Enter");
    await page.waitForURL(/agent=agent-ravi/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll("table.calls tbody tr")].every((tr) => tr.textContent.includes("agent-ravi")),
    );

    await page.goBack();
    await page.waitForURL((url) => !url.search.includes("agent="));
    assert.equal(await page.getByLabel("Agent").inputValue(), "");
    assert.equal(await page.getByLabel("Violation flag").inputValue(), "SAFETY_INSTRUCTIONS_MISSED");
    await page.goBack();
    await page.waitForURL((url) => url.search === "?flagged=true");
    assert.equal(await page.getByLabel("Violation flag").inputValue(), "");

    await page.getByLabel("Call id").fill("no-such-call");
    await page.getByLabel("Call id").press("Enter");
    await page.getByText("No calls match these filters.").waitFor();
    await done(page);
  });

  test("the review queue lists calls that need review and nobody reviewed", async () => {
    const page = await open("/dashboard");
    await page.getByRole("link", { name: "Review queue" }).click();
    await page.waitForURL(/\?needs_review=true&review=unreviewed$/);
    await rows(page).first().waitFor();
    assert.equal(await heading(page).textContent(), "Review queue");
    assert.equal(await page.getByRole("link", { name: "Review queue" }).getAttribute("aria-current"), "page");
    const marked = await rows(page).evaluateAll((trs) =>
      trs.map((tr) => tr.textContent.includes("Needs review") && tr.textContent.includes("Unreviewed")),
    );
    assert.ok(marked.every(Boolean));
    await done(page);
  });

  test("a call: evidence quotes play the recording from where they were said, the transcript follows", async () => {
    const page = await open("/dashboard?flag=SAFETY_INSTRUCTIONS_MISSED");
    await rows(page).first().waitFor();
    const callId = await rows(page).first().getAttribute("data-call-id");
    await rows(page).first().getByRole("link", { name: callId }).click();
    await page.waitForURL(`**/dashboard/calls/${callId}?flag=SAFETY_INSTRUCTIONS_MISSED`);
    await page.locator("audio").waitFor();
    assert.equal(await page.locator(".sop-checks > li").count(), 6);
    assert.equal(await page.locator('.sop[data-sop="S4"] .outcome').textContent(), "Violated");

    const quote = page.locator("button.quote").filter({ has: page.locator("q") }).last();
    const start = Number(await quote.getAttribute("data-start"));
    assert.ok(start > 5, `a quote late in the call (${start} s)`);
    await quote.click();
    await page.waitForFunction(
      (t) => {
        const audio = document.querySelector("audio");
        return audio && !audio.paused && audio.currentTime >= t - 0.25 && audio.currentTime < t + 2;
      },
      start,
      { timeout: 10_000 },
    );
    const current = await page.locator(".turn.current").getAttribute("data-turn");
    const detail = await api(`/api/calls/${encodeURIComponent(callId)}`);
    const heard = await page.evaluate(() => document.querySelector("audio").currentTime);
    const turn = detail.turns.find((t) => t.start_time <= heard && heard < t.end_time);
    assert.equal(Number(current), turn.index, "the turn being heard is highlighted");
    await page.evaluate(() => {
      document.querySelector("audio").pause();
      window.scrollTo(0, 0);
    });
    await screenshot(page, "dashboard-call");

    await page.locator(".turn .turn-seek").first().click();
    await page.waitForFunction(() => document.querySelector("audio").currentTime < 1);
    await page.evaluate(() => document.querySelector("audio").pause());
    assert.equal(await page.locator(".sentiment svg circle").count(), detail.sentiment.length);

    await page.getByRole("link", { name: "← Back to calls" }).click();
    await page.waitForURL(/\/dashboard\?flag=SAFETY_INSTRUCTIONS_MISSED$/);
    await rows(page).first().waitFor();
    await done(page);
  });

  test("a failed call shows why", async () => {
    const page = await open("/dashboard?status=FAILED");
    await rows(page).first().waitFor();
    await rows(page).first().locator("a.call-link").click();
    await page.getByText("This call could not be scored").waitFor();
    await page.getByText("transcription failed: the recording has no speech").waitFor();
    await done(page);
  });

  test("a review: an override needs a note; the saved review is in the history", async () => {
    const list = await api("/api/calls?flag=SAFETY_INSTRUCTIONS_MISSED&review=unreviewed&limit=1");
    const callId = list.items[0].call_id;
    const page = await open(`/dashboard/calls/${encodeURIComponent(callId)}`);
    const s4 = page.locator('fieldset[data-flag="SAFETY_INSTRUCTIONS_MISSED"]');
    await s4.waitFor();
    await s4.getByLabel(/Override/).check();
    await page.getByRole("button", { name: "Mark reviewed" }).click();
    await s4.getByText("Say why you override S4").waitFor();
    assert.equal(await page.locator(".review-entry").count(), 0, "nothing was sent");

    await s4.getByLabel(/Why override S4/).fill("The agent told him to keep away from the battery at 0:20.");
    await page.getByLabel("Overall note (optional)").fill("Listened to the recording.");
    await page.getByRole("button", { name: "Mark reviewed" }).click();
    await page.getByText("Review 1 saved.").waitFor();
    const entry = page.locator(".review-entry").first();
    await entry.waitFor();
    const text = await entry.textContent();
    assert.match(text, /Review 1 by /);
    assert.match(text, /Cleared\s*S4 Safety instructions missed/);
    assert.match(text, /keep away from the battery/);
    assert.match(text, /Listened to the recording\./);
    await page.locator(".facts").filter({ hasText: /ReviewReviewed \(last by / }).waitFor();
    const stored = await api(`/api/calls/${encodeURIComponent(callId)}/reviews`);
    assert.equal(stored.items.length, 1);
    assert.deepEqual(stored.items[0].removed, ["SAFETY_INSTRUCTIONS_MISSED"]);

    // Someone else reviews it meanwhile: the page's revision is stale, the API refuses (409).
    const { scorecard } = await api(`/api/calls/${encodeURIComponent(callId)}`);
    const other = await fetch(`${site.origin}/api/calls/${encodeURIComponent(callId)}/reviews`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ base_revision: 1, scorecard, decisions: [], note: "Second look by another supervisor." }),
    });
    assert.equal(other.status, 201);
    await s4.getByLabel("Agree").check();
    await page.getByRole("button", { name: "Submit review" }).click();
    await page.getByText("Someone reviewed this call, or it was scored again").waitFor();
    await page.locator('.review-entry[data-revision="2"]').waitFor();
    assert.match(await page.locator(".review-entry").first().textContent(), /Second look by another supervisor/);
    await page.locator(".facts").filter({ hasText: "Reviewed (2 times)" }).waitFor();
    await page.getByRole("button", { name: "Submit review" }).click();
    await page.getByText("Review 3 saved.").waitFor();
    await page.locator('.review-entry[data-revision="3"]').waitFor();

    const back = await open(`/dashboard?call_id=${encodeURIComponent(callId)}`);
    await rows(back).first().waitFor();
    assert.match(await rows(back).first().locator('[data-review]').textContent(), /Reviewed \(3 times\)/);
    await done(back);
    await done(page);
  });

  test("the labelled-cases download holds every reviewed call, with the flags the review settled on", async () => {
    const scored = await api("/api/calls?status=SCORED&review=unreviewed&limit=3");
    for (const { call_id } of scored.items) {
      const { scorecard } = await api(`/api/calls/${encodeURIComponent(call_id)}`);
      const reply = await fetch(`${site.origin}/api/calls/${encodeURIComponent(call_id)}/reviews`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ base_revision: 0, scorecard, decisions: [], note: "" }),
      });
      assert.equal(reply.status, 201);
    }
    const reviewed = await api("/api/calls?review=reviewed&limit=100");
    assert.ok(reviewed.items.length >= 3);

    const page = await open("/dashboard");
    await rows(page).first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download labelled cases (JSON)" }).click(),
    ]);
    const saved = JSON.parse(await readFile(await download.path(), "utf8"));
    assert.deepEqual(saved.cases.map((c) => c.id).sort(), reviewed.items.map((c) => c.call_id).sort());
    for (const call of reviewed.items) {
      const kept = saved.cases.find((c) => c.id === call.call_id);
      assert.deepEqual(kept.violations.sort(), [...call.reviewed_flags].sort());
      assert.ok(kept.turns.length > 0 && kept.turns.every(([who]) => who === "A" || who === "C"));
    }
    await page.getByText(`${reviewed.items.length} reviewed calls exported.`).waitFor();
    await done(page);
  });

  test("agents: totals, an agent's weeks and worst calls", async () => {
    const page = await open("/dashboard/agents");
    const agentRows = page.locator("table.agents tbody tr");
    await agentRows.first().waitFor();
    assert.equal(await agentRows.count(), 3);
    await agentRows.first().locator("a").click();
    await page.waitForURL(/\/dashboard\/agents\/agent-/);
    await page.locator(".weeks-chart svg").waitFor();
    assert.ok((await page.locator(".weeks-chart rect.seg").count()) > 0, "violations are drawn");
    assert.equal(await page.locator("table.weeks tbody tr").count(), 8);
    await page.getByLabel("Weeks", { exact: true }).selectOption("4");
    await page.waitForURL(/weeks=4/);
    await page.waitForFunction(() => document.querySelectorAll("table.weeks tbody tr").length === 4);
    const worst = page.locator("table.calls tbody tr");
    assert.ok((await worst.count()) > 0);
    await worst.first().locator("a.call-link").click();
    await page.waitForURL(/\/dashboard\/calls\/.+\?agent=agent-/);
    await page.locator(".sop-checks").waitFor();
    await done(page);
  });

  test("an API that does not answer shows an error with a retry", async () => {
    const page = await open("/dashboard/agents");
    await page.locator("table.agents").waitFor();
    await page.route("**/api/calls?**", (route) => route.abort("connectionrefused"));
    await page.getByRole("link", { name: "Calls", exact: true }).click();
    const alert = page.getByRole("alert");
    await alert.getByText("The calls could not be loaded").waitFor();
    await alert.getByText("could not be reached").waitFor();
    await page.unroute("**/api/calls?**");
    await alert.getByRole("button", { name: "Try again" }).click();
    await rows(page).first().waitFor();
    await done(page);
  });

  test("on a phone the table becomes cards", async () => {
    const page = await open("/dashboard", { width: 390, height: 844 });
    await rows(page).first().waitFor();
    const display = await rows(page).first().evaluate((tr) => getComputedStyle(tr).display);
    assert.equal(display, "block");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `nothing wider than the screen (${overflow}px over)`);
    await screenshot(page, "dashboard-phone");
    await rows(page).first().locator("a.call-link").click();
    await page.locator(".sop-checks").waitFor();
    const callOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(callOverflow <= 0, `the call fits the screen (${callOverflow}px over)`);
    await screenshot(page, "dashboard-phone-call");
    await done(page);
  });

  test("with Cognito configured: sign in with PKCE, a bearer token on every call, sign out", async () => {
    const cognito = await fakeCognito();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(error.message));
    await page.route("**/config.json", (route) =>
      route.fulfill({
        contentType: "application/json",
        body: JSON.stringify({
          dashboard: {
            apiBase: "",
            auth: { authority: cognito.origin, clientId: cognito.clientId, domain: cognito.origin, scope: "openid email profile" },
          },
        }),
      }),
    );
    const sent = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/api/")) sent.push(request.headers().authorization);
    });
    try {
      await page.goto(`${site.origin}/dashboard?flagged=true`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${site.origin}/dashboard?flagged=true`);
      await rows(page).first().waitFor();
      const authorize = cognito.visits.find((v) => v.path === "/oauth2/authorize").query;
      assert.equal(authorize.response_type, "code");
      assert.equal(authorize.client_id, cognito.clientId);
      assert.equal(authorize.redirect_uri, `${site.origin}/dashboard/callback`);
      assert.equal(authorize.code_challenge_method, "S256");
      assert.equal(authorize.scope, "openid email profile");
      // The page sends the ID token (the person's e-mail and groups), not the access token.
      const claimsOf = (header) => JSON.parse(Buffer.from(header.replace(/^Bearer /, "").split(".")[1], "base64url"));
      assert.ok(sent.length >= 2 && sent.every((header) => claimsOf(header).n === 1), JSON.stringify(sent));
      assert.equal(claimsOf(sent[0]).email, cognito.email);
      await page.getByText(cognito.email).waitFor();

      // The API refuses the token once (401): the page starts the sign-in again and comes back.
      // (Once: the way back can be quicker than the test, and a refusal right after a sign-in
      // is an error the page shows rather than a loop.)
      await page.evaluate(() => sessionStorage.setItem("dashboard.signInStartedAt", "0"));
      await page.route(
        "**/api/agents",
        (route) =>
          route.fulfill({ status: 401, contentType: "application/json", body: '{"error":{"code":"unauthorized","message":"expired"}}' }),
        { times: 1 },
      );
      await page.getByRole("link", { name: "Agents" }).click();
      await page.waitForURL(`${site.origin}/dashboard/agents`);
      await page.waitForFunction(() => sessionStorage.getItem("dashboard.signInStartedAt") !== "0");
      await page.locator("table.agents").waitFor();
      assert.equal(cognito.visits.filter((v) => v.path === "/oauth2/authorize").length, 2);
      assert.equal(claimsOf(sent.at(-1)).n, 2);

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${cognito.origin}/logout?**`);
      const revoked = cognito.visits.find((v) => v.path === "/oauth2/revoke");
      assert.ok(revoked, "the refresh token is revoked at sign-out");
      assert.equal(revoked.form.token, "refresh-token-2");
      const logout = new URL(page.url()).searchParams;
      assert.equal(logout.get("client_id"), cognito.clientId);
      assert.equal(logout.get("logout_uri"), `${site.origin}/dashboard`);
      await page.goto(`${site.origin}/dashboard`);
      await page.getByRole("button", { name: "Sign in" }).waitFor();
    } finally {
      await context.close();
      await close(cognito.server);
    }
    assert.deepEqual(problems.splice(0), [], "the page threw");
  });
});
