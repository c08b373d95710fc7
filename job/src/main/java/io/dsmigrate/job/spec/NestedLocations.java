package io.dsmigrate.job.spec;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Specs whose locations nest are refused: a dataset's target may not be inside (or equal to)
 * another's target or source, nor hold another's source, nor nest strictly inside its own source or
 * hold it (equal is an in-place migration). Writing, clearing or undoing one would change the files
 * of the other, or what it reads. Locations are compared as normalized URIs ({@link Names#path}) by
 * whole path segments: {@code /a/b} is inside {@code /a}, not inside {@code /a/bc}.
 *
 * <p>Checked on the paths of the specs when they load, and on the locations the metastore gives
 * their tables when they are planned.
 */
public final class NestedLocations {
  private NestedLocations() {}

  /**
   * Where a spec reads and writes.
   *
   * @param spec the spec
   * @param source where its source's files are (a URI), or null when not known
   * @param target where its target's files go (a URI), or null when not known
   */
  public record Located(DatasetSpec spec, String source, String target) {
    public Located {
      requireNonNull(spec, "spec is null");
      source = source == null ? null : Names.path(source);
      target = target == null ? null : Names.path(target);
    }

    private String sourceText() {
      return describe(spec.source().table(), spec.source().path(), source);
    }

    private String targetText() {
      return describe(spec.target().table(), spec.target().path(), target);
    }

    private static String describe(String table, String path, String location) {
      return path != null ? path : table + " (at " + location + ")";
    }
  }

  /**
   * The problems of {@code specs}; with {@code equalToo}, also locations that are equal (when they
   * load, equal paths and names are reported by their own checks).
   */
  public static List<SpecProblem> problems(List<Located> specs, boolean equalToo) {
    List<SpecProblem> problems = new ArrayList<>();
    Index index = new Index(specs);
    for (int i = 0; i < specs.size(); i++) {
      Located a = specs.get(i);
      if (a.target == null) {
        continue;
      }
      own(a, problems);
      for (int j : index.related(a.target)) {
        Located b = specs.get(j);
        if (j == i) {
          continue;
        }
        boolean inTarget =
            b.target != null
                && (strictlyInside(a.target, b.target)
                    || (equalToo && j < i && a.target.equals(b.target)));
        if (inTarget) {
          problems.add(
              problem(
                  a,
                  (a.target.equals(b.target) ? " is where " : " is inside ")
                      + "the target of "
                      + b.spec.id()
                      + ", "
                      + b.targetText()
                      + " ("
                      + b.spec.at(field(b.spec, "target"))
                      + "); writing or undoing one would change the other's files. Give each"
                      + " dataset a target of its own, outside the others'"));
        }
        if (b.source == null || (inTarget && b.source.equals(b.target))) {
          continue; // in place: its source is its target, said once
        }
        boolean inside =
            strictlyInside(a.target, b.source) || (equalToo && a.target.equals(b.source));
        if (inside || strictlyInside(b.source, a.target)) {
          problems.add(
              problem(
                  a,
                  (a.target.equals(b.source)
                          ? " is the source of "
                          : inside ? " is inside the source of " : " holds the source of ")
                      + b.spec.id()
                      + ", "
                      + b.sourceText()
                      + " ("
                      + b.spec.at(field(b.spec, "source"))
                      + "); writing it would change what "
                      + b.spec.id()
                      + " reads. Migrate one after the other, in separate runs, or give the"
                      + " target a location of its own"));
        }
      }
    }
    return problems;
  }

  /**
   * The specs whose target or source a location may be related to (equal, inside, holding), found
   * through maps of locations, so that thousands of specs are not compared pair by pair; the pairs
   * are then checked as before, in the order of the specs.
   */
  private static final class Index {
    private final Map<String, List<Integer>> targets = new HashMap<>();
    private final NavigableMap<String, List<Integer>> sources = new TreeMap<>();

    Index(List<Located> specs) {
      for (int i = 0; i < specs.size(); i++) {
        Located spec = specs.get(i);
        if (spec.target != null) {
          targets.computeIfAbsent(spec.target, l -> new ArrayList<>()).add(i);
        }
        if (spec.source != null) {
          sources.computeIfAbsent(spec.source, l -> new ArrayList<>()).add(i);
        }
      }
    }

    /**
     * The specs, in order, whose target is {@code location} or holds it, or whose source is {@code
     * location}, holds it or is inside it.
     */
    int[] related(String location) {
      Set<Integer> related = new TreeSet<>();
      List<String> holders = new ArrayList<>();
      holders.add(location);
      for (int k = location.indexOf('/'); k >= 0; k = location.indexOf('/', k + 1)) {
        holders.add(location.substring(0, k)); // strictlyInside(location, "/a") for "/a/..."
        holders.add(location.substring(0, k + 1)); // and for "/a/"
      }
      for (String holder : holders) {
        related.addAll(targets.getOrDefault(holder, List.of()));
        related.addAll(sources.getOrDefault(holder, List.of()));
      }
      String prefix = location.endsWith("/") ? location : location + "/";
      for (Map.Entry<String, List<Integer>> inside : sources.tailMap(prefix, true).entrySet()) {
        if (!inside.getKey().startsWith(prefix)) {
          break;
        }
        related.addAll(inside.getValue());
      }
      return related.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  // In place (equal locations) is allowed; a target inside its own source, or holding it, is not.
  private static void own(Located a, List<SpecProblem> problems) {
    if (a.source == null) {
      return;
    }
    boolean inside = strictlyInside(a.target, a.source);
    if (inside || strictlyInside(a.source, a.target)) {
      problems.add(
          problem(
              a,
              (inside ? " is inside its own source " : " holds its own source ")
                  + a.sourceText()
                  + "; writing it would change what it reads. Give the target the source's own"
                  + " location (an in-place migration) or one outside it"));
    }
  }

  private static SpecProblem problem(Located a, String message) {
    String field = field(a.spec, "target");
    return SpecProblem.at(a.spec, field, "target " + a.targetText() + message);
  }

  // A spec from the Backstage template says sourcePath/targetPath instead.
  private static String field(DatasetSpec spec, String side) {
    return spec.origin() != null && spec.origin().fieldLines().containsKey(side + "Path")
        ? side + "Path"
        : side;
  }

  private static boolean strictlyInside(String inner, String outer) {
    return inner.startsWith(outer.endsWith("/") ? outer : outer + "/") && !inner.equals(outer);
  }
}
