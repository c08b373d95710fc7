package io.dsmigrate.validation;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The validation's row loop for rows that are at hand one by one, inside a task that also writes
 * them: profiles rows exactly as {@link DatasetComparison} profiles a side (same canonical values,
 * same hashes, same min/max text), so two profiles taken here compare as the comparison compares
 * them. Prepared once per schema on the driver (the projection is analysed there, with the
 * session's settings), then used in tasks as often as needed.
 *
 * <pre>{@code
 * RowProfiler profiler = RowProfiler.of(spark, rows.schema(), ignore);   // driver
 * RowProfiler.Profile old = profiler.profile(transformedRows);           // task
 * RowProfiler.Profile now = profiler.profile(writtenRows);               // task
 * Optional<ComparisonResult> same = profiler.compare(old, now, key);      // task or driver
 * }</pre>
 */
public final class RowProfiler implements Serializable {
  private static final long serialVersionUID = 1L;

  private final StructField[] compared;
  private final List<Expression> projection;
  private final List<Attribute> input;
  private final ProfileScan.Layout layout;
  private final String timeZone;

  private RowProfiler(
      StructField[] compared,
      List<Expression> projection,
      List<Attribute> input,
      ProfileScan.Layout layout,
      String timeZone) {
    this.compared = compared;
    this.projection = projection;
    this.input = input;
    this.layout = layout;
    this.timeZone = timeZone;
  }

  /**
   * A profiler of rows of {@code schema}, leaving out the columns named in {@code ignore} (compared
   * case-insensitively, as {@link DatasetComparison#ignore} does).
   */
  public static RowProfiler of(SparkSession spark, StructType schema, List<String> ignore) {
    requireNonNull(spark, "spark is null");
    List<String> ignored = ignore.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
    // An empty relation that the optimizer keeps (an empty local relation would be folded away):
    // the projection is analysed and optimized against its attributes, then bound in the task.
    Dataset<Row> empty =
        spark.createDataFrame(
            JavaSparkContext.fromSparkContext(spark.sparkContext()).emptyRDD(), schema);
    List<StructField> kept = new ArrayList<>();
    for (StructField field : schema.fields()) {
      if (!ignored.contains(field.name().toLowerCase(Locale.ROOT))) {
        kept.add(field);
      }
    }
    StructType keptSchema = DataTypes.createStructType(kept);
    int n = kept.size();
    List<Column> first = Fingerprints.firstHashes(keptSchema);
    List<Column> second = Fingerprints.secondHashes(keptSchema);
    List<Column> columns = new ArrayList<>();
    int[] value = new int[n];
    int[] hash = new int[n];
    int[] secondAt = new int[n];
    int[] isNull = new int[n];
    boolean[] minMax = new boolean[n];
    DataType[] types = new DataType[n];
    for (int i = 0; i < n; i++) {
      types[i] = kept.get(i).dataType();
      Column column = Canonical.column(kept.get(i).name());
      value[i] = hash[i] = secondAt[i] = isNull[i] = -1;
      if (ProfileScan.hashedHere(types[i])) {
        value[i] = columns.size();
        columns.add(column.as("__dsm_v" + i));
        minMax[i] = Canonical.hasMinMax(types[i]);
      } else {
        hash[i] = columns.size();
        columns.add(first.get(i).as("__dsm_h" + i));
        secondAt[i] = columns.size();
        columns.add(second.get(i).as("__dsm_s" + i));
        isNull[i] = columns.size();
        columns.add(column.isNull().as("__dsm_n" + i));
      }
    }
    LogicalPlan plan =
        empty.select(columns.toArray(Column[]::new)).queryExecution().optimizedPlan();
    if (!(plan instanceof Project project)) {
      throw new IllegalStateException("unexpected profile plan: " + plan.simpleString(0));
    }
    return new RowProfiler(
        kept.toArray(StructField[]::new),
        expressions(project),
        new ArrayList<>(CollectionConverters.asJava(project.child().output())),
        new ProfileScan.Layout(
            value, hash, secondAt, isNull, minMax, types, ProfileScan.NO_BUCKETS, new int[0]),
        spark.sessionState().conf().sessionLocalTimeZone());
  }

  // A Scala NamedExpression is an Expression, which Java cannot see (a trait over a class).
  private static List<Expression> expressions(Project project) {
    List<Expression> out = new ArrayList<>();
    for (Object expression : CollectionConverters.asJava(project.projectList())) {
      out.add((Expression) expression);
    }
    return out;
  }

  /**
   * One side's figures: row count, fingerprint sums and per column nulls, min, max and hashes.
   * Serializable, so tasks return it.
   */
  public static final class Profile implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SideProfile side;

    private Profile(SideProfile side) {
      this.side = side;
    }

    public long rows() {
      return side.rows();
    }

    /** Same rows as a multiset. */
    public boolean sameRows(Profile other) {
      return side.sameRows(other.side);
    }
  }

  /**
   * Profiles {@code rows} (of the schema this profiler was made for), reading each row once, in
   * order; a row may be reused by the iterator once the next is asked for.
   */
  public Profile profile(Iterator<InternalRow> rows) {
    UnsafeProjection project =
        UnsafeProjection.create(
            CollectionConverters.asScala(projection).toSeq(),
            CollectionConverters.asScala(input).toSeq());
    Iterator<InternalRow> projected =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return rows.hasNext();
          }

          @Override
          public InternalRow next() {
            return project.apply(rows.next());
          }
        };
    ProfileScan.Totals totals = new ProfileScan.Task(layout).call(projected).next();
    return new Profile(SideProfile.profile(compared, totals, text(totals)));
  }

  /**
   * The comparison's result when both sides hold the same rows (what {@link DatasetComparison}
   * returns for two sides of this schema, compared with {@code key}); empty when they differ, and
   * the differences have to be found by {@link DatasetComparison} over the data itself.
   */
  public Optional<ComparisonResult> compare(Profile old, Profile now, List<String> key) {
    if (!old.sameRows(now)) {
      return Optional.empty();
    }
    List<String> names = new ArrayList<>();
    for (StructField field : compared) {
      names.add(field.name());
    }
    List<String> keyNames = new ArrayList<>();
    for (String column : key) {
      String found =
          names.stream().filter(name -> name.equalsIgnoreCase(column)).findFirst().orElse(null);
      if (found == null) {
        return Optional.empty(); // DatasetComparison reports the missing key column
      }
      keyNames.add(found);
    }
    return Optional.of(
        DatasetComparison.result(
            compared,
            key,
            List.of(),
            names,
            keyNames,
            old.side,
            now.side,
            Differences.Found.none(key)));
  }

  /** Min and max as Spark casts them to text (as {@code SideProfile} shows them). */
  private String[][] text(ProfileScan.Totals totals) {
    String[][] text = new String[2][compared.length];
    Object[][] values = {totals.min, totals.max};
    for (int v = 0; v < 2; v++) {
      for (int c = 0; c < compared.length; c++) {
        Object value = values[v][c];
        if (value != null) {
          Object cast =
              new Cast(
                      new Literal(value, compared[c].dataType()),
                      DataTypes.StringType,
                      Option.apply(timeZone))
                  .eval(null);
          text[v][c] = cast == null ? null : ((UTF8String) cast).toString();
        }
      }
    }
    return text;
  }
}
