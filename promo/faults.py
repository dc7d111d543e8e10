"""Faults on purpose, for the fault tests only: a participant's contact named in SLIPCHECK_FAULTS makes the
reading of their photos hang, freeze, crash the worker process or raise, as a pathological photo would.

Only the test settings read SLIPCHECK_FAULTS from the environment; everywhere else it is empty and this does
nothing.
"""

import os
import signal
import time

from django.conf import settings

from promo.models import Submission


def inject(submission: Submission) -> None:
    faults = getattr(settings, "SLIPCHECK_FAULTS", None)
    if not faults:
        return
    fault = faults.get(submission.participant.contact)
    if fault == "hang":  # a reading that never ends, but yields to the soft time limit
        time.sleep(3600)
    elif fault == "freeze":  # stuck in native code: deaf to the soft limit, only the hard limit ends it
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        time.sleep(3600)
    elif fault == "crash":  # the process dies, as a native library's segfault kills it
        os.kill(os.getpid(), signal.SIGKILL)
    elif fault == "error":
        raise RuntimeError("recognition failed on this photo")
