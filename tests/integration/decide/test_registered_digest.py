"""A registered model is served only while its bundle's manifest still has the sha256 the registry recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskloop.config import load_settings
from riskloop.errors import DataSourceError
from riskloop.service.runtime import Runtime
from riskloop.workspace import Workspace


def test_a_bundle_changed_after_registration_is_refused(workspace_copy: Path, tmp_path: Path) -> None:
    with Workspace.open(load_settings(workspace_copy)) as ws:
        bundle = tmp_path / "bundle"
        shutil.copytree(ws.model_folder(), bundle)
        model_id = ws.model_registry().register(bundle, "copied", "fused-ensemble", {}, {}, [])
        assert ws.decider(Runtime(model=model_id)).scorer is not None  # intact: served
        manifest = bundle / "manifest.json"
        manifest.write_text(manifest.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # still a valid manifest
        for model in (model_id, str(bundle)):  # by registry id and by folder
            with pytest.raises(DataSourceError, match="does not match the registered"):
                ws.decider(Runtime(model=model))
