"""``python -m symtutor``: the same as the ``symtutor`` command."""

import sys

from .cli import main

sys.exit(main())
