import sys

from hub.bench.runner import main

sys.exit(main())
