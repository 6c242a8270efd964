"""Live workflows of recently changed cases, so that the next change of a case in this process
skips deserializing it.

An entry is keyed by the case and the case row's version at the moment its state was committed.
A request *takes* the entry (removing it) and uses it only when the version it has just read under
lock is the same: then nothing has changed the stored state since, and the object is exactly
what that state describes. If the request fails, the taken object is simply dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from engine.workflow.case_workflow import CaseWorkflow


class WorkflowCache:
    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[int, CaseWorkflow]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def take(self, case_id: int, version: int) -> CaseWorkflow | None:
        with self._lock:
            entry = self._entries.pop(case_id, None)
            if entry is not None and entry[0] == version:
                self.hits += 1
                return entry[1]
            self.misses += 1
            return None

    def put(self, case_id: int, version: int, workflow: CaseWorkflow) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[case_id] = (version, workflow)
            self._entries.move_to_end(case_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
