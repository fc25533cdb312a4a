"""Talking to OpenAI-compatible endpoints.

    client      LLMClient: structured requests, modes and their fallback, repairs, retries, cache
    errors      the SDK's exceptions -> ours, through one table (map_error)
    transport   response size limits, timeouts, what a refused connection looks like
    dialects    the ONE place that knows server kinds: detection, probes, extra fields, error messages
    discovery   first contact with an endpoint: probe once, pick or check the model, remember
    schema_bounds  maxLength/maxItems for servers that enforce them, fitted so the answer fits max_tokens

Imports point down: client -> errors -> transport, schema_bounds -> dialects; nothing here imports the pipeline.
"""

from summarizer.llm.client import (
    LLMClient,
    StructuredReply,
    answered_model,
    repeated_span,
    request_extra_fields,
    server_kind,
)
from summarizer.llm.dialects import THINKING_OFF_FIELDS
from summarizer.llm.errors import is_transient, map_error, server_requested_wait
from summarizer.llm.transport import MAX_RESPONSE_BYTES, ResponseTooLarge

# kept for callers of the old module: the one redaction policy lives in summarizer._text
from summarizer._text import redact  # noqa: E402

__all__ = [
    "LLMClient",
    "StructuredReply",
    "answered_model",
    "repeated_span",
    "request_extra_fields",
    "server_kind",
    "THINKING_OFF_FIELDS",
    "is_transient",
    "map_error",
    "server_requested_wait",
    "MAX_RESPONSE_BYTES",
    "ResponseTooLarge",
    "redact",
]
