"""Fleets: many orgs audited in one run (``audit --orgs``) or merged from per-org reports
(``sarguard merge``), combined into one fleet report whose exit code is the worst org's."""
