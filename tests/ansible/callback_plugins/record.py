"""Test-only Ansible callback: append every task result as one JSON line to $MAILOAUTH_RECORD.

The default callback stays on stdout (with ``-vvv`` for the canary checks); this one gives the
tests structured results (``changed``, ``msg``, ``diff``...) of every task, after Ansible's own
censoring, without parsing human output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: record
type: notification
short_description: write task results as JSON lines (tests only)
description:
  - Appends one JSON object per task result to the file named by MAILOAUTH_RECORD.
"""


class CallbackModule(CallbackBase):  # type: ignore[misc]
    """Record task results as JSON lines."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status: str, result: Any) -> None:
        entry = {
            "status": status,
            "task": result.task.get_name(),
            "action": result.task.action,
            "host": result.host.get_name(),
            "result": result.result,
        }
        with Path(os.environ["MAILOAUTH_RECORD"]).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record("ok", result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record("failed", result)

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._record("unreachable", result)
