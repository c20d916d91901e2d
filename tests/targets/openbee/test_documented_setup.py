"""Open Bee's documented setup (help.openbee.com, "Office 365 and G Suite SMTP configuration"):
five delegated Graph permissions with admin consent, and the SMTP relays since 6.10.3. The
shipped example registers exactly those, validates clean, and the README names that version
(from the kind's facts)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.targets.openbee.facts import FACTS, VERSIONS
from mailoauth_cfg.targets.openbee.model import OpenbeeTarget
from mailoauth_cfg.validation import validate_file
from tests.rendering.support import AS_OF, CANARIES, EXAMPLE_DIR, golden_case, render_config


def test_the_example_registers_the_five_documented_permissions() -> None:
    config = build_config(load_config(EXAMPLE_DIR / "mailoauth.yaml")).config
    assert config is not None
    profile = FACTS.microsoft
    assert profile is not None
    assert len(profile.documented_permissions) == 5
    apps = {t.app for t in config.targets.values() if isinstance(t, OpenbeeTarget)}
    assert apps
    for name in apps:
        declared = config.apps[name].permissions
        assert declared is not None
        assert sorted(declared) == sorted(profile.documented_permissions), name
        assert config.apps[name].admin_consent is True
    report = validate_file(EXAMPLE_DIR / "mailoauth.yaml", as_of=dt.date.fromisoformat(AS_OF))
    about = [f for f in report.findings if f.object and str(f.object) in {f"app:{a}" for a in apps}]
    assert about == []


def test_the_readme_names_the_version_of_the_smtp_relays(tmp_path: Path) -> None:
    since = VERSIONS.requirements[0].since
    assert since == "6.10.3"
    result = render_config(golden_case(tmp_path), CANARIES, only=["portal"])
    readme = next(f for f in result.files if f.path == "portal/README.md").content.decode()
    assert f"Open Bee Portal {since} or later" in readme
