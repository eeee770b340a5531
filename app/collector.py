"""Python's garbage collector set for a long-running process: gunicorn's workers and the timer worker.

A request or a timer batch allocates tens of thousands of short-lived objects (SQLAlchemy rows and states, the
engine's task tree, JSON), so with Python's default thresholds (700, 10, 10) the collector runs a young-generation
pass every few hundred of them and now and then a full pass over everything the process holds: the app, its
mappers and compiled statements, every parsed diagram. Two changes, both measured on the timer worker in one
process (bench/README.md, "Eleventh pass"):

- `gc.freeze()` once the app is loaded: what exists then lives as long as the process, so full passes no longer
  walk it (0.13-0.15 -> 0.06-0.08 ms of collection per timer fired);
- a young generation of 20,000 objects, with older generations passed over less often: about 5 % less CPU per
  timer. Garbage in reference cycles (the engine's tasks and their workflow point at each other) is still collected,
  at most some megabytes later.
"""

import gc

THRESHOLDS = (20_000, 50, 100)


def settle() -> None:
    """Freeze what the process holds now and set the thresholds above; call once the app is loaded."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
