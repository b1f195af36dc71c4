"""Machine notes for the results: what the numbers were measured on."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("pulumi", "pulumi-okta", "okta", "httpx", "httpcore", "sniffio")


def _meminfo_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_notes() -> list[str]:
    """One line per fact: cores, memory, CPU, OS, Python, load, package versions."""
    return [
        f"`nproc`: {os.cpu_count()}",
        f"memory: {_meminfo_gib()}",
        f"CPU: {_cpu_model()}",
        f"OS: {platform.system()} {platform.release()}",
        f"Python: {sys.version.split()[0]} ({platform.python_implementation()})",
        f"load average when the run started (1, 5, 15 min): {_load()}",
        "packages: " + ", ".join(f"{p} {_version(p)}" for p in PACKAGES),
    ]
