package io.agentpay.gateway.cli;

import java.util.Map;

/**
 * Whether a command line can only mean serving MCP over stdio, told from the raw arguments before they are parsed,
 * so that stdin can be read from the first moment. Errs on the side of no: anything that could be the demo, help,
 * version, Streamable HTTP or an argument file says no, and then stdio starts as it always did, after parsing.
 * {@link ServerCommand} still decides; a command line that passes here either serves stdio or fails to parse.
 */
public final class StdioLaunch {
    private StdioLaunch() {}

    /** @param environment the environment variables (a map, not a lambda: a lambda's first use costs milliseconds) */
    public static boolean servesStdio(String[] args, Map<String, String> environment) {
        String httpPort = environment.get(Setting.MCP_HTTP_PORT.env());
        if (httpPort != null && !httpPort.isBlank()) {
            return false;
        }
        for (String arg : args) {
            String option = arg.startsWith("--") ? arg.split("=", 2)[0] : null;
            if (arg.equals("demo") || arg.startsWith("@") || arg.startsWith("-") && option == null
                    || option != null && (option.equals("--help") || option.equals("--version")
                    || option.equals(Setting.MCP_HTTP_PORT.option()))) {
                return false;
            }
        }
        return true;
    }
}
