"""The supervisors' sign-in: a Cognito user pool that only administrators add people to, its
`supervisors` group, Cognito's sign-in pages on a domain of their own, and the page's app client
(authorization code with PKCE, no secret: the page is a public client).

- **MFA is required**, with an authenticator app (TOTP): the dashboard plays customers'
  recordings and changes the calls' verdicts, and a supervisor's password alone should not
  open it. SMS is not offered (an SMS role, per-message cost and India's sender registration
  for a handful of users); Cognito's sign-in pages set the app up at the first sign-in.
- **Threat protection** (the Plus feature plan, billed per monthly active user: little for a
  handful of supervisors) is enforced: Cognito acts on sign-ins it rates risky and on
  passwords known to have leaked.
- Tokens: access and ID tokens last 15 minutes, the refresh token 12 hours (a working day),
  and the page can revoke a refresh token at sign-out. The scopes are openid, email and profile
  only, so the page's access token cannot change the user's attributes (that needs
  `aws.cognito.signin.user.admin`).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from contracts.dashboard import SUPERVISORS_GROUP

DASHBOARD_PATH = "/dashboard"  # the page's dashboard route (the sign-out lands here)
CALLBACK_PATH = f"{DASHBOARD_PATH}/callback"  # where Cognito sends the authorization code
SCOPES = (cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE)
TOKEN_MINUTES = 15
REFRESH_HOURS = 12


def sign_in_origin(domain_prefix: str, region: str) -> str:
    """Cognito's sign-in pages, token and revocation endpoints (the user pool domain)."""
    return f"https://{domain_prefix}.auth.{region}.amazoncognito.com"


def issuer_origin(region: str) -> str:
    """Where the pool's OpenID discovery document and signing keys are served."""
    return f"https://cognito-idp.{region}.amazonaws.com"


class DashboardAuth(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, domain_prefix: str, page_url: str
    ) -> None:
        """`page_url` is the page's origin (`https://<distribution domain>`)."""
        super().__init__(scope, construct_id)
        region = Stack.of(self).region
        self.pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name="battery-smart-supervisors",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
                password_history_size=5,
            ),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            user_invitation=cognito.UserInvitationConfig(
                email_subject="Your Battery Smart supervisor dashboard account",
                email_body=(
                    f"Sign in to the Battery Smart supervisor dashboard at {page_url}"
                    f"{DASHBOARD_PATH} with your e-mail address {{username}} and the temporary "
                    "password {####} within 3 days. You will choose your own password and set "
                    "up an authenticator app."
                ),
            ),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,  # the supervisors and their MFA devices
        )
        cognito.UserPoolGroup(
            self,
            "Supervisors",
            user_pool=self.pool,
            group_name=SUPERVISORS_GROUP,
            description="May review calls: agree with or override the judge's findings",
        )
        self.domain = self.pool.add_domain(
            "Domain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )
        self.client = self._page_client(page_url)
        # Managed login shows its pages only to app clients with a style: Cognito's own.
        cognito.CfnManagedLoginBranding(
            self,
            "Branding",
            user_pool_id=self.pool.user_pool_id,
            client_id=self.client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        self.issuer = f"{issuer_origin(region)}/{self.pool.user_pool_id}"
        self.scopes = " ".join(s.scope_name for s in SCOPES)

    def _page_client(self, page_url: str) -> cognito.UserPoolClient:
        return self.pool.add_client(
            "Page",
            user_pool_client_name="dashboard-page",
            generate_secret=False,  # a browser cannot keep a secret: PKCE instead
            # SRP for Cognito's own sign-in pages (the password never leaves the browser in the
            # clear), refresh for the page; no custom or plain-password flows.
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=list(SCOPES),
                callback_urls=[f"{page_url}{CALLBACK_PATH}"],
                logout_urls=[f"{page_url}{DASHBOARD_PATH}"],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            access_token_validity=Duration.minutes(TOKEN_MINUTES),
            id_token_validity=Duration.minutes(TOKEN_MINUTES),
            refresh_token_validity=Duration.hours(REFRESH_HOURS),
            auth_session_validity=Duration.minutes(10),  # time to set up the authenticator app
            enable_token_revocation=True,
            prevent_user_existence_errors=True,
        )
