// The call page's first render at fixed moments, as HTML: open or closed by the line's hours.
// The timer that switches it later is tested in hours.test.ts (watchHours) and in the browser.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CallPage } from "./CallPage";
import type { RuntimeConfig } from "./config";

const config: RuntimeConfig = {
  connectApiUrl: "https://13-235-10-20.sslip.io/api/connect",
  livekitUrl: "wss://13-235-10-20.sslip.io",
  supportPhone: "+91 80 4718 1234",
  hours: { open: "06:00", close: "23:00", timeZone: "Asia/Kolkata" },
};

function render(at: string, overrides: Partial<RuntimeConfig> = {}): string {
  vi.setSystemTime(new Date(at));
  return renderToStaticMarkup(createElement(CallPage, { config: { ...config, ...overrides } }));
}

describe("the call page and the line's hours", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("closed: the notice with the opening time and the phone number, no Call Support", () => {
    const html = render("2024-05-01T18:00:00Z"); // 23:30 in India
    expect(html).toContain('data-line="closed"');
    expect(html).toContain("Support line is closed");
    expect(html).toMatch(/Call back at <strong>06:00 India time( \(\d\d:\d\d your time\))?<\/strong>/);
    expect(html).toContain("Open every day 06:00–23:00 India time.");
    expect(html).toContain('href="tel:+918047181234"');
    expect(html).not.toContain("Call Support");
    expect(html).toMatch(/<div role="status" aria-live="polite" data-testid="line-hours"><div class="closed"/);
  });

  it("open: the Call Support button, and the hours region empty", () => {
    const html = render("2024-05-01T05:00:00Z"); // 10:30 in India
    expect(html).toContain('data-line="open"');
    expect(html).toContain(">Call Support</button>");
    expect(html).not.toContain("Support line is closed");
    expect(html).toContain('data-testid="line-hours"></div>');
  });

  it("closed without a phone line: the notice alone", () => {
    const html = render("2024-05-01T18:00:00Z", { supportPhone: undefined });
    expect(html).toContain("Support line is closed");
    expect(html).not.toContain("tel:");
  });

  it("without hours the line is always open", () => {
    const html = render("2024-05-01T18:00:00Z", { hours: undefined });
    expect(html).toContain(">Call Support</button>");
    expect(html).not.toContain("line-hours");
  });
});
