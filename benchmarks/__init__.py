"""sarguard benchmarks: large-org drift against the emulator (with an Okta SDK baseline) and
offline ``check`` scaling against the bare Pulumi mock engine.

Run ``python -m benchmarks`` (``make bench``) for the full run that writes
``benchmarks/RESULTS.md`` and the plots, or ``python -m benchmarks --quick`` for a smoke run.
"""
