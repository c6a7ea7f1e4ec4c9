package io.agentpay.gateway.log;

/**
 * Where every package sends its events, each named by a short logger ({@code callback}, {@code tunnel}, ...).
 * The server's one implementation is {@code mcp.McpLog} (stderr and MCP log notifications); the
 * packages below {@code mcp} see only this interface, so they never depend on the MCP layer.
 */
public interface Log {
    void debug(String logger, String message);

    void info(String logger, String message);

    void warning(String logger, String message);

    void error(String logger, String message);

    /** A payment's progress, at info: delivered ahead of routine events. */
    void progress(String logger, String message);
}
