package io.dsmigrate.launcher;

import com.typesafe.config.ConfigException;
import io.dsmigrate.job.spec.SpecException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The dsmigrate command line.
 *
 * <p>Exit codes: 0 success; 1 some datasets failed or differ (the rest done); 2 bad usage, specs or
 * config (nothing migrated); 4 the run was paused (the datasets in flight finished, the rest not
 * started).
 */
@Command(
    name = "dsmigrate",
    mixinStandardHelpOptions = true,
    version = "dsmigrate 0.1.0",
    description =
        "Migrates fleets of datasets (Hive tables, Parquet, Delta) to Delta Lake, validated and recorded.",
    subcommands = {
      DemoCommand.class,
      AssessCommand.class,
      PlanCommand.class,
      RunCommand.class,
      PauseCommand.class,
      ResumeCommand.class,
      SubmitCommand.class,
      ValidateCommand.class,
      StatusCommand.class,
      ReportCommand.class,
      RollbackCommand.class,
      DropBackupsCommand.class,
      NotifyCommand.class,
      SqlCommand.class,
      BenchCommand.class,
      BenchValidationCommand.class,
      BenchPlanCommand.class
    })
public final class Dsmigrate implements Runnable {
  public static final int OK = 0;
  public static final int SOME_FAILED = 1;
  public static final int BAD_INPUT = 2;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (tests call this). */
  public static int execute(String... args) {
    CommandLine commandLine = new CommandLine(new Dsmigrate());
    commandLine.setExecutionExceptionHandler(
        (failure, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          if (failure instanceof SpecException specs) {
            err.println(specs.getMessage());
            return BAD_INPUT;
          }
          if (failure instanceof ConfigException config) {
            err.println("Bad configuration: " + config.getMessage());
            return BAD_INPUT;
          }
          if (failure instanceof IllegalArgumentException
              || failure instanceof java.io.UncheckedIOException) {
            err.println("dsmigrate " + cmd.getCommandName() + ": " + failure.getMessage());
            return BAD_INPUT;
          }
          err.println("dsmigrate " + cmd.getCommandName() + " failed: " + failure);
          failure.printStackTrace(err);
          return SOME_FAILED;
        });
    return commandLine.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
