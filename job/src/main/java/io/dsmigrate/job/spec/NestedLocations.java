package io.dsmigrate.job.spec;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

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
    for (int i = 0; i < specs.size(); i++) {
      Located a = specs.get(i);
      if (a.target == null) {
        continue;
      }
      own(a, problems);
      for (int j = 0; j < specs.size(); j++) {
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
