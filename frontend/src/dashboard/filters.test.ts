import { describe, expect, it } from "vitest";
import {
  type CallFilters,
  callQuery,
  filterProblem,
  isReviewQueue,
  listSearch,
  readListLocation,
  readRange,
  REVIEW_QUEUE,
} from "./filters";

const every: CallFilters = {
  from: "2024-05-01",
  to: "2024-05-31",
  agent: "agent-ravi",
  flagged: true,
  flag: "SAFETY_INSTRUCTIONS_MISSED",
  risk: "LEGAL_THREAT",
  score_min: 0,
  score_max: 80,
  needs_review: false,
  review: "unreviewed",
  judge: "fallback",
  status: "SCORED",
  call_id: "call-42",
};

describe("the list's filters in the address bar", () => {
  it("round-trips every filter and the cursor", () => {
    const search = listSearch(every, { cursor: "c2" });
    expect(readListLocation(search)).toEqual({ filters: every, cursor: "c2" });
  });

  it("keeps the moment a list without a last day counts back from", () => {
    const search = listSearch({ agent: "a1" }, { cursor: "c2", asOf: "2024-05-12T08:30:00Z" });
    expect(search).toBe("?agent=a1&cursor=c2&asof=2024-05-12T08%3A30%3A00Z");
    expect(readListLocation(search)).toEqual({ filters: { agent: "a1" }, cursor: "c2", asOf: "2024-05-12T08:30:00Z" });
    expect(listSearch({ to: "2024-05-31" }, { asOf: "2024-05-12T08:30:00Z" })).toBe("?to=2024-05-31");
    expect(readListLocation("?asof=soon")).toEqual({ filters: {} });
  });

  it("writes a link someone else can open", () => {
    expect(listSearch({ agent: "a1", flagged: true })).toBe("?agent=a1&flagged=true");
    expect(listSearch({})).toBe("");
    expect(listSearch({ call_id: "call 7/x" })).toBe("?call_id=call+7%2Fx");
  });

  it("writes the same link whatever order the filters were set in", () => {
    expect(listSearch({ flagged: true, agent: "a1" })).toBe(listSearch({ agent: "a1", flagged: true }));
  });

  it("drops values the list does not know", () => {
    const { filters } = readListLocation(
      "?flag=NOT_A_FLAG&risk=x&review=maybe&judge=gpt&flagged=yes&score_min=-1&score_max=101&from=2024-13-01&to=soon&status=done",
    );
    expect(filters).toEqual({});
  });

  it("keeps score 0 and trims typed text", () => {
    expect(readListLocation("?score_min=0&agent=%20a1%20&call_id=").filters).toEqual({ score_min: 0, agent: "a1" });
  });

  it("reads the review queue's link", () => {
    const { filters } = readListLocation("?needs_review=true&review=unreviewed");
    expect(isReviewQueue(filters)).toBe(true);
    expect(isReviewQueue({ ...REVIEW_QUEUE, agent: "a1" })).toBe(false);
    expect(isReviewQueue({})).toBe(false);
  });
});

describe("callQuery", () => {
  const NOW = "2024-06-01T10:00:00Z";

  it("asks the API for instants in the viewer's zone, the last day included", () => {
    const query = callQuery({ filters: { from: "2024-05-01", to: "2024-05-01", agent: "a1" } }, "Asia/Kolkata", NOW);
    expect(query).toEqual({
      from: "2024-04-30T18:30:00.000Z",
      to: "2024-05-01T18:30:00.000Z",
      agent: "a1",
      limit: 25,
    });
  });

  it("asks every page of a list without a last day up to the same moment", () => {
    expect(callQuery({ filters: {} }, "UTC", NOW)).toEqual({ to: NOW, limit: 25 });
    const later = { filters: {}, cursor: "abc", asOf: "2024-05-12T08:30:00Z" };
    expect(callQuery(later, "UTC", "2024-05-12T09:00:00Z")).toEqual({ to: "2024-05-12T08:30:00Z", limit: 25, cursor: "abc" });
  });
});

describe("filterProblem", () => {
  it("refuses a range that ends before it starts", () => {
    expect(filterProblem({ from: "2024-05-02", to: "2024-05-01" })).toMatch(/first day is after the last/);
    expect(filterProblem({ from: "2024-05-01", to: "2024-05-01" })).toBeNull();
  });

  it("refuses scores that cannot be", () => {
    expect(filterProblem({ score_min: 90, score_max: 10 })).toMatch(/lowest score is above/);
    expect(filterProblem({ score_max: 150 })).toMatch(/0 to 100/);
    expect(filterProblem({ score_min: 2.5 })).toMatch(/whole numbers/);
    expect(filterProblem({ score_min: 10, score_max: 10 })).toBeNull();
  });
});

it("reads the agents' date range", () => {
  expect(readRange("?from=2024-05-01&to=nope")).toEqual({ from: "2024-05-01" });
});
