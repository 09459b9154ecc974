"""``python -m simcall`` is the same as the ``simcall`` command.

A Ctrl-C while the package is still being imported (the first half second) ends the same
way as one during a command: exit code 130 and one line, no traceback.
"""

import sys

try:
    from simcall.cli import entry
except KeyboardInterrupt:
    sys.stderr.write("interrupted: nothing was written\n")
    raise SystemExit(130) from None

entry()
