"""Okta System Log: evidence for SAR-11/SAR-12, investigations and report follow-up.

Modules: ``logevent`` (tolerant LogEvent accessors), ``scopes`` (the cheat-sheet event sets),
``filters`` (safe SCIM filters), ``durations`` (``--since``/``--until``), ``evidence``
(collection and summary), ``timeline`` (scenario recognition), ``investigate`` and ``reports``
(command logic), ``render`` (safe text/JSON output), ``eventcatalog`` (Okta's event types, bundled). No module here talks to the network: the
caller passes a ``LogFetcher``.
"""
