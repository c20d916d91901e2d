"""Citations used by the catalog.

Every catalog entry carries a ``source`` string: a URL, or ``owner/repo:path`` for a file in a
public repository. The strings are collected here so that one document cited by many entries is
spelled once.
"""

from __future__ import annotations

# --- Microsoft identity platform / Entra ID -------------------------------------------------

MS_OAUTH_MAIL_PROTOCOLS = (
    "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/"
    "how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"
)
""""Authenticate an IMAP, POP or SMTP connection using OAuth" (scopes, XOAUTH2, app-only)."""

MS_OAUTH_MAIL_PROTOCOLS_REPO = (
    "MicrosoftDocs/office-developer-exchange-docs:docs/legacy-protocols/"
    "how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth.md"
)
MS_SMTP_APP_RBAC = (
    "MicrosoftDocs/office-developer-exchange-docs:docs/legacy-protocols/smtp-app-rbac-onboarding.md"
)
MS_AUTH_CODE_FLOW = (
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow"
)
MS_DEVICE_CODE_FLOW = (
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code"
)
MS_ADMIN_CONSENT = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent"
MS_REPLY_URL_RULES = "https://learn.microsoft.com/en-us/entra/identity-platform/reply-url"
MS_NATIONAL_CLOUDS_AUTH = (
    "MicrosoftDocs/azure-docs:articles/active-directory/develop/authentication-national-cloud.md"
)
MS_GRAPH_DEPLOYMENTS = "https://learn.microsoft.com/en-us/graph/deployments"
MS_GRAPH_NATIONAL_CLOUDS_SDK = "https://learn.microsoft.com/en-us/graph/sdks/national-clouds"
MS_CONNECT_EXO = (
    "MicrosoftDocs/office-docs-powershell:exchange/exchange-ps/ExchangePowerShell/"
    "Connect-ExchangeOnline.md"
)
MS_CIPP_EXO_SCOPE = "KelvinTegelaar/CIPP-API:Modules/CIPPCore/Public/GraphHelper/New-ExoRequest.ps1"
MS_POP_IMAP_SMTP_SETTINGS = (
    "https://support.microsoft.com/en-us/office/"
    "pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353"
)
MS_APP_GET = "microsoftgraph/microsoft-graph-docs-contrib:api-reference/v1.0/api/application-get.md"
MS_APP_ONLY_EXO_PS = (
    "MicrosoftDocs/office-docs-powershell:exchange/docs-conceptual/app-only-auth-powershell-v2.md"
)
OAUTH_RFC6749 = "https://www.rfc-editor.org/rfc/rfc6749#section-5.2"
MS_ERROR_CODES = "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes"
MS_SET_CASMAILBOX = (
    "MicrosoftDocs/office-docs-powershell:exchange/exchange-ps/ExchangePowerShell/Set-CASMailbox.md"
)
MS_SET_TRANSPORTCONFIG = (
    "MicrosoftDocs/office-docs-powershell:exchange/exchange-ps/ExchangePowerShell/"
    "Set-TransportConfig.md"
)
MS_BASIC_AUTH_DEPRECATION = (
    "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/"
    "deprecation-of-basic-authentication-exchange-online"
)
MS_MC786329 = "https://mc.merill.net/message/MC786329"
MS_SMTP_BASIC_AUTH_ERROR = "https://github.com/OpenCTI-Platform/opencti/issues/12069"
MS_REFRESH_INACTIVITY = "https://github.com/microsoft/foundry-dev-tools/issues/707"
MS_SMTP_AUTH_DISABLED_ISSUE = "https://github.com/simonrob/email-oauth2-proxy/issues/193"
MS_APP_NOT_FOUND_ISSUE = "https://github.com/simonrob/email-oauth2-proxy/issues/221"
MS_SECURITY_DEFAULTS_ISSUE = "https://github.com/MicrosoftDocs/OfficeDocs-Exchange/issues/2075"
MS_CLIENT_CREDENTIALS_ISSUE = "https://github.com/simonrob/email-oauth2-proxy/issues/119"

# Permission GUID references (Microsoft Graph); one page per permission.
GRAPH_PERMISSIONS_EXPLORER = "merill/graph-permissions-explorer:permission/{name}.md"
EXO_PERMISSION_DUMP = (
    "Office 365 Exchange Online first-party permission dump (the resource's appRoles and "
    "oauth2PermissionScopes); " + MS_OAUTH_MAIL_PROTOCOLS_REPO
)

# --- Google ---------------------------------------------------------------------------------

GOOGLE_WEB_SERVER_FLOW = "https://developers.google.com/identity/protocols/oauth2/web-server"
GOOGLE_OAUTH2_OVERVIEW = "https://developers.google.com/identity/protocols/oauth2"
GOOGLE_TESTING_EXPIRY = "https://support.google.com/cloud/answer/15549945"
GOOGLE_DEVICE_FLOW_SCOPES = (
    "https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes"
)
GOOGLE_XOAUTH2 = "https://developers.google.com/gmail/imap/xoauth2-protocol"
GOOGLE_MAIL_HOSTS = "https://support.google.com/mail/answer/7126229"
GOOGLE_OOB_MIGRATION = (
    "https://developers.google.com/identity/protocols/oauth2/resources/oob-migration"
)
GOOGLE_NATIVE_APPS = "https://developers.google.com/identity/protocols/oauth2/native-app"
GOOGLE_LSA_TRANSITION = "https://support.google.com/a/answer/14114704"
GOOGLE_LSA_TRANSITION_LATER = (
    "https://knowledge.workspace.google.com/admin/sync/transition-from-less-secure-apps-to-oauth"
)
GOOGLE_LSA_PERSONAL = "https://github.com/saran-surya/email_auth/issues/66"
GOOGLE_IAP_DEPRECATIONS = "https://cloud.google.com/iap/docs/deprecations"
GOOGLE_DWD_ISSUE = "https://github.com/googleapis/google-api-php-client/issues/1379"
GOOGLE_TESTING_ISSUE = "https://github.com/simonrob/email-oauth2-proxy/issues/17"

# --- Target applications --------------------------------------------------------------------

DOLIBARR_WIKI = "https://wiki.dolibarr.org/index.php/Module_OAuth"
DOLIBARR_OAUTH_LIB = "Dolibarr/dolibarr:htdocs/core/lib/oauth.lib.php"
DOLIBARR_MICROSOFT3 = "Dolibarr/dolibarr:htdocs/includes/OAuth/OAuth2/Service/Microsoft3.php"
DOLIBARR_MICROSOFTAPP = "Dolibarr/dolibarr:htdocs/includes/OAuth/OAuth2/Service/Microsoftapp.php"
DOLIBARR_TOKEN_TABLE = "Dolibarr/dolibarr:htdocs/install/mysql/tables/llx_oauth_token.sql"
DOLIBARR_ADMIN_OAUTH = "Dolibarr/dolibarr:htdocs/admin/oauth.php"
DOLIBARR_MAILS = "Dolibarr/dolibarr:htdocs/admin/mails.php"
DOLIBARR_COLLECTOR = "Dolibarr/dolibarr:htdocs/emailcollector/class/emailcollector.class.php"
DOLIBARR_PR_MICROSOFT3 = "https://github.com/Dolibarr/dolibarr/pull/37329"
DOLIBARR_PR_MICROSOFTAPP = "https://github.com/Dolibarr/dolibarr/pull/39122"
DOLIBARR_PR_FORCE_PROMPT = "https://github.com/Dolibarr/dolibarr/pull/40257"
DOLIBARR_SMTPS = "Dolibarr/dolibarr:htdocs/core/class/smtps.class.php"
DOLIBARR_TOKEN_MANAGER = "Dolibarr/dolibarr:htdocs/admin/oauthlogintokens.php"
MULTISMTP = "SylvainLegrand/InfraStructure:htdocs/custom/multismtp/FEATURES.md"
DIGDASH_OAUTH = "https://doc.digdash.com/ (configuration_guide/oAuth: Paramètres OAuth)"
WAVESOFT_FTC030 = (
    "WaveSoft fiche technique FTC030 'Authentification OAuth2 pour la réception des mails' "
    "(V23.02.05, 2022-09-30)"
)
OPENBEE_SMTP = "https://help.openbee.com/ (Office 365 and G Suite SMTP configuration)"
SASL_XOAUTH2_README = "tarickb/sasl-xoauth2:README.md"
SASL_XOAUTH2_CONF = "tarickb/sasl-xoauth2:docs/sasl-xoauth2.conf.5.md"
MSMTP_MAN = "marlam/msmtp:doc/msmtp.1"
MSMTP_NEWS = "marlam/msmtp:NEWS"
EMAILPROXY_CONFIG = "simonrob/email-oauth2-proxy:emailproxy.config"
EMAILPROXY_README = "simonrob/email-oauth2-proxy:README.md"
MUTT_OAUTH2 = "muttmua/mutt:contrib/mutt_oauth2.py"
GLPI_OAUTH_CONFIG = "glpi-project/glpi:src/Glpi/Mail/SMTP/OauthConfig.php"
GLPI_CONSTANTS = "glpi-project/glpi:src/autoload/constants.php"
GLPI_NOTIFICATIONS = (
    "glpi-project/glpi: core configuration use_notifications, notifications_mailing (both off "
    "in a new install)"
)
ODOO_OUTLOOK = "odoo/odoo:addons/microsoft_outlook"
ODOO_GMAIL = "odoo/odoo:addons/google_gmail"
NEXTCLOUD_MS = "nextcloud/mail:lib/Integration/MicrosoftIntegration.php"
NEXTCLOUD_GOOGLE = "nextcloud/mail:lib/Integration"
