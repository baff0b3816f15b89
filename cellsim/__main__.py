"""``python -m cellsim``: the same command line as ``cellsim``."""

import sys

from cellsim.cli import main

sys.exit(main())
