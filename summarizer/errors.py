"""Every error `summarizer` raises on purpose, each with a message a user can act on.

    SummarizerError                    base: `str(err)` is one line that names the fix
    ├── ConfigError                    bad flag, profile, settings or template folder
    ├── InputError                     a file we cannot read as an article (carries the path)
    │   └── EmptyInputError            nothing left after cleaning
    ├── PromptError                    a template is missing, malformed or lacks variables
    ├── HistoryError                   the run history file cannot be read (writing it never fails a run)
    ├── RequestDeferred                provider-batch mode: a needed answer is not cached yet
    ├── EndpointError                  the model server said no, or could not be reached
    │   ├── EndpointUnreachableError   connection refused / DNS / timeout after retries
    │   ├── AuthenticationError        401/403: wrong or missing key
    │   ├── ModelNotFoundError         404 for the model
    │   ├── ContextOverflowError       prompt longer than the model's window
    │   ├── RateLimitError             429 that outlived every retry, or quota exhausted
    │   └── ServerError                5xx that outlived every retry, or an unusable reply
    ├── OutputValidationError          the model's answer never fit the schema (after repairs)
    │   ├── OutputTruncatedError       finish_reason "length": the answer was cut off
    │   └── FaithfulnessError          --strict and a check found an error (changed number, ...)
    └── BudgetError                    a --max-cost/--max-tokens cap stopped the work
        ├── EstimateOverBudget         refused before the run: the estimate alone passes the cap
        └── BudgetReached              the next request could pass the cap: nothing more is sent

The CLI is the only place that turns these into exit codes and one-line messages; the library raises
them `from` the underlying exception so `--verbose` can show the cause. `ExitCode` is the one table of
exit codes: each class names its code from it, and the CLI exits with its members.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Every exit code of the `summarizer` command. An IntEnum, so `sys.exit` and `==` see plain ints."""

    OK = 0  # every file done; `doctor`: ready; `check`: no error-severity finding
    FAILED = 1  # some work failed (batch articles, provider-batch lines); `doctor`: not ready; `check`: an error
    USAGE = 2  # bad input file, flag, profile, settings or template
    ENDPOINT = 3  # the model server said no, or could not be reached
    INVALID_ANSWER = 4  # the answers never fit the schema, were cut off, or --strict found a changed fact
    BUDGET = 5  # a --max-cost/--max-tokens cap refused the run or stopped it; a higher cap resumes
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, what a shell reports for a killed command


class SummarizerError(Exception):
    """Base class. `hint` is the fix, shown after the message."""

    exit_code = ExitCode.FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(SummarizerError):
    """A bad flag, profile, settings value or template folder."""

    exit_code = ExitCode.USAGE


class InputError(SummarizerError):
    """A file we cannot read as an article; `path` names it."""

    exit_code = ExitCode.USAGE

    def __init__(self, path: str | Path, message: str, *, hint: str | None = None) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {message}", hint=hint)


class EmptyInputError(InputError):
    """Nothing is left after cleaning."""


class PromptError(SummarizerError):
    """A template is missing, malformed or lacks variables."""

    exit_code = ExitCode.USAGE


class EndpointError(SummarizerError):
    """The model server said no (`status` is its HTTP status, when there was one), or could not be reached."""

    exit_code = ExitCode.ENDPOINT

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class EndpointUnreachableError(EndpointError):
    """Connection refused, DNS failure or timeout after every retry."""


class AuthenticationError(EndpointError):
    """401/403: a wrong or missing key."""


class ModelNotFoundError(EndpointError):
    """404 for the model."""


class ContextOverflowError(EndpointError):
    """The prompt is longer than the model's window. `context_size`: the window the server says it
    has (parsed from its message), when it says."""

    context_size: int | None = None


class RateLimitError(EndpointError):
    """429 that outlived every retry, or an exhausted quota."""


class ServerError(EndpointError):
    """5xx that outlived every retry, or an unusable reply."""


class HistoryError(SummarizerError):
    """The run history database cannot be read (a `history` command); recording a run never raises it."""

    exit_code = ExitCode.FAILED


class RequestDeferred(SummarizerError):
    """Offline/provider-batch mode: the answer is not cached yet; the request was exported instead."""

    exit_code = ExitCode.FAILED


class OutputValidationError(SummarizerError):
    """The reply never validated. Carries what we know for diagnosis (never the API key)."""

    exit_code = ExitCode.INVALID_ANSWER

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        attempts: int = 0,
        last_content: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.attempts = attempts
        self.last_content = last_content


class OutputTruncatedError(OutputValidationError):
    """finish_reason "length": the answer was cut off."""


class FaithfulnessError(OutputValidationError):
    """--strict: the answer was valid JSON but a check found a changed or missing fact."""


class BudgetError(SummarizerError):
    """A spending cap (--max-cost/--max-tokens) stopped the work."""

    exit_code = ExitCode.BUDGET


class EstimateOverBudget(BudgetError):
    """The estimate of the work to do already passes the cap: nothing was sent (--start-anyway runs what fits)."""


class BudgetReached(BudgetError):
    """The next request, bounded by its max_tokens, could pass the cap: it was not sent."""
