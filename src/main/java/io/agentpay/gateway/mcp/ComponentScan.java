package io.agentpay.gateway.mcp;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.ScanResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;

/**
 * Finds the tool, prompt and resource factories and builds each one. The classes are listed at
 * build time by {@link ComponentIndexer} (a classpath scan of the same packages), so start-up
 * reads one small file; without that index (an IDE run) it scans the classpath itself. A
 * factory that cannot be built is reported and skipped; the others still register.
 */
public final class ComponentScan {
    public static final String INDEX = "META-INF/agentpay/components.idx";
    public static final String BASE_PACKAGE = "io.agentpay.gateway.mcp";
    static final List<String> PACKAGES = List.of(BASE_PACKAGE + ".tools", BASE_PACKAGE + ".prompts", BASE_PACKAGE + ".resources");

    /** The factories built, and a line for each class that could not be. */
    public record Components(List<ToolFactory> tools, List<PromptFactory> prompts, List<ResourceFactory> resources,
                             List<String> failures) {}

    private ComponentScan() {}

    /** Reads the build-time index; scans the classpath when there is none. */
    public static List<String> discover(ClassLoader loader) {
        List<String> indexed = readIndex(loader);
        return indexed.isEmpty() ? scan(loader) : indexed;
    }

    /** Scans the component packages on {@code loader}'s classpath for concrete factory classes. */
    public static List<String> scan(ClassLoader loader) {
        try (ScanResult result = new ClassGraph().overrideClassLoaders(loader).ignoreParentClassLoaders()
                .acceptPackages(BASE_PACKAGE).enableClassInfo().ignoreClassVisibility().scan()) {
            return names(result);
        }
    }

    static List<String> names(ScanResult result) {
        TreeSet<String> names = new TreeSet<>();
        for (Class<?> type : List.of(ToolFactory.class, PromptFactory.class, ResourceFactory.class)) {
            for (ClassInfo info : result.getClassesImplementing(type.getName())) {
                if (!info.isAbstract() && !info.isInterface() && info.isPublic()
                        && PACKAGES.contains(info.getPackageName())) {
                    names.add(info.getName());
                }
            }
        }
        return new ArrayList<>(names);
    }

    private static List<String> readIndex(ClassLoader loader) {
        List<String> names = new ArrayList<>();
        try {
            Enumeration<URL> indexes = loader.getResources(INDEX);
            while (indexes.hasMoreElements()) {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(indexes.nextElement().openStream(),
                        StandardCharsets.UTF_8))) {
                    reader.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(names::add);
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return names;
    }

    /** Builds every listed factory through its {@code (ServerContext)} constructor. */
    public static Components build(List<String> classNames, ServerContext context, ClassLoader loader) {
        List<ToolFactory> tools = new ArrayList<>();
        List<PromptFactory> prompts = new ArrayList<>();
        List<ResourceFactory> resources = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String name : classNames) {
            try {
                Object component = Class.forName(name, true, loader).getConstructor(ServerContext.class).newInstance(context);
                if (component instanceof ToolFactory tool) {
                    tool.tool();
                    tools.add(tool);
                } else if (component instanceof PromptFactory prompt) {
                    prompts.add(prompt);
                } else if (component instanceof ResourceFactory resource) {
                    resources.add(resource);
                }
            } catch (InvocationTargetException e) {
                failures.add(name + ": " + e.getCause());
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                failures.add(name + ": " + e);
            }
        }
        return new Components(tools, prompts, resources, failures);
    }
}
