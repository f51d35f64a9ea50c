"""python -m normalizer: the uanorm command line."""

from normalizer.cli import main

raise SystemExit(main())
