"""``sarguard import``: turn a live org (an :class:`~sarguard.model.OrgState`) into the files that
declare it — the stack file, the email bodies, and a ``pulumi import --file`` plan.

The command reads the org (the same reader and budget as ``drift``); everything here works on
what it read and never touches the network:

* :mod:`.plan` — what the stack will declare, taken from the live state (and what cannot be);
* :mod:`.fixes` — ``--fix``: the same plan made compliant, each change tied to a control id;
* :mod:`.bodies` — the report-link and required-variable blocks ``--fix`` inserts;
* :mod:`.stackfile` and :mod:`.yamlwriter` — the stack YAML, with comments;
* :mod:`.importfile` — ``import-NAME.json`` for ``pulumi import --file``;
* :mod:`.check` — the catalog over the planned stack (what would still fail);
* :mod:`.placement` — every file staged, checked, then moved into place all together or not at all;
* :mod:`.nextsteps` — what the user runs next.
"""
