"""Google's ``multipart/mixed`` batch format, server side.

A batch request is ``POST /batch`` (``https://<api>.googleapis.com/batch`` in production) whose
body holds one ``application/http`` part per call::

    --BOUNDARY
    Content-Type: application/http
    Content-ID: <BASE + 1>

    GET /admin/directory/v1/users/a%40b.com?alt=json HTTP/1.1
    authorization: Bearer ya29…

The answer holds one part per call, ``Content-ID: <response-BASE + 1>``, each a full HTTP
response (status line, headers, CRLF, body). Headers of a part override the outer request's
(an inner ``Authorization`` wins), as Google documents for batching.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import secrets
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any


@dataclass
class Part:
    """One call of a batch."""

    content_id: str
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


def parse(content_type: str, body: bytes) -> list[Part] | None:
    """The calls of a batch request, or ``None`` when it is not ``multipart/mixed``."""
    if "multipart/mixed" not in content_type.lower():
        return None
    raw = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    if not message.is_multipart():
        return None
    parts: list[Part] = []
    payload = message.get_payload()
    if not isinstance(payload, list):
        return None
    for part in payload:
        if isinstance(part, str):
            return None
        text = part.get_payload(decode=False)
        if not isinstance(text, str):
            return None
        head, _, rest = text.replace("\r\n", "\n").partition("\n")
        pieces = head.split(" ")
        if len(pieces) < 2:
            return None
        inner = email.parser.Parser(policy=email.policy.compat32).parsestr(rest)
        headers = {k.lower(): str(v) for k, v in inner.items()}
        inner_body = inner.get_payload()
        parts.append(
            Part(
                content_id=str(part.get("Content-ID", "")),
                method=pieces[0].upper(),
                target=pieces[1],
                headers=headers,
                body=(inner_body or "").encode() if isinstance(inner_body, str) else b"",
            )
        )
    return parts


def response_id(content_id: str) -> str:
    """``<BASE + 1>`` -> ``<response-BASE + 1>``."""
    inner = content_id.strip()
    if inner.startswith("<") and inner.endswith(">"):
        inner = inner[1:-1]
    return f"<response-{inner}>"


def compose(answers: list[tuple[str, int, dict[str, str], bytes]]) -> tuple[str, bytes]:
    """``(content type, body)`` of a batch response from ``(content id, status, headers,
    body)`` per call."""
    boundary = f"batch_{secrets.token_hex(8)}"
    out: list[bytes] = []
    for content_id, status, headers, body in answers:
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        lines = [
            f"--{boundary}",
            "Content-Type: application/http",
            f"Content-ID: {response_id(content_id)}",
            "",
            f"HTTP/1.1 {status} {reason}",
            *(f"{k}: {v}" for k, v in headers.items()),
            f"Content-Length: {len(body)}",
            "",
            "",
        ]
        out.append("\r\n".join(lines).encode() + body + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(out)


def json_body(value: Any) -> bytes:
    """JSON bytes of an answer body (``b""`` for ``None``)."""
    return b"" if value is None else json.dumps(value).encode()
