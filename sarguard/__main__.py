"""``python -m sarguard``."""

import sys

from sarguard.cli import main

sys.exit(main())
