"""Pulumi program entry point: load this stack's settings and declare the component."""

from sarguard.pulumi.entrypoint import declare_stack

declare_stack()
