package io.agentpay.gateway.cli;

import io.agentpay.gateway.sandbox.Scenario;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line: three credentials (environment variables or positional arguments), one option per
 * {@link Setting} with its environment variable as fallback, {@code --sandbox}, and the {@code demo} subcommand. Built
 * through picocli's programmatic model, so start-up pays for no annotation reflection.
 */
public final class ServerCommand {
    public static final String NAME = "twilio-agent-payments-mcp-gateway";

    /** What the user asked for. */
    public sealed interface Invocation permits Help, Serve, Demo {}

    /** Usage or version text was printed; nothing to run. */
    public record Help() implements Invocation {}

    /** Serve MCP over stdio with this configuration. */
    public record Serve(ServerConfig config) implements Invocation {}

    /** Run the scripted sandbox payment. */
    public record Demo(String scenario, List<String> serverJvmOptions) implements Invocation {}

    private final Function<String, String> environment;
    private final String version;
    private final java.util.function.Supplier<SandboxCredentials> sandbox;

    /** The credentials a sandbox run uses instead of a Twilio account's. */
    public record SandboxCredentials(String accountSid, String apiKey, String apiSecret) {}

    public ServerCommand(Function<String, String> environment, String version,
                         java.util.function.Supplier<SandboxCredentials> sandbox) {
        this.environment = environment;
        this.version = version;
        this.sandbox = sandbox;
    }

    /**
     * Parses {@code args}; prints help or version to {@code out}.
     *
     * @throws ConfigException when an argument or setting is missing or malformed
     */
    public Invocation parse(String[] args, PrintWriter out) {
        CommandLine line = new CommandLine(spec());
        ParseResult result;
        try {
            result = line.parseArgs(args);
        } catch (CommandLine.UnmatchedArgumentException e) {
            // Its message quotes the extra argument, which may be a secret: name the position only.
            throw new ConfigException("Unexpected argument: expected <accountSid> <apiKey> <apiSecret> and options. Run with --help for usage.");
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException(firstLine(e.getMessage()) + ". Run with --help for usage.");
        }
        if (result.isVersionHelpRequested()) {
            line.printVersionHelp(out);
            return new Help();
        }
        if (result.isUsageHelpRequested()) {
            line.usage(out);
            return new Help();
        }
        if (result.hasSubcommand()) {
            ParseResult demo = result.subcommand();
            if (demo.isUsageHelpRequested()) {
                demo.commandSpec().commandLine().usage(out);
                return new Help();
            }
            return new Demo(demo.matchedOptionValue("--scenario", "default"),
                    demo.matchedOptionValue("--server-jvm-option", List.<String>of()));
        }
        return new Serve(toConfig(result));
    }

    private ServerConfig toConfig(ParseResult result) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String value = result.matchedOptionValue(setting.option(), null);
            if (value == null) {
                value = environment.apply(setting.env());
            }
            if (value == null || value.isBlank()) {
                value = setting.defaultValue();
            }
            if (value != null) {
                values.put(setting, value.trim());
            }
        }
        List<String> arguments = result.matchedPositionalValue(0, List.<String>of());
        boolean isSandbox = result.hasMatchedOption("--sandbox");
        if (isSandbox && !arguments.isEmpty()) {
            throw new ConfigException("--sandbox runs without a Twilio account: remove the accountSid, apiKey and apiSecret arguments.");
        }
        Map<Credential, String> credentials = isSandbox ? Map.of() : credentials(arguments);
        SandboxCredentials fake = isSandbox ? sandbox.get() : null;
        int port;
        try {
            port = Integer.parseInt(values.get(Setting.CALLBACK_PORT));
        } catch (NumberFormatException e) {
            throw new ConfigException(Setting.CALLBACK_PORT.display() + " must be a port number from 0 to 65535 (got '"
                    + values.get(Setting.CALLBACK_PORT).replaceAll("[^\\x20-\\x7e]", "?") + "').");
        }
        String publicUrl = values.get(Setting.PUBLIC_URL);
        return new ServerConfig(
                isSandbox ? fake.accountSid() : credentials.get(Credential.ACCOUNT_SID),
                isSandbox ? fake.apiKey() : credentials.get(Credential.API_KEY),
                isSandbox ? fake.apiSecret() : credentials.get(Credential.API_SECRET),
                values.get(Setting.TOKEN_TYPE),
                values.get(Setting.CURRENCY),
                values.get(Setting.PAYMENT_CONNECTOR),
                values.get(Setting.NGROK_AUTH_TOKEN),
                values.get(Setting.NGROK_CUSTOM_DOMAIN),
                publicUrl == null ? null : ServerConfig.parseBaseUrl(Setting.PUBLIC_URL, publicUrl),
                values.get(Setting.CALLBACK_HOST),
                port,
                ServerConfig.parseBaseUrl(Setting.TWILIO_API_BASE_URL, values.get(Setting.TWILIO_API_BASE_URL)),
                values.get(Setting.TWILIO_AUTH_TOKEN),
                ServerConfig.parseDuration(Setting.SESSION_TTL, values.get(Setting.SESSION_TTL)),
                "auto".equalsIgnoreCase(values.get(Setting.TUNNEL_CHECK_INTERVAL)) ? null
                        : ServerConfig.parseDuration(Setting.TUNNEL_CHECK_INTERVAL, values.get(Setting.TUNNEL_CHECK_INTERVAL)),
                isSandbox,
                values.get(Setting.MCP_HTTP_PORT) == null ? null : HttpEndpoint.parse(values.get(Setting.MCP_HTTP_HOST),
                        values.get(Setting.MCP_HTTP_PORT), values.get(Setting.MCP_AUTH_TOKEN), values.get(Setting.MCP_ALLOWED_ORIGINS)),
                values.get(Setting.REDIS_URL));
    }

    /** Each credential from its argument when given, else from its environment variable; all three must be there. */
    private Map<Credential, String> credentials(List<String> arguments) {
        Map<Credential, String> credentials = new EnumMap<>(Credential.class);
        List<String> missing = new ArrayList<>();
        for (Credential credential : Credential.values()) {
            String value = credential.ordinal() < arguments.size() ? arguments.get(credential.ordinal())
                    : environment.apply(credential.env());
            if (value == null || value.isBlank()) {
                missing.add(credential.env());
            } else {
                credentials.put(credential, value.strip());
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException("Twilio credentials missing: set " + String.join(", ", missing)
                    + " in the environment (TWILIO_ACCOUNT_SID=AC..., TWILIO_API_KEY=SK..., TWILIO_API_SECRET=<the key's secret>),"
                    + " or give accountSid apiKey apiSecret as arguments. To try the server without Twilio, run it with --sandbox.");
        }
        return credentials;
    }

    private CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name(NAME).version(NAME + " " + version);
        addHelpOptions(spec);
        spec.usageMessage()
                .description("MCP server (stdio, or Streamable HTTP with --http-port) that lets an AI voice agent take a "
                        + "card payment on a live Twilio call while the card data stays with Twilio.")
                .footerHeading("%nEvery option can also be set through the environment variable named in its description.%n");
        spec.addPositional(PositionalParamSpec.builder().index("0..2").arity("0..3").hideParamSyntax(true)
                .paramLabel("[<accountSid> <apiKey> <apiSecret>]")
                .type(List.class).auxiliaryTypes(String.class)
                .description("Twilio Account SID (AC…), API key SID (SK…) and the API key's secret. Better set through "
                        + "TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET, which keep the secret out of the "
                        + "process list; an argument wins over its variable.").build());
        for (Setting setting : Setting.values()) {
            String defaultText = setting.defaultValue() == null || setting.secret() ? "" : " Default: " + setting.defaultValue() + ".";
            spec.addOption(OptionSpec.builder(setting.option()).paramLabel("<" + setting.label() + ">").type(String.class)
                    .description(setting.description() + " Env: " + setting.env() + "." + defaultText).build());
        }
        spec.addOption(OptionSpec.builder("--sandbox").arity("0")
                .description("Run against the built-in Twilio Pay simulator on loopback: no account, no tunnel, no real payment.").build());
        CommandSpec demo = CommandSpec.create().name("demo");
        addHelpOptions(demo);
        demo.usageMessage().description("Take a complete sandbox payment through a real MCP client and print each step.");
        demo.addOption(OptionSpec.builder("--scenario").paramLabel("<NAME>").type(String.class)
                .description("Simulated caller: " + String.join(", ", Arrays.stream(Scenario.values()).map(Scenario::label).toList())
                        + ". Default: default.").build());
        demo.addOption(OptionSpec.builder("--server-jvm-option").paramLabel("<OPTION>").type(List.class)
                .auxiliaryTypes(String.class).description("Extra JVM option for the server process, repeatable "
                        + "(the build uses it to record the class-data sharing archive).").build());
        spec.addSubcommand("demo", demo);
        return spec;
    }

    /** {@code --help} and {@code --version} declared directly: picocli's standard mixin is built by reflection. */
    private static void addHelpOptions(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    private static String firstLine(String message) {
        String text = message == null ? "Invalid arguments" : message.strip();
        int nl = text.indexOf('\n');
        text = nl >= 0 ? text.substring(0, nl) : text;
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }
}
