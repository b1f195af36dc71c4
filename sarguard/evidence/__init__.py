"""Evidence adapters: each turns one source (Pulumi resources, a stack export, the live org)
into the source-neutral :class:`sarguard.model.OrgState`."""
