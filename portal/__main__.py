"""``python -m portal``: the same as the ``portal`` command."""

import sys

from portal.cli import main

sys.exit(main())
