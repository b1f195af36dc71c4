"""Everything that knows Pulumi: the component the program declares (``program``), what the
project's ``__main__.py`` runs (``entrypoint``), where the component's settings come from
(``stacksettings``), the project's own program run under mocks (``userprogram``), reading ``Pulumi.yaml`` and stack files the way
the CLI does (``stack``), the program under Pulumi's mock engine (``mockengine``, ``declared``,
``plan``), where each setting sits in the stack file (``locations``) and the CrossGuard pack
(``pack``).

Importing this package imports nothing heavy: each module pulls in the Pulumi SDK only when it is
used, so commands that never run the program (``audit``, ``reports``) stay fast to start.
"""
