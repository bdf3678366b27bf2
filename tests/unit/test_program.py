"""The program entry (`__main__.py` -> stacks/program.py run) as `pulumi up` runs it."""

from __future__ import annotations

import json

import pulumi
import pytest

from config.loader import check_config
from planner import run as planner_run
from planner.mocks import RecordingMonitor
from planner.stackfile import read_stack
from stacks import program
from tests.conftest import PROJECT_DIR


def test_invalid_config_fails_before_any_resource_is_registered(monkeypatch):
    monitors: list[RecordingMonitor] = []

    class Spy(RecordingMonitor):
        def __init__(self, mocks):
            super().__init__(mocks)
            monitors.append(self)

    monkeypatch.setattr(planner_run, "RecordingMonitor", Spy)
    config = dict(read_stack(PROJECT_DIR, "dev").config)
    config["llm-platform:netwrok"] = "{}"
    with pytest.raises(pulumi.RunError, match=r"llm-platform:netwrok: unknown key"):
        planner_run.run_under_mocks(program.run, project="llm-platform", stack="dev", config=config)
    (monitor,) = monitors
    assert monitor.records == []
    # The same machinery does record a valid program, so the empty list above means something.
    del config["llm-platform:netwrok"]
    planner_run.run_under_mocks(program.run, project="llm-platform", stack="dev", config=config)
    assert len(monitors[1].records) > 40


def test_config_is_read_from_everything_the_engine_passes(monkeypatch):
    # Under `pulumi up` config may arrive as PULUMI_CONFIG as well as through the runtime settings.
    monkeypatch.setenv(
        "PULUMI_CONFIG",
        json.dumps(
            {"llm-platform:extra": "1", "aws:region": "eu-west-1", "aws:profile": "x", "other:key": "y"}
        ),
    )
    keys = program.runtime_config_map()
    # Every key reaches the loader, whatever its namespace: it must see a key nothing reads to refuse it.
    assert {"llm-platform:extra", "aws:region", "aws:profile", "other:key"} <= set(keys)
    flagged = {i.key for i in check_config(keys).issues}
    assert {"llm-platform:extra", "other:key"} <= flagged
    assert "aws:profile" not in flagged and "aws:region" not in flagged
