"""What users configure about verdicts: the policy config (the same JSON as
``--policy-pack-config``), waivers and drift-ignore files, the rule-file loader they share and
the resource-key glob matcher. Pure: these turn findings and drift items into their final
status; they never read evidence.
"""
