package io.agentpay.gateway;

import io.agentpay.gateway.cli.ConfigException;
import io.agentpay.gateway.cli.ServerCommand;
import io.agentpay.gateway.cli.ServerConfig;
import io.agentpay.gateway.demo.DemoCommand;
import io.agentpay.gateway.mcp.ComponentScan;
import io.agentpay.gateway.mcp.FastInitialize;
import io.agentpay.gateway.mcp.Json;
import io.agentpay.gateway.mcp.McpLog;
import io.agentpay.gateway.mcp.ServerAssembly;
import io.agentpay.gateway.mcp.ServerContext;
import io.agentpay.gateway.mcp.StdioTransportProvider;
import io.agentpay.gateway.sandbox.PaySimulator;
import io.agentpay.gateway.state.PaymentStore;
import io.agentpay.gateway.twilio.TwilioAgentPaymentServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema.ResourcesUpdatedNotification;
import io.modelcontextprotocol.spec.McpServerSession;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/** Parses the command line, wires the server and runs it until stdin closes or a signal arrives. The only System.exit. */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        PrintStream err = System.err;
        PaySimulator.Credentials[] sandbox = new PaySimulator.Credentials[1];
        ServerCommand command = new ServerCommand(System::getenv, version(), () -> {
            sandbox[0] = PaySimulator.Credentials.sandbox();
            return new ServerCommand.SandboxCredentials(sandbox[0].accountSid(), sandbox[0].apiKey(), sandbox[0].apiSecret());
        });
        ServerCommand.Invocation invocation;
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        try {
            invocation = command.parse(args, out);
        } catch (ConfigException e) {
            err.println(ServerCommand.NAME + ": " + e.getMessage());
            return USAGE;
        }
        if (invocation instanceof ServerCommand.Help) {
            out.flush();
            return OK;
        }
        if (invocation instanceof ServerCommand.Demo demo) {
            return new DemoCommand(System.out, err).run(demo.scenario(), demo.serverJvmOptions());
        }
        ServerConfig config = ((ServerCommand.Serve) invocation).config();
        // From here on stdout carries JSON-RPC only: anything printed by mistake goes to stderr.
        OutputStream protocol = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        System.setOut(err);
        // Redis unreachable at start-up does not stop the server: the store connects in the background (Services.openStore).
        if (config.http() != null) {
            return HttpMode.serve(config, sandbox[0], version());
        }
        return serve(config, sandbox[0], System.in, protocol);
    }

    static int serve(ServerConfig config, PaySimulator.Credentials sandbox, InputStream in, OutputStream out) {
        McpLog log = new McpLog();
        PaymentStore store = Services.openStore(config);
        CompletableFuture<TwilioAgentPaymentServer> payments = new CompletableFuture<>();
        CountDownLatch stdinClosed = new CountDownLatch(1);
        Services services = new Services(config, store, log, sandbox);
        // stdin is read (and initialize answered) while the rest of the server is still being built.
        StdioTransportProvider transport = new StdioTransportProvider(() -> Json.MCP, () -> Json.MAPPER, in, out,
                new StdioTransportProvider.Listener() {
                    @Override
                    public void sessionCreated(McpServerSession session) {
                        log.attach(session);
                    }

                    @Override
                    public void initialized() {
                        log.clientReady();
                        Thread starter = new Thread(() -> services.start(payments), "services-start");
                        starter.setDaemon(true);
                        starter.start();
                    }

                    @Override
                    public void closed() {
                        stdinClosed.countDown();
                    }
                }, FastInitialize.forServer(StdioTransportProvider.PROTOCOL_VERSIONS, version()));
        transport.start();

        ServerContext context = new ServerContext(store, log, payments, config.sandbox(), Duration.ofSeconds(15),
                services::reachability);
        ClassLoader loader = Main.class.getClassLoader();
        ComponentScan.Components components = ComponentScan.build(ComponentScan.discover(loader), context, loader);
        components.failures().forEach(failure -> log.error("discovery", "Component not registered: " + failure));

        ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mcp-notify");
            t.setDaemon(true);
            return t;
        });
        McpSyncServer[] server = new McpSyncServer[1];
        store.onChange(status -> notifier.execute(() -> {
            McpSyncServer s = server[0];
            if (s != null) {
                try {
                    s.notifyResourcesUpdated(new ResourcesUpdatedNotification(status.statusUri()));
                } catch (RuntimeException e) {
                    log.debug("resources", "Update notification not sent: " + e.getMessage());
                }
            }
        }));
        server[0] = ServerAssembly.build(transport, Json.MCP, context, components, version());
        AtomicBoolean closed = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (closed.compareAndSet(false, true)) {
                Thread watchdog = new Thread(() -> {
                    try {
                        Thread.sleep(1500);
                        Runtime.getRuntime().halt(OK);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "shutdown-watchdog");
                watchdog.setDaemon(true);
                watchdog.start();
                services.close();
                server[0].close();
                notifier.shutdownNow();
                log.close();
                try {
                    out.flush();
                } catch (IOException e) {
                    // the client is gone
                }
                watchdog.interrupt();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "shutdown"));
        try {
            stdinClosed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdown.run();
        return OK;
    }

    /** The version Maven wrote into the jar at build time. */
    static String version() {
        Properties properties = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("/agentpay/build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // fall through to the default
        }
        return properties.getProperty("version", "dev");
    }
}
