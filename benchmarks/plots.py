"""The two plots (PNG, matplotlib's Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.livebench import SizeResult
from benchmarks.offline import OfflineSize

LIVE_PNG = "live_read_vs_org_size.png"
OFFLINE_PNG = "offline_check_vs_brands.png"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_live(sizes: list[SizeResult], path: Path) -> Path:
    """Live-read time vs org size for sarguard, the SDK baseline and the floor."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    brands = [s.shape.brands for s in sizes]
    series = [
        ("sarguard drift (live read)", [s.median_read("sarguard") for s in sizes], "o-"),
        ("Okta SDK baseline (reads)", [s.median_read("sdk") for s in sizes], "s-"),
        ("floor: fewest calls x latency / concurrency", [s.floor_s for s in sizes], "k--"),
    ]
    for label, values, style in series:
        points = [(b, v) for b, v in zip(brands, values, strict=True) if v is not None]
        if points:
            ax.plot(*zip(*points, strict=True), style, label=label)
    ax.set_xlabel("brands (x 4 templates x 27 languages of customizations)")
    ax.set_ylabel("seconds")
    ax.set_yscale("log")
    ax.set_title("Live read vs org size (100 ms latency per request)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_offline(sizes: list[OfflineSize], path: Path) -> Path:
    """Offline ``check`` time vs brands, beside the bare mock engine."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    brands = [s.shape.brands for s in sizes]
    for mode, label, style in (("check", "sarguard check", "o-"),
                               ("bare", "bare Pulumi mock engine", "s--")):
        points = [(b, s.median(mode)) for b, s in zip(brands, sizes, strict=True)
                  if s.median(mode) is not None]
        if points:
            ax.plot(*zip(*points, strict=True), style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("brands (x 4 templates x 3 languages: 16 resources each)")
    ax.set_ylabel("seconds")
    ax.set_title("Offline check vs org size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
