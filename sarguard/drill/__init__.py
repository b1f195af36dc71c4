"""``sarguard drill``: an end-to-end test of a team's real event hook endpoint.

It sends what Okta sends — the verification challenge, a delivery of a synthetic, marked report
event, the same delivery unauthenticated and again (a redelivery) — and judges the answers as
DRILL-01..05 findings. It never calls the Okta API and needs no Okta credentials; the hook's
auth value comes from ``SARGUARD_EVENT_HOOK_SECRET`` only.
"""
