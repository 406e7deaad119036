"""An engine worker (the evaluate/export protocol) whose job never ends, so its parent can be killed mid-job."""

import sys
import time

from studio.engine.evaluate_worker import send, serve


def handle(request):
    send("log", message="working")
    time.sleep(600)
    return {}


if __name__ == "__main__":
    sys.exit(serve(handle))
