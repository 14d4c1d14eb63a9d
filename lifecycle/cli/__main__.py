from lifecycle.cli.main import main

raise SystemExit(main())
