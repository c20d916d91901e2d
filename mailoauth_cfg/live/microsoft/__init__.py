"""Live reads of a Microsoft provider: Entra ID through Microsoft Graph and Exchange Online through
its admin REST endpoint, into a :class:`~mailoauth_cfg.live.microsoft.snapshot.MicrosoftTenant`.

Same layout as :mod:`mailoauth_cfg.live.google`:

* :mod:`.needs` - what to read, derived from the config (only the objects it names);
* :mod:`.credentials` - endpoints per cloud, CA bundle, the checker's azure-identity credential;
* :mod:`.fetch` - one tenant: tokens, then Graph (:mod:`.graph`, sent as ``$batch`` requests by
  :mod:`.batch`) and Exchange (:mod:`.exchange`) concurrently;
* :mod:`.parse` - service answers -> snapshot models;
* :mod:`.permissions` - what the checker's own identity needs;
* :mod:`.errors` - error texts of Graph and Exchange answers;
* :mod:`.snapshot` - the snapshot section.

Only :mod:`.fetch`, :mod:`.graph`, :mod:`.batch`, :mod:`.exchange` and :mod:`.parse` import the
SDKs (httpx, kiota, msgraph, azure-identity), inside functions or at their top; nothing imports
them on the offline path.
"""
