"""Resources (RES-*) and prompts (PROMPT-*)."""

from __future__ import annotations

from mcptest.spec.model import Requirement
from mcptest.spec.tables.common import (
    ALL,
    KNOWN_RESOURCE,
    ONLY_NEGOTIATED,
    H,
    negotiated,
)

_RES = "server/resources"
_PROMPTS = "server/prompts"

TABLE = (
    Requirement(
        "RES-01",
        "MUST",
        ALL,
        _RES,
        "Each listed resource has a string uri and name; optional fields are well-typed.",
        "Each resource is uniquely identified by a URI.",
        source="schema",
        schema=("Resource.uri", "Resource.name"),
    ),
    Requirement(
        "RES-02",
        "MUST",
        ALL,
        _RES,
        "resources/read returns contents items, each with a uri and either text or a base64 blob.",
        "Binary data MUST be properly encoded",
        section="Security Considerations",
        schema=("ReadResourceResult.contents", "TextResourceContents.text", "BlobResourceContents.blob"),
        note="The uri and the text-or-blob choice are the schema's; an empty contents array is allowed for a resource "
        "that exists (2026-07-28 only forbids it for one that does not).",
    ),
    Requirement(
        "RES-08",
        "SHOULD",
        ALL,
        "schema",
        "Reading a resource the server listed succeeds.",
        KNOWN_RESOURCE,
        section="Resource",
        source="schema",
        schema=("Resource",),
        note="The schema defines a listed resource as one the server can read; a read can still fail for reasons "
        "outside the protocol (permissions, a vanished file), hence SHOULD.",
    ),
    Requirement(
        "RES-03",
        "SHOULD",
        H,
        _RES,
        "Reading an unknown resource gets Resource not found (-32002).",
        "Servers SHOULD return standard JSON-RPC errors for common failure cases: … Resource not found: `-32002`",
        section="Error Handling",
        note="At 2026-07-28 the code is -32602 and it is a MUST (MOD-16).",
    ),
    Requirement(
        "RES-04",
        "MUST",
        ALL,
        _RES,
        "Each resource template has a name and a valid RFC 6570 uriTemplate.",
        "Resource templates allow servers to expose parameterized resources using URI templates.",
        section="Resource Templates",
        source="schema",
        schema=("ResourceTemplate.uriTemplate", "ResourceTemplate.name"),
    ),
    Requirement(
        "RES-05",
        "MUST",
        H,
        _RES,
        "A server declaring resources.subscribe accepts resources/subscribe and resources/unsubscribe with an empty "
        "result.",
        "`subscribe`: whether the client can subscribe to be notified of changes to individual resources.",
        section="Capabilities",
        source="schema",
        schema=("SubscribeRequest", "UnsubscribeRequest", "EmptyResult"),
        note="The declared flag says subscribing works; refusing it contradicts the server's own declaration.",
    ),
    Requirement(
        "RES-06",
        "MUST",
        H,
        "basic/lifecycle",
        "notifications/resources/list_changed is sent only when resources.listChanged was declared.",
        ONLY_NEGOTIATED,
        section="Operation",
        binds="both",
        at=negotiated(),
    ),
    Requirement(
        "RES-07",
        "MUST",
        ALL,
        _RES,
        "A resource URI built to escape (../, %2e%2e/) is refused or contained, never served.",
        "Servers MUST validate all resource URIs",
        section="Security Considerations",
    ),
    Requirement(
        "PROMPT-01",
        "MUST",
        ALL,
        _PROMPTS,
        "Each listed prompt has a string name; its arguments have a string name and an optional boolean required.",
        "Clients can discover available prompts, retrieve their contents, and provide arguments to customize them.",
        source="schema",
        schema=("Prompt.name", "PromptArgument.name"),
    ),
    Requirement(
        "PROMPT-02",
        "MUST",
        ALL,
        _PROMPTS,
        "prompts/get returns messages whose role is user or assistant and whose content is a valid content block.",
        'Messages in a prompt can contain: … `role`: Either "user" or "assistant" to indicate the speaker',
        section="PromptMessage",
        source="schema",
        schema=("GetPromptResult.messages", "PromptMessage.role"),
    ),
    Requirement(
        "PROMPT-03",
        "SHOULD",
        ALL,
        _PROMPTS,
        "An unknown prompt name gets Invalid params (-32602).",
        "Servers SHOULD return standard JSON-RPC errors for common failure cases: … Invalid prompt name: `-32602` "
        "(Invalid params)",
        section="Error Handling",
    ),
    Requirement(
        "PROMPT-04",
        "SHOULD",
        ALL,
        _PROMPTS,
        "Missing required prompt arguments get Invalid params (-32602).",
        "Servers SHOULD return standard JSON-RPC errors for common failure cases: … Missing required arguments: "
        "`-32602` "
        "(Invalid params)",
        section="Error Handling",
    ),
    Requirement(
        "PROMPT-05",
        "MUST",
        H,
        "basic/lifecycle",
        "notifications/prompts/list_changed is sent only when prompts.listChanged was declared.",
        ONLY_NEGOTIATED,
        section="Operation",
        binds="both",
        at=negotiated(),
    ),
)
"""The RES-* and PROMPT-* requirements."""
