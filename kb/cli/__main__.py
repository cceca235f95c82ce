"""``python -m kb.cli``: the same command line as ``kb``."""

import sys

from kb.cli import main

sys.exit(main())
