from normalizer.cli import main

raise SystemExit(main())
