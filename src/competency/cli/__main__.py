"""``python -m competency.cli``."""

import sys

from competency.cli import main

sys.exit(main())
