"""`python -m autoqa ...`: the same as the `autoqa` command."""

import sys

from autoqa.cli import main

sys.exit(main())
