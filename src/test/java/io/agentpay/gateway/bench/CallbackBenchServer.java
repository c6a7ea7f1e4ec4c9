package io.agentpay.gateway.bench;

import io.agentpay.gateway.callback.CallbackAuth;
import io.agentpay.gateway.callback.CallbackServer;
import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.state.PaymentStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The product's callback endpoint on its own, for load tests with {@code bench/callbacks.sh}: the
 * same Javalin server, secret-path authentication, parsing, masking, merging and logging as the
 * running gateway, with a known secret so that wrk can be pointed at it. Prints the URL and PID.
 */
public final class CallbackBenchServer {
    private CallbackBenchServer() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 4999;
        String authToken = args.length > 1 ? args[1] : null;
        PaymentStore store = new PaymentStore(Duration.ofHours(1));
        McpLog log = new McpLog();
        CallbackAuth auth = new CallbackAuth(CallbackAuth.newSecret(), authToken);
        CallbackServer server = new CallbackServer(store, log, auth, Json.MAPPER);
        int bound = server.start("127.0.0.1", port);
        server.publicBaseUrl(() -> "http://127.0.0.1:" + bound);
        System.out.println("URL http://127.0.0.1:" + bound + server.callbackPath());
        System.out.println("PID " + ProcessHandle.current().pid());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
