"""Explanations of provider errors: AADSTS codes, OAuth error strings, SMTP/IMAP replies.

Used by ``mailoauth-cfg explain`` and by the probe to map a server reply to rule IDs.
:func:`explain_code` accepts a bare code or a whole error line and normalises it.

AADSTS meanings follow Microsoft's error-code reference (:data:`sources.MS_ERROR_CODES`);
causes and fixes are written for the OAuth mail setups this tool manages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from mailoauth_cfg.catalog import sources as src

__all__ = [
    "ERROR_EXPLANATIONS",
    "RULE_IDS",
    "ErrorExplanation",
    "ErrorFamily",
    "explain_code",
    "normalise_code",
]

ErrorFamily = Literal["aadsts", "oauth", "smtp", "imap"]


@dataclass(frozen=True, slots=True)
class ErrorExplanation:
    """What an error means for an OAuth mail setup and how to fix it."""

    code: str
    """Canonical form: ``AADSTS700016``, ``invalid_grant``, ``535 5.7.139``,
    ``AUTHENTICATE failed``."""
    family: ErrorFamily
    provider: Literal["microsoft", "google"] | None
    title: str
    cause: str
    fix: str
    rules: tuple[str, ...]
    """Related rule IDs (kebab-case)."""
    source: str


def _aad(
    number: int, title: str, cause: str, fix: str, rules: tuple[str, ...], source: str = ""
) -> ErrorExplanation:
    return ErrorExplanation(
        code=f"AADSTS{number}",
        family="aadsts",
        provider="microsoft",
        title=title,
        cause=cause,
        fix=fix,
        rules=rules,
        source=source or src.MS_ERROR_CODES,
    )


def _oauth(
    code: str,
    provider: Literal["microsoft", "google"] | None,
    title: str,
    cause: str,
    fix: str,
    rules: tuple[str, ...],
    source: str,
) -> ErrorExplanation:
    return ErrorExplanation(code, "oauth", provider, title, cause, fix, rules, source)


def _reply(
    code: str,
    provider: Literal["microsoft", "google"] | None,
    title: str,
    cause: str,
    fix: str,
    rules: tuple[str, ...],
    source: str,
    family: ErrorFamily = "smtp",
) -> ErrorExplanation:
    return ErrorExplanation(code, family, provider, title, cause, fix, rules, source)


_ENTRIES: tuple[ErrorExplanation, ...] = (
    # --- Microsoft Entra ID (AADSTS) ---------------------------------------------------------
    _aad(
        50011,
        "Redirect URI mismatch",
        "The redirect_uri sent by the target is not registered on the app registration, or "
        "differs in scheme, host, path, case or trailing slash, or is registered under another "
        "platform (Web vs Mobile and desktop).",
        "Entra admin center › App registrations › <app> › Authentication: add the exact URI "
        "the target sends (mailoauth-cfg computes it from the target URL) under the right "
        "platform; Entra is case-sensitive.",
        ("ms-redirect-uri-missing",),
        src.MS_REPLY_URL_RULES,
    ),
    _aad(
        500113,
        "No reply address registered",
        "The app registration has no redirect URI at all for an authorization-code flow.",
        "Add the target's redirect URI under App registrations › <app> › Authentication, or "
        "use the device-code flow (public client) where the target supports it.",
        ("ms-redirect-uri-missing",),
    ),
    _aad(
        50020,
        "User account from another identity provider",
        "The signed-in account does not exist in the tenant used by the endpoint: a personal "
        "Microsoft account or a user of another tenant signing in to a single-tenant app.",
        "Sign in with a work account of the app's tenant, or make the app multi-tenant and use "
        "the tenant ID of the mailbox's tenant in the target's endpoints.",
        ("user-provider-mismatch", "ms-account-type-mismatch"),
    ),
    _aad(
        50057,
        "User account is disabled",
        "The mailbox owner's Entra account is blocked from sign-in.",
        "Unblock the account in Entra (Users › <user> › Account enabled), or for a shared "
        "mailbox sign in as a delegate (email-oauth2-proxy) instead.",
        (),
    ),
    _aad(
        50076,
        "Multi-factor authentication required",
        "A Conditional Access policy or Security Defaults requires MFA, and the flow in use "
        "cannot prompt for it (password/ROPC grant, or a refresh after the policy changed).",
        "Run the interactive bootstrap again (authorization code or device code) so the user "
        "completes MFA; do not use the password (ROPC) grant for mail.",
        (),
    ),
    _aad(
        50105,
        "User not assigned to the application",
        "The enterprise application has 'Assignment required' = Yes and the signing-in user "
        "is not assigned.",
        "Enterprise applications › <app> › Users and groups: assign the mailbox owner, or set "
        "Properties › Assignment required = No.",
        (),
    ),
    _aad(
        50126,
        "Invalid username or password",
        "The password (ROPC) grant was used with a wrong password; this flow is also blocked by "
        "MFA and does not work for federated accounts.",
        "Switch the target to the authorization-code or device-code flow; do not use the "
        "password grant for mail.",
        (),
    ),
    _aad(
        50173,
        "Grant expired: fresh sign-in needed",
        "The refresh token was revoked, for example after a password change or an admin "
        "'Revoke sessions'.",
        "Run the target's token bootstrap again, signing in as the mailbox owner.",
        (),
    ),
    _aad(
        50194,
        "Single-tenant app used with /common",
        "The app registration accepts only accounts of its own tenant (AzureADMyOrg), but the "
        "target uses the common (or organizations) endpoint.",
        "Put the tenant ID in the target's endpoints (e.g. "
        "https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token) or make the app "
        "multi-tenant.",
        ("ms-tenant-keyword",),
    ),
    _aad(
        53003,
        "Blocked by Conditional Access",
        "A Conditional Access policy blocks this sign-in (location, device, client app or "
        "application).",
        "Check Entra › Sign-in logs for the failing policy and exclude the mail app or the "
        "mailbox owner, or run the bootstrap from a compliant device/location.",
        (),
    ),
    _aad(
        65001,
        "Consent not granted",
        "Neither the user nor an admin has consented to the requested scopes for this app "
        "(often because user consent is disabled in the tenant).",
        "Grant admin consent: App registrations › <app> › API permissions › Grant admin consent "
        "for <tenant>, or open the admin-consent URL mailoauth-cfg prints.",
        ("ms-admin-consent-missing",),
    ),
    _aad(
        65004,
        "User declined consent",
        "The user cancelled the consent screen, or user consent is not allowed for these scopes.",
        "Grant admin consent for the app, then run the bootstrap again.",
        ("ms-admin-consent-missing",),
    ),
    _aad(
        70008,
        "Authorization code or refresh token expired",
        "The authorization code was redeemed too late or twice, or the refresh token expired.",
        "Restart the bootstrap and complete it promptly; for a refresh token, re-bootstrap.",
        (),
    ),
    _aad(
        70011,
        "Invalid scope",
        "The scope parameter is malformed: a typo, '.default' combined with other scopes, or a "
        "client-credentials request without '/.default'.",
        "Delegated: use https://outlook.office.com/SMTP.Send (etc.) plus offline_access. "
        "Client credentials: use only https://outlook.office365.com/.default.",
        ("ms-unknown-permission", "ms-app-only-permissions"),
    ),
    _aad(
        70043,
        "Refresh token expired by sign-in frequency",
        "A Conditional Access sign-in frequency policy forces a new interactive sign-in.",
        "Exclude the mail app from the sign-in frequency policy, or plan periodic re-bootstrap.",
        (),
    ),
    _aad(
        90072,
        "Account not in tenant",
        "The account signing in is not a member or guest of the tenant the endpoint names "
        "(wrong tenant ID, or a personal account).",
        "Use the tenant ID of the mailbox's tenant in the target, or sign in with an account "
        "of that tenant.",
        ("user-provider-mismatch", "ms-account-type-mismatch"),
    ),
    _aad(
        90094,
        "Admin consent required",
        "The requested permissions (e.g. User.Read.All, any application permission) need admin "
        "consent.",
        "App registrations › <app> › API permissions › Grant admin consent for <tenant>.",
        ("ms-admin-consent-missing",),
    ),
    _aad(
        500011,
        "Resource principal not found",
        "The scope names a resource that does not exist in the tenant: a misspelled resource "
        "URL, the wrong cloud's host, or a tenant without Exchange Online.",
        "Use https://outlook.office365.com/.default (client credentials) or "
        "https://outlook.office.com/<Scope> (delegated) for the tenant's cloud.",
        ("ms-app-only-permissions",),
        src.MS_CLIENT_CREDENTIALS_ISSUE,
    ),
    _aad(
        700016,
        "Application not found in the directory",
        "The client ID is wrong, or the app is single-tenant in another tenant than the one in "
        "the endpoint, or it was deleted.",
        "Copy the Application (client) ID from App registrations › <app> › Overview and use "
        "the tenant ID shown there in the target's endpoints.",
        ("user-provider-mismatch",),
        src.MS_APP_NOT_FOUND_ISSUE,
    ),
    _aad(
        7000215,
        "Invalid client secret",
        "The secret sent is not a valid secret of the app, typically the 'Secret ID' copied "
        "instead of the 'Value', or a secret of another app.",
        "Create a new secret (Certificates & secrets › New client secret) and copy its Value "
        "column into the target.",
        (),
    ),
    _aad(
        7000218,
        "Client secret or assertion missing",
        "A confidential flow was used without a secret: the app is not a public client "
        "('Allow public client flows' = No) but the target sends no secret (device code, "
        "loopback).",
        "For device code or loopback clients set Authentication › Allow public client flows = "
        "Yes; otherwise configure the client secret in the target.",
        ("ms-public-client-flows-disabled", "ms-credential-missing"),
    ),
    _aad(
        7000222,
        "Client secret expired",
        "The client secret the target uses has passed its end date.",
        "Create a new secret, update the target (and the expiry in the YAML), then delete the "
        "old secret.",
        ("ms-secret-expiry",),
    ),
    _aad(
        700082,
        "Refresh token expired after 90 days of inactivity",
        "The refresh token was not used for 90 days (e.g. a rarely-used mailbox or a stopped "
        "service).",
        "Run the token bootstrap again; keep the token in use (scheduled refresh) to avoid it.",
        (),
        src.MS_REFRESH_INACTIVITY,
    ),
    _aad(
        28000,
        "Scopes for more than one resource",
        "One token request mixes Graph scopes (User.Read, Mail.*) with Outlook scopes "
        "(https://outlook.office.com/SMTP.Send…). Only OIDC scopes may be combined with them.",
        "Request only offline_access (plus openid/profile/email) and the Outlook scopes; remove "
        "User.Read/Mail.* from the target's scope list (Dolibarr: untick User.Read).",
        ("ms-graph-outlook-scope-mix",),
        src.DOLIBARR_MICROSOFT3,
    ),
    _aad(
        9002313,
        "Invalid or malformed request",
        "The authorization or token request is malformed: a truncated or already-used code, a "
        "bad PKCE verifier, or wrong parameters from the target.",
        "Restart the bootstrap; check the target's endpoints (v2.0 paths, tenant) and that the "
        "whole code is pasted.",
        (),
    ),
    # --- OAuth error strings (Google first; several are generic) -------------------------------
    _oauth(
        "invalid_grant",
        None,
        "Refresh token or authorization code rejected",
        "The refresh token expired or was revoked, or the authorization code expired, was "
        "already used or was issued to another client. Microsoft names the cause with an AADSTS "
        "code; Google with its error description.",
        "Run the token bootstrap again, signing in as the mailbox; then see the provider's "
        "own explanation (mailoauth-cfg explain the AADSTS code, or the Google message).",
        (),
        src.OAUTH_RFC6749,
    ),
    _oauth(
        "invalid_grant",
        "google",
        "Refresh token or authorization code rejected",
        "Google: the refresh token expired or was revoked: 7 days after issue when the consent "
        "screen is External + Testing, 6 months unused, more than 100 tokens per client and "
        "account, a password change, or the user removed access. Also an expired or reused "
        "authorization code.",
        "Publish the consent screen to Production (or use an Internal Workspace app), then run "
        "the token bootstrap again with access_type=offline and prompt=consent.",
        ("google-testing-refresh-token-expiry",),
        src.GOOGLE_OAUTH2_OVERVIEW,
    ),
    _oauth(
        "invalid_grant",
        "microsoft",
        "Refresh token or authorization code rejected",
        "Microsoft Entra ID: the refresh token expired (unused for 90 days: AADSTS700082) or was "
        "revoked (a password change or reset, a sign-out of all sessions, an administrator's "
        "revocation: AADSTS50173), the authorization code expired or was already redeemed "
        "(AADSTS70008), or the grant belongs to another client or tenant (AADSTS70000).",
        "Run the token bootstrap again, signing in as the mailbox (or its delegate); if it "
        "recurs, look the AADSTS code up (mailoauth-cfg explain AADSTS...) and check the "
        "Conditional Access sign-in frequency and revocations in the user's sign-in log.",
        (),
        src.MS_ERROR_CODES,
    ),
    _oauth(
        "redirect_uri_mismatch",
        "google",
        "Redirect URI not registered on the Google client",
        "The redirect_uri sent does not exactly match an authorized redirect URI of the Web "
        "client, or a Web-only URI is used with a Desktop client (or the reverse).",
        "Google Cloud console › APIs & Services › Credentials › <client> › Authorized redirect "
        "URIs: add the exact URI; use a Web client for server applications and a Desktop "
        "client for loopback tools.",
        ("google-redirect-uri-missing",),
        src.GOOGLE_WEB_SERVER_FLOW,
    ),
    _oauth(
        "access_denied",
        None,
        "Access denied",
        "The user declined consent, or the Workspace admin restricts third-party apps (API "
        "controls), or the consent screen is in Testing and the user is not a test user.",
        "Sign in as the mailbox owner and accept; in Workspace mark the client as Trusted in "
        "Admin console › Security › API controls; add test users or publish the app.",
        ("google-testing-refresh-token-expiry",),
        src.GOOGLE_WEB_SERVER_FLOW,
    ),
    _oauth(
        "unauthorized_client",
        None,
        "Client not authorized for this grant or scope",
        "Google service accounts: domain-wide delegation is not granted for this client ID and "
        "scope (or has not propagated, up to 24 h). Otherwise the client type does not allow "
        "the flow used.",
        "Admin console › Security › API controls › Domain-wide delegation: add the service "
        "account's client ID with https://mail.google.com/, and impersonate the mailbox user.",
        ("google-service-account-consumer",),
        src.GOOGLE_DWD_ISSUE,
    ),
    _oauth(
        "admin_policy_enforced",
        "google",
        "Blocked by Workspace admin policy",
        "The Workspace admin's API access controls block this OAuth client or the Gmail scope "
        "for the user.",
        "Admin console › Security › Access and data control › API controls › Manage "
        "third-party app access: set the client to Trusted (or allow the Gmail scope).",
        (),
        src.GOOGLE_WEB_SERVER_FLOW,
    ),
    _oauth(
        "org_internal",
        "google",
        "Internal app used by an outside account",
        "The consent screen's user type is Internal and the account signing in is not in the "
        "project's Workspace organisation.",
        "Sign in with an account of the organisation, or change the user type to External and "
        "publish it.",
        ("google-internal-audience-consumer",),
        src.GOOGLE_WEB_SERVER_FLOW,
    ),
    _oauth(
        "invalid_client",
        None,
        "Client authentication failed",
        "The client ID or secret is wrong, the client was deleted, or the client type does not "
        "match the flow. Microsoft returns it with AADSTS7000215/7000222.",
        "Copy the client ID and secret again from the provider console into the target; "
        "recreate the client if it was deleted.",
        ("google-client-id-format", "ms-secret-expiry"),
        src.GOOGLE_WEB_SERVER_FLOW,
    ),
    _oauth(
        "invalid_scope",
        None,
        "Scope not allowed",
        "The scope is malformed or not allowed for this flow; Google's device flow rejects "
        "https://mail.google.com/.",
        "Use the authorization-code flow with a loopback or web redirect for Gmail; check the "
        "scope spelling.",
        ("google-device-flow-gmail", "ms-unknown-permission"),
        src.GOOGLE_DEVICE_FLOW_SCOPES,
    ),
    _oauth(
        "invalid_request",
        "google",
        "Invalid request (OOB flow blocked)",
        "Typically the out-of-band redirect urn:ietf:wg:oauth:2.0:oob, which Google blocks, "
        "or a missing required parameter.",
        "Use a Desktop client with a loopback redirect (http://127.0.0.1:<port>) instead of "
        "the OOB redirect.",
        ("google-redirect-uri-invalid",),
        src.GOOGLE_OOB_MIGRATION,
    ),
    # --- SMTP replies ----------------------------------------------------------------------------
    _reply(
        "535 5.7.139",
        "microsoft",
        "SMTP AUTH disabled (or blocked by policy)",
        "Exchange Online refuses SMTP AUTH for the tenant or the mailbox "
        "('SmtpClientAuthentication is disabled for the Tenant/Mailbox'); this blocks XOAUTH2 "
        "too. Variants name Security Defaults or an authentication policy.",
        "Set-CASMailbox <upn> -SmtpClientAuthenticationDisabled $false (per mailbox; $null "
        "inherits the org value from Get-TransportConfig), and check Security Defaults and "
        "authentication policies.",
        ("user-smtp-auth-disabled", "user-smtp-auth-inherits-disabled"),
        src.MS_SET_CASMAILBOX,
    ),
    _reply(
        "535 5.7.3",
        "microsoft",
        "Authentication unsuccessful",
        "The XOAUTH2 token was rejected: a Graph token (scope without the "
        "https://outlook.office.com/ prefix, or mixed with Graph scopes), missing SMTP.Send, "
        "a user= that does not match the token owner, or for client credentials a missing "
        "SMTP.SendAsApp / Exchange service principal / SendAs permission.",
        "Request https://outlook.office.com/SMTP.Send + offline_access; make user= the mailbox "
        "UPN; for app-only run New-ServicePrincipal and Add-RecipientPermission -AccessRights "
        "SendAs.",
        (
            "ms-unknown-permission",
            "ms-graph-outlook-scope-mix",
            "ms-permission-missing",
            "user-primary-address-required",
            "ms-exchange-service-principal-missing",
        ),
        src.MS_OAUTH_MAIL_PROTOCOLS,
    ),
    _reply(
        "530 5.7.57",
        "microsoft",
        "Client not authenticated",
        "The client sent MAIL FROM without authenticating: the target is not set to XOAUTH2, "
        "STARTTLS was not negotiated (AUTH is offered only after it), or the token fetch "
        "failed silently.",
        "Set the target's SMTP auth type to XOAUTH2 on smtp.office365.com:587 with STARTTLS.",
        (),
        src.MS_OAUTH_MAIL_PROTOCOLS,
    ),
    _reply(
        "550 5.7.60",
        "microsoft",
        "No permission to send as this sender",
        "The From address differs from the authenticated mailbox and the mailbox has no SendAs "
        "right on it.",
        "Send as the token owner's address, or Add-RecipientPermission <sender> -Trustee "
        "<mailbox> -AccessRights SendAs.",
        ("user-sender-not-token-owner", "ms-mailbox-permission-missing"),
        src.MS_OAUTH_MAIL_PROTOCOLS,
    ),
    _reply(
        "554 5.2.252",
        "microsoft",
        "SendAsDenied",
        "The authenticated mailbox is not allowed to send as the From address.",
        "Use the token owner's primary address as sender, or grant SendAs with "
        "Add-RecipientPermission.",
        ("user-sender-not-token-owner", "ms-mailbox-permission-missing"),
        src.MS_OAUTH_MAIL_PROTOCOLS,
    ),
    _reply(
        "550 5.7.30",
        "microsoft",
        "Basic authentication not supported for client submission",
        "The client authenticated with a password (AUTH LOGIN/PLAIN); Exchange Online rejects "
        "Basic auth for SMTP AUTH.",
        "Configure the target for OAuth (XOAUTH2) with this tool's generated settings.",
        ("ms-smtp-basic-auth-retirement",),
        src.MS_SMTP_BASIC_AUTH_ERROR,
    ),
    _reply(
        "535 5.7.8",
        "google",
        "Username and password not accepted (Gmail)",
        "Gmail rejected the credentials: with XOAUTH2 the access token is invalid or expired, "
        "or user= is not the token owner; with a password, less secure apps are off.",
        "Use OAuth (https://mail.google.com/) with user= the Google account that consented, or "
        "an app password for password-only clients.",
        ("google-less-secure-apps-retired", "user-primary-address-required"),
        src.GOOGLE_XOAUTH2,
    ),
    _reply(
        "534 5.7.9",
        "google",
        "Application-specific password required",
        "The account has 2-Step Verification and the client sent the normal password.",
        "Switch the target to OAuth, or (Open Bee and other password-only clients) create an "
        "app password.",
        ("google-less-secure-apps-retired",),
        src.GOOGLE_LSA_TRANSITION,
    ),
    _reply(
        "534 5.7.14",
        "google",
        "Please log in via your web browser",
        "Google blocked a password sign-in (less secure apps).",
        "Switch the target to OAuth (XOAUTH2) or an app password.",
        ("google-less-secure-apps-retired",),
        src.GOOGLE_LSA_TRANSITION,
    ),
    # --- IMAP ------------------------------------------------------------------------------------
    _reply(
        "AUTHENTICATE failed",
        "microsoft",
        "IMAP AUTHENTICATE failed",
        "Exchange rejected the XOAUTH2 login: a Graph token instead of an Outlook one, missing "
        "IMAP.AccessAsUser.All, IMAP disabled on the mailbox (ImapEnabled false), user= not "
        "matching, or for app-only a missing Exchange service principal or FullAccess "
        "permission.",
        "Request https://outlook.office.com/IMAP.AccessAsUser.All + offline_access; "
        "Set-CASMailbox <upn> -ImapEnabled $true; app-only: New-ServicePrincipal and "
        "Add-MailboxPermission <mbx> -User <sp> -AccessRights FullAccess.",
        (
            "ms-unknown-permission",
            "ms-permission-missing",
            "user-protocol-not-allowed",
            "ms-exchange-service-principal-missing",
            "ms-mailbox-permission-missing",
            "user-primary-address-required",
        ),
        src.MS_OAUTH_MAIL_PROTOCOLS,
        family="imap",
    ),
)

ERROR_EXPLANATIONS: Mapping[str, ErrorExplanation] = MappingProxyType(
    {e.code.lower(): e for e in reversed(_ENTRIES)}
)
"""Explanations keyed by lower-case canonical code (the first entry of a code: its general
meaning when the provider is not known)."""

PROVIDER_EXPLANATIONS: Mapping[tuple[str, str], ErrorExplanation] = MappingProxyType(
    {
        (e.code.lower(), e.provider): e
        for e in _ENTRIES
        if e.provider is not None and ERROR_EXPLANATIONS[e.code.lower()] is not e
    }
)
"""Provider-specific explanations of a code that both providers use (``invalid_grant``)."""

RULE_IDS: tuple[str, ...] = tuple(sorted({r for e in _ENTRIES for r in e.rules}))
"""Every rule ID referenced from this module."""

_BY_ENHANCED: Mapping[str, ErrorExplanation] = MappingProxyType(
    {e.code.split()[1]: e for e in _ENTRIES if e.family == "smtp"}
)

_AADSTS = re.compile(r"aadsts(\d{4,8})", re.IGNORECASE)
_SMTP_REPLY = re.compile(r"^\s*([2-5]\d\d)[\s-]+([245]\.\d{1,3}\.\d{1,3})(?!\d)")
_ENHANCED = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
_OAUTH_WORD = re.compile(r"[a-z_]+")


def normalise_code(text: str) -> str | None:
    """Return the canonical lookup key for ``text`` (lower-case), or ``None``.

    ``"AADSTS700016: Application…"`` and ``"700016"`` → ``"aadsts700016"``;
    ``"535-5.7.8 Username…"`` → ``"535 5.7.8"``; ``"Error 400: redirect_uri_mismatch"`` →
    ``"redirect_uri_mismatch"``; ``"A01 NO AUTHENTICATE failed."`` → ``"authenticate failed"``.
    The key may still be unknown to :data:`ERROR_EXPLANATIONS`.
    """
    value = text.strip()
    if not value:
        return None
    lowered = value.lower()
    if m := _AADSTS.search(value):
        return f"aadsts{int(m.group(1))}"
    if value.isdigit() and 4 <= len(value) <= 8:
        return f"aadsts{int(value)}"
    if m := _SMTP_REPLY.match(value):
        return f"{m.group(1)} {m.group(2)}"
    words: list[str] = _OAUTH_WORD.findall(lowered)
    for word in words:
        if word in ERROR_EXPLANATIONS:
            return word
    if "authenticate failed" in lowered:
        return "authenticate failed"
    if m := _ENHANCED.search(value):
        entry = _BY_ENHANCED.get(m.group(1))
        return entry.code.lower() if entry is not None else str(m.group(1))
    return lowered


def explain_code(
    text: str, provider: Literal["microsoft", "google"] | str | None = None
) -> ErrorExplanation | None:
    """Explain an error code or a whole error line; ``None`` when unknown.

    Accepts ``AADSTS700016``, ``700016``, ``aadsts700016: Application with identifier…``,
    ``535 5.7.139 Authentication unsuccessful…``, ``535-5.7.8 …``, ``5.7.139``,
    ``invalid_grant``, ``{"error": "invalid_grant", …}``, ``A1 NO AUTHENTICATE failed.``.
    An SMTP reply whose basic code is not catalogued falls back to its enhanced status code.

    With ``provider`` (the mailbox's), a code both providers use gets that provider's meaning,
    and an explanation specific to the other provider is not given.
    """
    found = _explain(text)
    if found is None or provider is None:
        return found
    specific = PROVIDER_EXPLANATIONS.get((found.code.lower(), provider))
    if specific is not None:
        return specific
    if found.provider is not None and found.provider != provider:
        return None
    return found


def _explain(text: str) -> ErrorExplanation | None:
    key = normalise_code(text)
    if key is None:
        return None
    found = ERROR_EXPLANATIONS.get(key)
    if found is not None:
        return found
    if (m := _SMTP_REPLY.match(key)) is not None:
        return _BY_ENHANCED.get(m.group(2))
    if key.startswith("aadsts"):
        # e.g. "invalid_grant: AADSTS99999 …": fall back to the OAuth error string if any.
        for word in _OAUTH_WORD.findall(text.lower()):
            if word in ERROR_EXPLANATIONS:
                return ERROR_EXPLANATIONS[word]
    return None
