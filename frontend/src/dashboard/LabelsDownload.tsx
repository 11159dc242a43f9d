// Downloads the labelled-cases export (GET /api/labels): reviewed calls as JSON cases, to
// measure and tune the judges with.

import { useState } from "react";
import type { ApiError, RangeQuery } from "./api";
import { useDashboard } from "./context";
import { asApiError } from "./load";
import { problemText } from "./states";

export function LabelsDownload({ range }: { range: RangeQuery }) {
  const { api } = useDashboard();
  const [state, setState] = useState<"idle" | "busy" | { error: ApiError } | { saved: number }>("idle");

  const download = async () => {
    setState("busy");
    try {
      const labels = await api.labels(range);
      const blob = new Blob([JSON.stringify(labels, null, 2)], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `labelled-cases-${new Date().toISOString().slice(0, 10)}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ saved: labels.cases.length });
    } catch (error) {
      setState({ error: asApiError(error) });
    }
  };

  return (
    <div className="labels-download">
      <button type="button" className="small" onClick={download} disabled={state === "busy"}>
        Download labelled cases (JSON)
      </button>
      <span role="status" className="detail">
        {state === "busy" && "Preparing the export…"}
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
