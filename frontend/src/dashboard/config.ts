// The dashboard's part of /config.json: where its API is and, on AWS, how to sign in.
//   "dashboard": {"apiBase": "", "auth": {"authority", "clientId", "domain", "scope"}}
// No config.json, no "dashboard" key, or "auth": null: the API is on this origin and needs no
// sign-in (the dashboard `autoqa serve` serves on a laptop).

export interface AuthConfig {
  authority: string; // https://cognito-idp.<region>.amazonaws.com/<poolId>
  clientId: string;
  domain: string; // https://<prefix>.auth.<region>.amazoncognito.com, the hosted UI
  scope: string;
}

export interface DashboardConfig {
  apiBase: string;
  auth: AuthConfig | null;
}

export class DashboardConfigError extends Error {}

export const NO_LOGIN: DashboardConfig = { apiBase: "", auth: null };

function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

function secureUrl(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new DashboardConfigError(`config.json: "dashboard.auth.${key}" is missing`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new DashboardConfigError(`config.json: "dashboard.auth.${key}" is not a URL: ${value}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url))) {
    throw new DashboardConfigError(`config.json: "dashboard.auth.${key}" must start with https://`);
  }
  return value.trim().replace(/\/+$/, "");
}

function parseAuth(raw: unknown): AuthConfig | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new DashboardConfigError('config.json: "dashboard.auth" must be an object or null');
  }
  const record = raw as Record<string, unknown>;
  const clientId = record.clientId;
  if (typeof clientId !== "string" || clientId.trim() === "") {
    throw new DashboardConfigError('config.json: "dashboard.auth.clientId" is missing');
  }
  const scope = record.scope ?? "openid email profile";
  if (typeof scope !== "string" || !scope.split(/\s+/).includes("openid")) {
    throw new DashboardConfigError('config.json: "dashboard.auth.scope" must include "openid"');
  }
  return {
    authority: secureUrl(record, "authority"),
    clientId: clientId.trim(),
    domain: secureUrl(record, "domain"),
    scope: scope.trim(),
  };
}

/** The dashboard's settings from config.json's parsed body (null: there was no config.json). */
export function parseDashboardConfig(raw: unknown): DashboardConfig {
  if (raw === null || raw === undefined) return NO_LOGIN;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new DashboardConfigError("config.json is not a JSON object");
  }
  const dashboard = (raw as Record<string, unknown>).dashboard;
  if (dashboard === undefined || dashboard === null) return NO_LOGIN;
  if (typeof dashboard !== "object" || Array.isArray(dashboard)) {
    throw new DashboardConfigError('config.json: "dashboard" must be an object');
  }
  const record = dashboard as Record<string, unknown>;
  const apiBase = record.apiBase ?? "";
  if (typeof apiBase !== "string") {
    throw new DashboardConfigError('config.json: "dashboard.apiBase" must be a string');
  }
  return { apiBase: apiBase.trim().replace(/\/+$/, ""), auth: parseAuth(record.auth) };
}

/** Reads /config.json; a missing file (404) means no sign-in and the API on this origin. */
export async function loadDashboardConfig(
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
  path = "/config.json",
): Promise<DashboardConfig> {
  let response: Response;
  try {
    response = await fetchFn(path, { cache: "no-store" });
  } catch {
    throw new DashboardConfigError("config.json could not be loaded: the server did not answer");
  }
  if (response.status === 404) return NO_LOGIN;
  if (!response.ok) throw new DashboardConfigError(`config.json could not be loaded (${response.status})`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new DashboardConfigError("config.json is not valid JSON");
  }
  return parseDashboardConfig(raw);
}

export const CALLBACK_PATH = "/dashboard/callback";
export const HOME_PATH = "/dashboard";

/** oidc-client-ts's settings: authorization code with PKCE, back to /dashboard/callback. */
export function oidcSettings(auth: AuthConfig, origin: string) {
  return {
    authority: auth.authority,
    client_id: auth.clientId,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}${HOME_PATH}`,
    response_type: "code",
    scope: auth.scope,
    loadUserInfo: false,
    automaticSilentRenew: false,
    // Cognito revokes refresh tokens here; its discovery document does not name it.
    metadataSeed: { revocation_endpoint: new URL("/oauth2/revoke", auth.domain).toString() },
  };
}

/** Cognito's hosted-UI logout (it has no standard end_session endpoint). */
export function cognitoLogoutUrl(auth: AuthConfig, origin: string): string {
  const url = new URL("/logout", auth.domain);
  url.searchParams.set("client_id", auth.clientId);
  url.searchParams.set("logout_uri", `${origin}${HOME_PATH}`);
  return url.toString();
}
