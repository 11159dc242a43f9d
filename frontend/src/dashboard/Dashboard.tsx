// The supervisor dashboard at /dashboard: reads config.json, signs in when the deployment asks
// for it (Cognito's hosted UI), asks the API who is signed in, then shows the view the address
// names.

import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, createApi, type DashboardApi, type Me } from "./api";
import { AgentsView } from "./AgentsView";
import { AgentView } from "./AgentView";
import { CallsView } from "./CallsView";
import { CallView } from "./CallView";
import { type DashboardConfig, DashboardConfigError, loadDashboardConfig } from "./config";
import { DashboardContext } from "./context";
import { isReviewQueue, readListLocation, REVIEW_QUEUE } from "./filters";
import { useLoad } from "./load";
import { agentsHref, callsHref, matchRoute, type Route } from "./routes";
import { Link, navigate, type Place, usePlace } from "./router";
import { createSession, type Session } from "./session";
import { ErrorNotice, Loading } from "./states";

type Setup =
  | { kind: "loading" }
  | { kind: "bad-config"; detail: string }
  | { kind: "signed-out"; session: Session }
  | { kind: "sign-in-failed"; session: Session; detail: string }
  | { kind: "ready"; config: DashboardConfig; session: Session | null };

const here = () => `${window.location.pathname}${window.location.search}`;

async function setUp(): Promise<Setup> {
  let config: DashboardConfig;
  try {
    config = await loadDashboardConfig();
  } catch (error) {
    return { kind: "bad-config", detail: error instanceof DashboardConfigError ? error.message : String(error) };
  }
  if (!config.auth) return { kind: "ready", config, session: null };
  const session = createSession(config.auth);
  if (matchRoute(window.location.pathname).view === "callback") {
    try {
      navigate(await session.completeSignIn(), { replace: true });
    } catch (error) {
      navigate("/dashboard", { replace: true });
      return { kind: "sign-in-failed", session, detail: error instanceof Error ? error.message : String(error) };
    }
  }
  if (!(await session.token())) return { kind: "signed-out", session };
  return { kind: "ready", config, session };
}

// Set up once per page load: the sign-in callback's code can be redeemed only once, and
// development mode runs effects twice.
let settingUp: Promise<Setup> | null = null;

function SignIn({ session, detail }: { session: Session; detail?: string }) {
  return (
    <section className="dash-view sign-in" aria-labelledby="view-heading">
      <h2 id="view-heading">Sign in</h2>
      {detail ? (
        <div className="error" role="alert">
          <h3>The sign-in did not finish</h3>
          <p className="detail">{detail}</p>
        </div>
      ) : (
        <p>The supervisor dashboard shows every scored support call. Sign in with your Battery Smart account.</p>
      )}
      <button type="button" className="primary" onClick={() => void session.signIn(here(), true)}>
        Sign in
      </button>
    </section>
  );
}

function Nav({ place }: { place: Place }) {
  const route = matchRoute(place.pathname);
  const filters = readListLocation(place.search).filters;
  const queue = route.view === "calls" && isReviewQueue(filters);
  const current = (on: boolean) => (on ? ("page" as const) : undefined);
  return (
    <nav className="dash-nav" aria-label="Dashboard">
      <Link to={callsHref()} aria-current={current((route.view === "calls" || route.view === "call") && !queue)}>
        Calls
      </Link>
      <Link to={callsHref(REVIEW_QUEUE)} aria-current={current(queue)}>
        Review queue
      </Link>
      <Link to={agentsHref()} aria-current={current(route.view === "agents" || route.view === "agent")}>
        Agents
      </Link>
    </nav>
  );
}

function View({ route, place }: { route: Route; place: Place }) {
  switch (route.view) {
    case "calls":
      return <CallsView place={place} />;
    case "call":
      return <CallView key={route.callId} callId={route.callId} place={place} />;
    case "agents":
      return <AgentsView place={place} />;
    case "agent":
      return <AgentView key={route.agentId} agentId={route.agentId} place={place} />;
    case "callback":
      return <Loading what="your sign-in" />;
    default:
      return (
        <section className="dash-view" aria-labelledby="view-heading">
          <h2 id="view-heading">Page not found</h2>
          <p>
            There is no dashboard page here. <Link to={callsHref()}>Go to the calls</Link>
          </p>
        </section>
      );
  }
}

/** Moves focus to the new view's heading when the view changes (not on the first load). */
function useFocusOnViewChange(pathname: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo({ top: 0 });
    document.getElementById("view-heading")?.focus({ preventScroll: true });
  }, [pathname]);
}

function SignedIn({ api, session, userName }: { api: DashboardApi; session: Session | null; userName: string | null }) {
  const place = usePlace();
  const [me, reload] = useLoad((signal) => api.me(signal), "me");
  useFocusOnViewChange(place.pathname);
  const context = useMemo(() => (me.kind === "ready" ? { api, me: me.data as Me } : null), [api, me]);
  return (
    <>
      <header className="brand dash-brand">
        <span className="logo" aria-hidden="true">
          ⚡
        </span>
        <h1>Battery Smart Auto-QA</h1>
        <Nav place={place} />
        <div className="who">
          {me.kind === "ready" && (
            <span className="user">
              {userName ?? me.data.user}
              {!me.data.supervisor && " (read only)"}
            </span>
          )}
          {session && (
            <button type="button" className="small on-dark" onClick={() => void session.signOut()}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main className="dashboard">
        {me.kind === "loading" && <Loading what="the dashboard" />}
        {me.kind === "error" && <ErrorNotice title="The dashboard could not start" error={me.error} onRetry={() => reload()} />}
        {context && (
          <DashboardContext.Provider value={context}>
            <View route={matchRoute(place.pathname)} place={place} />
          </DashboardContext.Provider>
        )}
      </main>
    </>
  );
}

function Plain({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="brand dash-brand">
        <span className="logo" aria-hidden="true">
          ⚡
        </span>
        <h1>Battery Smart Auto-QA</h1>
      </header>
      <main className="dashboard">{children}</main>
    </>
  );
}

export default function Dashboard() {
  const [setup, setSetup] = useState<Setup>({ kind: "loading" });
  const [userName, setUserName] = useState<string | null>(null);

  useEffect(() => {
    document.title = "Battery Smart Auto-QA dashboard";
    let live = true;
    settingUp ??= setUp();
    settingUp.then((next) => {
      if (!live) return;
      setSetup(next);
      if (next.kind === "ready" && next.session) void next.session.userName().then(setUserName);
    });
    return () => {
      live = false;
    };
  }, []);

  const api = useMemo(() => {
    if (setup.kind !== "ready") return null;
    const session = setup.session;
    return createApi({
      base: setup.config.apiBase,
      token: session ? () => session.token() : undefined,
      onUnauthorized: session
        ? () => {
            // A 401: the sign-in ran out or was revoked. Start it again, unless one just failed.
            void session.signIn(here()).then((started) => {
              if (!started) {
                setSetup({
                  kind: "sign-in-failed",
                  session,
                  detail: "The dashboard API refused the sign-in (401). Sign in again, or ask for access.",
                });
              }
            });
          }
        : undefined,
    });
  }, [setup]);

  if (setup.kind === "loading") {
    return (
      <Plain>
        <Loading what="the dashboard" />
      </Plain>
    );
  }
  if (setup.kind === "bad-config") {
    return (
      <Plain>
        <ErrorNotice
          title="The dashboard is not set up correctly"
          error={new ApiError(0, "config", setup.detail)}
          onRetry={() => window.location.reload()}
        />
      </Plain>
    );
  }
  if (setup.kind === "signed-out") {
    return (
      <Plain>
        <SignIn session={setup.session} />
      </Plain>
    );
  }
  if (setup.kind === "sign-in-failed") {
    return (
      <Plain>
        <SignIn session={setup.session} detail={setup.detail} />
      </Plain>
    );
  }
  return <SignedIn api={api as DashboardApi} session={setup.session} userName={userName} />;
}
