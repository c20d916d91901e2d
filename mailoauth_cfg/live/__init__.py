"""Live checks: fetch what a tenant holds into a :class:`~mailoauth_cfg.live.snapshot.Snapshot`,
then run the live rules over the config and the snapshot.

Layout (each provider package has the same modules: needs, credentials, fetch, parse,
permissions, errors, snapshot):

* :mod:`~mailoauth_cfg.live.microsoft` - Entra ID (Graph) and Exchange Online;
* :mod:`~mailoauth_cfg.live.google` - Google Workspace (Directory, Gmail, Service Usage);
* :mod:`~mailoauth_cfg.live.snapshot` - the versioned, provider-neutral snapshot (JSON, never a
  secret or a token); :mod:`~mailoauth_cfg.live.facts` the three states of a fact;
* :mod:`~mailoauth_cfg.live.options` - batching, concurrency, timeouts, the retry budget;
  :mod:`~mailoauth_cfg.live._retry` and :mod:`~mailoauth_cfg.live._http` the shared plumbing;
* :mod:`~mailoauth_cfg.live.run` - fetch -> snapshot -> live rules -> findings;
* :mod:`~mailoauth_cfg.live.rules` - the live rule catalogue (rules of the shared
  :class:`~mailoauth_cfg.rules._base.Rule` type that declare the snapshot facts they read);
* :mod:`~mailoauth_cfg.live.permissions` - what the checker's own identity needs.

Import discipline: this package, :mod:`snapshot`, :mod:`facts`, the ``needs``,
``permissions`` and ``snapshot`` modules and :mod:`rules` import nothing heavy. ``msgraph``,
``azure.identity``, ``kiota`` and ``httpx`` are imported only by the Microsoft fetch modules,
which :func:`mailoauth_cfg.live.run.fetch_async` imports inside the function, so ``validate``
without ``--online`` never loads them; ``googleapiclient``, ``google.auth`` and ``httplib2`` only
inside the functions of the Google fetch modules.
"""

from __future__ import annotations
