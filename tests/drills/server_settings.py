"""Settings of the server process a drill starts (and kills): the test settings, with the drill's storage faults."""

import json
import os

from hub.settings.test import *  # noqa: F403

PRIVATE_MEDIA_ROOT = os.environ["BRIDGES_DRILL_PRIVATE_MEDIA_ROOT"]
FILE_UPLOAD_TEMP_DIR = os.path.join(PRIVATE_MEDIA_ROOT, "upload-tmp")
MEDIA_ROOT = os.environ["BRIDGES_DRILL_MEDIA_ROOT"]
PRIVATE_STORAGE_DRILL = json.loads(os.environ.get("BRIDGES_DRILL_STORAGE") or "null")
