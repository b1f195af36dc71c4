"""Evidence adapters: each turns one source (Pulumi resources, a stack export, the live org)
into the source-neutral :class:`sarguard.model.OrgState`; ``liveread`` orchestrates the one live
read (configuration and System Log in one event loop) that the live commands share."""
