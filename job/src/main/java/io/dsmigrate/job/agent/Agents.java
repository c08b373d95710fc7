package io.dsmigrate.job.agent;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.migrate.Transformer;
import io.dsmigrate.job.plan.PlannedDataset;
import io.dsmigrate.job.plan.TableMetadata;
import io.dsmigrate.job.security.SecuritySettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The driver's side of the agent path: binds each distinct (source schema, transform) once, cuts
 * the datasets into chunks, runs the chunks as the tasks of a few Spark jobs (one job ahead of the
 * driver, so executors work while the driver records what came back) and hands each job's outcomes
 * to the caller as they arrive.
 *
 * <pre>{@code
 * Agents agents = Agents.of(spark, security).chunkSize(25);
 * Optional<String> why = agents.refusal(planned);        // null: the dataset can take the agent path
 * agents.run(items, outcomes -> record(outcomes));
 * }</pre>
 */
public final class Agents {
  private final SparkSession spark;
  private final SecuritySettings security;
  private long maxBytes = 256L << 20;
  private int maxFiles = 200;
  private int chunkSize = 25;
  private java.time.Duration timeout = java.time.Duration.ofHours(1);
  private final Map<String, Object> bindings = new HashMap<>();

  private Agents(SparkSession spark, SecuritySettings security) {
    this.spark = requireNonNull(spark, "spark is null");
    this.security = requireNonNull(security, "security is null");
  }

  public static Agents of(SparkSession spark, SecuritySettings security) {
    return new Agents(spark, security);
  }

  /** Sources larger than this (bytes or files) take the Spark path; the agent checks again. */
  public Agents limits(long bytes, int files) {
    this.maxBytes = bytes;
    this.maxFiles = files;
    return this;
  }

  /**
   * How long one job of chunks may run (a dataset's timeout: chunks are small); past it the job is
   * cancelled and its datasets are reported by none.
   */
  public Agents timeout(java.time.Duration value) {
    this.timeout = requireNonNull(value, "timeout is null");
    return this;
  }

  /** Datasets per task. */
  public Agents chunkSize(int datasets) {
    if (datasets < 1) {
      throw new IllegalArgumentException("a chunk holds at least one dataset, got " + datasets);
    }
    this.chunkSize = datasets;
    return this;
  }

  /**
   * One dataset to migrate in an agent, with the attempt's target location and commit tag, and what
   * the target carries besides its rows ({@link TableMetadata#forTarget}).
   */
  public record Item(
      PlannedDataset planned, String targetLocation, String commitTag, TableMetadata metadata) {
    public Item {
      metadata = metadata == null ? TableMetadata.NONE : metadata;
    }

    /** An item whose target carries no metadata. */
    public Item(PlannedDataset planned, String targetLocation, String commitTag) {
      this(planned, targetLocation, commitTag, null);
    }
  }

  /**
   * Why {@code planned} cannot take the agent path, or null when it can: its transform must bind to
   * projections and filters (see {@link Binding}). Bound once per source schema and transform.
   */
  public String refusal(PlannedDataset planned) {
    Object binding = binding(planned);
    return binding instanceof Binding.Refusal refusal ? refusal.reason() : null;
  }

  /**
   * The schema of what an agent writes for {@code planned}, as its transform binds (see {@link
   * #refusal}); null when it cannot take the agent path.
   */
  public StructType targetSchema(PlannedDataset planned) {
    return binding(planned) instanceof Binding binding ? binding.targetSchema : null;
  }

  private Object binding(PlannedDataset planned) {
    if (planned.source() == null || planned.source().schemaDdl() == null) {
      return new Binding.Refusal("the source's schema is not known");
    }
    String key =
        planned.source().schemaDdl()
            + '\u0000'
            + planned.spec().transform()
            + '\u0000'
            + planned.spec().validation().ignore();
    return bindings.computeIfAbsent(
        key,
        k -> {
          try {
            StructType schema = StructType.fromDDL(planned.source().schemaDdl());
            Dataset<Row> empty = Binding.emptyRows(spark, schema);
            Dataset<Row> transformed = Transformer.apply(spark, empty, planned.spec(), security);
            return Binding.of(spark, empty, transformed, planned.spec().validation().ignore());
          } catch (Exception e) { // the Spark path reports a transform that fails, as always
            return new Binding.Refusal(
                "the transform does not bind: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
          }
        });
  }

  /**
   * Migrates {@code items} in agents, chunk by chunk; {@code outcomes} is called on this thread
   * with each job's outcomes, while the next job runs.
   */
  public void run(List<Item> items, Consumer<List<AgentOutcome>> outcomes) {
    int[] from = {0};
    run(
        most -> {
          if (from[0] >= items.size()) {
            return null;
          }
          List<Item> slice = items.subList(from[0], Math.min(items.size(), from[0] + most));
          from[0] += slice.size();
          return slice;
        },
        outcomes);
  }

  /**
   * Migrates the items that {@code next} gives, job by job: {@code next} is asked for at most so
   * many items as one job takes (an empty list when it has none this time, null when it has no
   * more), and is called while the previous job runs, so the driver takes the next datasets while
   * the executors migrate. {@code outcomes} is called on this thread with each job's outcomes.
   *
   * @throws IllegalStateException when a job fails as a whole or runs past the timeout: it and the
   *     next job are cancelled, and none of their tasks runs any more
   */
  public void run(IntFunction<List<Item>> next, Consumer<List<AgentOutcome>> outcomes) {
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int perJob = Math.max(1, 2 * context.defaultParallelism()) * chunkSize;
    JavaFutureAction<List<AgentOutcome>> running = submit(context, next, perJob);
    while (running != null) {
      JavaFutureAction<List<AgentOutcome>> following;
      try {
        following = submit(context, next, perJob);
      } catch (RuntimeException e) {
        stop(context, running);
        throw e;
      }
      List<AgentOutcome> done;
      try {
        done = await(running);
      } catch (RuntimeException e) {
        stop(context, running);
        stop(context, following);
        throw e;
      }
      outcomes.accept(done);
      running = following;
    }
  }

  /** Submits the next job of the items {@code next} gives; null when it gives no more. */
  private JavaFutureAction<List<AgentOutcome>> submit(
      JavaSparkContext context, IntFunction<List<Item>> next, int perJob) {
    while (true) {
      List<Item> items = next.apply(perJob);
      if (items == null) {
        return null;
      }
      if (!items.isEmpty()) {
        return submit(context, items);
      }
    }
  }

  private JavaFutureAction<List<AgentOutcome>> submit(JavaSparkContext context, List<Item> items) {
    List<Binding> used = new ArrayList<>();
    Map<Binding, Integer> index = new HashMap<>();
    List<AgentWork> works = new ArrayList<>();
    for (Item item : items) {
      Object bound = binding(item.planned());
      if (!(bound instanceof Binding binding)) {
        throw new IllegalArgumentException(
            item.planned().spec().id() + " cannot take the agent path: " + refusal(item.planned()));
      }
      int at =
          index.computeIfAbsent(
              binding,
              b -> {
                used.add(b);
                return used.size() - 1;
              });
      works.add(
          new AgentWork(
              item.planned().spec().id(),
              at,
              item.planned().source().location(),
              item.targetLocation(),
              item.commitTag(),
              item.planned().spec().validation().key(),
              maxBytes,
              maxFiles,
              item.metadata()));
    }
    return submit(context, works, new AgentTask(used));
  }

  private JavaFutureAction<List<AgentOutcome>> submit(
      JavaSparkContext context, List<AgentWork> slice, AgentTask task) {
    int chunks = (slice.size() + chunkSize - 1) / chunkSize;
    // Executors read the session's SQL settings from the job's properties, as for a SQL query.
    Map<String, String> saved = new HashMap<>();
    scala.collection.immutable.Map<String, String> all = spark.sessionState().conf().getAllConfs();
    for (String key : scala.jdk.javaapi.CollectionConverters.asJava(all.keySet())) {
      saved.put(key, context.getLocalProperty(key));
      context.setLocalProperty(key, all.apply(key));
    }
    try {
      context.setJobDescription(
          "dsmigrate agents: " + slice.size() + " datasets in " + chunks + " tasks");
      return context.parallelize(new ArrayList<>(slice), chunks).mapPartitions(task).collectAsync();
    } finally {
      saved.forEach(context::setLocalProperty);
      context.setJobDescription(null);
    }
  }

  /**
   * Cancels {@code job} and waits until none of its tasks runs any more: only then may what they
   * were writing be undone by others.
   */
  private static void stop(JavaSparkContext context, JavaFutureAction<List<AgentOutcome>> job) {
    if (job == null) {
      return;
    }
    job.cancel(true);
    long until = System.currentTimeMillis() + 600_000;
    for (int id : job.jobIds()) {
      while (System.currentTimeMillis() < until) {
        var info = context.statusTracker().getJobInfo(id);
        boolean running = false;
        if (info != null) {
          for (int stage : info.stageIds()) {
            var stageInfo = context.statusTracker().getStageInfo(stage);
            running |= stageInfo != null && stageInfo.numActiveTasks() > 0;
          }
        }
        if (!running) {
          break;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private List<AgentOutcome> await(JavaFutureAction<List<AgentOutcome>> job) {
    try {
      return job.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      job.cancel(true);
      throw new IllegalStateException(
          "the agents ran past " + timeout + "; their job is cancelled");
    } catch (InterruptedException e) {
      job.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while agents were migrating", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "the agents' Spark job failed: " + e.getCause().getMessage(), e.getCause());
    }
  }
}
