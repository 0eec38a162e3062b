"""The drills' mail server: each delivered message is one JSON line in BRIDGES_DRILL_MAIL_LOG (appended whole, so
several worker processes can share it), and a message can be held while the drill kills its worker.

BRIDGES_DRILL_MAIL_PAUSE="<subject>:<moment>:<seconds>" holds the first message of that subject, once, either
``before`` delivering it or ``after_commit`` (delivered, recorded as sent, but its task not yet reported done); it
writes the log's ``.paused`` file when it starts holding.
"""

import json
import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction


def _hold(log: Path, seconds: float) -> None:
    try:
        marker = os.open(log.with_suffix(".paused"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # held once already: the run after the kill goes through
    os.write(marker, str(os.getpid()).encode())
    os.close(marker)
    time.sleep(seconds)


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        log = Path(os.environ["BRIDGES_DRILL_MAIL_LOG"])
        subject, moment, seconds = (os.environ.get("BRIDGES_DRILL_MAIL_PAUSE") or "::0").split(":")
        for message in email_messages:
            held = subject and message.subject == subject
            if held and moment == "before":
                _hold(log, float(seconds))
            line = (
                json.dumps({"subject": message.subject, "to": message.to, "pid": os.getpid(), "worker": os.getppid()})
                + "\n"
            )
            descriptor = os.open(log, os.O_WRONLY | os.O_APPEND)
            os.write(descriptor, line.encode())
            os.close(descriptor)
            if held and moment == "after_commit":
                transaction.on_commit(lambda: _hold(log, float(seconds)))
        return len(email_messages)
