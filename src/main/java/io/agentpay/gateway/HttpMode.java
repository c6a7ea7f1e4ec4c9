package io.agentpay.gateway;

import io.agentpay.gateway.cli.HttpEndpoint;
import io.agentpay.gateway.http.McpHttpServer;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import java.util.concurrent.CountDownLatch;

/**
 * The server as a service: the same tools, prompts and resources as over stdio, served over
 * Streamable HTTP to any number of clients at once, until a signal stops the process. The
 * callback endpoint, tunnel and Twilio facade come up in the background, as over stdio;
 * {@code /healthz} says {@code degraded} until they are ready and whenever callbacks cannot arrive.
 */
final class HttpMode {
    private final Gateway gateway;
    private final HttpEndpoint endpoint;
    private final McpHttpServer http;
    private final CountDownLatch stopped = new CountDownLatch(1);

    HttpMode(Gateway gateway, HttpEndpoint endpoint) {
        this.gateway = gateway;
        this.endpoint = endpoint;
        this.http = new McpHttpServer(endpoint, Json.MCP, gateway::healthy);
    }

    int run() {
        McpLog log = gateway.log();
        gateway.serve(http.transport(log::attach));
        log.clientReady(); // each HTTP session gets log notifications at its own level once its stream is open
        int port;
        try {
            port = http.start();
        } catch (RuntimeException e) {
            log.error("server", "Cannot serve MCP on " + endpoint.host() + ":" + endpoint.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    + ". Choose another " + "MCP_HTTP_PORT (--http-port), or stop the process that holds it.");
            gateway.close();
            return Main.FAILED;
        }
        log.info("server", "MCP (Streamable HTTP) at http://" + endpoint.host() + ":" + port + HttpEndpoint.PATH
                + (endpoint.authTokens().isEmpty() ? " (loopback, no token)" : " (bearer token required)")
                + "; health at " + McpHttpServer.HEALTH_PATH + ".");
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "shutdown"));
        gateway.startServices();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }

    /** Stops taking MCP requests first, then closes the gateway. */
    private void stop() {
        http.close();
        gateway.close();
        stopped.countDown();
    }
}
