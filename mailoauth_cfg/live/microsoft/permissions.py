"""What the Microsoft live checks need of the checker's own identity: least-privilege, read-only
permissions and roles.

Data for ``mailoauth-cfg permissions``, for the README, and for the ``unknown`` findings that
say which permission a failed read needs. GUIDs are the Microsoft Graph application roles
(sources: Graph permissions reference, merill/graph-permissions-explorer; Exchange role:
MicrosoftDocs/office-docs-powershell:exchange/docs-conceptual/app-only-auth-powershell-v2.md).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from mailoauth_cfg.catalog.microsoft import EXCHANGE_APP_ID, GRAPH_APP_ID


@dataclass(frozen=True, slots=True)
class CheckerPermission:
    """One permission or role the checker's own identity needs."""

    api: str
    name: str
    kind: str
    """``Role`` (application permission) or ``Entra role``."""
    guid: str
    resource_app_id: str
    reads: str
    """What the checker reads with it."""


GRAPH_PERMISSIONS: tuple[CheckerPermission, ...] = (
    CheckerPermission(
        "Microsoft Graph",
        "Application.Read.All",
        "Role",
        "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
        GRAPH_APP_ID,
        "app registrations (redirect URIs, requested permissions, credential dates), service "
        "principals, their app role assignments, the Graph and Exchange permission tables and "
        "their low-impact classifications",
    ),
    CheckerPermission(
        "Microsoft Graph",
        "DelegatedPermissionGrant.Read.All",
        "Role",
        "81b4724a-58aa-41c1-8a55-84ef97466587",
        GRAPH_APP_ID,
        "delegated permission grants (admin consent)",
    ),
    CheckerPermission(
        "Microsoft Graph",
        "Policy.Read.All",
        "Role",
        "246dd0d5-5bd0-4def-940b-0421030a5b68",
        GRAPH_APP_ID,
        "the tenant's user-consent setting (authorizationPolicy: may users consent to a "
        "delegated app's permissions themselves)",
    ),
    CheckerPermission(
        "Microsoft Graph",
        "User.Read.All",
        "Role",
        "df021288-bdef-4463-88db-98f22de89214",
        GRAPH_APP_ID,
        "users: enabled, proxy addresses (primary vs alias), assigned plans (Exchange licence)",
    ),
    CheckerPermission(
        "Microsoft Graph",
        "MailboxSettings.Read",
        "Role",
        "40f97065-369a-49f4-947c-6a255697ae91",
        GRAPH_APP_ID,
        "mailboxSettings.userPurpose (shared mailbox)",
    ),
)

EXCHANGE_PERMISSION = CheckerPermission(
    "Office 365 Exchange Online",
    "Exchange.ManageAsApp",
    "Role",
    "dc50a0fb-09a3-484d-be87-e023b12c6440",
    EXCHANGE_APP_ID,
    "the Exchange admin API (InvokeCommand): Get-TransportConfig, Get-CASMailbox, Get-Mailbox, "
    "Get-ServicePrincipal, Get-MailboxPermission, Get-RecipientPermission, "
    "Get-ManagementRoleAssignment, Get-ManagementScope, Test-ServicePrincipalAuthorization",
)

GLOBAL_READER = CheckerPermission(
    "Microsoft Entra ID",
    "Global Reader",
    "Entra role",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "",
    "read-only role the Exchange admin API requires of an app-only caller (the least-privileged "
    "of the roles Exchange Online accepts)",
)

HINTS: dict[str, str] = {
    "applications": "Application.Read.All",
    "service_principals": "Application.Read.All",
    "resources": "Application.Read.All",
    "app_role_assignments": "Application.Read.All",
    "low_impact": "Application.Read.All",
    "authorization_policy": "Policy.Read.All",
    "grants": "DelegatedPermissionGrant.Read.All",
    "users": "User.Read.All",
    "mailbox_settings": "MailboxSettings.Read",
    "exchange": "Exchange.ManageAsApp with the Global Reader role",
}
"""Fact collection -> what the checker needs to read it."""


def hint(collection: str) -> str:
    """``the checker needs X (see `mailoauth-cfg permissions`)``."""
    need = HINTS.get(collection) or HINTS["exchange"]
    return f"the checker needs {need} (see `mailoauth-cfg permissions`)"


def microsoft_permissions_text() -> str:
    """The Microsoft part of ``mailoauth-cfg permissions``."""
    lines = ["validate --online, Microsoft providers (application permissions, admin-consented):"]
    every = (*GRAPH_PERMISSIONS, EXCHANGE_PERMISSION, GLOBAL_READER)
    width = max(len(f"{p.api} › {p.name}") for p in every)
    for p in every:
        label = f"{p.api} › {p.name}"
        lines.append(f"  {label:<{width}}  {p.kind} {p.guid}")
        lines.extend(
            textwrap.wrap(
                p.reads if p is GLOBAL_READER else f"reads {p.reads}",
                width=94,
                break_on_hyphens=False,
                initial_indent="      ",
                subsequent_indent="      ",
            )
        )
    lines += [
        "",
        "  Exchange Online is read only when the config names mailboxes or app-only apps;",
        "  without Exchange.ManageAsApp and Global Reader those checks report `unknown`.",
        "",
        "How to grant them (CHECKER = the checker's app ID; as a Privileged Role Administrator):",
    ]
    for p in (*GRAPH_PERMISSIONS, EXCHANGE_PERMISSION):
        lines.append(
            f"  az ad app permission add --id $CHECKER --api {p.resource_app_id} "
            f"--api-permissions {p.guid}=Role"
        )
    lines += [
        "  az ad app permission admin-consent --id $CHECKER",
        '  az rest --method POST --uri "https://graph.microsoft.com/v1.0/roleManagement/'
        'directory/roleAssignments" \\',
        '    --body "{\\"principalId\\": \\"$(az ad sp show --id $CHECKER --query id -o tsv)\\", '
        f'\\"roleDefinitionId\\": \\"{GLOBAL_READER.guid}\\", \\"directoryScopeId\\": \\"/\\"}}"',
        "  (portal: Entra admin center › App registrations › checker › API permissions › Add a",
        "  permission › Microsoft Graph / APIs my organization uses › Office 365 Exchange Online",
        "  › Application permissions; then Grant admin consent; Roles and administrators ›",
        "  Global Reader › Add assignments › the checker's enterprise application)",
        "",
        "Credentials (first found, or --credential):",
        "  environment         AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, or with",
        "                      AZURE_CLIENT_CERTIFICATE_PATH [+ AZURE_CLIENT_CERTIFICATE_PASSWORD]",
        "  workload-identity   AZURE_CLIENT_ID + AZURE_FEDERATED_TOKEN_FILE (CI federated",
        "                      credentials, e.g. GitHub Actions OIDC or Kubernetes)",
        "  azure-cli           `az login` (a user with Global Reader; the Graph permissions",
        "                      above are then the user's delegated equivalents)",
        "  The tenant is each provider's `tenant:`; Exchange prefers a certificate over a secret.",
    ]
    return "\n".join(lines) + "\n"
