// Downloads the labelled-cases export (GET /api/labels, a page at a time): reviewed calls as
// JSON cases, to measure and tune the judges with.

import { useState } from "react";
import { type ApiError, allLabels, type RangeQuery } from "./api";
import { useDashboard } from "./context";
import { asApiError } from "./load";
import { problemText } from "./states";

export function LabelsDownload({ range }: { range: RangeQuery }) {
  const { api } = useDashboard();
  const [state, setState] = useState<
    "idle" | { busy: number } | { error: ApiError } | { saved: number }
  >("idle");
  const busy = typeof state === "object" && "busy" in state;

  const download = async () => {
    setState({ busy: 0 });
    try {
      const cases = await allLabels(api, range, (count) => setState({ busy: count }));
      const blob = new Blob([JSON.stringify({ cases }, null, 2)], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `labelled-cases-${new Date().toISOString().slice(0, 10)}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ saved: cases.length });
    } catch (error) {
      setState({ error: asApiError(error) });
    }
  };

  return (
    <div className="labels-download">
      <button type="button" className="small" onClick={download} disabled={busy}>
        Download labelled cases (JSON)
      </button>
      <span role="status" className="detail">
        {typeof state === "object" &&
          "busy" in state &&
          (state.busy ? `Preparing the export… ${state.busy} reviewed calls so far` : "Preparing the export…")}
        {typeof state === "object" && "saved" in state && `${state.saved} reviewed calls exported.`}
      </span>
      {typeof state === "object" && "error" in state && (
        <p role="alert" className="field-problem">
          The export failed: {problemText(state.error)}
        </p>
      )}
    </div>
  );
}
