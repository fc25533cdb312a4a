"""Prompt templates: TOML files under `prompts/`, rendered with Jinja2, versioned by content hash.

A template file holds `description`, `output` (the name of a model in `summarizer.schemas`),
`[parameters]` (sent with the request, e.g. temperature) and `[messages]` with `system` and `user`
Jinja2 texts. The hash of the file's bytes is its version: editing a template changes the cache key,
so stale answers are never reused.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from summarizer._text import pydantic_problems
from summarizer.errors import PromptError
from summarizer.schemas import OUTPUT_MODELS

BUILTIN_PROMPTS_DIR = Path(__file__).parent / "prompts"
REQUIRED_TEMPLATES = ("brief", "translate_chunk", "summarize")
ALLOWED_PARAMETERS = {"temperature", "top_p", "seed", "presence_penalty", "frequency_penalty"}


class _Messages(BaseModel):
    model_config = ConfigDict(extra="forbid")
    system: str
    user: str


class _TemplateFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    output: str
    parameters: dict[str, Any] = {}
    messages: _Messages


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    path: Path
    version: str
    description: str
    output_name: str
    parameters: dict[str, Any]
    system: str
    user: str

    @property
    def _compiled(self) -> dict:
        return _compiled_forms(self.system, self.user)

    @property
    def output_model(self) -> type[BaseModel]:
        return OUTPUT_MODELS[self.output_name]

    @property
    def variables(self) -> frozenset[str]:
        if "variables" not in self._compiled:
            from jinja2 import meta

            names: set[str] = set()
            for tree in self._trees():
                names |= meta.find_undeclared_variables(tree)
            self._compiled["variables"] = frozenset(names)
        return self._compiled["variables"]

    def _trees(self):
        """The parsed system and user texts, once: both the variable check and the compiler read them
        (parsing is about half of a template's compile time, paid at every run's start)."""
        if "trees" not in self._compiled:
            env = _environment()
            self._compiled["trees"] = (env.parse(self.system), env.parse(self.user))
        return self._compiled["trees"]

    def _templates(self):
        """Compiled once per template: compiling costs far more than rendering (measured ~8 ms/request)."""
        if "pair" not in self._compiled:
            env = _environment()
            system, user = self._trees()
            self._compiled["pair"] = (env.from_string(system), env.from_string(user))
        return self._compiled["pair"]

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """Chat messages for these variables. Reports every missing variable at once."""
        missing = sorted(self.variables - variables.keys())
        if missing:
            raise PromptError(
                f"template {self.name!r} ({self.path}) needs variables it was not given: {', '.join(missing)}",
                hint="use only the documented variables (see `summarizer prompts show NAME`)",
            )
        from jinja2 import TemplateError

        try:
            system_template, user_template = self._templates()
            system = system_template.render(**variables).strip()
            user = user_template.render(**variables).strip()
        except TemplateError as exc:
            raise PromptError(f"template {self.name!r} ({self.path}) failed to render: {exc}") from exc
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]


@functools.lru_cache(maxsize=64)
def _compiled_forms(system: str, user: str) -> dict:
    """The parsed trees, compiled templates and variables of one template's texts, filled in as they
    are first needed and shared by every PromptTemplate of the process with the same texts: a new
    Session (a notebook's next batch, a service's next request) loads its templates again, and parsing
    and compiling the brief's and a chunk's took ~8 ms before its first request. The same environment
    compiles them all, so sharing changes nothing but the time."""
    return {}


_ENVIRONMENT = None


def _environment():
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        from jinja2 import Environment, StrictUndefined

        # autoescape off: these are prompts, not HTML. StrictUndefined: a typo is an error, not "".
        _ENVIRONMENT = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)
    return _ENVIRONMENT


def load_template(path: Path) -> PromptTemplate:
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise PromptError(f"template file not found: {path}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PromptError(f"{path}: not a valid TOML template: {exc}", hint="see prompts/brief.toml for the format") from exc
    try:
        parsed = _TemplateFile.model_validate(data)
    except ValidationError as exc:
        raise PromptError(f"{path}: {pydantic_problems(exc)}", hint="a template needs `output`, [messages] system and user") from None
    if parsed.output not in OUTPUT_MODELS:
        raise PromptError(f"{path}: unknown output {parsed.output!r}", hint=f"use one of: {', '.join(OUTPUT_MODELS)}")
    unknown = set(parsed.parameters) - ALLOWED_PARAMETERS
    if unknown:
        raise PromptError(f"{path}: unsupported parameters {sorted(unknown)}", hint=f"allowed: {sorted(ALLOWED_PARAMETERS)}")
    return PromptTemplate(
        name=path.stem,
        path=path,
        version=hashlib.sha256(raw).hexdigest()[:12],
        description=parsed.description,
        output_name=parsed.output,
        parameters=dict(parsed.parameters),
        system=parsed.messages.system,
        user=parsed.messages.user,
    )


class PromptLibrary:
    """The templates of one folder; names missing from a user folder fall back to the built-ins."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory).expanduser() if directory else BUILTIN_PROMPTS_DIR
        if not self.directory.is_dir():
            raise PromptError(f"prompts folder not found: {self.directory}", hint="pass --prompts DIR with .toml templates")
        self._templates: dict[str, PromptTemplate] = {}

    def names(self) -> list[str]:
        names = {p.stem for p in self.directory.glob("*.toml")} | set(REQUIRED_TEMPLATES)
        return sorted(names)

    def path_for(self, name: str) -> Path:
        own = self.directory / f"{name}.toml"
        if own.is_file():
            return own
        builtin = BUILTIN_PROMPTS_DIR / f"{name}.toml"
        if builtin.is_file():
            return builtin
        raise PromptError(f"no template named {name!r} in {self.directory}", hint=f"available: {', '.join(self.names())}")

    def get(self, name: str) -> PromptTemplate:
        if name not in self._templates:
            self._templates[name] = load_template(self.path_for(name))
        return self._templates[name]
