"""Plumbing shared across packages: JSON/YAML file reading with the libyaml depth guard, key-path
formatting for messages, loopback detection and atomic output files. Nothing here knows Okta,
Pulumi or the control catalog.
"""
