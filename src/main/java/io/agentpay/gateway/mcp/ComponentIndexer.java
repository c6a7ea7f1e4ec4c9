package io.agentpay.gateway.mcp;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ScanResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Build step (Maven's process-classes phase): scans the compiled classes for factories and writes
 * {@link ComponentScan#INDEX}, so that start-up reads a list instead of scanning the classpath.
 */
public final class ComponentIndexer {
    private ComponentIndexer() {}

    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        List<String> names = index(classes);
        System.err.println("[component-index] " + names.size() + " components indexed in " + classes.resolve(ComponentScan.INDEX));
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
