"""The mcptest reference MCP server: every feature of the course's server-development module, done properly."""

from reference_server.config import ConfigError, ServerConfig, load_config, save_config
from reference_server.server import build_server, runtime_of

__all__ = ["ConfigError", "ServerConfig", "build_server", "load_config", "runtime_of", "save_config"]
