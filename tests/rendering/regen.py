"""Regenerate the golden files: ``python -m tests.rendering.regen``.

Renders each golden case with its canary secrets and replaces its directory under
``tests/rendering/golden/`` with the result, ``manifest.json`` included:

* ``contoso``: examples/contoso (its wavesoft secret read from ``WAVESOFT_MAIL_SECRET``
  instead of a file);
* ``variants``: tests/rendering/cases/variants, the other provider of each target type.

Review the diff (``git diff tests/rendering/golden``) before committing it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from mailoauth_cfg.rendering.writer import MANIFEST, manifest_bytes
from tests.rendering.support import golden_cases, render_config


def regenerate() -> dict[Path, int]:
    """Write every golden tree; returns the number of files per directory."""
    written: dict[Path, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for config, secrets, destination in golden_cases(Path(tmp)).values():
            result = render_config(config, secrets)
            if result.findings:
                for finding in result.findings:
                    sys.stderr.write(f"{config}: {finding.message}\n")
                raise SystemExit(1)
            if destination.exists():
                shutil.rmtree(destination)
            for f in result.files:
                path = destination / f.path
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(f.content)
            (destination / MANIFEST).write_bytes(manifest_bytes(result.files))
            written[destination] = len(result.files) + 1
    return written


def main() -> None:
    """Entry point of ``python -m tests.rendering.regen``."""
    for destination, count in regenerate().items():
        print(f"wrote {count} files to {destination}")


if __name__ == "__main__":
    main()
