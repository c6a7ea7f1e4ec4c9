package io.agentpay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the server depends on itself through others: logging and JSON live below
 * {@code mcp}, {@code demo} is handed the main class, and so on. Reads the sources under
 * src/main/java: every {@code io.agentpay.gateway...} name a file uses (imports, static imports,
 * fully qualified names, javadoc links) is a dependency of its package on the named one.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of(System.getProperty("basedir", "."), "src", "main", "java");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    /** A type name in one of the server's packages: lower-case segments, then the capitalised type. */
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.agentpay\\.gateway(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** package -> package it uses -> the files that use it. */
    private static Map<String, Map<String, Set<String>>> dependencies() throws IOException {
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path file : files) {
            String source = Files.readString(file, StandardCharsets.UTF_8);
            Matcher declared = PACKAGE.matcher(source);
            if (!declared.find()) {
                continue;
            }
            String from = declared.group(1);
            Matcher used = REFERENCE.matcher(source);
            while (used.find()) {
                String to = used.group(1);
                if (!to.equals(from)) {
                    graph.computeIfAbsent(from, k -> new TreeMap<>()).computeIfAbsent(to, k -> new TreeSet<>())
                            .add(file.getFileName().toString());
                }
            }
        }
        return graph;
    }

    /** The strongly connected components of more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, ? extends Map<String, ?>> graph) {
        Set<String> nodes = new TreeSet<>(graph.keySet());
        graph.values().forEach(targets -> nodes.addAll(targets.keySet()));
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> found = new ArrayList<>();
        for (String node : nodes) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, found);
            }
        }
        return found;
    }

    private static void connect(String node, Map<String, ? extends Map<String, ?>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, List<Set<String>> found) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        Map<String, ?> targets = graph.get(node);
        for (String next : targets == null ? Set.<String>of() : targets.keySet()) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, found);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (stack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Map<String, Set<String>>> graph = dependencies();
        List<String> explained = new ArrayList<>();
        for (Set<String> cycle : cycles(graph)) {
            for (String from : cycle) {
                graph.get(from).forEach((to, files) -> {
                    if (cycle.contains(to)) {
                        explained.add(from + " -> " + to + " (" + String.join(", ", files) + ")");
                    }
                });
            }
        }
        assertThat(explained).as("package dependencies that close a cycle; move the shared code to a lower package "
                + "(log, json, state) or pass it in").isEmpty();
    }

    @Test
    void theScanSeesTheLayering() throws IOException {
        Map<String, Map<String, Set<String>>> graph = dependencies();
        assertThat(graph.get("io.agentpay.gateway.mcp")).containsKeys("io.agentpay.gateway.state", "io.agentpay.gateway.log");
        assertThat(graph.get("io.agentpay.gateway.callback")).containsKey("io.agentpay.gateway.log")
                .doesNotContainKey("io.agentpay.gateway.mcp");
        assertThat(graph.get("io.agentpay.gateway.demo")).doesNotContainKey("io.agentpay.gateway");
    }

    @Test
    void findsACycleThroughThreePackages() {
        Map<String, Map<String, Object>> graph = Map.of(
                "mcp", Map.of("tunnel", ""), "tunnel", Map.of("callback", ""), "callback", Map.of("mcp", "", "state", ""));
        assertThat(cycles(graph)).containsExactly(Set.of("mcp", "tunnel", "callback"));
    }
}
