package io.dsmigrate.validation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A side's rows as the column batches Spark's file reader decodes them into (Parquet and Delta
 * tables), when the side is such a scan, or a choice of its columns. A loop over a batch's columns
 * reads each value straight from its column; turning batches into rows first (Spark's {@code
 * ColumnarToRow}) copies every value once more, which costs about as much as decoding them.
 *
 * @param batches the scan's batches
 * @param ordinals for each column of the side, its position in the batches
 */
record Batches(RDD<ColumnarBatch> batches, int[] ordinals) {

  /**
   * The batches of {@code rows}, or null when Spark does not read them as batches or does more than
   * choose columns (a filter, a cast, a join): those are read as rows.
   */
  static Batches of(Dataset<Row> rows) {
    SparkPlan plan = rows.queryExecution().executedPlan();
    if (plan instanceof WholeStageCodegenExec stage) {
      plan = stage.child();
    }
    List<NamedExpression> projection = null;
    if (plan instanceof ProjectExec project) {
      projection = CollectionConverters.asJava(project.projectList());
      plan = project.child();
    }
    if (plan instanceof InputAdapter adapter) {
      plan = adapter.child();
    }
    if (!(plan instanceof ColumnarToRowExec toRows) || !toRows.child().supportsColumnar()) {
      return null;
    }
    SparkPlan scan = toRows.child();
    List<Attribute> scanned = CollectionConverters.asJava(scan.output());
    Map<ExprId, Integer> position = new HashMap<>();
    for (int i = 0; i < scanned.size(); i++) {
      position.put(scanned.get(i).exprId(), i);
    }
    List<? extends NamedExpression> output =
        projection != null ? projection : CollectionConverters.asJava(plan.output());
    if (output.size() != rows.schema().size()) {
      return null;
    }
    int[] ordinals = new int[output.size()];
    for (int c = 0; c < ordinals.length; c++) {
      Object source = output.get(c);
      if (source instanceof Alias alias) {
        source = alias.child();
      }
      if (!(source instanceof AttributeReference attribute)
          || !position.containsKey(attribute.exprId())
          || !attribute.dataType().equals(rows.schema().fields()[c].dataType())) {
        return null;
      }
      ordinals[c] = position.get(attribute.exprId());
    }
    return new Batches(scan.executeColumnar(), ordinals);
  }
}
