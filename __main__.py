"""Pulumi program entry point: load this stack's settings and declare the component."""

from sarguard.entrypoint import declare_stack

declare_stack()
