"""The composite GitHub Action (action.yml) and the workflows of docs/ci.md.

* actionlint (with shellcheck on ``run:`` scripts) checks a workflow that uses the action with
  its inputs, the action's own steps, and every workflow shown in docs/ci.md and README.md.
* The action's shell steps run here in order, as the runner runs a composite action (bash with
  ``-eo pipefail``, ``$GITHUB_OUTPUT``, inputs through ``env:``), on a clean and a broken config.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLE_DIR, REPO
from tests.tools import python_tool, version

ACTION = REPO / "action.yml"


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return loaded


def _actionlint(root: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    binary = python_tool("actionlint")
    shellcheck = python_tool("shellcheck")
    print(version([str(binary), "-version"]), "/", version([str(shellcheck), "--version"]))
    return subprocess.run(
        [str(binary), "-no-color", "-oneline", "-shellcheck", str(shellcheck), "-pyflakes", "",
         *(str(f) for f in files)],
        cwd=root, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _repository(tmp_path: Path, workflow: str) -> tuple[Path, Path]:
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    shutil.copy2(ACTION, root / "action.yml")
    path = root / ".github" / "workflows" / "mail.yml"
    path.write_text(workflow, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # actionlint's project root
    return root, path


USE = """\
name: mail OAuth config
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - id: mailoauth
        uses: ./
        with:
          config: mail/mailoauth.yaml mail/other.yaml
          fail-on: warning
          as-of: "2026-11-22"
          {extra}
      - if: always()
        run: echo "exit code ${{{{ steps.mailoauth.outputs.exit-code }}}}"
"""


def test_workflow_using_the_action_passes_actionlint(tmp_path: Path) -> None:
    root, workflow = _repository(tmp_path, USE.format(extra='upload-sarif: "false"'))
    done = _actionlint(root, workflow)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_reads_the_action_inputs(tmp_path: Path) -> None:
    """The check above can fail: an input the action does not declare is refused."""
    root, workflow = _repository(tmp_path, USE.format(extra="confg: mailoauth.yaml"))
    done = _actionlint(root, workflow)
    assert done.returncode == 1
    assert "confg" in done.stdout


def _as_workflow(action: dict[str, Any]) -> str:
    """The action's steps as a reusable workflow, so actionlint and shellcheck check them."""
    inputs = {
        name: {"type": "string", "required": False, "default": spec.get("default", "")}
        for name, spec in action["inputs"].items()
    }
    workflow = {
        "name": "action steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    return yaml.safe_dump(workflow, sort_keys=False)


def test_action_steps_pass_actionlint_and_shellcheck(
    action: dict[str, Any], tmp_path: Path
) -> None:
    assert action["runs"]["using"] == "composite"
    root, workflow = _repository(tmp_path, _as_workflow(action))
    done = _actionlint(root, workflow)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = copy.deepcopy(action)
    (validate,) = [step for step in broken["runs"]["steps"] if step.get("id") == "validate"]
    assert '"$SARIF_FILE"' in validate["run"]
    validate["run"] = validate["run"].replace('"$SARIF_FILE"', "$SARIF_FILE")
    workflow.write_text(_as_workflow(broken), encoding="utf-8")
    done = _actionlint(root, workflow)
    assert done.returncode == 1  # shellcheck runs: an unquoted variable is reported
    assert "SC2086" in done.stdout


def _documented_workflows() -> list[tuple[str, str]]:
    found = []
    for doc in (REPO / "docs" / "ci.md", REPO / "README.md"):
        text = doc.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S)):
            loaded = yaml.safe_load(block)
            if isinstance(loaded, dict) and "jobs" in loaded:
                found.append((f"{doc.name}#{number}", block))
    return found


def test_docs_show_workflows() -> None:
    names = [name for name, _ in _documented_workflows()]
    assert any(name.startswith("ci.md") for name in names)


@pytest.mark.parametrize(("name", "block"), _documented_workflows(), ids=lambda v: str(v)[:20])
def test_documented_workflows_pass_actionlint(tmp_path: Path, name: str, block: str) -> None:
    root, workflow = _repository(tmp_path, block)
    done = _actionlint(root, workflow)
    assert done.returncode == 0, f"{name}:\n{done.stdout}{done.stderr}"


# --- the action's shell steps, run as the runner runs them ---------------------------------


def _expand(value: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression == "github.action_path":
            return str(REPO)
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        assert step is not None, f"the local runner knows no {expression!r}"
        return outputs.get(step.group(1), {}).get(step.group(2), "")

    return re.sub(r"\$\{\{(.*?)\}\}", replace, value)


def _run_action(
    action: dict[str, Any], workspace: Path, given: dict[str, str]
) -> tuple[int, dict[str, dict[str, str]], str]:
    """Run the action's shell steps (not `uses:` ones, nor the install: the package under test
    is installed already). Returns the failing step's code (0), step outputs and stdout."""
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update(given)
    outputs: dict[str, dict[str, str]] = {}
    printed = []
    binaries = str(python_tool("mailoauth-cfg").parent)
    for step in action["runs"]["steps"]:
        if "uses" in step or step.get("id") == "install":
            continue
        assert step["shell"] == "bash"
        output_file = workspace / f".output-{len(printed)}"
        output_file.write_text("", encoding="utf-8")
        env = {
            **os.environ,
            "PATH": f"{binaries}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output_file),
            **{k: _expand(str(v), inputs, outputs) for k, v in step.get("env", {}).items()},
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        printed.append(done.stdout)
        if "id" in step:
            lines = output_file.read_text(encoding="utf-8").splitlines()
            outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
        if done.returncode != 0:
            return done.returncode, outputs, "".join(printed)
    return 0, outputs, "".join(printed)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(EXAMPLE_DIR.parent, root / "mail")
    return root


def test_clean_config_passes(action: dict[str, Any], workspace: Path) -> None:
    code, outputs, printed = _run_action(
        action, workspace, {"config": "mail/contoso/mailoauth.yaml", "as-of": "2026-11-22"}
    )
    assert code == 0, printed
    assert outputs["validate"] == {"exit-code": "0"}
    log = json.loads((workspace / "mailoauth-cfg.sarif").read_text(encoding="utf-8"))
    assert log["runs"][0]["results"] == []


def test_findings_are_annotated_and_fail_the_job(action: dict[str, Any], workspace: Path) -> None:
    code, outputs, printed = _run_action(
        action,
        workspace,
        {
            "config": "mail/broken/mailoauth.yaml mail/contoso/mailoauth.yaml",
            "as-of": "2026-11-22",
            "sarif-file": "out/findings.sarif",
        },
    )
    assert code == 1
    assert outputs["validate"] == {"exit-code": "1"}
    assert "::error file=mail/broken/mailoauth.yaml,line=" in printed
    log = json.loads((workspace / "out" / "findings.sarif").read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    assert results
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "mail/broken/mailoauth.yaml" in uris


def test_usage_error_stops_at_validation(action: dict[str, Any], workspace: Path) -> None:
    code, outputs, _ = _run_action(action, workspace, {"config": "mail/missing.yaml"})
    assert code == 2
    assert outputs["validate"] == {"exit-code": "2"}
