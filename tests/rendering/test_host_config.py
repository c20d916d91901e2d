"""The host config (``<target>/mailoauth.yaml``) a file-based target's host reads: exactly the
source config's provider, app, mailboxes and target, as mailoauth-cfg loads them, and nothing
of any other target."""

from __future__ import annotations

from pathlib import Path

from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.targets import plugin
from tests.rendering.support import golden_cases, render_config


def _dump(model: object) -> object:
    return model.model_dump(mode="json", exclude={"ca_bundle"})  # type: ignore[attr-defined]


def test_each_host_config_is_its_target_as_the_source_declares_it(tmp_path: Path) -> None:
    checked = 0
    for case, (config, secrets, _golden) in golden_cases(tmp_path).items():
        source = build_config(load_config(config)).config
        assert source is not None, case
        result = render_config(config, secrets)
        for f in result.files:
            name, _, rest = f.path.partition("/")
            if rest != "mailoauth.yaml":
                continue
            written = tmp_path / case / f.path
            written.parent.mkdir(parents=True, exist_ok=True)
            written.write_bytes(f.content)
            loaded = build_config(load_config(written))
            assert loaded.config is not None, (case, f.path, loaded.findings)
            host = loaded.config
            assert list(host.targets) == [name], (case, f.path)
            target = source.targets[name]
            assert plugin(target.type).facts.token_sink == "file", (case, name)
            assert _dump(host.targets[name]) == _dump(target), (case, name)
            assert {a: _dump(v) for a, v in host.apps.items()} == {
                target.app: _dump(source.apps[target.app])
            }
            provider = source.apps[target.app].provider
            assert {p: _dump(v) for p, v in host.providers.items()} == {
                provider: _dump(source.providers[provider])
            }
            assert sorted(u.email for u in host.users) == sorted(target.users)
            checked += 1
    assert checked >= 5
