"""Every error `summarizer` raises on purpose, each with a message a user can act on.

    SummarizerError                    base: `str(err)` is one line that names the fix
    ├── ConfigError                    bad flag, profile, settings or template folder
    ├── InputError                     a file we cannot read as an article (carries the path)
    │   └── EmptyInputError            nothing left after cleaning
    ├── PromptError                    a template is missing, malformed or lacks variables
    ├── RequestDeferred                provider-batch mode: a needed answer is not cached yet
    ├── EndpointError                  the model server said no, or could not be reached
    │   ├── EndpointUnreachableError   connection refused / DNS / timeout after retries
    │   ├── AuthenticationError        401/403: wrong or missing key
    │   ├── ModelNotFoundError         404 for the model
    │   ├── ContextOverflowError       prompt longer than the model's window
    │   ├── RateLimitError             429 that outlived every retry, or quota exhausted
    │   └── ServerError                5xx that outlived every retry, or an unusable reply
    └── OutputValidationError          the model's answer never fit the schema (after repairs)
        ├── OutputTruncatedError       finish_reason "length": the answer was cut off
        └── FaithfulnessError          --strict and a check found an error (changed number, ...)

The CLI is the only place that turns these into exit codes and one-line messages; the library raises
them `from` the underlying exception so `--verbose` can show the cause.
"""

from __future__ import annotations

from pathlib import Path


class SummarizerError(Exception):
    """Base class. `hint` is the fix, shown after the message."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(SummarizerError):
    exit_code = 2


class InputError(SummarizerError):
    exit_code = 2

    def __init__(self, path: str | Path, message: str, *, hint: str | None = None) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: {message}", hint=hint)


class EmptyInputError(InputError):
    pass


class PromptError(SummarizerError):
    exit_code = 2


class EndpointError(SummarizerError):
    exit_code = 3

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class EndpointUnreachableError(EndpointError):
    pass


class AuthenticationError(EndpointError):
    pass


class ModelNotFoundError(EndpointError):
    pass


class ContextOverflowError(EndpointError):
    """`context_size`: the window the server says it has (parsed from its message), when it says."""

    context_size: int | None = None


class RateLimitError(EndpointError):
    pass


class ServerError(EndpointError):
    pass


class RequestDeferred(SummarizerError):
    """Offline/provider-batch mode: the answer is not cached yet; the request was exported instead."""

    exit_code = 1


class OutputValidationError(SummarizerError):
    """The reply never validated. Carries what we know for diagnosis (never the API key)."""

    exit_code = 4

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
    pass


class FaithfulnessError(OutputValidationError):
    """--strict: the answer was valid JSON but a check found a changed or missing fact."""
