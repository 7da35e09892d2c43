"""`python -m csm`: same as the `csm` command."""

from csm.cli import main

raise SystemExit(main())
