"""Settings of the task workers a drill starts (and kills): the test settings on the drill's Redis, database and mail log."""

import os

from hub.settings.test import *  # noqa: F403
from hub.settings.test import DATABASES

TASKS = {"default": {"BACKEND": "hub.task_queue.RQBackend", "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": os.environ["BRIDGES_DRILL_REDIS_URL"], "DEFAULT_TIMEOUT": 120}}
TASK_RETRY_DELAYS = [0, 0, 0]
EMAIL_BACKEND = "tests.drills.mail_backend.RecordingBackend"
PRIVATE_MEDIA_ROOT = os.environ["BRIDGES_DRILL_PRIVATE_MEDIA_ROOT"]
MEDIA_ROOT = os.environ["BRIDGES_DRILL_MEDIA_ROOT"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The drill finds the workers' connections by this name to cut them (pg_terminate_backend).
    DATABASES["default"]["OPTIONS"] = {"application_name": "bridges-drill-worker"}
