"""``python -m eventstudy``."""

import sys

from eventstudy.cli import main

sys.exit(main())
