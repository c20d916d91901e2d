"""Messages and fixes say what is really there: the registered near miss of a missing redirect
URI, the mailbox's primary address in cmdlets, and only fixes the target application can do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.microsoft import Scenario
from tests.live.conftest import Live

ERP = "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
ERP_URI = "https://erp.contoso.com/core/modules/oauth/microsoft3_oauthcallback.php"


def test_missing_redirect_uri_names_the_registered_near_miss(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    near = "https://erp.contoso.com/core/modules/oauth/Microsoft3_oauthcallback.php/"
    scenario.application(ERP)["web"]["redirectUris"] = []
    scenario.application(ERP)["spa"]["redirectUris"] = [near]
    [found] = live().of("live-ms-redirect-uri-missing")
    assert f"redirect URI {ERP_URI} is not registered" in found.message
    assert f"registered under SPA is {near}, which differs by letter case and a trailing /" in (
        found.message
    )
    assert "wrong platform" in found.message
    assert ERP_URI in found.fix
    assert f"remove {near} from SPA" in found.fix


def test_trailing_slash_near_miss_on_the_right_platform(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    scenario.application(ERP)["web"]["redirectUris"] = [ERP_URI + "/"]
    [found] = live().of("live-ms-redirect-uri-missing")
    assert "which differs by a trailing /" in found.message
    assert "wrong platform" not in found.message


def test_cmdlet_fixes_name_the_primary_address(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    scenario.cas("erp@contoso.com")["SmtpClientAuthenticationDisabled"] = True

    def alias(data: dict[str, Any]) -> None:
        # The config names the mailbox by its alias.
        data["users"][0] = {"email": "factures@contoso.com", "provider": "contoso"}
        data["targets"]["erp"]["users"] = ["factures@contoso.com"]

    result = live(alias)
    [found] = result.of("live-ms-smtp-auth-disabled")
    assert "Set-CASMailbox -Identity erp@contoso.com " in found.fix
    assert "factures@contoso.com" not in found.fix


def test_no_delegate_fix_for_an_application_without_a_delegate_model(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    # erp@ (used by Dolibarr, which cannot sign in for a shared mailbox) is shared.
    scenario.mailbox("erp@contoso.com")["RecipientTypeDetails"] = "SharedMailbox"
    [found] = live().of("live-ms-mailbox-type")
    assert "sign_in_as" not in found.fix
    assert "cannot sign in for a shared mailbox" in found.fix
    assert "Set-Mailbox -Identity erp@contoso.com -Type Regular" in found.fix


def test_a_relay_that_names_the_shared_address_apart_from_the_token_is_fine(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    # noreply@ is used by the Postfix relay, whose sasl_passwd user is written apart from the
    # token file: a member's token with the shared address as XOAUTH2 user works.
    scenario.mailbox("noreply@contoso.com")["RecipientTypeDetails"] = "SharedMailbox"
    assert live().of("live-ms-mailbox-type") == []
