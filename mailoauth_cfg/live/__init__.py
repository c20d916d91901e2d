"""Live checks: fetch what a tenant holds into a :class:`~mailoauth_cfg.live.snapshot.Snapshot`,
then run live rules, pure functions of ``(config, snapshot)``.

Layout:

* :mod:`~mailoauth_cfg.live.snapshot` - the provider-neutral snapshot model (JSON, versioned,
  never a secret or a token); facts that could not be read are recorded with a reason.
* :mod:`~mailoauth_cfg.live.needs` - what to read, derived from the config (only named objects).
* :mod:`~mailoauth_cfg.live.microsoft` - Microsoft Graph reads (msgraph-sdk request builders and
  models, a hand-made JSON ``$batch`` over the SDK's httpx client).
* :mod:`~mailoauth_cfg.live.exchange` - Exchange Online admin REST ``InvokeCommand`` reads.
* :mod:`~mailoauth_cfg.live.credentials` - azure-identity credentials, CA bundle and endpoints.
* :mod:`~mailoauth_cfg.live.google` - Google Workspace reads (google-api-python-client batches,
  google-auth domain-wide delegation); :mod:`~mailoauth_cfg.live.google_needs` what to read;
  :mod:`~mailoauth_cfg.live.google_permissions` scopes and credential variables.
* :mod:`~mailoauth_cfg.live.run` - fetch -> snapshot -> live rules -> findings.
* :mod:`~mailoauth_cfg.live.rules` - the live rule catalogue.

Import discipline: this package and :mod:`snapshot`, :mod:`needs`, :mod:`rules` and
:mod:`permissions` import nothing heavy. ``msgraph``, ``azure.identity`` and ``httpx`` are
imported only by :mod:`microsoft`, :mod:`exchange`, :mod:`credentials` and :mod:`_http`, which
:func:`mailoauth_cfg.live.run.fetch_snapshot` imports inside the function, so ``validate``
without ``--online`` never loads them. ``googleapiclient``, ``google.auth`` and ``httplib2`` are
imported only inside the functions of :mod:`google`, for a config with Google providers.
"""

from __future__ import annotations
