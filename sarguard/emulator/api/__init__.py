"""Endpoint families of the emulated Management API; each module registers its routes."""
