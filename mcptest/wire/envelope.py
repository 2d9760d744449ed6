"""The 2026-07-28 per-request envelope: the ``_meta`` keys every request carries and the HTTP headers mirroring them."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

PREFIX = "io.modelcontextprotocol/"
VERSION_KEY = PREFIX + "protocolVersion"
CAPABILITIES_KEY = PREFIX + "clientCapabilities"
CLIENT_INFO_KEY = PREFIX + "clientInfo"
LOG_LEVEL_KEY = PREFIX + "logLevel"
SERVER_INFO_KEY = PREFIX + "serverInfo"
NAMED_METHODS = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}
"""Methods whose ``Mcp-Name`` header mirrors a params field."""
_SENTINEL = re.compile(r"^=\?base64\?.*\?=$", re.S)
_SAFE = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$")


@dataclass(frozen=True)
class Envelope:
    """What a 2026-07-28 client declares on every request: version, capabilities, identity, an optional log level."""

    version: str
    capabilities: dict[str, Any]
    client_info: dict[str, Any]
    log_level: str | None = None

    def meta(self) -> dict[str, Any]:
        """The ``_meta`` entries of one request."""
        meta: dict[str, Any] = {
            VERSION_KEY: self.version,
            CAPABILITIES_KEY: self.capabilities,
            CLIENT_INFO_KEY: self.client_info,
        }
        if self.log_level:
            meta[LOG_LEVEL_KEY] = self.log_level
        return meta


def header_value(value: Any) -> str:
    """A value as the spec's Value Encoding writes it into a header (Base64 sentinel where plain ASCII is unsafe)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    if _SAFE.match(text) and not _SENTINEL.match(text):
        return text
    return "=?base64?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def header_params(schema: Any) -> list[tuple[tuple[str, ...], str]]:
    """The ``(property path, header name)`` pairs a tool's inputSchema marks with ``x-mcp-header``.

    Only properties reachable through ``properties`` keys count (the spec makes any other placement invalid,
    which TOOL-12 judges).
    """
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        name = node.get("x-mcp-header")
        if path and isinstance(name, str):
            found.append((path, name))
        props = node.get("properties")
        if isinstance(props, dict):
            for key, child in props.items():
                walk(child, (*path, str(key)))

    walk(schema, ())
    return found


def _at(arguments: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(arguments, dict) or key not in arguments:
            return None
        arguments = arguments[key]
    return arguments


def routing_headers(message: Any, version: str, tool_schemas: dict[str, Any]) -> dict[str, str]:
    """The 2026-07-28 Streamable HTTP headers for a request body: version, ``Mcp-Method``, ``Mcp-Name``,
    ``Mcp-Param-*``."""
    headers = {"MCP-Protocol-Version": version}
    if not isinstance(message, dict) or not isinstance(message.get("method"), str):
        return headers
    method = message["method"]
    headers["Mcp-Method"] = method
    params = message.get("params") if isinstance(message.get("params"), dict) else {}
    field = NAMED_METHODS.get(method)
    if field and field in params:
        headers["Mcp-Name"] = header_value(params[field])
    if method == "tools/call" and isinstance(params.get("name"), str):
        for path, name in header_params(tool_schemas.get(params["name"])):
            value = _at(params.get("arguments"), path)
            if value is not None:
                headers[f"Mcp-Param-{name}"] = header_value(value)
    return headers
