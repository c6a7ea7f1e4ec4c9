package io.agentpay.gateway;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.mcp.EarlyAnswers;
import io.agentpay.gateway.mcp.StdioChannel;
import io.agentpay.gateway.mcp.StdioTransportProvider;
import io.modelcontextprotocol.spec.McpServerSession;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The default: one client over stdin/stdout until stdin closes or a signal arrives. Start-up order
 * is what keeps it fast: stdin is read from the start of {@code main}, and {@code initialize} and
 * {@code tools/list} answered ({@link EarlyAnswers}) while the command line is parsed and the gateway
 * built; the services (callback endpoint, public URL and its check, Twilio client) start on a thread of
 * their own once the SDK is built, without waiting for the client. Started beside the SDK build instead,
 * the first tool call came no sooner on a 2-core machine (1.51–1.59 s against 1.56 s, interleaved) and
 * the process was 13 MiB larger by the time the client had listed everything. Their log lines reach the
 * client once it has initialized.
 */
final class StdioMode implements StdioTransportProvider.Listener {
    /** Closing should take well under this; past it the process halts rather than hang its host. */
    private static final long SHUTDOWN_GRACE_MS = 1500;

    private final Gateway gateway;
    private final StdioChannel in;
    private final OutputStream out;
    private final CountDownLatch stdinClosed = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();

    StdioMode(Gateway gateway, StdioChannel in, OutputStream out) {
        this.gateway = gateway;
        this.in = in;
        this.out = out;
    }

    int run() {
        StdioTransportProvider transport = new StdioTransportProvider(() -> Json.MCP, () -> Json.MAPPER, in, this);
        transport.start();
        gateway.serve(transport);
        Thread starter = new Thread(gateway::startServices, "services-start");
        starter.setDaemon(true);
        starter.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "shutdown"));
        try {
            stdinClosed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
        return Main.OK;
    }

    @Override
    public void sessionCreated(McpServerSession session) {
        gateway.log().attach(session);
    }

    @Override
    public void initialized() {
        gateway.log().clientReady();
    }

    @Override
    public void closed() {
        stdinClosed.countDown();
    }

    private void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(SHUTDOWN_GRACE_MS);
                Runtime.getRuntime().halt(Main.OK);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        gateway.close();
        try {
            out.flush();
        } catch (IOException e) {
            // the client is gone
        }
        watchdog.interrupt();
    }
}
