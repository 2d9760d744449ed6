"""Fields of the 2025-11-25 models that older handshake versions do not define (generated; do not edit).

Written by tests/unit/schema/make_schema_fields.py from the spec's schema.json files; a test keeps it current.
"""

from __future__ import annotations

ADDED: dict[str, dict[str, frozenset[str]]] = {
    "2024-11-05": {
        "Annotations": frozenset({"lastModified"}),
        "BlobResourceContents": frozenset({"_meta"}),
        "CallToolResult": frozenset({"structuredContent"}),
        "CancelledNotificationParams": frozenset({"_meta"}),
        "CreateMessageRequestParams": frozenset({"_meta", "task", "toolChoice", "tools"}),
        "EmbeddedResource": frozenset({"_meta"}),
        "ImageContent": frozenset({"_meta"}),
        "Implementation": frozenset({"description", "icons", "title", "websiteUrl"}),
        "InputSchema": frozenset({"$schema"}),
        "LoggingMessageNotificationParams": frozenset({"_meta"}),
        "ProgressNotificationParams": frozenset({"_meta", "message"}),
        "Prompt": frozenset({"_meta", "icons", "title"}),
        "PromptArgument": frozenset({"title"}),
        "Resource": frozenset({"_meta", "icons", "title"}),
        "ResourceTemplate": frozenset({"_meta", "icons", "title"}),
        "ResourceUpdatedNotificationParams": frozenset({"_meta"}),
        "SamplingMessage": frozenset({"_meta"}),
        "ServerCapabilities": frozenset({"completions", "tasks"}),
        "TextContent": frozenset({"_meta"}),
        "TextResourceContents": frozenset({"_meta"}),
        "Tool": frozenset({"_meta", "annotations", "execution", "icons", "outputSchema", "title"}),
    },
    "2025-03-26": {
        "Annotations": frozenset({"lastModified"}),
        "AudioContent": frozenset({"_meta"}),
        "BlobResourceContents": frozenset({"_meta"}),
        "CallToolResult": frozenset({"structuredContent"}),
        "CancelledNotificationParams": frozenset({"_meta"}),
        "CreateMessageRequestParams": frozenset({"_meta", "task", "toolChoice", "tools"}),
        "EmbeddedResource": frozenset({"_meta"}),
        "ImageContent": frozenset({"_meta"}),
        "Implementation": frozenset({"description", "icons", "title", "websiteUrl"}),
        "InputSchema": frozenset({"$schema"}),
        "LoggingMessageNotificationParams": frozenset({"_meta"}),
        "ProgressNotificationParams": frozenset({"_meta"}),
        "Prompt": frozenset({"_meta", "icons", "title"}),
        "PromptArgument": frozenset({"title"}),
        "Resource": frozenset({"_meta", "icons", "title"}),
        "ResourceTemplate": frozenset({"_meta", "icons", "title"}),
        "ResourceUpdatedNotificationParams": frozenset({"_meta"}),
        "SamplingMessage": frozenset({"_meta"}),
        "ServerCapabilities": frozenset({"tasks"}),
        "TextContent": frozenset({"_meta"}),
        "TextResourceContents": frozenset({"_meta"}),
        "Tool": frozenset({"_meta", "execution", "icons", "outputSchema", "title"}),
    },
    "2025-06-18": {
        "CancelledNotificationParams": frozenset({"_meta"}),
        "CreateMessageRequestParams": frozenset({"_meta", "task", "toolChoice", "tools"}),
        "ElicitRequestFormParams": frozenset({"_meta", "mode", "task"}),
        "ElicitRequestURLParams": frozenset({"_meta", "elicitationId", "mode", "task", "url"}),
        "Implementation": frozenset({"description", "icons", "websiteUrl"}),
        "InputSchema": frozenset({"$schema"}),
        "LoggingMessageNotificationParams": frozenset({"_meta"}),
        "OutputSchema": frozenset({"$schema"}),
        "ProgressNotificationParams": frozenset({"_meta"}),
        "Prompt": frozenset({"icons"}),
        "RequestedSchema": frozenset({"$schema"}),
        "Resource": frozenset({"icons"}),
        "ResourceLink": frozenset({"icons"}),
        "ResourceTemplate": frozenset({"icons"}),
        "ResourceUpdatedNotificationParams": frozenset({"_meta"}),
        "SamplingMessage": frozenset({"_meta"}),
        "ServerCapabilities": frozenset({"tasks"}),
        "Tool": frozenset({"execution", "icons"}),
    },
}
"""Per older version: model class -> fields that version does not define (extras to it)."""


NEWLY_REQUIRED: dict[str, dict[str, frozenset[str]]] = {
    "2024-11-05": {
    },
    "2025-03-26": {
    },
    "2025-06-18": {
    },
}
"""Per older version: model class -> fields 2025-11-25 requires, that version only allowed."""
