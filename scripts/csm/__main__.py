"""`python -m csm`: same as the `csm` command."""

from csm.cli import entry

entry()
