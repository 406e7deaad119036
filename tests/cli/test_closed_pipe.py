"""`keras-studio … | head -1`: a reader that stops early ends the command quietly, without a traceback."""

import subprocess
import sys


def test_a_closed_pipe_is_no_traceback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "studio", "check", "optimization_lab", "--no-data"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
