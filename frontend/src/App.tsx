import { lazy, Suspense } from "react";
import { CallPage } from "./CallPage";
import { useRuntimeConfig } from "./config";
import { isDashboardPath } from "./dashboard/paths";
import { ERRORS } from "./messages";
import { SupervisorPage } from "./SupervisorPage";

// The supervisor dashboard loads only on /dashboard, so the call page stays small.
const Dashboard = lazy(() => import("./dashboard/Dashboard"));


function ConfigProblem({ detail }: { detail: string }) {
  return (
    <section className="call" data-state="error" aria-labelledby="config-heading">
      <h2 id="config-heading">Talk to Battery Smart support</h2>
      <div className="error" role="alert" data-error="config">
        <h3>{ERRORS.config.title}</h3>
        <p>{ERRORS.config.body}</p>
        <p className="detail">{detail}</p>
      </div>
      <div className="controls">
        <button className="primary" type="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </div>
    </section>
  );
}

export function App() {
  if (isDashboardPath(window.location.pathname)) {
    return (
      <Suspense fallback={<p role="status">Loading…</p>}>
        <Dashboard />
      </Suspense>
    );
  }
  return <SupportApp />;
}

function SupportApp() {
  const path = window.location.pathname;
  const loaded = useRuntimeConfig(!path.startsWith("/join"));

  return (
    <>
      <header className="brand">
        <span className="logo" aria-hidden="true">
          ⚡
        </span>
        <h1>Battery Smart Support</h1>
      </header>
      <main>
        {path.startsWith("/join") ? (
          <SupervisorPage />
        ) : loaded.kind === "ready" ? (
          <CallPage config={loaded.config} />
        ) : loaded.kind === "bad" ? (
          <ConfigProblem detail={loaded.detail} />
        ) : (
          <p role="status">Loading…</p>
        )}
      </main>
    </>
  );
}
