"""sarguard: declare, check and audit Okta suspicious activity reporting."""

__version__ = "0.1.0"
