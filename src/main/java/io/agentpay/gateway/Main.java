package io.agentpay.gateway;

import io.agentpay.gateway.cli.ConfigException;
import io.agentpay.gateway.cli.ServerCommand;
import io.agentpay.gateway.cli.ServerConfig;
import io.agentpay.gateway.cli.StdioLaunch;
import io.agentpay.gateway.demo.DemoCommand;
import io.agentpay.gateway.mcp.EarlyAnswers;
import io.agentpay.gateway.mcp.StdioChannel;
import io.agentpay.gateway.sandbox.PaySimulator;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.function.Supplier;

/** Parses the command line and launches the mode it asks for: stdio (the default), HTTP or the demo. The only System.exit. */
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
        String version = version();
        // Serving stdio: stdin is read, and the early answers given, while the command line is parsed and the server built.
        OutputStream protocol = StdioLaunch.servesStdio(args, System.getenv()) ? protocolOut() : null;
        StdioChannel early = protocol == null ? null : new StdioChannel(System.in, protocol, EarlyAnswers.forServer(version)).start();
        SandboxKeys sandbox = new SandboxKeys();
        ServerCommand command = new ServerCommand(System::getenv, version, sandbox);
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
            return new DemoCommand(System.out, err, Main.class).run(demo.scenario(), demo.serverJvmOptions());
        }
        ServerConfig config = ((ServerCommand.Serve) invocation).config();
        // From here on stdout carries JSON-RPC only: anything printed by mistake goes to stderr.
        protocol = protocol != null ? protocol : protocolOut();
        System.setOut(err);
        // Redis unreachable at start-up does not stop the server: the store connects in the background (Services.openStore).
        if (config.http() != null) {
            return new HttpMode(config.http()).run(() -> new Gateway(config, sandbox.issued, version));
        }
        StdioChannel channel = early != null ? early : new StdioChannel(System.in, protocol, EarlyAnswers.forServer(version));
        return new StdioMode(new Gateway(config, sandbox.issued, version), channel, protocol).run();
    }

    private static OutputStream protocolOut() {
        return new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
    }

    /** Makes up the sandbox's credentials when --sandbox asks for them, and keeps them for the simulator. */
    private static final class SandboxKeys implements Supplier<ServerCommand.SandboxCredentials> {
        private PaySimulator.Credentials issued;

        @Override
        public ServerCommand.SandboxCredentials get() {
            issued = PaySimulator.Credentials.sandbox();
            return new ServerCommand.SandboxCredentials(issued.accountSid(), issued.apiKey(), issued.apiSecret());
        }
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
