"""The documented parameters of every Exchange Online cmdlet the checker calls.

``InvokeCommand`` binds ``Parameters`` as PowerShell does: a name the cmdlet does not have is
refused with ``ParameterBindingException`` and the whole call fails (``Get-ServicePrincipal``
has no ``-ResultSize``: sending it made the Exchange registration of every app-only app
unreadable). :func:`check_call` validates each call against this table before it is sent, so
such a call is a located error in the checker, never a silent ``unknown`` on every tenant.

Source: MicrosoftDocs/office-docs-powershell, exchange/exchange-ps/ExchangePowerShell/<cmdlet>.md
(SYNTAX sections, parameters applicable to Exchange Online).
"""

from __future__ import annotations

from collections.abc import Mapping

from mailoauth_cfg.errors import UnknownCmdletParameter

COMMON_PARAMETERS = frozenset(
    {
        "Debug",
        "ErrorAction",
        "ErrorVariable",
        "InformationAction",
        "InformationVariable",
        "OutBuffer",
        "OutVariable",
        "PipelineVariable",
        "ProgressAction",
        "Verbose",
        "WarningAction",
        "WarningVariable",
    }
)
"""PowerShell's common parameters, which every cmdlet binds."""

CMDLET_PARAMETERS: Mapping[str, frozenset[str]] = {
    "Get-TransportConfig": frozenset({"Identity", "DomainController"}),
    "Get-CASMailbox": frozenset(
        {
            "Identity",
            "ActiveSyncDebugLogging",
            "ActiveSyncSuppressReadReceipt",
            "Anr",
            "Credential",
            "DomainController",
            "Filter",
            "IgnoreDefaultScope",
            "Monitoring",
            "OrganizationalUnit",
            "ProtocolSettings",
            "ReadFromDomainController",
            "ReadIsOptimizedForAccessibility",
            "RecalculateHasActiveSyncDevicePartnership",
            "ResultSize",
            "SortBy",
        }
    ),
    "Get-Mailbox": frozenset(
        {
            "Identity",
            "Anr",
            "Arbitration",
            "Archive",
            "AuditLog",
            "AuxAuditLog",
            "Credential",
            "DomainController",
            "Filter",
            "GroupMailbox",
            "IgnoreDefaultScope",
            "InactiveMailboxOnly",
            "IncludeAcceptMessagesOnlyFromDLMembersWithDisplayNames",
            "IncludeAcceptMessagesOnlyFromSendersOrMembersWithDisplayNames",
            "IncludeAcceptMessagesOnlyFromWithDisplayNames",
            "IncludeEmailAddressDisplayNames",
            "IncludeForwardingAddressWithDisplayNames",
            "IncludeGrantSendOnBehalfToWithDisplayNames",
            "IncludeInactiveMailbox",
            "IncludeModeratedByWithDisplayNames",
            "IncludeRejectMessagesFromDLMembersWithDisplayNames",
            "IncludeRejectMessagesFromSendersOrMembersWithDisplayNames",
            "IncludeRejectMessagesFromWithDisplayNames",
            "MailboxPlan",
            "Migration",
            "Monitoring",
            "OrganizationalUnit",
            "PublicFolder",
            "RecipientTypeDetails",
            "ResultSize",
            "SoftDeletedMailbox",
            "SortBy",
        }
    ),
    "Get-MailboxPermission": frozenset(
        {
            "Identity",
            "Credential",
            "DomainController",
            "GroupMailbox",
            "IncludeSoftDeletedUserPermissions",
            "IncludeUnresolvedPermissions",
            "Owner",
            "ReadFromDomainController",
            "ResultSize",
            "SoftDeletedMailbox",
            "UseCustomRouting",
            "User",
        }
    ),
    "Get-RecipientPermission": frozenset(
        {"Identity", "AccessRights", "ReadFromDomainController", "ResultSize", "Trustee"}
    ),
    "Get-ServicePrincipal": frozenset({"Identity", "Organization"}),
    "Get-ManagementRoleAssignment": frozenset(
        {
            "Identity",
            "AssignmentMethod",
            "ConfigWriteScope",
            "CustomConfigWriteScope",
            "CustomRecipientWriteScope",
            "Delegating",
            "DomainController",
            "Enabled",
            "Exclusive",
            "ExclusiveConfigWriteScope",
            "ExclusiveRecipientWriteScope",
            "GetEffectiveUsers",
            "RecipientAdministrativeUnitScope",
            "RecipientGroupScope",
            "RecipientOrganizationalUnitScope",
            "RecipientWriteScope",
            "Role",
            "RoleAssignee",
            "RoleAssigneeType",
            "WritableDatabase",
            "WritableRecipient",
            "WritableServer",
        }
    ),
    "Get-ManagementScope": frozenset({"Identity", "DomainController", "Exclusive", "Orphan"}),
    "Test-ServicePrincipalAuthorization": frozenset(
        {"Identity", "Confirm", "Organization", "Resource", "WhatIf"}
    ),
}
"""Cmdlet -> its documented parameters (Exchange Online)."""


def check_call(cmdlet: str, parameters: Mapping[str, object]) -> None:
    """Refuse a call Exchange would refuse: an unknown cmdlet, or a parameter it does not have
    (names compare case-insensitively, as PowerShell binds them).

    Raises:
        UnknownCmdletParameter: with the documented parameters in the message.
    """
    known = CMDLET_PARAMETERS.get(cmdlet)
    if known is None:
        raise UnknownCmdletParameter(
            f"{cmdlet}: not a cmdlet the checker knows the parameters of (a checker defect)"
        )
    folded = {name.lower() for name in known | COMMON_PARAMETERS}
    wrong = sorted(name for name in parameters if name.lower() not in folded)
    if wrong:
        raise UnknownCmdletParameter(
            f"{cmdlet}: {', '.join('-' + w for w in wrong)} is not a parameter of the cmdlet "
            f"(it takes {', '.join('-' + p for p in sorted(known))}); the call was not sent "
            "(a checker defect, not a tenant problem)"
        )
