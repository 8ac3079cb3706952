"""``python -m sim.cli``: the same as the console script."""

from . import main

main()
