"""`python -m broadcaster` is the same as the `broadcaster` command."""

import sys

from broadcaster.cli import main

sys.exit(main())
