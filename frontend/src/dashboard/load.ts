// Loading one thing from the API for a view: loading, ready or failed, with a retry; a newer
// request (another key) or leaving the view aborts the older one.

import { useCallback, useEffect, useState } from "react";
import { ApiError } from "./api";

export type Loaded<T> =
  | { kind: "loading" }
  | { kind: "ready"; data: T; refreshing?: boolean } // refreshing: asked again, still showing this
  | { kind: "error"; error: ApiError };

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, "unexpected", error instanceof Error ? error.message : "Something went wrong");
}

/** Loads `load()` whenever `key` changes; `reload` asks again (keeping what is shown until then when `quiet`). */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
): [Loaded<T>, (quiet?: boolean) => void] {
  const [state, setState] = useState<Loaded<T>>({ kind: "loading" });
  const [round, setRound] = useState({ n: 0, quiet: false });

  useEffect(() => {
    const controller = new AbortController();
    if (round.quiet) setState((s) => (s.kind === "ready" ? { ...s, refreshing: true } : s));
    else setState({ kind: "loading" });
    load(controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setState({ kind: "ready", data });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState({ kind: "error", error: asApiError(error) });
      });
    return () => controller.abort();
    // `load` is a new function every render; `key` says when it asks something else.
  }, [key, round]);

  const reload = useCallback((quiet = false) => setRound((r) => ({ n: r.n + 1, quiet })), []);
  return [state, reload];
}
