"""A small stdio MCP server built on the Python standard library alone: the image this example tests."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

SUPPORTED_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602


def one_argument_tool(name: str, description: str, argument: str, json_type: str, about: str) -> dict[str, Any]:
    """A read-only tool definition taking exactly one required argument."""
    return {
        "name": name,
        "description": description,
        "inputSchema": {
            "type": "object",
            "properties": {argument: {"type": json_type, "description": about}},
            "required": [argument],
            "additionalProperties": False,
        },
        "annotations": {"readOnlyHint": True, "openWorldHint": False},
    }


TOOLS = [
    one_argument_tool(
        "celsius_to_fahrenheit", "Convert degrees Celsius to Fahrenheit.", "celsius", "number", "Degrees Celsius."
    ),
    one_argument_tool("word_count", "Count the words in a text.", "text", "string", "The text to count."),
]


class RpcError(Exception):
    """A JSON-RPC error to send back instead of a result."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Server:
    """The protocol state of one stdio connection."""

    def __init__(self) -> None:
        self.version: str | None = None

    def handle_line(self, line: bytes) -> Any:
        """Answer one line of input: a response, a list of responses (batch), or None."""
        try:
            message = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return error(None, PARSE_ERROR, "Parse error: the line is not UTF-8 JSON")
        if isinstance(message, list):
            if self.version != "2025-03-26" or not message:
                return error(None, INVALID_REQUEST, "Invalid Request: no batches in this protocol version")
            answers = [answer for item in message if (answer := self.handle(item)) is not None]
            return answers or None
        return self.handle(message)

    def handle(self, message: Any) -> dict[str, Any] | None:
        """Answer one decoded message; notifications and client responses get no answer."""
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            return error(None, INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 object")
        if "method" not in message:
            is_response = ("result" in message) != ("error" in message) and "id" in message
            return None if is_response else error(None, INVALID_REQUEST, "Invalid Request: no method")
        method, params = message["method"], message.get("params", {})
        if "id" not in message:
            return None  # a notification (initialized, cancelled, ...): nothing to answer
        request_id = message["id"]
        if not isinstance(method, str) or isinstance(request_id, bool) or not isinstance(request_id, (str, int)):
            return error(None, INVALID_REQUEST, "Invalid Request: method must be a string, id a string or integer")
        try:
            if not isinstance(params, dict):
                raise RpcError(INVALID_PARAMS, "Invalid params: params must be an object")
            return {"jsonrpc": "2.0", "id": request_id, "result": self.call(method, params)}
        except RpcError as exc:
            return error(request_id, exc.code, exc.message)

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one request method and return its result."""
        if method == "ping":
            return {}
        if method == "initialize":
            return self.initialize(params)
        if self.version is None:
            raise RpcError(INVALID_REQUEST, "Invalid Request: send initialize first")
        if method == "tools/list":
            if "cursor" in params:
                raise RpcError(INVALID_PARAMS, "Invalid params: unknown cursor (the tool list has one page)")
            return {"tools": TOOLS}
        if method == "tools/call":
            return call_tool(params)
        raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")

    def initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        """Negotiate the protocol version: the client's when supported, else our newest."""
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            raise RpcError(INVALID_PARAMS, "Invalid params: protocolVersion must be a string")
        if self.version is not None:
            raise RpcError(INVALID_REQUEST, "Invalid Request: already initialized")
        self.version = requested if requested in SUPPORTED_VERSIONS else SUPPORTED_VERSIONS[0]
        return {
            "protocolVersion": self.version,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "docker-target-example", "version": "1.0.0"},
        }


def call_tool(params: dict[str, Any]) -> dict[str, Any]:
    """Run a tool: unknown names and malformed calls are protocol errors, bad arguments a tool error."""
    name, arguments = params.get("name"), params.get("arguments", {})
    if not isinstance(name, str) or not isinstance(arguments, dict):
        raise RpcError(INVALID_PARAMS, "Invalid params: tools/call needs a string name and object arguments")
    if name == "celsius_to_fahrenheit":
        celsius = arguments.get("celsius")
        if set(arguments) != {"celsius"} or isinstance(celsius, bool) or not isinstance(celsius, (int, float)):
            return text_result("celsius_to_fahrenheit takes exactly one argument, celsius (a number)", is_error=True)
        try:
            fahrenheit = celsius * 9 / 5 + 32
        except OverflowError:
            fahrenheit = math.inf
        if not math.isfinite(fahrenheit):
            return text_result(f"{celsius} degrees Celsius is out of range", is_error=True)
        return text_result(f"{fahrenheit:g}")
    if name == "word_count":
        text = arguments.get("text")
        if set(arguments) != {"text"} or not isinstance(text, str):
            return text_result("word_count takes exactly one argument, text (a string)", is_error=True)
        return text_result(str(len(text.split())))
    raise RpcError(INVALID_PARAMS, f"Invalid params: unknown tool {name!r}")


def text_result(text: str, *, is_error: bool = False) -> dict[str, Any]:
    """A tools/call result with one text block."""
    return {"content": [{"type": "text", "text": text}], "isError": is_error}


def error(request_id: str | int | None, code: int, message: str) -> dict[str, Any]:
    """A JSON-RPC error response."""
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def main() -> None:
    """Serve newline-delimited JSON-RPC on stdin/stdout until stdin closes."""
    server = Server()
    print("docker-target-example: serving MCP on stdio", file=sys.stderr, flush=True)
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        answer = server.handle_line(line)
        if answer is not None:
            sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")
            sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
