package io.dsmigrate.job.submit;

import static java.util.Objects.requireNonNull;

import io.dsmigrate.job.ledger.RunId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of {@link io.dsmigrate.job.MigrationJobMain} for one partition of a plan.
 *
 * @param plan the plan file (a path or a URI), as the driver reads it
 * @param partition the partition to run
 * @param runId the run id; the same id on a rerun resumes the run
 * @param workdir the job's workdir (a path or a URI), or null for its configured one
 * @param conf a dsmigrate settings file, or null
 * @param settings dsmigrate settings ({@code -Dkey=value}), in order
 * @param ignorePilot run the partition even when the plan's pilot did not pass
 */
public record JobArguments(
    String plan,
    int partition,
    String runId,
    String workdir,
    Path conf,
    Map<String, String> settings,
    boolean ignorePilot) {
  public JobArguments {
    requireNonNull(plan, "plan is null");
    RunId.check(requireNonNull(runId, "runId is null"));
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be 0 or more, not " + partition);
    }
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }

  public JobArguments(
      String plan,
      int partition,
      String runId,
      String workdir,
      Path conf,
      Map<String, String> settings) {
    this(plan, partition, runId, workdir, conf, settings, false);
  }

  /** The arguments as the job's command line takes them. */
  public List<String> toList() {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of("--plan", plan, "--partition", Integer.toString(partition), "--run-id", runId));
    if (workdir != null) {
      args.addAll(List.of("--workdir", workdir));
    }
    if (conf != null) {
      args.addAll(List.of("--conf", conf.toString()));
    }
    settings.forEach((key, value) -> args.add("-D" + key + "=" + value));
    if (ignorePilot) {
      args.add("--ignore-pilot");
    }
    return args;
  }
}
