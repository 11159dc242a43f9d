import { describe, expect, it } from "vitest";
import { cognitoLogoutUrl, DashboardConfigError, loadDashboardConfig, NO_LOGIN, oidcSettings, parseDashboardConfig } from "./config";

const auth = {
  authority: "https://cognito-idp.ap-south-1.amazonaws.com/ap-south-1_AbC123",
  clientId: "4q2example",
  domain: "https://bs-qa.auth.ap-south-1.amazoncognito.com",
  scope: "openid email profile",
};

const answering = (status: number, body: string): typeof fetch => (async () => new Response(body, { status })) as typeof fetch;

describe("the dashboard's config", () => {
  it("needs no sign-in without a dashboard key, or with auth null", () => {
    expect(parseDashboardConfig({ connectApiUrl: "https://x/api/connect" })).toEqual(NO_LOGIN);
    expect(parseDashboardConfig({ dashboard: { apiBase: "", auth: null } })).toEqual(NO_LOGIN);
    expect(parseDashboardConfig({ dashboard: {} })).toEqual(NO_LOGIN);
  });

  it("reads Cognito's settings and the API base", () => {
    expect(parseDashboardConfig({ dashboard: { apiBase: "https://api.example.com/", auth } })).toEqual({
      apiBase: "https://api.example.com",
      auth,
    });
  });

  it("asks for openid email profile unless told otherwise", () => {
    const { scope: _, ...noScope } = auth;
    expect(parseDashboardConfig({ dashboard: { auth: noScope } }).auth?.scope).toBe("openid email profile");
  });

  it.each([
    [{ dashboard: "yes" }, /"dashboard" must be an object/],
    [{ dashboard: { apiBase: 3 } }, /apiBase/],
    [{ dashboard: { auth: "cognito" } }, /"dashboard.auth" must be an object/],
    [{ dashboard: { auth: { ...auth, clientId: "" } } }, /clientId/],
    [{ dashboard: { auth: { ...auth, authority: "cognito" } } }, /authority.*not a URL/],
    [{ dashboard: { auth: { ...auth, domain: "http://bs-qa.auth.example.com" } } }, /domain.*https/],
    [{ dashboard: { auth: { ...auth, scope: "email" } } }, /openid/],
    [[], /not a JSON object/],
  ])("refuses %j", (raw, message) => {
    expect(() => parseDashboardConfig(raw)).toThrow(message);
  });

  it("treats a missing config.json as no sign-in", async () => {
    expect(await loadDashboardConfig(answering(404, "not found"))).toEqual(NO_LOGIN);
  });

  it("reports an unreadable config.json", async () => {
    await expect(loadDashboardConfig(answering(200, "{oops"))).rejects.toThrow(DashboardConfigError);
    await expect(loadDashboardConfig(answering(500, ""))).rejects.toThrow(/500/);
  });
});

describe("signing in with Cognito", () => {
  it("uses the code flow back to /dashboard/callback", () => {
    expect(oidcSettings(auth, "https://qa.example.com")).toMatchObject({
      authority: auth.authority,
      client_id: auth.clientId,
      redirect_uri: "https://qa.example.com/dashboard/callback",
      post_logout_redirect_uri: "https://qa.example.com/dashboard",
      response_type: "code",
      scope: "openid email profile",
    });
  });

  it("signs out through the hosted UI's logout", () => {
    const url = new URL(cognitoLogoutUrl(auth, "https://qa.example.com"));
    expect(url.origin + url.pathname).toBe("https://bs-qa.auth.ap-south-1.amazoncognito.com/logout");
    expect(url.searchParams.get("client_id")).toBe("4q2example");
    expect(url.searchParams.get("logout_uri")).toBe("https://qa.example.com/dashboard");
  });
});
