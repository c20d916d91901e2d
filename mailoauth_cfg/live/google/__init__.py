"""Live reads of a Google provider: the Admin SDK Directory API, Gmail settings and Service Usage,
into a :class:`~mailoauth_cfg.live.google.snapshot.GoogleDomain`.

Same layout as :mod:`mailoauth_cfg.live.microsoft`:

* :mod:`.needs` - what to read, derived from the config (only the objects it names);
* :mod:`.credentials` - endpoints, CA bundle, the checker's service account or user credentials;
* :mod:`.fetch` - one provider: what to read, in which order; :mod:`.sender` sends it (tokens,
  batches, retries, the deadline) over :mod:`.batch` (the worker pool and the multipart batch
  encoder); :mod:`.reads`: which API call stores which fact;
* :mod:`.parse` - API answers -> snapshot models;
* :mod:`.permissions` - scopes, delegation and roles the checker needs;
* :mod:`.errors` - error texts and which failures are transient;
* :mod:`.snapshot` - the snapshot section.

googleapiclient, google-auth and httplib2 are imported only inside functions on the
``--online`` path.
"""
