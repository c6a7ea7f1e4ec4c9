package io.agentpay.gateway.mcp;

import io.agentpay.gateway.json.Json;
import io.agentpay.gateway.state.PaymentStore;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ScanResult;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Build step (Maven's process-classes phase): scans the compiled classes for factories and writes
 * {@link ComponentScan#INDEX}, so that start-up reads a list instead of scanning the classpath, and
 * {@link EarlyAnswers#TOOLS_LIST}, the tools as the MCP SDK lists them, so that {@code tools/list} can
 * be answered before the SDK is loaded.
 */
public final class ComponentIndexer {
    private ComponentIndexer() {}

    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        List<String> names = index(classes);
        System.err.println("[component-index] " + names.size() + " components indexed in " + classes.resolve(ComponentScan.INDEX));
        Path toolsList = classes.resolve(EarlyAnswers.TOOLS_LIST);
        Files.writeString(toolsList, toolsList(names, ComponentIndexer.class.getClassLoader()), StandardCharsets.UTF_8);
        System.err.println("[component-index] tools/list result written to " + toolsList);
    }

    /**
     * The {@code tools/list} result the SDK serializes for these components. The tools' schemas do not depend on
     * the configuration (nor on the JVM: the currency codes are written out), so a context without one builds them.
     */
    static String toolsList(List<String> names, ClassLoader loader) throws IOException {
        McpLog log = new McpLog();
        try {
            ServerContext context = new ServerContext(new PaymentStore(Duration.ofHours(1)), log, new CompletableFuture<>(),
                    false, Duration.ZERO, () -> null);
            ComponentScan.Components components = ComponentScan.build(names, context, loader);
            if (!components.failures().isEmpty()) {
                throw new IllegalStateException("Components not built: " + components.failures());
            }
            return Json.MCP.writeValueAsString(McpSchema.ListToolsResult.builder(
                    components.tools().stream().map(ToolFactory::tool).toList()).build());
        } finally {
            log.close();
        }
    }

    /** Scans {@code classes} and writes the index there; returns the class names. */
    public static List<String> index(Path classes) throws IOException {
        List<String> names;
        try (ScanResult result = new ClassGraph().overrideClasspath(classes.toString())
                .acceptPackages(ComponentScan.BASE_PACKAGE).enableClassInfo().ignoreClassVisibility().scan()) {
            names = ComponentScan.names(result);
        }
        Path index = classes.resolve(ComponentScan.INDEX);
        Files.createDirectories(index.getParent());
        Files.writeString(index, "# Generated at build time by ComponentIndexer: tool, prompt and resource factories.\n"
                + String.join("\n", names) + "\n", StandardCharsets.UTF_8);
        return names;
    }
}
