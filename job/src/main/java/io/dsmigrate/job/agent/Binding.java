package io.dsmigrate.job.agent;

import io.dsmigrate.validation.RowProfiler;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.mapreduce.Job;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.execution.datasources.FileFormat$;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import scala.Function1;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What the agents need to migrate datasets of one source schema with one transform, prepared once
 * on the driver with the session's settings: Spark's own Parquet reader for the source and for the
 * written target (so time zones, INT96 and calendar rebasing are handled as on the Spark path), the
 * transform as analysed and optimized Spark expressions (projections and one filter, nothing else),
 * Spark's Parquet writer, and the validation's row profiler. Serializable: it travels with the
 * tasks.
 */
final class Binding implements Serializable {
  private static final long serialVersionUID = 1L;

  final StructType sourceSchema;
  final StructType targetSchema;
  final List<Stage> stages;
  final Function1<PartitionedFile, Iterator<InternalRow>> sourceReader;
  final Function1<PartitionedFile, Iterator<InternalRow>> targetReader;
  final OutputWriterFactory writer;
  final SerializableConfiguration writeConf;
  final RowProfiler profiler;

  private Binding(
      StructType sourceSchema,
      StructType targetSchema,
      List<Stage> stages,
      Function1<PartitionedFile, Iterator<InternalRow>> sourceReader,
      Function1<PartitionedFile, Iterator<InternalRow>> targetReader,
      OutputWriterFactory writer,
      SerializableConfiguration writeConf,
      RowProfiler profiler) {
    this.sourceSchema = sourceSchema;
    this.targetSchema = targetSchema;
    this.stages = List.copyOf(stages);
    this.sourceReader = sourceReader;
    this.targetReader = targetReader;
    this.writer = writer;
    this.writeConf = writeConf;
    this.profiler = profiler;
  }

  /**
   * One step of the transform, applied in order from the source's rows: a projection, or a filter
   * (one condition), over the attributes of the step before.
   */
  record Stage(boolean filter, List<Expression> expressions, List<Attribute> input)
      implements Serializable {}

  /** Why a transform cannot run in an agent, or null when it can. */
  record Refusal(String reason) {}

  /**
   * Binds {@code transformed}, the spec's transform applied to {@code source} (a relation over no
   * rows with the source's schema, see {@link #emptyRows}): its optimized plan must be projections
   * and filters over that relation, with deterministic expressions only. Returns the binding, or
   * the reason it cannot be bound.
   */
  static Object of(
      SparkSession spark, Dataset<Row> source, Dataset<Row> transformed, List<String> ignore) {
    LogicalPlan plan = transformed.queryExecution().optimizedPlan();
    // Top-down: projections (the optimizer keeps a chain where collapsing would compute an
    // expression twice) and filters, over the relation.
    List<Stage> stages = new ArrayList<>();
    while (plan instanceof Project || plan instanceof Filter) {
      List<Attribute> childOutput =
          new ArrayList<>(CollectionConverters.asJava(plan.children().head().output()));
      List<Expression> expressions =
          plan instanceof Project project
              ? named(project.projectList())
              : List.of(((Filter) plan).condition());
      for (Expression expression : expressions) {
        if (!expression.deterministic()
            || org.apache.spark.sql.catalyst.expressions.SubqueryExpression.hasSubquery(
                expression)) {
          return new Refusal("the transform has a nondeterministic expression or a subquery");
        }
      }
      stages.add(0, new Stage(plan instanceof Filter, expressions, childOutput));
      plan = plan.children().head();
    }
    if (!(plan instanceof LogicalRDD)) {
      return new Refusal("the transform is more than projections and filters");
    }
    StructType target = transformed.schema().asNullable();
    for (StructField field : target.fields()) {
      if (field
          .dataType()
          .existsRecursively(
              type ->
                  type instanceof org.apache.spark.sql.types.TimestampNTZType
                      || type instanceof org.apache.spark.sql.types.VariantType
                      || type instanceof org.apache.spark.sql.types.NullType)) {
        return new Refusal(
            "column '" + field.name() + "' is of a type that needs a Delta table feature");
      }
      if (field.name().matches(".*[ ,;{}()\\n\\t=].*")) {
        return new Refusal(
            "column '" + field.name() + "' has a character Delta only takes with column mapping");
      }
    }
    StructType sourceSchema = source.schema();
    ParquetFileFormat format = new ParquetFileFormat();
    scala.collection.immutable.Map<String, String> options =
        scala.collection.immutable.Map$.MODULE$
            .<String, String>empty()
            .updated(FileFormat$.MODULE$.OPTION_RETURNING_BATCH(), "false");
    Function1<PartitionedFile, Iterator<InternalRow>> sourceReader =
        format.buildReaderWithPartitionValues(
            spark,
            sourceSchema,
            new StructType(),
            sourceSchema,
            scala.collection.immutable.List$.MODULE$.empty(),
            options,
            // Its own: the reader sets its schema in the configuration it broadcasts.
            spark.sessionState().newHadoopConf());
    Function1<PartitionedFile, Iterator<InternalRow>> targetReader =
        format.buildReaderWithPartitionValues(
            spark,
            target,
            new StructType(),
            target,
            scala.collection.immutable.List$.MODULE$.empty(),
            options,
            // Its own: the reader sets its schema in the configuration it broadcasts.
            spark.sessionState().newHadoopConf());
    Job job;
    try {
      job = Job.getInstance(spark.sessionState().newHadoopConf());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    OutputWriterFactory writer =
        format.prepareWrite(
            spark, job, scala.collection.immutable.Map$.MODULE$.<String, String>empty(), target);
    return new Binding(
        sourceSchema,
        target,
        stages,
        sourceReader,
        targetReader,
        writer,
        new SerializableConfiguration(job.getConfiguration()),
        RowProfiler.of(spark, target, ignore));
  }

  /**
   * No rows, with {@code schema}: a relation the optimizer keeps (an empty local relation would be
   * folded away with the transform).
   */
  static Dataset<Row> emptyRows(SparkSession spark, StructType schema) {
    return spark.createDataFrame(
        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
            .<Row>emptyRDD(),
        schema);
  }

  // A Scala NamedExpression is an Expression, which Java cannot see (a trait over a class).
  private static List<Expression> named(scala.collection.immutable.Seq<?> list) {
    List<Expression> out = new ArrayList<>();
    for (Object expression : CollectionConverters.asJava(list)) {
      out.add((Expression) expression);
    }
    return out;
  }
}
