"""`run.json`: the settings a batch started with, so that re-running it resumes the same run.

Written atomically into --out when a run starts (and kept from then on): the endpoint (base URL, or
the GGUF an embedded server ran), model, profile, prompts folder, task, format and the version (content
hash) of each template. Never the API key: the key comes from the environment or profile each time.

- `resume_flags` (before anything is sent): the flags the user left out are filled in from the
  stored run; a flag that contradicts it is a ConfigError naming the flag and the stored value.
- `check_same_run` (when the run starts, with the settled session): the effective settings must be
  those of the started run, else the outputs in one folder would mix models, tasks or templates.
Flags that do not change the results (--concurrency, --rpm, --tpm, caps, --quiet) are not stored.
Until an article is done there is nothing to mix up: a run whose articles all failed (a wrong URL, a
server down) may be started again with other settings, which then replace the stored ones.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.batch.manifest import MANIFEST_NAME, Manifest
from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from summarizer.api import Session

RUN_SETTINGS_NAME = "run.json"
# the folder is the run: a different result needs a folder of its own
_FIX = "use a new --out for a different run, or leave the flag out to resume this one"


@dataclass(frozen=True)
class RunSettings:
    endpoint: str  # the base URL, or "gguf:PATH" for an embedded llama.cpp server (its port changes)
    model: str | None
    task: str
    fmt: str
    profile: str | None = None
    prompts_dir: str | None = None
    prompts: dict[str, str] = field(default_factory=dict)  # template name -> version (content hash)

    @classmethod
    def of(cls, session: Session, *, task: str, fmt: str, gguf: Path | None = None) -> RunSettings:
        from summarizer.prompts import REQUIRED_TEMPLATES

        settings = session.settings
        return cls(
            endpoint=f"gguf:{Path(gguf).resolve()}" if gguf is not None else settings.effective_base_url,
            model=settings.model, task=task, fmt=fmt, profile=settings.profile,
            prompts_dir=str(Path(settings.prompts_dir).expanduser().resolve()) if settings.prompts_dir else None,
            prompts={name: session.prompts.get(name).version for name in REQUIRED_TEMPLATES},
        )

    @property
    def base_url(self) -> str | None:
        return None if self.endpoint.startswith("gguf:") else self.endpoint

    @property
    def gguf(self) -> str | None:
        return self.endpoint[len("gguf:"):] if self.endpoint.startswith("gguf:") else None

    def describe(self) -> str:
        where = f"the GGUF {self.gguf}" if self.gguf else self.endpoint
        return f"model {self.model or '(the one served)'} at {where}, {self.task}, --format {self.fmt}"


def read_run_settings(out_dir: Path) -> RunSettings | None:
    """The settings of the run started in `out_dir`, or None when none was (or before this file existed),
    or when no article is done there yet."""
    path = out_dir / RUN_SETTINGS_NAME
    if not path.is_file() or not _any_done(out_dir):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RunSettings(**{key: data.get(key) for key in ("endpoint", "model", "task", "fmt", "profile", "prompts_dir")},
                           prompts=dict(data.get("prompts") or {}))
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path} is not readable ({exc})", hint="restore it, or use a new --out") from None


def _any_done(out_dir: Path) -> bool:
    return any(entry["state"] == "done" for entry in Manifest(out_dir / MANIFEST_NAME).earlier.values())


def write_run_settings(out_dir: Path, run: RunSettings) -> None:
    from summarizer.outputs import write_atomic

    write_atomic(out_dir / RUN_SETTINGS_NAME, json.dumps(asdict(run), indent=2, ensure_ascii=False) + "\n")


@dataclass
class Resumed:
    """What `resume_flags` settled: the Settings flags, task and format to run with, and the stored run."""

    flags: dict[str, Any]
    task: str
    fmt: str
    stored: RunSettings | None = None
    filled: list[str] = field(default_factory=list)  # the settings taken from the stored run

    def note(self, out_dir: Path) -> str | None:
        """The stderr line when the stored run supplied settings the flags left out."""
        if self.stored is None or not self.filled:
            return None
        return f"resuming with the settings of the run in {out_dir}: {self.stored.describe()}"


def _same_url(given: str, stored: str) -> bool:
    from summarizer.config import with_scheme

    try:
        return with_scheme(given).rstrip("/") == stored.rstrip("/")
    except ConfigError:
        return False


def _conflict(out_dir: Path, flag: str, given: Any, stored: Any) -> ConfigError:
    return ConfigError(f"{flag} {given} conflicts with the run started in {out_dir}, which used {stored}", hint=_FIX)


def resume_flags(out_dir: Path, flags: dict[str, Any], *, task: str | None, fmt: str | None, gguf: Path | None = None) -> Resumed:
    """Fill the flags left out (None) from the run stored in `out_dir`; ConfigError for a contradicting one.
    `task`/`fmt` None: not given (summarize / md for a new run). Reads only `out_dir`: nothing is sent."""
    stored = read_run_settings(out_dir) if out_dir.is_dir() else None
    if stored is None:
        return Resumed(dict(flags), task or "summarize", fmt or "md")
    flags, filled = dict(flags), []
    if (gguf is not None) != (stored.gguf is not None):
        given = f"--gguf {gguf}" if gguf is not None else "no --gguf"
        raise _conflict(out_dir, given, "", f"--gguf {stored.gguf}" if stored.gguf else stored.endpoint)
    if gguf is not None and str(Path(gguf).resolve()) != stored.gguf:
        raise _conflict(out_dir, "--gguf", gguf, stored.gguf)
    if task is not None and task != stored.task:
        raise _conflict(out_dir, "--translate-only" if task == "translate" else "summarize (no --translate-only)", "", f"task {stored.task}")
    if fmt is not None and fmt != stored.fmt:
        raise _conflict(out_dir, "--format", fmt, f"--format {stored.fmt}")
    checks = [("model", "--model", stored.model, lambda a, b: a == b), ("profile", "--profile", stored.profile, lambda a, b: a == b),
              ("prompts_dir", "--prompts", stored.prompts_dir, lambda a, b: str(Path(a).expanduser().resolve()) == b)]
    if stored.base_url is not None:
        checks.append(("base_url", "--base-url", stored.base_url, _same_url))
    for name, flag, value, same in checks:
        if flags.get(name) is None:
            if value is not None:
                flags[name] = Path(value) if name == "prompts_dir" else value
                filled.append(name)
        elif value is not None and not same(flags[name], value):
            raise _conflict(out_dir, flag, flags[name], f"{flag} {value}")
    return Resumed(flags, stored.task, stored.fmt, stored, filled + [name for name, given in (("task", task), ("fmt", fmt)) if given is None])


def check_same_run(out_dir: Path, stored: RunSettings, current: RunSettings) -> None:
    """ConfigError when the settled settings of this run differ from those the run in `out_dir` started with."""
    for name, flag in (("endpoint", "--base-url"), ("model", "--model"), ("task", "--translate-only"), ("fmt", "--format")):
        if getattr(stored, name) != getattr(current, name):
            raise _conflict(out_dir, flag, f"(now {getattr(current, name)})", getattr(stored, name))
    for name, version in stored.prompts.items():
        if current.prompts.get(name) != version:
            raise ConfigError(
                f"the template {name!r} changed since the run in {out_dir} started (version {version}, now {current.prompts.get(name)})",
                hint="restore the template, or use a new --out for the new prompts (--retry-failed does not override this)",
            )


def remember_or_check(out_dir: Path, current: RunSettings) -> None:
    """At a run's start: store `current` for a new run, or check it against the started one."""
    stored = read_run_settings(out_dir)
    if stored is None:
        write_run_settings(out_dir, current)
    else:
        check_same_run(out_dir, stored, current)
