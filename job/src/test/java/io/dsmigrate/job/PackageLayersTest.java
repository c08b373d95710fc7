package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job's packages depend one way: each only on those before it in {@link #ORDER}, the order the
 * Layout in docs/layout.md lists. A dependency is an import or a fully qualified name of another
 * package's class in the code of the job's main sources (comments and string literals do not
 * count).
 */
class PackageLayersTest {
  /** The job's packages, lowest first ("" is {@code io.dsmigrate.job} itself). */
  static final List<String> ORDER =
      List.of(
          "fs",
          "security",
          "spec",
          "results",
          "plan",
          "assess",
          "ledger",
          "notify",
          "ownership",
          "snapshot",
          "cutover",
          "rollback",
          "migrate",
          "agent",
          "fleet",
          "progress",
          "",
          "submit");

  private static final Path SOURCES = Path.of("src", "main", "java", "io", "dsmigrate", "job");
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;");
  // io.dsmigrate.job[.pkg].Class, or io.dsmigrate.job.pkg.* in an import.
  private static final Pattern REFERENCE =
      Pattern.compile("\\bio\\.dsmigrate\\.job((?:\\.[a-z_]\\w*)*)\\.([A-Z]\\w*|\\*)");

  // Package -> package it depends on -> "Class -> Class" that make the dependency.
  private static Map<String, Map<String, Set<String>>> graph;

  @BeforeAll
  static void scan() {
    graph = dependencies(SOURCES);
  }

  @Test
  void theScanSeesTheJobsSources() {
    assertThat(graph).containsKeys("", "fleet", "ledger");
    assertThat(graph.get("fleet")).as("the fleet keeps a ledger").containsKey("ledger");
  }

  @Test
  void theOrderNamesEveryPackage() {
    assertThat(ORDER)
        .as("every package of the job has its place in ORDER (and in the Layout in docs/layout.md)")
        .containsAll(graph.keySet());
  }

  @Test
  void noPackageIsInACycle() {
    List<String> cycles = new ArrayList<>();
    for (Set<String> component : stronglyConnected(graph)) {
      if (component.size() > 1) {
        StringBuilder text = new StringBuilder("cycle " + names(component) + ":");
        for (String from : component) {
          for (Map.Entry<String, Set<String>> edge : graph.get(from).entrySet()) {
            if (component.contains(edge.getKey())) {
              text.append("\n  ").append(describe(from, edge.getKey(), edge.getValue()));
            }
          }
        }
        cycles.add(text.toString());
      }
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  @Test
  void eachPackageDependsOnlyOnThoseBeforeIt() {
    List<String> upward = new ArrayList<>();
    graph.forEach(
        (from, targets) ->
            targets.forEach(
                (to, classes) -> {
                  if (ORDER.indexOf(to) >= ORDER.indexOf(from)) {
                    upward.add(describe(from, to, classes));
                  }
                }));
    assertThat(upward).as("dependencies against the order " + names(ORDER)).isEmpty();
  }

  private static String describe(String from, String to, Set<String> classes) {
    return name(from) + " -> " + name(to) + " (" + String.join(", ", classes) + ")";
  }

  private static String name(String pkg) {
    return pkg.isEmpty() ? "io.dsmigrate.job" : pkg;
  }

  private static String names(Iterable<String> packages) {
    List<String> names = new ArrayList<>();
    packages.forEach(pkg -> names.add(name(pkg)));
    return String.join(", ", names);
  }

  /** The dependencies between the packages of the sources under {@code root}. */
  static Map<String, Map<String, Set<String>>> dependencies(Path root) {
    Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
        String code = code(Files.readString(file));
        Matcher declared = PACKAGE.matcher(code);
        assertThat(declared.find()).as(file + " declares its package").isTrue();
        String pkg = relative(declared.group(1));
        String type = file.getFileName().toString().replace(".java", "");
        Map<String, Set<String>> targets = graph.computeIfAbsent(pkg, key -> new TreeMap<>());
        Matcher reference = REFERENCE.matcher(code);
        while (reference.find()) {
          String to = reference.group(1).isEmpty() ? "" : reference.group(1).substring(1);
          if (!to.equals(pkg)) {
            targets
                .computeIfAbsent(to, key -> new TreeSet<>())
                .add(type + " -> " + reference.group(2));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return graph;
  }

  private static String relative(String pkg) {
    return pkg.equals("io.dsmigrate.job") ? "" : pkg.substring("io.dsmigrate.job.".length());
  }

  /** Java source without its comments and the contents of its string and char literals. */
  static String code(String source) {
    StringBuilder code = new StringBuilder(source.length());
    int i = 0;
    while (i < source.length()) {
      if (source.startsWith("//", i)) {
        i = end(source, source.indexOf('\n', i), 0);
      } else if (source.startsWith("/*", i)) {
        i = end(source, source.indexOf("*/", i + 2), 2);
        code.append(' ');
      } else if (source.startsWith("\"\"\"", i)) {
        i = end(source, closing(source, i + 3, "\"\"\""), 3);
        code.append("\"\"");
      } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
        String quote = String.valueOf(source.charAt(i));
        i = end(source, closing(source, i + 1, quote), 1);
        code.append(quote).append(quote);
      } else {
        code.append(source.charAt(i++));
      }
    }
    return code.toString();
  }

  // Where the literal opened before {@code from} closes, past escaped characters.
  private static int closing(String source, int from, String quote) {
    for (int i = from; i < source.length(); i++) {
      if (source.charAt(i) == '\\') {
        i++;
      } else if (source.startsWith(quote, i)) {
        return i;
      }
    }
    return -1;
  }

  private static int end(String source, int at, int length) {
    return at < 0 ? source.length() : at + length;
  }

  /** The packages that depend on one another (directly or not), in groups of two or more. */
  private static List<Set<String>> stronglyConnected(Map<String, Map<String, Set<String>>> graph) {
    Map<String, Set<String>> reach = new TreeMap<>();
    for (String start : graph.keySet()) {
      Set<String> seen = new TreeSet<>();
      Deque<String> next = new ArrayDeque<>(List.of(start));
      while (!next.isEmpty()) {
        for (String to : graph.getOrDefault(next.pop(), Map.of()).keySet()) {
          if (seen.add(to)) {
            next.push(to);
          }
        }
      }
      reach.put(start, seen);
    }
    List<Set<String>> components = new ArrayList<>();
    Set<String> placed = new TreeSet<>();
    for (String pkg : graph.keySet()) {
      if (placed.contains(pkg)) {
        continue;
      }
      Set<String> component = new TreeSet<>(Set.of(pkg));
      for (String other : reach.get(pkg)) {
        if (reach.containsKey(other) && reach.get(other).contains(pkg)) {
          component.add(other);
        }
      }
      placed.addAll(component);
      components.add(component);
    }
    return components;
  }
}
