"""``sarguard pack --dir DIR [--force]``: write a self-contained, publishable policy pack."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", required=True, metavar="DIR",
                        help="where to write the pack (created if missing; must be empty)")
    parser.add_argument("--force", action="store_true",
                        help="replace a non-empty DIR that holds a pack sarguard wrote (its "
                             ".sarguard-pack marker); anything else is refused")


def run(args: argparse.Namespace) -> int:
    from sarguard.pulumi.pack_build import build_pack

    built = build_pack(args.dir, force=args.force)
    pins = ", ".join(f"{name}=={version}" for name, version in sorted(built.requirements.items()))
    print(f"wrote a self-contained policy pack to {built.directory}\n"
          f"  sarguard: {len(built.modules)} modules vendored in sarguard/\n"
          f"  requirements.txt: {pins}\n"
          f"publish it from that folder:\n"
          f"  python3 -m venv venv && venv/bin/pip install -r requirements.txt\n"
          f"  pulumi policy publish <org>\n"
          f"  pulumi policy enable <org>/sarguard latest --policy-group <group>")
    if built.ignored:
        shown = ", ".join(built.ignored[:5]) + (" ..." if len(built.ignored) > 5 else "")
        print(f"warning: a .gitignore at or above {built.directory} ignores {len(built.ignored)} of "
              f"the pack's files ({shown}); `pulumi policy publish` would leave them out. Build the "
              "pack somewhere no .gitignore excludes.")
    return 0
