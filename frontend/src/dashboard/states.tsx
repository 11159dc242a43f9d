// What every view shows while it loads, when it failed, and when there is nothing to show.

import type { ReactNode } from "react";
import type { ApiError } from "./api";

export function Loading({ what }: { what: string }) {
  return (
    <p className="dash-loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** What a failed request means to the reader. */
export function problemText(error: ApiError): string {
  if (error.status === 0 && error.code === "network") {
    return `${error.message}. Check the connection, or whether the server is running, and try again.`;
  }
  if (error.status === 401) return "Your sign-in has run out. Signing in again…";
  if (error.status === 403) return "You are not allowed to see this.";
  if (error.status >= 500) return `The dashboard API failed (${error.status}). Try again in a moment.`;
  return error.message;
}

export function ErrorNotice({
  title,
  error,
  onRetry,
  children,
}: {
  title: string;
  error: ApiError;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  const detail = problemText(error);
  return (
    <div className="error dash-error" role="alert" data-error={error.code}>
      <h3>{title}</h3>
      <p>{detail}</p>
      {!detail.includes(error.message) && <p className="detail">{error.message}</p>}
      {children}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="dash-empty">{children}</div>;
}
