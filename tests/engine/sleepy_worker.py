"""A handler for a one-shot job (the evaluate/export kind) that never ends, so its parent can be killed
mid-job."""

import time

from studio.core import events as ev
from studio.engine import bootstrap


def run(payload, channel):
    bootstrap.start(payload["backend"], payload["device"])
    channel.on_gone(lambda: None, grace=1)  # like the real handlers: nothing to clean up, end soon
    channel.emit(ev.Log(message="working"))
    time.sleep(600)
    return {}
