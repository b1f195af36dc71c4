"""The SAR control catalog: one module per control, ``catalog.CATALOG`` in report order."""
