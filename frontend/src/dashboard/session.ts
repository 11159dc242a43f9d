// Signing in through Cognito's hosted UI with oidc-client-ts (authorization code with PKCE).
// Tokens stay in this tab's sessionStorage, oidc-client-ts's default.

import { UserManager } from "oidc-client-ts";
import { type AuthConfig, cognitoLogoutUrl, oidcSettings } from "./config";

const STARTED_KEY = "dashboard.signInStartedAt";
// A 401 this soon after a sign-in started is not fixed by signing in again.
const RETRY_AFTER_MS = 60_000;

interface SignInState {
  returnTo: string;
}

export interface Session {
  /** The ID token to send (it names the person and their groups, which the API signs reviews with),
   * refreshed when it has run out and a refresh token allows; null: signed out. */
  token(): Promise<string | null>;
  /** Who is signed in (the ID token's email or username), or null. */
  userName(): Promise<string | null>;
  /** Leaves for the hosted UI; back at `returnTo` once signed in. False: a sign-in just failed. */
  signIn(returnTo: string, force?: boolean): Promise<boolean>;
  /** Finishes the sign-in on the callback page and says where to go back to. */
  completeSignIn(): Promise<string>;
  signOut(): Promise<void>;
}

export function createSession(auth: AuthConfig, origin = window.location.origin): Session {
  const manager = new UserManager(oidcSettings(auth, origin));

  async function liveUser() {
    let user = await manager.getUser();
    if (user?.expired && user.refresh_token) {
      user = await manager.signinSilent().catch(() => null);
    }
    return user && !user.expired ? user : null;
  }

  return {
    async token() {
      return (await liveUser())?.id_token ?? null;
    },
    async userName() {
      const profile = (await liveUser())?.profile;
      if (!profile) return null;
      const name = profile.email ?? profile["cognito:username"] ?? profile.sub;
      return typeof name === "string" ? name : null;
    },
    async signIn(returnTo, force = false) {
      const started = Number(sessionStorage.getItem(STARTED_KEY) ?? 0);
      if (!force && Date.now() - started < RETRY_AFTER_MS) return false;
      sessionStorage.setItem(STARTED_KEY, String(Date.now()));
      const state: SignInState = { returnTo };
      await manager.signinRedirect({ state });
      return true;
    },
    async completeSignIn() {
      const user = await manager.signinRedirectCallback();
      const returnTo = (user.state as SignInState | undefined)?.returnTo;
      return returnTo?.startsWith("/dashboard") ? returnTo : "/dashboard";
    },
    async signOut() {
      sessionStorage.removeItem(STARTED_KEY);
      // Revoke the refresh token at Cognito, so a copy of it cannot sign in again.
      await manager.revokeTokens(["refresh_token"]).catch(() => undefined);
      await manager.removeUser();
      window.location.assign(cognitoLogoutUrl(auth, origin));
    },
  };
}
