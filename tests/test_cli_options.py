"""`summarizer.cli.options`: the one flag -> Settings table, and the shared-option signatures."""

from __future__ import annotations

import inspect
from typing import Annotated

import pytest
import typer

from summarizer.cli.options import FLAG_TO_SETTING, SHARED_OPTIONS, ModeChoice, command_options, settings_flags
from summarizer.config import Settings


def test_every_flag_names_a_real_settings_field():
    assert sorted(field for field, _ in FLAG_TO_SETTING.values() if field not in Settings.model_fields) == []


def test_switches_that_are_off_mean_not_given_so_env_and_profile_win():
    off = settings_flags({"no_cache": False, "strict": False, "repair": False, "no_checks": False, "no_thinking": False, "structured_mode": None})
    assert set(off.values()) == {None}
    on = settings_flags({"no_cache": True, "strict": True, "repair": True, "no_checks": True, "no_thinking": True, "structured_mode": ModeChoice.json_object})
    assert on == {"use_cache": False, "strict": True, "repair": True, "run_checks": False, "thinking": "off", "structured_mode": "json_object"}


def test_parameters_outside_the_table_are_left_out():
    assert settings_flags({"files": ["a.txt"], "verbose": True, "prompts": "p/", "glossary": "g.csv"}) == {"prompts_dir": "p/", "glossary_file": "g.csv"}


def test_command_options_builds_the_signature_in_the_order_given():
    @command_options("files", "model", "extra", "verbose")
    def command(*, files, extra: Annotated[int, typer.Option("--extra")] = 3, verbose, **settings_options) -> None:
        pass

    parameters = inspect.signature(command).parameters
    assert list(parameters) == ["files", "model", "extra", "verbose"]
    assert parameters["model"].annotation is SHARED_OPTIONS["model"][0] and parameters["model"].default is None
    assert parameters["extra"].default == 3 and parameters["verbose"].default is False


def test_command_options_refuses_a_parameter_it_does_not_know():
    with pytest.raises(TypeError, match="nonesuch"):
        @command_options("files", "nonesuch")
        def command(*, files, **settings_options) -> None:
            pass

    with pytest.raises(TypeError, match="forgotten"):
        @command_options("files")
        def other(*, files, forgotten: int = 1, **settings_options) -> None:
            pass


def test_a_command_group_can_share_its_own_option_bundle():
    ref = Annotated[str, typer.Option("--ref")]
    bundle = {"ref": (ref, "r.txt"), "verbose": (SHARED_OPTIONS["verbose"][0], False)}

    @command_options("hyp", "ref", "verbose", shared=bundle)
    def command(*, hyp: Annotated[str, typer.Argument()], ref, verbose) -> None:
        pass

    parameters = inspect.signature(command).parameters
    assert list(parameters) == ["hyp", "ref", "verbose"]
    assert parameters["ref"].annotation is ref and parameters["ref"].default == "r.txt"
    with pytest.raises(TypeError, match="model"):  # the default bundle is not consulted
        command_options("hyp", "model", shared=bundle)(lambda *, hyp: None)
