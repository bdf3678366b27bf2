"""The errors the gateway itself answers, as OpenAI's API shapes them (`{"error": {message, type, param,
code}}`), so a client's OpenAI SDK raises its own AuthenticationError, PermissionDeniedError, NotFoundError or
RateLimitError instead of failing to parse a plain-text body.

They replace what Envoy and the AI Gateway say locally (Envoy Gateway v1.8 `responseOverride` with
`source: Local`): a missing or unknown key (401, api_key_auth), a model the key may not call (403, the
authorization filter; unknown models too, so a key learns nothing of models outside its list), the AI Gateway's
plain-text 404 for a path it does not serve, and a spent limit (429, the global rate limit).
"""

from __future__ import annotations

import json
from types import MappingProxyType

# A request over a per-minute limit may retry once its minute is over: at most this long. Envoy also sends
# x-ratelimit-reset, the exact seconds left (Envoy Gateway turns on draft-03 rate-limit headers by default).
RETRY_AFTER_S = 60

# Status -> (message, type, code), in the words and codes of OpenAI's API error reference.
ERRORS = MappingProxyType(
    {
        401: ("Missing or invalid API key: send it as `Authorization: Bearer <key>`.", "invalid_request_error",
              "invalid_api_key"),
        403: ("The model does not exist, or this API key may not use it.", "invalid_request_error",
              "model_not_found"),
        404: ("Unknown path or model: this endpoint serves /v1/chat/completions, /v1/completions, /v1/embeddings "
              "and /v1/models.", "invalid_request_error", "not_found"),
        429: ("Rate limit reached for this API key's tenant (requests or tokens per minute); retry after the "
              "Retry-After seconds.", "rate_limit_exceeded", "rate_limit_exceeded"),
    }
)  # fmt: skip


def error_body(status: int) -> str:
    message, kind, code = ERRORS[status]
    return json.dumps({"error": {"message": message, "type": kind, "param": None, "code": code}})
