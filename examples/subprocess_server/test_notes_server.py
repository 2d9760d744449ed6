"""The notes server as a real subprocess: pytest.ini names it (mcp_server), the fixtures start it."""


def test_a_saved_note_can_be_read_back(mcp_session) -> None:
    mcp_session.call_tool("save", {"title": "todo", "body": "write tests"})
    assert mcp_session.call_tool("read", {"title": "todo"}).structured_content == {"result": "write tests"}


def test_each_test_gets_a_fresh_process(mcp_session) -> None:
    assert mcp_session.call_tool("read", {"title": "todo"}).structured_content == {"result": ""}


def test_exact_frames_over_the_raw_wire(mcp_wire) -> None:
    reply = mcp_wire.request("tools/call", {"name": "save", "arguments": {"title": 1}})
    assert reply.ok and reply.result["isError"] is True  # schema-invalid arguments: a tool error
