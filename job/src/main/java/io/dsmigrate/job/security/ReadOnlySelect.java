package io.dsmigrate.job.security;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedGenerator;
import org.apache.spark.sql.catalyst.analysis.UnresolvedHaving;
import org.apache.spark.sql.catalyst.analysis.UnresolvedInlineTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedQualify;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedSubqueryColumnAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTVFAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableValuedFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.PipeOperator;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.Distinct;
import org.apache.spark.sql.catalyst.plans.logical.Except;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.Generate;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.Intersect;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LateralJoin;
import org.apache.spark.sql.catalyst.plans.logical.LimitAll;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Offset;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Pivot;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.RebalancePartitions;
import org.apache.spark.sql.catalyst.plans.logical.Repartition;
import org.apache.spark.sql.catalyst.plans.logical.RepartitionByExpression;
import org.apache.spark.sql.catalyst.plans.logical.Sample;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.Union;
import org.apache.spark.sql.catalyst.plans.logical.Unpivot;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedHint;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.plans.logical.WithWindowDefinition;
import scala.Product;
import scala.Tuple3;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Checks that SQL from a spec can only read: one SELECT (a {@code WITH ... SELECT} too) whose only
 * relation is one view ({@code source} for a transform, {@code dataset} for a consumer query), or
 * the queries its own {@code WITH} defines. It walks Spark's parsed (unresolved) plan, subqueries
 * and every expression included, so that no spelling slips past a pattern:
 *
 * <ul>
 *   <li>no statement but a query: no DDL, no DML, no {@code CACHE}, no {@code SET};
 *   <li>no other table or view, no {@code IDENTIFIER(...)} computed at run time, no streams, no
 *       time travel;
 *   <li>no file reads ({@code parquet.`/path`}) unless {@code dsmigrate.security.allow-file-reads}
 *       is on, and then only under {@code dsmigrate.security.path-roots};
 *   <li>table functions only from those that compute rows ({@code range}, {@code explode}, ...):
 *       none that reads files;
 *   <li>no {@code reflect}, {@code java_method}, {@code try_reflect} (they call any Java method),
 *       no {@code TRANSFORM ... USING} (it runs a program).
 * </ul>
 *
 * Only the plan's node types a query is made of are allowed; anything else, including node types
 * that later Spark versions add, is refused until someone looks at it. Functions registered in the
 * metastore are allowed: whoever registered them vouches for them.
 */
public final class ReadOnlySelect {
  private static final Set<String> REFLECTION =
      Set.of("reflect", "java_method", "try_reflect", "reflect2");
  private static final Set<String> TABLE_FUNCTIONS =
      Set.of(
          "range",
          "explode",
          "explode_outer",
          "inline",
          "inline_outer",
          "json_tuple",
          "posexplode",
          "posexplode_outer",
          "stack",
          "variant_explode",
          "variant_explode_outer");
  private static final Set<String> FILE_FORMATS =
      Set.of("parquet", "orc", "json", "csv", "text", "avro", "delta", "binaryfile");
  private static final Set<Class<?>> QUERY_NODES =
      Set.of(
          Project.class,
          Filter.class,
          Aggregate.class,
          UnresolvedHaving.class,
          UnresolvedQualify.class,
          Sort.class,
          GlobalLimit.class,
          LocalLimit.class,
          LimitAll.class,
          Offset.class,
          Distinct.class,
          Join.class,
          LateralJoin.class,
          Union.class,
          Intersect.class,
          Except.class,
          SubqueryAlias.class,
          UnresolvedSubqueryColumnAliases.class,
          UnresolvedWith.class,
          WithWindowDefinition.class,
          Generate.class,
          Sample.class,
          UnresolvedHint.class,
          Repartition.class,
          RepartitionByExpression.class,
          RebalancePartitions.class,
          OneRowRelation.class,
          LocalRelation.class,
          UnresolvedInlineTable.class,
          Pivot.class,
          Unpivot.class,
          PipeOperator.class,
          UnresolvedRelation.class,
          UnresolvedTableValuedFunction.class,
          UnresolvedTVFAliases.class);
  private static final Map<String, String> NODE_NAMES =
      Map.of(
          "ScriptTransformation", "TRANSFORM ... USING, which runs a program",
          "PlanWithUnresolvedIdentifier", "IDENTIFIER(...) with a name computed at run time",
          "NamedStreamingRelation", "a streaming read (STREAM)",
          "RelationTimeTravel", "time travel (VERSION AS OF, TIMESTAMP AS OF)");

  private final String view;
  private final SecuritySettings security;
  private final Set<String> violations = new LinkedHashSet<>();
  private AllowedLocations roots;

  private ReadOnlySelect(String view, SecuritySettings security) {
    this.view = view;
    this.security = requireNonNull(security, "security is null");
  }

  /**
   * Why the parsed query may not run as a read of {@code view} alone; empty when it may.
   *
   * @param parsed the unresolved plan, from {@code parsePlan} of Spark's SQL parser
   */
  public static List<String> check(LogicalPlan parsed, String view, SecuritySettings security) {
    ReadOnlySelect check = new ReadOnlySelect(requireNonNull(view, "view is null"), security);
    boolean query =
        QUERY_NODES.contains(parsed.getClass()) || NODE_NAMES.containsKey(parsed.nodeName());
    if (parsed instanceof Command || !query) {
      return List.of("must be one SELECT over the view '" + view + "'");
    }
    check.visit(parsed, Set.of());
    return List.copyOf(check.violations);
  }

  /**
   * Why a column expression ({@code transform.add}) may not run; empty when it may. It works on the
   * row alone: no subquery, no Java reflection.
   */
  public static List<String> check(Expression parsed, SecuritySettings security) {
    ReadOnlySelect check = new ReadOnlySelect(null, security);
    check.visit(parsed, Set.of());
    return List.copyOf(check.violations);
  }

  // Walks every field of every node, not just children and expressions(): subquery plans, CTE
  // definitions and window definitions sit in fields those skip.
  private void visit(Object value, Set<String> ctes) {
    if (value instanceof UnresolvedWith with) {
      visitWith(with, ctes);
    } else if (value instanceof LogicalPlan plan) {
      if (allowed(plan, ctes)) {
        visitFields(plan, ctes);
      }
    } else if (value instanceof Expression expression) {
      if (allowed(expression)) {
        visitFields(expression, ctes);
      }
    } else if (value instanceof scala.collection.Iterable<?> items) {
      for (Object item : CollectionConverters.asJava(items)) {
        visit(item, ctes);
      }
    } else if (value instanceof Product product) {
      visitFields(product, ctes);
    }
  }

  private void visitFields(Product product, Set<String> ctes) {
    java.util.Iterator<Object> fields = CollectionConverters.asJava(product.productIterator());
    while (fields.hasNext()) {
      visit(fields.next(), ctes);
    }
  }

  /** Each WITH query may read the ones defined before it (and itself, when recursive). */
  private void visitWith(UnresolvedWith with, Set<String> ctes) {
    Set<String> scope = new HashSet<>(ctes);
    for (Tuple3<String, SubqueryAlias, scala.Option<Object>> relation :
        CollectionConverters.asJava(with.cteRelations())) {
      String name = lower(relation._1());
      if (with.allowRecursion()) {
        scope.add(name);
      }
      visit(relation._2(), Set.copyOf(scope));
      scope.add(name);
    }
    visit(with.child(), Set.copyOf(scope));
  }

  private boolean allowed(LogicalPlan plan, Set<String> ctes) {
    if (view == null) {
      violations.add("reads a relation; a column expression works on the row alone");
      return false;
    }
    if (plan instanceof UnresolvedRelation relation) {
      checkRelation(relation, ctes);
      return false;
    }
    if (plan instanceof UnresolvedTableValuedFunction function) {
      List<String> name = CollectionConverters.asJava(function.name());
      String last = lower(name.get(name.size() - 1));
      if (!TABLE_FUNCTIONS.contains(last) || !builtin(name)) {
        violations.add(
            "uses the table function "
                + String.join(".", name)
                + "; allowed ones: "
                + String.join(", ", TABLE_FUNCTIONS.stream().sorted().toList()));
      }
      return true;
    }
    if (plan instanceof Command || !QUERY_NODES.contains(plan.getClass())) {
      String node = plan.nodeName();
      violations.add("uses " + NODE_NAMES.getOrDefault(node, "'" + node + "'") + notAllowed());
      return false;
    }
    return true;
  }

  private void checkRelation(UnresolvedRelation relation, Set<String> ctes) {
    List<String> parts = CollectionConverters.asJava(relation.multipartIdentifier());
    String name = String.join(".", parts);
    if (relation.isStreaming()) {
      violations.add("reads " + name + " as a stream" + notAllowed());
    }
    if (!relation.options().isEmpty()) {
      violations.add("gives options to " + name + " (WITH (...))" + notAllowed());
    }
    if (parts.size() == 1
        && (parts.get(0).equalsIgnoreCase(view) || ctes.contains(lower(parts.get(0))))) {
      return;
    }
    if (parts.size() == 2 && FILE_FORMATS.contains(lower(parts.get(0)))) {
      String location = parts.get(1);
      if (!security.allowFileReads()) {
        violations.add(
            "reads files directly ("
                + parts.get(0)
                + ".`"
                + location
                + "`), which dsmigrate.security.allow-file-reads = false forbids");
      } else if (!roots().allows(location)) {
        violations.add(
            "reads "
                + location
                + ", which is not under dsmigrate.security.path-roots ("
                + roots().describe()
                + ")");
      }
      return;
    }
    violations.add(
        "reads "
            + name
            + "; it may read only the view '"
            + view
            + "'"
            + (ctes.isEmpty() ? "" : " and the queries its WITH defines"));
  }

  private boolean allowed(Expression expression) {
    String function = null;
    if (expression instanceof UnresolvedFunction call) {
      List<String> name = CollectionConverters.asJava(call.nameParts());
      function = name.get(name.size() - 1);
    } else if (expression instanceof UnresolvedGenerator generator) {
      function = generator.name().funcName();
    }
    if (function != null && REFLECTION.contains(lower(function))) {
      violations.add("calls " + function + ", which runs any Java method" + notAllowed());
    }
    if (view == null && expression instanceof SubqueryExpression) {
      violations.add("has a subquery; a column expression works on the row alone");
      return false;
    }
    return true;
  }

  private AllowedLocations roots() {
    if (roots == null) {
      roots = security.roots();
    }
    return roots;
  }

  private String notAllowed() {
    return view == null
        ? "; a column expression may not"
        : "; only a read-only SELECT over the view '" + view + "' is allowed";
  }

  private static boolean builtin(List<String> name) {
    List<String> qualifier =
        name.subList(0, name.size() - 1).stream().map(ReadOnlySelect::lower).toList();
    return qualifier.isEmpty()
        || qualifier.equals(List.of("builtin"))
        || qualifier.equals(List.of("system", "builtin"));
  }

  private static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
