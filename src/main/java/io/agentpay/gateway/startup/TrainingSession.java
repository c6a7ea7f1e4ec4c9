package io.agentpay.gateway.startup;

import java.util.List;

/**
 * What a host sends first, as the class-data archive's training run sends it to a sandbox server: the
 * handshake, the lists, one prompt and one {@code startPaymentCapture} on a call of the sandbox's default
 * scenario. The archive holds the classes these load and no others.
 */
final class TrainingSession {
    private static final String CALL_SID = "CA" + "0".repeat(28) + "0a1c";
    private static final int LAST_ID = 6;

    static final List<String> REQUESTS = List.of(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"class-data-archive\",\"version\":\"1\"}}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/templates/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"prompts/get\",\"params\":{\"name\":\"StartCapture\","
                    + "\"arguments\":{\"callSid\":\"" + CALL_SID + "\"}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":" + LAST_ID + ",\"method\":\"tools/call\",\"params\":{\"name\":\"startPaymentCapture\","
                    + "\"arguments\":{\"callSid\":\"" + CALL_SID + "\",\"chargeAmount\":\"10.00\"}}}");

    private TrainingSession() {}

    /**
     * Whether a line of {@code -XX:DumpLoadedClassList}'s output names a class only the sandbox loads: its
     * simulator, and the JDK's HTTP server and client that only the simulator uses.
     */
    static boolean onlyTheSandboxLoads(String classListLine) {
        return SANDBOX_ONLY.stream().anyMatch(classListLine::contains);
    }

    private static final List<String> SANDBOX_ONLY = List.of("io/agentpay/gateway/sandbox/", "com/sun/net/httpserver/",
            "sun/net/httpserver/", "java/net/http/", "jdk/internal/net/http/");

    /** Whether a line of the server's stdout is the answer to the session's last request. */
    static boolean isLastAnswer(String line) {
        return line.contains("\"id\":" + LAST_ID + ",") || line.contains("\"id\":" + LAST_ID + "}");
    }
}
