"""`python -m cae_data.cli`: the same as the `pcaet` command."""

from . import main

main()
