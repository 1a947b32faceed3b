"""``python -m eventstudy``."""

import sys

try:
    from eventstudy.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line loads: one line, as later
    sys.stderr.write("interrupted\n")
    sys.exit(130)

sys.exit(main())
