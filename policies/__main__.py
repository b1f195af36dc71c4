"""Entry point the Pulumi CLI runs for this policy pack (``python -m pulumi.policy``).

Nothing may be printed before ``PolicyPack(...)``: the CLI reads the gRPC port from the first
line of stdout. The repository root goes first on ``sys.path`` so the pack always checks with this
checkout's controls, whether or not sarguard is installed in the virtualenv.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sarguard.pulumi.pack import build_policy_pack  # noqa: E402 -- needs the path above

build_policy_pack()
