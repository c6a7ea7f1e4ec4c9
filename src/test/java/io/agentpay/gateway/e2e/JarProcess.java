package io.agentpay.gateway.e2e;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where the built jar is and how to launch it, for the end-to-end tests. */
final class JarProcess {
    private JarProcess() {}

    static Path jar() {
        Path jar = Path.of(System.getProperty("gateway.jar", "target/twilio-agent-payments-mcp-gateway.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Build the jar first (./mvnw -B verify runs these tests after packaging): " + jar);
        }
        return jar;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    private static final Pattern CALLBACK_PORT = Pattern.compile("Callbacks reach port (\\d+) ");

    /**
     * The port the jar's callback endpoint bound, from its "ready" line on stderr: tests start it on port 0
     * (no port picked by the test and freed again before the jar binds it, which another process could take).
     */
    static int callbackPort(List<String> stderr) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> stderr.stream().map(CALLBACK_PORT::matcher)
                .filter(Matcher::find).map(m -> Integer.parseInt(m.group(1))).findFirst(), Optional::isPresent).get();
    }
}
