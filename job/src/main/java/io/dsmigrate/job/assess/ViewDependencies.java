package io.dsmigrate.job.assess;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.QueryPlan;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Which tables views read, from their SQL text: the text is parsed (not analysed, so a view whose
 * tables are gone or unreadable still names them) and every table it names, in its FROM clauses,
 * joins and subqueries, is qualified with the database the view was created in.
 */
final class ViewDependencies {
  private ViewDependencies() {}

  /**
   * For each table, the views of {@code views} that read it, directly or through other views of
   * {@code views}, as sorted {@code db.view} names; tables as {@code db.table} in lower case.
   */
  static Map<String, List<String>> dependents(SparkSession spark, List<CatalogTable> views) {
    Map<String, Set<String>> reads = new TreeMap<>();
    for (CatalogTable view : views) {
      reads.put(name(view), tablesRead(spark, view));
    }
    Map<String, Set<String>> dependents = new TreeMap<>();
    for (String view : reads.keySet()) {
      // Every table the view reads, through the views it reads too.
      Set<String> seen = new HashSet<>();
      List<String> pending = new ArrayList<>(reads.get(view));
      while (!pending.isEmpty()) {
        String table = pending.remove(pending.size() - 1);
        if (seen.add(table)) {
          dependents.computeIfAbsent(table, t -> new TreeSet<>()).add(view);
          pending.addAll(reads.getOrDefault(table, Set.of()));
        }
      }
    }
    Map<String, List<String>> sorted = new TreeMap<>();
    dependents.forEach((table, names) -> sorted.put(table, List.copyOf(names)));
    return sorted;
  }

  /** The tables (or views) {@code view} names, {@code db.table} in lower case. */
  static Set<String> tablesRead(SparkSession spark, CatalogTable view) {
    if (view.viewText().isEmpty()) {
      return Set.of();
    }
    LogicalPlan plan;
    try {
      plan = spark.sessionState().sqlParser().parsePlan(view.viewText().get());
    } catch (org.apache.spark.sql.catalyst.parser.ParseException | RuntimeException e) {
      // a text this Spark cannot parse names nothing it can follow
      return Set.of();
    }
    List<String> namespace = CollectionConverters.asJava(view.viewCatalogAndNamespace());
    String database = namespace.isEmpty() ? view.database() : namespace.get(namespace.size() - 1);
    Set<String> ctes = new HashSet<>();
    List<List<String>> named = new ArrayList<>();
    walk(plan, ctes, named);
    Set<String> tables = new TreeSet<>();
    for (List<String> parts : named) {
      if (parts.size() == 1 && ctes.contains(parts.get(0).toLowerCase(Locale.ROOT))) {
        continue; // a common table expression of the query, not a table
      }
      String table = parts.get(parts.size() - 1);
      String db = parts.size() >= 2 ? parts.get(parts.size() - 2) : database;
      tables.add((db + "." + table).toLowerCase(Locale.ROOT));
    }
    return tables;
  }

  static String name(CatalogTable table) {
    return (table.database() + "." + table.identifier().table()).toLowerCase(Locale.ROOT);
  }

  private static void walk(LogicalPlan plan, Set<String> ctes, List<List<String>> named) {
    if (plan instanceof UnresolvedRelation relation) {
      named.add(CollectionConverters.asJava(relation.multipartIdentifier()));
    }
    if (plan instanceof UnresolvedWith with) {
      for (scala.Product3<String, ?, ?> cte : CollectionConverters.asJava(with.cteRelations())) {
        ctes.add(cte._1().toLowerCase(Locale.ROOT));
      }
    }
    for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
      walk(child, ctes, named);
    }
    // The definitions of common table expressions are inner children, not children.
    for (QueryPlan<?> inner : CollectionConverters.asJava(plan.innerChildren())) {
      if (inner instanceof LogicalPlan logical) {
        walk(logical, ctes, named);
      }
    }
    for (Expression expression : CollectionConverters.asJava(plan.expressions())) {
      walk(expression, ctes, named);
    }
  }

  private static void walk(Expression expression, Set<String> ctes, List<List<String>> named) {
    if (expression instanceof SubqueryExpression subquery) {
      walk(subquery.plan(), ctes, named);
    }
    for (Expression child : CollectionConverters.asJava(expression.children())) {
      walk(child, ctes, named);
    }
  }
}
