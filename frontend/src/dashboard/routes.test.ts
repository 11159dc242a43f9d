import { describe, expect, it } from "vitest";
import { nextPage, pageNumber, previousPage, readTrail } from "./pages";
import { isDashboardPath } from "./paths";
import { agentHref, callHref, callsHref, matchRoute } from "./routes";

describe("the dashboard's addresses", () => {
  it("name the views", () => {
    expect(matchRoute("/dashboard")).toEqual({ view: "calls" });
    expect(matchRoute("/dashboard/")).toEqual({ view: "calls" });
    expect(matchRoute("/dashboard/agents")).toEqual({ view: "agents" });
    expect(matchRoute("/dashboard/callback")).toEqual({ view: "callback" });
    expect(matchRoute("/dashboard/nope")).toEqual({ view: "missing" });
    expect(matchRoute("/dashboard/calls/a/b")).toEqual({ view: "missing" });
  });

  it("round-trip call and agent ids through the path", () => {
    const id = "call 42#x?y";
    expect(matchRoute(callHref(id).split("?")[0])).toEqual({ view: "call", callId: id });
    expect(matchRoute(agentHref("agent ravi"))).toEqual({ view: "agent", agentId: "agent ravi" });
    expect(matchRoute("/dashboard/calls/%E0%A4")).toEqual({ view: "missing" });
  });

  it("keep the list's query on a call's link, for going back", () => {
    expect(callHref("c1", "?agent=a1&flagged=true")).toBe("/dashboard/calls/c1?agent=a1&flagged=true");
    expect(callsHref({ flagged: true }, { cursor: "cur" })).toBe("/dashboard?flagged=true&cursor=cur");
  });

  it("belong to the dashboard only under /dashboard", () => {
    expect(isDashboardPath("/dashboard")).toBe(true);
    expect(isDashboardPath("/dashboard/calls/x")).toBe(true);
    expect(isDashboardPath("/")).toBe(false);
    expect(isDashboardPath("/join")).toBe(false);
    expect(isDashboardPath("/dashboards")).toBe(false);
  });
});

describe("paging", () => {
  it("counts pages and steps back through the cursors", () => {
    const page2 = nextPage(undefined, null, "c2");
    expect(page2).toEqual({ cursor: "c2", state: { before: [""] } });
    const page3 = nextPage(page2.cursor, readTrail(page2.state), "c3");
    expect(pageNumber(page3.cursor, readTrail(page3.state))).toBe(3);
    const back = previousPage(readTrail(page3.state));
    expect(back).toEqual({ cursor: "c2", state: { before: [""] } });
    expect(previousPage(readTrail(back.state)).cursor).toBeUndefined();
  });

  it("does not make up a page number for a page opened from a link", () => {
    expect(pageNumber("c7", readTrail(null))).toBeNull();
    expect(nextPage("c7", null, "c8").state).toBeNull();
    expect(previousPage(null).cursor).toBeUndefined();
    expect(pageNumber(undefined, null)).toBe(1);
  });
});
